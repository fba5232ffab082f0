"""Portfolio totals over several evaluated cases, per currency.

Conventions: totals add each case's own figures, each discounted to that case's start
month (no re-discounting to a common date); portfolio ROI is (Σ PV benefits − Σ PV costs) /
Σ PV costs; portfolio payback is the payback of the cases' net cash flows added month by
calendar month, counted in months from the earliest start — except when every case of the
currency discounts at year end (TEI) from the same start month: then, as each of those cases
does, the payback of their added annual flows (Initial, Year 1..H, each year's flow spread
evenly through it), so that a portfolio of one case has that case's payback.
``payback_basis`` says which.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from roi.core.engine import CaseResult, initial_and_years
from roi.core.finance import payback_periods


@dataclass(frozen=True)
class PortfolioTotals:
    """Totals of the cases in one currency (risk-adjusted or not, as asked)."""

    currency: str
    cases: int
    npv: float
    pv_benefits: float
    pv_costs: float
    roi: float | None
    payback_months: float | None
    first_start: str
    payback_basis: str = "monthly"  # or "year_end": see the module docstring


def _month_index(start: str) -> int:
    year, month = start.split("-")
    return int(year) * 12 + int(month) - 1


def combined_net_flows(
    results: Sequence[CaseResult],
    risk_adjusted: bool = True,
    rates: Sequence[float] | None = None,
) -> np.ndarray:
    """Net cash flow of all cases on one calendar: element 0 is the earliest start's
    *Initial*, element k the month ending k months after it. A later case's *Initial*
    joins the previous month-end flow of the calendar. ``rates`` converts each case's
    currency into the one reported (1 for each case when not given)."""
    offsets = [_month_index(r.case.start) for r in results]
    first = min(offsets)
    length = max(o - first + r.timeline.periods for o, r in zip(offsets, results, strict=True))
    total = np.zeros(length)
    rates = [1.0] * len(results) if rates is None else rates
    for offset, result, rate in zip(offsets, results, rates, strict=True):
        shift = offset - first
        total[shift : shift + result.timeline.periods] += result.view(risk_adjusted).net * rate
    return total


def portfolio_totals(
    results: Sequence[CaseResult], risk_adjusted: bool = True
) -> list[PortfolioTotals]:
    """One :class:`PortfolioTotals` per currency, in order of first appearance."""
    currencies = list(dict.fromkeys(r.case.currency for r in results))
    totals = []
    for currency in currencies:
        group = [r for r in results if r.case.currency == currency]
        metrics = [r.view(risk_adjusted).metrics for r in group]
        pv_benefits = sum(m.pv_benefits for m in metrics)
        pv_costs = sum(m.pv_costs for m in metrics)
        payback, basis = _portfolio_payback(group, risk_adjusted)
        totals.append(
            PortfolioTotals(
                currency=currency,
                cases=len(group),
                npv=sum(m.npv for m in metrics),
                pv_benefits=pv_benefits,
                pv_costs=pv_costs,
                roi=(pv_benefits - pv_costs) / pv_costs if pv_costs > 0 else None,
                payback_months=payback,
                first_start=min(r.case.start for r in group),
                payback_basis=basis,
            )
        )
    return totals


def _portfolio_payback(
    group: Sequence[CaseResult], risk_adjusted: bool
) -> tuple[float | None, str]:
    """The payback of a currency's cases and its basis (see the module docstring)."""
    year_end = all(r.case.discounting == "year_end" for r in group)
    if year_end and len({r.case.start for r in group}) == 1:
        horizon = max(r.case.horizon_years for r in group)
        annual = np.zeros(horizon + 1)
        for result in group:
            flows = initial_and_years(result.view(risk_adjusted).net, result.case.horizon_years)
            annual[: flows.size] += flows
        years = payback_periods(annual)
        return (None if years is None else years * 12.0), "year_end"
    return payback_periods(combined_net_flows(group, risk_adjusted)), "monthly"


EVIDENCE_ORDER = ("measured", "benchmark", "assumed")


@dataclass(frozen=True)
class PortfolioRow:
    """One case in a portfolio table: identity, risk-adjusted and unadjusted headline
    figures, and how many line items rest on each evidence tier."""

    case_id: str
    name: str
    currency: str
    start: str
    horizon_years: int
    npv: float
    npv_unadjusted: float
    roi: float | None
    irr: float | None
    payback_months: float | None
    evidence: dict[str, int]

    @property
    def evidence_summary(self) -> str:
        """E.g. ``2 benchmark · 4 assumed`` (tiers with no line item left out)."""
        parts = [f"{self.evidence[tier]} {tier}" for tier in EVIDENCE_ORDER if self.evidence[tier]]
        return " · ".join(parts)


def portfolio_rows(results: Sequence[CaseResult], case_ids: Sequence[str]) -> list[PortfolioRow]:
    """One :class:`PortfolioRow` per result, ``case_ids`` naming them (e.g. file stems)."""
    rows = []
    for case_id, result in zip(case_ids, results, strict=True):
        adjusted = result.risk_adjusted.metrics
        tiers = [line.evidence for line in result.lines]
        rows.append(
            PortfolioRow(
                case_id=case_id,
                name=result.case.name,
                currency=result.case.currency,
                start=result.case.start,
                horizon_years=result.case.horizon_years,
                npv=adjusted.npv,
                npv_unadjusted=result.unadjusted.metrics.npv,
                roi=adjusted.roi,
                irr=adjusted.irr,
                payback_months=adjusted.payback_months,
                evidence={tier: tiers.count(tier) for tier in EVIDENCE_ORDER},
            )
        )
    return rows
