"""The portfolio under a budget: the set of use cases with the largest total risk-adjusted
NPV whose estimated costs fit the budget (and, optionally, a cap on how many run at once).

Candidates are the use cases with both a business case (an NPV) and an ``estimated_cost``;
the others are listed as left out, with the reason. A candidate whose NPV is not positive is
never chosen. Costs and the budget are compared to the cent.

The choice is exact: every subset is tried when there are at most
:data:`EXHAUSTIVE_LIMIT` candidates worth choosing, otherwise the 0–1 knapsack is solved as
an integer programme (SciPy's ``milp``, the HiGHS solver, with a relative gap of 0). Among
equally valuable sets the exhaustive search keeps the cheapest, then the smallest.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from dataclasses import dataclass
from typing import Literal

import numpy as np

from roi.core.finance import payback_periods
from roi.core.totals import combined_net_flows
from roi.portfolio.register import Register

EXHAUSTIVE_LIMIT = 16
# Totals within this share of the best are equally valuable (float sums of many NPVs).
_SAME = 1e-12


@dataclass(frozen=True)
class BudgetPortfolio:
    """The chosen set and its combined figures, money in ``currency``.

    ``net_cash_flow`` is the chosen cases' risk-adjusted net cash flow on one calendar:
    element 0 is the *Initial* of the earliest start (``first_start``), element k the month
    ending k months later. ``npv`` adds each case's risk-adjusted NPV (each discounted to its
    own start); ``payback_months`` is counted from ``first_start``.
    """

    currency: str
    budget: float
    max_projects: int | None
    chosen: tuple[str, ...]
    total_cost: float
    npv: float
    payback_months: float | None
    first_start: str | None
    net_cash_flow: np.ndarray
    not_chosen: tuple[tuple[str, str], ...]
    left_out: tuple[tuple[str, str], ...]
    method: Literal["exhaustive", "integer programming", "none needed"]

    @property
    def cumulative_net_cash_flow(self) -> np.ndarray:
        """Running total of ``net_cash_flow`` (payback is where it turns ≥ 0 for good)."""
        return np.cumsum(self.net_cash_flow)


def cost_in_cents(cost: np.ndarray) -> np.ndarray:
    """Costs rounded *up* to whole cents (a fraction of a cent never lets a set slip under
    the budget); 1e-6 absorbs the float error of amounts such as 1.10 × 100.

    >>> cost_in_cents(np.array([333.334, 1.10, 0.005])).tolist()
    [33334.0, 110.0, 1.0]
    """
    return np.ceil(np.asarray(cost, dtype=float) * 100.0 - 1e-6)


def budget_in_cents(budget: float) -> int:
    """The budget rounded *down* to whole cents."""
    return math.floor(budget * 100.0 + 1e-6)


def best_subset(
    npv: np.ndarray, cost: np.ndarray, budget: float, max_projects: int | None = None
) -> tuple[np.ndarray, str]:
    """Which items to take (a boolean mask) to maximise Σ npv with Σ cost ≤ budget and at
    most ``max_projects`` items; items with npv ≤ 0 are never taken. Costs and budget are
    compared in whole cents. Returns the mask and the method used."""
    cents = cost_in_cents(cost)
    limit = budget_in_cents(budget)
    worth = np.flatnonzero((npv > 0) & (cents <= limit))
    cap = len(worth) if max_projects is None else min(max_projects, len(worth))
    take = np.zeros(len(npv), dtype=bool)
    if cap == 0 or not worth.size:
        return take, "none needed"
    if cents[worth].sum() <= limit and len(worth) <= cap:
        take[worth] = True
        return take, "none needed"
    if len(worth) <= EXHAUSTIVE_LIMIT:
        chosen = _exhaustive(npv[worth], cents[worth], limit, cap)
        method = "exhaustive"
    else:
        chosen = _integer_programme(npv[worth], cents[worth], limit, cap)
        method = "integer programming"
    take[worth[chosen]] = True
    return take, method


def _exhaustive(npv: np.ndarray, cents: np.ndarray, limit: int, cap: int) -> np.ndarray:
    m = len(npv)
    masks = ((np.arange(2**m)[:, None] >> np.arange(m)) & 1).astype(bool)
    total_cost = masks @ cents
    count = masks.sum(axis=1)
    total = np.where((total_cost <= limit) & (count <= cap), masks @ npv, -np.inf)
    best = total.max()
    near = np.flatnonzero(total >= best - _SAME * abs(best))
    pick = near[np.lexsort((count[near], total_cost[near]))[0]]
    return masks[pick]


def _integer_programme(npv: np.ndarray, cents: np.ndarray, limit: int, cap: int) -> np.ndarray:
    from scipy.optimize import Bounds, LinearConstraint, milp

    m = len(npv)
    # Activities are whole cents and whole projects, so a bound half a unit above the limit
    # admits exactly the same sets while no solver tolerance can admit one unit more.
    rows = [LinearConstraint(cents[np.newaxis, :], -np.inf, limit + 0.5)]
    if cap < m:
        rows.append(LinearConstraint(np.ones((1, m)), -np.inf, cap + 0.5))
    with _quiet_stdout():  # HiGHS can print diagnostics from C, which would corrupt --json
        result = milp(
            -npv / np.abs(npv).max(),
            integrality=np.ones(m),
            bounds=Bounds(0, 1),
            constraints=rows,
            options={"mip_rel_gap": 0.0, "presolve": True},
        )
    if result.status != 0 or result.x is None:
        raise RuntimeError(f"the integer programme failed: {result.message}")
    chosen = result.x > 0.5
    if cents[chosen].sum() > limit or chosen.sum() > cap:
        raise RuntimeError("the integer programme returned a set over the budget or the cap")
    return chosen


@contextlib.contextmanager
def _quiet_stdout():
    """Send file descriptor 1 (C-level writes included) to the null device meanwhile."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def default_budget(register: Register) -> float | None:
    """Half the total estimated cost of the candidates with a positive NPV, to two
    significant figures: a starting point for the budget slider (``None`` without any)."""
    costs = [
        u.estimated_cost
        for u in register.use_cases
        if u.estimated_cost is not None and (register.npv(u.use_case_id) or 0) > 0
    ]
    half = sum(costs) / 2
    if half <= 0:
        return None
    digits = 1 - math.floor(math.log10(half))
    return float(round(half, digits))


def select_portfolio(
    register: Register, budget: float, max_projects: int | None = None
) -> BudgetPortfolio:
    """The register's best set of use cases within ``budget`` (register currency) and at
    most ``max_projects`` projects (see the module docstring)."""
    if not (budget >= 0 and math.isfinite(budget)):
        raise ValueError(f"the budget must be an amount ≥ 0, got {budget!r}")
    if max_projects is not None and max_projects < 1:
        raise ValueError(f"the cap on projects must be at least 1, got {max_projects!r}")
    left_out, candidates = [], []
    for use_case in sorted(register.use_cases, key=lambda u: u.use_case_id):
        if use_case.use_case_id not in register.cases:
            left_out.append((use_case.use_case_id, "no business case, so no NPV"))
        elif use_case.estimated_cost is None:
            left_out.append((use_case.use_case_id, "no estimated_cost"))
        else:
            candidates.append(use_case)
    npv = np.array([register.npv(u.use_case_id) for u in candidates], dtype=float)
    cost = np.array([u.estimated_cost for u in candidates], dtype=float)
    take, method = best_subset(npv, cost, budget, max_projects)
    not_chosen = []
    for use_case, value, price, taken in zip(candidates, npv, cost, take, strict=True):
        if taken:
            continue
        if value <= 0:
            reason = "risk-adjusted NPV is not positive"
        elif cost_in_cents(np.array([price]))[0] > budget_in_cents(budget):
            reason = "costs more than the whole budget"
        else:
            reason = "not in the most valuable set that fits"
        not_chosen.append((use_case.use_case_id, reason))
    chosen = sorted(
        (u for u, t in zip(candidates, take, strict=True) if t),
        key=lambda u: (-(register.npv(u.use_case_id) or 0.0), u.use_case_id),
    )
    results = [register.cases[u.use_case_id] for u in chosen]
    rates = [register.rate(u.use_case_id) for u in chosen]
    flows = combined_net_flows(results, rates=rates) if results else np.zeros(0)
    return BudgetPortfolio(
        currency=register.currency,
        budget=float(budget),
        max_projects=max_projects,
        chosen=tuple(u.use_case_id for u in chosen),
        total_cost=float(sum(u.estimated_cost or 0.0 for u in chosen)),
        npv=float(sum(register.npv(u.use_case_id) or 0.0 for u in chosen)),
        payback_months=payback_periods(flows) if results else None,
        first_start=min(r.case.start for r in results) if results else None,
        net_cash_flow=flows,
        not_chosen=tuple(not_chosen),
        left_out=tuple(left_out),
        method=method,
    )
