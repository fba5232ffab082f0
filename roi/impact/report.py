"""A measured-impact report: per metric, the tier mix and outcome by tier over time, the
group comparisons, the before/after estimate with its event study and checks, and a verdict
in plain words (issue 24). Aggregates only: no per-person value leaves this module.

**Anonymity** (the survey's rule, :mod:`roi.culture.anonymity`): a period's tier with fewer
people than the minimum group size shows neither its count nor its mean, and within a period
the smallest other tiers are hidden too until the hidden ones cannot be worked out from the
rest (complementary suppression; the number of people in a period is shown on the page). An
estimate comparing a group of fewer people than the minimum is withheld, and so is an
event-study point resting on fewer adopters.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

import pandas as pd

from roi.culture.anonymity import MIN_GROUP_DEFAULT, check_min_group, suppress
from roi.impact.estimates import (
    POST_WINDOW_DEFAULT,
    PRE_WINDOW_DEFAULT,
    Comparison,
    EventPoint,
    Interval,
    PanelEstimate,
    panel_estimate,
    pooled_comparison,
    welch,
    who_adopted,
)
from roi.impact.files import MetricInfo
from roi.impact.panel import TIERS, Panel

PRETREND_ALPHA = 0.05
INTERVAL_KEYS = ("effect", "ci_low", "ci_high", "p_value", "se")
OBSERVATIONAL = (
    "The comparison is observational: people chose whether and how much to use the tool. The"
    " before/after estimate removes differences that stay fixed over time (who is abler,"
    " which team); it does not remove a change that came with adoption for another reason"
    " (a new project, a promotion). Only an assigned roll-out (a randomised or staggered"
    " start) rules that out."
)


@dataclass(frozen=True)
class Cohort:
    period: str
    tier: str
    n: int | None
    mean: float | None
    suppressed: bool


@dataclass(frozen=True)
class MetricReport:
    metric: str
    unit: str
    better: str
    cohorts: tuple[Cohort, ...]
    by_period: tuple[dict, ...]  # per period: the heavy − non-user Welch interval, or None
    comparison: Comparison
    selection: Interval | None
    panel: PanelEstimate | None
    verdict: str
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class ImpactReport:
    period_kind: str
    people: int
    unmatched_usage: int
    unmatched_outcomes: int
    heavy_share: float
    min_group: int
    periods: tuple[str, ...]
    rollout: str | None
    tier_mix: tuple[Cohort, ...]  # people per period and tier (means None), suppressed alike
    metrics: tuple[MetricReport, ...]
    read_as_non_users: int = 0  # person-periods of a telemetry source read as no use
    notes: tuple[str, ...] = ()  # what reading the sources noticed


def _hidden(rows: pd.DataFrame, panel: Panel, min_group: int,
            start: dict[int, set[str]] | None = None) -> dict[int, set[str]]:  # fmt: skip
    """Per period number, the tiers hidden by the module's rule; ``start``: tiers hidden
    already (the tier mix's), so that one figure's visible counts never give away what
    another hides."""
    counts = rows.groupby(["t", "tier"])["person"].nunique()
    out = {}
    for t in range(1, len(panel.periods) + 1):
        present = {tier: int(counts.get((t, tier), 0)) for tier in TIERS}
        present = {tier: n for tier, n in present.items() if n}
        out[t] = suppress(present, min_group, (start or {}).get(t))
    return out


def _cohorts(rows: pd.DataFrame, panel: Panel, hidden: dict[int, set[str]]) -> tuple[Cohort, ...]:
    """Count and mean per period and tier, the ``hidden`` ones without figures."""
    stats = rows.groupby(["t", "tier"])["value"].agg(["count", "mean"])
    out = []
    for t in range(1, len(panel.periods) + 1):
        counts = {tier: int(stats["count"].get((t, tier), 0)) for tier in TIERS}
        present = {tier: n for tier, n in counts.items() if n}
        hidden_here = hidden[t]
        for tier in TIERS:
            if tier not in present:
                continue
            if tier in hidden_here:
                out.append(Cohort(panel.label(t), tier, None, None, True))
            else:
                mean = float(stats["mean"].get((t, tier)))
                out.append(Cohort(panel.label(t), tier, present[tier], mean, False))
    return tuple(out)


def _by_period(rows: pd.DataFrame, panel: Panel, hidden: dict[int, set[str]]) -> tuple[dict, ...]:
    """Per period since the roll-out, heavy − non-user (Welch), shown only where neither
    tier is hidden (a difference of a shown and a hidden mean would give the hidden one)."""
    out = []
    for t in range(max(panel.rollout, 1), len(panel.periods) + 1):
        here = rows[rows["t"] == t]
        heavy = here.loc[here["tier"] == "heavy", "value"].to_numpy()
        non = here.loc[here["tier"] == "non-user", "value"].to_numpy()
        shown = len(heavy) and len(non) and not {"heavy", "non-user"} & hidden[t]
        result = welch(heavy, non) if shown else None
        interval = None if result is None else {k: getattr(result, k) for k in INTERVAL_KEYS}
        out.append({"period": panel.label(t), "heavy": len(heavy) if shown else None,
                    "non_user": len(non) if shown else None, "interval": interval,
                    "suppressed": not shown})  # fmt: skip
    return tuple(out)


def _withheld(interval: Interval | None, min_group: int) -> Interval | None:
    if interval is None or min(interval.n_first, interval.n_second) < min_group:
        return None
    return interval


def _shown_panel(estimate: PanelEstimate | None, min_group: int) -> PanelEstimate | None:
    if estimate is None or min(estimate.adopters, estimate.never) < min_group:
        return None
    points = tuple(p for p in estimate.event_study if p.adopters >= min_group)
    twfe_points = tuple(p for p in estimate.twfe_event_study if p.adopters >= min_group)
    return PanelEstimate(**{**asdict_shallow(estimate), "event_study": points,
                            "twfe_event_study": twfe_points,
                            "effect": _withheld(estimate.effect, min_group),
                            "twfe": _withheld(estimate.twfe, min_group)})  # fmt: skip


def asdict_shallow(value) -> dict:
    """A dataclass's fields as a dict, values as they are (nested dataclasses kept)."""
    return {name: getattr(value, name) for name in value.__dataclass_fields__}


def _amount(value: float, unit: str) -> str:
    return f"{value:+,.2f} {unit}"


def verdict(
    info: MetricInfo, comparison: Comparison, panel: PanelEstimate | None, period: str = "period"
) -> str:
    """The plain-language reading of one metric's estimates (the methodology page's rule):
    the before/after estimate when it can be trusted, else what can be said."""
    good = 1 if info.better == "higher" else -1
    if panel is None or panel.effect is None:
        if comparison.plain is None:
            return "Not enough people in each group to compare."
        return (
            f"Heavy users differ from non-users by {_amount(comparison.plain.effect, info.unit)},"
            " but there are not enough adopters and non-adopters over time to say how much of"
            " that the tool caused."
        )
    effect = panel.effect
    if panel.pretrend_p is not None and panel.pretrend_p < PRETREND_ALPHA:
        return (
            f"Not reliable: before adopting, adopters' {info.metric} already moved differently"
            f" from other people's (pre-trend p = {panel.pretrend_p:.3f}); the before/after"
            f" estimate ({_amount(effect.effect, info.unit)}) may measure that, not the tool."
        )
    interval = f"95% interval {effect.ci_low:+,.2f} to {effect.ci_high:+,.2f}"
    if effect.ci_low <= 0 <= effect.ci_high:
        reading = f"No clear effect of the tool on {info.metric} ({interval})."
    else:
        direction = "raises" if effect.effect > 0 else "lowers"
        judged = "an improvement" if effect.effect * good > 0 else "a deterioration"
        reading = (
            f"Using the tool {direction} {info.metric} by {abs(effect.effect):,.2f}"
            f"{' ' + info.unit if info.unit else ''} per person and {period}, {judged}"
            f" ({interval})."
        )
    naive = comparison.plain
    if naive is not None and abs(naive.effect) > max(1.25 * abs(effect.effect), 1e-9):
        reading += (
            f" The naive heavy − non-user gap ({_amount(naive.effect, info.unit)}) overstates it:"
            " heavy users differed before they used the tool."
        )
    return reading


def pretrend_reading(p_value: float | None) -> str:
    """The pre-trend test's result in plain words (the methodology page's rule).

    >>> pretrend_reading(0.42)
    'p = 0.420, no sign that adopters were already on another path'
    """
    if p_value is None:
        return "not run (too few periods before first use to test)"
    if p_value >= PRETREND_ALPHA:
        return f"p = {p_value:.3f}, no sign that adopters were already on another path"
    return f"p = {p_value:.3f}, adopters were already on another path before adopting"


def _notes(panel: Panel, comparison: Comparison, selection: Interval | None,
           estimate: PanelEstimate | None, info: MetricInfo) -> list[str]:  # fmt: skip
    notes = [OBSERVATIONAL]
    if panel.rollout == 0:
        notes.append("Nobody used the tool in these periods: there is nothing to measure.")
    elif panel.rollout == 1:
        notes.append(
            "The tool was in use from the first period: there is no pre-roll-out level, so"
            " neither the adjusted comparison nor the check of who adopted can be made."
        )
    if comparison.variance_removed is not None:
        notes.append(
            f"Adjusting for each person's level before the roll-out removed"
            f" {comparison.variance_removed:.0%} of the comparison's variance"
            f" ({comparison.people_adjusted:,} people with a level before the roll-out)."
        )
    if selection is not None and selection.ci_low * selection.ci_high > 0:
        notes.append(
            f"Who adopted: before the roll-out, people who became heavy users were already"
            f" {abs(selection.effect):,.2f}{' ' + info.unit if info.unit else ''}"
            f" {'higher' if selection.effect > 0 else 'lower'} than those who never used the tool"
            f" (95% interval {selection.ci_low:+,.2f} to {selection.ci_high:+,.2f})."
        )
    if estimate is not None:
        notes.append(
            f"Pre-trend test over the {estimate.pre_window} periods before first use:"
            f" {pretrend_reading(estimate.pretrend_p)}."
        )
    if estimate is not None and estimate.effect is not None and estimate.twfe is not None:
        notes.append(
            f"The plain two-way fixed-effects coefficient is {estimate.twfe.effect:+,.3f};"
            f" it is biased when the effect changes over time since adoption, so the"
            f" local-projections estimate ({estimate.effect.effect:+,.3f}, first use and the"
            f" {estimate.post_window} periods after it) is the one reported."
        )
    return notes


def impact_report(
    panel: Panel,
    metrics: dict[str, MetricInfo],
    only: str | None = None,
    min_group: int = MIN_GROUP_DEFAULT,
    pre_window: int = PRE_WINDOW_DEFAULT,
    post_window: int = POST_WINDOW_DEFAULT,
    source_notes: tuple[str, ...] = (),
) -> ImpactReport:
    """The report of :class:`ImpactReport` for every metric of the panel (or ``only``); a
    metric not declared in ``metrics`` is read as a count where higher is better, with a
    note."""
    check_min_group(min_group)
    names = sorted(panel.rows["metric"].unique())
    if only is not None:
        if only not in names:
            raise ValueError(
                f"metric {only!r} is not in the outcomes file; it has {', '.join(names)}"
            )
        names = [only]
    people = panel.rows.drop_duplicates(["person", "t"])
    mix_hidden = _hidden(people, panel, min_group)
    reports = []
    for name in names:
        rows = panel.rows[panel.rows["metric"] == name]
        hidden = _hidden(rows, panel, min_group, mix_hidden)
        info = metrics.get(name, MetricInfo(name, "", "higher"))
        comparison = pooled_comparison(rows, panel.rollout) if panel.rollout else Comparison(
            None, None, None, 0)  # fmt: skip
        adjusted = _withheld(comparison.adjusted, min_group)
        comparison = Comparison(  # the adjustment's figures go with its estimate, or neither
            _withheld(comparison.plain, min_group), adjusted,
            comparison.variance_removed if adjusted else None,
            comparison.people_adjusted if adjusted else 0,
        )  # fmt: skip
        selection = (
            _withheld(who_adopted(rows, panel.rollout), min_group) if panel.rollout > 1 else None
        )
        estimate = _shown_panel(panel_estimate(rows, pre_window, post_window), min_group)
        notes = _notes(panel, comparison, selection, estimate, info)
        if name not in metrics:
            notes.append(f"{name} is not declared in the metrics file: read as higher is better.")
        reports.append(MetricReport(
            metric=name, unit=info.unit, better=info.better,
            cohorts=_cohorts(rows, panel, hidden),
            by_period=_by_period(rows, panel, hidden), comparison=comparison,
            selection=selection, panel=estimate,
            verdict=verdict(info, comparison, estimate, panel.kind),
            notes=tuple(notes),
        ))  # fmt: skip
    return ImpactReport(
        period_kind=panel.kind, people=panel.people, unmatched_usage=panel.unmatched_usage,
        unmatched_outcomes=panel.unmatched_outcomes, heavy_share=panel.heavy_share,
        min_group=min_group,
        periods=tuple(panel.label(t) for t in range(1, len(panel.periods) + 1)),
        rollout=panel.label(panel.rollout) if panel.rollout else None,
        tier_mix=_cohorts(people.assign(value=0.0), panel, mix_hidden),
        metrics=tuple(reports),
        read_as_non_users=panel.read_as_non_users,
        notes=tuple(source_notes) + _absent_note(panel),
    )  # fmt: skip


def _absent_note(panel: Panel) -> tuple[str, ...]:
    if not panel.read_as_non_users:
        return ()
    return (
        f"{panel.read_as_non_users:,} person-periods of the outcomes have no record in the"
        " usage export, which lists people only on their days of use: they are read as"
        " periods without use. A person outside the export's scope (another organisation"
        " or licence) who used the tool there is then counted as a non-user.",
    )


def _interval(value: Interval | None) -> dict:
    keys = ("effect", "ci_low", "ci_high", "p_value", "se")
    return {k: None for k in keys} if value is None else {k: getattr(value, k) for k in keys}


def _cohort_dict(cohort: Cohort, means: bool = True) -> dict:
    out = {"period": cohort.period, "tier": cohort.tier, "n": cohort.n}
    if means:
        out["mean"] = cohort.mean
    if cohort.suppressed:
        out["suppressed"] = True
    return out


def report_dict(report: ImpactReport) -> dict:
    """The report as the JSON of ``python -m roi impact --json`` (docs/cli.md)."""
    metrics = []
    for m in report.metrics:
        plain, adjusted = _interval(m.comparison.plain), _interval(m.comparison.adjusted)
        panel = m.panel
        did = {"estimator": "lpdid" if panel else None,
               **_interval(panel.effect if panel else None),
               "twfe_effect": panel.twfe.effect if panel and panel.twfe else None,
               "post_window": panel.post_window if panel else None,
               "adopters": panel.adopters if panel else None,
               "never_users": panel.never if panel else None}  # fmt: skip
        metrics.append({
            "metric": m.metric, "unit": m.unit, "better": m.better,
            "cohorts": [_cohort_dict(c) for c in m.cohorts],
            "comparison": {
                **{k: plain[k] for k in ("effect", "ci_low", "ci_high", "p_value", "se")},
                "adjusted_effect": adjusted["effect"], "adjusted_ci_low": adjusted["ci_low"],
                "adjusted_ci_high": adjusted["ci_high"], "adjusted_p_value": adjusted["p_value"],
                "variance_removed": m.comparison.variance_removed,
                "heavy": m.comparison.plain.n_first if m.comparison.plain else None,
                "non_users": m.comparison.plain.n_second if m.comparison.plain else None,
            },
            "by_period": list(m.by_period),
            "selection": _interval(m.selection),
            "did": did,
            "event_study": [
                {"relative_period": p.relative_period, "effect": p.effect, "ci_low": p.ci_low,
                 "ci_high": p.ci_high, "adopters": p.adopters}
                for p in (panel.event_study if panel else ())
            ],
            "twfe_event_study": [
                {"relative_period": p.relative_period, "effect": p.effect, "ci_low": p.ci_low,
                 "ci_high": p.ci_high, "adopters": p.adopters}
                for p in (panel.twfe_event_study if panel else ())
            ],
            "pretrend_p": panel.pretrend_p if panel else None,
            "verdict": m.verdict, "notes": list(m.notes),
        })  # fmt: skip
    return {
        "period": report.period_kind, "people": report.people,
        "unmatched": {"usage": report.unmatched_usage, "outcomes": report.unmatched_outcomes},
        "heavy_share": report.heavy_share, "min_group": report.min_group,
        "periods": list(report.periods), "rollout": report.rollout,
        "tier_mix": [_cohort_dict(c, means=False) for c in report.tier_mix],
        "read_as_non_users": report.read_as_non_users, "notes": list(report.notes),
        "metrics": metrics,
    }  # fmt: skip


def impact_record(report: ImpactReport) -> dict:
    """Every field of the report as JSON-ready data, for keeping it (the store keeps a
    measured impact's aggregates, never its per-person rows); :func:`impact_from_record`
    reads it back."""
    return asdict(report)


def impact_from_record(data: dict) -> ImpactReport:
    """The report kept by :func:`impact_record` (after a JSON round trip), equal to it."""

    def interval(value: dict | None) -> Interval | None:
        return None if value is None else Interval(**value)

    def points(values: list) -> tuple[EventPoint, ...]:
        return tuple(EventPoint(**p) for p in values)

    def panel(value: dict | None) -> PanelEstimate | None:
        if value is None:
            return None
        return PanelEstimate(**{
            **value, "effect": interval(value["effect"]), "twfe": interval(value["twfe"]),
            "event_study": points(value["event_study"]),
            "twfe_event_study": points(value["twfe_event_study"]),
        })  # fmt: skip

    def metric(value: dict) -> MetricReport:
        comparison = value["comparison"]
        return MetricReport(**{
            **value, "cohorts": tuple(Cohort(**c) for c in value["cohorts"]),
            "by_period": tuple(value["by_period"]),
            "comparison": Comparison(**{**comparison, "plain": interval(comparison["plain"]),
                                        "adjusted": interval(comparison["adjusted"])}),
            "selection": interval(value["selection"]), "panel": panel(value["panel"]),
            "notes": tuple(value["notes"]),
        })  # fmt: skip

    names = {f.name for f in fields(ImpactReport)}
    return ImpactReport(**{
        **{k: v for k, v in data.items() if k in names},
        "periods": tuple(data["periods"]), "notes": tuple(data.get("notes", ())),
        "tier_mix": tuple(Cohort(**c) for c in data["tier_mix"]),
        "metrics": tuple(metric(m) for m in data["metrics"]),
    })  # fmt: skip
