"""Reliability and the whole-survey figures of each dimension (:func:`dimension_summaries`).

Conventions:

- **Cronbach's alpha** is taken over the respondents who answered every item of the
  dimension (reverse scoring applied), in the waves whose figures are shown; with one item,
  fewer than 3 such respondents, totals that do not vary, or fewer than the minimum group
  size, there is none (``None``). Its 95 % interval is Feldt's; a dimension is *reliable*
  when alpha is at least :data:`RELIABLE_ALPHA`.
- Over the whole survey a person who answered two waves counts twice (one response per
  wave); a wave whose figures anonymity would expose is left out of them (the
  complementary rule of :mod:`roi.culture.anonymity`, waves in place of teams).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from roi.culture.anonymity import MIN_GROUP_DEFAULT, suppress
from roi.culture.instrument import Instrument
from roi.culture.scores import answers, group_figures, optional_float


@dataclass(frozen=True)
class DimensionSummary:
    """A dimension over the whole survey: Cronbach's alpha with its 95 % interval (``None``
    for single-item dimensions or too few complete answers), and the figures of all
    responses (``None`` when anonymity hides them)."""

    dimension: str
    items: int
    alpha: float | None
    alpha_ci: tuple[float, float] | None
    alpha_n: int
    reliable: bool | None
    n: int | None
    mean: float | None
    favourable: float | None
    score: float | None
    suppressed: bool
    advocacy: float | None = None
    recapture: float | None = None


def cronbach_alpha(table: np.ndarray) -> float:
    """Cronbach's alpha of a respondents × items table without gaps:
    k / (k − 1) · (1 − Σ item variances / variance of the totals), variances with n − 1.

    By hand: item variances 5/3 and 11/12, total variance 59/12, so
    α = 2 · (1 − (31/12) / (59/12)) = 56/59 ≈ 0.9492.

    >>> round(cronbach_alpha(np.array([[1, 2], [2, 3], [3, 4], [4, 4.]])), 4)
    0.9492
    """
    k = table.shape[1]
    item_variance = table.var(axis=0, ddof=1).sum()
    total_variance = table.sum(axis=1).var(ddof=1)
    return float(k / (k - 1) * (1.0 - item_variance / total_variance))


def alpha_interval(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt's (1965) interval: 1 − (1 − α)·F, F the F distribution's quantiles with
    n − 1 and n(k − 1) degrees of freedom, as R's ``statpsych::ci.cronbach``.

    >>> [round(x, 7) for x in alpha_interval(0.85, 89, 7)]  # statpsych: 0.7971254 0.8931436
    [0.7971254, 0.8931436]
    """
    from scipy import stats

    tail = (1 - level) / 2
    low = 1 - (1 - alpha) * stats.f.ppf(1 - tail, n - 1, n * (k - 1))
    high = 1 - (1 - alpha) * stats.f.ppf(tail, n - 1, n * (k - 1))
    return float(low), float(high)


RELIABLE_ALPHA = 0.7


def dimension_summaries(
    responses: pd.DataFrame,
    instrument: Instrument,
    min_group: int = MIN_GROUP_DEFAULT,
    long: pd.DataFrame | None = None,
) -> list[DimensionSummary]:
    """Per dimension over every wave: reliability and the whole survey's figures (waves
    whose own totals are hidden are protected by the same complementary rule)."""
    long = answers(responses, instrument) if long is None else long
    waves = group_figures(long, ["dimension", "wave"])
    hidden_pairs = set()
    for dimension, rows in waves.groupby("dimension", sort=False):
        counts = dict(zip(rows["wave"].astype(str), rows["n"].astype(int), strict=True))
        hidden_pairs |= {(str(dimension), wave) for wave in suppress(counts, min_group)}
    if hidden_pairs:
        dimension_code = {d: i for i, d in enumerate(long["dimension"].cat.categories)}
        wave_code = {w: i for i, w in enumerate(long["wave"].cat.categories)}
        width = len(wave_code)
        pair = long["dimension"].cat.codes.to_numpy(dtype=np.int64) * width + long[
            "wave"
        ].cat.codes.to_numpy(dtype=np.int64)
        hidden_codes = [dimension_code[d] * width + wave_code[w] for d, w in hidden_pairs]
        keep = long[~np.isin(pair, hidden_codes)]
    else:
        keep = long
    # A person in two waves counts twice over the whole survey: one response per wave.
    wave_codes = keep["wave"].cat.codes.to_numpy(dtype=np.int64)
    person_codes = keep["respondent_id"].cat.codes.to_numpy(dtype=np.int64)
    responses_key = wave_codes * (len(keep["respondent_id"].cat.categories) + 1) + person_codes
    whole = group_figures(
        keep.assign(respondent_id=pd.Categorical(responses_key)), ["dimension"]
    ).set_index("dimension")
    wave_sizes = responses.groupby(responses["wave"].astype(str))["respondent_id"].nunique()
    out = []
    for dimension in instrument.dimensions:
        names = [item.item for item in instrument.of(dimension)]
        shown_waves = [w for w in wave_sizes.index if (dimension, w) not in hidden_pairs]
        # Reliability only from the waves whose figures are shown: a statistic of hidden
        # people would otherwise leave through alpha and its count.
        visible_rows = responses[responses["wave"].astype(str).isin(shown_waves)]
        complete = visible_rows[names].dropna().to_numpy(dtype=float)
        items = instrument.of(dimension)
        if len(names) >= 2 and complete.shape[0] >= 3:
            flipped = complete.copy()
            for j, item in enumerate(items):
                if item.reverse:
                    flipped[:, j] = item.low + item.high - flipped[:, j]
            totals_vary = flipped.sum(axis=1).var(ddof=1) > 0
            alpha = cronbach_alpha(flipped) if totals_vary else None
        else:
            alpha = None
        interval = None if alpha is None else alpha_interval(alpha, complete.shape[0], len(names))
        answered = int(whole.at[dimension, "n"]) if dimension in whole.index else 0
        hidden = answered < min_group
        size = int(wave_sizes[shown_waves].sum()) if shown_waves else 0
        if hidden or complete.shape[0] < min_group:
            alpha, interval = None, None
        figures = {} if hidden else whole.loc[dimension].to_dict()
        out.append(
            DimensionSummary(
                dimension=dimension,
                items=len(names),
                alpha=alpha,
                alpha_ci=interval,
                alpha_n=int(complete.shape[0]) if alpha is not None else 0,
                reliable=None if alpha is None else alpha >= RELIABLE_ALPHA,
                n=None if hidden else size,
                mean=optional_float(figures.get("mean")),
                favourable=optional_float(figures.get("favourable")),
                score=optional_float(figures.get("score")),
                suppressed=hidden,
                advocacy=optional_float(figures.get("advocacy")),
                recapture=optional_float(figures.get("recapture")),
            )
        )
    return out
