"""The unit of each numeric input of a case, read from its name, and its value written in
that unit for people: a fraction as a percentage, money in the case's currency, minutes as
minutes. The workbook's Assumptions sheet, the break-even tables and the text reports share
it, so "0.75" never stands alone where "75%" is meant.
"""

from __future__ import annotations

from roi.io.formatting import format_input, format_money, format_percent

FRACTIONS = (
    "ceiling", "productivity_recapture", "gross_margin", "conversion_lift", "churn_reduction",
    "cache_hit_rate", "commitment_discount", "target_utilization", "risk",
)  # fmt: skip


# Inputs whose name alone says too little (a rate per second, a size in GB, a ratio).
NAMED_UNITS = {
    "capacity_rps_per_instance": "requests per second",
    "memory_gb": "GB",
    "seconds_per_request": "seconds",
    "free_gb_seconds_per_month": "GB-seconds per month",
    "free_requests_per_month": "requests per month",
    "input_tokens_per_request": "tokens per request",
    "output_tokens_per_request": "tokens per request",
    "peak_to_average": "ratio",
    "steepness": "per month",
    "min_instances": "instances",
    "seats": "seats",
    "included_units_per_seat": "units per seat per month",
    "usage_per_active_user_per_month": "units per month",
    "usage_sd_across_users": "units per month",
    "fte": "full-time equivalents",
    "observed": "fraction",
    "shares_by_year": "fraction",
    "share": "fraction",
    "by_year": "currency",
    "by_month": "currency",
    "initial": "currency",
}


# Money inputs whose amount is per something: the currency followed by this.
MONEY_PER = {
    "loaded_hourly_cost": "per hour",
    "hourly_price": "per instance-hour",
    "fixed_monthly_cost": "per month",
    "monthly_amount": "per month",
    "price_per_gb_second": "per GB-second",
    "price_per_million_requests": "per million requests",
    "price_per_million_input_tokens": "per million input tokens",
    "price_per_million_output_tokens": "per million output tokens",
    "price_per_seat_per_month": "per seat per month",
    "price_per_unit": "per unit",
    "annual_revenue_per_customer": "per customer per year",
    "average_deal_value": "per deal",
    "cost_per_new_user": "per new user",
    "loaded_annual_cost": "per FTE per year",
}


def unit_of(case, path: str) -> str:
    """The unit shown beside an input, read from its name: the case's currency code,
    ``per year (fraction)``, ``fraction``, ``month``, ``months``, ``per month``, ``minutes``,
    ``seconds``, ``count``, one of :data:`NAMED_UNITS` (GB, requests per second…), or
    the currency with what a price is per (``USD per hour``; :data:`MONEY_PER`)."""
    name = path.rsplit(".", 1)[-1].split("[", 1)[0]
    if name in MONEY_PER:
        return f"{case.currency} {MONEY_PER[name]}"
    named = NAMED_UNITS.get(name)
    if named is not None:
        return case.currency if named == "currency" else named
    if name in ("discount_rate", "annual_volume_growth") or "escalation" in name:
        return "per year (fraction)"  # before money: annual_cost_escalation is a rate
    if any(word in name for word in ("cost", "price", "amount", "value", "revenue")):
        return case.currency
    if name in FRACTIONS:
        return "fraction"
    if name.endswith("per_month"):
        return "per month"
    if name.endswith("_month"):
        return "month"
    if name.endswith("months"):
        return "months"
    if "minutes" in name:
        return "minutes"
    if "seconds" in name:
        return "seconds"
    return "count"


def format_value(case, path: str, value: float) -> str:
    """``value`` of the input at ``path`` in its unit.

    >>> from types import SimpleNamespace
    >>> case = SimpleNamespace(currency="USD")
    >>> format_value(case, "adoption.ceiling", 0.75), format_value(case, "discount_rate", 0.1)
    ('75.0%', '10.0% a year')
    >>> format_value(case, "benefits[0].annual_cost_escalation", 0.03)
    '3.0% a year'
    >>> format_value(case, "benefits[0].minutes_saved_per_task", 1.84)
    '1.84 minutes'
    >>> format_value(case, "adoption.midpoint_month", 4.5)
    'month 4.5'
    >>> format_value(case, "costs[0].amount", 42), format_value(case, "costs[0].amount", 1234.5)
    ('$42.00', '$1,234')
    """
    unit = unit_of(case, path)
    if unit == case.currency or unit.startswith(f"{case.currency} per "):
        return format_money(value, case.currency, 2 if abs(value) < 100 else 0)
    if unit == "fraction":
        return format_percent(value)
    if unit == "per year (fraction)":
        return f"{format_percent(value)} a year"
    if unit == "month":
        return f"month {value:.1f}"
    if unit in ("per month", "months", "minutes", "seconds"):
        suffix = "a month" if unit == "per month" else unit
        return f"{format_input(value)} {suffix}"
    return format_input(value)
