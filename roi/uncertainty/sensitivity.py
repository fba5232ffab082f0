"""Which assumption decides the case: one-way sensitivity (tornado), a two-way grid,
break-even values and named scenarios. Like the simulation, all of it works on the
unadjusted view (the amounts as entered), through :func:`roi.uncertainty.simulation.evaluate_draws`.

- **Range of an input**: its declared distribution's 10th and 90th percentiles when the
  case gives one (a measured input's interval, a judgement's spread), else ±20 % of its
  value (or the range set with ``spread``), kept within the input's bounds.
- **Tornado**: NPV at the low and at the high end of each input's range, the others at
  their values, sorted by swing |NPV(high) − NPV(low)|.
- **Break-even**: the value of an input at which NPV is 0 (or payback equals a target),
  searched over the input's bounds — from 0 (or its lower bound) to 10 times its value for
  amounts without an upper bound — on a grid of 400 points, then narrowed by three finer
  grids of 64 points inside the bracketing interval and the straight line between its ends.
  The crossing nearest the case's value is reported; "none in range" says what NPV (or
  payback) does over the whole range instead.
- **Scenarios**: the case's own named scenarios, or by default *conservative* (every
  declared uncertain input at the unfavourable end of its range), *expected* (the case as
  written) and *optimistic* (the favourable end); without declared inputs, the defaults
  use the five inputs with the largest swing, at ±20 %.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from roi.core.distributions import bounds_of, describe, is_integer_input, numeric_inputs, value_at
from roi.io.formatting import format_input
from roi.uncertainty.simulation import evaluate_draws

DEFAULT_SPREAD = 0.2
GRID_POINTS = 400
SEARCH_MULTIPLE = 10.0


@dataclass(frozen=True)
class TornadoRow:
    """One input's one-way sensitivity: its range (``low``, ``high``, and where the range
    came from), NPV at each end and the swing between them."""

    input: str
    label: str
    value: float
    low: float
    high: float
    range_source: str
    npv_low: float
    npv_high: float
    swing: float


@dataclass(frozen=True)
class BreakEven:
    """The value of ``input`` at which NPV is 0 (``npv_zero``) and at which payback equals
    the target (``payback_target``), each ``None`` with the reason in the ``*_note``."""

    input: str
    label: str
    value: float
    npv_zero: float | None
    npv_note: str | None
    payback_target: float | None
    payback_note: str | None


def input_range(case, path: str, spread: float = DEFAULT_SPREAD) -> tuple[float, float, str]:
    """(low, high, source) of an input: its distribution's P10–P90 when declared, else
    ±``spread`` of its value; within its bounds."""
    declared = {entry.input: entry for entry in case.uncertainty}
    lower, upper = bounds_of(case, path)
    if path in declared:
        entry = declared[path]
        low, high = entry.percentile(0.1), entry.percentile(0.9)
        source = f"{entry.distribution} P10–P90"
    else:
        value = value_at(case, path)
        low, high = value * (1 - spread), value * (1 + spread)
        low, high = min(low, high), max(low, high)
        source = f"±{spread:.0%}"
    low, high = float(np.clip(low, lower, upper)), float(np.clip(high, lower, upper))
    if is_integer_input(case, path):  # seats, months: whole numbers either side
        low, high = float(math.floor(low)), float(math.ceil(high))
    return low, high, source


def tornado(
    case, spread: float = DEFAULT_SPREAD, paths: list[str] | None = None
) -> list[TornadoRow]:
    """One-way sensitivity of NPV to every input (or ``paths``), largest swing first;
    inputs whose range moves NPV by nothing are left out."""
    candidates = []
    for path in paths or numeric_inputs(case):
        low, high, source = input_range(case, path, spread)
        if low != high:
            candidates.append((path, low, high, source))
    if not candidates:
        return []
    # Every input at both ends in one vectorised evaluation: draw 2i is input i at its low
    # end and 2i + 1 at its high end, every other input as written.
    values = {}
    for i, (path, low, high, _) in enumerate(candidates):
        column = np.full(2 * len(candidates), value_at(case, path))
        column[2 * i : 2 * i + 2] = (low, high)
        values[path] = column
    npv = evaluate_draws(case, values).npv
    rows = []
    for i, (path, low, high, source) in enumerate(candidates):
        npv_low, npv_high = float(npv[2 * i]), float(npv[2 * i + 1])
        swing = abs(npv_high - npv_low)
        if swing <= 1e-9 * max(1.0, abs(npv_low)):
            continue
        rows.append(
            TornadoRow(
                path,
                describe(case, path),
                value_at(case, path),
                low,
                high,
                source,
                npv_low,
                npv_high,
                swing,
            )
        )
    rows.sort(key=lambda r: -r.swing)
    return rows


def two_way(
    case, first: str, second: str, points: int = 11, spread: float = DEFAULT_SPREAD
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """NPV over a ``points`` × ``points`` grid of two inputs across their ranges: (values
    of the first, values of the second, NPV with rows for the first input)."""
    low1, high1, _ = input_range(case, first, spread)
    low2, high2, _ = input_range(case, second, spread)
    a = np.linspace(low1, high1, points)
    b = np.linspace(low2, high2, points)
    grid_a, grid_b = np.meshgrid(a, b, indexing="ij")
    npv = evaluate_draws(case, {first: grid_a.ravel(), second: grid_b.ravel()}).npv
    return a, b, npv.reshape(points, points)


def _search_range(case, path: str) -> tuple[float, float]:
    lower, upper = bounds_of(case, path)
    value = value_at(case, path)
    low = lower if np.isfinite(lower) else min(0.0, value) - abs(value) * SEARCH_MULTIPLE
    if np.isfinite(upper) and upper - low <= max(1.0, abs(value)) * 1e3:
        high = upper
    else:
        high = max(abs(value) * SEARCH_MULTIPLE, low + 1.0)
    return float(low), float(high)


def _bracket(x: np.ndarray, f: np.ndarray, value: float) -> int | None:
    """Index k of the sign change f[k]·f[k+1] ≤ 0 nearest ``value`` (NaN has no sign)."""
    finite = np.isfinite(f)
    signs = np.sign(np.where(finite, f, np.nan))
    changes = np.nonzero(finite[:-1] & finite[1:] & (signs[:-1] * signs[1:] <= 0))[0]
    if changes.size == 0:
        return None
    return int(changes[np.argmin(np.abs(x[changes] - value))])


def _root(target, grid: np.ndarray, f: np.ndarray, value: float) -> float | None:
    """The root of ``target`` nearest ``value``: the sign change on ``grid`` (with values
    ``f``), narrowed by three finer grids of 64 points inside it (each one vectorised call),
    then the straight line between the last two points (a bracket 1/(400·63³) of the
    range wide, so the line's error is far below any figure shown)."""
    k = _bracket(grid, f, value)
    if k is None:
        return None
    a, b, fa, fb = grid[k], grid[k + 1], f[k], f[k + 1]
    for _ in range(3):
        if fa == 0 or fb == 0:
            break
        fine = np.linspace(a, b, 64)
        g = target(fine)
        j = _bracket(fine, g, value)
        if j is None:
            break
        a, b, fa, fb = fine[j], fine[j + 1], g[j], g[j + 1]
    if fa == 0:
        return float(a)
    if fb == 0:
        return float(b)
    return float(a - fa * (b - a) / (fb - fa))


def _no_crossing(what: str, f: np.ndarray, low: float, high: float) -> str:
    finite = f[np.isfinite(f)]
    span = f"from {format_input(low)} to {format_input(high)}"
    if what == "npv":
        if finite.size and finite.min() > 0:
            return f"none in range: NPV > 0 {span}"
        if finite.size and finite.max() < 0:
            return f"none in range: NPV < 0 {span}"
        return f"none in range {span}"
    if not finite.size:
        return f"none in range: never pays back {span}"
    if finite.min() > 0:
        return f"none in range: payback later {span}"
    return f"none in range: payback earlier {span}"


def break_even(case, path: str, payback_target_months: float | None = None) -> BreakEven:
    """The break-even values of one input (see the module docstring)."""
    value = value_at(case, path)
    low, high = _search_range(case, path)
    grid = np.linspace(low, high, GRID_POINTS)
    figures = evaluate_draws(case, {path: grid})  # NPV and payback of the grid at once

    def npv(values: np.ndarray) -> np.ndarray:
        return evaluate_draws(case, {path: values}).npv

    zero = _root(npv, grid, figures.npv, value)
    note = _no_crossing("npv", figures.npv, low, high) if zero is None else None
    target_value, target_note = None, None
    if payback_target_months is not None:

        def payback_gap(values: np.ndarray) -> np.ndarray:
            months = evaluate_draws(case, {path: values}).payback_months
            return months - payback_target_months  # NaN (never) has no sign: skipped

        gap = figures.payback_months - payback_target_months
        target_value = _root(payback_gap, grid, gap, value)
        if target_value is None:
            target_note = _no_crossing("payback", gap, low, high)
    if zero is not None and is_integer_input(case, path):
        note = "a whole-number input: the break-even lies between two whole numbers"
    return BreakEven(path, describe(case, path), value, zero, note, target_value, target_note)


def break_evens(
    case, paths: list[str], payback_target_months: float | None = None
) -> list[BreakEven]:
    return [break_even(case, path, payback_target_months) for path in paths]


# --- scenarios ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioResult:
    """A named scenario's values and figures (unadjusted view), and its NPV's difference
    from the case as written."""

    name: str
    values: dict[str, float]
    npv: float
    roi: float | None
    payback_months: float | None
    npv_change: float


def default_scenarios(case, spread: float = DEFAULT_SPREAD) -> list[tuple[str, dict[str, float]]]:
    """Conservative, expected and optimistic (see the module docstring)."""
    paths = [entry.input for entry in case.uncertainty]
    rows = tornado(case, spread, paths or None)
    if not paths:
        rows = rows[:5]
    worse = {r.input: (r.low if r.npv_low < r.npv_high else r.high) for r in rows}
    better = {r.input: (r.high if r.npv_low < r.npv_high else r.low) for r in rows}
    return [("conservative", worse), ("expected", {}), ("optimistic", better)]


def scenario_results(case, spread: float = DEFAULT_SPREAD) -> list[ScenarioResult]:
    """The case's scenarios (its own, or the defaults) evaluated side by side."""
    named = [(s.name, dict(s.values)) for s in case.scenarios] or default_scenarios(case, spread)
    base = evaluate_draws(case, {}).npv[0]
    out = []
    for name, values in named:
        figures = evaluate_draws(case, {p: np.array([v]) for p, v in values.items()})
        roi = float(figures.roi[0])
        payback = float(figures.payback_months[0])
        out.append(
            ScenarioResult(
                name, {p: float(v) for p, v in values.items()}, float(figures.npv[0]),
                None if np.isnan(roi) else roi, None if np.isnan(payback) else payback,
                float(figures.npv[0] - base),
            )
        )  # fmt: skip
    return out


def sensitivity_to_dict(
    case, rows: list[TornadoRow], evens: list[BreakEven], scenarios: list[ScenarioResult],
    payback_target_months: float | None,
) -> dict:  # fmt: skip
    """The `python -m roi sensitivity --json` object (unadjusted view, case currency)."""
    from dataclasses import asdict

    return {
        "currency": case.currency,
        "view": "unadjusted",
        "npv": float(evaluate_draws(case, {}).npv[0]),
        "payback_target_months": payback_target_months,
        "tornado": [asdict(r) for r in rows],
        "break_even": [asdict(b) for b in evens],
        "scenarios": [asdict(s) for s in scenarios],
    }
