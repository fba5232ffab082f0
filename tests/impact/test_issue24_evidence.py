"""Issue 24: a measured impact into a business case. The before/after estimate sets a
benefit input as evidence ``measured`` with its source and the estimate's Student's t, as a
pilot estimate does; the direction follows the metric's declared better side."""

from __future__ import annotations

from pathlib import Path

import pytest

from roi import evaluate, load_case
from roi.core.distributions import numeric_inputs
from roi.impact.evidence import impact_input, use_impact
from roi.impact.files import read_metrics, read_outcomes, read_usage
from roi.impact.panel import join
from roi.impact.report import impact_report

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "impact"


@pytest.fixture(scope="module")
def report():
    usage = read_usage((SAMPLE / "usage.csv").read_bytes(), "usage.csv")
    outcomes = read_outcomes((SAMPLE / "outcomes.csv").read_bytes(), "outcomes.csv")
    metrics = read_metrics((SAMPLE / "metrics.csv").read_bytes(), "metrics.csv")
    return impact_report(join(usage, outcomes), metrics)


def metric(report, name):
    return next(m for m in report.metrics if m.metric == name)


def test_lower_is_better_turns_a_fall_into_a_saving_at_the_conservative_end(report):
    """hours_to_merge: effect −2.594 (95 % −3.195 to −1.993) hours; the saving's
    conservative end is 1.993 hours, × 60 = 119.6 minutes; the spread is the standard error
    × 60 with the people in the estimate less one as degrees of freedom (213 adopters seen over
    the whole window, 163 never users)."""
    hours = metric(report, "hours_to_merge")
    effect = hours.panel.effect
    taken = impact_input(hours, "benefits[1].minutes_saved_per_task", "outcomes.csv",
                         ("2026-W01", "2026-W26"), per=60)  # fmt: skip
    assert taken.value == pytest.approx(-effect.ci_high * 60, rel=1e-12)
    assert taken.point == pytest.approx(-effect.effect * 60, rel=1e-12)
    assert taken.sd == pytest.approx(effect.se * 60, rel=1e-12)
    assert taken.df == effect.n_first + effect.n_second - 1 == 213 + 163 - 1
    assert taken.source == "outcomes.csv, hours_to_merge, LP-DiD, 2026-W01 to 2026-W26"
    assert "conservative end of the 95% interval" in taken.note and taken.warning is None


def test_the_case_takes_the_value_its_source_and_its_t_distribution(report):
    case = load_case(ROOT / "sample_data" / "cases" / "lead_scoring.yaml")
    path = next(p for p in numeric_inputs(case) if p.endswith("minutes_saved_per_task"))
    line = int(path.split("[")[1].split("]")[0])
    prs = metric(report, "prs_merged")
    updated = use_impact(case, path, prs, "outcomes.csv", ("2026-W01", "2026-W26"), per=10)
    item = updated.benefits[line]
    assert item.minutes_saved_per_task == pytest.approx(prs.panel.effect.ci_low * 10)
    assert item.evidence == "measured" and item.risk == 0.0
    assert item.source == "outcomes.csv, prs_merged, LP-DiD, 2026-W01 to 2026-W26"
    spread = next(u for u in updated.uncertainty if u.input == path)
    assert spread.distribution == "t" and spread.df == 375  # 213 adopters + 163 never - 1
    assert spread.sd == pytest.approx(prs.panel.effect.se * 10)
    assert evaluate(updated).risk_adjusted.metrics.npv != evaluate(case).risk_adjusted.metrics.npv


def test_an_interval_holding_zero_gives_zero_at_the_conservative_end_and_a_warning_at_the_point(
    report,
):
    from dataclasses import replace

    hours = metric(report, "hours_to_merge")
    wide = replace(hours, panel=replace(hours.panel, effect=replace(
        hours.panel.effect, effect=-0.5, ci_low=-1.5, ci_high=0.5, p_value=0.3)))  # fmt: skip
    periods = ("2026-W01", "2026-W26")
    low = impact_input(wide, "x", "o.csv", periods)
    assert low.value == 0.0 and "clipped at 0" in low.note
    point = impact_input(wide, "x", "o.csv", periods, basis="point")
    assert point.value == 0.5 and "holds zero" in point.warning


def test_what_cannot_be_used_is_refused_with_the_reason(report):
    from dataclasses import replace

    case = load_case(ROOT / "sample_data" / "cases" / "lead_scoring.yaml")
    prs = metric(report, "prs_merged")
    periods = ("2026-W01", "2026-W26")
    with pytest.raises(ValueError, match="not a number of a benefit line"):
        use_impact(case, "discount_rate", prs, "o.csv", periods)
    with pytest.raises(ValueError, match="has no before/after estimate"):
        use_impact(case, "benefits[0].conversion_lift", replace(prs, panel=None), "o", periods)
    with pytest.raises(ValueError, match="positive number"):
        impact_input(prs, "x", "o.csv", periods, per=0)
