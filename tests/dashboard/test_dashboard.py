"""AppTest for every page: the figures shown are the engine's for the same inputs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.markup import shown
from dashboard.state import lever_key
from roi import evaluate, load_case
from roi.access import Actor, Role
from roi.core.scenario import apply_levers, levers_of
from roi.core.totals import portfolio_totals
from roi.io.formatting import format_money, format_percent
from roi.store import Store

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = {
    path.stem: load_case(path) for path in sorted((ROOT / "sample_data" / "cases").glob("*.yaml"))
}
APP = str(ROOT / "dashboard" / "app.py")
TIMEOUT = 60  # a cold two-core machine needs more than AppTest's default 3 s


def app(page: str | None = None, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if query:
        for key, value in query.items():
            at.query_params[key] = value
    at.run()
    if page is not None:
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str, index: int = 0) -> str:
    values = [m.value for m in at.metric if m.label == label]
    return values[index]


def scenario_npv(case_id: str, **levers) -> str:
    case = SAMPLES[case_id]
    result = evaluate(apply_levers(case, replace(levers_of(case), **levers)))
    return format_money(result.risk_adjusted.metrics.npv, case.currency)


def test_overview_shows_the_portfolio_totals():
    at = app()
    results = [evaluate(case) for case in SAMPLES.values()]
    usd = next(t for t in portfolio_totals(results) if t.currency == "USD")
    assert metric(at, "Total NPV (risk-adjusted)") == format_money(usd.npv, "USD")
    assert metric(at, "Portfolio ROI") == format_percent(usd.roi)
    table = at.dataframe[0].value
    assert len(table) == len(SAMPLES)
    assert "Evidence" in table.columns and table["Evidence"].str.contains("assumed").all()


def test_explorer_slider_moves_npv_to_the_engine_value():
    at = app("explorer")
    case_id = at.session_state["explorer.case"]
    before = metric(at, "NPV")
    assert before == scenario_npv(case_id)
    at.slider(key=lever_key(case_id, "adoption_ceiling")).set_value(0.5).run()
    assert not at.exception
    after = metric(at, "NPV")
    assert after != before
    assert after == scenario_npv(case_id, adoption_ceiling=0.5)
    assert at.query_params["ceiling"] == ["0.5"] or at.query_params["ceiling"] == "0.5"


def test_explorer_link_reproduces_its_figures():
    query = {
        "case": "lead_scoring",
        "ceiling": "0.7",
        "rate": "0.125",
        "volume": "1.5",
        "risk": "0.1",
    }
    at = app("explorer", query)
    assert at.session_state["explorer.case"] == "lead_scoring"
    expected = scenario_npv(
        "lead_scoring", adoption_ceiling=0.7, discount_rate=0.125, volume_scale=1.5, risk_points=0.1
    )
    assert metric(at, "NPV") == expected
    assert at.slider(key=lever_key("lead_scoring", "discount_rate")).value == 0.125
    assert not at.warning


def test_explorer_link_with_bad_parts_opens_with_warnings():
    at = app("explorer", {"case": "lead_scoring", "ceiling": "7", "volume": "lots"})
    warnings = shown(" ".join(w.value for w in at.warning))
    assert "ceiling=7 is outside" in warnings and "volume='lots' is not a number" in warnings
    assert metric(at, "NPV") == scenario_npv("lead_scoring")


def test_explorer_link_to_an_unknown_case():
    at = app("explorer", {"case": "nope"})
    assert "not a case of this portfolio" in at.warning[0].value


def test_builder_rejects_a_bad_value_with_a_message_and_recovers():
    at = app("builder")
    assert metric(at, "NPV")  # the blank template is valid
    start = next(t for t in at.text_input if t.label.startswith("Start month"))
    start.set_value("2027-13").run()
    errors = shown(" ".join(e.value for e in at.error))
    assert "start" in errors and "got '2027-13'" in errors
    assert not at.metric
    start.set_value("2027-02").run()
    assert not at.error and metric(at, "NPV")


@pytest.mark.parametrize("case_id", sorted(SAMPLES))
def test_builder_template_shows_the_cases_figures(case_id):
    at = app("builder")
    at.selectbox(key="builder.template").set_value(case_id).run()
    assert not at.exception and not at.error
    case = SAMPLES[case_id]
    expected = evaluate(case).risk_adjusted.metrics.npv
    assert metric(at, "NPV") == format_money(expected, case.currency)


def test_methodology_shows_the_reproduced_tei_study_and_the_conventions():
    at = app("methodology")
    text = " ".join(m.value for m in at.markdown)
    assert "Payback" in text and "year_end" in text
    table = at.dataframe[0].value
    assert list(table["This engine"][:3]) == ["$1,672,201", "$7,168,371", "$5,496,170"]


@pytest.mark.parametrize(
    "page",
    [
        "overview",
        "quickwins",
        "explorer",
        "builder",
        "pilots",
        "adoption",
        "infrastructure",
        "methodology",
    ],
)
def test_every_page_renders_without_exception(page):
    app(None if page == "overview" else page)


def test_builder_opens_an_uploaded_case_and_rejects_a_broken_one():
    at = app("builder")
    good = (ROOT / "sample_data" / "cases" / "document_classification.yaml").read_bytes()
    at.get("file_uploader")[0].upload("mine.yaml", good, "application/x-yaml").run()
    assert not at.exception
    expected = evaluate(SAMPLES["document_classification"]).risk_adjusted.metrics.npv
    assert metric(at, "NPV") == format_money(expected, "EUR")

    at = app("builder")
    broken = b'name: Broken\nstart: "2027-13"\n'
    at.get("file_uploader")[0].upload("broken.yaml", broken, "application/x-yaml").run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "cannot be opened" in errors and "start" in errors


def test_builder_adoption_curve_changes_the_figures_and_rejects_bad_shares():
    at = app("builder")
    before = metric(at, "NPV")
    at.selectbox(key=f"builder.{at.session_state['builder.version']}.curve").set_value(
        "steps"
    ).run()
    shares = next(t for t in at.text_input if t.label.startswith("Shares by year"))
    shares.set_value("0.25, 0.5").run()
    assert not at.exception and metric(at, "NPV") != before
    shares.set_value("a quarter").run()
    errors = " ".join(e.value for e in at.error)
    assert "adoption.shares_by_year" in errors and "must be a list" in errors


def test_infrastructure_page_shows_the_engine_crossover_and_moves_with_sliders():
    from roi.core.hosting import apply_hosting_levers, hosting_levers_of, infrastructure_reports

    at = app("infrastructure")
    case = SAMPLES["support_chatbot"]
    index = next(i for i, item in enumerate(case.costs) if item.type == "infrastructure")
    (report, *_) = infrastructure_reports(case)
    label = "Crossover"
    assert metric(at, label) == f"{report.crossover.requests_per_month:,.0f}"
    assert metric(at, "Crossover month") == str(report.crossover_month)
    at.slider(key=f"infrastructure.support_chatbot.{index}.cache_hit_rate").set_value(0.5).run()
    assert not at.exception
    levers = replace(hosting_levers_of(case.costs[index]), cache_hit_rate=0.5)
    moved = infrastructure_reports(apply_hosting_levers(case, index, levers))[0]
    assert metric(at, label) == f"{moved.crossover.requests_per_month:,.0f}"
    assert metric(at, "PV serverless") == format_money(moved.pv_serverless, "USD")
    charts = at.get("plotly_chart")
    assert len(charts) == 2


@pytest.mark.parametrize("case_id", sorted(SAMPLES))
def test_explorer_shows_every_sample_and_moves_its_volume(case_id):
    at = app("explorer")
    at.selectbox(key="explorer.case").set_value(case_id).run()
    assert not at.exception
    assert metric(at, "NPV") == scenario_npv(case_id)
    volume = lever_key(case_id, "volume_scale")
    if any(s.key == volume for s in at.slider):
        at.slider(key=volume).set_value(1.5).run()
        assert not at.exception
        assert metric(at, "NPV") == scenario_npv(case_id, volume_scale=1.5)


PILOT_CSV = b"use_case_id,metric,group,value\n" + b"".join(
    f"UC-01,task_minutes,{g},{v}\n".encode()
    for g, values in (("baseline", (10, 12, 11, 13, 12)), ("pilot", (8, 9, 7, 9, 8)))
    for v in values
)


def test_pilots_page_uploads_a_valid_file_and_uses_it_in_a_case():
    from roi.evidence.pilots import estimate_pilots, read_observations, use_measurement

    at = app("pilots")
    assert "3,080 observations" in at.success[0].value  # the bundled sample by default
    at.get("file_uploader")[0].upload("pilot.csv", PILOT_CSV, "text/csv").run()
    assert not at.exception
    assert "10 observations" in at.success[0].value
    (estimate,) = estimate_pilots(read_observations(PILOT_CSV, "pilot.csv"))
    table = at.dataframe[0].value
    assert table["Effect"].iloc[0] == pytest.approx(estimate.headline.effect)
    case_id, line = at.selectbox(key="pilots.line").value
    expected = evaluate(use_measurement(SAMPLES[case_id], line, estimate))
    npvs = [m.value for m in at.metric if m.label == "NPV"]
    assert npvs[1] == format_money(expected.risk_adjusted.metrics.npv, SAMPLES[case_id].currency)


def test_pilots_page_rejects_a_broken_upload_and_lists_every_problem():
    at = app("pilots")
    broken = b"use_case_id,metric,group,value\nUC-01,task_minutes,pilot,-1\nUC-01,mins,pilot,x\n"
    at.get("file_uploader")[0].upload("broken.csv", broken, "text/csv").run()
    assert not at.exception
    assert "rejected: 3 problem(s)" in at.error[0].value
    problems = at.dataframe[0].value
    assert list(problems["Where"]) == ["line 2, column value", "line 3, column value",
                                       "line 3, column metric"]  # fmt: skip
    assert not at.get("plotly_chart")  # no estimate from a rejected file


def test_pilots_page_maps_another_export():
    at = app("pilots")
    export = b"Ticket,Minutes,AI\nA,10,yes\nB,12,no\nC,9,yes\nD,13,no\n"
    at.get("file_uploader")[0].upload("tickets.csv", export, "text/csv").run()
    assert "rejected" in at.error[0].value  # not the canonical columns
    at.text_area(key="pilots.mapping").set_value(
        "columns: {value: Minutes, unit_id: Ticket}\n"
        "constants: {use_case_id: UC-01, metric: response_minutes}\n"
        "groups: {column: AI, pilot: [yes], baseline: [no]}\n"
    ).run()
    assert not at.exception and not at.error
    assert at.dataframe[0].value["Effect"].iloc[0] == pytest.approx(9.5 - 12.5)


def test_pilots_page_plans_a_sample_size():
    from roi.evidence.pilots import estimate_pilots, read_observations, sample_size_to_detect

    at = app("pilots")
    at.selectbox(key="pilots.plan").set_value(0).run()
    box = next(n for n in at.number_input if n.label.startswith("Difference to detect"))
    box.set_value(3.0).run()
    sample = (ROOT / "sample_data" / "pilot_observations.csv").read_bytes()
    first = estimate_pilots(read_observations(sample, "s.csv"))[0]
    needed = sample_size_to_detect(first.headline, 3.0)
    text = " ".join(m.value for m in at.markdown)
    assert f"about **{needed:,} observations per group**" in text


# --- Quick wins (issue 6) -----------------------------------------------------------------

REGISTER = ROOT / "sample_data" / "use_cases.csv"
SURVEY = ROOT / "sample_data" / "survey"


def _sample_register(survey: bool = True):
    """The bundled register as the page ranks it: by default with change readiness from
    the bundled culture survey, as the page does unless told not to."""
    from roi.culture.instrument import read_items, read_responses
    from roi.culture.report import survey_report, team_change_readiness
    from roi.portfolio.quickwins import with_survey_readiness
    from roi.portfolio.register import read_register

    register = read_register(REGISTER.read_bytes(), REGISTER.name, REGISTER.parent)
    if not survey:
        return register
    items = read_items((SURVEY / "survey_items.csv").read_bytes(), "survey_items.csv")
    responses = read_responses(
        (SURVEY / "survey_responses.csv").read_bytes(), "survey_responses.csv", items
    )
    readiness = team_change_readiness(survey_report(responses, items))
    return with_survey_readiness(register, readiness)


def test_quick_wins_page_shows_the_engine_ranking_and_portfolio():
    from roi.portfolio.budget import default_budget, select_portfolio
    from roi.portfolio.quickwins import rank

    at = app("quickwins")
    register = _sample_register()
    expected = rank(register)
    table = at.dataframe[0].value
    assert list(table["ID"]) == [row.use_case_id for row in expected.rows]
    assert list(table["Rank"]) == [row.rank for row in expected.rows]
    assert table["Score"].tolist() == pytest.approx([row.score for row in expected.rows])
    assert table["P(quick win)"].tolist() == pytest.approx(
        [row.p_quick_win for row in expected.rows]
    )
    # The page's default budget: 150,000, half the cost of the cases with a positive NPV
    # (UC-02 and UC-03 are measured and lose money: issue 20, item 12).
    assert default_budget(register) == 150_000
    portfolio = select_portfolio(register, default_budget(register))
    assert metric(at, "Risk-adjusted NPV") == format_money(portfolio.npv)
    assert metric(at, "Use cases chosen") == str(len(portfolio.chosen))
    assert len(at.get("plotly_chart")) == 3
    sources = dict(zip(table["ID"], table["Change readiness from"], strict=True))
    assert sources["UC-01"] == "survey: support, wave 2026-09"
    assert sources["UC-18"] == "neutral: the team is not shown in the survey"  # hr is hidden
    assert "Change readiness of 16 of 18 use cases" in " ".join(c.value for c in at.caption)


def test_quick_wins_without_the_survey_ranks_on_the_register_alone():
    from roi.portfolio.quickwins import rank

    at = app("quickwins")
    at.toggle(key="quickwins.survey").set_value(False).run()
    expected = rank(_sample_register(survey=False))
    table = at.dataframe[0].value
    assert list(table["ID"]) == [row.use_case_id for row in expected.rows]
    assert set(table["Change readiness from"]) == {"neutral: blank"}


def test_quick_wins_weights_and_thresholds_move_the_ranking():
    from roi.portfolio.quickwins import RankSettings, Weights, rank

    at = app("quickwins")
    for key in ("value", "technical_complexity", "data_readiness", "stakeholder_buy_in",
                "strategic_alignment", "change_readiness", "risk"):  # fmt: skip
        at.slider(key=f"quickwins.weight.{key}").set_value(0.0)
    at.slider(key="quickwins.value_threshold").set_value(70.0).run()
    assert not at.exception
    weights = Weights(
        **{k: 0.0 for k in Weights().__dataclass_fields__} | {"time_to_value_months": 10.0}
    )
    expected = rank(_sample_register(), RankSettings(weights=weights, value_threshold=70.0))
    table = at.dataframe[0].value
    assert list(table["ID"]) == [row.use_case_id for row in expected.rows]
    assert list(table["Quadrant"])[:3] == [
        {"quick_win": "Quick win", "strategic_bet": "Strategic bet", "fill_in": "Fill-in",
         "deprioritise": "Deprioritise"}[row.quadrant] for row in expected.rows[:3]
    ]  # fmt: skip
    at.slider(key="quickwins.weight.time_to_value_months").set_value(0.0).run()
    assert "at least one factor" in at.error[0].value
    at.button(key="quickwins.reset").click().run()
    assert not at.error
    assert at.slider(key="quickwins.weight.value").value == 100.0


def test_quick_wins_budget_and_cap():
    from roi.portfolio.budget import select_portfolio

    at = app("quickwins")
    at.number_input(key="quickwins.budget").set_value(10_000_000.0)
    at.number_input(key="quickwins.max_projects").set_value(1).run()
    portfolio = select_portfolio(_sample_register(), 10_000_000, 1)
    assert metric(at, "Use cases chosen") == "1"
    assert metric(at, "Risk-adjusted NPV") == format_money(portfolio.npv)
    at.number_input(key="quickwins.budget").set_value(10.0).run()
    assert "Nothing fits" in at.warning[0].value


def test_quick_wins_rejects_a_broken_register_and_lists_every_problem():
    at = app("quickwins")
    text = REGISTER.read_text(encoding="utf-8").replace("UC-12,", "UC-05,")
    text = text.replace("cases/lead_scoring.yaml", "../../etc/passwd.yaml")
    at.get("file_uploader")[0].upload("use_cases.csv", text.encode(), "text/csv").run()
    assert not at.exception
    assert "use_cases.csv was rejected: 2 problem(s)" in shown(at.error[0].value)
    problems = at.dataframe[0].value
    assert list(problems["Where"]) == ["line 3, column case_file", "line 13, column use_case_id"]
    assert "repeats 'UC-05' from line 6" in problems["Problem"].iloc[1]
    assert "inside the case folder" in problems["Problem"].iloc[0]
    assert not at.get("plotly_chart")


def test_quick_wins_in_euros_needs_the_usd_cases_rates():
    at = app("quickwins")
    at.selectbox(key="quickwins.currency").set_value("EUR").run()
    assert "rejected" in at.error[0].value
    problems = at.dataframe[0].value
    assert "is needed: the case is in USD" in problems["Problem"].iloc[0]


# --- Adoption (issue 7) -------------------------------------------------------------------

ADOPTION = ROOT / "sample_data" / "adoption"


def test_adoption_page_shows_the_engine_figures_and_forecast():
    from roi.adoption.report import analyse
    from roi.adoption.telemetry import read_telemetry

    at = app("adoption")
    assert "Read as: adoption CSV" in at.success[0].value
    path = ADOPTION / "adoption.csv"
    report = analyse(read_telemetry(path.read_bytes(), path.name), None, 0.8, "month", 30.0)
    assert metric(at, "Adoption rate (last day)") == f"{report.summary.adoption_rate_latest:.1%}"
    overall = next(item for item in report.forecasts if item.team == "(all teams)")
    assert metric(at, "80% reached") == overall.target_month
    assert len(at.get("plotly_chart")) == 1


def test_adoption_page_takes_a_measured_curve_into_a_case():
    from roi import evaluate, load_case
    from roi.adoption.forecast import measured_adoption, with_adoption
    from roi.adoption.report import analyse, team_forecast
    from roi.adoption.telemetry import read_telemetry

    at = app("adoption")
    at.selectbox(key="adoption.team_view").set_value("support")
    at.selectbox(key="adoption.case").set_value("lead_scoring").run()
    assert not at.exception
    path = ADOPTION / "adoption.csv"
    report = analyse(read_telemetry(path.read_bytes(), path.name), None, 0.8, "month", 30.0)
    forecast = team_forecast(report, "support")
    case = load_case(ROOT / "sample_data" / "cases" / "lead_scoring.yaml")
    measured = with_adoption(case, measured_adoption(forecast, case.start, "x"))
    npvs = [m.value for m in at.metric if m.label == "NPV"]
    assert npvs[1] == format_money(evaluate(measured).risk_adjusted.metrics.npv)


def test_adoption_page_reads_github_and_asks_for_eligible_users():
    at = app("adoption")
    raw = (ADOPTION / "github_copilot_metrics.json").read_bytes()
    at.get("file_uploader")[0].upload("metrics.json", raw, "application/json").run()
    assert not at.exception
    assert "GitHub Copilot metrics" in at.success[0].value
    assert "eligible users" in at.warning[0].value
    assert metric(at, "Adoption rate (last day)") == "–"
    assert "acceptances but 0 suggestions" in " ".join(at.dataframe[-1].value["Note"])
    at.number_input(key="adoption.eligible").set_value(150).run()
    assert metric(at, "Adoption rate (last day)") != "–"


def test_adoption_page_rejects_an_unknown_file_and_an_empty_team():
    at = app("adoption")
    at.get("file_uploader")[0].upload("x.json", b'[{"id": 1}]', "application/json").run()
    assert "x.json was rejected: 1 problem(s)" in shown(at.error[0].value)
    at.get("file_uploader")[0].upload("team.json", b"[]", "application/json").run()
    assert "fewer than five members" in at.warning[0].value


# --- Culture (issue 8) --------------------------------------------------------------------


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_culture_page_shows_aggregates_and_hides_small_groups():
    at = app("culture")
    assert "267 respondents, 11 teams shown (2 more hidden in every wave" in at.success[0].value
    assert len(at.get("plotly_chart")) == 3  # heatmap, trend, team-adoption drivers
    barriers = table_with(at, "Barrier")
    assert "legal" not in list(barriers["Team"])  # hidden in every wave: not named
    reliability = table_with(at, "Reliable (≥ 0.7)")
    assert (
        reliability.loc[reliability["Dimension"] == "knowledge", "Reliable (≥ 0.7)"].iloc[0]
        == "yes"
    )
    by_item = table_with(at, "Question")
    assert list(by_item["Item"]) == ["aw1", "aw2", "aw3"]  # awareness, the first dimension
    assert set(by_item["procurement"]) == {"hidden"}  # four answered in the last wave
    participation = table_with(at, "Invited")
    row = participation[
        (participation["Team"] == "procurement") & (participation["Wave"] == "2026-09")
    ]
    assert row["Answered"].iloc[0] == "hidden" and row["Rate"].iloc[0] == "–"
    assert "Groups of fewer than 5 respondents are hidden" in " ".join(c.value for c in at.caption)


def test_the_culture_page_scores_at_the_threshold_an_admin_set(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'threshold.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    store = Store(url)
    store.set_setting("survey.min_group", "3", Actor("admin@example.com", Role.ADMIN))
    at = app("culture")
    assert not at.exception
    assert "legal" in list(table_with(at, "Barrier")["Team"])  # 3 or 4 answered: shown at 3
    assert "fewer than 3 respondents" in " ".join(c.value for c in at.caption)
    store.close()


def test_culture_page_compares_drivers_and_puts_recapture_into_a_case():
    at = app("culture")
    assert at.radio(key="culture.outcome").value == "adoption"
    at.radio(key="culture.outcome").set_value("advocacy").run()
    assert "responses (R²" in " ".join(c.value for c in at.caption)
    npv_before, npv_after = metric(at, "NPV", 0), metric(at, "NPV", 1)
    assert npv_before != npv_after  # the survey's share (0.44) is below the assumed 0.5
    at.radio(key="culture.basis").set_value("point").run()
    assert not at.exception and metric(at, "NPV", 1) != npv_after


def test_culture_page_rejects_bad_answers_and_names_them():
    at = app("culture")
    text = (SURVEY / "survey_responses.csv").read_text(encoding="utf-8")
    broken = text.replace("supp-000,2026-03,support,3", "supp-000,2026-03,support,9", 1)
    at.get("file_uploader")[1].upload("answers.csv", broken.encode(), "text/csv").run()
    assert "answers.csv was rejected: 1 problem(s)" in shown(at.error[0].value)
    assert list(at.dataframe[0].value["Where"]) == ["line 2, column aw1"]


def test_an_uploaded_register_never_takes_the_sample_surveys_readiness():
    at = app("quickwins")
    at.get("file_uploader")[0].upload("mine.csv", REGISTER.read_bytes(), "text/csv").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert not any(str(s).startswith("survey") for s in table["Change readiness from"])
    assert "Upload the culture survey's items and responses" in " ".join(
        c.value for c in at.caption
    )


# --- Uncertainty in the explorer (issue 9) ------------------------------------------------


def test_explorer_shows_the_simulation_and_it_follows_the_sliders():
    from roi.core.distributions import follow_values
    from roi.core.scenario import apply_levers
    from roi.uncertainty.simulation import simulate

    at = app("explorer")
    case_id = at.session_state["explorer.case"]
    case = load_case(ROOT / "sample_data" / "cases" / f"{case_id}.yaml")
    # Nothing is simulated until an analysis is opened (issue 22): one chart, the cash flow.
    assert len(at.get("plotly_chart")) == 1
    assert not any(m.label == "P(NPV > 0)" for m in at.metric)
    at.segmented_control(key="explorer.uncertainty").set_value("NPV distribution").run()
    expected = simulate(case, 5_000, 0)
    assert metric(at, "P(NPV > 0)") == f"{expected.prob_npv_positive:.0%}"
    assert metric(at, "Median NPV (P50)") == format_money(
        expected.npv_percentiles[50], case.currency
    )
    assert len(at.get("plotly_chart")) == 3  # cash flow, histogram, fan
    at.slider(key=lever_key(case_id, "adoption_ceiling")).set_value(0.5).run()
    assert not at.exception
    levers = replace(levers_of(case), adoption_ceiling=0.5)
    moved = simulate(follow_values(case, apply_levers(case, levers)), 5_000, 0)
    assert metric(at, "Median NPV (P50)") == format_money(moved.npv_percentiles[50], case.currency)
    assert moved.npv_percentiles[50] < expected.npv_percentiles[50]


def test_explorer_lists_break_evens_and_scenarios():
    at = app("explorer")
    at.segmented_control(key="explorer.uncertainty").set_value("What decides it").run()
    assert len(at.get("plotly_chart")) == 2  # cash flow, tornado
    evens = next(d.value for d in at.dataframe if "NPV = 0 at" in d.value.columns)
    assert len(evens) == 8
    at.segmented_control(key="explorer.uncertainty").set_value("Scenarios").run()
    tables = [d.value for d in at.dataframe]
    scenarios = next(t for t in tables if "Scenario" in t.columns)
    assert list(scenarios["Scenario"]) == ["conservative", "expected", "optimistic"]
    assert scenarios["NPV"].is_monotonic_increasing


# --- Export (issue 10) ----------------------------------------------------------------------


def test_export_page_shows_the_figures_it_exports():
    at = app("export")
    assert not at.exception
    case_id = at.session_state["export.case"]
    case = load_case(ROOT / "sample_data" / "cases" / f"{case_id}.yaml")
    npv = evaluate(case).risk_adjusted.metrics.npv
    assert metric(at, "NPV") == format_money(npv, case.currency)
    at.selectbox(key="export.case").set_value("document_classification").run()
    other = evaluate(load_case(ROOT / "sample_data" / "cases" / "document_classification.yaml"))
    assert metric(at, "NPV") == format_money(other.risk_adjusted.metrics.npv, "EUR")
    labels = [b.proto.label for b in at.get("download_button")]
    assert {"Excel workbook (live formulas)", "PDF one-pager", "CSV schedules (zip)"} <= set(labels)
