"""Usage-billed licences: a seat fee plus what the usage beyond the seats' allowance costs.

Since 1 June 2026 GitHub Copilot Business and Enterprise are billed this way (a seat price,
an allowance of AI credits per seat pooled across the organisation, $0.01 a credit beyond
it); Cursor's Teams plan includes usage per seat and bills usage beyond it at API prices.
The vendor's terms live in the line's ``licence`` block (:class:`roi.core.pricing.
LicencePricing`, which a preset can fill); the line itself says how many seats, how much
each active user uses and how that spreads across users.

Formula, per month *m* of the horizon (nothing in period 0):

* active users n(m) = seats · a(m), a the case's adoption curve;
* seats billed S(m) = seats, or ⌈seats · a(m)⌉ with ``follow_adoption``;
* usage per active user u(m) = usage_per_active_user_per_month · g(m), with
  g(m) = (1 + annual_usage_growth)^(y − 1) in year y (the spread s across users likewise);
* overage, in units: **pooled** max(0, n · u − S · A); **per user** n · E[max(0, U − A)],
  U a user's monthly usage, lognormal with mean u and standard deviation s
  (:func:`expected_excess`), or n · max(0, u − A) when no spread is given (every active
  user then uses exactly u — which understates the overage of an uneven team);
* cost = S · p_seat · e(m) + min(overage · p_unit · e(m), overage budget), A the allowance
  per seat, p_unit the price per unit (or the models' weighted price) and
  e(m) = (1 + annual_escalation)^(y − 1).

With no usage (or a zero unit price) the line costs what a ``per_seat`` line does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from roi.core.drivers.base import DriverContext, LineItemBase
from roi.core.model import AnnualChange, NonNegative
from roi.core.pricing import LicencePricing


def expected_excess(mean, sd, allowance) -> np.ndarray:
    """E[max(0, U − A)]: the expected units above an allowance A of a user whose monthly
    usage U is lognormal with the given mean and standard deviation (all in units a
    month; arrays broadcast).

    Notes
    -----
    The lognormal with mean m and standard deviation s has σ² = ln(1 + s²/m²) and
    μ = ln m − σ²/2. Its partial expectation E[U · 1(U > A)] = e^(μ + σ²/2) ·
    Φ((μ + σ² − ln A)/σ) and P(U > A) = Φ((μ − ln A)/σ), so

        E[max(0, U − A)] = m · Φ(d₁) − A · Φ(d₁ − σ),  d₁ = (ln(m/A) + σ²/2) / σ,

    the undiscounted Black (1976) call on a forward m struck at A.

    Edge cases: no spread (s = 0) gives max(0, m − A); no allowance (A = 0) gives m; no
    usage (m = 0) gives 0.

    References
    ----------
    Wikipedia, "Log-normal distribution", section *Partial expectation*;
    F. Black (1976), "The pricing of commodity contracts", J. Financial Economics 3, 167–179.

    Examples
    --------
    >>> round(float(expected_excess(100.0, 0.0, 80.0)), 6)
    20.0
    >>> round(float(expected_excess(100.0, 50.0, 0.0)), 6)
    100.0
    """
    from scipy.special import ndtr

    mean, sd, allowance = np.broadcast_arrays(
        np.asarray(mean, dtype=float), np.asarray(sd, dtype=float), np.asarray(allowance, float)
    )
    out = np.maximum(mean - allowance, 0.0)  # no spread, and no allowance (A = 0 gives m)
    spread = (sd > 0) & (mean > 0) & (allowance > 0)
    if np.any(spread):
        # Stand-ins of 1 where the formula does not apply keep the logarithms finite.
        m, s, a = (np.where(spread, value, 1.0) for value in (mean, sd, allowance))
        sigma2 = np.log1p((s / m) ** 2)
        # A spread too small to register (σ² = 0 in floating point) is no spread.
        spread &= sigma2 > 0
        sigma2 = np.where(spread, sigma2, 1.0)
        sigma = np.sqrt(sigma2)
        d1 = (np.log(m / a) + sigma2 / 2) / sigma
        out = np.where(spread, m * ndtr(d1) - a * ndtr(d1 - sigma), out)
    # m·Φ(d₁) and A·Φ(d₂) nearly cancel far below the allowance: never below 0.
    return np.maximum(out, 0.0)


@dataclass(frozen=True)
class LicenceBill:
    """One usage-billed line's bill per period (0..12·H; shapes broadcast over simulation
    draws): ``active_users`` n(m), ``seats_billed`` S(m), ``usage`` (units used in total),
    ``allowance`` (units included: the pool S·A, or, per user, what the active users'
    own allowances are), ``overage`` (units billed beyond it), ``seat_cost`` and
    ``usage_cost`` (money, after escalation and the overage budget)."""

    active_users: np.ndarray
    seats_billed: np.ndarray
    usage: np.ndarray
    allowance: np.ndarray
    overage: np.ndarray
    seat_cost: np.ndarray
    usage_cost: np.ndarray

    @property
    def total(self) -> np.ndarray:
        return self.seat_cost + self.usage_cost


class UsageLicence(LineItemBase):
    """A licence billed per seat plus usage beyond the seats' allowance (see the module's
    formula): ``seats`` eligible users, each active user using
    ``usage_per_active_user_per_month`` units (spread ``usage_sd_across_users`` across
    users), priced by the ``licence`` block."""

    type: Literal["usage_licence"]
    seats: Annotated[int, Field(ge=0, le=10**15)]
    follow_adoption: bool = False
    usage_per_active_user_per_month: NonNegative
    usage_sd_across_users: NonNegative = 0.0
    annual_usage_growth: AnnualChange = 0.0
    annual_escalation: AnnualChange = 0.0
    overage_budget_per_month: NonNegative | None = None
    licence: LicencePricing

    @model_validator(mode="after")
    def _spread_needs_usage(self) -> UsageLicence:
        if self.usage_sd_across_users > 0 and self.usage_per_active_user_per_month == 0:
            raise PydanticCustomError(
                "licence_usage",
                "usage_sd_across_users needs usage_per_active_user_per_month above 0 (a"
                " spread around no usage)",
            )
        return self

    def bill(self, context: DriverContext) -> LicenceBill:
        """The line's bill per period, part by part."""
        months = context.months_from(1)
        active = self.seats * context.adoption * months
        if self.follow_adoption:
            # As PerSeat: the tolerance keeps 0.1 · 30 = 3.0000000000000004 at 3 seats,
            # and + 0.0 turns ceil's -0.0 into 0.0.
            billed = np.ceil(self.seats * context.adoption - 1e-9) + 0.0
        else:
            billed = self.seats * months
        growth = context.yearly_factor(self.annual_usage_growth)
        per_user = self.usage_per_active_user_per_month * growth
        included = self.licence.included_units_per_seat
        usage = active * per_user
        if self.licence.allowance == "pooled":
            allowance = billed * included
            overage = np.maximum(usage - allowance, 0.0)
        else:
            allowance = active * included
            spread = self.usage_sd_across_users * growth
            overage = active * expected_excess(per_user, spread, included)
        escalation = context.yearly_factor(self.annual_escalation)
        seat_cost = self.licence.price_per_seat_per_month * billed * escalation
        usage_cost = overage * self.licence.unit_price * escalation
        if self.overage_budget_per_month is not None:
            usage_cost = np.minimum(usage_cost, self.overage_budget_per_month)
        return LicenceBill(
            active_users=np.asarray(active, dtype=float),
            seats_billed=np.asarray(billed, dtype=float),
            usage=np.asarray(usage, dtype=float),
            allowance=np.asarray(allowance, dtype=float),
            overage=np.asarray(overage, dtype=float),
            seat_cost=np.asarray(seat_cost, dtype=float),
            usage_cost=np.asarray(usage_cost, dtype=float),
        )

    def monthly_amounts(self, context: DriverContext) -> np.ndarray:
        return self.bill(context).total
