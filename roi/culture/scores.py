"""Survey scores by team, wave and dimension (and by item), with anonymity kept: the
answers table every other analysis starts from (:func:`answers`, :func:`person_means`),
the figures of any grouping (:func:`group_figures`) and the scores shown
(:func:`group_scores`, :func:`item_scores`, :func:`latest_shown`).

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
- **Anonymity** is the rule of :mod:`roi.culture.anonymity`; the n shown for a group is its
  head count in the wave, the same on every dimension.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from roi.culture.anonymity import (
    MIN_GROUP_DEFAULT,
    check_min_group,
    hide_sparse,
    suppress,
    total_hidden,
)
from roi.culture.instrument import ADVOCACY, RECAPTURE, Instrument

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


def group_figures(long: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
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


def person_means(long: pd.DataFrame) -> pd.DataFrame:
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
        mean=optional_float(record["mean"]), favourable=optional_float(record["favourable"]),
        score=optional_float(record["score"]), advocacy=optional_float(record["advocacy"]),
        recapture=optional_float(record["recapture"]),
    )  # fmt: skip


def optional_float(x) -> float | None:
    """A figure as a float, ``None`` where it is missing (NaN): no ``nan`` reaches a result."""
    return None if pd.isna(x) else float(x)


def group_scores(
    responses: pd.DataFrame,
    instrument: Instrument,
    min_group: int = MIN_GROUP_DEFAULT,
    long: pd.DataFrame | None = None,
) -> list[GroupScore]:
    """Every team and the teams together, per wave and dimension, with anonymity applied
    (``long``: the :func:`answers`, when already made)."""
    check_min_group(min_group)
    long = answers(responses, instrument) if long is None else long
    figures = pd.concat(
        [
            group_figures(long, ["wave", "dimension", "team"]),
            group_figures(long, ["wave", "dimension"]).assign(team=ALL_TEAMS),
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
            hidden = hide_sparse(counts, answered, hidden_wave, min_group)
            total_answered = sum(answered.values())
            for team in sorted(counts):
                record = by_key.get((wave, dimension, team))
                out.append(_score(team, wave, dimension, record, counts[team], team in hidden))
            hidden_answered = sum(answered[t] for t in hidden)
            hide_total = total < min_group or total_hidden(
                total_answered, hidden_answered, min_group
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
            hidden = hide_sparse(heads, answered, hidden, min_group)
            for team in sorted(heads):
                out.append(_item_score(team, wave, item, heads[team], team in hidden,
                                       start + team_slot[team],
                                       count, total, rated_n, rated_sum))  # fmt: skip
            slot = start + len(teams)
            hidden_answered = sum(answered[t] for t in hidden)
            shown_total = shown.get((ALL_TEAMS, wave, item.dimension), False)
            hide_total = not shown_total or total_hidden(count[slot], hidden_answered, min_group)
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
