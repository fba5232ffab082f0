"""What an executive's one-pager says about a case: the decision with its rule, the
headline figures (with the simulation's range when the case has uncertain inputs), the three
assumptions that move NPV most and the evidence behind each line item. Pure content: the
PDF is drawn by ``roi.reports.pdf`` from :class:`OnePager`.

The decision rule, stated on the page:

- **fund**: the risk-adjusted NPV is positive and, when the case declares uncertain
  inputs, NPV is positive in at least 80 % of the simulation's draws; without uncertain
  inputs, the largest benefit (by risk-adjusted present value) must also rest on measured or
  benchmark evidence;
- **stop**: the risk-adjusted NPV is not positive and NPV is positive in fewer than half the
  draws (without uncertain inputs: the unadjusted NPV is not positive either);
- **pilot longer**: anything between — the case may pay, but the evidence or the odds are
  not yet strong enough to fund it; and any case that would be funded while a benefit line
  carries a ``warning`` (e.g. the point estimate of a pilot result that is not significant).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import metadata
from typing import Literal

from roi.core.engine import CaseResult
from roi.uncertainty.sensitivity import TornadoRow, tornado
from roi.uncertainty.simulation import Simulation, simulate

Decision = Literal["fund", "pilot longer", "stop"]
FUND_PROBABILITY = 0.8
STOP_PROBABILITY = 0.5
RULE = (
    "Fund when the risk-adjusted NPV is positive and NPV is positive in at least 80% of"
    " simulated outcomes (without a simulation: the largest benefit rests on measured or"
    " benchmark evidence); stop when the risk-adjusted NPV is not positive and fewer than half"
    " the outcomes are; otherwise pilot longer (so too when a benefit line carries a warning)."
)


@dataclass(frozen=True)
class OnePager:
    """Everything the one-pager shows (money in the case's currency)."""

    result: CaseResult
    decision: Decision
    reason: str
    simulation: Simulation | None
    drivers: tuple[TornadoRow, ...]
    evidence: tuple[tuple[str, str, str, float], ...]  # (line, kind, tier, PV share)
    warnings: tuple[str, ...]  # the line items' warnings (BusinessCase.warnings)
    date: str
    version: str


def _version() -> str:
    try:
        return metadata.version("roi")
    except metadata.PackageNotFoundError:  # pragma: no cover - the project is installed
        return "unknown"


def decide(result: CaseResult, simulation: Simulation | None) -> tuple[Decision, str]:
    """The decision and the sentence that explains it (see the module docstring). A case
    that would be funded while a benefit line carries a warning (a value the evidence does
    not support, such as the point estimate of a result that is not significant) is to be
    piloted longer instead."""
    decision, reason = _decide(result, simulation)
    if decision == "fund" and result.case.benefit_warnings:
        return "pilot longer", (
            "NPV is positive but a benefit rests on a value its evidence does not support"
            " (see the warning)"
        )
    return decision, reason


def _decide(result: CaseResult, simulation: Simulation | None) -> tuple[Decision, str]:
    npv = result.risk_adjusted.metrics.npv
    if simulation is not None:
        p = simulation.prob_npv_positive
        if npv > 0 and p >= FUND_PROBABILITY:
            return "fund", f"risk-adjusted NPV is positive and {p:.0%} of outcomes are"
        if npv <= 0 and p < STOP_PROBABILITY:
            return "stop", f"risk-adjusted NPV is not positive and only {p:.0%} of outcomes are"
        return "pilot longer", (
            f"risk-adjusted NPV is {'positive' if npv > 0 else 'not positive'} but {p:.0%}"
            " of outcomes are: the odds are not yet clear"
        )
    benefits = [
        (line, float(result.risk_adjusted.line_present_values[i]))
        for i, line in enumerate(result.lines)
        if line.kind == "benefit"
    ]
    main = max(benefits, key=lambda b: b[1])[0] if benefits else None
    grounded = main is not None and main.evidence in ("measured", "benchmark")
    if npv > 0 and grounded:
        return "fund", f"risk-adjusted NPV is positive and its largest benefit is {main.evidence}"
    if npv <= 0 and result.unadjusted.metrics.npv <= 0:
        return "stop", "NPV is not positive even before risk adjustment"
    if npv > 0:
        return "pilot longer", "NPV is positive but the largest benefit is only assumed"
    return "pilot longer", "NPV is positive only before risk adjustment"


def one_pager(
    result: CaseResult, draws: int = 10_000, seed: int = 0, today: dt.date | None = None
) -> OnePager:
    """The one-pager's content for an evaluated case."""
    case = result.case
    simulation = simulate(case, draws, seed) if case.uncertainty else None
    decision, reason = decide(result, simulation)
    pv = result.risk_adjusted.line_present_values
    totals = {"benefit": 0.0, "cost": 0.0}
    for i, line in enumerate(result.lines):
        totals[line.kind] += float(pv[i])
    evidence = tuple(
        (line.name, line.kind, line.evidence,
         float(pv[i]) / totals[line.kind] if totals[line.kind] else 0.0)
        for i, line in enumerate(result.lines)
    )  # fmt: skip
    return OnePager(
        result=result,
        decision=decision,
        reason=reason,
        simulation=simulation,
        drivers=tuple(tornado(case)[:3]),
        evidence=evidence,
        warnings=case.warnings,
        date=(today or dt.date.today()).isoformat(),
        version=_version(),
    )
