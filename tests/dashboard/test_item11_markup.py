"""Issue 20, item 11: text from files is text. A case, line-item, use-case or team name (or a
description, a file name, a user name, a value quoted in a message) written as Markdown or
as plotly's HTML is shown escaped on every page: never an image fetched from elsewhere, a
link, a typeset formula or a shortcode; in charts never an ``<a href>``."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
import yaml
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from dashboard.cache import saved_case_id
from dashboard.charts.quickwins import matrix_figure
from dashboard.charts.text import chart_text
from dashboard.charts.uncertainty import tornado_figure, two_way_figure
from dashboard.markup import WORD_JOINER, code, plain, shown
from roi.access import Actor, Role
from roi.portfolio.quickwins import RankSettings, rank
from roi.portfolio.register import read_register
from roi.store import prepare

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
APP = str(ROOT / "dashboard" / "app.py")
TIMEOUT = 60
ANA = Actor("ana", Role.ADMIN)

# Hostile values point at 127.0.0.1 only (port 9, discard): never a real outside address.
IMAGE = "![x](http://127.0.0.1:9/pixel.png)"
LINK = "[t](http://127.0.0.1:9/x)"
HTML = '<a href="http://127.0.0.1:9/a">t</a>'
CASE_NAME = f"{IMAGE} {LINK} $$x^2$$ :red[r] :material/bolt:"
DESCRIPTION = f"{HTML} http://127.0.0.1:9/raw :smile: `c` a@b.co"
LINE = f"{HTML} line"
TEAM = '<a href="http://127.0.0.1:9/x">t</a> ![x](http://127.0.0.1:9/pixel.png)'
USE_CASE = f"{IMAGE} {HTML} $$y$$"

HOSTILE = [CASE_NAME, DESCRIPTION, LINE, TEAM, USE_CASE, "a\\b", "# h", "1. item", "x\ny"]


# The escaping itself ------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_item11_plain_reads_as_written(text):
    assert shown(plain(text)) == text.replace("\n", " ")


def test_item11_plain_leaves_no_markup():
    escaped = plain(CASE_NAME)
    assert escaped.startswith(r"\!\[x\]\(http\:" + WORD_JOINER + r"\/\/127\.0\.0\.1")
    assert "$$" not in escaped and ":material/" not in escaped and ":red[" not in escaped
    assert plain(":smile: :material_bolt:").count(":" + WORD_JOINER) == 2  # no emoji, no icon
    assert "http://" not in plain("http://127.0.0.1:9/raw")  # not auto-linked
    assert "www." not in plain("www.example.org") and "@b." not in plain("a@b.co")


def test_item11_code_spans_cannot_be_closed_early():
    assert code("a`b") == "``a`b``"
    assert code("`x`") == "`` `x` ``"
    assert ":material/" not in code(":material/bolt:")


def test_item11_chart_text_is_plotly_text():
    assert chart_text(HTML) == '&lt;a href="http://127.0.0.1:9/a"&gt;t&lt;/a&gt;'
    assert chart_text("A & B $x$ %{y}") == "A &amp; B &#36;x&#36; %&#123;y}"


def test_item11_figure_builders_escape_names():
    class Row:
        label, input, low, high, npv_low, npv_high = LINE, "x", 0.0, 1.0, -1.0, 1.0

    tornado = tornado_figure([Row()], 0.0, "USD")
    assert tornado.data[0].y == (chart_text(LINE),)
    import numpy as np

    grid = np.array([[-1.0, 1.0], [1.0, 2.0]])
    pair = two_way_figure([0, 1], [0, 1], grid, LINE, "%{z}", "USD")
    assert "<a" not in json.dumps(pair.to_plotly_json())
    assert "%{z}<br>" not in pair.data[0].hovertemplate.split("NPV")[0]


# The pages ----------------------------------------------------------------------------------


def app(page: str, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def hostile_case() -> bytes:
    """The bundled chatbot case with Markdown and HTML in its name, description and lines."""
    data = yaml.safe_load((SAMPLE / "cases" / "support_chatbot.yaml").read_text("utf-8"))
    data["name"], data["description"] = CASE_NAME, DESCRIPTION
    data["benefits"][0]["name"] = LINE
    for index, cost in enumerate(data["costs"]):
        if cost["type"] == "infrastructure":
            cost["name"] = f"{IMAGE} infra {index}"
    return yaml.safe_dump(data, sort_keys=False).encode("utf-8")


def strings(message, keys=("body", "label", "help")) -> list[str]:
    """Every Markdown-rendered string of an element or block proto."""
    found = []

    def walk(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key in keys and isinstance(item, str):
                    found.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(MessageToDict(message, preserving_proto_field_name=True))
    return found


def nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from nodes(child)


def rendered(at: AppTest) -> list[str]:
    """Markdown sources of the page: bodies, labels and tooltips of every element and
    block (expander titles), with inline code spans (shown verbatim) taken out."""
    texts = []
    for root in (at.main, at.sidebar):
        for node in nodes(root):
            proto = getattr(node, "proto", None)
            if proto is not None and type(node).__name__ != "UnknownElement":
                texts += strings(proto)
    return [re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", text) for text in texts]


def assert_no_markup(at: AppTest) -> list[str]:
    """No Markdown source on the page carries the hostile address unescaped: an escaped
    character (``\\.``, ``\\:``) breaks every ``127.0.0.1:9`` that Markdown could act on.
    Returns the sources that carry it escaped (at least one, or the test saw nothing)."""
    texts = rendered(at)
    for text in texts:
        unescaped = re.sub(r"\\.", "", text)
        assert "127.0.0.1" not in unescaped, text
        assert "$$x" not in unescaped and ":material/bolt" not in unescaped, text
    return [t for t in texts if "127.0.0.1" in shown(t)]


def figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def assert_charts_escaped(at: AppTest) -> str:
    """No string in any chart holds a raw tag or ``$`` from a file; returns them joined."""
    specs = json.dumps(figures(at))
    for raw in ("<a ", "$$"):  # escaped, they read &lt;a and &#36;&#36;
        assert raw not in specs, specs[max(0, specs.find(raw) - 200) : specs.find(raw) + 100]
    return specs


def test_item11_explorer_shows_a_saved_case_name_as_text(store):
    dataset = store.add(prepare("case", hostile_case(), "hostile.yaml"), ANA).dataset
    at = app("explorer", {"case": saved_case_id(dataset.id, dataset.fingerprint)})
    assert at.subheader[0].value == plain(CASE_NAME)
    assert at.caption[0].value == plain(DESCRIPTION)
    assert len(assert_no_markup(at)) >= 2
    # The tornado is drawn when "What decides it" is opened (issue 22).
    at.segmented_control(key="explorer.uncertainty").set_value("What decides it").run()
    specs = assert_charts_escaped(at)
    assert json.dumps(chart_text(LINE))[1:-1] in specs  # the tornado's labels


def test_item11_infrastructure_names_the_line_as_text(store):
    dataset = store.add(prepare("case", hostile_case(), "hostile.yaml"), ANA).dataset
    costs = yaml.safe_load(hostile_case())["costs"]
    index = next(i for i, cost in enumerate(costs) if cost["type"] == "infrastructure")
    at = app("infrastructure")
    case_id = saved_case_id(dataset.id, dataset.fingerprint)
    at.selectbox(key="infrastructure.line").set_value((case_id, index)).run()
    assert not at.exception
    assert at.subheader[0].value.startswith(plain(CASE_NAME))
    assert at.subheader[0].value.endswith(plain(f"{IMAGE} infra {index}"))
    assert assert_no_markup(at)


def test_item11_data_page_shows_names_and_file_names_as_text(store):
    dataset = store.add(prepare("case", hostile_case(), "hostile `a` ![f](x).yaml"), ANA).dataset
    at = app("data")
    details = next(m.value for m in at.markdown if "SHA-256" in m.value)
    assert details.startswith(f"**{plain(CASE_NAME)}**")
    assert code(dataset.source_file) in details
    assert assert_no_markup(at)


def register_with_hostile_names() -> bytes:
    rows = list(csv.DictReader(io.StringIO((SAMPLE / "use_cases.csv").read_text("utf-8"))))
    rows[0]["name"], rows[0]["owner"], rows[0]["team"] = USE_CASE, TEAM, TEAM
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_item11_quick_wins_register_names_are_text_in_every_chart():
    at = app("quickwins")
    at.get("file_uploader")[0].upload("register.csv", register_with_hostile_names(), "text/csv")
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    specs = assert_charts_escaped(at)
    assert json.dumps(chart_text(USE_CASE))[1:-1] in specs  # hover and bar labels
    assert_no_markup(at)


def test_item11_matrix_hover_carries_the_escaped_name():
    register = read_register(register_with_hostile_names(), "r.csv", SAMPLE, "USD", confine=True)
    figure = matrix_figure(rank(register, RankSettings(draws=200)))
    names = [row[0] for trace in figure.data for row in trace.customdata]
    assert chart_text(USE_CASE) in names


def adoption_with_hostile_team() -> bytes:
    text = (SAMPLE / "adoption" / "adoption.csv").read_text("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(rows[0])
    for row in rows[1:]:
        writer.writerow([TEAM if value == "support" else value for value in row])
    return out.getvalue().encode("utf-8")


def test_item11_adoption_team_names_are_text():
    at = app("adoption")
    at.get("file_uploader")[0].upload("adoption.csv", adoption_with_hostile_team(), "text/csv")
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    teams = next(c.value for c in at.caption if "teams:" in c.value)
    assert plain(TEAM) in teams
    at.selectbox(key="adoption.team_view").set_value(TEAM).run()
    assert not at.exception
    specs = assert_charts_escaped(at)
    assert json.dumps(chart_text(TEAM))[1:-1] in specs  # the trend chart's title
    assert assert_no_markup(at)


def survey_with_hostile_team() -> bytes:
    text = (SAMPLE / "survey" / "survey_responses.csv").read_text("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    team = rows[0].index("team")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(rows[0])
    for row in rows[1:]:
        row[team] = TEAM if row[team] == "support" else row[team]
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def test_item11_culture_team_names_are_text():
    at = app("culture")
    at.get("file_uploader")[1].upload("answers.csv", survey_with_hostile_team(), "text/csv")
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    specs = assert_charts_escaped(at)
    assert json.dumps(chart_text(TEAM))[1:-1] in specs  # the heatmap's rows
    at.selectbox(key="culture.team").set_value(TEAM).run()
    assert json.dumps(chart_text(TEAM))[1:-1] in assert_charts_escaped(at)  # trend title
    assert_no_markup(at)


def test_item11_builder_quotes_a_bad_value_as_text():
    data = yaml.safe_load((SAMPLE / "cases" / "support_chatbot.yaml").read_text("utf-8"))
    data["start"] = IMAGE
    at = app("builder")
    at.get("file_uploader")[0].upload("bad.yaml", yaml.safe_dump(data).encode(), "text/yaml")
    at.run()
    assert at.error and "127.0.0.1" in shown(at.error[0].value)
    assert assert_no_markup(at)
