"""Discounting, NPV, IRR and payback: the engine's finance contract.

Conventions used throughout (see docs/methodology.md):

* Cash flows are per period, ``values[0]`` is period 0 (*Initial*), is dated at the start
  of the case and is **not** discounted. ``values[t]`` falls at the end of period ``t``.
* Rates are fractions (0.10 is 10 %).
* numpy-financial is wrapped here, and only here. Its ``npv`` follows the same timing
  convention as this module (first value at t = 0). Excel's ``NPV()`` does **not**: it
  discounts its first argument, so the Excel equivalent of ``npv(rate, values)`` is
  ``=NPV(rate, values[1:]) + values[0]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy_financial as npf
from numpy.typing import ArrayLike

Discounting = Literal["monthly", "year_end"]
DISCOUNTING_CONVENTIONS: tuple[Discounting, ...] = ("monthly", "year_end")

# Per-period IRR search range, as u = ln(1 + rate). The lower end keeps x**t finite for
# 120 periods; beyond these ends no IRR is reported (with the reason).
_MIN_PERIOD_RATE = -0.99
_MAX_PERIOD_RATE = 1.0e4
_GRID_POINTS = 513
# |NPV| at or below this share of the total absolute flow counts as zero (rounding noise).
_ZERO = 1e-12


def npv(rate: float, values: ArrayLike) -> float:
    """Net present value of per-period cash flows, the first at t = 0.

    Parameters
    ----------
    rate : float
        Discount rate per period, as a fraction (0.10 for 10 % per period).
    values : array_like
        Cash flows per period, in money; ``values[0]`` is at t = 0 and is not discounted.

    Returns
    -------
    float
        :math:`\\sum_t values_t / (1 + rate)^t`.

    Warnings
    --------
    Excel's ``NPV(rate, v1, v2, ...)`` discounts ``v1`` by one period. To reproduce this
    function in Excel keep the t = 0 flow outside: ``=NPV(rate, v1:vN) + v0``.

    Examples
    --------
    Microsoft's documented ``NPV`` example 2 (rate 8 %, an outlay of 40,000 now):

    >>> round(npv(0.08, [-40000, 8000, 9200, 10000, 12000, 14500]), 2)
    1922.06
    """
    return float(npf.npv(rate, np.asarray(values, dtype=float)))


def monthly_discount_factors(annual_rate: float, horizon_months: int) -> np.ndarray:
    """Discount factor of each period 0..horizon_months under the ``monthly`` convention.

    Month ``m`` is discounted by :math:`(1 + r)^{m/12}`, r the annual rate as a fraction;
    period 0 has factor 1.
    """
    months = np.arange(horizon_months + 1, dtype=float)
    if np.ndim(annual_rate) == 0:
        return (1.0 + annual_rate) ** (-months / 12.0)
    # One rate per draw (shape (draws, 1)): exp of a product is far cheaper than a power.
    out = np.multiply(-np.log1p(annual_rate), months / 12.0)
    return np.exp(out, out=out)


def year_end_discount_factors(annual_rate: float, horizon_years: int) -> np.ndarray:
    """Discount factor of each period 0..12·H under the ``year_end`` (TEI) convention.

    Every month of year ``y`` carries the year-end factor :math:`(1 + r)^{-y}`, so the
    monthly present values add up to the annual ones; period 0 has factor 1.
    """
    years = np.concatenate(([0.0], np.repeat(np.arange(1, horizon_years + 1, dtype=float), 12)))
    return (1.0 + annual_rate) ** (-years)


def discount_factors(
    annual_rate: float, horizon_years: int, discounting: Discounting
) -> np.ndarray:
    """Discount factors for periods 0..12·H under the named convention.

    Raises
    ------
    ValueError
        For an unknown convention; the message lists the valid ones.
    """
    if discounting == "monthly":
        return monthly_discount_factors(annual_rate, 12 * horizon_years)
    if discounting == "year_end":
        return year_end_discount_factors(annual_rate, horizon_years)
    raise ValueError(
        f"unknown discounting {discounting!r}; valid: {', '.join(DISCOUNTING_CONVENTIONS)}"
    )


@dataclass(frozen=True)
class IrrResult:
    """Internal rate of return per period, or ``None`` with the reason.

    Attributes
    ----------
    rate : float or None
        IRR per period as a fraction, ``None`` when undefined.
    note : str or None
        Why ``rate`` is ``None``, or a caution when it is not.
    multiple_sign_changes : bool
        The flows change sign more than once, so several IRRs may exist; the one closest
        to zero is reported (as numpy-financial does).
    """

    rate: float | None
    note: str | None
    multiple_sign_changes: bool


def _sign_changes(values: np.ndarray) -> int:
    signs = np.sign(values[values != 0])
    return int(np.count_nonzero(signs[1:] != signs[:-1]))


def _npv_in_u(u: np.ndarray | float, values: np.ndarray, periods: np.ndarray) -> np.ndarray:
    """NPV at rate ``exp(u) - 1``; ``u`` may be a vector of rates."""
    return np.exp(-np.multiply.outer(u, periods)) @ values


def _single_root_bracket(
    values: np.ndarray, periods: np.ndarray, u_low: float, u_high: float
) -> tuple[float, float] | None:
    """Bracket the unique root of NPV(u) when the flows change sign once.

    NPV tends to the sign of the first non-zero flow as the rate grows and to the sign of
    the last one as the rate falls towards -100 %, so the side of u = 0 holding the root
    is known from NPV(0); steps grow fourfold from 0.01 until the sign changes or the range
    ends (a wide bracket costs the Newton solver little; each extra step costs an NPV).
    """
    magnitudes = np.abs(values)
    f0 = float(values.sum())
    if abs(f0) <= _ZERO * float(magnitudes.sum()):
        return (0.0, 0.0)
    first = float(values[np.flatnonzero(values)[0]])
    direction = -1.0 if np.sign(f0) == np.sign(first) else 1.0
    bound = u_low if direction < 0 else u_high
    previous, step = 0.0, 0.01
    while True:
        u = direction * step
        if abs(u) >= abs(bound):
            u = bound
        factors = np.exp(-u * periods)
        fu = float(factors @ values)
        # Rounding noise is relative to the flows' size at this rate, not at rate 0.
        if abs(fu) <= _ZERO * float(factors @ magnitudes):
            return (u, u)
        if np.sign(fu) != np.sign(f0):
            return (min(previous, u), max(previous, u))
        if u == bound:
            return None
        previous, step = u, step * 4.0


def _roots_on_grid(
    values: np.ndarray, periods: np.ndarray, u_low: float, u_high: float
) -> list[float]:
    """Every sign change of NPV(u) on a grid dense near u = 0 (sinh spacing)."""
    scale = 0.01
    s = np.linspace(math.asinh(u_low / scale), math.asinh(u_high / scale), _GRID_POINTS)
    grid = scale * np.sinh(s)
    f = _npv_in_u(grid, values, periods)
    f[np.abs(f) <= _ZERO * _npv_in_u(grid, np.abs(values), periods)] = 0.0
    roots = [float(u) for u in grid[f == 0.0]]
    for i in np.flatnonzero(np.sign(f[:-1]) * np.sign(f[1:]) < 0):
        roots.append(_solve(values, periods, grid[i], grid[i + 1]))
    return roots


def _solve(values: np.ndarray, periods: np.ndarray, low: float, high: float) -> float:
    """Root of NPV(u) inside [low, high], whose ends have opposite signs (or are equal).

    Safeguarded Newton (Press et al., *Numerical Recipes*, ``rtsafe``): a Newton step when it
    stays inside the bracket and shrinks it fast enough, else bisection; the bracket always
    holds the root. Converges to 1e-13 in u in a handful of steps for cash-flow series.
    """
    if low == high:
        return low
    f_low = float(np.exp(-low * periods) @ values)
    f_high = float(np.exp(-high * periods) @ values)
    if f_low > 0:  # orient so that f(low) < 0 < f(high)
        low, high, f_low, f_high = high, low, f_high, f_low
    # Start where the chord between the bracket's ends crosses zero: for the smooth NPV
    # curve this is close to the root, and Newton then needs few steps.
    u = low + (high - low) * f_low / (f_low - f_high) if f_high != f_low else 0.5 * (low + high)
    step_before = abs(high - low)
    step = step_before
    weighted = periods * values
    for _ in range(200):
        e = np.exp(-u * periods)
        f = float(e @ values)
        if f == 0.0:
            return u
        slope = -float(e @ weighted)
        if f < 0:
            low = u
        else:
            high = u
        newton_ok = slope != 0 and (
            ((u - high) * slope - f) * ((u - low) * slope - f) < 0
            and abs(2.0 * f) <= abs(step_before * slope)
        )
        step_before = step
        if newton_ok:
            step = f / slope
            u -= step
        else:
            step = 0.5 * (high - low)
            u = low + step
        if abs(step) < 1e-13:
            return u
    return u


def irr(values: ArrayLike) -> IrrResult:
    """Internal rate of return per period: the rate at which :func:`npv` is zero.

    Parameters
    ----------
    values : array_like
        Cash flows per period, ``values[0]`` at t = 0 (the same convention as :func:`npv`).

    Returns
    -------
    IrrResult
        The rate per period (a fraction) or ``None`` with the reason.

    Notes
    -----
    Solved for :math:`u = \\ln(1 + rate)` by safeguarded Newton steps inside a bracket
    (absolute tolerance 1e-13 in u), for rates from -99 % to 1,000,000 % per period. With one sign
    change in the flows the root is unique (Descartes' rule of signs), and the bracket is
    found by stepping away from rate 0. With several sign changes every bracket on a
    513-point grid (dense near 0) is solved and the root closest to zero is returned, as
    numpy-financial's ``irr`` does; roots where NPV touches zero without crossing it, or two
    roots inside one grid step, are not found.

    Policy for undefined cases: flows that are all zero or never change sign have no IRR;
    flows whose NPV does not cross zero inside the search range get ``None`` with that
    reason. ``nan`` is never returned.

    Examples
    --------
    Microsoft's documented ``IRR`` example (an outlay of 70,000, then five inflows):

    >>> round(irr([-70000, 12000, 15000, 18000, 21000, 26000]).rate, 4)
    0.0866
    >>> irr([100, 200]).note
    'the cash flows never change sign (no outlay against inflows), so there is no IRR'
    """
    v = np.asarray(values, dtype=float)
    if not np.any(v):
        return IrrResult(None, "all cash flows are zero, so there is no IRR", False)
    changes = _sign_changes(v)
    if changes == 0:
        return IrrResult(
            None,
            "the cash flows never change sign (no outlay against inflows), so there is no IRR",
            False,
        )
    multiple = changes > 1
    periods = np.arange(v.size, dtype=float)
    # Keep exp(-u * t) finite for the longest flow series.
    u_low = max(math.log1p(_MIN_PERIOD_RATE), -700.0 / max(v.size - 1, 1))
    u_high = math.log1p(_MAX_PERIOD_RATE)
    if multiple:
        roots = _roots_on_grid(v, periods, u_low, u_high)
    else:
        bracket = _single_root_bracket(v, periods, u_low, u_high)
        roots = [] if bracket is None else [_solve(v, periods, *bracket)]
    if not roots:
        return IrrResult(
            None,
            "NPV does not cross zero for any rate between -99% and 1,000,000% per period,"
            " so there is no IRR",
            multiple,
        )
    rates = np.expm1(np.asarray(roots))
    rate = float(rates[np.argmin(np.abs(rates))])
    note = (
        "the cash flows change sign more than once, so several IRRs may exist;"
        " this is the one closest to zero"
        if multiple
        else None
    )
    return IrrResult(rate, note, multiple)


def annualise_monthly_rate(monthly_rate: float) -> float:
    """Annual equivalent :math:`(1 + r_m)^{12} - 1` of a monthly rate (fractions)."""
    return (1.0 + monthly_rate) ** 12 - 1.0


def payback_periods(values: ArrayLike) -> float | None:
    """Periods after which the cumulative cash flow stays ≥ 0 to the end.

    Parameters
    ----------
    values : array_like
        Cash flows per period, ``values[0]`` at t = 0.

    Returns
    -------
    float or None
        0 when the cumulative flow is never negative; ``None`` when it ends negative (no
        payback within the horizon); otherwise ``j + (-cum_j) / values_{j+1}`` where ``j``
        is the last period whose cumulative flow is negative, i.e. linear interpolation
        inside the period in which it last crosses to non-negative (flows even through
        that period).

    Notes
    -----
    A cumulative value within 10⁻¹² of the total absolute flow of zero counts as zero, so
    rounding noise from spreading amounts over months never creates a spurious crossing.

    Examples
    --------
    >>> payback_periods([-100, 40, 40, 40])
    2.5
    >>> payback_periods([-100, 40, 40]) is None
    True
    """
    return payback_periods_by_row(np.asarray(values, dtype=float)[np.newaxis, :])[0]


def payback_periods_array(rows: np.ndarray) -> np.ndarray:
    """:func:`payback_periods_by_row` as an array, NaN where a row never pays back: the
    form simulations use for many thousands of rows at once."""
    cumulative = np.cumsum(rows, axis=1)
    tolerance = _ZERO * np.abs(rows).sum(axis=1)
    below = cumulative < -tolerance[:, np.newaxis]
    end = rows.shape[1] - 1
    last = end - below[:, ::-1].argmax(axis=1)
    index = np.arange(rows.shape[0])
    out = np.full(rows.shape[0], np.nan)
    finite = np.isfinite(rows).all(axis=1)  # a row with NaN never pays back
    out[~below[index, last] & finite] = 0.0
    crossing = below[index, last] & (last < end) & finite
    j = last[crossing]
    rows_at = index[crossing]
    out[crossing] = j + (-cumulative[rows_at, j] / rows[rows_at, j + 1])
    return out


def payback_periods_by_row(rows: np.ndarray) -> list[float | None]:
    """:func:`payback_periods` of each row of a 2-D array of cash flows, in one pass."""
    cumulative = np.cumsum(rows, axis=1)
    tolerance = _ZERO * np.abs(rows).sum(axis=1)
    below = cumulative < -tolerance[:, np.newaxis]
    end = rows.shape[1] - 1
    # Index of the last period whose cumulative flow is negative, per row.
    last = end - below[:, ::-1].argmax(axis=1)
    out: list[float | None] = []
    for i, j in enumerate(last.tolist()):
        if not below[i, j]:
            out.append(0.0)
        elif j == end:
            out.append(None)
        else:
            out.append(j + float(-cumulative[i, j] / rows[i, j + 1]))
    return out
