"""Quick wins (issue 6): scoring, ranking properties, robustness draws and the budgeted
portfolio."""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import random
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from roi.cli import main
from roi.core.finance import payback_periods
from roi.core.totals import combined_net_flows
from roi.portfolio.budget import (
    _exhaustive,
    _integer_programme,
    best_subset,
    default_budget,
    select_portfolio,
)
from roi.portfolio.quickwins import (
    FACTORS,
    WEIGHT_KEYS,
    RankSettings,
    ScoreInputs,
    Weights,
    competition_ranks,
    components,
    quadrant,
    rank,
    rank_inputs,
    score_inputs,
)
from roi.portfolio.register import Register, UseCase, read_register

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "use_cases.csv"


@pytest.fixture(scope="module")
def sample() -> Register:
    return read_register(SAMPLE.read_bytes(), SAMPLE.name, SAMPLE.parent)


def use_case(use_case_id: str, **marks) -> UseCase:
    fields = {
        "value_score": 3.0,
        "technical_complexity": 3.0,
        "data_readiness": 3.0,
        "stakeholder_buy_in": 3.0,
        "strategic_alignment": 3.0,
        "time_to_value_months": 6.0,
    } | marks
    return UseCase(
        line=2, use_case_id=use_case_id, name=use_case_id, business_function="other", **fields
    )


def register_of(*use_cases: UseCase) -> Register:
    return Register("test.csv", "USD", tuple(use_cases), {})


# --- the scales -------------------------------------------------------------------------


def test_scales_of_each_part():
    """Marks map to (x − 1)·25, or (5 − x)·25 where 5 is worst; blanks are neutral 50; time
    to value halves every half-life; NPV is 100·clip(NPV/anchor, 0, 1)."""
    marks = {
        "value_score": np.array([np.nan, np.nan, np.nan, 4.0]),
        "technical_complexity": np.array([1.0, 5.0, 2.0, 3.0]),
        "data_readiness": np.array([5.0, 1.0, 2.0, 3.0]),
        "stakeholder_buy_in": np.array([5.0, 1.0, 2.0, 3.0]),
        "strategic_alignment": np.array([5.0, 1.0, 2.0, 3.0]),
        "change_readiness": np.array([np.nan, 1.0, 5.0, 3.0]),
        "time_to_value_months": np.array([0.0, 6.0, 12.0, 3.0]),
        "risk": np.array([np.nan, 5.0, 1.0, 2.0]),
    }
    npv = np.array([2e6, 5e5, -1e5, np.nan])
    parts = components(marks, npv, 1e6, 6.0)
    expected = [
        [100.0, 100.0, 100.0, 100.0, 100.0, 50.0, 100.0, 50.0],
        [50.0, 0.0, 0.0, 0.0, 0.0, 0.0, 50.0, 0.0],
        [0.0, 75.0, 25.0, 25.0, 25.0, 100.0, 25.0, 100.0],
        [75.0, 50.0, 50.0, 50.0, 50.0, 50.0, 100 * 0.5**0.5, 75.0],
    ]
    np.testing.assert_allclose(parts, expected, rtol=1e-12)


def test_default_weights_count_value_as_much_as_actionability():
    weights = Weights()
    factor_total = sum(getattr(weights, f) for f in FACTORS)
    assert weights.value == factor_total == 100
    assert ("value", *FACTORS) == WEIGHT_KEYS


def test_score_parts_add_up_and_match_the_stated_means(sample):
    ranking = rank(sample, RankSettings(draws=0))
    weights = Weights().vector()
    for row in ranking.rows:
        parts = np.array([row.components[k] for k in WEIGHT_KEYS])
        assert sum(row.contributions.values()) == pytest.approx(row.score, abs=1e-9)
        assert row.score == pytest.approx(parts @ weights / weights.sum(), abs=1e-9)
        assert row.actionability == pytest.approx(
            parts[1:] @ weights[1:] / weights[1:].sum(), abs=1e-9
        )
        assert 0 <= row.value <= 100 and 0 <= row.actionability <= 100


def test_value_from_the_npv_on_the_anchor_scale(sample):
    ranking = rank(sample, RankSettings(draws=0))
    largest = max(sample.npv(i) for i in sample.cases)
    assert ranking.anchor == pytest.approx(largest) and ranking.anchor_source == "largest NPV"
    for use_case_id in sample.cases:
        row = ranking.row(use_case_id)
        assert row.value_source == "npv"
        expected = 100 * min(max(sample.npv(use_case_id) / largest, 0.0), 1.0)
        assert row.value == pytest.approx(expected, abs=1e-9)
    assert ranking.row("UC-04").value == 0.0  # loses money
    assert (
        ranking.row("UC-13").value == 100.0 and ranking.row("UC-13").value_source == "value_score"
    )
    anchored = rank(sample, RankSettings(draws=0, value_anchor=500_000))
    assert anchored.row("UC-01").value == 100.0 and anchored.anchor_source == "set"


def test_quadrants_and_their_thresholds():
    settings = RankSettings(value_threshold=50, actionability_threshold=60)
    assert quadrant(80, 70, settings) == "quick_win"
    assert quadrant(80, 60, settings) == "strategic_bet"  # on the threshold is not high
    assert quadrant(50, 70, settings) == "fill_in"
    assert quadrant(10, 10, settings) == "deprioritise"


def test_ties_share_a_rank():
    assert competition_ranks(np.array([50.0, 70.0, 50.0, 90.0, 50.0 + 1e-12])).tolist() == [
        3,
        2,
        3,
        1,
        3,
    ]
    twins = register_of(use_case("A"), use_case("B"), use_case("C", value_score=5.0))
    ranking = rank(twins, RankSettings(draws=0))
    assert [(r.use_case_id, r.rank) for r in ranking.rows] == [("C", 1), ("A", 2), ("B", 2)]


def test_weights_parse_and_reject():
    assert Weights.parse("value=50, risk=0") == dataclasses.replace(Weights(), value=50, risk=0)
    with pytest.raises(ValueError, match="'speed=3' is not key=value"):
        Weights.parse("speed=3")
    with pytest.raises(ValueError, match="at least one factor weight"):
        Weights.parse(",".join(f"{f}=0" for f in FACTORS))
    with pytest.raises(ValueError, match="weight risk must be a number from 0"):
        Weights(risk=-1)
    with pytest.raises(ValueError, match="top_k is out of range"):
        RankSettings(top_k=0)


# --- properties (hypothesis) ----------------------------------------------------------

mark = st.sampled_from([1.0, 1.5, 2.0, 3.0, 3.5, 4.0, 5.0])
months = st.floats(min_value=0, max_value=120, allow_nan=False)
weight = st.sampled_from([0.0, 0.5, 1.0, 5.0, 10.0, 20.0, 100.0])


@st.composite
def weights_strategy(draw) -> Weights:
    values = {key: draw(weight) for key in WEIGHT_KEYS}
    assume(sum(values[f] for f in FACTORS) > 0)
    return Weights(**values)


@st.composite
def inputs_strategy(draw, min_size=2, max_size=8) -> ScoreInputs:
    n = draw(st.integers(min_size, max_size))
    has_case = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    npv = [draw(st.floats(-1e6, 2e6, allow_nan=False)) if case else math.nan for case in has_case]

    def marks(optional: bool = False) -> np.ndarray:
        values = draw(
            st.lists(mark | st.just(math.nan) if optional else mark, min_size=n, max_size=n)
        )
        return np.array(values)

    return ScoreInputs(
        ids=tuple(f"U{i:02d}" for i in range(n)),
        npv=np.array(npv),
        npv_low=np.full(n, math.nan),
        npv_high=np.full(n, math.nan),
        value_score=np.where(has_case, math.nan, marks()),
        technical_complexity=marks(),
        data_readiness=marks(),
        stakeholder_buy_in=marks(),
        strategic_alignment=marks(),
        change_readiness=marks(optional=True),
        time_to_value_months=np.array(draw(st.lists(months, min_size=n, max_size=n))),
        risk=marks(optional=True),
    )


def _with_row(inputs: ScoreInputs, i: int, **values) -> ScoreInputs:
    changed = {}
    for name, value in values.items():
        column = getattr(inputs, name).copy()
        column[i] = value
        changed[name] = column
    return dataclasses.replace(inputs, **changed)


BETTER_IS_LOWER = ("technical_complexity", "time_to_value_months", "risk")


@settings(max_examples=300, deadline=None)
@given(inputs_strategy(), weights_strategy(), st.data())
def test_a_use_case_at_least_as_good_on_every_input_never_ranks_below(inputs, weights, data):
    """Copy row i into row j and improve j on any inputs: j never ranks below i."""
    n = len(inputs)
    i, j = data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, n - 1))
    assume(i != j)
    improved = {}
    for name in ("npv", "value_score", *FACTORS):
        source = getattr(inputs, name)[i]
        if math.isnan(source):
            improved[name] = source  # a blank stays blank (neutral) in both
            continue
        step = data.draw(st.sampled_from([0.0, 0.0, 0.5, 1.0, 3.0]))
        if name == "npv":
            improved[name] = source + step * 1e5
        elif name in BETTER_IS_LOWER:
            improved[name] = max(source - step, 0.0 if name == "time_to_value_months" else 1.0)
        else:
            improved[name] = min(source + step, 5.0)
    inputs = _with_row(inputs, j, **improved)
    settings_ = RankSettings(weights=weights, draws=0)
    _, _, score, ranks, _, _ = rank_inputs(inputs, settings_)
    assert ranks[j] <= ranks[i], (score[j], score[i])


@settings(max_examples=200, deadline=None)
@given(inputs_strategy(), weights_strategy(), st.sampled_from(WEIGHT_KEYS), weight)
def test_raising_a_weight_never_moves_the_best_on_that_factor_down(inputs, weights, key, more):
    """The score itself may fall (the weighted mean moves towards the use case's own mark on
    that factor), but never below another use case's: its rank never worsens."""
    assume(more > 0)
    base = RankSettings(weights=weights, draws=0)
    raised = RankSettings(
        weights=dataclasses.replace(weights, **{key: getattr(weights, key) + more}), draws=0
    )
    parts, _, _, before, _, _ = rank_inputs(inputs, base)
    _, _, _, after, _, _ = rank_inputs(inputs, raised)
    column = parts[:, WEIGHT_KEYS.index(key)]
    for best in np.flatnonzero(column == column.max()):
        assert after[best] <= before[best]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 9))
def test_shuffling_rows_changes_nothing(seed, n):
    generator = random.Random(seed)
    rows = [
        use_case(
            f"UC-{i}",
            value_score=float(generator.randint(1, 5)),
            technical_complexity=float(generator.randint(1, 5)),
            data_readiness=float(generator.randint(1, 5)),
            risk=generator.choice([None, 1.0, 4.0]),
            time_to_value_months=float(generator.randint(0, 24)),
        )
        for i in range(n)
    ]
    shuffled = rows[:]
    generator.shuffle(shuffled)
    settings_ = RankSettings(draws=300, top_k=3)
    assert rank(register_of(*rows), settings_) == rank(register_of(*shuffled), settings_)


# --- robustness ------------------------------------------------------------------------


def test_without_spread_the_probabilities_are_the_point_ranking(sample):
    """No spread on scores or weights and no NPV intervals: each draw is the point ranking."""
    flat = Register(
        sample.source,
        sample.currency,
        tuple(dataclasses.replace(u, npv_low=None, npv_high=None) for u in sample.use_cases),
        sample.cases,
    )
    ranking = rank(flat, RankSettings(draws=50, score_spread=0, weight_spread=0, top_k=4))
    for row in ranking.rows:
        assert row.p_quick_win == (1.0 if row.quadrant == "quick_win" else 0.0), row.use_case_id
        assert row.p_top_k == (1.0 if row.rank <= 4 else 0.0), row.use_case_id


@pytest.mark.parametrize(
    ("value_score", "expected"),
    [
        # mark ~ U(2, 4) → value ~ U(25, 75): P(value > 50) = 1/2
        (3.0, 0.5),
        # mark ~ U(3, 5) → value ~ U(50, 100): always above 50 (but for a null set)
        (4.0, 1.0),
        # mark ~ U(1, 2) (clipped at 1) → value ≤ 25
        (1.0, 0.0),
        # mark ~ U(2.5, 4.5) → value ~ U(37.5, 87.5): P = 37.5 / 50 = 0.75
        (3.5, 0.75),
    ],
)
def test_quick_win_probability_against_the_uniform_draw(value_score, expected):
    """Actionability held high (all factors best, no spread on them would still be > 50);
    the probability is that of value > 50 under the stated uniform draw, within 4 standard
    errors of 20,000 draws."""
    best = use_case(
        "A",
        value_score=value_score,
        technical_complexity=1.0,
        data_readiness=5.0,
        stakeholder_buy_in=5.0,
        strategic_alignment=5.0,
        change_readiness=5.0,
        risk=1.0,
        time_to_value_months=0.0,
    )
    ranking = rank(register_of(best, use_case("B")), RankSettings(draws=20_000, seed=3))
    error = 4 * math.sqrt(expected * (1 - expected) / 20_000) + 1e-12
    assert ranking.row("A").p_quick_win == pytest.approx(expected, abs=error)


def test_npv_interval_draws_are_uniform_within_it(sample):
    """UC-05's NPV is drawn within 450,000–1,300,000 and the anchor is 1,000,000 here: its
    value is above 50 (NPV above 500,000) with probability (1.3e6 − 5e5) / 8.5e5."""
    ranking = rank(sample, RankSettings(draws=20_000, value_anchor=1_000_000, seed=5))
    inputs = score_inputs(sample)
    i = inputs.ids.index("UC-05")
    assert (inputs.npv_low[i], inputs.npv_high[i]) == (450_000, 1_300_000)
    p_value_high = (1.3e6 - 5e5) / 8.5e5
    assert ranking.row("UC-05").p_quick_win <= p_value_high + 0.015
    assert ranking.row("UC-05").p_quick_win >= p_value_high - 0.12  # actionability rarely ≤ 50


def naive_robustness(inputs: ScoreInputs, settings_: RankSettings, anchor: float | None):
    """One draw at a time, through :func:`components`, as the docstring states the method."""
    rng = np.random.default_rng(12345)
    n, k = len(inputs), min(settings_.top_k, len(inputs))
    quick, top = np.zeros(n), np.zeros(n)
    for _ in range(settings_.draws):
        marks = {"time_to_value_months": inputs.time_to_value_months}
        for name in ("value_score", *FACTORS):
            if name == "time_to_value_months":
                continue
            x = getattr(inputs, name)
            low, high = np.clip(x - 1, 1, 5), np.clip(x + 1, 1, 5)
            marks[name] = low + (high - low) * rng.random(n)  # a blank (nan) stays blank
        npv = inputs.npv.copy()
        interval = np.isfinite(inputs.npv_low)
        npv[interval] = rng.uniform(inputs.npv_low[interval], inputs.npv_high[interval])
        weights = settings_.weights.vector() * rng.uniform(0.5, 1.5, len(WEIGHT_KEYS))
        parts = components(marks, npv, anchor, settings_.time_half_life_months)
        actionability = parts[:, 1:] @ weights[1:] / weights[1:].sum()
        score = parts @ weights / weights.sum()
        quick += (parts[:, 0] > settings_.value_threshold) & (
            actionability > settings_.actionability_threshold
        )
        top += competition_ranks(score) <= k
    return quick / settings_.draws, top / settings_.draws


def test_vectorised_draws_agree_with_one_draw_at_a_time(sample):
    settings_ = RankSettings(draws=6_000, seed=11)
    inputs = score_inputs(sample)
    anchor = max(sample.npv(i) for i in sample.cases)
    _, _, _, _, quick, top = rank_inputs(inputs, settings_)
    naive_quick, naive_top = naive_robustness(inputs, settings_, anchor)
    # Two independent estimates of one probability: 5 standard errors of their difference.
    for ours, theirs in ((quick, naive_quick), (top, naive_top)):
        p = (ours + theirs) / 2
        tolerance = 5 * np.sqrt(2 * p * (1 - p) / settings_.draws) + 1e-9
        assert np.all(np.abs(ours - theirs) <= tolerance), np.abs(ours - theirs).max()


def test_draws_are_reproducible_and_probabilities_are_fractions(sample):
    first = rank(sample, RankSettings(draws=500, seed=7))
    assert first == rank(sample, RankSettings(draws=500, seed=7))
    assert first != rank(sample, RankSettings(draws=500, seed=8))
    for row in first.rows:
        assert 0 <= row.p_quick_win <= 1 and 0 <= row.p_top_k <= 1
    top = sum(row.p_top_k for row in first.rows)
    assert top >= first.top_k - 1e-9  # ties can put more than k in the top k


def test_no_draws_no_probabilities(sample):
    assert all(
        r.p_quick_win is None and r.p_top_k is None
        for r in rank(sample, RankSettings(draws=0)).rows
    )


# --- the budgeted portfolio --------------------------------------------------------------


def brute_force(npv, cost, budget, cap):
    best = 0.0
    for size in range(len(npv) + 1):
        if size > cap:
            break
        for combo in itertools.combinations(range(len(npv)), size):
            if sum(cost[c] for c in combo) <= budget:
                best = max(best, sum(npv[c] for c in combo if npv[c] > 0))
    return best


def test_the_textbook_knapsack():
    """The classic 0-1 knapsack example (values 60, 100, 120; weights 10, 20, 30; capacity
    50 → 220, items 2 and 3), e.g. Wikipedia "Knapsack problem" and CLRS exercise 16.2-2."""
    npv, cost = np.array([60.0, 100.0, 120.0]), np.array([10.0, 20.0, 30.0])
    take, method = best_subset(npv, cost, 50.0)
    assert take.tolist() == [False, True, True] and method == "exhaustive"
    chosen = _integer_programme(npv, np.round(cost * 100), 5000, 3)
    assert chosen.tolist() == [False, True, True]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-50, 300), st.integers(0, 120)), min_size=1, max_size=10),
    st.integers(0, 500),
    st.integers(1, 10),
)
def test_exhaustive_and_integer_programming_find_the_best_set(items, budget, cap):
    npv = np.array([float(v) * 1000.5 for v, _ in items])
    cost = np.array([float(c) * 1000.25 for _, c in items])
    budget = budget * 1000.0
    expected = brute_force(npv, cost, budget, cap)
    take, _ = best_subset(npv, cost, budget, cap)
    assert npv[take].sum() == pytest.approx(expected, rel=1e-12, abs=1e-9)
    assert cost[take].sum() <= budget + 1e-9 and take.sum() <= cap
    worth = np.flatnonzero((npv > 0) & (cost <= budget))
    if worth.size:
        chosen = _integer_programme(
            npv[worth], np.round(cost[worth] * 100), math.floor(budget * 100), min(cap, worth.size)
        )
        assert npv[worth][chosen].sum() == pytest.approx(expected, rel=1e-9)
        exhaustive = _exhaustive(
            npv[worth], np.round(cost[worth] * 100), math.floor(budget * 100), cap
        )
        assert npv[worth][exhaustive].sum() == pytest.approx(expected, rel=1e-12)


def test_integer_programming_beyond_the_exhaustive_limit():
    generator = np.random.default_rng(4)
    npv = generator.uniform(1e4, 1e6, 40)
    cost = np.round(generator.uniform(1e4, 5e5, 40), 2)
    take, method = best_subset(npv, cost, 2e6, 8)
    assert method == "integer programming"
    assert cost[take].sum() <= 2e6 and take.sum() <= 8
    # No single swap of one chosen item for one left out improves the set (a necessary
    # condition of optimality that a greedy choice by NPV per cost would fail here).
    for out in np.flatnonzero(take):
        for into in np.flatnonzero(~take):
            swapped = take.copy()
            swapped[out], swapped[into] = False, True
            if cost[swapped].sum() <= 2e6:
                assert npv[swapped].sum() <= npv[take].sum() + 1e-6


def test_costs_exactly_on_the_budget_fit():
    take, _ = best_subset(np.array([5.0, 5.0, 1.0]), np.array([0.1, 0.2, 0.3]), 0.3)
    assert take.tolist() == [True, True, False]


def test_sample_portfolio_within_a_budget(sample):
    portfolio = select_portfolio(sample, 300_000)
    assert portfolio.chosen == ("UC-05", "UC-01")  # largest NPV first
    assert portfolio.total_cost == 300_000
    assert portfolio.npv == pytest.approx(sample.npv("UC-05") + sample.npv("UC-01"))
    flows = combined_net_flows([sample.cases["UC-05"], sample.cases["UC-01"]])
    np.testing.assert_allclose(portfolio.net_cash_flow, flows)
    assert portfolio.payback_months == payback_periods(flows)
    left_out = dict(portfolio.left_out)
    assert left_out["UC-13"] == "no business case, so no NPV"
    assert dict(portfolio.not_chosen)["UC-04"] == "risk-adjusted NPV is not positive"
    assert set(portfolio.chosen) | {i for i, _ in portfolio.not_chosen} | set(left_out) == {
        u.use_case_id for u in sample.use_cases
    }


def test_exchange_rates_carry_into_the_portfolio(sample):
    from roi import evaluate
    from roi.core.casefile import parse_case

    # Measured, UC-03 loses money (issue 20, item 12) and is not chosen; at the plan's 1.2
    # minutes saved per document it is, and its euros carry into the portfolio at 1.08.
    assert "UC-03" not in select_portfolio(sample, 10_000_000).chosen
    data = sample.cases["UC-03"].case.model_dump()
    data["benefits"][0]["minutes_saved_per_task"] = 1.2
    cases = {**sample.cases, "UC-03": evaluate(parse_case(data))}
    sample = Register(sample.source, sample.currency, sample.use_cases, cases)
    portfolio = select_portfolio(sample, 10_000_000)
    assert "UC-03" in portfolio.chosen
    eur = sample.cases["UC-03"]
    assert sample.npv("UC-03") == pytest.approx(eur.risk_adjusted.metrics.npv * 1.08)
    usd = [sample.cases[i] for i in portfolio.chosen if i != "UC-03"]
    expected = combined_net_flows([*usd, eur], rates=[1.0] * len(usd) + [1.08])
    np.testing.assert_allclose(portfolio.net_cash_flow, expected)


def test_use_cases_without_a_cost_are_left_out_and_the_cap_holds(sample):
    without_cost = Register(
        sample.source,
        sample.currency,
        tuple(
            dataclasses.replace(u, estimated_cost=None) if u.use_case_id == "UC-05" else u
            for u in sample.use_cases
        ),
        sample.cases,
    )
    portfolio = select_portfolio(without_cost, 10_000_000, max_projects=1)
    assert dict(portfolio.left_out)["UC-05"] == "no estimated_cost"
    assert portfolio.chosen == ("UC-01",)  # UC-02's measured case loses money (issue 20)
    # Half the cost of the cases with a positive NPV, UC-01 and UC-05 since UC-02 and UC-03
    # are measured (issue 20, item 12): (120,000 + 180,000) / 2.
    assert default_budget(sample) == 150_000.0


def test_nothing_fits_a_tiny_budget(sample):
    portfolio = select_portfolio(sample, 10)
    assert portfolio.chosen == () and portfolio.payback_months is None
    assert dict(portfolio.not_chosen)["UC-05"] == "costs more than the whole budget"


# --- the command line -------------------------------------------------------------------


def test_rank_json(capsys):
    assert main(["rank", str(SAMPLE), "--json", "--budget", "300,000", "--draws", "2000"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    data = json.loads(out)
    ranks = [row["rank"] for row in data["ranking"]]
    assert ranks == sorted(ranks) and ranks[0] == 1
    required = {"use_case_id", "rank", "value", "actionability", "score", "quadrant", "p_quick_win"}
    assert all(required <= row.keys() for row in data["ranking"])
    assert data["portfolio"]["chosen"] == ["UC-05", "UC-01"]
    assert data["portfolio"]["currency"] == "USD"
    assert "portfolio" not in json.loads(_run_json(capsys, [str(SAMPLE), "--draws", "0"]))


def _run_json(capsys, args) -> str:
    assert main(["rank", "--json", *args]) == 0
    return capsys.readouterr().out


def test_rank_weights_change_the_order(capsys):
    plain = json.loads(_run_json(capsys, [str(SAMPLE), "--draws", "0"]))
    only_speed = json.loads(
        _run_json(
            capsys,
            [
                str(SAMPLE), "--draws", "0", "--weights",
                "value=0,technical_complexity=0,data_readiness=0,stakeholder_buy_in=0,"
                "strategic_alignment=0,change_readiness=0,risk=0,time_to_value_months=1",
            ],
        )
    )  # fmt: skip
    assert plain["ranking"][0]["use_case_id"] == "UC-05"
    assert only_speed["ranking"][0]["use_case_id"] in {"UC-07", "UC-14"}  # one month to value


def test_rank_readable_output(capsys):
    assert main(["rank", str(SAMPLE), "--budget", "300000", "--max-projects", "1"]) == 0
    out = capsys.readouterr().out
    assert "Quick win" in out and "P(top 5)" in out
    assert "Portfolio within a budget of $300,000, at most 1 project" in out
    assert "Chosen: UC-05" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--weights", "speed=2"], "argument --weights: 'speed=2' is not key=value"),
        (["--budget", "-5"], "argument --budget: must be an amount from 0 to 1e15"),
        (["--budget", "lots"], "argument --budget: not a number"),
        (["--thresholds", "50"], "argument --thresholds: must be VALUE,ACTIONABILITY"),
        (["--top", "0"], "argument --top: must be from 1"),
        (["--currency", "usd"], "argument --currency: must be a three-letter ISO code"),
        (["--max-projects", "2"], "--max-projects needs --budget"),
    ],
)
def test_rank_bad_options_exit_2_with_a_message(capsys, args, message):
    with pytest.raises(SystemExit) as exit_:
        main(["rank", str(SAMPLE), *args])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_rank_bad_register_exits_2_without_a_traceback(tmp_path, capsys):
    bad = tmp_path / "use_cases.csv"
    bad.write_text(SAMPLE.read_text(encoding="utf-8").replace("UC-12,", "UC-05,"), encoding="utf-8")
    assert main(["rank", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "use_cases.csv: " in err and "Traceback" not in err
    assert "line 13, column use_case_id: repeats 'UC-05' from line 6" in err
    assert main(["rank", str(tmp_path / "missing.csv")]) == 2
    assert "cannot be read" in capsys.readouterr().err


def test_rank_in_another_currency_needs_exchange_rates(capsys):
    assert main(["rank", str(SAMPLE), "--currency", "EUR"]) == 2
    err = capsys.readouterr().err
    assert "line 2, column exchange_rate: is needed: the case is in USD" in err
    assert "line 4, column exchange_rate: must be 1 or blank" in err


def test_worked_examples_of_the_readme():
    """Methodology, Quick wins: the discount for time to value and risk at the default weights."""
    slow = use_case("slow", value_score=4.0, technical_complexity=2.0, data_readiness=4.0,
                    stakeholder_buy_in=4.0, strategic_alignment=4.0,
                    time_to_value_months=24.0, risk=4.0)  # fmt: skip
    fast = use_case("fast", time_to_value_months=3.0, risk=2.0)
    perfect = use_case("perfect", value_score=4.0, technical_complexity=1.0, data_readiness=5.0,
                       stakeholder_buy_in=5.0, strategic_alignment=5.0, change_readiness=5.0,
                       time_to_value_months=120.0, risk=5.0)  # fmt: skip
    ranking = rank(register_of(slow, fast, perfect), RankSettings(draws=0))
    assert ranking.row("slow").actionability == pytest.approx(48.75)
    assert ranking.row("slow").quadrant == "strategic_bet"
    assert ranking.row("fast").actionability == pytest.approx(59.14, abs=0.005)
    assert ranking.row("perfect").actionability == pytest.approx(60.0)


def test_sub_cent_costs_are_rounded_up_so_a_set_never_exceeds_the_budget():
    """Three costs of 333.334 are 333.34 each in cents: only two fit 1,000."""
    take, _ = best_subset(np.array([1.0, 1.0, 1.0]), np.array([333.334] * 3), 1000.0)
    assert take.sum() == 2
    take, _ = best_subset(np.array([1.0]), np.array([0.005]), 0.0)
    assert not take.any()


def test_solver_output_never_reaches_stdout(capfd):
    """HiGHS can write diagnostics from C to file descriptor 1; --json must stay JSON."""
    import os

    from roi.portfolio.budget import _quiet_stdout

    with _quiet_stdout():
        os.write(1, b"HighsMipSolverData::transformNewIntegerFeasibleSolution\n")
    print("{}")
    assert capfd.readouterr().out == "{}\n"


def test_a_register_without_candidates_says_so(capsys, tmp_path):
    register = tmp_path / "use_cases.csv"
    rows = SAMPLE.read_text(encoding="utf-8").splitlines()
    register.write_text("\n".join([rows[0], *rows[6:]]) + "\n", encoding="utf-8")  # no cases
    assert main(["rank", str(register), "--budget", "1000000", "--draws", "0"]) == 0
    assert "No use case can be costed against the budget" in capsys.readouterr().out


def test_a_register_whose_cases_all_lose_money_explains_the_zero_values(capsys, tmp_path):
    register = tmp_path / "use_cases.csv"
    rows = SAMPLE.read_text(encoding="utf-8").splitlines()
    # A copy: a symbolic link leading out of the register's folder is refused (issue 20).
    shutil.copytree(SAMPLE.parent / "cases", tmp_path / "cases")
    register.write_text("\n".join([rows[0], rows[4], *rows[6:]]) + "\n", encoding="utf-8")
    assert main(["rank", str(register), "--draws", "0"]) == 0
    assert "no case has a positive NPV, so each is 0" in capsys.readouterr().out
