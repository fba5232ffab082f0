"""Issue 20 on the pages (AppTest): a saved case never hides the bundled case of the same
name (item 1); response time is not priced as labour and a non-significant point estimate
warns (item 2); the pilot-size planner follows the data on the page (item 3); survey
changes on the 0–100 scale with the adjusted interval, and no "None" in the tables (item 5);
a stored dataset the engine cannot use does not break the page (item 9)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.markup import shown
from roi import load_case
from roi.access import Actor, Role
from roi.core.casefile import dump_case
from roi.evidence.pilots import estimate_pilots, read_observations, sample_size_to_detect
from roi.store import Store, prepare

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
APP = str(ROOT / "dashboard" / "app.py")
TIMEOUT = 60
BUNDLED_NAME = "Customer support: AI draft replies"


def app(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def save_edited_copy(store: Store, tag: str) -> int:
    """A saved case with the bundled case's name but other figures (as the Pilots page
    saves one), its dataset id."""
    case = load_case(SAMPLE / "cases" / "support_draft_replies.yaml")
    data = case.model_dump()
    data["benefits"][0]["minutes_saved_per_item"] = 2.5 if tag == "a" else 3.0
    from roi.core.casefile import parse_case

    text = dump_case(parse_case(data)).encode("utf-8")
    result = store.add(prepare("case", text, f"support_{tag}.yaml"), Actor("ana", Role.ADMIN))
    return result.dataset.id


def test_item1_saved_case_and_bundled_case_are_told_apart_in_every_picker(store):
    first, second = save_edited_copy(store, "a"), save_edited_copy(store, "b")
    for page, key in (("explorer", "explorer.case"), ("export", "export.case"),
                      ("adoption", "adoption.case")):  # fmt: skip
        at = app(page)
        box = at.selectbox(key=key)
        labels = list(box.options)  # AppTest gives the options as the picker shows them
        named = [label for label in labels if label.startswith(BUNDLED_NAME)]
        assert len(named) == 3, (page, labels)
        assert len(set(labels)) == len(labels), (page, labels)
        assert f"{BUNDLED_NAME} · bundled sample" in named
        assert {f"{BUNDLED_NAME} · saved #{first}", f"{BUNDLED_NAME} · saved #{second}"} <= set(
            named
        )
    # The bundled case can still be chosen, and it is the bundled one that opens.
    at = app("export")
    box = at.selectbox(key="export.case")
    box.select("support_draft_replies").run()
    assert not at.exception
    assert at.selectbox(key="export.case").value == "support_draft_replies"


def test_item2_pilots_page_says_response_time_is_a_service_level():
    at = app("pilots")
    texts = " ".join(i.value for i in at.info)
    assert "response_minutes" in texts and "service level" in texts
    options = at.selectbox(key="pilots.estimate").options
    assert not any("response_minutes" in o for o in options)


WEAK = b"use_case_id,metric,group,value\n" + b"".join(
    f"UC-03,task_minutes,{group},{value}\n".encode()
    for group, values in (("baseline", (10, 14, 9, 15, 12, 11)), ("pilot", (9, 12, 8, 14, 9, 10)))
    for value in values
)


def test_item2_point_estimate_of_a_non_significant_result_warns():
    at = app("pilots")
    at.get("file_uploader")[0].upload("weak.csv", WEAK, "text/csv").run()
    assert not at.exception
    assert not any("not statistically significant" in w.value for w in at.warning)
    at.radio(key="pilots.basis").set_value("point").run()
    assert not at.exception
    assert any("not statistically significant" in w.value for w in at.warning)


def test_item3_planner_follows_the_uploaded_file():
    at = app("pilots")
    at.get("file_uploader")[0].upload("weak.csv", WEAK, "text/csv").run()
    assert not at.exception
    (estimate,) = estimate_pilots(read_observations(WEAK, "weak.csv"))
    box = next(n for n in at.number_input if n.label.startswith("Difference to detect"))
    assert box.value == pytest.approx(abs(estimate.headline.effect))
    needed = sample_size_to_detect(estimate.headline, box.value)
    sentence = next(m.value for m in at.markdown if m.value.startswith("To detect"))
    assert f"**{box.value:,.4g}**" in sentence and f"**{needed:,} observations" in sentence


def test_item9_extreme_values_never_break_the_pilots_page(store):
    huge = b"use_case_id,metric,group,value\n" + b"".join(
        f"UC-03,task_minutes,{'baseline' if i % 2 else 'pilot'},{1e307 * (1 + i % 3)}\n".encode()
        for i in range(20)
    )
    at = app("pilots")
    at.get("file_uploader")[0].upload("huge.csv", huge, "text/csv").run()
    assert not at.exception, [e.value for e in at.exception]


def test_item5_wave_changes_are_on_the_heatmap_scale_with_the_adjusted_interval():
    at = app("culture")
    assert not at.exception
    tables = [d.value for d in at.dataframe]
    changes = next(t for t in tables if "Change (points)" in t.columns)
    assert "Adjusted interval (points)" in changes.columns
    for frame in tables:
        for column in frame.columns:
            assert not frame[column].astype(str).isin(["None", "nan"]).any(), column
    # The contradiction of the issue: +0.24 (95% CI +0.09 to +0.39) read as chance; its
    # adjusted interval now spans 0 and the change is in points.
    row = changes[changes["Reading"].str.contains("not distinguishable")].iloc[0]
    low, high = (float(x) for x in row["Adjusted interval (points)"].split(" to "))
    assert low < 0 < high
    assert math.isfinite(float(row["Change (points)"]))


HELPDESK = (
    "Ticket ID;Minutes (handling);AI assisted\n"
    + "".join(f"T{i};{10 + i % 4},5;{'yes' if i % 2 else 'no'}\n" for i in range(12))
    + "\nT99;8,5;maybe\n"
).encode("cp1252")


def test_mapping_form_maps_an_export_with_select_boxes_and_names_its_columns():
    """Issue 20 (column mapping): a form with one select box per canonical column filled
    with the file's headers, the YAML shown as the saved form, and messages that name the
    user's column ("column 'AI assisted'", not "column group")."""
    at = app("pilots")
    at.get("file_uploader")[0].upload("helpdesk.csv", HELPDESK, "text/csv").run()
    assert any("was rejected" in e.value for e in at.error)  # no mapping yet
    at.selectbox(key="pilots.map.value").set_value("Minutes (handling)").run()
    at.selectbox(key="pilots.map.unit_id").set_value("Ticket ID").run()
    at.selectbox(key="pilots.map.group").set_value("AI assisted").run()
    at.text_input(key="pilots.map.pilot").set_value("yes").run()
    at.text_input(key="pilots.map.baseline").set_value("no").run()
    at.text_input(key="pilots.map.use_case_id.fixed").set_value("UC-03").run()
    at.text_input(key="pilots.map.metric.fixed").set_value("task_minutes").run()
    assert not at.exception
    # The last row says "maybe": refused, naming the user's column.
    problems = at.dataframe[0].value
    assert problems["Where"].str.contains("column 'AI assisted'").any(), problems
    assert any("columns:" in c.value and "AI assisted" in c.value for c in at.code)
    fixed = HELPDESK.replace(b"maybe", b"yes")
    at.get("file_uploader")[0].upload("helpdesk.csv", fixed, "text/csv").run()
    assert not at.exception
    assert any("13 observations, every row valid" in s.value for s in at.success)


def app_with(page: str, query: dict[str, str]) -> AppTest:
    """``page`` opened by a link with ``query`` (the first run reads it, as a browser's)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page(f"app_pages/{page}.py")
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_infrastructure_sliders_are_kept_in_the_link():
    at = app("infrastructure")
    line = at.selectbox(key="infrastructure.line").value
    prefix = f"infrastructure.{line[0]}.{line[1]}"
    at.slider(key=f"{prefix}.cache_hit_rate").set_value(0.3).run()
    assert at.query_params["cache"] == ["0.3"] or at.query_params["cache"] == "0.3"
    linked = app_with("infrastructure", {"line": f"{line[0]}.{line[1]}", "cache": "0.3",
                                         "volume": "99"})  # fmt: skip
    assert linked.slider(key=f"{prefix}.cache_hit_rate").value == pytest.approx(0.3)
    assert any("volume=99 is outside" in shown(w.value) for w in linked.warning)


def test_quick_win_weights_are_kept_in_the_link():
    at = app("quickwins")
    at.slider(key="quickwins.weight.risk").set_value(40.0).run()
    assert not at.exception
    assert "w_risk" in at.query_params
    linked = app_with("quickwins", {"w_risk": "40.0", "value_line": "60", "w_value": "abc"})
    assert linked.slider(key="quickwins.weight.risk").value == 40.0
    assert linked.slider(key="quickwins.value_threshold").value == 60.0
    assert any("w_value='abc' is not a number" in shown(w.value) for w in linked.warning)


def test_quick_wins_labels_do_not_overlap():
    """Issue 20 (smaller): many use cases sit on the value-50 line and their labels were
    printed over each other; each label now takes a free place around its marker."""
    from dashboard.charts.quickwins import label_places

    # Five use cases on the value-50 line, close together, with short labels.
    points = [(60.0 + 3 * i, 50.0, 16.0, f"UC-{i:02d}") for i in range(5)]
    places = label_places(points)
    assert len(set(places)) > 1  # not all "top center", as before
    offsets = {"top": 1, "bottom": -1, "middle": 0}
    spots = [(p[0], offsets[place.split()[0]], place.split()[1]) for p, place in
             zip(points, places, strict=True)]  # fmt: skip
    assert len(set(spots)) == len(spots)
