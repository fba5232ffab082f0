"""Issue 20, item 11, in the browser: names written as Markdown or HTML, uploaded and saved as
a person would, are shown as text on every page (no image fetched from their address, no
link to it, no typeset formula), and no page fetches anything from a host other than the
app's own (the page icon, the navigation's Material icons and the fonts are served by it).

Hostile values point at 127.0.0.1:9 (discard) only."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from appserver import free_port, start_app, stop_app
from playwright.sync_api import expect

from roi import evaluate, load_case
from roi.access import Actor, Role
from roi.store import Store, figures_of, prepare

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
TALL = {"width": 1400, "height": 2400}

IMAGE = "![x](http://127.0.0.1:9/pixel.png)"
LINK = "[t](http://127.0.0.1:9/link)"
HTML = '<a href="http://127.0.0.1:9/html">t</a>'
CASE_NAME = f"{IMAGE} {LINK} $$x^2$$ :red[r] :material/bolt: :smile:"
DESCRIPTION = f"{HTML} http://127.0.0.1:9/raw $$y$$ `c`"
TEAM = f"{HTML} {IMAGE}"
USE_CASE = f"{IMAGE} {LINK} $$z$$"
USER = "![u](http://127.0.0.1:9/user.png)"
FILE = "pilot ![f](http://127.0.0.1:9/file.png).csv"
SCENARIO = f"{LINK} $$s$$ {HTML}"

# Every page of the app (dashboard/app.py), with the query that shows the hostile case.
PAGES = ["", "quickwins", "explorer", "builder", "pilots", "adoption", "culture",
         "infrastructure", "scenarios", "export", "data", "settings", "methodology"]  # fmt: skip


def hostile_case() -> bytes:
    data = yaml.safe_load((SAMPLE / "cases" / "support_chatbot.yaml").read_text("utf-8"))
    data["name"], data["description"] = CASE_NAME, DESCRIPTION
    data["benefits"][0]["name"] = f"{HTML} line"
    for index, cost in enumerate(data["costs"]):
        if cost["type"] == "infrastructure":
            cost["name"] = f"{IMAGE} infra {index}"
    return yaml.safe_dump(data, sort_keys=False).encode("utf-8")


def replaced(path: Path, column: str, old: str, new: str) -> bytes:
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8"))))
    at = rows[0].index(column)
    for row in rows[1:]:
        row[at] = new if row[at] == old else row[at]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def hostile_register() -> bytes:
    rows = list(csv.DictReader(io.StringIO((SAMPLE / "use_cases.csv").read_text("utf-8"))))
    rows[0].update(name=USE_CASE, owner=TEAM, team=TEAM)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    """The dashboard on a store of its own holding a hostile case, a scenario of it and a
    pilot file with a hostile file name; its user's name (``ROI_USER``) is hostile too."""
    folder = tmp_path_factory.mktemp("item11")
    database = f"sqlite:///{folder / 'roi.sqlite3'}"
    store = Store(database)
    ana = Actor("ana", Role.ADMIN)
    case = store.add(prepare("case", hostile_case(), "hostile case.yaml"), ana).dataset
    result = evaluate(load_case(SAMPLE / "cases" / "support_chatbot.yaml"))
    store.save_scenario(SCENARIO, case.id, {}, figures_of(result), ana)
    store.add(prepare("pilots", (SAMPLE / "pilot_observations.csv").read_bytes(), FILE), ana)
    store.close()
    port = free_port()
    process = start_app(port, {"DATABASE_URL": database, "ROI_USER": USER})
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_app(process)


@pytest.fixture
def watched(browser, hostile_app):
    """A tall page whose every request is recorded."""
    context = browser.new_context(viewport=TALL)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    yield page
    context.close()


def settle(page) -> None:
    """Until the run has finished drawing: a title, no running indicator, charts drawn."""
    expect(page.locator("h1").first).to_be_visible()
    page.wait_for_timeout(500)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=60_000)
    page.wait_for_timeout(1500)


MARKUP = """() => ({
  images: [...document.querySelectorAll('img')].map(i => i.src),
  links: [...document.querySelectorAll('a')].map(
      a => a.getAttribute('href') || a.getAttribute('xlink:href') || ''),
  katex: document.querySelectorAll('.katex').length,
  text: document.body.innerText.replaceAll('\u2060', ''),
})"""


def assert_text_only(page, app_url: str) -> dict:
    """No image from elsewhere, no link to a hostile address, no formula, no request to
    another host."""
    found = page.evaluate(MARKUP)
    outside = [s for s in found["images"] if not s.startswith((app_url, "data:", "blob:"))]
    assert not outside, outside
    assert not [h for h in found["links"] if "127.0.0.1:9" in h], found["links"]
    assert found["katex"] == 0
    host = urlparse(app_url).netloc
    foreign = [u for u in page.requests if urlparse(u).scheme in ("http", "https", "ws", "wss")
               and urlparse(u).netloc != host]  # fmt: skip
    assert not foreign, foreign
    return found


def upload(page, index: int, folder: Path, name: str, content: bytes) -> None:
    path = folder / name
    path.write_bytes(content)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').nth(index).set_input_files(
        str(path)
    )


def test_item11_every_page_shows_saved_names_as_text(watched, hostile_app, screenshot):
    for name in PAGES:
        watched.goto(f"{hostile_app}/{name}")
        settle(watched)
        found = assert_text_only(watched, hostile_app)
        assert "127.0.0.1:9/user.png" in found["text"]  # the user's name, as text
        icon = watched.evaluate("document.querySelector(\"link[rel='shortcut icon']\").href")
        assert icon.startswith(f"{hostile_app}/media/"), icon  # not fonts.gstatic.com
        if name == "explorer":
            watched.get_by_role("combobox").first.click()
            watched.get_by_role("option", name=re.compile(r"saved #")).first.click()
            settle(watched)
            found = assert_text_only(watched, hostile_app)
            assert CASE_NAME in found["text"] and "$$y$$" in found["text"]
            screenshot(watched, "item11_explorer")
        if name in ("data", "scenarios", "pilots", "infrastructure"):
            screenshot(watched, f"item11_{name}")
    assert watched.requests  # the log did record the pages' requests


def test_item11_uploaded_register_adoption_and_survey(watched, hostile_app, screenshot, tmp_path):
    watched.goto(f"{hostile_app}/quickwins")
    settle(watched)
    upload(watched, 0, tmp_path, "register.csv", hostile_register())
    expect(watched.get_by_role("button", name="Save register.csv to the store")).to_be_visible()
    settle(watched)
    watched.locator('[data-testid="stPlotlyChart"]').first.hover()  # a tooltip drawn
    assert_text_only(watched, hostile_app)
    screenshot(watched, "item11_quickwins")

    watched.goto(f"{hostile_app}/adoption")
    settle(watched)
    adoption = replaced(SAMPLE / "adoption" / "adoption.csv", "team", "support", TEAM)
    upload(watched, 0, tmp_path, "adoption.csv", adoption)
    expect(watched.get_by_text("Read as: adoption CSV", exact=False)).to_be_visible()
    settle(watched)
    box = watched.locator('[data-testid="stSelectbox"]').filter(has_text="Team").first
    box.get_by_role("combobox").click()
    watched.get_by_role("option", name=TEAM).click()
    settle(watched)
    found = assert_text_only(watched, hostile_app)
    assert f"Monthly adoption, {TEAM}" in watched.locator(".gtitle").first.text_content()
    assert TEAM in found["text"]
    screenshot(watched, "item11_adoption")

    watched.goto(f"{hostile_app}/culture")
    settle(watched)
    survey = replaced(SAMPLE / "survey" / "survey_responses.csv", "team", "support", TEAM)
    upload(watched, 1, tmp_path, "answers.csv", survey)
    expect(watched.get_by_role("button", name="Save answers.csv to the store")).to_be_visible()
    settle(watched)
    found = assert_text_only(watched, hostile_app)
    ticks = watched.locator(".ytick text").all_text_contents()
    assert TEAM in ticks, ticks  # the heatmap's row, drawn as text
    screenshot(watched, "item11_culture")
