"""Evaluate a business case: schedule, annual table and headline metrics, both views.

The *risk-adjusted* view (the headline) multiplies each benefit by (1 − ρ) and each cost by
(1 + ρ), ρ the line item's risk; the *unadjusted* view uses the amounts as entered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from roi.core.case import BusinessCase
from roi.core.curves import adoption_by_period
from roi.core.drivers.base import DriverContext, yearly_factor
from roi.core.finance import annualise_monthly_rate, discount_factors, irr, payback_periods_by_row
from roi.core.timeline import Timeline
from roi.io.formatting import IRR_CAP, IRR_CAP_REASON

LineKind = Literal["benefit", "cost"]


@dataclass(frozen=True)
class LineInfo:
    """Identity of one line item: which list it is in, its driver, tier and risk ρ."""

    kind: LineKind
    name: str
    type: str
    evidence: str
    risk: float
    source: str | None


@dataclass(frozen=True)
class Metrics:
    """Headline figures of one view. Money in the case's currency; rates and ratios are
    fractions (ROI 3.29 means 329 %); months may be fractional.

    ``roi`` and ``benefit_cost_ratio`` are ``None`` when PV costs is 0 (``roi_note`` says so);
    ``irr`` is annual (see docs/methodology.md) and ``None`` with ``irr_note`` when undefined;
    paybacks are ``None`` when not reached within the horizon.
    """

    npv: float
    pv_benefits: float
    pv_costs: float
    roi: float | None
    roi_note: str | None
    benefit_cost_ratio: float | None
    irr: float | None
    irr_note: str | None
    irr_multiple_sign_changes: bool
    payback_months: float | None
    discounted_payback_months: float | None


@dataclass(frozen=True)
class CaseView:
    """One view (risk-adjusted or unadjusted) of a case's cash flows.

    Arrays are per period 0..12·H; ``line_amounts`` has one row per line item in the order
    of ``CaseResult.lines`` (benefits first, then costs), always positive amounts.
    """

    risk_adjusted: bool
    line_amounts: np.ndarray
    line_by_year: np.ndarray
    line_present_values: np.ndarray
    benefits: np.ndarray
    costs: np.ndarray
    net: np.ndarray
    present_values: np.ndarray
    cumulative_net: np.ndarray
    cumulative_present_value: np.ndarray
    metrics: Metrics


@dataclass(frozen=True)
class CaseResult:
    """Everything the engine computes for one case."""

    case: BusinessCase
    timeline: Timeline
    lines: tuple[LineInfo, ...]
    adoption: np.ndarray
    discount_factors: np.ndarray
    risk_adjusted: CaseView
    unadjusted: CaseView

    def view(self, risk_adjusted: bool = True) -> CaseView:
        return self.risk_adjusted if risk_adjusted else self.unadjusted


def sum_by_year(amounts: np.ndarray, horizon_years: int) -> np.ndarray:
    """Sum monthly amounts (last axis, periods 1..12·H) into years."""
    months = amounts[..., 1:]
    return months.reshape(*months.shape[:-1], horizon_years, 12).sum(axis=-1)


def _ratio(numerator: float, pv_costs: float) -> float | None:
    return numerator / pv_costs if pv_costs > 0 else None


def initial_and_years(flows: np.ndarray, horizon_years: int) -> np.ndarray:
    """Initial, Year 1..H of per-period flows (last axis): the annual view of monthly flows,
    for the year-end convention."""
    return np.concatenate((flows[..., :1], sum_by_year(flows, horizon_years)), axis=-1)


def _metrics(
    case: BusinessCase,
    net: np.ndarray,
    present_values: np.ndarray,
    pv_benefits: np.ndarray,
    pv_costs: np.ndarray,
) -> list[Metrics]:
    """Metrics of each view; arrays have one row per view (risk-adjusted, unadjusted)."""
    if case.discounting == "year_end":
        # Annual flows: Initial, Year 1..H; a year's flow is spread evenly through it.
        flows = initial_and_years(net, case.horizon_years)
        discounted = initial_and_years(present_values, case.horizon_years)
        months_per_period = 12.0
    else:
        flows, discounted, months_per_period = net, present_values, 1.0
    paybacks = payback_periods_by_row(np.concatenate((flows, discounted)))
    views = len(net)
    out = []
    for index in range(views):
        result = irr(flows[index])
        annual_irr = result.rate
        if case.discounting == "monthly" and annual_irr is not None:
            annual_irr = annualise_monthly_rate(annual_irr)
        irr_note = result.note
        if annual_irr is not None and annual_irr > IRR_CAP:
            irr_note = IRR_CAP_REASON
        payback, discounted_payback = paybacks[index], paybacks[views + index]
        benefits, costs = float(pv_benefits[index]), float(pv_costs[index])
        npv = benefits - costs
        out.append(
            Metrics(
                npv=npv,
                pv_benefits=benefits,
                pv_costs=costs,
                roi=_ratio(npv, costs),
                roi_note=None if costs > 0 else "undefined: the present value of costs is zero",
                benefit_cost_ratio=_ratio(benefits, costs),
                irr=annual_irr,
                irr_note=irr_note,
                irr_multiple_sign_changes=result.multiple_sign_changes,
                payback_months=None if payback is None else payback * months_per_period,
                discounted_payback_months=(
                    None if discounted_payback is None else discounted_payback * months_per_period
                ),
            )
        )
    return out


def driver_context(case: BusinessCase) -> DriverContext:
    """What every driver of ``case`` is computed in: its periods, adoption and growth."""
    timeline = case.timeline
    return DriverContext(
        timeline=timeline,
        adoption=adoption_by_period(case.adoption, timeline.horizon_months),
        volume_growth=yearly_factor(timeline.year_of_period, case.annual_volume_growth),
    )


def evaluate(case: BusinessCase) -> CaseResult:
    """Compute the schedule, annual table and metrics of a validated case, both views.

    Pure: the same case always gives the same result. See docs/methodology.md for
    every convention (periods, discounting, risk adjustment, IRR, payback).
    """
    context = driver_context(case)
    timeline, adoption = context.timeline, context.adoption
    items = [("benefit", item) for item in case.benefits] + [("cost", item) for item in case.costs]
    lines = tuple(
        LineInfo(kind, item.name, item.type, item.evidence, item.risk, item.source)  # type: ignore[arg-type]
        for kind, item in items
    )
    raw = np.array([item.monthly_amounts(context) for _, item in items], dtype=float)
    raw = raw.reshape(len(items), timeline.periods)
    is_benefit = np.array([line.kind == "benefit" for line in lines], dtype=bool)
    risk = np.array([line.risk for line in lines], dtype=float)
    multiplier = np.where(is_benefit, 1.0 - risk, 1.0 + risk)
    factors = discount_factors(case.discount_rate, case.horizon_years, case.discounting)
    # Both views at once: axis 0 is (risk-adjusted, unadjusted).
    amounts = np.stack((raw * multiplier[:, np.newaxis], raw))
    benefits = amounts[:, is_benefit].sum(axis=1)
    costs = amounts[:, ~is_benefit].sum(axis=1)
    net = benefits - costs
    present_values = net * factors
    line_pv = amounts @ factors
    pv_benefits = line_pv[:, is_benefit].sum(axis=1)
    pv_costs = line_pv[:, ~is_benefit].sum(axis=1)
    by_year = sum_by_year(amounts, case.horizon_years)
    cumulative_net = np.cumsum(net, axis=1)
    cumulative_pv = np.cumsum(present_values, axis=1)
    arrays = (amounts, adoption, factors, benefits, costs, net, present_values, line_pv, by_year)
    for array in (*arrays, cumulative_net, cumulative_pv):
        array.flags.writeable = False
    metrics = _metrics(case, net, present_values, pv_benefits, pv_costs)
    views = [
        CaseView(
            risk_adjusted=index == 0,
            line_amounts=amounts[index],
            line_by_year=by_year[index],
            line_present_values=line_pv[index],
            benefits=benefits[index],
            costs=costs[index],
            net=net[index],
            present_values=present_values[index],
            cumulative_net=cumulative_net[index],
            cumulative_present_value=cumulative_pv[index],
            metrics=metrics[index],
        )
        for index in (0, 1)
    ]
    return CaseResult(
        case=case,
        timeline=timeline,
        lines=lines,
        adoption=adoption,
        discount_factors=factors,
        risk_adjusted=views[0],
        unadjusted=views[1],
    )


def evaluate_many(cases: Iterable[BusinessCase]) -> list[CaseResult]:
    """Evaluate several cases (a portfolio or a batch of scenarios), in order."""
    return [evaluate(case) for case in cases]
