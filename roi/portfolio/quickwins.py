"""Quick wins: rank use cases by value against actionability, and say how sure the ranking is.

Every part is on a 0–100 scale, higher is better:

- **value**: with a business case, 100 · clip(NPV / anchor, 0, 1), NPV the case's
  risk-adjusted NPV in the register currency and the anchor the register's largest such NPV
  unless set; without one, (value_score − 1) · 25. So a value_score of s stands for an NPV of
  (s − 1)/4 of the anchor, and a case that loses money scores 0.
- **factors**: a 1–5 mark x becomes (x − 1) · 25, or (5 − x) · 25 where 5 is the worst
  (technical complexity, risk); blank change readiness and risk are neutral (3 → 50). Time to
  value t months becomes 100 · 0.5^(t / half-life): every half-life (6 months unless set)
  halves it.

**Actionability** is the weighted mean of the seven factors; **score** the weighted mean of
value and the seven factors (with the default weights, value counts as much as all of
actionability). Because both are means with one set of weights shared by every use case, a
use case at least as good on every input never ranks below a worse one, and raising a weight
never moves the use case that is best on that factor down the ranking.

Quadrants compare value and actionability with thresholds (50 each unless set); a figure is
high when it is above its threshold, so the middle mark 3 (50) is not high. Ranks run
1 = best; equal scores share a rank (1, 2, 2, 4).

**Change readiness from a survey**: a use case with a ``team`` and a blank
``change_readiness`` takes that team's readiness from the culture survey when one is given
(:func:`with_survey_readiness`): a measurement, not a judgement, so the robustness draws
leave it fixed. A mark written in the register is kept.

**Robustness**: ``draws`` times, each judgement score is drawn uniformly within ±1 (kept
within 1–5), each NPV with an interval uniformly within it, and each weight uniformly within
±50 % of its value; the share of draws in which a use case is a quick win, and in the top k,
are its probabilities. Use cases are drawn in order of ``use_case_id``, so row order changes
nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Literal

import numpy as np

from roi.portfolio.register import NEUTRAL_SCORE, Register, UseCase

FACTORS = (
    "technical_complexity",
    "data_readiness",
    "stakeholder_buy_in",
    "strategic_alignment",
    "change_readiness",
    "time_to_value_months",
    "risk",
)
WEIGHT_KEYS = ("value", *FACTORS)
LABELS = {
    "value": "Value",
    "technical_complexity": "Feasibility",
    "data_readiness": "Data readiness",
    "stakeholder_buy_in": "Buy-in",
    "strategic_alignment": "Alignment",
    "change_readiness": "Change readiness",
    "time_to_value_months": "Speed",
    "risk": "Safety",
}
Quadrant = Literal["quick_win", "strategic_bet", "fill_in", "deprioritise"]
QUADRANTS: tuple[Quadrant, ...] = ("quick_win", "strategic_bet", "fill_in", "deprioritise")
QUADRANT_LABELS: dict[str, str] = {
    "quick_win": "Quick win",
    "strategic_bet": "Strategic bet",
    "fill_in": "Fill-in",
    "deprioritise": "Deprioritise",
}
# Two scores closer than this (on 0–100) are equal: they share a rank.
TIE = 1e-9


@dataclass(frozen=True)
class Weights:
    """Importance of each part of the score; any numbers ≥ 0, only their ratios matter.
    At least one factor weight must be above 0 (actionability is their weighted mean)."""

    value: float = 100.0
    technical_complexity: float = 15.0
    data_readiness: float = 15.0
    stakeholder_buy_in: float = 10.0
    strategic_alignment: float = 10.0
    change_readiness: float = 10.0
    # Speed and safety carry 40 % of actionability: they are how it is discounted for long
    # time to value and high risk (see the module docstring for why not a multiplier).
    time_to_value_months: float = 20.0
    risk: float = 20.0

    def __post_init__(self) -> None:
        for name, weight in asdict(self).items():
            if not (isinstance(weight, int | float) and 0 <= weight <= 1e6):
                raise ValueError(f"weight {name} must be a number from 0 to 1e6, got {weight!r}")
        if sum(getattr(self, name) for name in FACTORS) <= 0:
            raise ValueError("at least one factor weight must be above 0")

    def vector(self) -> np.ndarray:
        """The weights in :data:`WEIGHT_KEYS` order."""
        return np.array([getattr(self, name) for name in WEIGHT_KEYS], dtype=float)

    @classmethod
    def parse(cls, text: str) -> Weights:
        """Weights from ``key=value,...`` (keys as in :data:`WEIGHT_KEYS`; others keep their
        defaults). Raises ``ValueError`` naming every bad part.

        >>> Weights.parse("value=50, risk=0").value
        50.0
        """
        changes: dict[str, float] = {}
        problems = []
        for part in filter(None, (p.strip() for p in text.split(","))):
            key, sep, number = (s.strip() for s in part.partition("="))
            if not sep or key not in WEIGHT_KEYS:
                keys = ", ".join(WEIGHT_KEYS)
                problems.append(f"{part!r} is not key=value with a key among {keys}")
                continue
            try:
                changes[key] = float(number)
            except ValueError:
                problems.append(f"{key}: {number!r} is not a number")
        if problems:
            raise ValueError("; ".join(problems))
        return replace(cls(), **changes)


@dataclass(frozen=True)
class RankSettings:
    """Everything the ranking depends on besides the register."""

    weights: Weights = field(default_factory=Weights)
    value_threshold: float = 50.0
    actionability_threshold: float = 50.0
    time_half_life_months: float = 6.0
    value_anchor: float | None = None  # money in the register currency; None: largest NPV
    top_k: int = 5
    draws: int = 10_000
    seed: int = 0
    score_spread: float = 1.0  # ± on the 1–5 scale
    weight_spread: float = 0.5  # ± as a fraction of each weight

    def __post_init__(self) -> None:
        checks = {
            "value_threshold": 0 <= self.value_threshold <= 100,
            "actionability_threshold": 0 <= self.actionability_threshold <= 100,
            "time_half_life_months": 0 < self.time_half_life_months <= 1200,
            "value_anchor": self.value_anchor is None or 0 < self.value_anchor <= 1e15,
            "top_k": self.top_k >= 1,
            "draws": 0 <= self.draws <= 1_000_000,
            "score_spread": 0 <= self.score_spread <= 4,
            "weight_spread": 0 <= self.weight_spread < 1,
        }
        for name, ok in checks.items():
            if not ok:
                raise ValueError(f"{name} is out of range, got {getattr(self, name)!r}")


@dataclass(frozen=True)
class ScoreInputs:
    """The register as arrays, in order of ``use_case_id``. Scores are 1–5 (``nan`` where
    blank); money is in the register currency (``nan`` without a business case)."""

    ids: tuple[str, ...]
    npv: np.ndarray
    npv_low: np.ndarray
    npv_high: np.ndarray
    value_score: np.ndarray
    technical_complexity: np.ndarray
    data_readiness: np.ndarray
    stakeholder_buy_in: np.ndarray
    strategic_alignment: np.ndarray
    change_readiness: np.ndarray
    time_to_value_months: np.ndarray
    risk: np.ndarray
    change_readiness_measured: np.ndarray | None = None  # True where the survey gave it

    def __len__(self) -> int:
        return len(self.ids)


def score_inputs(register: Register) -> ScoreInputs:
    """The register's use cases as :class:`ScoreInputs`."""
    ordered = sorted(register.use_cases, key=lambda u: u.use_case_id)

    def column(get) -> np.ndarray:
        return np.array([np.nan if (v := get(u)) is None else v for u in ordered], dtype=float)

    def interval(use_case: UseCase, end: float | None) -> float | None:
        has_case = use_case.use_case_id in register.cases
        return end * register.rate(use_case.use_case_id) if has_case and end is not None else None

    return ScoreInputs(
        ids=tuple(u.use_case_id for u in ordered),
        npv=column(lambda u: register.npv(u.use_case_id)),
        npv_low=column(lambda u: interval(u, u.npv_low)),
        npv_high=column(lambda u: interval(u, u.npv_high)),
        value_score=column(lambda u: None if u.use_case_id in register.cases else u.value_score),
        **{
            name: column(lambda u, name=name: getattr(u, name))
            for name in FACTORS
        },
        change_readiness_measured=np.array(
            [_from_survey(u) for u in ordered], dtype=bool
        ),
    )  # fmt: skip


def _from_survey(use_case: UseCase) -> bool:
    return (use_case.change_readiness_source or "").startswith("survey")


def with_survey_readiness(
    register: Register, readiness: Mapping[str, tuple[float, str]]
) -> Register:
    """The register with each blank ``change_readiness`` of a use case with a ``team``
    taken from ``readiness`` (team → (1–5 readiness, wave), teams matched without regard to
    case); a written mark is kept. Every use case with a team says where its readiness came
    from in ``change_readiness_source``."""
    from roi.culture.instrument import match_team

    use_cases = []
    for use_case in register.use_cases:
        if use_case.team is None:
            use_cases.append(use_case)
            continue
        team = match_team(use_case.team, readiness)
        if use_case.change_readiness is not None:
            source = "register"
            value = use_case.change_readiness
        elif team is None:
            source = "neutral: the team is not shown in the survey"
            value = None
        else:
            value, wave = readiness[team]
            source = f"survey: {team}, wave {wave}"
        use_cases.append(replace(use_case, change_readiness=value, change_readiness_source=source))
    return replace(register, use_cases=tuple(use_cases))


def value_anchor(inputs: ScoreInputs, settings: RankSettings) -> float | None:
    """The NPV worth a value of 100: as set, else the largest positive NPV (``None`` when
    no business case has one)."""
    if settings.value_anchor is not None:
        return settings.value_anchor
    positive = inputs.npv[np.isfinite(inputs.npv) & (inputs.npv > 0)]
    return float(positive.max()) if positive.size else None


def components(
    scores: Mapping[str, np.ndarray],
    npv: np.ndarray,
    anchor: float | None,
    half_life_months: float,
) -> np.ndarray:
    """The eight parts on 0–100, stacked on a last axis in :data:`WEIGHT_KEYS` order.

    ``scores`` holds the 1–5 marks (``value_score`` used where ``npv`` is ``nan``) and
    ``time_to_value_months``; all arrays broadcast together.
    """

    def up(x: np.ndarray) -> np.ndarray:  # 5 is best
        return (np.where(np.isnan(x), NEUTRAL_SCORE, x) - 1.0) * 25.0

    def down(x: np.ndarray) -> np.ndarray:  # 5 is worst
        return (5.0 - np.where(np.isnan(x), NEUTRAL_SCORE, x)) * 25.0

    if anchor is None:
        from_npv = np.zeros_like(npv)  # no case makes money: each is worth 0
    else:
        with np.errstate(over="ignore"):  # a tiny anchor: huge ratios clip to 1 anyway
            from_npv = 100.0 * np.clip(np.nan_to_num(npv) / anchor, 0.0, 1.0)
    value = np.where(np.isnan(npv), up(scores["value_score"]), from_npv)
    speed = 100.0 * 0.5 ** (scores["time_to_value_months"] / half_life_months)
    parts = [
        value,
        down(scores["technical_complexity"]),
        up(scores["data_readiness"]),
        up(scores["stakeholder_buy_in"]),
        up(scores["strategic_alignment"]),
        up(scores["change_readiness"]),
        speed,
        down(scores["risk"]),
    ]
    return np.stack(np.broadcast_arrays(*parts), axis=-1)


def _scores(parts: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Actionability and score: weighted means over the last axis (weights broadcast)."""
    weighted = parts * weights
    factor_sum = weighted[..., 1:].sum(axis=-1)
    factor_weight = weights[..., 1:].sum(axis=-1)
    actionability = factor_sum / factor_weight
    score = (weighted[..., 0] + factor_sum) / (weights[..., 0] + factor_weight)
    return actionability, score


def competition_ranks(scores: np.ndarray) -> np.ndarray:
    """1 + the number of scores better by more than :data:`TIE` (ties share the best rank).

    >>> competition_ranks(np.array([70.0, 90.0, 70.0, 10.0])).tolist()
    [2, 1, 2, 4]
    """
    ordered = np.sort(scores)
    better = scores.size - np.searchsorted(ordered, scores + TIE, side="right")
    return better + 1


def quadrant(value: float, actionability: float, settings: RankSettings) -> Quadrant:
    """Quadrant of a use case; a figure is high when it is above its threshold (one on the
    threshold, such as the middle mark 3 → 50, is not)."""
    high_value = value > settings.value_threshold + TIE
    high_action = actionability > settings.actionability_threshold + TIE
    if high_value:
        return "quick_win" if high_action else "strategic_bet"
    return "fill_in" if high_action else "deprioritise"


@dataclass(frozen=True)
class RankedUseCase:
    """One use case's place in the ranking with every part of its score.

    ``components`` are the eight parts on 0–100 by weight key; ``contributions`` the points
    each adds to ``score`` (they sum to it). ``value_source`` says whether value came from
    the business case's NPV or from ``value_score``. ``npv`` is in the register currency.
    """

    use_case_id: str
    name: str
    business_function: str
    owner: str | None
    rank: int
    score: float
    value: float
    value_source: Literal["npv", "value_score"]
    npv: float | None
    actionability: float
    quadrant: Quadrant
    components: dict[str, float]
    contributions: dict[str, float]
    estimated_cost: float | None
    p_quick_win: float | None
    p_top_k: float | None
    team: str | None = None
    change_readiness_source: str | None = None


@dataclass(frozen=True)
class Ranking:
    """The register ranked: ``rows`` in rank order (ties by ``use_case_id``)."""

    currency: str
    settings: RankSettings
    anchor: float | None
    anchor_source: Literal["set", "largest NPV", "none"]
    top_k: int
    rows: tuple[RankedUseCase, ...]

    def row(self, use_case_id: str) -> RankedUseCase:
        return next(r for r in self.rows if r.use_case_id == use_case_id)

    def quadrant_counts(self) -> dict[Quadrant, int]:
        """How many use cases fall in each quadrant, in :data:`QUADRANTS` order."""
        return {q: sum(row.quadrant == q for row in self.rows) for q in QUADRANTS}


def _linear_parts(
    inputs: ScoreInputs, settings: RankSettings, anchor: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Each part as a + b · U with U uniform on [0, 1): the judged marks drawn within
    ± ``score_spread`` (kept within 1–5), blanks and measured figures fixed (b = 0). Returns
    (a, b), each 8 × n in :data:`WEIGHT_KEYS` order; value rows with an NPV interval are
    handled by the caller (clipping makes them non-linear)."""
    n = len(inputs)
    a, b = np.empty((len(WEIGHT_KEYS), n)), np.zeros((len(WEIGHT_KEYS), n))
    fixed = components(
        {name: getattr(inputs, name) for name in ("value_score", *FACTORS)},
        inputs.npv,
        anchor,
        settings.time_half_life_months,
    )
    a[:] = fixed.T
    for j, name in enumerate(WEIGHT_KEYS):
        if name == "time_to_value_months":
            continue
        mark = inputs.value_score if name == "value" else getattr(inputs, name)
        judged = np.isfinite(mark)
        if name == "value":  # a business case's NPV decides its value, not a mark
            judged &= np.isnan(inputs.npv)
        if name == "change_readiness" and inputs.change_readiness_measured is not None:
            judged &= ~inputs.change_readiness_measured  # measured by the survey
        low = np.clip(mark - settings.score_spread, 1.0, 5.0)
        high = np.clip(mark + settings.score_spread, 1.0, 5.0)
        worst_is_5 = name in ("technical_complexity", "risk")
        start = 25.0 * (5.0 - low) if worst_is_5 else 25.0 * (low - 1.0)
        step = 25.0 * (high - low) * (-1.0 if worst_is_5 else 1.0)
        a[j] = np.where(judged, start, a[j])
        b[j] = np.where(judged, step, 0.0)
    return a, b


def robustness(
    inputs: ScoreInputs, settings: RankSettings, anchor: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Probability of each use case (in ``inputs`` order) being a quick win and being in
    the top k, over ``settings.draws`` draws (see the module docstring).

    Each part is linear in its uniform draw, so a draw's weighted sums are one matrix
    product plus one scaled draw per part; only NPVs with an interval need their clip.
    """
    n, draws = len(inputs), settings.draws
    k = min(settings.top_k, n)
    rng = np.random.default_rng(settings.seed)
    weights = settings.weights.vector()
    a, b = _linear_parts(inputs, settings, anchor)
    drawn = [j for j in range(len(WEIGHT_KEYS)) if b[j].any()]
    interval = np.flatnonzero(np.isfinite(inputs.npv_low) & np.isfinite(inputs.npv_high))
    low, width = inputs.npv_low[interval], inputs.npv_high[interval] - inputs.npv_low[interval]
    quick, top = np.zeros(n), np.zeros(n)
    block = max(1, min(draws, 200_000 // max(n, 1)))
    for start in range(0, draws, block):
        d = min(block, draws - start)
        w = weights * (1.0 + settings.weight_spread * (2.0 * rng.random((d, len(weights))) - 1))
        value = np.broadcast_to(a[0], (d, n)).copy()
        factors = w[:, 1:] @ a[1:]  # Σ w_k a_k over the factors
        for j in drawn:
            scaled = rng.random((d, n))
            scaled *= b[j]
            if j == 0:
                value += scaled
            else:
                scaled *= w[:, j : j + 1]
                factors += scaled
        if interval.size and anchor is not None:
            npv = low + width * rng.random((d, interval.size))
            value[:, interval] = 100.0 * np.clip(npv / anchor, 0.0, 1.0)
        factor_weight = w[:, 1:].sum(axis=1, keepdims=True)
        quick += (
            (value > settings.value_threshold + TIE)
            & (factors > (settings.actionability_threshold + TIE) * factor_weight)
        ).sum(axis=0)
        score = value
        score *= w[:, :1]
        score += factors
        score /= w[:, :1] + factor_weight
        kth = np.partition(score, n - k, axis=1)[:, n - k : n - k + 1]
        top += (score >= kth - TIE).sum(axis=0)
    return quick / draws, top / draws


def rank_inputs(
    inputs: ScoreInputs, settings: RankSettings
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """The ranking's arrays in ``inputs`` order: parts (n × 8), actionability, score, rank,
    and the two probabilities (``None`` without draws). The core of :func:`rank`."""
    anchor = value_anchor(inputs, settings)
    scores = {name: getattr(inputs, name) for name in ("value_score", *FACTORS)}
    parts = components(scores, inputs.npv, anchor, settings.time_half_life_months)
    actionability, score = _scores(parts, settings.weights.vector())
    ranks = competition_ranks(score)
    p_quick = p_top = None
    if settings.draws and len(inputs):
        p_quick, p_top = robustness(inputs, settings, anchor)
    return parts, actionability, score, ranks, p_quick, p_top


def rank(register: Register, settings: RankSettings | None = None) -> Ranking:
    """Rank the register's use cases (see the module docstring for every convention)."""
    settings = settings or RankSettings()
    inputs = score_inputs(register)
    parts, actionability, score, ranks, p_quick, p_top = rank_inputs(inputs, settings)
    weights = settings.weights.vector()
    by_id = {u.use_case_id: u for u in register.use_cases}
    rows = []
    for i, use_case_id in enumerate(inputs.ids):
        use_case = by_id[use_case_id]
        value, act = float(parts[i, 0]), float(actionability[i])
        rows.append(
            RankedUseCase(
                use_case_id=use_case_id,
                name=use_case.name,
                business_function=use_case.business_function,
                owner=use_case.owner,
                rank=int(ranks[i]),
                score=float(score[i]),
                value=value,
                value_source="npv" if np.isfinite(inputs.npv[i]) else "value_score",
                npv=float(inputs.npv[i]) if np.isfinite(inputs.npv[i]) else None,
                actionability=act,
                quadrant=quadrant(value, act, settings),
                components={k: float(parts[i, j]) for j, k in enumerate(WEIGHT_KEYS)},
                contributions={
                    k: float(parts[i, j] * weights[j] / weights.sum())
                    for j, k in enumerate(WEIGHT_KEYS)
                },
                estimated_cost=use_case.estimated_cost,
                p_quick_win=None if p_quick is None else float(p_quick[i]),
                p_top_k=None if p_top is None else float(p_top[i]),
                team=use_case.team,
                change_readiness_source=use_case.change_readiness_source
                or ("register" if use_case.change_readiness is not None else "neutral: blank"),
            )
        )
    rows.sort(key=lambda r: (r.rank, r.use_case_id))
    anchor = value_anchor(inputs, settings)
    source = "set" if settings.value_anchor is not None else "largest NPV" if anchor else "none"
    return Ranking(
        currency=register.currency,
        settings=settings,
        anchor=anchor,
        anchor_source=source,
        top_k=min(settings.top_k, len(inputs)),
        rows=tuple(rows),
    )


__all__ = [
    "FACTORS",
    "LABELS",
    "QUADRANTS",
    "QUADRANT_LABELS",
    "WEIGHT_KEYS",
    "RankSettings",
    "RankedUseCase",
    "Ranking",
    "ScoreInputs",
    "Weights",
    "competition_ranks",
    "components",
    "quadrant",
    "rank",
    "rank_inputs",
    "robustness",
    "score_inputs",
    "value_anchor",
]
