"""A case evaluated for many values of its inputs at once, and the Monte Carlo simulation.

:func:`evaluate_draws` computes NPV, present values, ROI and payback for arrays of input
values (one per draw), vectorised over draws × months: every driver formula broadcasts, so
a line item whose inputs are arrays of shape (draws, 1) gives amounts of shape
(draws, months). It works on the amounts as entered — the *unadjusted* view: a distribution
states the uncertainty that the flat risk factor of the risk-adjusted view stands in for, and
applying both would count it twice.

:func:`simulate` draws the case's uncertain inputs (normal scores correlated as declared,
turned into each input's distribution: a Gaussian copula), evaluates them in chunks (so a
million draws run in bounded memory) and summarises NPV, ROI and payback.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from roi.core.distributions import (
    bounds_of,
    correlation_matrix,
    describe,
    is_integer_input,
    with_values,
)
from roi.core.engine import driver_context, evaluate, initial_and_years
from roi.core.finance import discount_factors, payback_periods_array

PERCENTILES = (5, 10, 50, 90, 95)
CHUNK = 10_000
FAN_DRAWS = 20_000


@dataclass(frozen=True)
class DrawFigures:
    """Per draw: NPV, present values of benefits and costs, ROI (NaN where PV costs is 0),
    payback in months (NaN where it never pays back within the horizon), and, when asked,
    the cumulative net cash flow per period (draws × periods)."""

    npv: np.ndarray
    pv_benefits: np.ndarray
    pv_costs: np.ndarray
    roi: np.ndarray
    payback_months: np.ndarray
    cumulative_net: np.ndarray | None = None


def evaluate_draws(
    case, values: Mapping[str, np.ndarray], keep_cumulative: bool = False
) -> DrawFigures:
    """The unadjusted figures of the case for each draw of ``values`` (input path → one
    value per draw, all the same length); inputs not named keep the case's values. With no
    values, one draw: the case itself."""
    arrays = {path: np.asarray(v, dtype=float).reshape(-1) for path, v in values.items()}
    sizes = {a.size for a in arrays.values()}
    if len(sizes) > 1:
        raise ValueError(f"every input needs the same number of draws, got sizes {sorted(sizes)}")
    draws = sizes.pop() if sizes else 1
    varied = with_values(case, {p: a[:, np.newaxis] for p, a in arrays.items()})
    context = driver_context(varied)
    periods = context.timeline.periods
    benefits = np.zeros((draws, periods))
    costs = np.zeros((draws, periods))
    for item in varied.benefits:
        benefits += item.monthly_amounts(context)
    for item in varied.costs:
        costs += item.monthly_amounts(context)
    factors = discount_factors(varied.discount_rate, case.horizon_years, case.discounting)
    factors = np.broadcast_to(factors, (draws, periods))
    pv_benefits = np.einsum("ij,ij->i", benefits, factors)
    pv_costs = np.einsum("ij,ij->i", costs, factors)
    net = benefits - costs
    if case.discounting == "year_end":
        payback = payback_periods_array(initial_and_years(net, case.horizon_years)) * 12.0
    else:
        payback = payback_periods_array(net)
    npv = pv_benefits - pv_costs
    with np.errstate(divide="ignore", invalid="ignore"):
        roi = np.where(pv_costs > 0, npv / np.where(pv_costs > 0, pv_costs, 1.0), np.nan)
    return DrawFigures(
        npv=npv,
        pv_benefits=pv_benefits,
        pv_costs=pv_costs,
        roi=roi,
        payback_months=payback,
        cumulative_net=np.cumsum(net, axis=1) if keep_cumulative else None,
    )


# --- Monte Carlo ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    """How much of NPV's spread an input explains: its rank correlation with NPV over the
    draws, and its share of the squared rank correlations (they add up to 1)."""

    input: str
    label: str
    rank_correlation: float
    share: float


@dataclass(frozen=True)
class Simulation:
    """A Monte Carlo simulation's summary. Money in the case's currency, unadjusted view.

    ``payback_p50_months`` is ``None`` when fewer than half the draws pay back within the
    horizon. ``fan_*`` are percentiles of the cumulative net cash flow per period (0..12·H)
    over the first :data:`FAN_DRAWS` draws; ``histogram`` is (bin edges, counts) of NPV.
    """

    draws: int
    seed: int
    inputs: tuple[str, ...]
    npv_percentiles: dict[int, float]
    npv_mean: float
    npv_sd: float
    prob_npv_positive: float
    roi_percentiles: dict[int, float | None]
    payback_percentiles: dict[int, float | None]
    prob_payback_within_horizon: float
    contributions: tuple[Contribution, ...]
    histogram: tuple[tuple[float, ...], tuple[int, ...]]
    fan_p10: tuple[float, ...]
    fan_p50: tuple[float, ...]
    fan_p90: tuple[float, ...]
    deterministic_npv: float
    risk_adjusted_npv: float

    @property
    def payback_p50_months(self) -> float | None:
        return self.payback_percentiles[50]


def sample_inputs(case, draws: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """``draws`` values of each uncertain input: correlated standard normal scores, turned
    into each input's distribution through its quantile function, clipped to the input's
    bounds (and rounded for whole-number inputs)."""
    entries = case.uncertainty
    if not entries:
        return {}
    scores = rng.standard_normal((draws, len(entries)))
    if case.correlations:
        scores = scores @ np.linalg.cholesky(correlation_matrix(case)).T
    out = {}
    for j, entry in enumerate(entries):
        low, high = bounds_of(case, entry.input)
        values = np.clip(entry.from_scores(scores[:, j]), low, high)
        if is_integer_input(case, entry.input):
            values = np.round(values)
        out[entry.input] = values
    return out


def simulate(case, draws: int = 10_000, seed: int = 0, chunk: int = CHUNK) -> Simulation:
    """Monte Carlo of the case's uncertain inputs: ``draws`` draws from ``seed``, evaluated
    ``chunk`` at a time. The same seed gives the same result whatever the chunk size."""
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    rng = np.random.default_rng(seed)
    paths = tuple(entry.input for entry in case.uncertainty)
    npv, roi, payback = [], [], []
    sampled: dict[str, list[np.ndarray]] = {p: [] for p in paths}
    fan: list[np.ndarray] = []
    fan_left = FAN_DRAWS
    done = 0
    while done < draws:
        size = min(chunk, draws - done)
        values = sample_inputs(case, size, rng)
        if values:
            figures = evaluate_draws(case, values, keep_cumulative=fan_left > 0)
        else:  # nothing uncertain: every draw is the case itself
            figures = _repeated(evaluate_draws(case, {}, keep_cumulative=fan_left > 0), size)
        npv.append(figures.npv)
        roi.append(figures.roi)
        payback.append(figures.payback_months)
        for p in paths:
            sampled[p].append(values[p])
        if figures.cumulative_net is not None and fan_left > 0:
            fan.append(figures.cumulative_net[:fan_left])
            fan_left -= len(fan[-1])
        done += size
    npv_all = np.concatenate(npv)
    broken = int((~np.isfinite(npv_all)).sum())
    if broken:
        raise ValueError(
            f"{broken:,} of {draws:,} draws give no finite NPV: a distribution reaches values"
            " the case cannot use; narrow it"
        )
    roi_all = np.concatenate(roi)
    payback_all = np.concatenate(payback)
    fan_bands = np.percentile(np.concatenate(fan), [10, 50, 90], axis=0)
    result = evaluate(case)
    return Simulation(
        draws=draws,
        seed=seed,
        inputs=paths,
        npv_percentiles={q: float(np.percentile(npv_all, q)) for q in PERCENTILES},
        npv_mean=float(npv_all.mean()),
        npv_sd=float(npv_all.std(ddof=1)) if draws > 1 and np.ptp(npv_all) > 0 else 0.0,
        prob_npv_positive=float((npv_all > 0).mean()),
        roi_percentiles=_percentiles(roi_all, PERCENTILES),
        payback_percentiles=_payback_percentiles(payback_all),
        prob_payback_within_horizon=float(np.isfinite(payback_all).mean()),
        contributions=_contributions(
            case, {p: np.concatenate(v) for p, v in sampled.items()}, npv_all
        ),
        histogram=_histogram(npv_all),
        fan_p10=tuple(float(x) for x in fan_bands[0]),
        fan_p50=tuple(float(x) for x in fan_bands[1]),
        fan_p90=tuple(float(x) for x in fan_bands[2]),
        deterministic_npv=result.unadjusted.metrics.npv,
        risk_adjusted_npv=result.risk_adjusted.metrics.npv,
    )


def _repeated(one: DrawFigures, size: int) -> DrawFigures:
    """One draw's figures as ``size`` identical draws."""
    names = ("npv", "pv_benefits", "pv_costs", "roi", "payback_months")
    cumulative = one.cumulative_net
    return DrawFigures(
        *(np.repeat(getattr(one, name), size) for name in names),
        cumulative_net=None if cumulative is None else np.repeat(cumulative, size, axis=0),
    )


def _percentiles(values: np.ndarray, qs) -> dict[int, float | None]:
    finite = values[np.isfinite(values)]
    return {q: (float(np.percentile(finite, q)) if finite.size else None) for q in qs}


def _payback_percentiles(payback: np.ndarray) -> dict[int, float | None]:
    """Percentiles of payback with "never" ranked last: a percentile that falls among the
    draws that never pay back is ``None``."""
    ordered = np.sort(np.where(np.isfinite(payback), payback, np.inf))
    out: dict[int, float | None] = {}
    for q in (10, 50, 90):
        value = float(np.percentile(ordered, q, method="inverted_cdf"))
        out[q] = None if not np.isfinite(value) else value
    return out


def _histogram(npv: np.ndarray, bins: int = 40) -> tuple[tuple[float, ...], tuple[int, ...]]:
    """NPV in ``bins`` equal bins from the lowest draw to the highest (every draw counted)."""
    low, high = float(npv.min()), float(npv.max())
    if not high > low:
        low, high = low - 0.5, high + 0.5
    counts, edges = np.histogram(npv, bins=bins, range=(low, high))
    return tuple(float(e) for e in edges), tuple(int(c) for c in counts)


def _contributions(
    case, sampled: Mapping[str, np.ndarray], npv: np.ndarray
) -> tuple[Contribution, ...]:
    """Each input's rank correlation with NPV and its share of the squared ones."""
    from scipy import stats

    if not sampled or np.ptp(npv) == 0:
        return ()
    npv_ranks = stats.rankdata(npv)
    rhos = {}
    for path, values in sampled.items():
        if np.ptp(values) == 0:
            rhos[path] = 0.0
            continue
        rhos[path] = float(np.corrcoef(stats.rankdata(values), npv_ranks)[0, 1])
    total = sum(r * r for r in rhos.values())
    out = [
        Contribution(path, describe(case, path), rho, (rho * rho / total) if total > 0 else 0.0)
        for path, rho in rhos.items()
    ]
    out.sort(key=lambda c: -c.share)
    return tuple(out)


def simulation_to_dict(case, simulation: Simulation) -> dict:
    """The `python -m roi simulate --json` object (unadjusted view, case currency)."""
    from dataclasses import asdict

    s = simulation
    out = {
        "currency": case.currency,
        "view": "unadjusted",
        "draws": s.draws,
        "seed": s.seed,
        "inputs": list(s.inputs),
        **{f"npv_p{q}": s.npv_percentiles[q] for q in PERCENTILES},
        "npv_mean": s.npv_mean,
        "npv_sd": s.npv_sd,
        "prob_npv_positive": s.prob_npv_positive,
        **{f"roi_p{q}": s.roi_percentiles[q] for q in PERCENTILES},
        "payback_p10_months": s.payback_percentiles[10],
        "payback_p50_months": s.payback_percentiles[50],
        "payback_p90_months": s.payback_percentiles[90],
        "prob_payback_within_horizon": s.prob_payback_within_horizon,
        "deterministic_npv": s.deterministic_npv,
        "risk_adjusted_npv": s.risk_adjusted_npv,
        "contributions": [asdict(c) for c in s.contributions],
        "histogram": {"edges": list(s.histogram[0]), "counts": list(s.histogram[1])},
        "fan": {"p10": list(s.fan_p10), "p50": list(s.fan_p50), "p90": list(s.fan_p90)},
    }
    return out
