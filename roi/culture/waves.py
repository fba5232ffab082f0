"""Wave-to-wave changes: how each team (and all teams) moved on each dimension between
consecutive waves.

Conventions:

- A change is the difference of the groups' means of respondents' dimension scores, after
  minus before, with Welch's 95 % interval and test (unequal variances) and Hedges' g from
  the pooled deviation.
- The p-values of every change in the survey are adjusted together by Holm's method; a
  change is *clear* when its adjusted p-value is below 0.05. The reading calls an effect
  small below |g| = 0.5, medium below 0.8, large from there.
- Only groups shown in both waves are compared: a change involving a hidden group would
  reveal it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from roi.culture.anonymity import MIN_GROUP_DEFAULT
from roi.culture.instrument import Instrument
from roi.culture.scores import ALL_TEAMS, GroupScore, answers, person_means


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
    person = person_means(long) if person is None else person
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
