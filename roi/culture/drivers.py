"""What goes with advocacy and with team adoption, and where each team stands on readiness.

Conventions:

- **Advocacy drivers** are found respondent by respondent (all teams and waves together):
  one least-squares model of the advocacy answer on the readiness dimension scores, HC1
  standard errors, Holm-adjusted p-values, and each dimension's importance its LMG share of
  R² (a Shapley decomposition: the shares add up to R²). It needs
  :data:`MIN_RESPONDENTS_PER_PREDICTOR` complete respondents per coefficient.
- **Adoption drivers** are found team by team: one line per dimension of adoption
  (percentage points) on the team's dimension mean, HC3 standard errors (teams are few),
  Holm-adjusted p-values, importance the line's R². It needs :data:`MIN_TEAMS_FOR_DRIVERS`
  teams.
- A team's **readiness** and its **barrier** are read from its shown figures in the latest
  wave where any is shown (:func:`~roi.culture.scores.latest_shown`); hidden figures are
  never used.
- Without enough data a driver function returns ``None`` and the reason, never a guess.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from roi.culture.instrument import ADVOCACY, Instrument, match_team
from roi.culture.scores import ALL_TEAMS, GroupScore, answers, latest_shown, person_means


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
    person = person_means(long) if person is None else person
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
