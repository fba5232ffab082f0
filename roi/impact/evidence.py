"""A measured impact into a business case (issue 24): a benefit line's input set from the
before/after (LP-DiD) estimate of one metric, as a pilot estimate sets one
(:func:`roi.evidence.pilots.use_measurement`): the value, evidence ``measured``, where it
came from (file, metric, estimator, periods) and the estimate's standard error as the
input's uncertainty (Student's t).

The estimate is an effect per person and period in the metric's unit; the input takes the
**improvement** (the effect where higher is better, minus it where lower is better: fewer
hours to merge is hours saved) times ``per``, the factor the user states to turn one unit of
the metric into one unit of the input (60 for hours into minutes; 1 when the input is the
metric itself, such as extra deals per rep a month from a monthly panel). ``basis``:
``lower_bound`` takes the end of the 95 % interval nearer no improvement (never below 0;
the interval already discounts chance, so no flat risk factor is put on top) or ``point``
the estimate itself (with a warning when its interval holds zero).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from roi.impact.report import MetricReport

Basis = Literal["lower_bound", "point"]


@dataclass(frozen=True)
class ImpactInput:
    """What :func:`use_impact` puts into the case."""

    path: str
    value: float
    point: float  # the point estimate as the input reads it (the distribution's centre)
    sd: float
    df: float
    source: str
    note: str
    warning: str | None


def impact_input(
    metric: MetricReport,
    path: str,
    source_file: str,
    periods: tuple[str, str],
    per: float = 1.0,
    basis: Basis = "lower_bound",
) -> ImpactInput:
    """The value, spread, source and note the before/after estimate of ``metric`` gives the
    input at ``path`` (see the module).

    Raises
    ------
    ValueError
        Without a before/after estimate (withheld or not estimable), or with ``per`` not a
        positive finite number.
    """
    panel = metric.panel
    if panel is None or panel.effect is None:
        raise ValueError(
            f"{metric.metric} has no before/after estimate to use (too few people, or no"
            " adopters and people not yet using the tool in the same periods)"
        )
    if not (math.isfinite(per) and per > 0):
        raise ValueError(f"the factor per unit must be a positive number, got {per:g}")
    effect = panel.effect
    good = 1.0 if metric.better == "higher" else -1.0
    point = good * effect.effect * per
    ends = sorted(good * end * per for end in (effect.ci_low, effect.ci_high))
    chosen = point if basis == "point" else ends[0]
    value = max(0.0, chosen)
    people = effect.n_first + effect.n_second
    df = float(max(people - 1, 1))
    sd = effect.se * per
    unit = f" {metric.unit}" if metric.unit else ""
    what = "point estimate" if basis == "point" else "conservative end of the 95% interval"
    scale = "" if per == 1 else f", × {per:g} per{unit or ' unit'}"
    source = f"{source_file}, {metric.metric}, LP-DiD, {periods[0]} to {periods[1]}"
    note = (
        f"measured: {what} of the before/after estimate (LP-DiD, first use and"
        f" {panel.post_window} periods after it) of {metric.metric}: improvement"
        f" {good * effect.effect:+,.3f}{unit} per person and period (95% interval"
        f" {ends[0] / per:+,.3f} to {ends[1] / per:+,.3f}), {effect.n_first:,} adopters"
        f" against {effect.n_second:,} never users{scale}"
        + (", clipped at 0" if chosen < 0 else "")
    )
    warnings = []
    if basis == "point" and ends[0] <= 0 <= ends[1]:
        warnings.append(
            f"{metric.metric}: the point estimate of an effect whose 95% interval holds zero"
            f" (p = {effect.p_value:.3f}); the data cannot tell it from no effect"
        )
    if panel.pretrend_p is not None and panel.pretrend_p < 0.05:
        warnings.append(
            f"{metric.metric}: adopters were already on another path before adopting"
            f" (pre-trend p = {panel.pretrend_p:.3f}); the estimate may measure that"
        )
    warning = "; ".join(warnings) or None
    return ImpactInput(path, value, point, sd, df, source, note, warning)


def use_impact(
    case: Any,
    path: str,
    metric: MetricReport,
    source_file: str,
    periods: tuple[str, str],
    per: float = 1.0,
    basis: Basis = "lower_bound",
):
    """The case with the benefit input at ``path`` (``benefits[i].field``) set from
    ``metric``'s before/after estimate: value, evidence ``measured``, ``source`` and
    ``note`` saying where it came from, the estimate's Student's t as the input's
    uncertainty, and no flat risk factor when the conservative end is used.

    Raises
    ------
    ValueError
        When the path is not a number of a benefit line, the value is outside what the input
        allows, or :func:`impact_input` refuses.
    """
    from roi.core.casefile import parse_case
    from roi.core.distributions import (
        numeric_inputs,
        parse_path,
        replace_uncertainty,
        value_problem,
    )

    if not path.startswith("benefits[") or path not in numeric_inputs(case):
        raise ValueError(f"{path!r} is not a number of a benefit line of {case.name!r}")
    measured = impact_input(metric, path, source_file, periods, per, basis)
    problem = value_problem(case, path, measured.value)
    if problem is not None:
        raise ValueError(problem)
    parts = parse_path(path)
    line = int(parts[1])
    data = case.model_dump()
    target = data["benefits"][line]
    for part in parts[2:-1]:
        target = target[part]
    target[parts[-1]] = measured.value
    data["benefits"][line] |= {
        "evidence": "measured", "source": measured.source, "note": measured.note,
        "warning": measured.warning, **({"risk": 0.0} if basis == "lower_bound" else {}),
    }  # fmt: skip
    if measured.sd > 0:  # centred on the point estimate whichever basis, as a pilot's is
        spread = {"input": path, "distribution": "t", "mean": measured.point, "sd": measured.sd,
                  "df": measured.df}  # fmt: skip
        data = replace_uncertainty(data, [spread])
    return parse_case(data, source="measured")
