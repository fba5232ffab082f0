"""The docs' screenshots: one PNG per page of the dashboard, ``docs/images/<page>.png``.

    make screenshots                                   # every page
    .venv/bin/python devtools/screenshots.py overview explorer   # some pages

Starts the dashboard with ``streamlit run`` on a free port of 127.0.0.1, sign-in off and a
throwaway SQLite database (``DATABASE_URL`` in a temporary folder) into which the sample
files are first imported with ``python -m roi db import`` and two scenarios saved from the
explorer, so that the Data and Scenarios pages have something to show. Each page is then
driven in Debian's headless Chromium (``/usr/bin/chromium``; Playwright's own browsers are
never downloaded) and photographed once what it shows is there: a metric's value, a line of
text, every chart drawn, no widget still a placeholder — never on a fixed delay or on "page
loaded", which Streamlit reaches before it has drawn anything. Nothing here touches the
network beyond 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from appserver import free_port, start_app, stop_app
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 1000}
USER = "pat@example.com"  # who the sample imports and scenarios are recorded as
TIMEOUT_MS = 90_000  # a cold two-core machine takes seconds per rerun
MAX_BYTES = 400_000  # a screenshot larger than this is an error: the docs stay light
SAMPLE = ROOT / "sample_data"
SURVEY = SAMPLE / "survey"
IMPORTS = [
    ["pilots", str(SAMPLE / "pilot_observations.csv")],
    ["adoption", str(SAMPLE / "adoption" / "adoption.csv")],
    [
        "survey", str(SURVEY / "survey_responses.csv"),
        "--items", str(SURVEY / "survey_items.csv"),
        "--invited", str(SURVEY / "survey_invitations.csv"),
    ],
    ["use-cases", str(SAMPLE / "use_cases.csv")],
    ["case", str(SAMPLE / "cases" / "lead_scoring.yaml")],
]  # fmt: skip
TEMPLATE = "Customer support: AI draft replies"  # the case the builder is shown with
# (name, ceiling) of the scenarios saved from the explorer for the Scenarios page.
SCENARIOS = [("Board case: 60% adoption", "0.6"), ("Full rollout", "0.9")]
MONEY = re.compile(r"[$€£]-?[\d,]+|-[$€£][\d,]+")  # a formatted amount: the figure is drawn


def seed(env: dict[str, str]) -> None:
    """The sample files imported into the throwaway store, as an operator would."""
    python = str(ROOT / ".venv" / "bin" / "python")
    for arguments in IMPORTS:
        command = [python, "-m", "roi", "db", "import", *arguments, "--user", USER]
        subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


# --- waiting for what a page shows -------------------------------------------------------


def metric(page, label: str):
    """The value of the metric labelled ``label``."""
    box = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return box.locator('[data-testid="stMetricValue"]')


def settled(page, charts: int = 0) -> None:
    """The script run is over (no *Running* indicator), every widget is drawn (no skeleton
    left in its place) and at least ``charts`` plotly charts have their SVG."""

    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0)
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0)
    if charts:
        drawn = page.locator('[data-testid="stPlotlyChart"] .main-svg')
        expect(drawn.nth(charts - 1)).to_be_attached()
    page.evaluate("document.fonts.ready")


def heading(page, text: str) -> None:

    expect(page.get_by_role("heading", name=text).first).to_be_visible()


# --- the pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Shot:
    """One page: its address, what proves it is drawn, and how tall a window shows it."""

    name: str
    path: str
    ready: Callable[[object], None]
    height: int = VIEWPORT["height"]


def overview(page) -> None:
    expect(metric(page, "Total NPV (risk-adjusted)")).to_have_text(MONEY)
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible()
    settled(page)


def explorer(page) -> None:
    heading(page, "Sales: AI lead scoring")
    expect(metric(page, "NPV").first).to_have_text(MONEY)
    settled(page, charts=1)


def builder(page) -> None:
    """The builder opened on a sample case's template, its tables drawn."""

    heading(page, "Case builder")
    settled(page)
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Start from")
    for _attempt in range(4):  # a rerun may close the list before the click lands
        box.click()
        try:
            page.get_by_role("option", name=f"Template: {TEMPLATE}").click(timeout=10_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    # The template's fields replace the blank case's in a rerun: wait for its name.
    page.wait_for_function(
        "name => [...document.querySelectorAll('input[aria-label=\"Name\"]')]"
        ".some(input => input.value === name)",
        arg=TEMPLATE,
    )
    expect(page.locator('[data-testid="stDataFrame"] canvas').first).to_be_visible()
    expect(metric(page, "NPV").first).to_have_text(MONEY)
    settled(page)


def pilots(page) -> None:
    expect(page.get_by_text("3,080 observations", exact=False).first).to_be_visible()
    settled(page, charts=2)


def adoption(page) -> None:
    expect(page.get_by_text("Detected: Adoption table (adoption.csv).")).to_be_visible()
    expect(metric(page, "80% reached")).to_have_text(re.compile(r"\d{4}-\d{2}"))
    settled(page, charts=1)


def culture(page) -> None:
    expect(page.get_by_text("respondents, 11 teams shown", exact=False).first).to_be_visible()
    settled(page, charts=1)


def impact(page) -> None:
    expect(page.get_by_text("Using the tool lowers", exact=False).first).to_be_visible()
    settled(page, charts=3)


def quickwins(page) -> None:
    expect(metric(page, "Risk-adjusted NPV")).to_have_text(MONEY)
    settled(page, charts=1)


def infrastructure(page) -> None:
    expect(metric(page, "Crossover month")).to_have_text(re.compile(r"\d+"))
    settled(page, charts=1)


def scenarios(page) -> None:
    expect(page.get_by_text(SCENARIOS[0][0]).first).to_be_visible()
    expect(page.get_by_text("Compare side by side")).to_be_visible()
    settled(page)


def data(page) -> None:
    heading(page, "Data")
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible()
    expect(page.get_by_text("Saved work lives in", exact=False)).to_be_visible()
    settled(page)


def export(page) -> None:
    heading(page, "Export")
    expect(metric(page, "NPV").first).to_have_text(MONEY)
    settled(page)


def settings(page) -> None:
    heading(page, "Settings")
    heading(page, "Survey anonymity")
    settled(page)


def methodology(page) -> None:
    heading(page, "Methodology")
    heading(page, "Money, signs and rounding")
    settled(page)


SHOTS = [
    Shot("overview", "", overview),
    Shot("explorer", "explorer?case=lead_scoring", explorer, 1500),
    Shot("builder", "builder", builder, 1300),
    Shot("pilots", "pilots", pilots, 1300),
    Shot("adoption", "adoption", adoption, 1400),
    Shot("culture", "culture", culture, 1300),
    Shot("impact", "impact", impact, 1700),
    Shot("quickwins", "quickwins", quickwins, 1300),
    Shot("infrastructure", "infrastructure", infrastructure, 1300),
    Shot("scenarios", "scenarios", scenarios, 1300),
    Shot("data", "data", data, 1100),
    Shot("export", "export", export, 1400),
    Shot("settings", "settings", settings),
    Shot("methodology", "methodology", methodology),
]


def save_scenarios(page, url: str) -> None:
    """Two named scenarios of the lead-scoring case, saved from the explorer as a person
    would, so that the Scenarios page has a comparison and a history to show."""

    for name, ceiling in SCENARIOS:
        page.goto(f"{url}/explorer?case=lead_scoring&ceiling={ceiling}")
        heading(page, "Sales: AI lead scoring")
        settled(page)
        page.get_by_role("button", name="Save this scenario").click()
        page.get_by_label("Scenario name").fill(name)
        page.get_by_label("Scenario name").press("Enter")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_text(f"Saved as '{name}'", exact=False)).to_be_visible()
        page.keyboard.press("Escape")


def shoot(shots: list[Shot], out: Path) -> list[tuple[Path, int, float]]:

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="roi-screenshots-") as folder:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder}/roi.sqlite3",
            "ROI_USER": USER,
        }
        seed(env)
        port = free_port()
        process = start_app(port, env)
        url = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                expect.set_options(timeout=TIMEOUT_MS)
                page = browser.new_context(viewport=VIEWPORT).new_page()
                page.set_default_timeout(TIMEOUT_MS)
                if any(shot.name == "scenarios" for shot in shots):
                    save_scenarios(page, url)
                for shot in shots:
                    started = time.monotonic()
                    page.set_viewport_size({**VIEWPORT, "height": shot.height})
                    page.goto(f"{url}/{shot.path}")
                    shot.ready(page)
                    path = out / f"{shot.name}.png"
                    page.screenshot(path=str(path), full_page=False, animations="disabled")
                    size = path.stat().st_size
                    written.append((path, size, time.monotonic() - started))
                    if size > MAX_BYTES:
                        raise SystemExit(f"{path}: {size:,} bytes, over {MAX_BYTES:,}")
                browser.close()
        finally:
            stop_app(process)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    names = [shot.name for shot in SHOTS]
    parser.add_argument(
        "pages",
        nargs="*",
        metavar="PAGE",
        help=f"pages to photograph (default: all of {', '.join(names)})",
    )
    parser.add_argument("--out", type=Path, default=IMAGES, help="folder (default docs/images)")
    args = parser.parse_args(argv)
    if unknown := sorted(set(args.pages) - set(names)):
        parser.error(f"no page {', '.join(unknown)}; the pages are {', '.join(names)}")
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: apt-get install -y chromium", file=sys.stderr)
        return 2
    chosen = [shot for shot in SHOTS if not args.pages or shot.name in args.pages]
    for path, size, seconds in shoot(chosen, args.out):
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}"
              f"  {size / 1000:.0f} kB  {seconds:.1f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
