"""Billing analytics from telemetry (roi.adoption.billing): measured usage per active user,
its case input, spend by team and model, cost per active user and idle seats, on small
hand-built exports whose figures are worked out by hand in the comments."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from roi.adoption.billing import (
    as_case_input,
    cost_per_active_user,
    idle_seats,
    measured_usage,
    spend_by,
    with_measured_usage,
)
from roi.adoption.formats.common import (
    Telemetry,
    breakdown_table,
    daily_table,
    user_day_table,
)
from roi.core.casefile import parse_case
from roi.core.distributions import LogNormal

NAN = float("nan")


def day(date, user, active, credits=NAN, team="eng"):
    return {"date": date, "user": user, "team": team, "active": active, "credits": credits}


# January 25 to March 10: only February is a complete month.
FEBRUARY = [
    day("2027-01-25", "alice", True, 100),  # partial January
    day("2027-02-01", "alice", True, 300),
    day("2027-02-15", "alice", True, 500),  # alice: 300 + 500 = 800
    day("2027-02-03", "bob", True, 1200),
    day("2027-02-20", "bob", True, 1800),  # bob: 3,000
    day("2027-02-10", "carol", True, 0),  # active, no credits: 0
    day("2027-02-12", "dave", False, 400),  # not flagged active, but 400 credits billed
    day("2027-02-05", "erin", False),  # neither active nor any usage: not counted
    day("2027-02-07", "frank", True),  # active, no credit figure: left out
    day("2027-03-10", "alice", True, 50),  # partial March
]


# February without its neighbours, and a March of alice 1,000 and bob 2,000 credits.
TWO_MONTHS = [
    *FEBRUARY[1:-1],
    day("2027-03-04", "alice", True, 1000),
    day("2027-03-09", "bob", True, 2000),
]


def telemetry(user_days=None, daily=None, breakdown=None, users=None, period=None):
    frame = user_day_table(user_days) if user_days is not None else None
    return Telemetry(
        format="github_usage_metrics_users",
        source="fixture.ndjson",
        daily=daily_table(daily or []),
        users=users,
        data_quality=(),
        user_days=frame,
        breakdown=breakdown_table(breakdown) if breakdown is not None else None,
        currency="USD",
        period=period,
    )


def test_measured_usage_of_one_complete_month():
    measured = measured_usage(telemetry(FEBRUARY), "credits")
    # February's user-months: alice 800, bob 3,000, carol 0, dave 400 (frank has no figure,
    # erin was not active). Mean 4,200 / 4 = 1,050; deviations −250, 1,950, −1,050, −650,
    # squares summing to 5,390,000, / 3 = 1,796,667: sd 1,340.40.
    assert measured.mean == pytest.approx(1050.0)
    assert measured.sd == pytest.approx(1340.3979508588734)
    # Sorted 0, 400, 800, 3,000: p10 at 0.3 of the way from 0 to 400 = 120, p50 halfway
    # between 400 and 800 = 600, p90 at 0.7 from 800 to 3,000 = 2,340.
    assert (measured.p10, measured.p50, measured.p90) == pytest.approx((120, 600, 2340))
    assert (measured.user_months, measured.users) == (4, 4)
    assert measured.partial_months == ("2027-01", "2027-03")
    assert (measured.usage_without_activity, measured.without_figure) == (1, 1)
    assert [(m.month, m.active_users, m.total) for m in measured.months] == [("2027-02", 4, 4200.0)]
    assert measured.label == "AI credits or premium requests consumed (usage-billed units)"
    assert "fixture.ndjson" in measured.source and "n = 4 user-months of 4 users" in measured.source
    assert "partial months left out: 2027-01, 2027-03" in measured.source


def test_a_stated_period_completes_months_without_rows_at_their_ends():
    rows = TWO_MONTHS
    measured = measured_usage(telemetry(rows, period=("2027-02-01", "2027-03-31")), "credits")
    # Six user-months: 800, 3,000, 0, 400 (February) and 1,000, 2,000 (March): mean 1,200.
    assert measured.mean == pytest.approx(1200.0)
    assert [m.mean for m in measured.months] == pytest.approx([1050.0, 1500.0])
    assert measured.partial_months == ()
    # Without the period the rows end on March 9: March is partial.
    assert measured_usage(telemetry(rows), "credits").partial_months == ("2027-03",)


def test_as_case_input_writes_the_line_and_the_uncertainty_of_its_mean():
    rows = TWO_MONTHS
    measured = measured_usage(telemetry(rows, period=("2027-02-01", "2027-03-31")), "credits")
    written = as_case_input(measured, line=0)
    fields = written["fields"]
    # sd across the six user-months: 1,109.95 (sum of squared deviations 6,160,000 / 5).
    assert fields["usage_per_active_user_per_month"] == 1200.0
    assert fields["usage_sd_across_users"] == 1110.0  # four significant digits
    assert fields["evidence"] == "measured"
    # The mean's uncertainty: the sd of the monthly means 1,050 and 1,500, 450 / √2 = 318.2.
    # Lognormal with mean 1,200 and sd 318.2: σ² = ln(1 + (318.2/1,200)²) = 0.067951,
    # σ = 0.260673, median 1,200 · e^(−σ²/2) = 1,159.91; 5th and 95th percentiles
    # 1,159.91 · e^(∓1.6449 · 0.260673) = 755.46 and 1,780.89.
    (entry,) = written["uncertainty"]
    assert entry == {
        "input": "costs[0].usage_per_active_user_per_month",
        "distribution": "lognormal",
        "low": 755.5,
        "high": 1781.0,
    }
    assert "sd of the 2 monthly means, 318.2" in fields["source"]
    spec = LogNormal.model_validate(entry)
    sigma = math.log(spec.high / spec.low) / (2 * 1.6448536269514722)
    assert math.sqrt(spec.low * spec.high) * math.exp(sigma**2 / 2) == pytest.approx(1200, rel=1e-3)
    # It reads back as a case.
    line = {"name": "Copilot", "type": "usage_licence", "seats": 10,
            "licence": {"pricing": "github_copilot_business"}, **fields}  # fmt: skip
    case = parse_case({"name": "c", "start": "2027-04", "costs": [line], "uncertainty": [entry]})
    assert case.costs[0].usage_per_active_user_per_month == 1200.0


def usage_case(*units, uncertainty=()):
    lines = [{"name": "Travel", "type": "per_seat", "seats": 5, "price_per_seat_per_month": 9}]
    lines += [
        {"name": f"Copilot {i}", "type": "usage_licence", "seats": 10,
         "usage_per_active_user_per_month": 100.0,
         "licence": {"pricing": "github_copilot_business", **({"unit": u} if u else {})}}
        for i, u in enumerate(units)
    ]  # fmt: skip
    return parse_case(
        {"name": "c", "start": "2027-04", "costs": lines, "uncertainty": list(uncertainty)}
    )


def test_with_measured_usage_puts_the_measurement_in_the_cases_line():
    measured = measured_usage(telemetry(TWO_MONTHS, period=("2027-02-01", "2027-03-31")),
                              "credits")  # fmt: skip
    assumed = {"input": "costs[1].usage_per_active_user_per_month", "distribution": "uniform",
               "min": 50, "max": 150}  # fmt: skip
    case = with_measured_usage(usage_case(None, uncertainty=[assumed]), measured)
    line = case.costs[1]
    # The figures of test_as_case_input_writes_the_line_and_the_uncertainty_of_its_mean.
    assert (line.usage_per_active_user_per_month, line.usage_sd_across_users) == (1200.0, 1110.0)
    assert line.evidence == "measured" and "credits per active user a month" in line.source
    (entry,) = [u for u in case.model_dump()["uncertainty"]]
    assert (entry["input"], entry["distribution"]) == (assumed["input"], "lognormal")
    assert case.costs[0] == usage_case(None).costs[0]  # other lines untouched


def test_with_measured_usage_refuses_a_case_it_cannot_fill():
    measured = measured_usage(telemetry(FEBRUARY), "credits")
    bare = parse_case(
        {
            "name": "c",
            "start": "2027-04",
            "costs": [
                {"name": "Travel", "type": "per_seat", "seats": 5, "price_per_seat_per_month": 9}
            ],
        }
    )
    with pytest.raises(ValueError, match="no usage_licence cost line"):
        with_measured_usage(bare, measured)
    with pytest.raises(ValueError, match=r"2 usage_licence lines \(costs 1, 2\)"):
        with_measured_usage(usage_case(None, None), measured)
    assert with_measured_usage(usage_case(None, None), measured, line=2).costs[2].evidence == (
        "measured"
    )
    with pytest.raises(ValueError, match=r"costs\[0\] is not a usage_licence line"):
        with_measured_usage(usage_case(None), measured, line=0)
    with pytest.raises(ValueError, match="billed in 'premium requests'"):
        with_measured_usage(usage_case("premium requests"), measured)
    assert with_measured_usage(usage_case("AI credits"), measured).costs[1].evidence == "measured"


def test_one_month_gives_the_standard_error_and_no_line_no_input():
    measured = measured_usage(telemetry(FEBRUARY), "credits")
    written = as_case_input(measured)
    (entry,) = written["uncertainty"]
    assert "input" not in entry
    # One month: the standard error 1,340.40 / √4 = 670.20.
    assert "standard error of one month, 670.2" in written["fields"]["source"]


def test_a_single_user_month_has_no_spread_and_no_uncertainty():
    measured = measured_usage(telemetry(FEBRUARY[1:3], period=("2027-02-01", "2027-02-28")),
                              "credits")  # fmt: skip
    assert measured.mean == 800.0 and measured.sd is None
    written = as_case_input(measured, line=2)
    assert written["uncertainty"] == []
    assert written["fields"]["usage_sd_across_users"] == 0.0


def test_measured_usage_needs_per_user_days_with_the_figure():
    assert measured_usage(telemetry(None), "credits") is None
    assert measured_usage(telemetry(FEBRUARY), "tokens") is None  # not in the table
    no_figure = [{**row, "credits": NAN} for row in FEBRUARY]
    assert measured_usage(telemetry(no_figure), "credits") is None
    only_partial = [row for row in FEBRUARY if not row["date"].startswith("2027-02")]
    assert measured_usage(telemetry(only_partial), "credits") is None
    with pytest.raises(ValueError, match="figure must be one of cost, credits, requests, tokens"):
        measured_usage(telemetry(FEBRUARY), "acceptances")


def test_spend_by_team():
    daily = [
        {"date": "2027-02-01", "team": "eng", "cost": 30.0, "credits": 3000},
        {"date": "2027-02-02", "team": "eng", "cost": 10.0, "credits": 1000},
        {"date": "2027-02-01", "team": "sales", "cost": 60.0, "credits": 6000},
        {"date": "2027-02-01", "team": "ops", "credits": 500},  # units without spend
    ]
    table = spend_by(telemetry(daily=daily), "team")
    # eng 30 + 10 = 40, sales 60, of 100: shares 0.4 and 0.6; ops has no spend (last).
    assert table["team"].tolist() == ["sales", "eng", "ops"]
    assert table["cost"].tolist()[:2] == [60.0, 40.0] and np.isnan(table["cost"].iloc[2])
    assert table["credits"].tolist() == [6000.0, 4000.0, 500.0]
    assert table["cost_share"].tolist()[:2] == pytest.approx([0.6, 0.4])
    assert "requests" not in table and table.attrs["currency"] == "USD"


def test_spend_by_model():
    rows = [
        {"date": "2027-02-01", "team": "all", "dimension": "model", "key": "opus",
         "figure": "cost", "value": 75.0},
        {"date": "2027-02-02", "team": "all", "dimension": "model", "key": "opus",
         "figure": "cost", "value": 25.0},
        {"date": "2027-02-01", "team": "all", "dimension": "model", "key": "mini",
         "figure": "cost", "value": 25.0},
        {"date": "2027-02-01", "team": "all", "dimension": "model", "key": "mini",
         "figure": "tokens", "value": 9e6},
        {"date": "2027-02-01", "team": "all", "dimension": "model", "key": "opus",
         "figure": "acceptances", "value": 5.0},  # not a spend figure
        {"date": "2027-02-01", "team": "all", "dimension": "ide", "key": "vscode",
         "figure": "cost", "value": 999.0},  # another dimension
    ]  # fmt: skip
    table = spend_by(telemetry(breakdown=rows), "model")
    # opus 75 + 25 = 100, mini 25, of 125: 0.8 and 0.2.
    assert table["model"].tolist() == ["opus", "mini"]
    assert table["cost"].tolist() == [100.0, 25.0]
    assert table["cost_share"].tolist() == pytest.approx([0.8, 0.2])
    assert np.isnan(table["tokens"].iloc[0]) and table["tokens"].iloc[1] == 9e6
    assert list(table.columns) == ["model", "cost", "tokens", "cost_share"]
    empty = spend_by(telemetry(), "model")
    assert empty.empty and "model" in empty.columns
    with pytest.raises(ValueError, match="by must be one of 'team', 'model', got 'user'"):
        spend_by(telemetry(), "user")  # type: ignore[arg-type]


DAILY = [
    {"date": "2027-02-01", "team": "eng", "licensed_users": 10, "cost": 5.0},
    {"date": "2027-02-28", "team": "eng", "licensed_users": 12, "cost": 7.0},
    {"date": "2027-03-10", "team": "eng", "licensed_users": 12, "cost": 3.0},
]


def test_cost_per_active_user_by_month():
    months = cost_per_active_user(telemetry(FEBRUARY[1:], daily=DAILY), licence_price=19.0)
    february, march = months
    # February: reported 5 + 7 = $12; seats 12 (the month's highest), 12 · $19 = $228;
    # $240 over 5 active users (alice, bob, carol and frank flagged active, dave by his
    # usage; erin neither) → $48.
    assert (february.month, february.complete, february.seats) == ("2027-02", True, 12)
    assert (february.reported_spend, february.licence_spend) == (12.0, 228.0)
    assert february.active_users == 5 and february.total_spend == 240.0
    assert february.cost_per_active_user == pytest.approx(48.0)
    assert february.active_basis == "distinct users active in the month" and february.note is None
    # March (to the 10th): $3 + $228 = $231 for alice alone, marked partial.
    assert (march.complete, march.active_users, march.cost_per_active_user) == (False, 1, 231.0)
    assert "partial month" in march.note


def test_cost_per_active_user_without_per_user_days_or_prices():
    daily = [{**row, "monthly_active_users": value}
             for row, value in zip(DAILY, (8, 9, 11), strict=True)]  # fmt: skip
    february, _ = cost_per_active_user(telemetry(daily=daily), licence_price=None)
    # No licence price: only the reported $12, over the 9 users active in the 28 days to
    # February 28.
    assert february.licence_spend is None and february.total_spend == 12.0
    assert february.active_users == 9
    assert february.active_basis == "28-day active users on 2027-02-28"
    assert february.cost_per_active_user == pytest.approx(12 / 9)
    no_seats = [{k: v for k, v in row.items() if k != "licensed_users"} for row in DAILY]
    (first, _) = cost_per_active_user(telemetry(daily=no_seats), licence_price=19.0)
    assert first.licence_spend is None and first.active_users is None
    assert first.cost_per_active_user is None and "no seat count" in first.note
    with pytest.raises(ValueError, match="licence_price must be a number ≥ 0"):
        cost_per_active_user(telemetry(daily=DAILY), licence_price=-1.0)
    assert cost_per_active_user(telemetry(), licence_price=19.0) == []


def test_idle_seats_from_per_user_days():
    result = idle_seats(telemetry(FEBRUARY), seats=10, price_per_seat=19.0)
    # The last day is March 10; the 28 days from February 11: alice (Mar 10), bob (Feb 20)
    # and dave (credits on Feb 12) → 3 active, 10 − 3 = 7 idle seats, 7 · $19 = $133.
    assert (result.as_of, result.active_users, result.idle_seats) == ("2027-03-10", 3, 7)
    assert result.monthly_cost == 133.0 and result.note is None
    assert result.basis == "per-user days"
    # A 60-day window reaches before the data (January 25 to March 10 is 45 days).
    longer = idle_seats(telemetry(FEBRUARY), seats=10, price_per_seat=19.0, window_days=60)
    assert longer.active_users == 5  # carol (Feb 10) and frank (Feb 7) now count too
    assert "covers only 45 of the 60 days" in longer.note
    crowded = idle_seats(telemetry(FEBRUARY), seats=2, price_per_seat=19.0)
    assert crowded.idle_seats == 0 and "3 users were active on 2 seats" in crowded.note


def test_idle_seats_from_a_snapshot():
    users = pd.DataFrame(
        {
            "snapshot": pd.to_datetime(["2027-02-28"] * 3 + ["2027-01-31"]),
            "user": ["alice", "bob", "carol", "alice"],
            "last_activity": pd.to_datetime(["2027-02-27", "2027-02-01", pd.NaT, "2027-01-30"]),
        }
    )
    result = idle_seats(telemetry(users=users), seats=5, price_per_seat=39.0)
    # Latest snapshot February 28; since February 1 (28 days): alice and bob → 5 − 2 = 3
    # idle, 3 · $39 = $117.
    assert (result.as_of, result.active_users, result.idle_seats) == ("2027-02-28", 2, 3)
    assert result.monthly_cost == 117.0 and result.basis.startswith("last activity dates")
    assert idle_seats(telemetry(), seats=5, price_per_seat=39.0) is None


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"seats": -1}, "seats must be a whole number ≥ 0, got -1"),
        ({"seats": 2.5}, "seats must be a whole number ≥ 0, got 2.5"),
        ({"price_per_seat": math.nan}, "price_per_seat must be a number ≥ 0, got nan"),
        ({"window_days": 0}, "window_days must be a whole number ≥ 1, got 0"),
    ],
)
def test_idle_seats_refuses_bad_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        idle_seats(telemetry(FEBRUARY), **({"seats": 3, "price_per_seat": 19.0} | arguments))


def test_measured_figures_leave_out_what_nobody_used():
    from roi.adoption.billing import measured_figures

    rows = [{**row, "requests": 0.0} for row in TWO_MONTHS]
    found = measured_figures(telemetry(rows, period=("2027-02-01", "2027-03-31")))
    # credits are used (mean 1,200, test above); requests are 0 for every user-month.
    assert list(found) == ["credits"] and found["credits"].mean == pytest.approx(1200.0)
