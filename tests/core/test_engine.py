"""The engine's conventions: drivers, adoption, risk adjustment, discounting, metrics.

Expected values are worked by hand from the formulas in docs/methodology.md (shown beside each) or
come from a published source (named), and the schedule is checked against numpy-financial.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roi import evaluate, load_case, parse_case
from roi.reports.tables import annual_rows

TEI = Path(__file__).parents[2] / "sample_data" / "reference" / "tei_salesloft.yaml"
SAMPLES = sorted((Path(__file__).parents[2] / "sample_data" / "cases").glob("*.yaml"))


def case(benefits=(), costs=(), **fields):
    data = {"name": "Test", "start": "2027-01", **fields}
    data["benefits"], data["costs"] = list(benefits), list(costs)
    return parse_case(data)


def explicit(name, **amounts):
    return {"name": name, "type": "explicit", **amounts}


def amounts(result, index=0, risk_adjusted=False):
    return result.view(risk_adjusted).line_amounts[index]


# --- A published TEI financial summary, to the dollar -------------------------------------


def test_reproduces_a_published_tei_cash_flow_table_to_the_dollar():
    # Forrester Consulting, "The Total Economic Impact Of SalesLoft", Cash Flow Table
    # (Risk-Adjusted), discount rate 10 %: PV costs $1,672,201, PV benefits $7,168,371,
    # net PV $5,496,170, ROI 329 %, payback < 6 months.
    result = evaluate(load_case(TEI))
    m = result.risk_adjusted.metrics
    assert round(m.pv_costs) == 1_672_201
    assert round(m.pv_benefits) == 7_168_371
    assert round(m.npv) == 5_496_170
    assert round(m.roi * 100) == 329
    assert m.payback_months < 6
    rows = {row["kind"]: row for row in annual_rows(result)}
    published = {
        "total_costs": (53150, 666715, 636772, 647783, 2004420),
        "total_benefits": (0, 1606511, 3061331, 4229760, 8897602),
    }
    for kind, (initial, y1, y2, y3, total) in published.items():
        # Costs are positive amounts here; the study prints them in parentheses.
        row = rows[kind]
        got = [row["initial"], row["year_1"], row["year_2"], row["year_3"], row["total"]]
        assert [round(v) for v in got] == [initial, y1, y2, y3, total], kind
    # The study's net row was computed before rounding: it prints Year 2 as $2,424,560 and
    # Year 3 as $3,581,976 where its printed benefits minus costs give ...559 and ...977.
    net = rows["net"]
    published_net = (-53150, 939796, 2424560, 3581976, 6893182)
    got = [net["initial"], net["year_1"], net["year_2"], net["year_3"], net["total"]]
    assert got == pytest.approx(published_net, abs=1.001)


# --- The schedule against numpy-financial -----------------------------------------------


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("risk_adjusted", [True, False])
def test_sample_npv_and_irr_agree_with_numpy_financial(path, risk_adjusted):
    result = evaluate(load_case(path))
    c = result.case
    view = result.view(risk_adjusted)
    if c.discounting == "monthly":
        flows = view.net
        rate = (1 + c.discount_rate) ** (1 / 12) - 1
        expected_irr = (1 + npf.irr(flows)) ** 12 - 1
    else:
        flows = np.r_[view.net[0], view.net[1:].reshape(c.horizon_years, 12).sum(axis=1)]
        rate = c.discount_rate
        expected_irr = npf.irr(flows)
    assert view.metrics.npv == pytest.approx(npf.npv(rate, flows), rel=1e-10)
    if np.isnan(expected_irr):  # no sign change (lead_scoring, measured): no IRR, and why
        assert view.metrics.irr is None and "never change sign" in view.metrics.irr_note
    else:
        assert view.metrics.irr == pytest.approx(expected_irr, rel=1e-8)
    assert view.metrics.pv_benefits - view.metrics.pv_costs == pytest.approx(view.metrics.npv)
    assert view.cumulative_present_value[-1] == pytest.approx(view.metrics.npv)


# --- Drivers, one formula each -----------------------------------------------------------


def test_time_saved_formula():
    # 100 users · 40 tasks · 6 min / 60 · $50 · 0.5 recapture = $10,000 a month at full use.
    result = evaluate(
        case(
            [
                {
                    "name": "t",
                    "type": "time_saved",
                    "eligible_users": 100,
                    "tasks_per_user_per_month": 40,
                    "minutes_saved_per_task": 6,
                    "loaded_hourly_cost": 50,
                }
            ],
            horizon_years=1,
        )
    )
    assert amounts(result)[0] == 0.0
    assert np.allclose(amounts(result)[1:], 10_000.0)


def test_time_saved_grows_with_volume_and_escalates_yearly():
    # Year 2: volume ×1.10 (case growth) and hourly cost ×1.03 (escalation).
    item = {
        "name": "t",
        "type": "time_saved",
        "eligible_users": 10,
        "tasks_per_user_per_month": 60,
        "minutes_saved_per_task": 1,
        "loaded_hourly_cost": 60,
        "productivity_recapture": 1.0,
        "annual_cost_escalation": 0.03,
    }
    result = evaluate(case([item], horizon_years=2, annual_volume_growth=0.10))
    assert amounts(result)[12] == pytest.approx(600.0)
    assert amounts(result)[13] == pytest.approx(600.0 * 1.10 * 1.03)


def test_response_time_with_retained_revenue():
    # Capacity: 3,000 items · 2 min / 60 · $30 = $3,000; retained: 1,200 customers · 0.02
    # churn reduction · $6,000 / 12 · 0.5 margin = $6,000; both × adoption 0.5.
    item = {
        "name": "r",
        "type": "response_time",
        "volume_per_month": 3000,
        "minutes_saved_per_item": 2,
        "loaded_hourly_cost": 30,
        "customers": 1200,
        "churn_reduction": 0.02,
        "annual_revenue_per_customer": 6000,
        "gross_margin": 0.5,
    }
    result = evaluate(
        case([item], horizon_years=1, adoption={"curve": "steps", "shares_by_year": [0.5]})
    )
    assert np.allclose(amounts(result)[1:], 4_500.0)


def test_conversion_lift_formula():
    # 2,000 leads · 0.005 lift · $10,000 deal · 0.6 margin = $60,000 a month.
    item = {
        "name": "c",
        "type": "conversion_lift",
        "leads_per_month": 2000,
        "conversion_lift": 0.005,
        "average_deal_value": 10000,
        "gross_margin": 0.6,
    }
    assert np.allclose(amounts(evaluate(case([item], horizon_years=1)))[1:], 60_000.0)


def test_cost_avoidance_escalates_yearly():
    item = {"name": "a", "type": "cost_avoidance", "monthly_amount": 1000, "annual_escalation": 0.1}
    a = amounts(evaluate(case([item], horizon_years=3)))
    assert a[12] == pytest.approx(1000.0)
    assert a[13] == pytest.approx(1100.0)
    assert a[36] == pytest.approx(1210.0)


def test_explicit_amounts_are_spread_and_not_scaled_by_adoption():
    item = explicit("e", initial=500, by_year=[1200, 2400], by_month=[10, 20])
    result = evaluate(
        case(
            [item],
            horizon_years=2,
            adoption={"curve": "linear", "ceiling": 0.1, "months_to_ceiling": 24},
        )
    )
    a = amounts(result)
    assert a[0] == 500
    assert a[1] == pytest.approx(110.0) and a[2] == pytest.approx(120.0) and a[3] == 100.0
    assert a[13] == pytest.approx(200.0)
    assert a.sum() == pytest.approx(500 + 1200 + 2400 + 30)


def test_one_time_cost_initial_or_spread():
    initial = {"name": "i", "type": "one_time", "amount": 90000}
    spread = {"name": "s", "type": "one_time", "amount": 90000, "spread_over_months": 3}
    result = evaluate(case(costs=[initial, spread], horizon_years=1))
    assert amounts(result, 0)[0] == 90000 and amounts(result, 0)[1:].sum() == 0
    assert amounts(result, 1)[0] == 0 and np.allclose(amounts(result, 1)[1:4], 30000)
    assert amounts(result, 1)[4:].sum() == 0


def test_recurring_and_staff_start_month_and_escalation():
    recurring = {"name": "r", "type": "recurring", "monthly_amount": 100, "start_month": 4}
    staff = {
        "name": "s",
        "type": "staff",
        "fte": 0.5,
        "loaded_annual_cost": 120000,
        "annual_escalation": 0.05,
    }
    result = evaluate(case(costs=[recurring, staff], horizon_years=2))
    assert amounts(result, 0)[1:4].sum() == 0 and amounts(result, 0)[4] == 100
    assert amounts(result, 1)[1] == pytest.approx(5000.0)  # 0.5 · 120,000 / 12
    assert amounts(result, 1)[13] == pytest.approx(5250.0)


def test_per_seat_follows_adoption_in_whole_seats():
    # 0.1·30 = 3.0000000000000004 in floating point must still buy 3 seats, not 4.
    seats = {
        "name": "p",
        "type": "per_seat",
        "price_per_seat_per_month": 10,
        "seats": 30,
        "follow_adoption": True,
    }
    fixed = {"name": "f", "type": "per_seat", "price_per_seat_per_month": 10, "seats": 30}
    result = evaluate(
        case(
            costs=[seats, fixed],
            horizon_years=2,
            adoption={"curve": "steps", "shares_by_year": [0.1, 0.55]},
        )
    )
    assert amounts(result, 0)[1] == pytest.approx(30.0)  # 3 seats
    assert amounts(result, 0)[13] == pytest.approx(170.0)  # ⌈16.5⌉ = 17 seats
    assert amounts(result, 1)[0] == 0 and np.allclose(amounts(result, 1)[1:], 300.0)


def test_training_pays_once_per_newly_active_user():
    # Adoption 0.5, 0.8, 0.8, then (steps cannot fall, so linear) — 100 users, $200 each.
    item = {"name": "t", "type": "training", "cost_per_new_user": 200, "eligible_users": 100}
    result = evaluate(
        case(
            costs=[item],
            horizon_years=3,
            adoption={"curve": "steps", "shares_by_year": [0.5, 0.8]},
        )
    )
    a = amounts(result)
    assert a[1] == pytest.approx(10000.0)  # 50 new users in month 1
    assert a[2:13].sum() == pytest.approx(0.0)
    assert a[13] == pytest.approx(6000.0)  # 30 more in month 13
    assert a.sum() == pytest.approx(16000.0)  # 80 users trained, each once


# --- Adoption curves ---------------------------------------------------------------------


def test_adoption_curves():
    logistic = evaluate(
        case(
            [explicit("e", by_year=[1])],
            horizon_years=1,
            adoption={"curve": "logistic", "ceiling": 0.8, "midpoint_month": 6, "steepness": 1},
        )
    ).adoption
    assert logistic[0] == 0 and logistic[6] == pytest.approx(0.4)
    assert logistic[12] == pytest.approx(0.8 / (1 + np.exp(-6)))
    linear = evaluate(
        case(
            [explicit("e", by_year=[1])],
            horizon_years=1,
            adoption={"curve": "linear", "ceiling": 0.9, "months_to_ceiling": 3},
        )
    ).adoption
    assert list(np.round(linear[:5], 10)) == [0, 0.3, 0.6, 0.9, 0.9]
    steps = evaluate(
        case(
            [explicit("e", by_year=[1])],
            horizon_years=3,
            adoption={"curve": "steps", "shares_by_year": [0.3, 0.6]},
        )
    ).adoption
    assert steps[12] == 0.3 and steps[13] == 0.6 and steps[36] == 0.6
    none = evaluate(case([explicit("e", by_year=[1])], horizon_years=1)).adoption
    assert none[0] == 0 and np.all(none[1:] == 1)


# --- Risk adjustment, discounting, metrics ------------------------------------------------


def test_risk_adjusts_benefits_down_and_costs_up():
    result = evaluate(
        case(
            [explicit("b", by_year=[1200], risk=0.25)],
            [explicit("c", initial=1000, risk=0.1)],
            horizon_years=1,
            discount_rate=0.0,
        )
    )
    assert result.risk_adjusted.metrics.pv_benefits == pytest.approx(900.0)
    assert result.risk_adjusted.metrics.pv_costs == pytest.approx(1100.0)
    assert result.unadjusted.metrics.pv_benefits == pytest.approx(1200.0)
    assert result.unadjusted.metrics.pv_costs == pytest.approx(1000.0)
    assert result.risk_adjusted.metrics.roi == pytest.approx(-200 / 1100)


def test_year_end_discounting_and_payback_interpolate_inside_the_year():
    # Initial -1,000; years +600, +600: cumulative -1,000, -400, +200 → payback 1 + 400/600
    # years = 20 months. NPV = -1,000 + 600/1.1 + 600/1.21.
    result = evaluate(
        case(
            [explicit("b", by_year=[600, 600])],
            [explicit("c", initial=1000)],
            horizon_years=2,
            discounting="year_end",
        )
    )
    m = result.risk_adjusted.metrics
    assert m.npv == pytest.approx(-1000 + 600 / 1.1 + 600 / 1.21)
    assert m.payback_months == pytest.approx(20.0)
    # Discounted: -1,000, -454.55, +41.32 → 1 + 454.545/495.868 years.
    assert m.discounted_payback_months == pytest.approx(
        12 * (1 + (1000 - 600 / 1.1) / (600 / 1.21))
    )
    assert m.irr == pytest.approx(npf.irr([-1000, 600, 600]))


def test_monthly_payback_in_months():
    # Initial -1,000, then +300 a month: cumulative crosses 0 a third of the way through
    # month 4 (−100 after month 3, +300 in month 4).
    result = evaluate(
        case([explicit("b", by_month=[300] * 12)], [explicit("c", initial=1000)], horizon_years=1)
    )
    assert result.risk_adjusted.metrics.payback_months == pytest.approx(3 + 100 / 300)


def test_no_costs_means_no_roi_and_no_irr_with_reasons():
    m = evaluate(case([explicit("b", by_year=[100])], horizon_years=1)).risk_adjusted.metrics
    assert m.roi is None and m.benefit_cost_ratio is None
    assert "present value of costs is zero" in m.roi_note
    assert m.irr is None and "never change sign" in m.irr_note
    assert m.payback_months == 0.0


def test_never_paying_back_is_none():
    m = evaluate(
        case([explicit("b", by_year=[100])], [explicit("c", initial=1000)], horizon_years=1)
    ).risk_adjusted.metrics
    assert m.payback_months is None and m.discounted_payback_months is None
    assert m.npv < 0


def test_results_are_immutable():
    result = evaluate(load_case(SAMPLES[0]))
    with pytest.raises(ValueError):
        result.risk_adjusted.line_amounts[0, 0] = 1.0
    with pytest.raises(AttributeError):
        result.risk_adjusted.metrics.npv = 0.0  # type: ignore[misc]


# --- Invariants over generated cases -----------------------------------------------------

yearly = st.lists(st.floats(0, 1e6), min_size=1, max_size=5)


@settings(max_examples=100, deadline=None)
@given(
    benefit_years=yearly,
    cost_initial=st.floats(1, 1e6),
    cost_years=yearly,
    k=st.floats(0.01, 100),
    discounting=st.sampled_from(["monthly", "year_end"]),
)
def test_scaling_every_amount_scales_npv_and_keeps_irr_and_payback(
    benefit_years, cost_initial, cost_years, k, discounting
):
    horizon = max(len(benefit_years), len(cost_years))

    def build(scale):
        return evaluate(
            case(
                [explicit("b", by_year=[scale * v for v in benefit_years], risk=0.2)],
                [
                    explicit(
                        "c", initial=scale * cost_initial, by_year=[scale * v for v in cost_years]
                    )
                ],
                horizon_years=horizon,
                discounting=discounting,
            )
        ).risk_adjusted.metrics

    base, scaled = build(1.0), build(k)
    size = cost_initial + sum(benefit_years) + sum(cost_years)
    assert scaled.npv == pytest.approx(k * base.npv, rel=1e-9, abs=1e-9 * k * size)
    assert (base.irr is None) == (scaled.irr is None)
    if base.irr is not None:
        assert scaled.irr == pytest.approx(base.irr, rel=1e-7, abs=1e-9)
    assert (base.payback_months is None) == (scaled.payback_months is None)
    if base.payback_months is not None:
        assert scaled.payback_months == pytest.approx(base.payback_months, rel=1e-7, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(
    cost_initial=st.floats(100, 1e6),
    benefit_years=st.lists(st.floats(1, 1e6), min_size=1, max_size=10),
)
def test_npv_at_the_irr_is_zero_year_end(cost_initial, benefit_years):
    horizon = len(benefit_years)
    base = case(
        [explicit("b", by_year=benefit_years)],
        [explicit("c", initial=cost_initial)],
        horizon_years=horizon,
        discounting="year_end",
    )
    m = evaluate(base).risk_adjusted.metrics
    if m.irr is None or not 0 <= m.irr <= 1:
        return  # outside the discount rates a case file accepts
    at_irr = evaluate(base.model_copy(update={"discount_rate": m.irr})).risk_adjusted.metrics
    assert abs(at_irr.npv) <= 1e-6 * (cost_initial + sum(benefit_years))


def test_per_seat_never_produces_negative_zero():
    # ceil(0 - 1e-9) is -0.0; the engine must give 0.0 (issue #2 review).
    seats = {
        "name": "p",
        "type": "per_seat",
        "price_per_seat_per_month": 10,
        "seats": 150,
        "follow_adoption": True,
    }
    result = evaluate(case(costs=[seats], horizon_years=1))
    assert np.all(np.signbit(result.unadjusted.line_amounts) == False)  # noqa: E712


def test_logistic_far_from_its_midpoint_does_not_overflow():
    curve = {"curve": "logistic", "ceiling": 1.0, "midpoint_month": 600, "steepness": 10}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        adoption = evaluate(case([explicit("e", by_year=[1])], horizon_years=1, adoption=curve))
    assert np.all(adoption.adoption == 0.0)


def test_scenario_volume_lever_scales_hosting_requests():
    # Regression (issue #4): hosting volumes follow the explorer's volume lever, and a line
    # with only one of its two volume fields set is scaled without error.
    from dataclasses import replace

    from roi.core.scenario import apply_levers, levers_of

    for name in ("support_chatbot", "support_draft_replies"):
        base = load_case(TEI.parents[1] / "cases" / f"{name}.yaml")
        doubled = apply_levers(base, replace(levers_of(base), volume_scale=2.0))
        for before, after in zip(base.costs, doubled.costs, strict=True):
            if before.type == "infrastructure":
                field = (
                    "requests_per_month"
                    if before.requests_per_month
                    else "requests_per_user_per_month"
                )
                assert getattr(after, field) == 2 * getattr(before, field)
