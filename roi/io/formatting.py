"""Number formatting for people: money, percentages, months. Never ``-0``, never ``nan``.

Every screen, table and export formats numbers through these functions, so a figure reads
the same everywhere.
"""

from __future__ import annotations

import math

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}
MISSING = "–"


def _clean(value: float, decimals: int) -> float:
    """Round, and turn a rounded negative zero into zero."""
    rounded = round(value, decimals)
    return 0.0 if rounded == 0 else rounded


def format_money(value: float | None, currency: str = "USD", decimals: int = 0) -> str:
    """Money with thousands separators and the currency's symbol (or code).

    >>> format_money(-53150, "USD")
    '-$53,150'
    >>> format_money(1234.5, "CHF", decimals=2)
    'CHF 1,234.50'
    >>> format_money(-0.2, "EUR")
    '€0'
    >>> format_money(None)
    '–'
    """
    if value is None or not math.isfinite(value):
        return MISSING
    amount = _clean(value, decimals)
    symbol = CURRENCY_SYMBOLS.get(currency)
    digits = f"{abs(amount):,.{decimals}f}"
    body = f"{symbol}{digits}" if symbol else f"{currency} {digits}"
    return f"-{body}" if amount < 0 else body


def format_number(value: float | None, decimals: int = 0) -> str:
    """A plain number with thousands separators.

    >>> format_number(1234567.891, 1)
    '1,234,567.9'
    """
    if value is None or not math.isfinite(value):
        return MISSING
    return f"{_clean(value, decimals):,.{decimals}f}"


def format_percent(fraction: float | None, decimals: int = 1) -> str:
    """A fraction as a percentage: 3.2868 → ``328.7%``.

    >>> format_percent(3.28678)
    '328.7%'
    >>> format_percent(-0.00001)
    '0.0%'
    """
    if fraction is None or not math.isfinite(fraction * 100.0):
        return MISSING
    return f"{_clean(fraction * 100.0, decimals):,.{decimals}f}%"


# IRR above this (1,000 % a year) is shown as "> 1,000%": it only arises from a tiny
# outlay against large flows, where the rate says nothing a reader can use.
IRR_CAP = 10.0
IRR_CAP_TEXT = "> 1,000%"
IRR_CAP_REASON = (
    "above 1,000% a year: a small outlay against large flows makes the rate meaningless;"
    " read NPV and payback instead"
)


def format_irr(rate: float | None, decimals: int = 1) -> str:
    """An annual IRR as a percentage, ``> 1,000%`` above :data:`IRR_CAP`, ``none`` when
    there is none.

    >>> format_irr(0.0871), format_irr(11.3), format_irr(None)
    ('8.7%', '> 1,000%', 'none')
    """
    if rate is None:
        return "none"
    if rate > IRR_CAP:
        return IRR_CAP_TEXT
    return format_percent(rate, decimals)


def format_ratio(value: float | None, decimals: int = 2) -> str:
    """A ratio such as a benefit–cost ratio: 4.2868 → ``4.29×``."""
    if value is None or not math.isfinite(value):
        return MISSING
    return f"{_clean(value, decimals):,.{decimals}f}×"


def format_months(months: float | None, none_text: str = "not within horizon") -> str:
    """Months to one decimal, or ``none_text`` when there is none.

    >>> format_months(0.6787)
    '0.7 months'
    >>> format_months(1.0)
    '1.0 month'
    >>> format_months(None)
    'not within horizon'
    """
    if months is None or not math.isfinite(months):
        return none_text
    value = _clean(months, 1)
    return f"{value:,.1f} month{'' if value == 1 else 's'}"


def format_input(value: float) -> str:
    """An input's value in a table: thousands grouped and whole from 1,000 up, four
    significant figures below.

    >>> format_input(18501.55), format_input(0.19612), format_input(1.8)
    ('18,502', '0.1961', '1.8')
    """
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
