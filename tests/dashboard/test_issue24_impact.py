"""Issue 24: the Impact page (AppTest). Its figures are the engine's for the same files; a
bad file is refused with every problem and nothing from it is used; small groups are
hidden; the CSV holds aggregates only."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.markup import shown
from roi.impact.files import read_metrics, read_outcomes, read_usage
from roi.impact.panel import join
from roi.impact.report import impact_report

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "impact"
APP = str(ROOT / "dashboard" / "app.py")


def page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("app_pages/impact.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def engine():
    usage = read_usage((SAMPLE / "usage.csv").read_bytes(), "usage.csv")
    outcomes = read_outcomes((SAMPLE / "outcomes.csv").read_bytes(), "outcomes.csv")
    metrics = read_metrics((SAMPLE / "metrics.csv").read_bytes(), "metrics.csv")
    return impact_report(join(usage, outcomes), metrics)


def test_the_page_shows_the_engines_estimates_for_the_sample(store, engine):
    at = page()
    assert [m.value for m in at.metric if m.label == "People"] == ["400"]
    assert [m.value for m in at.metric if m.label == "Roll-out"] == ["2026-W07"]
    first = engine.metrics[0]  # hours_to_merge, sorted by name
    assert at.selectbox(key="impact.metric").value == first.metric
    assert at.success[0].value == first.verdict
    table = at.dataframe[0].value
    did = table[table["Estimate"].str.startswith("Before/after")].iloc[0]
    assert did["Effect"] == pytest.approx(first.panel.effect.effect, abs=1e-12)
    assert did["95% low"] == pytest.approx(first.panel.effect.ci_low, abs=1e-12)
    assert len(at.get("plotly_chart")) == 3  # tier mix, outcome by tier, event study
    at.selectbox(key="impact.metric").set_value("prs_merged").run()
    assert "raises prs_merged by 0.65 pull requests" in at.success[0].value
    assert "overstates it" in at.success[0].value


def test_a_higher_heavy_bar_moves_people_out_of_the_heavy_tier(store, engine):
    at = page()
    plain = at.dataframe[0].value["People"].iloc[0]
    at.number_input(key="impact.heavy").set_value(60).run()
    assert not at.exception
    assert at.dataframe[0].value["People"].iloc[0] != plain


def test_a_bad_usage_file_is_refused_with_every_problem(store):
    at = page()
    bad = b"person_id,period,active_days\nana@example.com,2026-W02,-1\nbo@example.com,2026-W02,9\n"
    at.get("file_uploader")[0].upload("usage.csv", bad, "text/csv").run()
    assert "usage.csv was rejected: 2 problem(s)" in shown(at.error[0].value)
    assert list(at.dataframe[0].value["Where"]) == [
        "line 2, column active_days", "line 3, column active_days"]  # fmt: skip
    assert not at.get("plotly_chart")  # nothing from it is used


def test_an_uploaded_small_team_hides_its_figures(store):
    """Four people, three of them heavy in week 2: no count or mean of fewer than 5 is
    shown, and no estimate."""
    usage = "person_id,period,active_days\n" + "".join(
        f"p{k}@example.com,2026-W0{w},{(3 if k < 3 else 0) if w > 1 else 0}\n"
        for k in range(4) for w in (1, 2))  # fmt: skip
    outcomes = "person_id,period,metric,value\n" + "".join(
        f"p{k}@example.com,2026-W0{w},prs,{k + w}\n" for k in range(4) for w in (1, 2)
    )
    at = page()
    at.get("file_uploader")[0].upload("usage.csv", usage.encode(), "text/csv").run()
    at.get("file_uploader")[1].upload("outcomes.csv", outcomes.encode(), "text/csv").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table["Effect"].isna().all()
    assert "Not enough people" in at.info[-1].value or "Not enough people" in " ".join(
        i.value for i in at.info
    )


def test_the_measured_effect_goes_into_a_case_with_its_source(store, engine):
    """hours_to_merge's saving at the conservative end, × 60 minutes an hour, into the
    lead-scoring case's research time saved; the figures after are the engine's."""
    from roi import evaluate, load_case
    from roi.impact.evidence import use_impact
    from roi.io.formatting import format_money

    at = page()
    box = at.selectbox(key="impact.input")
    index = next(i for i, o in enumerate(box.options)
                 if "Lead research time saved" in o and "minutes saved per task" in o)  # fmt: skip
    box.select_index(index).run()
    at.number_input(key="impact.per").set_value(60.0).run()
    assert not at.exception
    case = load_case(ROOT / "sample_data" / "cases" / "lead_scoring.yaml")
    hours = engine.metrics[0]
    path = at.selectbox(key="impact.input").value[1]
    updated = use_impact(case, path, hours, "outcomes.csv", (engine.periods[0],
                         engine.periods[-1]), 60.0)  # fmt: skip
    npv = format_money(evaluate(updated).risk_adjusted.metrics.npv, case.currency)
    assert [m.value for m in at.metric if m.label == "NPV"][1] == npv
    captions = " ".join(shown(c.value) for c in at.caption)
    assert "Source: outcomes.csv, hours_to_merge, LP-DiD, 2026-W01 to 2026-W26" in captions
    assert at.get("download_button")


def test_an_upload_is_saved_as_aggregates_and_shown_again_from_the_store(store, engine):
    at = page()
    at.get("file_uploader")[0].upload("usage.csv", (SAMPLE / "usage.csv").read_bytes(),
                                      "text/csv").run()  # fmt: skip
    at.get("file_uploader")[1].upload("outcomes.csv", (SAMPLE / "outcomes.csv").read_bytes(),
                                      "text/csv").run()  # fmt: skip
    assert not at.exception
    at.button(key="impact.save").click().run()
    assert any("Saved as dataset #1" in s.value for s in at.success)
    [dataset] = store.datasets("impact")
    assert dataset.rows == 400 and dataset.meta["outcomes_file"] == "outcomes.csv"
    again = page()
    assert again.selectbox(key="impact.saved").value == dataset.id
    assert any("Showing saved measured impact #1" in shown(i.value) for i in again.info)
    assert [m.value for m in again.metric if m.label == "People"] == ["400"]


def test_a_per_user_telemetry_export_gives_the_usage(store):
    """GitHub's per-user report (its documentation's mock) as the usage, outcomes for its
    logins and for people it does not list: those are read as non-users, and the page says
    so; saved, the aggregates keep the count."""
    export = ROOT / "tests/data/telemetry/github_usage_metrics/gh_org_users_28day__viewer_mock.json"
    logins = ["alicechen", "bobmartinez", "codertocat", "defunkt", "hubot", "monalisa",
              "octocat", "octokitten"]  # fmt: skip
    people = [*logins, *(f"dev{k}" for k in range(6))]
    weeks = ["2026-W13", "2026-W14", "2026-W15", "2026-W16", "2026-W17"]
    outcomes = "person_id,period,metric,value\n" + "".join(
        f"{p},{w},prs,{k % 4}\n" for k, p in enumerate(people) for w in weeks
    )
    at = page()
    at.get("file_uploader")[0].upload(export.name, export.read_bytes(), "application/json").run()
    at.get("file_uploader")[1].upload("outcomes.csv", outcomes.encode(), "text/csv").run()
    assert not at.exception
    assert [m.value for m in at.metric if m.label == "People"] == ["14"]
    captions = " ".join(shown(c.value) for c in at.caption)
    assert "30 person-periods of the outcomes have no record in the usage export" in captions
    at.button(key="impact.save").click().run()
    [dataset] = store.datasets("impact")
    assert dataset.meta["usage_files"] == [export.name]
    assert store.impact(dataset.id).read_as_non_users == 30


def test_the_explorer_says_where_a_measured_input_came_from(store, engine):
    """A case that took the impact estimate, opened in the explorer: its line's source and
    note are listed under "Where the figures come from"."""
    from roi import load_case
    from roi.core.casefile import dump_case
    from roi.impact.evidence import use_impact

    case = load_case(ROOT / "sample_data" / "cases" / "lead_scoring.yaml")
    path = "benefits[1].minutes_saved_per_task"
    updated = use_impact(case, path, engine.metrics[1], "outcomes.csv",
                         (engine.periods[0], engine.periods[-1]), per=10)  # fmt: skip
    from roi.access import Actor, Role
    from roi.store import prepare

    kept = store.add(prepare("case", dump_case(updated).encode(), "lead_impact.yaml"),
                     Actor("admin@example.com", Role.ADMIN)).dataset  # fmt: skip
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["case"] = f"saved-{kept.id}-{kept.fingerprint[:12]}"
    at.run()
    at.switch_page("app_pages/explorer.py").run()
    assert not at.exception
    text = " ".join(shown(m.value) for m in at.markdown)
    assert "source: outcomes.csv, prs\\_merged, LP-DiD" in text or (
        "source: outcomes.csv, prs_merged, LP-DiD" in text
    )
