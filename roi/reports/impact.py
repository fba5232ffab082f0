"""The measured-impact report as text (``python -m roi impact``) and its cohort figures as
CSV: aggregates only, a hidden cell blank with the reason (issue 24)."""

from __future__ import annotations

from roi.impact.report import ImpactReport, MetricReport
from roi.reports.exports import csv_text

HIDDEN_REASON = "fewer than {min_group} people, or needed to keep such a group hidden"


def impact_csv(report: ImpactReport) -> str:
    """One row per metric, period and tier: people and mean outcome, or blank cells and the
    reason they are hidden."""
    reason = HIDDEN_REASON.format(min_group=report.min_group)
    rows = [
        {"metric": m.metric, "unit": m.unit, "period": c.period, "tier": c.tier, "n": c.n,
         "mean": c.mean, "suppressed": c.suppressed, "reason": reason if c.suppressed else ""}
        for m in report.metrics
        for c in m.cohorts
    ]  # fmt: skip
    return csv_text(rows, ["metric", "unit", "period", "tier", "n", "mean", "suppressed",
                           "reason"])  # fmt: skip


def _ci(interval) -> str:
    if interval is None:
        return "withheld (too few people) or not estimable"
    p = "p < 0.001" if interval.p_value < 0.001 else f"p = {interval.p_value:.3f}"
    return (
        f"{interval.effect:+,.3f} (95% interval {interval.ci_low:+,.3f} to"
        f" {interval.ci_high:+,.3f}, {p})"
    )


def render_impact(report: ImpactReport) -> str:
    """The report for a terminal: the join, then per metric the estimates, verdict and notes."""
    lines = [
        f"Measured impact: {report.people:,} people over {len(report.periods)}"
        f" {report.period_kind}s ({report.periods[0]} to {report.periods[-1]}),"
        f" roll-out {report.rollout or 'none'}",
        f"Rows without a partner: {report.unmatched_usage:,} usage, {report.unmatched_outcomes:,}"
        f" outcomes. Heavy: active on at least {report.heavy_share:.0%} of working days;"
        f" groups under {report.min_group} people hidden.",
        *(f"Note: {note}" for note in report.notes),
    ]
    for m in report.metrics:
        unit = f" ({m.unit}, {m.better} is better)" if m.unit else f" ({m.better} is better)"
        lines += ["", f"{m.metric}{unit}", f"  Verdict: {m.verdict}"]
        lines.append(f"  Heavy − non-user since the roll-out: {_ci(m.comparison.plain)}")
        lines.append(
            f"  … adjusted for the level before the roll-out: {_ci(m.comparison.adjusted)}"
        )
        if m.panel is not None:
            lines.append(
                f"  Before/after against people not yet using it (LP-DiD): {_ci(m.panel.effect)}"
            )
            pretrend = m.panel.pretrend_p
            lines.append(
                f"  Pre-trend p: {'n/a' if pretrend is None else f'{pretrend:.3f}'};"
                f" adopters {m.panel.adopters:,}, never users {m.panel.never:,}"
            )
            points = ", ".join(
                f"{p.relative_period:+d}: {p.effect:+.2f}" for p in m.panel.event_study
            )
            lines.append(f"  Effect by period since first use: {points}")
        lines += [f"  - {note}" for note in m.notes]
    return "\n".join(lines)


def estimate_rows(metric: MetricReport) -> list[dict]:
    """The estimates of one metric as the page's table shows them: what each compares, the
    effect, its 95 % interval, p, the people in each group, and what it is for. A withheld
    or impossible estimate has blank figures and says why."""
    rows = []
    panel = metric.panel
    entries = [
        ("Heavy − non-user since the roll-out", metric.comparison.plain, "heavy",
         "non-users", "naive: mixes who adopted with what the tool did"),
        ("… adjusted for each person's level before the roll-out (CUPED)",
         metric.comparison.adjusted, "heavy", "non-users",
         "removes part of who adopted; still a comparison of people who chose"),
        ("Before/after against people not yet using it (LP-DiD)",
         None if panel is None else panel.effect, "adopters", "never users",
         "the estimate reported: fixed differences between people removed"),
        ("Plain two-way fixed effects (for comparison)", None if panel is None else panel.twfe,
         "adopters", "never users", "biased when the effect grows after adoption"),
        ("Who adopted: level before the roll-out, heavy − never users", metric.selection,
         "heavy", "never users", "away from 0: heavy users differed before the tool"),
    ]  # fmt: skip
    for name, interval, first, second, reading in entries:
        if interval is None:
            rows.append({"estimate": name, "effect": None, "ci_low": None, "ci_high": None,
                         "p_value": None, "people": "withheld (too few people) or not"
                         " estimable", "reading": reading})  # fmt: skip
            continue
        rows.append({
            "estimate": name, "effect": interval.effect, "ci_low": interval.ci_low,
            "ci_high": interval.ci_high, "p_value": interval.p_value,
            "people": f"{interval.n_first:,} {first}, {interval.n_second:,} {second}",
            "reading": reading,
        })  # fmt: skip
    return rows
