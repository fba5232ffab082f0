"""Finance core against sources nobody here wrote: Microsoft's documented Excel examples,
Adobe's FormCalc reference and numpy-financial 1.0.0 (the oracle), plus invariants."""

from __future__ import annotations

import math

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roi.core.finance import (
    annualise_monthly_rate,
    discount_factors,
    irr,
    npv,
    payback_periods,
)


def excel_npv(rate: float, values: list[float]) -> float:
    """Excel's NPV(): the first value is discounted one period, like every other."""
    return npv(rate, [0.0, *values])


# (rate, Excel NPV() arguments, value added outside NPV(), expected, source)
EXCEL_NPV_EXAMPLES = [
    (
        0.10,
        [-10000, 3000, 4200, 6800],
        0.0,
        1188.44,
        "Microsoft Support, NPV function, example 1: =NPV(A2, A3, A4, A5, A6) = $1,188.44",
    ),
    (
        0.08,
        [8000, 9200, 10000, 12000, 14500],
        -40000,
        1922.06,
        "Microsoft Support, NPV function, example 2: =NPV(A2, A4:A8)+A3 = $1,922.06",
    ),
    (
        0.08,
        [8000, 9200, 10000, 12000, 14500, -9000],
        -40000,
        -3749.47,
        "Microsoft Support, NPV function, example 2: =NPV(A2, A4:A8, -9000)+A3 = ($3,749.47)",
    ),
    (
        0.10,
        [500, 1500, 4000, 10000],
        0.0,
        11529.60863329007,
        "Adobe LiveCycle Designer FormCalc reference, NPV(0.10, 500, 1500, 4000, 10000)",
    ),
    (
        0.065,
        [5000],
        0.0,
        4694.83568075117,
        "Adobe LiveCycle Designer FormCalc reference, NPV(0.065, 5000)",
    ),
]


@pytest.mark.parametrize(("rate", "values", "outside", "expected", "source"), EXCEL_NPV_EXAMPLES)
def test_npv_reproduces_documented_examples(rate, values, outside, expected, source):
    # Our npv() keeps the first flow at t = 0; Excel's is written NPV(rate, v1..vN) + v0.
    assert excel_npv(rate, values) + outside == pytest.approx(expected, abs=0.005), source
    assert npv(rate, [outside, *values]) == pytest.approx(expected, abs=0.005), source


# (cash flows, expected IRR rounded as Excel displays it, decimals, source)
EXCEL_IRR_EXAMPLES = [
    ([-70000, 12000, 15000, 18000, 21000], -0.021, 3, "Microsoft Support, IRR, =IRR(A2:A6)"),
    (
        [-70000, 12000, 15000, 18000, 21000, 26000],
        0.087,
        3,
        "Microsoft Support, IRR, =IRR(A2:A7)",
    ),
    ([-70000, 12000, 15000], -0.444, 3, "Microsoft Support, IRR, =IRR(A2:A4,-10%)"),
]


@pytest.mark.parametrize(("values", "expected", "decimals", "source"), EXCEL_IRR_EXAMPLES)
def test_irr_reproduces_excel_examples(values, expected, decimals, source):
    result = irr(values)
    assert result.rate is not None and round(result.rate, decimals) == expected, source
    assert result.note is None and not result.multiple_sign_changes


@pytest.mark.parametrize(
    "values",
    [
        [-500000, *[8000.0] * 120],
        [-1, 0, 0, 0, 5],
        [0, 0, -100, 60, 60],
        [100, -250, 0, 0],
        [-1000, 100, 100, 100, 100],
        [-100, 230, -132],
    ],
)
def test_irr_agrees_with_numpy_financial(values):
    # numpy-financial 1.0.0 finds polynomial roots and returns the one closest to zero.
    expected = npf.irr(values)
    assert irr(values).rate == pytest.approx(expected, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    ("values", "note_part"),
    [
        ([0, 0, 0], "all cash flows are zero"),
        ([100, 200, 300], "never change sign"),
        ([-100, -200], "never change sign"),
        ([1, -1e9], "does not cross zero"),
    ],
)
def test_irr_is_none_with_a_reason(values, note_part):
    result = irr(values)
    assert result.rate is None
    assert note_part in result.note


def test_irr_flags_several_sign_changes():
    # -100, +230, -132 has IRRs of 10 % and 20 %; the one closest to zero is reported.
    result = irr([-100, 230, -132])
    assert result.multiple_sign_changes
    assert result.rate == pytest.approx(0.10, abs=1e-10)
    assert "several IRRs" in result.note


def test_discount_factor_conventions():
    monthly = discount_factors(0.10, 1, "monthly")
    assert monthly[0] == 1.0
    assert monthly[12] == pytest.approx(1 / 1.1)
    assert monthly[6] == pytest.approx(1.1**-0.5)
    year_end = discount_factors(0.10, 2, "year_end")
    assert year_end[0] == 1.0
    assert np.allclose(year_end[1:13], 1 / 1.1)
    assert np.allclose(year_end[13:25], 1 / 1.21)
    with pytest.raises(ValueError, match="valid: monthly, year_end"):
        discount_factors(0.10, 1, "daily")  # type: ignore[arg-type]


def test_monthly_npv_equals_numpy_financial_at_the_equivalent_monthly_rate():
    flows = np.r_[-1000.0, np.linspace(10, 130, 36)]
    ours = float(flows @ discount_factors(0.12, 3, "monthly"))
    monthly_rate = 1.12 ** (1 / 12) - 1
    assert ours == pytest.approx(npf.npv(monthly_rate, flows), rel=1e-12)
    assert annualise_monthly_rate(monthly_rate) == pytest.approx(0.12)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([-100, 40, 40, 40], 2.5),  # crosses inside period 3
        ([-100, 50, 50], 2.0),  # exactly zero at the end of period 2
        ([100, 10], 0.0),  # never negative
        ([0, 0, 5], 0.0),
        ([-100, 40, 40], None),  # ends negative
        ([-100, 200, -150, 100], 2.5),  # dips again in period 2: the last crossing counts
        ([-10, -10, 30], 1 + 20 / 30),  # negative for two periods
    ],
)
def test_payback_periods(values, expected):
    result = payback_periods(values)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


money = st.floats(min_value=1.0, max_value=1e7, allow_nan=False, allow_infinity=False)


@st.composite
def investment(draw):
    """An outlay followed by 1..120 non-negative inflows with a positive total inflow."""
    outlay = draw(money)
    inflows = draw(
        st.lists(st.floats(min_value=0.0, max_value=1e7), min_size=1, max_size=120).filter(
            lambda xs: sum(xs) > 1.0
        )
    )
    return np.array([-outlay, *inflows])


@settings(max_examples=200, deadline=None)
@given(investment())
def test_npv_at_irr_is_zero(values):
    result = irr(values)
    if result.rate is None:
        assert "does not cross zero" in result.note
        return
    scale = float(np.abs(values).sum())
    assert abs(npv(result.rate, values)) <= 1e-7 * scale


@settings(max_examples=200, deadline=None)
@given(investment())
def test_npv_at_rate_zero_is_the_sum(values):
    assert npv(0.0, values) == pytest.approx(values.sum(), rel=1e-12, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(investment(), st.floats(min_value=0.01, max_value=100.0))
def test_scaling_scales_npv_and_keeps_irr_and_payback(values, k):
    assert npv(0.1, k * values) == pytest.approx(k * npv(0.1, values), rel=1e-9, abs=1e-6)
    base, scaled = irr(values), irr(k * values)
    if base.rate is None:
        assert scaled.rate is None
    else:
        assert scaled.rate == pytest.approx(base.rate, rel=1e-8, abs=1e-10)
    p, q = payback_periods(values), payback_periods(k * values)
    assert (p is None) == (q is None)
    if p is not None:
        assert q == pytest.approx(p, rel=1e-9)


@settings(max_examples=200, deadline=None)
@given(investment(), st.floats(0.0, 0.5), st.floats(0.001, 0.5))
def test_npv_falls_as_the_rate_rises(values, rate, step):
    assert npv(rate + step, values) <= npv(rate, values) + 1e-9 * float(np.abs(values).sum())


def test_irr_is_fast_path_consistent_for_long_monthly_series():
    # 121 monthly flows: the case the engine meets most; compared with numpy-financial.
    values = np.r_[-250000.0, np.full(120, 4000.0)]
    assert irr(values).rate == pytest.approx(npf.irr(values), rel=1e-10)
    assert math.isfinite(irr(values).rate)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # One outlay of 1 and one inflow of 1e15 after n periods: IRR = 1e15^(1/n) - 1
        # (closed form). Regression for issue #2 review: a tiny outlay was taken for zero.
        ([-1.0, *[0.0] * 9, 1e15], 1e15 ** (1 / 10) - 1),
        ([-1.0, *[0.0] * 119, 1e15], 1e15 ** (1 / 120) - 1),
        ([-1000.0, *[0.0] * 119, 1e15], (1e15 / 1000) ** (1 / 120) - 1),
    ],
)
def test_irr_with_a_tiny_outlay_against_huge_inflows(values, expected):
    assert irr(values).rate == pytest.approx(expected, rel=1e-9)


def test_payback_of_tiny_amounts_is_not_rounded_away():
    # A cost of 1e-10 with nothing after it never pays back (issue #2 review).
    assert payback_periods([-1e-10, 0.0, 0.0]) is None
    assert payback_periods([-1e4, *[0.0] * 119, 1e15]) == pytest.approx(119 + 1e4 / 1e15)
