"""Number formatting: one module, never `-0`, never `nan`, separators and currency."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roi.io.formatting import (
    format_money,
    format_months,
    format_number,
    format_percent,
    format_ratio,
)


@pytest.mark.parametrize(
    ("value", "currency", "decimals", "expected"),
    [
        (5496170.18, "USD", 0, "$5,496,170"),
        (-53150, "USD", 0, "-$53,150"),
        (-0.4, "USD", 0, "$0"),
        (-0.004, "EUR", 2, "€0.00"),
        (1234.5, "GBP", 2, "£1,234.50"),
        (1234.5, "CHF", 0, "CHF 1,234"),
        (999.5, "USD", 0, "$1,000"),
        (None, "USD", 0, "–"),
        (math.nan, "USD", 0, "–"),
        (math.inf, "USD", 0, "–"),
    ],
)
def test_format_money(value, currency, decimals, expected):
    assert format_money(value, currency, decimals) == expected


@pytest.mark.parametrize(
    ("function", "value", "expected"),
    [
        (format_percent, 3.2868, "328.7%"),
        (format_percent, -0.0004, "0.0%"),
        (format_percent, None, "–"),
        (format_ratio, 4.28678, "4.29×"),
        (format_months, 0.67866, "0.7 months"),
        (format_months, 1.04, "1.0 month"),
        (format_months, None, "not within horizon"),
        (format_number, -0.01, "0"),
        (format_number, 1234567.891, "1,234,568"),
    ],
)
def test_other_formats(function, value, expected):
    assert function(value) == expected


@given(st.floats(allow_nan=True, allow_infinity=True), st.integers(0, 3))
def test_never_minus_zero_or_nan(value, decimals):
    for text in (
        format_money(value, "USD", decimals),
        format_number(value, decimals),
        format_percent(value, decimals),
        format_months(value),
        format_ratio(value, decimals),
    ):
        assert "nan" not in text.lower() and "inf" not in text.lower()
        stripped = text.lstrip("-$€£")
        if text.startswith("-"):
            assert any(ch in "123456789" for ch in stripped), text
