"""The usage-billed licence driver (``usage_licence``): hand-worked months (arithmetic in the
comments), the per-seat special case, pooled against per-user allowances, the lognormal
expected excess against scipy and a Monte Carlo, the presets, validation, and uncertain usage
in the simulation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from roi import evaluate, parse_case
from roi.core.builder import build_case, case_settings, case_tables
from roi.core.casefile import dump_case
from roi.core.distributions import numeric_inputs
from roi.core.drivers.licences import UsageLicence, expected_excess
from roi.core.engine import driver_context
from roi.core.pricing import PricingFileError, parse_presets
from roi.io.problems import CaseError
from roi.uncertainty.simulation import evaluate_draws, simulate

# A licence of $20 a seat a month with 1,000 units a seat, $0.04 a unit beyond them.
TERMS = {"price_per_seat_per_month": 20.0, "included_units_per_seat": 1000.0,
         "price_per_unit": 0.04}  # fmt: skip
# a(m) = 0.8 · min(1, m / 4): 0.2, 0.4, 0.6, then 0.8 from month 4.
LINEAR = {"curve": "linear", "ceiling": 0.8, "months_to_ceiling": 4}


def case(adoption=LINEAR, horizon=2, **fields):
    line = {"name": "Licence", "type": "usage_licence", "seats": 50,
            "usage_per_active_user_per_month": 1500.0, "licence": TERMS, **fields}  # fmt: skip
    data = {"name": "c", "start": "2027-01", "horizon_years": horizon, "discount_rate": 0.0,
            "adoption": adoption, "costs": [line]}  # fmt: skip
    return parse_case(data)


def amounts(the_case):
    return evaluate(the_case).unadjusted.line_amounts[0]


def bill(the_case):
    return the_case.costs[0].bill(driver_context(the_case))


def test_a_pooled_month_worked_by_hand():
    cost = amounts(case())
    assert cost[0] == 0.0  # nothing in Initial
    # Month 1: 50 · 0.2 = 10 active users use 10 · 1,500 = 15,000 units, inside the pool of
    # 50 seats · 1,000 = 50,000: only the seats, 50 · $20 = $1,000.
    assert cost[1] == pytest.approx(1000.0)
    # Month 3: 30 users, 45,000 units: still inside the pool.
    assert cost[3] == pytest.approx(1000.0)
    # Month 4: 40 users use 60,000 units, 10,000 beyond the pool, · $0.04 = $400 → $1,400.
    assert cost[4] == pytest.approx(1400.0)
    parts = bill(case())
    assert parts.usage[4] == pytest.approx(60_000) and parts.allowance[4] == 50_000
    assert parts.overage[4] == pytest.approx(10_000) and parts.seat_cost[4] == 1000.0


def test_per_user_allowances_without_a_spread():
    cost = amounts(case(licence={**TERMS, "allowance": "per_user"}))
    # Each active user uses 1,500 against their own 1,000: 500 units over each.
    # Month 1: 10 users · 500 · $0.04 = $200 on top of $1,000 → $1,200.
    assert cost[1] == pytest.approx(1200.0)
    # Month 4: 40 · 500 · $0.04 = $800 → $1,800, against $1,400 pooled: the idle seats'
    # allowance no longer absorbs the active users' usage.
    assert cost[4] == pytest.approx(1800.0)


def test_per_user_allowances_with_a_spread():
    cost = amounts(case(licence={**TERMS, "allowance": "per_user"}, usage_sd_across_users=1500.0))
    # U lognormal, mean 1,500, sd 1,500: σ² = ln(1 + 1) = 0.693147, σ = 0.832555,
    # d₁ = (ln 1.5 + 0.346574) / 0.832555 = 0.903291, Φ(d₁) = 0.816814,
    # Φ(d₁ − σ) = Φ(0.070736) = 0.528196; E[max(0, U − 1,000)] = 1,500 · 0.816814
    # − 1,000 · 0.528196 = 697.025. Month 4: 40 · 697.025 · $0.04 = $1,115.24 → $2,115.24.
    assert cost[4] == pytest.approx(1000.0 + 40 * 697.0251757 * 0.04)
    # A spread raises the per-user overage above the no-spread $800: the light users' unused
    # allowance does not cover the heavy users' excess.
    assert cost[4] > 1800.0


def test_pooled_against_per_user():
    # Every seat active (no curve) and everyone at the average: the two rules agree.
    same = {"adoption": None, "usage_per_active_user_per_month": 1500.0}
    pooled = amounts(case(**same))
    per_user = amounts(case(**same, licence={**TERMS, "allowance": "per_user"}))
    assert np.allclose(pooled, per_user)  # 50 · 500 · $0.04 = $1,000 + $1,000 seats
    assert pooled[1] == pytest.approx(2000.0)
    # Average under the allowance with a spread: pooled bills nothing beyond the seats
    # (40 · 800 = 32,000 < 50,000), per user bills the heavy users' excess.
    spread = {"usage_per_active_user_per_month": 800.0, "usage_sd_across_users": 800.0}
    pooled = amounts(case(**spread))
    per_user = amounts(case(**spread, licence={**TERMS, "allowance": "per_user"}))
    assert pooled[4] == pytest.approx(1000.0)
    assert per_user[4] > 1000.0
    # Pooling never costs more: max(0, Σ Uᵢ − S·A) ≤ Σ max(0, Uᵢ − A) for n ≤ S.
    for usage in (500.0, 1000.0, 1500.0, 3000.0):
        for sd in (0.0, 300.0, 1500.0):
            fields = {"usage_per_active_user_per_month": usage, "usage_sd_across_users": sd}
            low = amounts(case(**fields))
            high = amounts(case(**fields, licence={**TERMS, "allowance": "per_user"}))
            assert np.all(low <= high + 1e-9)


def test_follow_adoption_shrinks_seats_and_pool():
    cost = amounts(case(follow_adoption=True))
    # Month 1: ⌈50 · 0.2⌉ = 10 seats, $200, and a pool of 10,000 for 15,000 units: 5,000 ·
    # $0.04 = $200 → $400. Month 4: 40 seats, $800; 60,000 − 40,000 = 20,000 units, $800.
    assert cost[1] == pytest.approx(400.0)
    assert cost[4] == pytest.approx(1600.0)
    assert bill(case(follow_adoption=True)).seats_billed[1] == 10.0


def test_escalation_and_usage_growth_are_yearly_steps():
    cost = amounts(case(annual_escalation=0.1, annual_usage_growth=0.2))
    assert cost[12] == pytest.approx(1400.0)  # year 1 as without them
    # Month 13 (year 2): seats 50 · $20 · 1.1 = $1,100; usage 40 · 1,500 · 1.2 = 72,000,
    # 22,000 beyond the (not escalated) pool, · $0.04 · 1.1 = $968 → $2,068.
    assert cost[13] == pytest.approx(2068.0)


def test_an_overage_budget_caps_the_usage_cost():
    cost = amounts(case(overage_budget_per_month=300.0))
    assert cost[4] == pytest.approx(1300.0)  # $400 of overage capped at $300
    assert cost[1] == pytest.approx(1000.0)


def test_a_model_mix_gives_a_weighted_unit_price():
    mix = {"big": {"share": 0.25, "price_per_unit": 0.08},
           "small": {"share": 0.75, "price_per_unit": 0.02}}  # fmt: skip
    licence = {k: v for k, v in TERMS.items() if k != "price_per_unit"} | {"models": mix}
    the_case = case(licence=licence)
    # 0.25 · $0.08 + 0.75 · $0.02 = $0.035 a unit; month 4: 10,000 · $0.035 = $350.
    assert the_case.costs[0].licence.unit_price == pytest.approx(0.035)
    assert amounts(the_case)[4] == pytest.approx(1350.0)


@pytest.mark.parametrize("follow", [False, True])
@pytest.mark.parametrize("usage", [{"usage_per_active_user_per_month": 0.0},
                                   {"licence": {**TERMS, "price_per_unit": 0.0}}])  # fmt: skip
def test_without_usage_it_is_a_per_seat_line(follow, usage):
    logistic = {"curve": "logistic", "ceiling": 0.7, "midpoint_month": 5, "steepness": 0.9}
    licence = case(adoption=logistic, horizon=3, follow_adoption=follow, seats=33,
                   annual_escalation=0.05, **usage)  # fmt: skip
    per_seat = parse_case(
        {"name": "c", "start": "2027-01", "horizon_years": 3, "adoption": logistic,
         "costs": [{"name": "Seats", "type": "per_seat", "seats": 33, "annual_escalation": 0.05,
                    "price_per_seat_per_month": 20.0, "follow_adoption": follow}]}
    )  # fmt: skip
    assert np.array_equal(amounts(licence), amounts(per_seat))


@pytest.mark.parametrize(
    ("mean", "sd", "allowance"),
    [(1500, 1500, 1000), (800, 400, 1000), (3000, 200, 1900), (50, 500, 1000), (2000, 10, 2000)],
)
def test_expected_excess_matches_scipy_and_a_monte_carlo(mean, sd, allowance):
    sigma = np.sqrt(np.log1p((sd / mean) ** 2))
    usage = stats.lognorm(s=sigma, scale=mean * np.exp(-(sigma**2) / 2))
    assert usage.mean() == pytest.approx(mean) and usage.std() == pytest.approx(sd)
    closed = float(expected_excess(mean, sd, allowance))
    # scipy's numerical integral of max(0, u − A) over the fitted lognormal.
    integral = usage.expect(lambda u: u - allowance, lb=allowance)
    assert closed == pytest.approx(integral, rel=1e-7, abs=1e-9)
    draws = usage.rvs(size=2_000_000, random_state=np.random.default_rng(7))
    excess = np.maximum(draws - allowance, 0.0)
    # Within four standard errors of the Monte Carlo mean.
    assert abs(closed - excess.mean()) < 4 * excess.std() / np.sqrt(draws.size) + 1e-12


def test_expected_excess_edges():
    assert expected_excess(100.0, 0.0, 80.0) == pytest.approx(20.0)  # no spread
    assert expected_excess(100.0, 0.0, 120.0) == 0.0
    assert expected_excess(100.0, 50.0, 0.0) == pytest.approx(100.0)  # no allowance: all of it
    assert expected_excess(0.0, 0.0, 10.0) == 0.0  # no usage
    assert 0.0 <= expected_excess(1.0, 1.0, 1e12) < 1e-200  # far below the allowance
    means, sds = np.meshgrid(np.geomspace(1e-3, 1e6, 60), np.geomspace(1e-3, 1e6, 60))
    assert np.all(expected_excess(means, sds, 1000.0) >= 0.0)  # never negative
    grid = expected_excess(np.array([[500.0], [1500.0]]), 300.0, np.array([0.0, 1000.0]))
    assert grid.shape == (2, 2) and grid[0, 0] == pytest.approx(500.0)


def test_presets_fill_the_licence_block():
    the_case = case(adoption=None, horizon=1, seats=100, usage_per_active_user_per_month=3000.0,
                    licence={"pricing": "github_copilot_business"})  # fmt: skip
    terms = the_case.costs[0].licence
    assert (terms.price_per_seat_per_month, terms.included_units_per_seat) == (19.0, 1900.0)
    assert terms.allowance == "pooled" and terms.price_per_unit == 0.01
    assert "docs.github.com" in terms.source and "checked" in terms.source
    # 100 seats · $19 = $1,900; 300,000 credits − 190,000 pooled = 110,000 · $0.01 = $1,100.
    assert amounts(the_case)[1] == pytest.approx(3000.0)
    enterprise = case(licence={"pricing": "github_copilot_enterprise"}).costs[0].licence
    assert (enterprise.price_per_seat_per_month, enterprise.included_units_per_seat) == (39, 3900)
    # The case's own fields win; its own models replace the preset's single price.
    own = case(licence={"pricing": "github_copilot_business", "price_per_seat_per_month": 17.0,
                        "models": {"x": {"share": 1.0, "price_per_unit": 0.02}}})  # fmt: skip
    assert own.costs[0].licence.price_per_seat_per_month == 17.0
    assert own.costs[0].licence.price_per_unit is None and own.costs[0].licence.unit_price == 0.02


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        ({"licence": {**TERMS, "models": {"a": {"share": 1.0, "price_per_unit": 0.1}}}},
         "costs[0].licence", "give exactly one of price_per_unit or models"),
        ({"licence": {"price_per_seat_per_month": 1.0}},
         "costs[0].licence", "give exactly one of price_per_unit or models"),
        ({"licence": {"price_per_seat_per_month": 1.0, "models": {
            "a": {"share": 0.5, "price_per_unit": 0.1}, "b": {"share": 0.4, "price_per_unit": 1}}}},
         "costs[0].licence", "shares must add up to 1, got 0.9"),
        ({"licence": {"pricing": "github_copilot_busines"}},
         "costs[0].licence.pricing", "did you mean 'github_copilot_business'?"),
        ({"licence": {"pricing": "aws_lambda_arm"}},
         "costs[0].licence.pricing", "serverless preset 'aws_lambda_arm'"),
        ({"licence": {**TERMS, "allowance": "shared"}},
         "costs[0].licence.allowance", "must be one of 'pooled' or 'per_user'"),
        ({"usage_per_active_user_per_month": 0.0, "usage_sd_across_users": 5.0},
         "costs[0]", "usage_sd_across_users needs usage_per_active_user_per_month above 0"),
        ({"seats": 2.5}, "costs[0].seats", "must be a whole number"),
        ({"licence": None}, "costs[0].licence", "must be a mapping of fields"),
    ],
)  # fmt: skip
def test_bad_input_names_the_field(change, where, message):
    with pytest.raises(CaseError) as caught:
        case(**change)
    assert any(p.where == where and message in p.message for p in caught.value.problems), [
        str(p) for p in caught.value.problems
    ]


def test_a_missing_licence_block_is_reported():
    data = {"name": "c", "start": "2027-01", "costs": [
        {"name": "L", "type": "usage_licence", "seats": 1, "usage_per_active_user_per_month": 1.0}
    ]}  # fmt: skip
    with pytest.raises(CaseError) as caught:
        parse_case(data)
    assert [str(p) for p in caught.value.problems] == [
        "costs[0].licence: required field is missing"
    ]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"allowance": "shared"}, "presets.x.allowance: must be pooled or per_user"),
        ({"unit": 3}, "presets.x.unit: must be text"),
        ({"models": {}}, "presets.x.models: not a licence price field"),
        ({"price_per_unit": -1}, "presets.x.price_per_unit: must be a number ≥ 0"),
    ],
)
def test_a_licence_preset_is_checked(entry, message):
    data = {"presets": {"x": {"kind": "licence", "source": "s", "checked": "2026-12-03",
                              "price_per_seat_per_month": 1, **entry}}}  # fmt: skip
    with pytest.raises(PricingFileError, match=message):
        parse_presets(data)


def test_the_bundled_licence_presets_name_their_source():
    from roi.core.pricing import load_presets

    licences = {name: p for name, p in load_presets().items() if p.kind == "licence"}
    assert set(licences) == {"github_copilot_business", "github_copilot_enterprise"}
    for preset in licences.values():
        assert preset.source.startswith("https://docs.github.com/") and preset.checked
        assert preset.terms == {"allowance": "pooled", "unit": "AI credit"}


def test_its_numbers_are_inputs_and_it_round_trips():
    the_case = case(licence={"pricing": "github_copilot_business"}, usage_sd_across_users=900.0)
    paths = numeric_inputs(the_case)
    for path in (
        "costs[0].usage_per_active_user_per_month",
        "costs[0].usage_sd_across_users",
        "costs[0].licence.price_per_unit",
        "costs[0].licence.included_units_per_seat",
    ):
        assert path in paths  # fmt: skip
    assert parse_case(__import__("yaml").safe_load(dump_case(the_case))) == the_case
    mix = {"a": {"share": 0.5, "price_per_unit": 0.1}, "b": {"share": 0.5, "price_per_unit": 0.3}}
    mixed = case(licence={"price_per_seat_per_month": 5.0, "models": mix})
    rebuilt = build_case(case_settings(mixed), case_tables(mixed))
    assert rebuilt.problems == () and rebuilt.case == mixed
    # The app's table editor hands a mapping cell back as its text: it is read back as YAML.
    tables = case_tables(mixed)
    for rows in tables.values():
        for row in rows:
            row["licence.models"] = str(row["licence.models"])
    assert build_case(case_settings(mixed), tables).case == mixed
    plain = case()
    tables = case_tables(plain)
    (row,) = tables[("costs", "usage_licence")]
    assert row["licence.models"] == {}
    row["licence.models"] = "{}"
    assert build_case(case_settings(plain), tables).case == plain
    # A preset's line, whose empty mix comes back as text, keeps the preset's price.
    preset = case(licence={"pricing": "github_copilot_business"})
    tables = case_tables(preset)
    tables[("costs", "usage_licence")][0]["licence.models"] = "{}"
    assert build_case(case_settings(preset), tables).case == preset
    with pytest.raises(CaseError) as caught:
        case(licence={"price_per_seat_per_month": 1.0, "models": "{a: ["})
    (problem,) = caught.value.problems
    assert problem.where == "costs[0].licence.models"
    assert problem.message.startswith("must be a mapping of models to their share")


def test_uncertain_usage_spreads_the_cost_in_the_monte_carlo():
    # Copilot Business, 100 seats all active, usage well above the pool (mean 3,000 credits,
    # sd 200, against 1,900 a seat): each month costs 100 · $19 + 100 · (u − 1,900) · $0.01
    # = $u. Twelve months at a 0 % discount rate: PV costs = 12 · u, so its sd is
    # 12 · 200 = 2,400 and its mean 36,000.
    the_case = case(adoption=None, horizon=1, seats=100, usage_per_active_user_per_month=3000.0,
                    licence={"pricing": "github_copilot_business"})  # fmt: skip
    data = the_case.model_dump() | {"uncertainty": [
        {"input": "costs[0].usage_per_active_user_per_month", "distribution": "normal",
         "mean": 3000.0, "sd": 200.0}]}  # fmt: skip
    uncertain = parse_case(data)
    result = simulate(uncertain, draws=40_000, seed=3)
    assert result.npv_mean == pytest.approx(-36_000, rel=0.005)
    assert result.npv_sd == pytest.approx(2_400, rel=0.02)  # sampling error of an sd ≈ 0.4 %
    # Draw by draw, the cost follows the usage drawn exactly.
    usage = np.array([2500.0, 3000.0, 3600.0])
    figures = evaluate_draws(uncertain, {"costs[0].usage_per_active_user_per_month": usage})
    assert np.allclose(figures.pv_costs, 12 * usage)


def test_draws_of_the_licence_terms_broadcast():
    the_case = case(licence={**TERMS, "allowance": "per_user"}, usage_sd_across_users=600.0)
    prices = np.array([0.02, 0.04, 0.08])
    figures = evaluate_draws(the_case, {"costs[0].licence.price_per_unit": prices})
    seats = 2 * 12 * 50 * 20.0  # 24 months of 50 seats at $20
    usage_part = figures.pv_costs - seats
    assert np.allclose(usage_part / usage_part[1], prices / 0.04)
    assert isinstance(the_case.costs[0], UsageLicence)
