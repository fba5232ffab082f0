"""Wave-to-wave changes: how each team (and all teams) moved on each dimension between
consecutive waves.

Conventions:

- A change is the difference of the groups' means of respondents' dimension scores, after
  minus before, with Welch's 95 % interval and test (unequal variances) and Hedges' g from
  the pooled deviation.
- The p-values of every change in the survey are adjusted together by Holm's method; a
  change is *clear* when its adjusted p-value is below 0.05. The reading calls an effect
  small below |g| = 0.5, medium below 0.8, large from there.
- Beside the unadjusted 95 % interval, each change has the *adjusted* interval that goes
  with Holm's verdict: Welch's interval at the confidence level Holm's step-down used for
  it. With m tests, r of them clear, the j-th smallest p-value is tested at 0.05 / (m − j + 1)
  when it is clear, and every change that is not clear at 0.05 / (m − r), the level at which
  the procedure stopped. So the adjusted interval excludes 0 exactly when the change is clear
  (Strassburger & Bretz 2008, "Compatible simultaneous lower confidence bounds for the Holm
  procedure", Statistics in Medicine 27, give the same level for the changes not rejected).
- Changes are also given in points of the 0–100 score the heatmap shows:
  points = change / (high − low) · 100, on the dimension's answer scale (25 points per step
  of a 1–5 scale).
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
    # On the 0–100 score: the change, and the interval that goes with Holm's verdict at its
    # confidence level (see the module docstring). ``None`` where no test is possible (and
    # in reports saved before they existed).
    points: float | None = None
    points_low: float | None = None
    points_high: float | None = None
    adjusted_level: float | None = None


def _welch_all(pairs: list, stats) -> tuple[list[list], list[float | None], list]:
    """Welch's comparison of each (before, after) pair of groups from their size, mean and
    variance (n − 1), all at once; Hedges' g from the pooled deviation."""
    if not pairs:
        return [], [], []
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
    spread = [(float(se[i]), float(dof[i])) if testable[i] else None for i in range(len(pairs))]
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
    return rows, p_values, spread


def holm_levels(p_values: list[float | None], alpha: float = 0.05) -> list[float | None]:
    """The significance level Holm's step-down procedure tests each p-value at, the one its
    adjusted interval is taken at (``None`` for no test): α / (m − j + 1) for the j-th
    smallest when it is rejected, α / (m − r) for every hypothesis not rejected, r the
    number rejected.

    >>> holm_levels([0.01, 0.04, 0.03, None])
    [0.016666666666666666, 0.025, 0.025, None]
    """
    tested = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    m = len(tested)
    levels: list[float | None] = [None] * len(p_values)
    rejected = 0
    for j, (p, i) in enumerate(tested, start=1):
        if p < alpha / (m - j + 1):
            levels[i] = alpha / (m - j + 1)
            rejected = j
        else:
            break
    for _, i in tested[rejected:]:
        levels[i] = alpha / (m - rejected)
    return levels


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
    results, p_values, spread = _welch_all(pairs, stats)
    valid = [i for i, p in enumerate(p_values) if p is not None]
    adjusted = [None] * len(p_values)
    if valid:
        corrected = multipletests([p_values[i] for i in valid], method="holm")[1]
        for i, value in zip(valid, corrected, strict=True):
            adjusted[i] = float(value)
    levels = holm_levels(p_values)
    bounds = long.groupby("dimension", observed=True)[["low", "high"]].first()
    per_step = {str(d): 100.0 / float(r["high"] - r["low"]) for d, r in bounds.iterrows()}
    out = []
    for row, p_adj, level, welch in zip(results, adjusted, levels, spread, strict=True):
        scale = per_step[row[1]]
        points: dict = {"points": row[6] * scale}
        if level is not None and welch is not None:
            half = float(stats.t.ppf(1 - level / 2, welch[1])) * welch[0] * scale
            points |= {
                "points_low": points["points"] - half,
                "points_high": points["points"] + half,
                "adjusted_level": 1 - level,
            }
        reading = _reading(row, p_adj, points)
        out.append(WaveChange(*row, p_adjusted=p_adj, reading=reading, **points))
    return out


def _reading(row: list, p_adjusted: float | None, points: dict) -> str:
    n_from, n_to, change, g = row[4], row[5], row[6], row[9]
    if p_adjusted is None:
        return "no spread in the answers: no test possible"
    direction = "up" if change > 0 else "down"
    moved = f"{direction} {abs(points['points']):.1f} points"
    low, high = points.get("points_low"), points.get("points_high")
    between = "" if low is None else f" (adjusted interval {low:+.1f} to {high:+.1f})"
    size = (
        ""
        if g is None
        else ("a small" if abs(g) < 0.5 else "a medium" if abs(g) < 0.8 else "a large")
    )
    if p_adjusted < 0.05:
        return f"{size} change: {moved}, clear even allowing for the many comparisons".strip()
    if min(n_from, n_to) < 20:
        smallest = min(n_from, n_to)
        return f"{moved}, but with {smallest} people in a wave this could be chance{between}"
    return (
        f"{moved}: once the many comparisons are allowed for, not distinguishable from"
        f" chance{between}"
    )
