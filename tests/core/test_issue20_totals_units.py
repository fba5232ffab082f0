"""Issue 20, smaller items: a portfolio of one case has that case's payback (17.4 against
17.2 months before, for a case discounted at year end), and break-even values carry their
unit ("75.0%", not "0.75")."""

from __future__ import annotations

import pytest

from roi import evaluate
from roi.core.casefile import parse_case
from roi.core.totals import portfolio_totals
from roi.core.units import format_value, unit_of


def year_end_case(name: str, start: str = "2027-01", users: float = 40) -> dict:
    return {
        "name": name, "currency": "EUR", "start": start, "horizon_years": 3,
        "discount_rate": 0.08, "discounting": "year_end",
        "adoption": {"curve": "logistic", "ceiling": 0.9, "midpoint_month": 6, "steepness": 0.5},
        "benefits": [{"name": "Time", "type": "time_saved", "eligible_users": users,
                      "tasks_per_user_per_month": 500, "minutes_saved_per_task": 1.5,
                      "loaded_hourly_cost": 40}],
        "costs": [{"name": "Build", "type": "one_time", "amount": 120000}],
    }  # fmt: skip


def test_portfolio_of_one_year_end_case_has_its_payback():
    result = evaluate(parse_case(year_end_case("One")))
    (total,) = portfolio_totals([result])
    assert result.risk_adjusted.metrics.payback_months is not None
    assert total.payback_basis == "year_end"
    assert total.payback_months == pytest.approx(result.risk_adjusted.metrics.payback_months)
    # The monthly calendar gives another figure for the same flows: the old, confusing one.
    from roi.core.finance import payback_periods
    from roi.core.totals import combined_net_flows

    assert payback_periods(combined_net_flows([result])) != pytest.approx(total.payback_months)


def test_year_end_cases_of_one_start_add_their_annual_flows():
    a = evaluate(parse_case(year_end_case("A")))
    b = evaluate(parse_case(year_end_case("B", users=20)))
    (total,) = portfolio_totals([a, b])
    assert total.payback_basis == "year_end"
    assert (
        min(a.risk_adjusted.metrics.payback_months, b.risk_adjusted.metrics.payback_months)
        <= (total.payback_months)
        <= max(a.risk_adjusted.metrics.payback_months, b.risk_adjusted.metrics.payback_months)
    )


def test_other_portfolios_keep_the_monthly_calendar():
    a = evaluate(parse_case(year_end_case("A")))
    b = evaluate(parse_case(year_end_case("B", start="2027-04")))
    assert portfolio_totals([a, b])[0].payback_basis == "monthly"
    data = year_end_case("M")
    data["discounting"] = "monthly"
    (total,) = portfolio_totals([evaluate(parse_case(data))])
    assert total.payback_basis == "monthly"


@pytest.mark.parametrize(
    ("path", "value", "unit", "text"),
    [
        ("adoption.ceiling", 0.75, "fraction", "75.0%"),
        ("benefits[0].productivity_recapture", 0.5, "fraction", "50.0%"),
        ("discount_rate", 0.1, "per year (fraction)", "10.0% a year"),
        ("benefits[0].minutes_saved_per_task", 1.5, "minutes", "1.5 minutes"),
        ("adoption.midpoint_month", 42, "month", "month 42.0"),
        ("benefits[0].tasks_per_user_per_month", 500, "per month", "500 a month"),
        ("benefits[0].loaded_hourly_cost", 40, "EUR per hour", "€40.00"),
        (
            "costs[1].provisioned.price_per_million_requests",
            0.2,
            "EUR per million requests",
            "€0.20",
        ),
        ("costs[2].price_per_seat_per_month", 30, "EUR per seat per month", "€30.00"),
        ("costs[0].amount", 120000, "EUR", "€120,000"),
        ("benefits[0].eligible_users", 40, "count", "40"),
    ],
)
def test_break_even_values_carry_their_unit(path, value, unit, text):
    case = parse_case(year_end_case("Units"))
    assert unit_of(case, path) == unit
    assert format_value(case, path, value) == text


def test_text_report_break_even_values_have_units():
    from roi.reports.render import render_sensitivity
    from roi.uncertainty.sensitivity import break_evens

    case = parse_case(year_end_case("Units"))
    evens = break_evens(case, ["adoption.ceiling", "benefits[0].minutes_saved_per_task"])
    text = render_sensitivity(case, [], evens, [], None)
    ceiling = next(line for line in text.splitlines() if "ceiling" in line.lower())
    assert "%" in ceiling
