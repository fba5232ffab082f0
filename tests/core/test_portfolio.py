"""Portfolio totals: per currency, each case at its own start, combined by calendar month."""

from __future__ import annotations

import pytest

from roi import evaluate, parse_case
from roi.core.totals import combined_net_flows, portfolio_rows, portfolio_totals


def case(name, start, currency="USD", initial=0.0, monthly=0.0, evidence="assumed", months=12):
    return evaluate(
        parse_case(
            {
                "name": name,
                "start": start,
                "currency": currency,
                "horizon_years": 1,
                "discount_rate": 0.0,
                "benefits": [
                    {"name": "b", "type": "explicit", "by_month": [monthly] * months,
                     "evidence": evidence, "source": "a study"}
                ],
                "costs": [{"name": "c", "type": "explicit", "initial": initial}],
            }
        )
    )  # fmt: skip


def test_a_later_case_joins_the_calendar_at_its_start():
    first = case("A", "2027-01", initial=100, monthly=10)
    later = case("B", "2027-03", initial=50, monthly=20)
    flows = combined_net_flows([first, later])
    # A: Initial at index 0, months at 1..12. B starts two months later: its Initial is at
    # the end of A's month 2 (index 2), its months at 3..14.
    assert len(flows) == 15
    assert flows[0] == -100 and flows[1] == 10
    assert flows[2] == pytest.approx(10 - 50)
    assert flows[3] == pytest.approx(30)
    assert flows[13] == pytest.approx(20) and flows[14] == pytest.approx(20)


def test_totals_are_per_currency_and_never_mixed():
    usd_a = case("A", "2027-01", initial=100, monthly=10)
    usd_b = case("B", "2027-03", initial=50, monthly=20)
    eur = case("C", "2027-01", currency="EUR", initial=10, monthly=1)
    totals = {t.currency: t for t in portfolio_totals([usd_a, eur, usd_b])}
    assert set(totals) == {"USD", "EUR"}
    usd = totals["USD"]
    assert usd.cases == 2 and usd.first_start == "2027-01"
    assert usd.npv == pytest.approx((120 - 100) + (240 - 50))  # rate 0: sums of flows
    assert usd.roi == pytest.approx((360 - 150) / 150)
    # Cumulative: -100, -90, -130, -100, -70, -40, -10, +20 → crosses in period 7.
    assert usd.payback_months == pytest.approx(6 + 10 / 30)
    assert totals["EUR"].npv == pytest.approx(2)


def test_rows_count_evidence_tiers():
    rows = portfolio_rows([case("A", "2027-01", evidence="benchmark")], ["a"])
    assert rows[0].evidence == {"measured": 0, "benchmark": 1, "assumed": 1}
    assert rows[0].evidence_summary == "1 benchmark · 1 assumed"
    assert rows[0].case_id == "a"
