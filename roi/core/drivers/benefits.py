"""Benefit drivers: monthly value before risk adjustment, scaled by adoption a(m)."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, Field

from roi.core.drivers.base import DriverContext, ExplicitAmounts, LineItemBase
from roi.core.model import AnnualChange, Fraction, NonNegative


class TimeSaved(LineItemBase):
    """Hours freed for eligible users, valued at their loaded hourly cost.

    eligible_users · a(m) · tasks_per_user_per_month · minutes_saved_per_task / 60
    · loaded_hourly_cost · productivity_recapture, with task volume growing by the case's
    ``annual_volume_growth`` and the hourly cost by ``annual_cost_escalation`` (yearly).
    """

    type: Literal["time_saved"]
    eligible_users: NonNegative
    tasks_per_user_per_month: NonNegative
    minutes_saved_per_task: NonNegative
    loaded_hourly_cost: NonNegative
    productivity_recapture: Fraction = 0.5
    annual_cost_escalation: AnnualChange = 0.0

    def monthly_amounts(self, context: DriverContext) -> np.ndarray:
        hours = self.eligible_users * self.tasks_per_user_per_month * self.minutes_saved_per_task
        value = hours / 60.0 * self.loaded_hourly_cost * self.productivity_recapture
        return (
            value
            * context.adoption
            * context.volume_growth
            * context.yearly_factor(self.annual_cost_escalation)
        )


class ResponseTime(LineItemBase):
    """Faster handling of a stream of items (tickets, e-mails, documents).

    Capacity: volume_per_month · a(m) · minutes_saved_per_item / 60 · loaded_hourly_cost;
    optionally retained revenue: customers · churn_reduction · annual_revenue_per_customer
    / 12 · gross_margin · a(m).
    """

    type: Literal["response_time"]
    volume_per_month: NonNegative
    minutes_saved_per_item: NonNegative
    loaded_hourly_cost: NonNegative
    annual_cost_escalation: AnnualChange = 0.0
    customers: NonNegative = 0.0
    churn_reduction: Fraction = 0.0
    annual_revenue_per_customer: NonNegative = 0.0
    gross_margin: Fraction = 1.0

    def monthly_amounts(self, context: DriverContext) -> np.ndarray:
        capacity = (
            self.volume_per_month
            * self.minutes_saved_per_item
            / 60.0
            * self.loaded_hourly_cost
            * context.volume_growth
            * context.yearly_factor(self.annual_cost_escalation)
        )
        retained = (
            self.customers
            * self.churn_reduction
            * self.annual_revenue_per_customer
            / 12.0
            * self.gross_margin
        )
        return (capacity + retained) * context.adoption


class ConversionLift(LineItemBase):
    """More leads won: leads_per_month · a(m) · conversion_lift · average_deal_value
    · gross_margin, lead volume growing with the case's ``annual_volume_growth``.
    ``conversion_lift`` is absolute (0.02 = two more wins per hundred leads)."""

    type: Literal["conversion_lift"]
    leads_per_month: NonNegative
    conversion_lift: Fraction
    average_deal_value: NonNegative
    gross_margin: Fraction

    def monthly_amounts(self, context: DriverContext) -> np.ndarray:
        value = (
            self.leads_per_month
            * self.conversion_lift
            * self.average_deal_value
            * self.gross_margin
        )
        return value * context.adoption * context.volume_growth


class CostAvoidance(LineItemBase):
    """Spend that no longer happens: monthly_amount · a(m), escalating yearly."""

    type: Literal["cost_avoidance"]
    monthly_amount: NonNegative
    annual_escalation: AnnualChange = 0.0

    def monthly_amounts(self, context: DriverContext) -> np.ndarray:
        return (
            self.monthly_amount * context.adoption * context.yearly_factor(self.annual_escalation)
        )


class ExplicitBenefit(ExplicitAmounts):
    __doc__ = ExplicitAmounts.__doc__


BENEFIT_DRIVERS: dict[str, type[BaseModel]] = {
    "time_saved": TimeSaved,
    "response_time": ResponseTime,
    "conversion_lift": ConversionLift,
    "cost_avoidance": CostAvoidance,
    "explicit": ExplicitBenefit,
}

BenefitItem = Annotated[
    TimeSaved | ResponseTime | ConversionLift | CostAvoidance | ExplicitBenefit,
    Field(discriminator="type"),
]
