"""Cost drivers: monthly spend before risk adjustment, entered as positive amounts. The
infrastructure driver lives in ``infrastructure`` and the usage-billed licence driver in
``licences``; both are registered here."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, Field

from roi.core.drivers.base import DriverContext, ExplicitAmounts, LineItemBase, month_within_horizon
from roi.core.drivers.infrastructure import Infrastructure
from roi.core.drivers.licences import UsageLicence
from roi.core.model import AnnualChange, Month, NonNegative


class OneTime(LineItemBase):
    """A one-off amount: all in period 0 (*Initial*) when ``spread_over_months`` is 0, else
    spread evenly over months 1..spread_over_months (a build phase)."""

    type: Literal["one_time"]
    amount: NonNegative
    spread_over_months: Annotated[int, Field(ge=0, le=1200)] = 0

    def monthly_amounts(self, context: DriverContext) -> np.ndarray:
        share = np.zeros(context.timeline.periods)  # the part of the amount in each period
        if self.spread_over_months == 0:
            share[0] = 1.0
        else:
            share[1 : 1 + self.spread_over_months] = 1.0 / self.spread_over_months
        return self.amount * share

    def horizon_problems(self, horizon_years: int) -> list[tuple[str, str]]:
        return month_within_horizon("spread_over_months", self.spread_over_months, horizon_years)


class Recurring(LineItemBase):
    """A monthly amount from ``start_month`` on, escalating yearly."""

    type: Literal["recurring"]
    monthly_amount: NonNegative
    annual_escalation: AnnualChange = 0.0
    start_month: Month = 1

    def monthly_amounts(self, context: DriverContext) -> np.ndarray:
        return (
            self.monthly_amount
            * context.months_from(self.start_month)
            * context.yearly_factor(self.annual_escalation)
        )

    def horizon_problems(self, horizon_years: int) -> list[tuple[str, str]]:
        return month_within_horizon("start_month", self.start_month, horizon_years)


class PerSeat(LineItemBase):
    """Licences: price_per_seat_per_month · seats, escalating yearly. With
    ``follow_adoption`` the seats bought in month m are ⌈seats · a(m)⌉ (whole seats for
    the active share of ``seats`` eligible users)."""

    type: Literal["per_seat"]
    price_per_seat_per_month: NonNegative
    seats: Annotated[int, Field(ge=0, le=10**15)]
    follow_adoption: bool = False
    annual_escalation: AnnualChange = 0.0

    def monthly_amounts(self, context: DriverContext) -> np.ndarray:
        if self.follow_adoption:
            # The tolerance keeps 0.1 * 30 = 3.0000000000000004 at 3 seats.
            # + 0.0 turns the -0.0 that ceil gives for tiny negatives into 0.0.
            seats = np.ceil(self.seats * context.adoption - 1e-9) + 0.0
        else:
            seats = self.seats * context.months_from(1)
        return self.price_per_seat_per_month * seats * context.yearly_factor(self.annual_escalation)


class Training(LineItemBase):
    """cost_per_new_user for each newly active user: eligible_users times the rise of
    adoption above its highest earlier level (nobody is trained twice)."""

    type: Literal["training"]
    cost_per_new_user: NonNegative
    eligible_users: NonNegative

    def monthly_amounts(self, context: DriverContext) -> np.ndarray:
        highest = np.maximum.accumulate(context.adoption, axis=-1)
        new_share = np.diff(highest, prepend=0.0, axis=-1)
        return self.cost_per_new_user * self.eligible_users * new_share


class Staff(LineItemBase):
    """Internal people: fte · loaded_annual_cost / 12 a month from ``start_month``,
    escalating yearly."""

    type: Literal["staff"]
    fte: NonNegative
    loaded_annual_cost: NonNegative
    annual_escalation: AnnualChange = 0.0
    start_month: Month = 1

    def monthly_amounts(self, context: DriverContext) -> np.ndarray:
        return (
            self.fte
            * self.loaded_annual_cost
            / 12.0
            * context.months_from(self.start_month)
            * context.yearly_factor(self.annual_escalation)
        )

    def horizon_problems(self, horizon_years: int) -> list[tuple[str, str]]:
        return month_within_horizon("start_month", self.start_month, horizon_years)


class ExplicitCost(ExplicitAmounts):
    __doc__ = ExplicitAmounts.__doc__


COST_DRIVERS: dict[str, type[BaseModel]] = {
    "infrastructure": Infrastructure,
    "one_time": OneTime,
    "recurring": Recurring,
    "per_seat": PerSeat,
    "usage_licence": UsageLicence,
    "training": Training,
    "staff": Staff,
    "explicit": ExplicitCost,
}

CostItem = Annotated[
    OneTime | Recurring | PerSeat | UsageLicence | Training | Staff | Infrastructure | ExplicitCost,
    Field(discriminator="type"),
]
