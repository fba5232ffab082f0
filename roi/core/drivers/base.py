"""What every line item shares, and the context its driver formula is computed in.

A driver is a pydantic model with a ``type`` tag and a ``monthly_amounts(context)`` method
returning one amount per period (0..12·H), before risk adjustment, as positive money.
Adding a driver means writing one such class and listing it in its registry
(``roi.core.drivers.benefits.BENEFIT_DRIVERS`` or ``roi.core.drivers.costs.COST_DRIVERS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError

from roi.core.model import MODEL_CONFIG, NonNegative
from roi.core.timeline import Timeline

Evidence = Literal["measured", "benchmark", "assumed"]
EVIDENCE_TIERS: tuple[Evidence, ...] = ("measured", "benchmark", "assumed")


def yearly_factor(year_of_period: np.ndarray, annual_change: float) -> np.ndarray:
    """Growth or escalation as yearly steps: (1 + annual_change)^(y - 1) in year y, 1 in
    period 0 (year 0) and in year 1. With one rate per simulation draw (shape (draws, 1)),
    the power is taken once per year and spread over the months."""
    steps = np.maximum(year_of_period - 1, 0)
    if np.ndim(annual_change) == 0:
        return (1.0 + annual_change) ** steps
    per_year = (1.0 + np.asarray(annual_change)) ** np.arange(int(steps.max()) + 1)
    return per_year[..., steps]


@dataclass(frozen=True)
class DriverContext:
    """Inputs every driver may use besides its own fields.

    Attributes
    ----------
    timeline : Timeline
        The case's periods.
    adoption : numpy.ndarray
        Adoption share per period (0 in period 0).
    volume_growth : numpy.ndarray
        Factor per period on volumes of work: (1 + g)^(y - 1) in year y, g the case's
        ``annual_volume_growth``; 1 in period 0.
    """

    timeline: Timeline
    adoption: np.ndarray
    volume_growth: np.ndarray

    def yearly_factor(self, annual_change: float) -> np.ndarray:
        """(1 + annual_change)^(y - 1) for each period in year y; 1 in period 0 and year 1."""
        return yearly_factor(self.timeline.year_of_period, annual_change)

    def months_from(self, first_month: int) -> np.ndarray:
        """1.0 for months ≥ first_month, 0.0 before (and in period 0)."""
        return (self.timeline.period_index >= first_month).astype(float)


class LineItemBase(BaseModel):
    """Fields every benefit and cost line item has."""

    model_config = MODEL_CONFIG

    name: Annotated[str, Field(min_length=1, max_length=120, pattern=r"\S")]
    risk: Annotated[float, Field(ge=0, le=0.9)] = 0.0
    evidence: Evidence = "assumed"
    source: str | None = None
    note: str | None = None
    # A caution about the value that every report repeats (e.g. a pilot result that is not
    # statistically significant, used at its point estimate).
    warning: str | None = None

    @model_validator(mode="after")
    def _benchmark_names_its_source(self) -> LineItemBase:
        if self.evidence == "benchmark" and not (self.source and self.source.strip()):
            raise PydanticCustomError(
                "benchmark_source", "a 'benchmark' line must name its source in 'source'"
            )
        return self

    def horizon_problems(self, horizon_years: int) -> list[tuple[str, str]]:
        """(field, message) pairs for inputs that do not fit a horizon of H years."""
        return []


class ExplicitAmounts(LineItemBase):
    """Amounts typed per year or per month, e.g. copied from a study; never scaled by
    adoption. A yearly amount is spread evenly over that year's twelve months (so the
    ``year_end`` convention sums it back exactly)."""

    type: Literal["explicit"]
    initial: NonNegative = 0.0
    by_year: list[NonNegative] = Field(default_factory=list)
    by_month: list[NonNegative] = Field(default_factory=list)

    def monthly_amounts(self, context: DriverContext) -> np.ndarray:
        first = np.zeros(context.timeline.periods)
        first[0] = 1.0
        out = self.initial * first
        if self.by_year:
            spread = np.repeat(np.asarray(self.by_year, dtype=float) / 12.0, 12)
            out[1 : 1 + spread.size] += spread
        if self.by_month:
            out[1 : 1 + len(self.by_month)] += self.by_month
        return out

    def horizon_problems(self, horizon_years: int) -> list[tuple[str, str]]:
        problems = []
        if len(self.by_year) > horizon_years:
            problems.append(
                (
                    "by_year",
                    f"must have at most {horizon_years} amounts (one per year of the horizon),"
                    f" got {len(self.by_year)}",
                )
            )
        if len(self.by_month) > 12 * horizon_years:
            problems.append(
                (
                    "by_month",
                    f"must have at most {12 * horizon_years} amounts (one per month of the"
                    f" horizon), got {len(self.by_month)}",
                )
            )
        return problems


def month_within_horizon(field: str, month: int, horizon_years: int) -> list[tuple[str, str]]:
    """A problem when a 1-based month lies after the horizon's last month."""
    if month > 12 * horizon_years:
        return [(field, f"must be ≤ {12 * horizon_years} (the horizon's last month), got {month}")]
    return []
