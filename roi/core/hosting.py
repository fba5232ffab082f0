"""Serverless against provisioned: costs as volume grows, where the two cross, what each
choice does to the case.

Volumes here are a month's requests *before* the cache (what the use case sends); each
model is costed on the requests that reach the backend (see
:mod:`roi.core.drivers.infrastructure`).

Crossovers. Provisioned cost P(N) is a step function of the monthly volume N (constant
between instance steps, one instance more at each step) and serverless cost S(N) is
continuous, piecewise linear and non-decreasing, so D(N) = P(N) − S(N) falls inside each
step and jumps up at the next. The **first crossover** is the smallest N at which
provisioned is not dearer (D ≤ 0); the **crossover** is the smallest N from which it is
never dearer at any higher volume. Both are solved exactly: inside the instance step that
holds them, as the point where the serverless line reaches that step's provisioned cost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from roi.core.case import BusinessCase
from roi.core.drivers.infrastructure import Infrastructure
from roi.core.engine import driver_context, evaluate
from roi.core.finance import discount_factors
from roi.core.pricing import ProvisionedPricing, ServerlessPricing
from roi.core.scenario import LeverRange

MAX_STEPS = 5_000_000
Choice = Literal["serverless", "provisioned"]


@dataclass(frozen=True)
class Crossover:
    """Monthly volumes (requests before the cache) at which provisioned stops being dearer;
    ``None`` with ``note`` saying why when there is none."""

    first_requests_per_month: float | None
    requests_per_month: float | None
    note: str | None


def _serverless_line(item: Infrastructure) -> tuple[list[float], float]:
    """Breakpoints of S(N) in N (ascending, from 0) and its slope after the last one."""
    serverless: ServerlessPricing = item.serverless  # type: ignore[assignment]
    share = 1.0 - item.cache_hit_rate
    gb_seconds = serverless.seconds_per_request * serverless.memory_gb
    points = {0.0, serverless.free_requests_per_month / share}
    if gb_seconds > 0:
        points.add(serverless.free_gb_seconds_per_month / (gb_seconds * share))
    slope = share * (
        serverless.price_per_million_requests / 1e6
        + gb_seconds * serverless.price_per_gb_second
        + (
            serverless.input_tokens_per_request * serverless.price_per_million_input_tokens
            + serverless.output_tokens_per_request * serverless.price_per_million_output_tokens
        )
        / 1e6
    )
    return sorted(points), slope


def _serverless_cost(item: Infrastructure, volumes: np.ndarray | float) -> np.ndarray:
    return item.serverless.monthly_cost(item.backend(np.asarray(volumes, dtype=float)))  # type: ignore[union-attr]


def _smallest_volume_costing(item: Infrastructure, cost: float) -> float | None:
    """Smallest N ≥ 0 with S(N) ≥ cost, exactly (S is piecewise linear); None if never."""
    points, slope = _serverless_line(item)
    values = _serverless_cost(item, np.asarray(points))
    if cost <= values[0]:
        return 0.0
    for i in range(len(points) - 1):
        if values[i] < cost <= values[i + 1]:
            return points[i] + (cost - values[i]) * (points[i + 1] - points[i]) / (
                values[i + 1] - values[i]
            )
    if slope <= 0:
        return None
    return points[-1] + (cost - values[-1]) / slope


def crossover(item: Infrastructure) -> Crossover:
    """The first crossover and the crossover of an infrastructure item (see module notes).

    Examples
    --------
    Serverless at $1 per thousand requests against one $100 instance serving up to a
    million requests a month: provisioned is not dearer from 100,000 requests on.

    >>> from roi.core.drivers.infrastructure import Infrastructure
    >>> item = Infrastructure.model_validate({
    ...     "name": "api", "type": "infrastructure", "model": "cheapest",
    ...     "requests_per_month": 1,
    ...     "serverless": {"price_per_million_requests": 1000},
    ...     "provisioned": {"hourly_price": 100 / 730, "capacity_rps_per_instance": 1,
    ...                     "target_utilization": 1000000 / 2628000}})
    >>> result = crossover(item)
    >>> round(result.first_requests_per_month), round(result.requests_per_month)
    (100000, 100000)
    """
    if item.serverless is None or item.provisioned is None:
        return Crossover(None, None, "needs both serverless and provisioned prices")
    provisioned: ProvisionedPricing = item.provisioned
    share = 1.0 - item.cache_hit_rate
    instance, fixed = provisioned.instance_month_cost, provisioned.fixed_monthly_cost
    floor = provisioned.min_instances
    at_zero = floor * instance + fixed - float(_serverless_cost(item, 0.0))
    at_zero -= 1e-9 * max(1.0, floor * instance + fixed)
    if share == 0.0:  # every request is a cache hit: both costs are constant
        if at_zero <= 0:
            return Crossover(0.0, 0.0, None)
        return Crossover(None, None, "every request is served from the cache: no volume")
    width = provisioned.requests_per_instance / share  # requests (before cache) per instance
    points, slope = _serverless_line(item)
    # Past the serverless breakpoints S(N) = slope · N − intercept, so just after step k
    # D = k·instance + fixed − slope·(k − 1)·width + intercept: it falls with k only when an
    # instance's worth of requests costs more serverless than the instance.
    intercept = slope * points[-1] - float(_serverless_cost(item, points[-1]))
    per_step = slope * width - instance
    if abs(per_step) <= 1e-12 * max(instance, slope * width):
        per_step = 0.0
    tail = None
    if per_step < 0 or (per_step == 0 and instance + fixed + intercept > 0):
        tail = (
            f"each further instance ({instance:,.2f} a month) serves {width:,.0f} requests,"
            f" which cost {slope * width:,.2f} serverless"
        )
    first_step = max(floor, 1)
    # Steps up to the serverless breakpoints are scanned. Past them D is linear in the step
    # number (see above), so the steps that can hold a crossover are solved in closed form
    # and only a few steps around each are evaluated.
    scanned = max(first_step, math.ceil(points[-1] / width) + 1) + 1
    if scanned - first_step > MAX_STEPS:
        return Crossover(None, None, f"more than {MAX_STEPS:,} instance steps below the free tier")
    candidates = [np.arange(first_step, scanned + 1)]
    if per_step > 0:
        # With the slack below: D − 10⁻⁹·cost at step k is linear in k, falling by this much.
        fall = per_step + 1e-9 * instance
        base = fixed + intercept - 1e-9 * fixed
        for estimate in (
            base / fall,  # first step whose right end is not dearer
            (slope * width + base) / fall,  # last step that is dearer just after its start
        ):
            if math.isfinite(estimate):
                k = math.ceil(estimate)
                candidates.append(np.arange(max(scanned + 1, k - 3), max(scanned + 1, k + 3)))
    steps = np.unique(np.concatenate(candidates)).astype(float)
    cost = steps * instance + fixed
    left = np.where(steps == first_step, 0.0, (steps - 1) * width)
    right = steps * width
    # D just after each step's left end and at its right end; within a billionth of the
    # step's cost counts as equal (the prices are products of rounded decimals).
    slack = 1e-9 * np.maximum(1.0, cost)
    above_left = cost - _serverless_cost(item, left) - slack
    above_right = cost - _serverless_cost(item, right) - slack

    first: float | None
    if at_zero <= 0:
        first = 0.0
    else:
        hits = np.flatnonzero(above_right <= 0)
        first = None
        if hits.size:
            k = int(hits[0])
            found = _smallest_volume_costing(item, float(cost[k]))
            first = max(float(left[k]), found if found is not None else math.inf)
            first = float(first)
    if tail is not None:
        return Crossover(first, None, f"provisioned stays dearer at high volume: {tail}")
    dearer = np.flatnonzero(above_left > 0)
    if dearer.size == 0:
        final = 0.0 if at_zero <= 0 else float(left[0])
    else:
        k = int(dearer[-1])
        found = _smallest_volume_costing(item, float(cost[k]))
        final = float(max(float(left[k]), found if found is not None else math.inf))
    return Crossover(first, final, None)


def cost_curve(item: Infrastructure, volumes: np.ndarray) -> dict[str, np.ndarray]:
    """Monthly cost of each model at each volume (requests before the cache), vectorised;
    a model without prices is left out."""
    volumes = np.asarray(volumes, dtype=float)
    backend = item.backend(volumes)
    out: dict[str, np.ndarray] = {"requests": volumes}
    if item.serverless is not None:
        out["serverless"] = item.serverless.monthly_cost(backend)
    if item.provisioned is not None:
        out["provisioned"] = item.provisioned.monthly_cost(backend)
        out["instances"] = item.provisioned.instances(backend)
    return out


@dataclass(frozen=True)
class InfrastructureReport:
    """One infrastructure item of a case, over the horizon (months 1..12·H)."""

    index: int
    name: str
    model: str
    requests: np.ndarray
    serverless_cost: np.ndarray | None
    provisioned_cost: np.ndarray | None
    instances: np.ndarray | None
    chosen: tuple[Choice, ...]
    crossover: Crossover
    crossover_month: int | None
    switch_months: tuple[int, ...]
    pv_serverless: float | None
    pv_provisioned: float | None
    npv_by_model: dict[str, float]


def with_model(case: BusinessCase, index: int, model: str) -> BusinessCase:
    """The case with cost line ``index`` (an infrastructure item) hosted on ``model``."""
    costs = list(case.costs)
    costs[index] = costs[index].model_copy(update={"model": model})
    return case.model_copy(update={"costs": costs})


def infrastructure_reports(case: BusinessCase) -> list[InfrastructureReport]:
    """A report per infrastructure cost line of ``case``, in the order of ``costs``.

    Present values are of the unadjusted costs under the case's discounting; the NPVs are the
    case's risk-adjusted NPV with the line hosted on each model it has prices for.
    """
    context = driver_context(case)
    factors = discount_factors(case.discount_rate, case.horizon_years, case.discounting)
    reports = []
    for index, item in enumerate(case.costs):
        if not isinstance(item, Infrastructure):
            continue
        requests = item.requests(context)
        serverless, provisioned = item.costs_by_model(context)
        has_s, has_p = item.serverless is not None, item.provisioned is not None
        instances = item.provisioned.instances(item.backend(requests)) if has_p else None
        if has_s and has_p:
            cheaper = provisioned[1:] < serverless[1:]
            chosen = tuple(np.where(cheaper, "provisioned", "serverless").tolist())
        else:
            chosen = ("serverless" if has_s else "provisioned",) * (len(requests) - 1)
        switches = tuple(m for m in range(2, len(chosen) + 1) if chosen[m - 1] != chosen[m - 2])
        result = crossover(item)
        month = None
        if result.requests_per_month is not None:
            passing = np.flatnonzero(requests[1:] >= result.requests_per_month)
            month = int(passing[0]) + 1 if passing.size else None
        models = [m for m, ok in (("serverless", has_s), ("provisioned", has_p)) if ok]
        if has_s and has_p:
            models.append("cheapest")
        npvs = {
            model: evaluate(with_model(case, index, model)).risk_adjusted.metrics.npv
            for model in models
        }
        reports.append(
            InfrastructureReport(
                index=index,
                name=item.name,
                model=item.model,
                requests=requests[1:],
                serverless_cost=serverless[1:] if has_s else None,
                provisioned_cost=provisioned[1:] if has_p else None,
                instances=instances[1:] if instances is not None else None,
                chosen=chosen,
                crossover=result,
                crossover_month=month,
                switch_months=switches,
                pv_serverless=float(serverless @ factors) if has_s else None,
                pv_provisioned=float(provisioned @ factors) if has_p else None,
                npv_by_model=npvs,
            )
        )
    return reports


def replace_item(case: BusinessCase, index: int, **updates) -> BusinessCase:
    """The case with cost line ``index`` updated (validated again)."""
    from roi.core.casefile import parse_case

    data = case.model_dump()
    data["costs"][index] = {**data["costs"][index], **updates}
    return parse_case(data, source="scenario")


@dataclass(frozen=True)
class HostingLevers:
    """What the Infrastructure page lets people move for one line: a multiplier of its
    request volume, its cache hit rate and, when it has provisioned prices, the utilisation
    target, peak-to-average ratio and commitment discount (``None`` when not provisioned)."""

    volume_scale: float
    cache_hit_rate: float
    target_utilization: float | None
    peak_to_average: float | None
    commitment_discount: float | None


HOSTING_LEVER_RANGES: dict[str, LeverRange] = {
    "volume_scale": LeverRange(0.1, 5.0, 0.05),
    "cache_hit_rate": LeverRange(0.0, 0.95, 0.05),
    "target_utilization": LeverRange(0.1, 1.0, 0.05),
    "peak_to_average": LeverRange(1.0, 10.0, 0.5),
    "commitment_discount": LeverRange(0.0, 0.7, 0.05),
}


def hosting_lever_ranges(item: Infrastructure) -> dict[str, LeverRange]:
    """Slider bounds of the levers that act on ``item`` (the provisioned ones only with
    provisioned prices), widened where needed to include the item's own value."""
    plan = hosting_levers_of(item)
    ranges = {}
    for name, bounds in HOSTING_LEVER_RANGES.items():
        value = getattr(plan, name)
        if value is not None:
            ranges[name] = LeverRange(min(bounds.low, value), max(bounds.high, value), bounds.step)
    return ranges


def hosting_levers_of(item: Infrastructure) -> HostingLevers:
    """The levers that leave ``item`` as it is."""
    provisioned = item.provisioned
    return HostingLevers(
        volume_scale=1.0,
        cache_hit_rate=item.cache_hit_rate,
        target_utilization=provisioned.target_utilization if provisioned else None,
        peak_to_average=provisioned.peak_to_average if provisioned else None,
        commitment_discount=provisioned.commitment_discount if provisioned else None,
    )


def apply_hosting_levers(case: BusinessCase, index: int, levers: HostingLevers) -> BusinessCase:
    """The case with infrastructure line ``index`` changed by ``levers``, validated again."""
    item = case.costs[index]
    updates: dict = {"cache_hit_rate": levers.cache_hit_rate}
    if item.requests_per_month is not None:
        updates["requests_per_month"] = item.requests_per_month * levers.volume_scale
    else:
        updates["requests_per_user_per_month"] = (
            item.requests_per_user_per_month * levers.volume_scale
        )
    if item.provisioned is not None:
        provisioned = item.provisioned.model_dump()
        for name in ("target_utilization", "peak_to_average", "commitment_discount"):
            value = getattr(levers, name)
            if value is not None:
                provisioned[name] = value
        updates["provisioned"] = provisioned
    return replace_item(case, index, **updates)


def curve_volumes(
    item: Infrastructure, report: InfrastructureReport, points: int = 500
) -> np.ndarray:
    """Volumes for a cost-against-volume chart: from 0 past the horizon's largest monthly
    volume, the crossovers and, with provisioned prices, two instance steps above the
    minimum, so that each of them shows."""
    largest = float(report.requests.max())
    marks = [largest]
    for value in (report.crossover.requests_per_month, report.crossover.first_requests_per_month):
        # A crossover far beyond the horizon's volumes would squash them: leave it off.
        if value is not None and (largest == 0 or value <= 10 * largest):
            marks.append(value)
    top = 1.25 * max(marks)
    share = 1.0 - item.cache_hit_rate
    if item.provisioned is not None and share > 0:
        steps = max(item.provisioned.min_instances, 1) + 2
        steps_top = steps * item.provisioned.requests_per_instance / share
        if largest == 0 or steps_top <= 10 * largest:
            top = max(top, steps_top)
    return np.linspace(0.0, top if top > 0 else 1.0, points)
