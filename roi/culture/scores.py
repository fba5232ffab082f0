"""Survey scores by team, wave and dimension, with anonymity kept.

Conventions:

- Reverse-scored items are turned round first: x → low + high − x.
- A respondent's **dimension score** is the mean of their answers to its items; a group's
  **mean** is the mean of its respondents' dimension scores (each person counts once); its
  **score** is that mean on 0–100, (mean − low) / (high − low) · 100, which is (x − 1) · 25
  on a 1–5 scale.
- **% favourable** is the share of a group's answers in the top boxes: 4–5 on a 5-point
  scale, 5–7 on a 7-point one, 9–10 (promoters) for advocacy; none for ``recapture``.
- **Advocacy** is % promoters (9–10) − % detractors (0–6) of those who answered, a fraction
  from −1 to 1. **Recapture** is the mean answer / 10: the share of saved time that goes into
  more valuable work.
- **Anonymity**: no figure, not even the count, for a group with fewer respondents than the
  minimum group size (5 unless set; never below 3). Within each wave and dimension, when
  the hidden teams could be recovered from the total (one hidden team, or hidden teams
  with fewer respondents together than the minimum), the smallest visible teams are hidden
  too until they cannot; the same holds for waves within the whole-survey figures.
  Individual answers never leave this module.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from roi.culture.instrument import ADVOCACY, RECAPTURE, Instrument, match_team

MIN_GROUP_DEFAULT = 5
MIN_GROUP_FLOOR = 3
ALL_TEAMS = "(all teams)"


def favourable_from(scale: tuple[int, int], dimension: str) -> float | None:
    """The lowest favourable answer of a scale (``None`` when the idea does not apply)."""
    low, high = scale
    if dimension == RECAPTURE:
        return None
    if dimension == ADVOCACY or (low, high) == (0, 10):
        return 9.0
    return {5: 4.0, 7: 5.0}[high]


def answers(responses: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """One row per answer: ``respondent_id, wave, team, dimension, item`` (categorical),
    ``value`` (reverse scoring applied), ``favourable`` (1, 0 or NaN) and the item's
    ``low``/``high``. Built with numpy on the responses × items block (a survey of 50,000
    responses has over a million answers)."""
    items = instrument.items
    block = responses[[item.item for item in items]].to_numpy(dtype=float)
    rows, columns = np.nonzero(~np.isnan(block))
    low = np.array([float(i.low) for i in items])[columns]
    high = np.array([float(i.high) for i in items])[columns]
    reverse = np.array([i.reverse for i in items])[columns]
    raw = block[rows, columns]
    value = np.where(reverse, low + high - raw, raw)
    tops = [favourable_from((i.low, i.high), i.dimension) for i in items]
    top = np.array([np.nan if t is None else t for t in tops])[columns]
    favourable = np.where(np.isnan(top), np.nan, (value >= top).astype(float))
    dimensions = pd.Categorical.from_codes(
        np.array([instrument.dimensions.index(i.dimension) for i in items])[columns],
        categories=list(instrument.dimensions),
    )

    def category(column: str) -> pd.Categorical:
        codes, uniques = pd.factorize(responses[column].astype(str), sort=True)
        return pd.Categorical.from_codes(codes[rows], categories=list(uniques))

    return pd.DataFrame(
        {
            "respondent_id": category("respondent_id"),
            "wave": category("wave"),
            "team": category("team"),
            "dimension": dimensions,
            "item": pd.Categorical.from_codes(columns, categories=[i.item for i in items]),
            "value": value,
            "low": low,
            "high": high,
            "favourable": favourable,
        }
    )


def suppress(counts: dict[str, int], min_group: int, start: set[str] | None = None) -> set[str]:
    """Groups to hide among parts of a visible total: those below ``min_group``, then the
    smallest others until the hidden set is empty or has at least two groups holding at
    least ``min_group`` respondents together (so that total − visible parts reveals no
    group and no group of fewer than ``min_group``).

    >>> sorted(suppress({"a": 40, "b": 12, "legal": 3}, 5))
    ['b', 'legal']
    >>> sorted(suppress({"a": 40, "b": 12}, 5))
    []
    """
    hidden = {group for group, n in counts.items() if n < min_group} | (
        (start or set()) & set(counts)
    )
    visible = sorted((n, group) for group, n in counts.items() if group not in hidden)
    while hidden and visible and (len(hidden) < 2 or sum(counts[g] for g in hidden) < min_group):
        hidden.add(visible.pop(0)[1])
    return hidden


@dataclass(frozen=True)
class GroupScore:
    """A team (or :data:`ALL_TEAMS`) in one wave on one dimension; figures are ``None``
    when suppressed."""

    team: str
    wave: str
    dimension: str
    n: int | None
    suppressed: bool
    mean: float | None
    favourable: float | None
    score: float | None
    advocacy: float | None = None
    recapture: float | None = None


def _combined_key(
    long: pd.DataFrame, columns: list[str]
) -> tuple[np.ndarray, list[int], dict[str, pd.Series]]:
    """One integer per row for the combination of ``columns`` (mixed-radix over their
    category codes), the radices, and the columns as categoricals to decode keys with."""
    as_categories = {
        c: long[c] if isinstance(long[c].dtype, pd.CategoricalDtype) else long[c].astype("category")
        for c in columns
    }
    sizes = [len(as_categories[c].cat.categories) for c in columns]
    key = np.zeros(len(long), dtype=np.int64)
    for column, size in zip(columns, sizes, strict=True):
        key = key * size + as_categories[column].cat.codes.to_numpy(dtype=np.int64)
    return key, sizes, as_categories


def _codes(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes 0..k−1 of an integer key and the k distinct keys (in order of first
    appearance): :func:`pandas.factorize`, a hash pass, where ``np.unique`` would sort."""
    codes, uniques = pd.factorize(key, sort=False)
    return codes.astype(np.intp, copy=False), np.asarray(uniques, dtype=np.int64)


def _group_figures(long: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per group of ``keys`` (categorical columns, ``dimension`` among them): n, mean of
    the respondents' dimension scores, % favourable of the answers, the 0–100 score,
    advocacy and recapture. Done on integer codes with ``bincount``: one pass, however many
    groups (a survey of 50,000 responses has over a million answers)."""
    columns = [*keys, "respondent_id"]
    person_key, sizes, as_categories = _combined_key(long, columns)
    person_of, persons = _codes(person_key)
    value = long["value"].to_numpy(dtype=float)
    person_mean = np.bincount(person_of, weights=value) / np.bincount(person_of)
    group_key = persons // sizes[-1]  # drop the respondent part
    group_of_person, groups = _codes(group_key)
    count = np.bincount(group_of_person).astype(float)

    def per_group(weights: np.ndarray) -> np.ndarray:
        return np.bincount(group_of_person, weights=weights, minlength=groups.size) / count

    mean = per_group(person_mean)
    promoters = per_group((person_mean >= 9).astype(float))
    detractors = per_group((person_mean <= 6).astype(float))
    group_of_answer = group_of_person[person_of]
    favourable = long["favourable"].to_numpy(dtype=float)
    rated = ~np.isnan(favourable)
    rated_n = np.bincount(group_of_answer[rated], minlength=groups.size).astype(float)
    rated_sum = np.bincount(
        group_of_answer[rated], weights=favourable[rated], minlength=groups.size
    )
    out = {}
    remainder = groups.copy()
    for column, size in reversed(list(zip(keys, sizes[:-1], strict=True))):
        out[column] = as_categories[column].cat.categories.to_numpy()[remainder % size]
        remainder //= size
    frame = pd.DataFrame({column: out[column] for column in keys})
    bounds = long.groupby("dimension", observed=True)[["low", "high"]].first()
    low = frame["dimension"].map(bounds["low"]).to_numpy(dtype=float)
    high = frame["dimension"].map(bounds["high"]).to_numpy(dtype=float)
    frame["n"] = count.astype(int)
    frame["mean"] = mean
    frame["favourable"] = np.where(rated_n > 0, rated_sum / np.maximum(rated_n, 1), np.nan)
    frame["score"] = (mean - low) / (high - low) * 100.0
    is_advocacy = frame["dimension"].to_numpy() == ADVOCACY
    frame["advocacy"] = np.where(is_advocacy, promoters - detractors, np.nan)
    frame["recapture"] = np.where(frame["dimension"].to_numpy() == RECAPTURE, mean / 10.0, np.nan)
    return frame


def _person_means(long: pd.DataFrame) -> pd.DataFrame:
    """Each respondent's dimension score per team and wave (``value``), on integer codes."""
    columns = ["team", "wave", "dimension", "respondent_id"]
    key, sizes, as_categories = _combined_key(long, columns)
    inverse, keys = _codes(key)
    value = long["value"].to_numpy(dtype=float)
    means = np.bincount(inverse, weights=value) / np.bincount(inverse)
    out = {}
    remainder = keys.copy()
    for column, size in reversed(list(zip(columns, sizes, strict=True))):
        categories = as_categories[column].cat.categories
        out[column] = pd.Categorical.from_codes(remainder % size, categories)
        remainder //= size
    return pd.DataFrame({**{c: out[c] for c in columns}, "value": means})


def _score(
    team: str, wave: str, dimension: str, record: dict | None, size: int, hidden: bool
) -> GroupScore:
    if hidden or record is None:
        return GroupScore(team, wave, dimension, None, True, None, None, None)
    return GroupScore(
        team=team, wave=wave, dimension=dimension, n=size, suppressed=False,
        mean=_value(record["mean"]), favourable=_value(record["favourable"]),
        score=_value(record["score"]), advocacy=_value(record["advocacy"]),
        recapture=_value(record["recapture"]),
    )  # fmt: skip


def _value(x) -> float | None:
    return None if pd.isna(x) else float(x)


def group_scores(
    responses: pd.DataFrame,
    instrument: Instrument,
    min_group: int = MIN_GROUP_DEFAULT,
    long: pd.DataFrame | None = None,
) -> list[GroupScore]:
    """Every team and the teams together, per wave and dimension, with anonymity applied
    (``long``: the :func:`answers`, when already made)."""
    if min_group < MIN_GROUP_FLOOR:
        raise ValueError(f"the minimum group size is at least {MIN_GROUP_FLOOR}, got {min_group}")
    long = answers(responses, instrument) if long is None else long
    figures = pd.concat(
        [
            _group_figures(long, ["wave", "dimension", "team"]),
            _group_figures(long, ["wave", "dimension"]).assign(team=ALL_TEAMS),
        ],
        ignore_index=True,
    )
    by_key = {(r["wave"], r["dimension"], r["team"]): r for r in figures.to_dict("records")}
    # Visibility is decided per wave and team on the team's respondents, the same for every
    # dimension, and the n shown is that head count: counts never differ between dimensions
    # (a difference would tell how many of a hidden team skipped a dimension).
    sizes = responses.groupby(["wave", "team"])["respondent_id"].nunique()
    out = []
    for wave, wave_sizes in sizes.groupby(level="wave", sort=True):
        wave = str(wave)
        counts = {str(team): int(n) for (_, team), n in wave_sizes.items()}
        total = int(responses.loc[responses["wave"].astype(str) == wave, "respondent_id"].nunique())
        hidden_wave = suppress(counts, min_group) if total >= min_group else set(counts)
        for dimension in instrument.dimensions:
            answered = {
                team: int(by_key[(wave, dimension, team)]["n"])
                if (wave, dimension, team) in by_key
                else 0
                for team in counts
            }
            # A visible team with fewer than min_group answers on this dimension is hidden
            # on it, and the complementary rule runs again from there.
            low = {t for t, n in answered.items() if n < min_group and t not in hidden_wave}
            hidden = suppress(counts, min_group, hidden_wave | low) if low else hidden_wave
            total_answered = sum(answered.values())
            for team in sorted(counts):
                record = by_key.get((wave, dimension, team))
                out.append(_score(team, wave, dimension, record, counts[team], team in hidden))
            # The total less the shown teams is the hidden teams' answers: hide it unless
            # they are none or at least min_group answers (head counts alone do not say).
            hidden_answered = sum(answered[t] for t in hidden)
            hide_total = (
                total < min_group or total_answered < min_group or 0 < hidden_answered < min_group
            )
            record = by_key.get((wave, dimension, ALL_TEAMS))
            out.append(_score(ALL_TEAMS, wave, dimension, record, total, hide_total))
    order = {d: i for i, d in enumerate(instrument.dimensions)}
    out.sort(key=lambda g: (g.wave, order.get(g.dimension, 99), g.team == ALL_TEAMS, g.team))
    return out


@dataclass(frozen=True)
class ItemScore:
    """One item for a team (or :data:`ALL_TEAMS`) in one wave: the mean answer (reverse
    scoring applied), % favourable and the 0–100 score; ``n`` is the group's head count,
    as for its dimension. Hidden with its dimension's group, and also when fewer than the
    minimum answered the item (the complementary rule then runs again, as for dimensions)."""

    team: str
    wave: str
    dimension: str
    item: str
    n: int | None
    suppressed: bool
    mean: float | None
    favourable: float | None
    score: float | None


def item_scores(
    responses: pd.DataFrame,
    instrument: Instrument,
    groups: list[GroupScore],
    min_group: int = MIN_GROUP_DEFAULT,
    long: pd.DataFrame | None = None,
) -> list[ItemScore]:
    """Every item per team and for all teams in each wave, anonymity kept (see
    :class:`ItemScore`). One answer per person and item, so a group's mean is the mean of
    its answers: sums by ``bincount`` over a dense (wave, item, team) index."""
    long = answers(responses, instrument) if long is None else long
    waves = list(long["wave"].cat.categories)
    teams = list(long["team"].cat.categories)
    items = list(long["item"].cat.categories)
    width = len(teams) + 1  # the last slot is all teams
    cells = len(waves) * len(items) * width
    base = (
        long["wave"].cat.codes.to_numpy(dtype=np.int64) * len(items)
        + long["item"].cat.codes.to_numpy(dtype=np.int64)
    ) * width
    team_key = base + long["team"].cat.codes.to_numpy(dtype=np.int64)
    all_key = base + len(teams)
    value = long["value"].to_numpy(dtype=float)
    favourable = long["favourable"].to_numpy(dtype=float)
    rated = ~np.isnan(favourable)

    def sums(weights: np.ndarray | None, mask: np.ndarray | None = None) -> np.ndarray:
        out = np.zeros(cells)
        for key in (team_key, all_key):
            chosen = key if mask is None else key[mask]
            w = None if weights is None else (weights if mask is None else weights[mask])
            out += np.bincount(chosen, weights=w, minlength=cells)
        return out

    count, total = sums(None), sums(value)
    rated_n, rated_sum = sums(None, rated), sums(favourable, rated)
    shown = {(g.team, g.wave, g.dimension): not g.suppressed for g in groups}
    sizes = responses.groupby(["wave", "team"])["respondent_id"].nunique()
    wave_heads = responses.groupby(responses["wave"].astype(str))["respondent_id"].nunique()
    by_item = {item.item: item for item in instrument.items}
    team_slot = {team: k for k, team in enumerate(teams)}
    out = []
    for w, wave in enumerate(waves):
        if wave not in wave_heads.index:
            continue
        heads = {str(t): int(n) for t, n in sizes[wave].items()}
        total_heads = int(wave_heads[wave])
        for i, name in enumerate(items):
            item = by_item[name]
            start = (w * len(items) + i) * width
            answered = {t: int(count[start + team_slot[t]]) for t in heads}
            hidden = {t for t in heads if not shown.get((t, wave, item.dimension), False)}
            low = {t for t, n in answered.items() if n < min_group and t not in hidden}
            if low:
                hidden = suppress(heads, min_group, hidden | low)
            for team in sorted(heads):
                out.append(_item_score(team, wave, item, heads[team], team in hidden,
                                       start + team_slot[team],
                                       count, total, rated_n, rated_sum))  # fmt: skip
            slot = start + len(teams)
            hidden_answered = sum(answered[t] for t in hidden)
            hide_total = (
                not shown.get((ALL_TEAMS, wave, item.dimension), False)
                or count[slot] < min_group
                or 0 < hidden_answered < min_group
            )
            out.append(_item_score(ALL_TEAMS, wave, item, total_heads, hide_total, slot,
                                   count, total, rated_n, rated_sum))  # fmt: skip
    order = {item.item: k for k, item in enumerate(instrument.items)}
    out.sort(key=lambda r: (r.wave, order[r.item], r.team == ALL_TEAMS, r.team))
    return out


def _item_score(team, wave, item, heads, hidden, slot, count, total, rated_n, rated_sum):
    if hidden or count[slot] == 0:
        return ItemScore(team, wave, item.dimension, item.item, None, True, None, None, None)
    mean = total[slot] / count[slot]
    favourable = rated_sum[slot] / rated_n[slot] if rated_n[slot] > 0 else None
    score = (mean - item.low) / (item.high - item.low) * 100.0
    return ItemScore(team, wave, item.dimension, item.item, heads, False, float(mean),
                     None if favourable is None else float(favourable), float(score))  # fmt: skip


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
    waves = _group_figures(long, ["dimension", "wave"])
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
    whole = _group_figures(
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
                mean=_value(figures.get("mean")),
                favourable=_value(figures.get("favourable")),
                score=_value(figures.get("score")),
                suppressed=hidden,
                advocacy=_value(figures.get("advocacy")),
                recapture=_value(figures.get("recapture")),
            )
        )
    return out


@dataclass(frozen=True)
class WaveChange:
    """A team's (or all teams') change on a dimension from one wave to the next: the
    difference of means with its 95 % interval (Welch), Hedges' g, the raw and
    Holm-adjusted p-values, and a plain-language reading."""

    team: str
    dimension: str
    wave_from: str
    wave_to: str
    n_from: int
    n_to: int
    change: float
    ci_low: float | None
    ci_high: float | None
    effect_size: float | None
    p_value: float | None
    p_adjusted: float | None
    reading: str


def _welch_all(pairs: list, stats) -> tuple[list[list], list[float | None]]:
    """Welch's comparison of each (before, after) pair of groups from their size, mean and
    variance (n − 1), all at once; Hedges' g from the pooled deviation."""
    if not pairs:
        return [], []
    nx = np.array([float(a["size"]) for *_, a, _ in pairs])
    ny = np.array([float(b["size"]) for *_, b in pairs])
    mx = np.array([float(a["mean"]) for *_, a, _ in pairs])
    my = np.array([float(b["mean"]) for *_, b in pairs])
    sx = np.nan_to_num(np.array([float(a["var"]) for *_, a, _ in pairs]))
    sy = np.nan_to_num(np.array([float(b["var"]) for *_, b in pairs]))
    change = my - mx
    vx, vy = sx / nx, sy / ny
    se = np.sqrt(vx + vy)
    testable = (se > 0) & (nx > 1) & (ny > 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        dof = se**4 / (vx**2 / np.maximum(nx - 1, 1) + vy**2 / np.maximum(ny - 1, 1))
        quantile = stats.t.ppf(0.975, np.where(testable, dof, 1.0))
        p = 2 * stats.t.sf(
            np.abs(change) / np.where(testable, se, 1.0), np.where(testable, dof, 1.0)
        )
        pooled = np.sqrt(((nx - 1) * sx + (ny - 1) * sy) / np.maximum(nx + ny - 2, 1))
        g = change / pooled * (1 - 3 / (4 * (nx + ny) - 9))
    rows, p_values = [], []
    for i, (team, dimension, before, after, _, _) in enumerate(pairs):
        ok = bool(testable[i])
        ci = (float(change[i] - quantile[i] * se[i]), float(change[i] + quantile[i] * se[i]))
        rows.append([
            team, dimension, before, after, int(nx[i]), int(ny[i]), float(change[i]),
            *(ci if ok else (None, None)),
            float(g[i]) if pooled[i] > 0 else None,
            float(p[i]) if ok else None,
        ])  # fmt: skip
        p_values.append(float(p[i]) if ok else None)
    return rows, p_values


def wave_changes(
    responses: pd.DataFrame,
    instrument: Instrument,
    groups: list[GroupScore],
    min_group: int = MIN_GROUP_DEFAULT,
    long: pd.DataFrame | None = None,
    person: pd.DataFrame | None = None,
) -> list[WaveChange]:
    """Changes between consecutive waves for every team and dimension whose groups are
    visible in both waves (a change involving a hidden group would reveal it)."""
    from scipy import stats
    from statsmodels.stats.multitest import multipletests

    visible = {(g.team, g.wave, g.dimension) for g in groups if not g.suppressed}
    long = answers(responses, instrument) if long is None else long
    person = _person_means(long) if person is None else person
    keys = ["team", "wave", "dimension"]
    by_team = person.groupby(keys, observed=True)["value"].agg(["size", "mean", "var"])
    overall = person.groupby(["wave", "dimension"], observed=True)["value"].agg(
        ["size", "mean", "var"]
    )
    overall = overall.reset_index().assign(team=ALL_TEAMS).set_index(keys)
    table = pd.concat([by_team, overall])
    moments = {
        tuple(str(part) for part in key): row
        for key, row in zip(table.index, table.to_dict("records"), strict=True)
    }
    waves = sorted(str(w) for w in long["wave"].unique())
    teams = sorted({key[0] for key in moments})
    dimensions = [d for d in instrument.dimensions]
    pairs = []
    for team in teams:
        for dimension in dimensions:
            for before, after in itertools.pairwise(waves):
                first, second = (team, before, dimension), (team, after, dimension)
                if (
                    first in visible
                    and second in visible
                    and first in moments
                    and second in moments
                ):
                    pairs.append((team, dimension, before, after, moments[first], moments[second]))
    results, p_values = _welch_all(pairs, stats)
    valid = [i for i, p in enumerate(p_values) if p is not None]
    adjusted = [None] * len(p_values)
    if valid:
        corrected = multipletests([p_values[i] for i in valid], method="holm")[1]
        for i, value in zip(valid, corrected, strict=True):
            adjusted[i] = float(value)
    out = []
    for row, p_adj in zip(results, adjusted, strict=True):
        out.append(WaveChange(*row, p_adjusted=p_adj, reading=_reading(row, p_adj)))
    return out


def _reading(row: list, p_adjusted: float | None) -> str:
    n_from, n_to, change, g = row[4], row[5], row[6], row[9]
    if p_adjusted is None:
        return "no spread in the answers: no test possible"
    direction = "up" if change > 0 else "down"
    size = (
        ""
        if g is None
        else ("a small" if abs(g) < 0.5 else "a medium" if abs(g) < 0.8 else "a large")
    )
    if p_adjusted < 0.05:
        return f"{size} change {direction}, clear even allowing for the many comparisons".strip()
    if min(n_from, n_to) < 20:
        smallest = min(n_from, n_to)
        return (
            f"{direction} by {abs(change):.2f}, but with {smallest} people in a wave this"
            " could be chance"
        )
    return f"{direction} by {abs(change):.2f}: not distinguishable from chance"


@dataclass(frozen=True)
class Participation:
    """How many of a team (or of all teams) invited in a wave answered; ``respondents``
    and ``rate`` are ``None`` where the group is hidden or (for all teams) where some
    team of the wave has no invitation count."""

    wave: str
    team: str
    invited: int | None
    respondents: int | None
    rate: float | None
    suppressed: bool


@dataclass(frozen=True)
class SurveyReport:
    """Everything the report shows; no individual answer is in it. A team hidden in every
    wave is not named: its records are left out and only counted in ``hidden_teams``."""

    respondents: int
    waves: tuple[str, ...]
    teams: tuple[str, ...]
    min_group: int
    dimensions: tuple[DimensionSummary, ...]
    groups: tuple[GroupScore, ...]
    changes: tuple[WaveChange, ...]
    barriers: dict[str, str | None]
    drivers: Drivers | None = None
    drivers_note: str | None = None
    hidden_teams: int = 0
    participation: tuple[Participation, ...] = ()
    adoption_drivers: Drivers | None = None
    adoption_drivers_note: str | None = None
    recapture: Recapture | None = None
    items: tuple[ItemScore, ...] = ()
    item_texts: dict[str, str] | None = None

    @property
    def hidden_groups(self) -> int:
        """How many group figures anonymity hides."""
        return sum(1 for g in self.groups if g.suppressed)

    @property
    def clear_changes(self) -> tuple[WaveChange, ...]:
        """Changes whose Holm-adjusted p-value is below 0.05."""
        return tuple(c for c in self.changes if c.p_adjusted is not None and c.p_adjusted < 0.05)


def latest_shown(
    groups: list[GroupScore] | tuple[GroupScore, ...], dimensions
) -> dict[str, tuple[str, dict[str, GroupScore]]]:
    """Per team (and all teams), its shown figures on ``dimensions`` in the latest wave
    where any is shown: ``{team: (wave, {dimension: group})}``. Barriers, team readiness and
    the adoption drivers all read a team from there."""
    wanted = set(dimensions)
    shown: dict[str, list[GroupScore]] = {}
    for g in groups:
        if not g.suppressed and g.dimension in wanted:
            shown.setdefault(g.team, []).append(g)
    out = {}
    for team in sorted(shown):
        latest = max(g.wave for g in shown[team])
        out[team] = (latest, {g.dimension: g for g in shown[team] if g.wave == latest})
    return out


def barrier_dimensions(groups: list[GroupScore], instrument: Instrument) -> dict[str, str | None]:
    """Per team, in the latest wave where it is visible: the first readiness dimension (in
    the instrument's order, ADKAR-style) whose mean is 3 or lower on a 1–5 scale (the
    middle of the scale or below on others); ``None`` when none is."""
    order = instrument.readiness
    middle = {d: (instrument.of(d)[0].low + instrument.of(d)[0].high) / 2 for d in order}
    return {
        team: next((d for d in order if d in cells and cells[d].mean <= middle[d]), None)
        for team, (_, cells) in latest_shown(groups, order).items()
    }


def participation(
    responses: pd.DataFrame, invitations: pd.DataFrame, groups: list[GroupScore]
) -> list[Participation]:
    """Participation per wave and team with an invitation count, and per wave for all teams
    when every team that answered that wave has one. A rate is shown only where the group's
    figures are (a team is shown in a wave when any of its figures is).

    Raises
    ------
    SurveyError
        Where a shown group has fewer invited than answered (only shown groups are checked:
        the check itself would tell a hidden group's size).
    """
    from roi.core.casefile import Problem
    from roi.culture.instrument import SurveyError

    shown = {(g.wave, g.team) for g in groups if not g.suppressed}
    answered = responses.groupby(["wave", "team"])["respondent_id"].nunique()
    rows = invitations.to_dict("records")
    invited = {(str(r["wave"]), str(r["team"])): int(r["invited"]) for r in rows}
    lines = {(str(r["wave"]), str(r["team"])): r.get("line") for r in rows}
    problems = []
    out = []
    for wave in sorted({w for w, _ in invited} | {str(w) for w, _ in answered.index}):
        teams = sorted({t for w, t in invited if w == wave})
        for team in teams:
            count = int(answered.get((wave, team), 0))
            visible = (wave, team) in shown
            if visible and invited[(wave, team)] < count:
                problems.append(
                    Problem(
                        f"line {lines[(wave, team)]}, column invited",
                        f"{invited[(wave, team)]} invited is fewer than the {count} who"
                        f" answered in wave {wave!r}, team {team!r}",
                    )
                )
            out.append(
                Participation(
                    wave, team, invited[(wave, team)],
                    count if visible else None,
                    count / invited[(wave, team)] if visible else None,
                    not visible,
                )
            )  # fmt: skip
        if not teams:
            continue
        answering = {str(t) for w, t in answered.index if str(w) == wave}
        complete = answering <= set(teams)
        total_invited = sum(invited[(wave, t)] for t in teams) if complete else None
        total = int(responses.loc[responses["wave"].astype(str) == wave, "respondent_id"].nunique())
        visible = (wave, ALL_TEAMS) in shown
        if visible and total_invited is not None and total_invited < total and not problems:
            problems.append(
                Problem(
                    "",
                    f"the invitations of wave {wave!r} add up to {total_invited}, fewer than"
                    f" the {total} who answered it",
                )
            )
        out.append(
            Participation(
                wave, ALL_TEAMS, total_invited,
                total if visible else None,
                total / total_invited if visible and total_invited else None,
                not visible,
            )
        )  # fmt: skip
    if problems:
        raise SurveyError(invitations.attrs.get("source", "invitations"), problems)
    return out


def survey_report(
    responses: pd.DataFrame,
    instrument: Instrument,
    min_group: int = MIN_GROUP_DEFAULT,
    invitations: pd.DataFrame | None = None,
    adoption: dict[str, float] | None = None,
) -> SurveyReport:
    """Scores, reliability, wave-over-wave changes, barriers, advocacy drivers and the
    measured recapture share; participation with ``invitations`` and the drivers of team
    adoption with ``adoption`` (team → adoption share); anonymity applied."""
    long = answers(responses, instrument)
    person = _person_means(long)  # each respondent's dimension scores, shared below
    groups = group_scores(responses, instrument, min_group, long)
    drivers, drivers_note = advocacy_drivers(responses, instrument, long, person)
    if adoption is None:
        team_drivers, team_note = None, None
    else:
        team_drivers, team_note = adoption_drivers(groups, instrument, adoption)
    hidden_totals = {g.wave for g in groups if g.team == ALL_TEAMS and g.suppressed}
    shown = responses[~responses["wave"].astype(str).isin(hidden_totals)]
    visible_teams = {g.team for g in groups if not g.suppressed and g.team != ALL_TEAMS}
    all_teams = {str(t) for t in responses["team"].unique()}
    rates = [] if invitations is None else participation(responses, invitations, groups)
    return SurveyReport(
        respondents=int(shown["respondent_id"].nunique()),
        waves=tuple(sorted(responses["wave"].astype(str).unique())),
        teams=tuple(sorted(visible_teams)),
        min_group=min_group,
        dimensions=tuple(dimension_summaries(responses, instrument, min_group, long)),
        groups=tuple(g for g in groups if g.team in visible_teams or g.team == ALL_TEAMS),
        changes=tuple(wave_changes(responses, instrument, groups, min_group, long, person)),
        barriers=barrier_dimensions(groups, instrument),
        drivers=drivers,
        drivers_note=drivers_note,
        hidden_teams=len(all_teams - visible_teams),
        participation=tuple(p for p in rates if p.team in visible_teams or p.team == ALL_TEAMS),
        adoption_drivers=team_drivers,
        adoption_drivers_note=team_note,
        recapture=measured_recapture(responses, instrument, groups, long=long, person=person),
        item_texts={item.item: item.text for item in instrument.items},
        items=tuple(
            i
            for i in item_scores(responses, instrument, groups, min_group, long)
            if i.team in visible_teams or i.team == ALL_TEAMS
        ),
    )


def report_to_dict(report: SurveyReport) -> dict:
    """The `python -m roi survey --json` object: aggregates only."""
    from dataclasses import asdict

    return {
        "respondents": report.respondents,
        "wave_labels": list(report.waves),
        "teams": list(report.teams),
        "hidden_teams": report.hidden_teams,
        "min_group": report.min_group,
        "dimensions": {
            d.dimension: {
                "items": d.items,
                "alpha": d.alpha,
                "alpha_ci": None if d.alpha_ci is None else list(d.alpha_ci),
                "alpha_n": d.alpha_n,
                "reliable": d.reliable,
                "n": d.n,
                "suppressed": d.suppressed,
                "mean": d.mean,
                "favourable": d.favourable,
                "score": d.score,
                "advocacy": d.advocacy,
                "recapture": d.recapture,
            }
            for d in report.dimensions
        },
        "groups": [asdict(g) for g in report.groups],
        "items": [asdict(i) for i in report.items],
        "waves": [asdict(c) for c in report.changes],
        "barriers": report.barriers,
        "drivers": None if report.drivers is None else asdict(report.drivers),
        "drivers_note": report.drivers_note,
        "participation": [asdict(p) for p in report.participation] or None,
        "adoption_drivers": (
            None if report.adoption_drivers is None else asdict(report.adoption_drivers)
        ),
        "adoption_drivers_note": report.adoption_drivers_note,
        "recapture": None if report.recapture is None else asdict(report.recapture),
    }


def report_record(report: SurveyReport) -> dict:
    """Every field of the report, as JSON-ready data, for keeping it (the store keeps a
    survey's aggregates, not its answers); :func:`report_from_record` reads it back."""
    from dataclasses import asdict

    return asdict(report)


def report_from_record(data: dict) -> SurveyReport:
    """The report kept by :func:`report_record` (after a JSON round trip), equal to it."""

    def drivers(value: dict | None) -> Drivers | None:
        if value is None:
            return None
        return Drivers(**{**value, "drivers": tuple(Driver(**d) for d in value["drivers"])})

    def dimension(value: dict) -> DimensionSummary:
        ci = value["alpha_ci"]
        return DimensionSummary(**{**value, "alpha_ci": None if ci is None else tuple(ci)})

    recapture = data["recapture"]
    return SurveyReport(
        **{
            **data,
            "waves": tuple(data["waves"]),
            "teams": tuple(data["teams"]),
            "dimensions": tuple(dimension(d) for d in data["dimensions"]),
            "groups": tuple(GroupScore(**g) for g in data["groups"]),
            "changes": tuple(WaveChange(**c) for c in data["changes"]),
            "drivers": drivers(data["drivers"]),
            "participation": tuple(Participation(**p) for p in data["participation"]),
            "adoption_drivers": drivers(data["adoption_drivers"]),
            "recapture": None if recapture is None else Recapture(**recapture),
            "items": tuple(ItemScore(**i) for i in data["items"]),
        }
    )


@dataclass(frozen=True)
class Driver:
    """One readiness dimension's association with the outcome: the least-squares
    coefficient (points of outcome per point of dimension mean) with its robust standard
    error, 95 % interval, p-value and Holm-adjusted p-value (across the dimensions), and its
    importance: for advocacy the share of explained variance it carries (LMG, a Shapley
    decomposition; the shares add up to R²), for team adoption the R² of its own model."""

    dimension: str
    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    p_value: float
    p_adjusted: float
    importance: float


@dataclass(frozen=True)
class Drivers:
    """``outcome``: ``advocacy`` (respondents; one multiple regression, HC1 errors, LMG
    importance) or ``adoption`` (teams; one regression per dimension, HC3 errors, R²)."""

    outcome: str
    unit: str
    n: int
    r_squared: float | None
    drivers: tuple[Driver, ...]


MIN_RESPONDENTS_PER_PREDICTOR = 10
MIN_TEAMS_FOR_DRIVERS = 10


def _holm(p_values: list[float]) -> list[float]:
    from statsmodels.stats.multitest import multipletests

    return [float(p) for p in multipletests(p_values, method="holm")[1]]


def advocacy_drivers(
    responses: pd.DataFrame,
    instrument: Instrument,
    long: pd.DataFrame | None = None,
    person: pd.DataFrame | None = None,
) -> tuple[Drivers | None, str | None]:
    """Which readiness dimensions go with advocacy, respondent by respondent (all teams and
    waves together): OLS of the advocacy answer on the respondents' dimension scores.
    Needs :data:`MIN_RESPONDENTS_PER_PREDICTOR` complete respondents per coefficient;
    returns ``None`` and the reason otherwise (or without an advocacy item)."""
    import statsmodels.api as sm

    readiness = list(instrument.readiness)
    if ADVOCACY not in instrument.dimensions:
        return None, "no drivers: the instrument has no advocacy item"
    if len(readiness) < 1:
        return None, "no drivers: the instrument has no readiness dimension"
    long = answers(responses, instrument) if long is None else long
    person = _person_means(long) if person is None else person
    table = person.pivot_table(
        index=["wave", "respondent_id"], columns="dimension", values="value", observed=True
    )
    columns = [d for d in readiness if d in table.columns]
    if ADVOCACY not in table.columns or not columns:
        return None, "no drivers: no advocacy answers"
    data = table[[*columns, ADVOCACY]].dropna()
    needed = MIN_RESPONDENTS_PER_PREDICTOR * (len(columns) + 1)
    if len(data) < needed:
        return None, (
            f"no drivers: {len(data)} respondents answered advocacy and every readiness"
            f" dimension; {needed} are needed ({MIN_RESPONDENTS_PER_PREDICTOR} per coefficient)"
        )
    x = data[columns].to_numpy(dtype=float)
    y = data[ADVOCACY].to_numpy(dtype=float)
    if np.ptp(y) == 0 or np.any(np.ptp(x, axis=0) == 0):
        return None, "no drivers: advocacy or a readiness dimension has the same value for everyone"
    fit = sm.OLS(y, sm.add_constant(x)).fit(cov_type="HC1")
    importance = _lmg(x, y)
    ci = fit.conf_int(0.05)
    adjusted = _holm([float(p) for p in fit.pvalues[1:]])
    drivers = tuple(
        Driver(
            dimension=column,
            estimate=float(fit.params[i + 1]),
            std_error=float(fit.bse[i + 1]),
            ci_low=float(ci[i + 1][0]),
            ci_high=float(ci[i + 1][1]),
            p_value=float(fit.pvalues[i + 1]),
            p_adjusted=adjusted[i],
            importance=float(importance[i]),
        )
        for i, column in enumerate(columns)
    )
    return Drivers(ADVOCACY, "responses", len(data), float(fit.rsquared), drivers), None


def team_readiness(groups: list[GroupScore] | tuple[GroupScore, ...], instrument: Instrument):
    """Per visible team, its readiness dimension means in the latest wave where it is shown
    (only shown figures): ``{team: (wave, {dimension: mean})}``."""
    return {
        team: (wave, {d: g.mean for d, g in cells.items()})
        for team, (wave, cells) in latest_shown(groups, instrument.readiness).items()
        if team != ALL_TEAMS
    }


def team_change_readiness(report: SurveyReport) -> dict[str, tuple[float, str]]:
    """Each shown team's change readiness on the register's 1–5 scale, for the quick-wins
    ranking: the mean of its readiness dimension scores (0–100) in its latest shown wave,
    as 1 + score / 25; ``{team: (readiness, wave)}``."""
    readiness = [d.dimension for d in report.dimensions if d.dimension not in (ADVOCACY, RECAPTURE)]
    return {
        team: (1.0 + float(np.mean([g.score for g in cells.values()])) / 25.0, wave)
        for team, (wave, cells) in latest_shown(report.groups, readiness).items()
        if team != ALL_TEAMS
    }


def adoption_drivers(
    groups: list[GroupScore] | tuple[GroupScore, ...],
    instrument: Instrument,
    adoption: dict[str, float],
) -> tuple[Drivers | None, str | None]:
    """Which readiness dimensions go with team adoption: across the teams shown in the
    survey that have an adoption rate (``adoption``: team → share, matched without regard
    to case), one least-squares line of adoption (percentage points) on each dimension's
    mean in the team's latest shown wave, with HC3 standard errors (the small-sample
    choice) and Holm-adjusted p-values; each dimension's importance is its model's R².

    One dimension at a time because teams are few: a model with every dimension would need
    ten teams per coefficient. Needs :data:`MIN_TEAMS_FOR_DRIVERS` teams; returns ``None``
    and the reason otherwise."""
    import statsmodels.api as sm

    readiness = list(instrument.readiness)
    scores = team_readiness(groups, instrument)
    if not adoption:
        return None, (
            "no adoption drivers: the adoption export gives no adoption share per team (it"
            " needs each team's eligible or licensed users)"
        )
    # Each survey team takes the adoption team it names (exactly, else the only match
    # without regard to case); an adoption team claimed by two survey teams is used by none.
    names = {team: match_team(team, adoption) for team in scores}
    claims = Counter(name for name in names.values() if name is not None)
    matched = {
        team: adoption[name]
        for team, name in names.items()
        if name is not None and claims[name] == 1
    }
    needed = MIN_TEAMS_FOR_DRIVERS
    if len(matched) < needed:
        return None, (
            f"no adoption drivers: {len(matched)} team(s) have both shown survey scores and an"
            f" adoption rate; {needed} are needed"
        )
    drivers, fits = [], []
    for dimension in readiness:
        teams = [t for t in matched if dimension in scores[t][1]]
        if len(teams) < needed:
            continue
        x = np.array([scores[t][1][dimension] for t in teams])
        y = np.array([100.0 * matched[t] for t in teams])
        if np.ptp(x) == 0 or np.ptp(y) == 0:
            continue
        centred = x - x.mean()
        if (1 / len(x) + centred**2 / (centred @ centred)).max() > 1 - 1e-9:
            continue  # one team alone sets the slope: HC3 is undefined
        fit = sm.OLS(y, sm.add_constant(x)).fit(cov_type="HC3", use_t=True)
        fits.append((dimension, fit, len(teams)))
    if not fits:
        return None, "no adoption drivers: adoption or every dimension is the same in every team"
    adjusted = _holm([float(fit.pvalues[1]) for _, fit, _ in fits])
    for (dimension, fit, _), p_adjusted in zip(fits, adjusted, strict=True):
        ci = fit.conf_int(0.05)
        drivers.append(
            Driver(
                dimension=dimension,
                estimate=float(fit.params[1]),
                std_error=float(fit.bse[1]),
                ci_low=float(ci[1][0]),
                ci_high=float(ci[1][1]),
                p_value=float(fit.pvalues[1]),
                p_adjusted=p_adjusted,
                importance=float(fit.rsquared),
            )
        )
    n = min(count for *_, count in fits)
    return Drivers("adoption", "teams", n, None, tuple(drivers)), None


@dataclass(frozen=True)
class Recapture:
    """The share of saved time that goes into more valuable work, from the ``recapture``
    item: respondents' answers / 10 in one wave for one group, their mean and its 95 %
    t-interval over those who answered (clipped to 0–1); ``n`` is the group's head count."""

    wave: str
    team: str
    n: int
    share: float
    ci_low: float
    ci_high: float


def measured_recapture(
    responses: pd.DataFrame,
    instrument: Instrument,
    groups: list[GroupScore] | tuple[GroupScore, ...],
    team: str = ALL_TEAMS,
    long: pd.DataFrame | None = None,
    person: pd.DataFrame | None = None,
) -> Recapture | None:
    """The recapture share of ``team`` (all teams by default) in the latest wave where its
    recapture figure is shown; ``None`` without a recapture item or a shown figure."""
    from scipy import stats

    shown = {
        g.wave: g.n
        for g in groups
        if g.team == team and g.dimension == RECAPTURE and not g.suppressed
    }
    if not shown:
        return None
    wave = max(shown)
    long = answers(responses, instrument) if long is None else long
    person = _person_means(long) if person is None else person
    rows = person[(person["dimension"] == RECAPTURE) & (person["wave"].astype(str) == wave)]
    if team != ALL_TEAMS:
        rows = rows[rows["team"].astype(str) == team]
    values = rows["value"].to_numpy(dtype=float) / 10.0
    answered = len(values)
    if answered < 2:
        return None
    mean = float(values.mean())
    half = float(stats.t.ppf(0.975, answered - 1) * values.std(ddof=1) / math.sqrt(answered))
    # n is the group's head count, as everywhere: the number who answered is not shown.
    return Recapture(
        wave, team, int(shown[wave]), mean, max(0.0, mean - half), min(1.0, mean + half)
    )


_RECAPTURE_MARK = "productivity_recapture measured:"
_RECAPTURE_NOTE = (
    re.escape(_RECAPTURE_MARK)
    + r".*?; the other inputs were (?P<evidence>measured|benchmark|assumed)"
    + r"(?:\. Before: (?P<before>.*))?$"
)


def use_recapture(case, line: int, recapture: Recapture, basis: str = "lower_bound"):
    """The case with time-saved benefit line ``line`` taking ``productivity_recapture`` from
    the survey: the conservative end of the interval (``lower_bound``) or the mean
    (``point``); the line's evidence becomes ``measured`` and its note says which input was
    measured, how, and what the line's evidence was before. The risk factor is kept: the
    line's other inputs are as uncertain as before."""
    from roi.core.casefile import parse_case

    if not 0 <= line < len(case.benefits):
        raise ValueError(f"the case has benefit lines 0 to {len(case.benefits) - 1}, got {line}")
    item = case.benefits[line]
    if item.type != "time_saved":
        raise ValueError(
            f"benefit line {line} is {item.type!r}; recapture applies to time_saved lines"
        )
    if basis not in ("lower_bound", "point"):
        raise ValueError(f"basis must be 'lower_bound' or 'point', got {basis!r}")
    value = recapture.ci_low if basis == "lower_bound" else recapture.share
    what = "conservative end of the 95% interval" if basis == "lower_bound" else "mean"
    who = "all teams" if recapture.team == ALL_TEAMS else f"team {recapture.team}"
    # Applied again: the history is the one recorded the first time, not this tool's own.
    evidence, earlier = item.evidence, item.note
    previous = re.match(_RECAPTURE_NOTE, item.note or "", flags=re.S)
    if previous:
        evidence, earlier = previous["evidence"], previous["before"]
    note = (
        f"{_RECAPTURE_MARK} {what} of the survey's recapture answers, wave"
        f" {recapture.wave}, {who}, n = {recapture.n} (mean {recapture.share:.2f}, 95% CI"
        f" {recapture.ci_low:.2f} to {recapture.ci_high:.2f}); the other inputs were"
        f" {evidence}" + (f". Before: {earlier}" if earlier else "")
    )
    data = case.model_dump()
    data["benefits"][line] |= {
        "productivity_recapture": round(value, 4),
        "evidence": "measured",
        "note": note,
    }
    return parse_case(data, source="measured")


def _lmg(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """LMG relative importance: each predictor's R² gain averaged over every subset of the
    others, weighted as in the Shapley value; the shares add up to the full model's R²."""
    k = x.shape[1]
    # R² of any subset S from the centred cross-products alone: c_Sᵀ C_SS⁻¹ c_S / yᵀy, a
    # k × k solve instead of a least-squares fit over every respondent.
    xc, yc = x - x.mean(axis=0), y - y.mean()
    cross, with_y, total = xc.T @ xc, xc.T @ yc, float(yc @ yc)

    def r2(mask: int) -> float:
        if mask == 0:
            return 0.0
        cols = [j for j in range(k) if mask >> j & 1]
        part = with_y[cols]
        solution = np.linalg.lstsq(cross[np.ix_(cols, cols)], part, rcond=None)[0]
        return float(part @ solution) / total

    values = {mask: r2(mask) for mask in range(1 << k)}
    out = np.zeros(k)
    for j in range(k):
        for mask in range(1 << k):
            if mask >> j & 1:
                continue
            size = bin(mask).count("1")
            weight = math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
            out[j] += weight * (values[mask | 1 << j] - values[mask])
    return out
