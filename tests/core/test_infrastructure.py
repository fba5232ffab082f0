"""Infrastructure cost: hand-worked examples (arithmetic in the comments), free-tier and
cache edges, and crossovers checked against a brute-force scan."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from roi import evaluate, parse_case
from roi.core.drivers.infrastructure import Infrastructure
from roi.core.hosting import cost_curve, crossover, infrastructure_reports
from roi.io.problems import CaseError

LAMBDA = {
    "price_per_million_requests": 0.20,
    "price_per_gb_second": 0.0000166667,
    "free_requests_per_month": 1_000_000,
    "free_gb_seconds_per_month": 400_000,
    "memory_gb": 0.5,
    "seconds_per_request": 0.2,
}
INSTANCES = {
    "hourly_price": 0.1,
    "capacity_rps_per_instance": 10,
    "target_utilization": 0.5,
    "peak_to_average": 4,
    "min_instances": 2,
    "commitment_discount": 0.2,
    "fixed_monthly_cost": 50,
}


def item(**fields) -> Infrastructure:
    blocks = [b for b in ("serverless", "provisioned") if fields.get(b) is not None]
    model = blocks[0] if len(blocks) == 1 else "cheapest"
    data = {"name": "hosting", "type": "infrastructure", "model": model,
            "requests_per_month": 1.0, **fields}  # fmt: skip
    return Infrastructure.model_validate(data)


def curve(it: Infrastructure, volume: float) -> dict[str, float]:
    return {k: float(v[0]) for k, v in cost_curve(it, np.array([volume])).items()}


def test_serverless_function_with_free_tier():
    it = item(serverless=LAMBDA)
    # 3,000,000 requests: 2,000,000 billed × $0.20 / 10⁶ = $0.40; 3,000,000 × 0.2 s ×
    # 0.5 GB = 300,000 GB-s, inside the 400,000 free → $0.
    assert curve(it, 3_000_000)["serverless"] == pytest.approx(0.40)
    # 5,000,000: 4,000,000 × 0.2e-6 = $0.80; 500,000 GB-s − 400,000 = 100,000 × 0.0000166667.
    assert curve(it, 5_000_000)["serverless"] == pytest.approx(0.80 + 1.66667)
    # At or below the free tier, and at zero volume, it costs nothing.
    assert curve(it, 1_000_000)["serverless"] == 0.0
    assert curve(it, 0)["serverless"] == 0.0


def test_model_api_tokens():
    it = item(serverless={"input_tokens_per_request": 500, "output_tokens_per_request": 200,
                          "price_per_million_input_tokens": 0.15,
                          "price_per_million_output_tokens": 0.60})  # fmt: skip
    # 10,000 × (500 × 0.15 + 200 × 0.60) / 10⁶ = 10,000 × 195 / 10⁶ = $1.95
    assert curve(it, 10_000)["serverless"] == pytest.approx(1.95)


def test_provisioned_sizing_utilisation_and_peak():
    it = item(provisioned=INSTANCES)
    # 10,512,000 requests / (730 h · 3,600 s) = 4 rps average, × 4 peak = 16 rps;
    # 16 / (10 rps · 0.5) = 3.2 → 4 instances; 4 · $0.1 · 730 · (1 − 0.2) = $233.60 + $50.
    result = curve(it, 10_512_000)
    assert result["instances"] == 4
    assert result["provisioned"] == pytest.approx(283.60)
    # Exactly 3 instances' worth (3.75 rps average) stays at 3, not 4.
    assert curve(it, 9_855_000)["instances"] == 3
    # No traffic: the redundancy minimum of 2 → 2 · 58.40 + 50 = $166.80.
    assert curve(it, 0)["provisioned"] == pytest.approx(166.80)


def test_cache_hits_reach_neither_model():
    it = item(serverless=LAMBDA, provisioned=INSTANCES, cache_hit_rate=0.25)
    # 4,000,000 requests, 25 % cached → 3,000,000 reach the backend: $0.40 as above.
    assert curve(it, 4_000_000)["serverless"] == pytest.approx(0.40)
    # 14,016,000 × 0.75 = 10,512,000 backend requests → 4 instances as above.
    assert curve(it, 14_016_000)["instances"] == 4
    everything = item(serverless=LAMBDA, provisioned=INSTANCES, cache_hit_rate=1.0)
    big = curve(everything, 1e12)
    assert big["serverless"] == 0.0 and big["instances"] == 2
    assert crossover(everything).requests_per_month is None


def unit_item(instance_cost: float, **provisioned) -> Infrastructure:
    """Serverless at $1 per 1,000 requests; one instance serves 10⁶ requests a month."""
    return item(
        serverless={"price_per_million_requests": 1000},
        provisioned={
            "hourly_price": instance_cost / 730,
            "capacity_rps_per_instance": 1,
            "target_utilization": 1e6 / 2_628_000,
            **provisioned,
        },
    )


def test_crossover_single_step():
    # S(N) = N / 1,000; one $100 instance up to 10⁶ requests: S = 100 at N = 100,000; beyond
    # 10⁶ two instances cost $200 while S ≥ $1,000. Both crossovers: 100,000.
    result = crossover(unit_item(100))
    assert result.first_requests_per_month == pytest.approx(100_000)
    assert result.requests_per_month == pytest.approx(100_000)


def test_crossover_differs_from_first_crossover_on_a_step_function():
    # $900 per instance of 10⁶ requests. Step k costs 900·k and starts where S = 1,000·(k−1):
    # provisioned is first not dearer at S = 900 (N = 900,000), dearer again after each step
    # while 900·k > 1,000·(k−1), i.e. k < 10; in step 9 it stops being dearer at S = 8,100.
    result = crossover(unit_item(900))
    assert result.first_requests_per_month == pytest.approx(900_000)
    assert result.requests_per_month == pytest.approx(8_100_000)


def test_no_crossover_when_provisioned_stays_dearer():
    # $1,200 per 10⁶ requests is dearer per request than serverless's $1,000.
    result = crossover(unit_item(1200))
    assert result.first_requests_per_month is None and result.requests_per_month is None
    assert "stays dearer" in result.note


def test_free_tier_moves_the_crossover():
    # S = (N − 10⁶) / 1,000 above the free tier; $100 for up to 10⁷ requests:
    # S = 100 at N = 1,100,000.
    it = item(
        serverless={"price_per_million_requests": 1000, "free_requests_per_month": 1e6},
        provisioned={
            "hourly_price": 100 / 730,
            "capacity_rps_per_instance": 10,
            "target_utilization": 1e7 / 26_280_000,
        },
    )
    assert crossover(it).first_requests_per_month == pytest.approx(1_100_000)
    assert crossover(it).requests_per_month == pytest.approx(1_100_000)


def test_zero_minimum_and_no_fixed_cost_is_never_dearer_at_zero():
    result = crossover(unit_item(100, min_instances=0))
    assert result.first_requests_per_month == 0.0  # no traffic, no instance: $0 = $0


@settings(max_examples=60, deadline=None)
@given(
    price=st.floats(10, 5000),
    instance=st.floats(10, 5000),
    minimum=st.integers(0, 3),
    fixed=st.floats(0, 500),
    free=st.floats(0, 3e6),
)
@example(price=11.0, instance=10.0, minimum=0, fixed=8.0, free=0.0078125)  # a tie (found by chance)
def test_crossovers_agree_with_a_brute_force_scan(price, instance, minimum, fixed, free):
    it = item(
        serverless={"price_per_million_requests": price, "free_requests_per_month": free},
        provisioned={
            "hourly_price": instance / 730,
            "capacity_rps_per_instance": 1,
            "target_utilization": 1e6 / 2_628_000,
            "min_instances": minimum,
            "fixed_monthly_cost": fixed,
        },
    )
    result = crossover(it)
    grid = np.linspace(0, 60e6, 600_001)
    costs = cost_curve(it, grid)
    dearer = costs["provisioned"] - costs["serverless"] > 1e-9
    tolerance = 200.0  # one grid step
    inside = 60e6 - tolerance  # the scan only speaks for volumes it covers
    if result.first_requests_per_month is not None and result.first_requests_per_month < inside:
        below = grid < result.first_requests_per_month - tolerance
        assert dearer[below].all()
        near = np.abs(grid - result.first_requests_per_month) <= tolerance
        # At the crossover the two costs may tie to within rounding only at the crossover
        # itself (between grid points): no dearer than a millionth of a currency unit there.
        gap = costs["provisioned"] - costs["serverless"]
        assert (gap[near] <= 1e-6).any() or result.first_requests_per_month == 0
    if result.requests_per_month is not None and result.requests_per_month < inside:
        assert not dearer[grid >= result.requests_per_month + tolerance].any()
        if result.requests_per_month > tolerance:
            assert dearer[grid <= result.requests_per_month - tolerance].any()
    elif result.requests_per_month is None:  # dearer again after every step at high volume
        assert dearer[grid > 50e6].any()


CASE = {
    "name": "Hosting",
    "start": "2027-01",
    "horizon_years": 3,
    "annual_volume_growth": 1.0,
    "benefits": [{"name": "b", "type": "explicit", "by_year": [100000, 100000, 100000]}],
    "costs": [
        {"name": "h", "type": "infrastructure", "model": "cheapest", "requests_per_month": 600_000,
         "serverless": {"price_per_million_requests": 1000},
         "provisioned": {"hourly_price": 900 / 730, "capacity_rps_per_instance": 1,
                         "target_utilization": 1e6 / 2_628_000}}
    ],
}  # fmt: skip


def test_report_months_choices_crossover_month_and_npvs():
    case = parse_case(CASE)
    (report,) = infrastructure_reports(case)
    # Volume doubles each year: 600,000, 1,200,000, 2,400,000 a month in years 1–3.
    assert report.requests[0] == 600_000 and report.requests[12] == 1_200_000
    # Year 1: S = $600 < P = $900; year 2: S = $1,200 < P = $1,800 (2 instances);
    # year 3: S = $2,400 < P = $2,700 (3 instances): serverless all along.
    assert set(report.chosen) == {"serverless"} and report.switch_months == ()
    assert report.crossover.requests_per_month == pytest.approx(8_100_000)
    assert report.crossover_month is None  # 2.4 million never reaches 8.1 million
    assert report.crossover.first_requests_per_month == pytest.approx(900_000)
    npvs = report.npv_by_model
    assert npvs["cheapest"] == pytest.approx(npvs["serverless"])
    assert npvs["serverless"] > npvs["provisioned"]
    # The PV of each choice uses the case's discount factors.
    monthly = 1.1 ** (-np.arange(1, 37) / 12)
    assert report.pv_serverless == pytest.approx(float(report.serverless_cost @ monthly))


def test_cheapest_switches_when_provisioned_becomes_cheaper():
    data = {**CASE, "annual_volume_growth": 9.0}  # 0.6, 6 and 60 million a month
    (report,) = infrastructure_reports(parse_case(data))
    assert report.chosen[0] == "serverless" and report.chosen[12] == "provisioned"
    assert report.switch_months == (13,)
    # Provisioned is cheaper from month 13 (6 million a month, past the first crossover of
    # 900,000) but only never dearer from 8.1 million: month 25 (60 million).
    assert report.crossover_month == 25
    result = evaluate(parse_case(data))
    costs = result.unadjusted.line_amounts[1][1:]
    assert np.allclose(costs, np.minimum(report.serverless_cost, report.provisioned_cost))


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        ({"provisioned": {"hourly_price": 1, "capacity_rps_per_instance": 1,
                          "target_utilization": 0}},
         "costs[0].provisioned.target_utilization", "must be > 0"),
        ({"serverless": {"price_per_million_requests": -1}},
         "costs[0].serverless.price_per_million_requests", "must be ≥ 0, got -1"),
        ({"serverless": {"pricing": "aws_lamda_arm"}},
         "costs[0].serverless.pricing", "did you mean 'aws_lambda_arm'?"),
        ({"requests_per_user_per_month": 10}, "costs[0]", "give exactly one of"),
        ({"provisioned": None}, "costs[0]", "model 'cheapest' needs prices in 'provisioned'"),
    ],
)  # fmt: skip
def test_bad_infrastructure_input_names_the_field(change, where, message):
    data = {**CASE, "costs": [{**CASE["costs"][0], **change}]}
    with pytest.raises(CaseError) as caught:
        parse_case(data)
    assert any(p.where == where and message in p.message for p in caught.value.problems), [
        str(p) for p in caught.value.problems
    ]


def test_near_equal_marginal_costs_are_solved_in_closed_form():
    # An instance of 10⁶ requests costs $999.99984 against $1,000 serverless: provisioned
    # wins by 1.6e-4 a step (plus the billionth that counts as a tie, 1e-6 of $1,000), so it
    # stops being dearer after about 1,000 / 1.61e-4 = 6.2 million steps of 10⁶ requests.
    it = unit_item(999.99984)
    result = crossover(it)  # solved without scanning the ~6.2 million steps
    assert result.first_requests_per_month == pytest.approx(999_999.84)
    assert result.requests_per_month == pytest.approx(1000 / 1.61e-4 * 1e6, rel=1e-3)


def test_presets_resolve_in_the_model_itself():
    # Validating without parse_case still takes the preset's prices (issue #4 review).
    from roi.core.pricing import ServerlessPricing

    block = ServerlessPricing.model_validate({"pricing": "openai_gpt_4o_mini"})
    assert block.price_per_million_input_tokens == 0.15 and "openai" in block.source


def test_any_traffic_needs_an_instance_even_with_no_minimum():
    it = item(provisioned={**INSTANCES, "min_instances": 0, "capacity_rps_per_instance": 1e6})
    assert curve(it, 2_628)["instances"] == 1 and curve(it, 0)["instances"] == 0
