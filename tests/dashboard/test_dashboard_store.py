"""AppTests of saved work: pages read what the store keeps (newest first, the sample still
one choice away), the Data page deletes and restores, the explorer saves a named scenario
that a link reopens, the Scenarios page compares them, and an unreachable database leaves
the app working on the samples."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.markup import shown
from roi import evaluate, load_case
from roi.access import Actor, Role
from roi.core.scenario import apply_levers, levers_from_query, levers_of
from roi.evidence.pilots import estimate_pilots, read_observations
from roi.io.formatting import format_money
from roi.store import Store, prepare
from roi.store.migrations import LATEST

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
APP = str(ROOT / "dashboard" / "app.py")
TIMEOUT = 60


def keep(store: Store, kind: str, path: Path, **options):
    if kind == "survey":
        items = SAMPLE / "survey" / "survey_items.csv"
        options["items"] = (items.read_bytes(), items.name)
    return store.add(
        prepare(kind, path.read_bytes(), str(path), **options), Actor("ana", Role.ADMIN)
    ).dataset


def app(page: str, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def widget(items, key):
    return next(w for w in items if w.key == key)


def test_data_page_with_an_empty_store_says_so(store):
    at = app("data")
    assert any("Nothing is saved yet" in i.value for i in at.info)
    assert any(f"schema version {LATEST}" in c.value for c in at.caption)


def test_data_page_lists_provenance_deletes_and_restores(store):
    pilots = keep(store, "pilots", SAMPLE / "pilot_observations.csv")
    case = keep(store, "case", SAMPLE / "cases" / "lead_scoring.yaml")
    at = app("data")
    table = at.dataframe[0].value
    assert table["ID"].tolist() == [case.id, pilots.id]
    assert table["By"].tolist() == ["ana", "ana"]
    assert table["SHA-256"].iloc[1] == pilots.sha256[:12] + "…"
    widget(at.selectbox, "data.chosen").set_value(pilots.id).run()
    assert any(pilots.sha256 in m.value for m in at.markdown)
    widget(at.button, "data.delete").click().run()
    assert any("Deleted" in s.value for s in at.success)
    assert [d.id for d in store.datasets()] == [case.id]
    assert store.dataset(pilots.id).deleted_by == "local user"
    assert widget(at.toggle, "data.deleted").value  # the deleted one stays in view
    assert widget(at.selectbox, "data.chosen").value == pilots.id
    widget(at.button, "data.restore").click().run()
    assert any("Restored" in s.value for s in at.success)
    assert {d.id for d in store.datasets()} == {case.id, pilots.id}
    history = at.dataframe[-1].value
    assert history["What"].tolist()[:2] == ["restore", "delete"]


def test_settings_page_switches_the_survey_answer_opt_in(store):
    at = app("settings")
    widget(at.toggle, "settings.keep_answers").set_value(True).run()
    assert store.keep_answers()
    assert store.events()[0].detail == "survey.keep_answers = on"


def test_pilots_page_reads_the_newest_saved_dataset_and_can_go_back_to_the_sample(store):
    path = SAMPLE / "pilot_observations.csv"
    dataset = keep(store, "pilots", path)
    at = app("pilots")
    assert widget(at.selectbox, "pilots.saved").value == dataset.id
    assert any(f"Saved dataset #{dataset.id}" in s.value for s in at.success)
    expected = estimate_pilots(read_observations(path.read_bytes(), path.name))
    table = at.dataframe[0].value
    assert table["Effect"].tolist() == pytest.approx([e.headline.effect for e in expected])
    widget(at.selectbox, "pilots.saved").set_value("sample").run()
    assert any("bundled sample" in i.value for i in at.info)


def test_adoption_culture_and_quick_wins_read_saved_datasets(store):
    adoption = keep(store, "adoption", SAMPLE / "adoption" / "adoption.csv")
    survey = keep(store, "survey", SAMPLE / "survey" / "survey_responses.csv", min_group=7)
    register = keep(store, "use-cases", SAMPLE / "use_cases.csv")
    at = app("adoption")
    assert any(f"saved dataset #{adoption.id}" in i.value for i in at.info)
    at = app("culture")
    assert any(f"saved survey #{survey.id}" in i.value for i in at.info)
    assert any("fewer than 7 hidden" in i.value for i in at.info)
    assert not [s for s in at.slider if s.key == "culture.min_group"]
    assert any(f"{store.survey(survey.id).report.respondents:,} respondents" in s.value
               for s in at.success)  # fmt: skip
    at = app("quickwins")
    assert any(f"saved register #{register.id}" in i.value for i in at.info)
    assert not at.exception


def test_builder_saves_its_case_and_the_explorer_offers_it(store):
    at = app("builder")
    widget(at.selectbox, "builder.template").set_value("lead_scoring").run()
    name = next(t for t in at.text_input if t.key.endswith(".name"))
    name.set_value("Lead scoring, our numbers").run()
    widget(at.button, "builder.save").click().run()
    assert any("Saved as dataset #" in s.value for s in at.success)
    (dataset,) = store.datasets("case")
    assert dataset.name == "Lead scoring, our numbers" and dataset.imported_by == "local user"
    explorer = app("explorer")
    options = widget(explorer.selectbox, "explorer.case").options
    assert f"Lead scoring, our numbers · saved #{dataset.id}" in options


def test_explorer_saves_a_scenario_a_link_reopens_and_the_scenarios_page_compares(store):
    at = app("explorer")
    case_id = widget(at.selectbox, "explorer.case").value
    ceiling = f"explorer.{case_id}.adoption_ceiling"
    widget(at.slider, ceiling).set_value(0.35).run()
    widget(at.text_input, "explorer.scenario_name").set_value("Cautious").run()
    widget(at.button, "explorer.save_scenario").click().run()
    assert any("Saved as 'Cautious'" in s.value for s in at.success)
    (scenario,) = store.scenarios()
    assert scenario.levers["ceiling"] == "0.35"
    assert scenario.created_by == "local user"
    # The bundled case was saved once, so that the scenario names a kept case.
    (case_dataset,) = store.datasets("case")
    assert scenario.case_id == case_dataset.id

    case = load_case(SAMPLE / "cases" / f"{case_id}.yaml")
    levers = levers_from_query(case, scenario.levers).levers
    expected = format_money(
        evaluate(apply_levers(case, levers)).risk_adjusted.metrics.npv, case.currency
    )
    reopened = app("explorer", {"scenario": str(scenario.id)})
    assert widget(reopened.slider, ceiling).value == pytest.approx(0.35)
    assert next(m.value for m in reopened.metric if m.label == "NPV") == expected

    # Saved again under its name: the old link opens the new version, and says so.
    widget(at.slider, ceiling).set_value(0.4).run()
    widget(at.button, "explorer.save_scenario").click().run()
    followed = app("explorer", {"scenario": str(scenario.id)})
    assert widget(followed.slider, ceiling).value == pytest.approx(0.4)
    assert any("was saved again" in i.value for i in followed.info)
    widget(at.slider, ceiling).set_value(0.35).run()
    widget(at.button, "explorer.save_scenario").click().run()

    widget(at.slider, ceiling).set_value(0.9).run()
    widget(at.text_input, "explorer.scenario_name").set_value("Bold").run()
    widget(at.button, "explorer.save_scenario").click().run()
    page = app("scenarios")
    compared = page.dataframe[1].value
    assert list(compared.columns) == ["Bold", "Cautious"]
    assert compared.loc["NPV (risk-adjusted)", "Cautious"] == expected
    assert compared.loc["Adoption ceiling", "Bold"] == "0.9"
    assert levers_of(case).adoption_ceiling not in (0.35, 0.9)  # the sliders did move
    assert len(store.history(case.name)) == 5  # the case saved, then four scenario saves


def test_a_link_to_a_missing_scenario_is_ignored_with_a_reason(store):
    at = app("explorer", {"scenario": "99"})
    assert any("scenario='99' is not a saved scenario" in shown(w.value) for w in at.warning)


def test_an_unreachable_database_leaves_the_pages_on_the_samples(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/none")
    at = app("pilots")
    assert any("Saved work is unavailable" in w.value for w in at.warning)
    assert any("bundled sample" in i.value for i in at.info)
    at = app("data")
    assert any("Saved work is unavailable" in w.value for w in at.warning)


@pytest.mark.parametrize("url", ["not a url", "mysql://nobody@127.0.0.1/x"])
def test_an_unusable_database_url_leaves_the_pages_on_the_samples(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    for page in ("pilots", "explorer", "data", "scenarios"):
        at = app(page)
        warnings = [w.value for w in at.warning if "Saved work is unavailable" in w.value]
        assert len(warnings) == 1, page  # said once per page, not once per call


def test_the_answer_switch_shows_what_is_stored_not_what_a_session_last_saw(store):
    first = app("settings")
    second = app("settings")
    widget(first.toggle, "settings.keep_answers").set_value(True).run()
    assert store.keep_answers()
    second.run()  # an unrelated rerun
    assert store.keep_answers()  # the second session's stale "off" was not written back
    assert widget(second.toggle, "settings.keep_answers").value is True
    widget(second.toggle, "settings.keep_answers").set_value(False).run()
    assert not store.keep_answers()


def test_a_link_to_a_scenario_beyond_the_id_range_is_ignored(store):
    for text in ("9223372036854775808", "2147483648", "abc"):
        at = app("explorer", {"scenario": text})
        assert any("is not a saved scenario" in w.value for w in at.warning)
