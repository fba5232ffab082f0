"""Issue 9: uncertain inputs, the vectorised evaluation over draws, the Monte Carlo
simulation, sensitivity (tornado, two-way grid), break-even values and scenarios.

The vectorised engine is checked against a straightforward loop over the engine itself (one
validated case and one :func:`roi.evaluate` per draw); distributions against SciPy's own
and against their textbook moments."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from roi import evaluate, load_case
from roi.cli import main
from roi.core.casefile import parse_case, validated
from roi.core.distributions import (
    LogNormal,
    Pert,
    StudentT,
    Triangular,
    is_integer_input,
    numeric_inputs,
    value_at,
)
from roi.core.finance import payback_periods_array, payback_periods_by_row
from roi.io.problems import CaseError
from roi.uncertainty.sensitivity import (
    break_even,
    input_range,
    scenario_results,
    tornado,
    two_way,
)
from roi.uncertainty.simulation import evaluate_draws, sample_inputs, simulate

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "sample_data" / "cases"
SAMPLES = sorted(CASES.glob("*.yaml"))


def loop_npv(case, values: dict[str, np.ndarray]) -> np.ndarray:
    """The reference: each draw as its own validated case through the engine."""
    draws = len(next(iter(values.values())))
    out = []
    for k in range(draws):
        chosen = {
            p: int(v[k]) if is_integer_input(case, p) else float(v[k]) for p, v in values.items()
        }
        out.append(evaluate(validated(case, chosen)).unadjusted.metrics.npv)
    return np.array(out)


# --- the vectorised engine ---------------------------------------------------------------


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_input_of_every_sample_case_vectorises_like_the_engine(path):
    case = load_case(path)
    for name in numeric_inputs(case):
        value = value_at(case, name)
        low, high = value * 0.8, value * 1.15
        if name.endswith(("ceiling", "recapture", "margin", "cache_hit_rate")):
            low, high = value * 0.8, min(1.0, value * 1.1)
        values = np.array([low, high, value]) if value else np.array([0.0, 0.3, 0.6])
        if is_integer_input(case, name):
            values = np.round(values)
        figures = evaluate_draws(case, {name: values})
        assert figures.npv == pytest.approx(loop_npv(case, {name: values}), rel=1e-9, abs=1e-6), (
            name
        )
        for k, x in enumerate(values):
            chosen = int(x) if is_integer_input(case, name) else float(x)
            metrics = evaluate(validated(case, {name: chosen})).unadjusted.metrics
            expected = np.nan if metrics.payback_months is None else metrics.payback_months
            assert figures.payback_months[k] == pytest.approx(expected, nan_ok=True), name


def test_no_values_is_the_case_itself():
    case = load_case(CASES / "document_classification.yaml")  # year_end discounting
    metrics = evaluate(case).unadjusted.metrics
    figures = evaluate_draws(case, {})
    assert figures.npv[0] == pytest.approx(metrics.npv)
    assert figures.payback_months[0] == pytest.approx(metrics.payback_months)
    assert figures.roi[0] == pytest.approx(metrics.roi)


def test_payback_array_matches_the_row_by_row_payback():
    rng = np.random.default_rng(4)
    rows = rng.normal(0, 1, (500, 40))
    rows[:, 0] = -np.abs(rows[:, 0]) * 10
    rows[:50] = np.abs(rows[:50])  # never negative: paid back at once
    expected = [np.nan if p is None else p for p in payback_periods_by_row(rows)]
    assert payback_periods_array(rows) == pytest.approx(np.array(expected), nan_ok=True)


# --- distributions -------------------------------------------------------------------------


def test_distributions_match_scipy_and_their_textbook_moments():
    u = np.linspace(0.001, 0.999, 999)
    tri = Triangular(input="x", distribution="triangular", min=2, mode=3, max=7)
    expected = stats.triang.ppf(u, c=(3 - 2) / (7 - 2), loc=2, scale=5)
    assert tri.ppf(u) == pytest.approx(expected, rel=1e-12)
    pert = Pert(input="x", distribution="pert", min=1, mode=2, max=6)
    z = stats.norm.ppf(u)
    # The table in normal-score space agrees with the exact quantile function.
    assert pert.from_scores(z) == pytest.approx(pert.ppf(u), abs=1e-5)
    draws = pert.from_scores(np.random.default_rng(1).standard_normal(400_000))
    assert draws.mean() == pytest.approx((1 + 4 * 2 + 6) / 6, rel=2e-3)  # PERT mean
    t = StudentT(input="x", distribution="t", mean=10, sd=2, df=5)
    assert t.from_scores(z) == pytest.approx(stats.t.ppf(u, 5, loc=10, scale=2), abs=1e-5)
    lognormal = LogNormal(input="x", distribution="lognormal", low=40, high=90)
    assert lognormal.percentile(0.05) == pytest.approx(40)
    assert lognormal.percentile(0.95) == pytest.approx(90)
    assert lognormal.from_scores(np.array([0.0]))[0] == pytest.approx(np.sqrt(40 * 90))


def declared(case_path: Path, **extra):
    data = load_case(case_path).model_dump()
    data.update(extra)
    return parse_case(data)


def test_draws_hold_the_declared_rank_correlation_and_the_inputs_bounds():
    case = load_case(CASES / "support_draft_replies.yaml")
    values = sample_inputs(case, 100_000, np.random.default_rng(3))
    rho = stats.spearmanr(
        values["benefits[0].minutes_saved_per_item"], values["adoption.ceiling"]
    ).statistic
    assert rho == pytest.approx(0.5, abs=0.01)
    wide = declared(
        CASES / "support_draft_replies.yaml",
        uncertainty=[
            {"input": "adoption.ceiling", "distribution": "normal", "mean": 0.9, "sd": 0.3},
            {"input": "costs[1].seats", "distribution": "normal", "mean": 150, "sd": 30},
        ],
        correlations=[],
    )
    drawn = sample_inputs(wide, 20_000, np.random.default_rng(0))
    assert drawn["adoption.ceiling"].min() >= 0 and drawn["adoption.ceiling"].max() <= 1
    assert np.all(drawn["costs[1].seats"] == np.round(drawn["costs[1].seats"]))


# --- Monte Carlo ---------------------------------------------------------------------------


def test_a_case_with_nothing_uncertain_has_every_percentile_at_its_npv():
    case = declared(CASES / "support_draft_replies.yaml", uncertainty=[], correlations=[])
    result = simulate(case, 5_000, seed=2)
    npv = evaluate(case).unadjusted.metrics.npv
    assert all(v == pytest.approx(npv) for v in result.npv_percentiles.values())
    assert result.npv_sd == 0 and result.prob_npv_positive == 1.0 and result.contributions == ()


def test_the_simulation_agrees_with_a_loop_over_the_engine():
    case = load_case(CASES / "support_draft_replies.yaml")
    values = sample_inputs(case, 200, np.random.default_rng(11))
    vectorised = evaluate_draws(case, values).npv
    assert vectorised == pytest.approx(loop_npv(case, values), rel=1e-9)


def test_the_simulation_is_reproducible_whatever_the_chunk_size():
    case = load_case(CASES / "lead_scoring.yaml")
    one = simulate(case, 12_000, seed=7, chunk=12_000)
    other = simulate(case, 12_000, seed=7, chunk=5_000)
    assert one.npv_percentiles == other.npv_percentiles
    assert one.payback_percentiles == other.payback_percentiles
    assert simulate(case, 12_000, seed=8).npv_percentiles != one.npv_percentiles


def test_simulation_summaries_are_consistent():
    case = load_case(CASES / "support_draft_replies.yaml")
    result = simulate(case, 20_000, seed=0)
    p = result.npv_percentiles
    assert p[5] <= p[10] <= p[50] <= p[90] <= p[95]
    assert sum(c.share for c in result.contributions) == pytest.approx(1.0)
    assert result.contributions[0].input == "benefits[0].minutes_saved_per_item"
    assert sum(result.histogram[1]) == 20_000
    assert len(result.fan_p50) == evaluate(case).timeline.periods
    assert all(
        a <= b <= c for a, b, c in zip(result.fan_p10, result.fan_p50, result.fan_p90, strict=True)
    )


# --- sensitivity, break-even, scenarios ----------------------------------------------------


def test_tornado_ranges_come_from_distributions_else_twenty_percent():
    case = load_case(CASES / "support_draft_replies.yaml")
    low, high, source = input_range(case, "adoption.ceiling")
    pert = next(u for u in case.uncertainty if u.input == "adoption.ceiling")
    assert (low, high) == pytest.approx((pert.percentile(0.1), pert.percentile(0.9)))
    assert source == "pert P10–P90"
    assert input_range(case, "costs[4].fte")[:2] == pytest.approx((0.4, 0.6))
    rows = tornado(case)
    swings = [r.swing for r in rows]
    assert swings == sorted(swings, reverse=True)
    top = rows[0]
    check = loop_npv(case, {top.input: np.array([top.low, top.high])})
    assert (top.npv_low, top.npv_high) == pytest.approx(tuple(check))


def test_break_even_makes_npv_zero_and_matches_the_straight_line_value():
    case = load_case(CASES / "support_draft_replies.yaml")
    path = "benefits[0].volume_per_month"  # NPV is a straight line in volume
    result = break_even(case, path, payback_target_months=12)
    assert evaluate(validated(case, {path: result.npv_zero})).unadjusted.metrics.npv == (
        pytest.approx(0, abs=1e-3)
    )
    base = evaluate(case).unadjusted.metrics.npv
    one_more = evaluate(validated(case, {path: 60_001.0})).unadjusted.metrics.npv
    assert result.npv_zero == pytest.approx(60_000 - base / (one_more - base), rel=1e-7)
    payback = evaluate(validated(case, {path: result.payback_target})).unadjusted.metrics
    assert payback.payback_months == pytest.approx(12, abs=1e-6)


def test_break_even_says_when_there_is_none_in_range():
    case = load_case(CASES / "support_draft_replies.yaml")
    result = break_even(case, "costs[3].cost_per_new_user")  # training is a small cost
    assert result.npv_zero is None
    assert result.npv_note.startswith("none in range: NPV > 0 from 0 to")


def test_two_way_grid_corners_are_the_engines():
    case = load_case(CASES / "lead_scoring.yaml")
    a, b, grid = two_way(case, "benefits[0].conversion_lift", "adoption.ceiling", points=5)
    corner = loop_npv(
        case,
        {"benefits[0].conversion_lift": np.array([a[-1]]), "adoption.ceiling": np.array([b[0]])},
    )
    assert grid[-1, 0] == pytest.approx(corner[0])


def test_default_scenarios_bracket_the_case_and_own_scenarios_replace_them():
    case = load_case(CASES / "support_chatbot.yaml")
    results = {r.name: r for r in scenario_results(case)}
    assert results["conservative"].npv < results["expected"].npv < results["optimistic"].npv
    assert results["expected"].npv_change == 0
    own = declared(
        CASES / "support_chatbot.yaml",
        scenarios=[{"name": "board ask", "values": {"adoption.ceiling": 0.6}}],
    )
    (board,) = scenario_results(own)
    check = loop_npv(own, {"adoption.ceiling": np.array([0.6])})[0]
    assert board.name == "board ask" and board.npv == pytest.approx(check)


def test_a_scenario_value_out_of_bounds_is_refused_when_validated():
    case = load_case(CASES / "support_chatbot.yaml")
    with pytest.raises(CaseError) as caught:
        validated(case, {"adoption.ceiling": 1.4})
    assert any("adoption.ceiling" in p.where for p in caught.value.problems)


# --- command line ------------------------------------------------------------------------


def test_simulate_command_prints_the_issue_fields(capsys):
    path = CASES / "support_draft_replies.yaml"
    assert main(["simulate", str(path), "--draws", "3000", "--seed", "5", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    for key in ("draws", "seed", "npv_p5", "npv_p10", "npv_p50", "npv_p90", "npv_p95",
                "npv_mean", "prob_npv_positive", "payback_p50_months",
                "prob_payback_within_horizon"):  # fmt: skip
        assert key in data
    assert data["draws"] == 3000 and data["seed"] == 5
    again = simulate(load_case(path), 3000, 5)
    assert data["npv_p50"] == pytest.approx(again.npv_percentiles[50])
    assert main(["simulate", str(path), "--draws", "500"]) == 0
    assert "P(NPV > 0)" in capsys.readouterr().out


def test_sensitivity_command_and_bad_input(capsys, tmp_path):
    path = CASES / "support_chatbot.yaml"
    assert main(["sensitivity", str(path), "--payback-target", "18", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["tornado"][0]["input"] == "benefits[0].monthly_amount"
    assert {b["input"] for b in data["break_even"]} == {r["input"] for r in data["tornado"]}
    assert [s["name"] for s in data["scenarios"]] == ["conservative", "expected", "optimistic"]
    with pytest.raises(SystemExit) as exit_:
        main(["simulate", str(path), "--draws", "0"])
    assert exit_.value.code == 2
    broken = ROOT / "tests" / "data" / "broken_cases" / "correlation_impossible.yaml"
    assert main(["simulate", str(broken)]) == 2
    assert "cannot all hold at once" in capsys.readouterr().err


# --- measured inputs carry their own uncertainty -------------------------------------------


# A time-saved case whose minutes are uncertain and correlated with adoption, as a plan
# is before its pilot reports (the measurement replaces both).
TIME_SAVED_CASE = {
    "name": "Triage", "currency": "USD", "start": "2027-01", "horizon_years": 3,
    "discount_rate": 0.1,
    "adoption": {"curve": "logistic", "ceiling": 0.8, "midpoint_month": 4, "steepness": 0.8},
    "benefits": [{
        "name": "Triage time saved", "type": "time_saved", "eligible_users": 40,
        "tasks_per_user_per_month": 600, "minutes_saved_per_task": 1.5,
        "loaded_hourly_cost": 45,
    }],
    "costs": [{"name": "Build", "type": "one_time", "amount": 60000}],
    "uncertainty": [
        {"input": "benefits[0].minutes_saved_per_task", "distribution": "pert", "min": 0.5,
         "mode": 1.5, "max": 2.5},
        {"input": "adoption.ceiling", "distribution": "pert", "min": 0.5, "mode": 0.8,
         "max": 0.95},
    ],
    "correlations": [
        {"between": ["benefits[0].minutes_saved_per_task", "adoption.ceiling"],
         "rank_correlation": 0.5},
    ],
}  # fmt: skip


def test_a_pilot_measurement_brings_its_t_distribution():
    from roi.evidence.pilots import estimate_pilots, read_observations, use_measurement

    sample = ROOT / "sample_data" / "pilot_observations.csv"
    frame = read_observations(sample.read_bytes(), sample.name)
    estimate = next(
        e for e in estimate_pilots(frame) if (e.use_case_id, e.metric) == ("UC-03", "task_minutes")
    )
    case = parse_case(TIME_SAVED_CASE)
    measured = use_measurement(case, 0, estimate)
    spread = next(
        u for u in measured.uncertainty if u.input == "benefits[0].minutes_saved_per_task"
    )
    head = estimate.headline
    assert spread.distribution == "t" and spread.mean == pytest.approx(-head.effect)
    df = min(head.n_baseline, head.n_pilot) - 1
    # The t distribution's own 95 % interval is the estimate's interval, turned round.
    assert spread.percentile(0.975) == pytest.approx(-head.ci_low, rel=1e-9)
    assert spread.percentile(0.025) == pytest.approx(-head.ci_high, rel=1e-9)
    assert spread.df == df
    # The sample's correlation of minutes with adoption went with the old distribution.
    assert not any("benefits[0].minutes_saved_per_task" in c.between for c in measured.correlations)
    assert simulate(measured, 2_000).draws == 2_000


def test_a_measured_adoption_curve_brings_the_fits_parameter_uncertainty():
    from roi.adoption.forecast import measured_adoption, with_adoption
    from roi.adoption.report import analyse
    from roi.adoption.telemetry import read_telemetry

    export = ROOT / "sample_data" / "adoption" / "adoption.csv"
    report = analyse(read_telemetry(export.read_bytes(), export.name))
    forecast = next(f for f in report.forecasts if f.team == "support")
    case = load_case(CASES / "support_draft_replies.yaml")
    measured = with_adoption(case, measured_adoption(forecast, case.start, "support"), forecast)
    spreads = {u.input: u for u in measured.uncertainty}
    cov = np.asarray(forecast.fit.covariance)
    assert spreads["adoption.ceiling"].sd == pytest.approx(np.sqrt(cov[0, 0]))
    assert spreads["adoption.steepness"].sd == pytest.approx(np.sqrt(cov[2, 2]))
    pairs = {tuple(c.between): c.rank_correlation for c in measured.correlations}
    rho = cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])
    assert pairs[("adoption.ceiling", "adoption.midpoint_month")] == pytest.approx(
        6 / np.pi * np.arcsin(rho / 2)
    )
    assert simulate(measured, 2_000).prob_npv_positive > 0


# --- found in review ---------------------------------------------------------------------


def test_explicit_amounts_are_not_inputs_and_cases_with_them_run():
    data = load_case(CASES / "support_chatbot.yaml").model_dump()
    data["costs"].append(
        {"name": "Study", "type": "explicit", "initial": 5000, "by_year": [1200, 1200]}
    )
    case = parse_case(data)
    assert not any(p.endswith(".initial") for p in numeric_inputs(case))
    assert tornado(case) and simulate(case, 500).draws == 500


def test_optional_and_open_bounds_hold():
    case = load_case(CASES / "support_chatbot.yaml")
    from roi.core.distributions import bounds_of

    volume = next(p for p in numeric_inputs(case) if p.endswith("requests_per_month"))
    assert bounds_of(case, volume) == (0.0, 1e15)  # inside `NonNegative | None`
    low, high = bounds_of(case, "adoption.steepness")  # > 0: kept just inside
    assert 0 < low < 1e-6 and high == 10
    rows = {r.input: r for r in tornado(case)}
    if volume in rows:
        assert rows[volume].low >= 0
    result = break_even(case, volume, payback_target_months=12)
    assert result.payback_target is None or result.payback_target >= 0


def test_a_row_with_nan_never_pays_back():
    rows = np.array([[-10.0, 5.0, 10.0], [-10.0, np.nan, 20.0]])
    assert payback_periods_array(rows) == pytest.approx([1.5, np.nan], nan_ok=True)


def test_distributions_follow_the_sliders_by_scale_or_shift():
    from dataclasses import replace

    from roi.core.distributions import follow_values
    from roi.core.scenario import apply_levers, levers_of

    case = load_case(CASES / "document_classification.yaml")
    # Both inputs are measured (issue 20, item 12): recapture 0.2734 drawn from a normal
    # around the survey's mean 0.3556 (sd 0.04194), minutes 0.7745 from a t around the
    # pilot's 0.9129 (sd 0.07016).
    assert case.benefits[0].productivity_recapture == 0.2734
    levers = replace(levers_of(case), productivity_recapture=0.7, minutes_saved_scale=0.5)
    moved = {u.input: u for u in follow_values(case, apply_levers(case, levers)).uncertainty}
    recapture = moved["benefits[0].productivity_recapture"]  # a share: shifted by +0.4266
    assert (recapture.mean, recapture.sd) == pytest.approx((0.3556 + 0.4266, 0.04194))
    minutes = moved["benefits[0].minutes_saved_per_task"]  # an amount: halved
    assert (minutes.mean, minutes.sd, minutes.df) == pytest.approx((0.45645, 0.03508, 179))


def test_whole_number_inputs_get_whole_number_ranges():
    case = declared(
        CASES / "lead_scoring.yaml",
        # the plan's linear ramp (the sample's adoption is measured since issue 20, item 12)
        adoption={"curve": "linear", "ceiling": 0.9, "months_to_ceiling": 9},
        correlations=[],
        uncertainty=[
            {
                "input": "adoption.months_to_ceiling",
                "distribution": "triangular",
                "min": 6,
                "mode": 9,
                "max": 15,
            },
        ],
    )
    low, high, _ = input_range(case, "adoption.months_to_ceiling")
    assert low == int(low) and high == int(high)
