"""`make bench`: the engine's speed, each figure beside a naive baseline timed in the same run.

Targets (issue #2): one 10-year monthly case end to end (schedule and every metric, both
views) under 5 ms median; 1,000 such cases as a batch under 1 s.

The naive baseline is what a spreadsheet-minded first version would do: a Python loop over
months and line items, numpy-financial's ``npv`` and ``irr`` (polynomial roots), and a
Python loop for payback.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy_financial as npf

from roi import evaluate, load_case
from roi.adoption import adoption_by_period
from roi.case import BusinessCase
from roi.drivers.base import DriverContext, yearly_factor

ROOT = Path(__file__).resolve().parents[1]


def ten_year_case() -> BusinessCase:
    """The support sample case stretched to 10 years (121 monthly periods, 6 line items)."""
    base = load_case(ROOT / "sample_data" / "cases" / "support_draft_replies.yaml")
    return base.model_copy(update={"horizon_years": 10})


def naive_evaluate(case: BusinessCase) -> dict[str, float | None]:
    """Loop-per-month baseline giving the same headline figures, both views."""
    timeline = case.timeline
    adoption = adoption_by_period(case.adoption, timeline.horizon_months)
    growth = yearly_factor(timeline.year_of_period, case.annual_volume_growth)
    context = DriverContext(timeline, adoption, growth)
    monthly_rate = (1 + case.discount_rate) ** (1 / 12) - 1
    out: dict[str, float | None] = {}
    for adjusted in (True, False):
        net = [0.0] * timeline.periods
        for sign, items in ((1, case.benefits), (-1, case.costs)):
            for item in items:
                flows = item.monthly_amounts(context)
                factor = 1 - sign * item.risk if adjusted else 1.0
                for m in range(timeline.periods):
                    net[m] += sign * float(flows[m]) * factor
        npv = npf.npv(monthly_rate, net)
        irr = npf.irr(net)
        cumulative, payback = 0.0, None
        for m, value in enumerate(net):
            previous = cumulative
            cumulative += value
            if previous < 0 <= cumulative:
                payback = m - 1 + (-previous / value)
            elif cumulative < 0:
                payback = None
        out[f"npv_{adjusted}"] = npv
        out[f"irr_{adjusted}"] = irr
        out[f"payback_{adjusted}"] = payback
    return out


def median_seconds(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(name: str, seconds: float, baseline: float, target: float, unit: str) -> None:
    scale = 1e3 if unit == "ms" else 1.0
    verdict = "meets" if seconds <= target else "MISSES"
    print(
        f"{name:<44} {seconds * scale:9.3f} {unit}   baseline {baseline * scale:9.3f} {unit}"
        f"   {baseline / seconds:6.1f}x faster   target < {target * scale:g} {unit}: {verdict}"
    )


def main() -> None:
    case = ten_year_case()
    engine = evaluate(case).risk_adjusted.metrics
    naive = naive_evaluate(case)
    assert abs(engine.npv - naive["npv_True"]) < 1e-6 * abs(engine.npv), "baseline disagrees"
    for _ in range(20):  # warm caches and imports
        evaluate(case)
        naive_evaluate(case)
    single = median_seconds(lambda: evaluate(case), 300)
    single_naive = median_seconds(lambda: naive_evaluate(case), 50)
    report("one 10-year monthly case, both views", single, single_naive, 0.005, "ms")
    cases = [
        case.model_copy(update={"discount_rate": 0.05 + 1e-4 * i, "annual_volume_growth": 1e-4 * i})
        for i in range(1000)
    ]
    batch = median_seconds(lambda: [evaluate(c) for c in cases], 5)
    # The baseline takes ~30 s for 1,000 cases: time 100 of them and scale by 10.
    batch_naive = 10 * median_seconds(lambda: [naive_evaluate(c) for c in cases[:100]], 1)
    report("1,000 10-year cases as a batch", batch, batch_naive, 1.0, "s")


if __name__ == "__main__":
    main()
