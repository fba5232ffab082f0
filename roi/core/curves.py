"""Adoption curves: the share a(m) in [0, 1] of eligible users active in month m."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, Field

from roi.core.model import MODEL_CONFIG, Fraction


def logistic_shares(ceiling, midpoint_month, steepness, horizon_months: int) -> np.ndarray:
    """ceiling / (1 + e^(−steepness·(m − midpoint))) for months 1..horizon_months; the
    parameters may be arrays of shape (draws, 1), giving one row per draw.

    1 / (1 + e^−x) is computed as (1 + tanh(x/2)) / 2: no overflow far from the midpoint.
    """
    months = np.arange(1, horizon_months + 1, dtype=float)
    shape = np.broadcast_shapes(
        months.shape, np.shape(ceiling), np.shape(midpoint_month), np.shape(steepness)
    )
    x = np.empty(shape)
    np.subtract(months, midpoint_month, out=x)
    x *= 0.5 * np.asarray(steepness, dtype=float)
    np.tanh(x, out=x)
    x += 1.0
    x *= 0.5 * np.asarray(ceiling, dtype=float)
    return x


class LogisticAdoption(BaseModel):
    """S-curve: :math:`a(m) = ceiling / (1 + e^{-steepness (m - midpoint\\_month)})`."""

    model_config = MODEL_CONFIG

    curve: Literal["logistic"]
    ceiling: Fraction
    midpoint_month: Annotated[float, Field(gt=0, le=600)]
    steepness: Annotated[float, Field(gt=0, le=10)] = 0.5

    def shares(self, horizon_months: int) -> np.ndarray:
        return logistic_shares(self.ceiling, self.midpoint_month, self.steepness, horizon_months)


class LinearAdoption(BaseModel):
    """Straight ramp: :math:`a(m) = ceiling \\cdot \\min(1, m / months\\_to\\_ceiling)`."""

    model_config = MODEL_CONFIG

    curve: Literal["linear"]
    ceiling: Fraction
    months_to_ceiling: Annotated[int, Field(ge=1, le=600)]

    def shares(self, horizon_months: int) -> np.ndarray:
        months = np.arange(1, horizon_months + 1, dtype=float)
        return self.ceiling * np.minimum(1.0, months / self.months_to_ceiling)


class StepAdoption(BaseModel):
    """One share per year (e.g. 0.3, 0.6, 0.85); the last share holds for later years."""

    model_config = MODEL_CONFIG

    curve: Literal["steps"]
    shares_by_year: Annotated[list[Fraction], Field(min_length=1)]

    def shares(self, horizon_months: int) -> np.ndarray:
        years = horizon_months // 12
        by_year = list(self.shares_by_year[:years])
        by_year += [by_year[-1]] * (years - len(by_year))
        return np.repeat(np.asarray(by_year, dtype=float), 12)


class MeasuredAdoption(BaseModel):
    """Measured adoption: the observed monthly shares where there are observations, the
    S-curve fitted to them elsewhere (the same formula as ``logistic``). Month
    ``first_observed_month`` of the case is ``observed[0]``; it is 0 or below when the
    observations began before the case (that history is kept for the record, not used).
    ``source`` says where the measurement comes from. Its evidence tier is measured."""

    model_config = MODEL_CONFIG

    curve: Literal["measured"]
    observed: Annotated[list[Fraction], Field(min_length=1, max_length=600)]
    first_observed_month: Annotated[int, Field(ge=-600, le=600)] = 1
    ceiling: Fraction
    midpoint_month: Annotated[float, Field(ge=-600, le=600)]
    steepness: Annotated[float, Field(gt=0, le=50)]
    source: Annotated[str, Field(min_length=1, pattern=r"\S")]

    def shares(self, horizon_months: int) -> np.ndarray:
        months = np.arange(1, horizon_months + 1, dtype=float)
        shares = logistic_shares(self.ceiling, self.midpoint_month, self.steepness, horizon_months)
        index = (months - self.first_observed_month).astype(int)
        inside = (index >= 0) & (index < len(self.observed))
        shares = np.array(shares, dtype=float)
        shares[..., inside] = np.asarray(self.observed, dtype=float)[index[inside]]
        return shares


AdoptionCurve = Annotated[
    LogisticAdoption | LinearAdoption | StepAdoption | MeasuredAdoption,
    Field(discriminator="curve"),
]
ADOPTION_CURVES: dict[str, type[BaseModel]] = {
    "logistic": LogisticAdoption,
    "linear": LinearAdoption,
    "steps": StepAdoption,
    "measured": MeasuredAdoption,
}


def adoption_by_period(curve: AdoptionCurve | None, horizon_months: int) -> np.ndarray:
    """Adoption share of periods 0..horizon_months; 0 in period 0 (nobody uses a tool
    before month 1), and 1 in every month when there is no curve.

    >>> adoption_by_period(None, 2).tolist()
    [0.0, 1.0, 1.0]
    """
    monthly = np.ones(horizon_months) if curve is None else curve.shares(horizon_months)
    # Curves with arrays of parameters (one per simulation draw) give one row per draw.
    zero = np.zeros((*monthly.shape[:-1], 1))
    return np.concatenate((zero, monthly), axis=-1)
