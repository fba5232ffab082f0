"""The business case of one use case: what a case file holds, validated."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Annotated

from pydantic import BaseModel, Field, field_validator, model_validator

from roi.core.curves import AdoptionCurve
from roi.core.distributions import Correlation, Scenario, UncertainInput, uncertainty_problems
from roi.core.drivers.benefits import BenefitItem
from roi.core.drivers.costs import CostItem
from roi.core.finance import Discounting
from roi.core.model import MODEL_CONFIG, AnnualChange
from roi.core.timeline import START_RULE, Timeline, parse_start

MAX_HORIZON_YEARS = 10


class BusinessCase(BaseModel):
    """A business case: calendar, discounting, adoption and line items.

    Money amounts are in ``currency``; rates are fractions (0.10 is 10 %). Cross-field rules
    (line items fitting the horizon, unique names) are checked after the fields, and their
    messages start with the path of the offending field.
    """

    model_config = MODEL_CONFIG

    name: Annotated[str, Field(min_length=1, max_length=120, pattern=r"\S")]
    use_case_id: str | None = None
    description: str | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "USD"
    start: str
    horizon_years: Annotated[int, Field(ge=1, le=MAX_HORIZON_YEARS)] = 3
    discount_rate: Annotated[float, Field(ge=0, le=1)] = 0.10
    discounting: Discounting = "monthly"
    annual_volume_growth: AnnualChange = 0.0
    adoption: AdoptionCurve | None = None
    benefits: list[BenefitItem] = Field(default_factory=list)
    costs: list[CostItem] = Field(default_factory=list)
    uncertainty: list[UncertainInput] = Field(default_factory=list)
    correlations: list[Correlation] = Field(default_factory=list)
    scenarios: list[Scenario] = Field(default_factory=list)

    @field_validator("start", mode="before")
    @classmethod
    def _start_is_a_month(cls, value: object) -> object:
        if isinstance(value, dt.date):  # YAML reads an unquoted 2027-01-15 as a date
            raise ValueError(f"{START_RULE}, got the date {value.isoformat()}")
        if isinstance(value, str):
            parse_start(value)
        return value

    @model_validator(mode="after")
    def _fits_horizon(self) -> BusinessCase:
        problems = case_problems(self)
        if problems:
            raise ValueError("\n".join(f"{path}: {message}" for path, message in problems))
        return self

    @property
    def timeline(self) -> Timeline:
        return timeline_of(self.start, self.horizon_years)

    @property
    def warnings(self) -> tuple[str, ...]:
        """Each line item's ``warning``, as "line name: warning", benefits first."""
        return tuple(
            f"{item.name}: {item.warning}" for item in (*self.benefits, *self.costs) if item.warning
        )

    @property
    def benefit_warnings(self) -> bool:
        """Whether a benefit line carries a warning about its value."""
        return any(item.warning for item in self.benefits)


@lru_cache(maxsize=256)
def timeline_of(start: str, horizon_years: int) -> Timeline:
    """The (immutable) timeline of a start month and horizon, built once and shared."""
    year, month = parse_start(start)
    return Timeline(year, month, horizon_years)


def case_problems(case: BusinessCase) -> list[tuple[str, str]]:
    """Cross-field problems as (path, message): items that do not fit the horizon, adoption
    steps beyond it, line items without a unique name, a case with no line item."""
    problems: list[tuple[str, str]] = []
    horizon = case.horizon_years
    if case.adoption is not None and case.adoption.curve == "steps":
        count = len(case.adoption.shares_by_year)
        if count > horizon:
            problems.append(
                (
                    "adoption.shares_by_year",
                    f"must have at most {horizon} shares (one per year of the horizon),"
                    f" got {count}",
                )
            )
    if case.adoption is not None and case.adoption.curve == "measured":
        last = case.adoption.first_observed_month + len(case.adoption.observed) - 1
        if last > 12 * horizon:
            problems.append(
                (
                    "adoption.observed",
                    f"runs to month {last}, past the horizon's {12 * horizon} months",
                )
            )
    seen: dict[str, str] = {}
    for kind, items in (("benefits", case.benefits), ("costs", case.costs)):
        for index, item in enumerate(items):
            path = f"{kind}[{index}]"
            for field, message in item.horizon_problems(horizon):
                problems.append((f"{path}.{field}", message))
            if item.name in seen:
                problems.append(
                    (f"{path}.name", f"duplicates the name of {seen[item.name]}: {item.name!r}")
                )
            else:
                seen[item.name] = path
    if not case.benefits and not case.costs:
        problems.append(("benefits", "a case needs at least one benefit or cost line item"))
    problems += uncertainty_problems(case)
    return problems
