"""Adoption forecasts: a logistic S-curve fitted to the observed monthly adoption share, with
an exponential-smoothing trend as a cross-check, and the month a target share is reached.

The S-curve is share(t) = ceiling / (1 + exp(−growth · (t − midpoint))), t in months from the
first observed month (month 0). It is fitted by least squares (SciPy's ``curve_fit``, the
model of R's ``SSlogis`` with scal = 1 / growth) with the ceiling kept within (0, 1]. The 95 %
intervals of the parameters are estimate ± t(0.975, n − 3) · standard error from the
covariance of the fit (Wald intervals, as R's ``summary.nls`` standard errors give); the
band around the curve is the pointwise 95 % band of the delta method.

The cross-check is Holt's linear trend with a damped trend (statsmodels
``ExponentialSmoothing``), whose forecast should stay near the S-curve's over the next months;
a large gap says the S-curve is an extrapolation to be read with care.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from roi.adoption.usage import OVERALL

MIN_PERIODS = 4  # three parameters need at least one more observation


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float | None
    high: float | None


@dataclass(frozen=True)
class LogisticFit:
    """A fitted S-curve: parameters with 95 % intervals (``None`` ends when the covariance is
    not available), residual standard error and the number of observations."""

    ceiling: Interval
    midpoint: Interval
    growth: Interval
    residual_se: float
    n: int
    covariance: tuple[tuple[float, ...], ...] | None = None

    def share(self, months: np.ndarray) -> np.ndarray:
        x = self.growth.estimate * (np.asarray(months, dtype=float) - self.midpoint.estimate)
        return self.ceiling.estimate * 0.5 * (1.0 + np.tanh(0.5 * x))

    def month_reaching(self, target: float) -> float | None:
        """Month (from month 0) at which the curve reaches ``target``; ``None`` when the
        ceiling is at or below it."""
        ceiling = self.ceiling.estimate
        if target >= ceiling:
            return None
        return self.midpoint.estimate - math.log(ceiling / target - 1.0) / self.growth.estimate


def _logistic(t: np.ndarray, ceiling: float, midpoint: float, growth: float) -> np.ndarray:
    return ceiling * 0.5 * (1.0 + np.tanh(0.5 * growth * (t - midpoint)))


def _jacobian(t: np.ndarray, ceiling: float, midpoint: float, growth: float) -> np.ndarray:
    """∂share/∂(ceiling, midpoint, growth): analytic, so no fit spends time on numerical
    differences."""
    sigma = 0.5 * (1.0 + np.tanh(0.5 * growth * (t - midpoint)))
    slope = ceiling * sigma * (1.0 - sigma)
    return np.column_stack((sigma, -growth * slope, (t - midpoint) * slope))


def _starts(
    t: np.ndarray, y: np.ndarray, ceiling_max: float
) -> Iterator[tuple[float, float, float]]:
    """Starting points, the likeliest first (made lazily: most fits need only the first):
    for a ceiling a little above the highest share, midpoint and growth from a straight line
    through the logit of share / ceiling; then wider guesses in case that fit fails or ends
    on a bound."""
    top = max(float(y.max()), 1e-9)
    half = float(t[np.argmax(y >= top / 2)])
    for ceiling in (min(ceiling_max, top * 1.05), min(ceiling_max, top * 1.5), ceiling_max):
        share = np.clip(y / ceiling, 1e-3, 1 - 1e-3)
        slope, intercept = np.polyfit(t, np.log(share / (1 - share)), 1)
        if slope > 0:
            yield ceiling, float(-intercept / slope), float(min(slope, 50.0))
        yield ceiling, half, 0.3
        yield ceiling, half, 1.0


@functools.lru_cache(maxsize=256)
def _t_quantile(dof: int) -> float:
    from scipy import stats

    return float(stats.t.ppf(0.975, dof))


def fit_logistic(months: np.ndarray, share: np.ndarray, ceiling_max: float = 1.0) -> LogisticFit:
    """Least-squares S-curve through (months, share).

    Raises
    ------
    ValueError
        With fewer than :data:`MIN_PERIODS` observations, or when no fit converges.

    Examples
    --------
    R's own test of ``SSlogis`` (R sources, ``src/library/stats/man/SSlogis.Rd``: data
    ``dwlg1``, 0, 0, 0, 0, 0, 2, 5 then nine 9s at 1..16) expects Asym 9.0678, xmid 6.79331,
    scal 0.499934 with ``all.equal(tolerance = 1e-6)``, i.e. a mean relative difference
    below 1e-6:

    >>> fit = fit_logistic(np.arange(1, 17), np.array([0] * 5 + [2, 5] + [9] * 9), 100.0)
    >>> ours = np.array([fit.ceiling.estimate, fit.midpoint.estimate, 1 / fit.growth.estimate])
    >>> r = np.array([9.0678, 6.79331, 0.499934])
    >>> bool(np.abs(ours - r).sum() / np.abs(r).sum() < 1e-6)
    True
    """
    from scipy.optimize import curve_fit

    t = np.asarray(months, dtype=float)
    y = np.asarray(share, dtype=float)
    n = t.size
    if n < MIN_PERIODS:
        raise ValueError(f"{n} period(s): at least {MIN_PERIODS} are needed to fit an S-curve")
    bounds = ([1e-9, t.min() - 240.0, 1e-4], [ceiling_max, t.max() + 240.0, 50.0])
    best = None
    for guess in _starts(t, y, ceiling_max):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                params, covariance = curve_fit(
                    _logistic, t, y, p0=guess, bounds=bounds, jac=_jacobian, maxfev=20_000
                )
        except (RuntimeError, ValueError):
            continue
        rss = float(np.sum((y - _logistic(t, *params)) ** 2))
        if best is None or rss < best[2] - 1e-15:
            best = (params, covariance, rss)
        at_bound = any(
            np.isclose(params[i], bounds[side][i], rtol=1e-6, atol=1e-9)
            for i in range(3)
            for side in (0, 1)
        )
        if not at_bound:
            break  # an interior least-squares fit from the likeliest start: keep it
    if best is None:
        raise ValueError("no S-curve fits these observations")
    params, covariance, rss = best
    dof = n - 3
    residual_se = math.sqrt(rss / dof) if dof > 0 else 0.0
    quantile = _t_quantile(dof) if dof > 0 else math.nan
    errors = np.sqrt(np.diag(covariance)) if np.all(np.isfinite(covariance)) else None

    def interval(i: int) -> Interval:
        estimate = float(params[i])
        if errors is None or not np.isfinite(quantile) or not np.isfinite(errors[i]):
            return Interval(estimate, None, None)
        spread = float(quantile * errors[i])
        low, high = bounds[0][i], bounds[1][i]
        return Interval(estimate, max(low, estimate - spread), min(high, estimate + spread))

    usable = errors is not None and bool(np.all(np.isfinite(errors)))
    kept = tuple(tuple(float(x) for x in row) for row in covariance) if usable else None
    return LogisticFit(interval(0), interval(1), interval(2), residual_se, n, kept)


def band(fit: LogisticFit, months: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise 95 % band of the fitted curve by the delta method: share ± t · √(J Σ Jᵀ),
    J the curve's gradient in the parameters and Σ their covariance, kept within 0–1 (the
    curve itself at both ends when there is no covariance)."""
    curve = fit.share(months)
    if fit.covariance is None:
        return curve, curve
    gradient = _jacobian(months, fit.ceiling.estimate, fit.midpoint.estimate, fit.growth.estimate)
    variance = np.einsum("ij,jk,ik->i", gradient, np.array(fit.covariance), gradient)
    spread = _t_quantile(max(fit.n - 3, 1)) * np.sqrt(np.maximum(variance, 0.0))
    return np.clip(curve - spread, 0.0, 1.0), np.clip(curve + spread, 0.0, 1.0)


def holt_forecast(share: np.ndarray, steps: int) -> np.ndarray | None:
    """Damped Holt trend forecast of the next ``steps`` months (``None`` when it cannot be
    fitted, e.g. fewer than :data:`MIN_PERIODS` months)."""
    if share.size < MIN_PERIODS:
        return None
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            model = ExponentialSmoothing(share, trend="add", damped_trend=True).fit()
            forecast = np.asarray(model.forecast(steps), dtype=float)
        except (ValueError, np.linalg.LinAlgError):
            return None
    return np.clip(forecast, 0.0, 1.0) if np.all(np.isfinite(forecast)) else None


@dataclass(frozen=True)
class AdoptionForecast:
    """The forecast of one team's monthly adoption share."""

    team: str
    first_month: str
    months: tuple[str, ...]
    observed: tuple[float, ...]
    fit: LogisticFit | None
    note: str | None
    target: float
    target_month: str | None
    target_note: str | None
    horizon: tuple[str, ...]
    fitted: tuple[float, ...]
    band_low: tuple[float, ...]
    band_high: tuple[float, ...]
    holt: tuple[float, ...] | None


def _unreliable(fit: LogisticFit, months: np.ndarray) -> str | None:
    """Why a fit is no forecast: the S-curve ends on a bound (a flat, falling or erratic
    series) or its parameters cannot be estimated."""
    if fit.covariance is None:
        return "the S-curve's parameters cannot be estimated from this series"
    if not months.min() - 120 <= fit.midpoint.estimate <= months.max() + 120:
        return "the series does not follow an S-curve (its midpoint runs off the calendar)"
    if fit.growth.estimate <= 2e-4 or fit.growth.estimate >= 49.9:
        return "the series does not follow an S-curve (flat, falling or a single jump)"
    growth, midpoint = fit.growth, fit.midpoint
    span = float(months.max() - months.min())
    if (growth.high - growth.low) > 4 * growth.estimate or (midpoint.high - midpoint.low) > 2 * (
        span + 12
    ):
        return (
            "the series does not follow an S-curve (flat, falling or too short to tell): its"
            " growth or midpoint is barely constrained"
        )
    if fit.ceiling.low is not None and fit.ceiling.high - fit.ceiling.low >= 0.9:
        return "the ceiling is too uncertain to forecast (its interval spans almost 0–100%)"
    return None


def _month_label(first: pd.Timestamp, offset: float) -> str:
    return (first.to_period("M") + math.floor(offset)).strftime("%Y-%m")


def forecast_team(
    team: str,
    months: pd.Series,
    share: pd.Series,
    target: float = 0.8,
    ahead: int = 24,
    cross_check: bool = True,
) -> AdoptionForecast:
    """Fit and forecast one team's monthly share (``months`` are period starts); with
    ``cross_check``, also the damped Holt trend (a statsmodels fit, about 35 ms)."""
    first = pd.Timestamp(months.iloc[0])
    offsets = np.array(
        [(m.year - first.year) * 12 + m.month - first.month for m in months], dtype=float
    )
    labels = tuple(pd.Timestamp(m).strftime("%Y-%m") for m in months)
    values = share.to_numpy(dtype=float)
    keep = np.isfinite(values)
    observed = tuple(float(v) for v in values)
    horizon_offsets = np.arange(0, offsets.max() + ahead + 1, dtype=float)
    horizon = tuple(
        pd.period_range(first, periods=horizon_offsets.size, freq="M").strftime("%Y-%m")
    )
    empty = AdoptionForecast(
        team, labels[0], labels, observed, None, None, target, None, None, horizon, (), (), (), None
    )
    try:
        fit = fit_logistic(offsets[keep], values[keep])
    except ValueError as error:
        return AdoptionForecast(**{**empty.__dict__, "note": f"no forecast: {error}"})
    problem = _unreliable(fit, offsets[keep])
    if problem:
        return AdoptionForecast(**{**empty.__dict__, "note": f"no forecast: {problem}"})
    reach = fit.month_reaching(target)
    if reach is None:
        target_month, target_note = (
            None,
            (f"does not reach {target:.0%} at the fitted ceiling of {fit.ceiling.estimate:.0%}"),
        )
    else:
        # The first whole month whose fitted share is at least the target.
        target_month, target_note = _month_label(first, math.ceil(max(reach, 0.0) - 1e-9)), None
    fitted = fit.share(horizon_offsets)
    low, high = band(fit, horizon_offsets)
    holt = holt_forecast(values[keep], ahead) if cross_check else None
    return AdoptionForecast(
        team=team,
        first_month=labels[0],
        months=labels,
        observed=observed,
        fit=fit,
        note=None,
        target=target,
        target_month=target_month,
        target_note=target_note,
        horizon=horizon,
        fitted=tuple(float(v) for v in fitted),
        band_low=tuple(float(v) for v in low),
        band_high=tuple(float(v) for v in high),
        holt=None if holt is None else tuple(float(v) for v in holt),
    )


def forecast_adoption(
    monthly: pd.DataFrame, target: float = 0.8, ahead: int = 24
) -> list[AdoptionForecast]:
    """One forecast per team of a monthly :func:`roi.adoption.usage.series`, the teams together
    included. The Holt cross-check is made for the overall series (the teams together, or
    the only team); :func:`forecast_team` makes it for any other team on demand."""
    out = []
    teams = monthly["team"].unique()
    overall = OVERALL if OVERALL in teams else teams[0] if len(teams) == 1 else None
    for team, rows in monthly.groupby("team", sort=True):
        rows = rows.sort_values("period")
        share = rows["adoption_rate"]
        out.append(forecast_team(str(team), rows["period"], share, target, ahead, team == overall))
    return out


def measured_adoption(forecast: AdoptionForecast, case_start: str, source: str):
    """A case's ``measured`` adoption curve from a team's forecast: its observed monthly
    shares (months without an observation filled from the fitted curve), then the fitted
    S-curve, on the case's months (month 1 = the case's start month).

    Raises
    ------
    ValueError
        When the forecast has no fit.
    """
    from roi.core.curves import MeasuredAdoption

    fit = forecast.fit
    if fit is None:
        raise ValueError(forecast.note or "the team has no fitted S-curve")
    first = pd.Period(forecast.first_month, freq="M")
    shift = (first - pd.Period(case_start, freq="M")).n
    observed = dict(zip(forecast.months, forecast.observed, strict=True))
    last = pd.Period(forecast.months[-1], freq="M")
    span = (last - first).n + 1
    fitted = fit.share(np.arange(span, dtype=float))
    shares = [
        value if (value := observed.get((first + i).strftime("%Y-%m"))) is not None
        and math.isfinite(value) else float(fitted[i])
        for i in range(span)
    ]  # fmt: skip
    return MeasuredAdoption(
        curve="measured",
        observed=[min(1.0, max(0.0, share)) for share in shares],
        first_observed_month=max(-600, shift + 1),
        ceiling=min(1.0, fit.ceiling.estimate),
        midpoint_month=float(np.clip(fit.midpoint.estimate + shift + 1, -600, 600)),
        steepness=float(min(fit.growth.estimate, 50.0)),
        source=source,
    )


def with_adoption(case, curve, forecast: AdoptionForecast | None = None):
    """``case`` with its adoption curve replaced (validated like any case). With the
    ``forecast`` the curve came from, the fit's parameter uncertainty comes too: normal
    distributions for ceiling, midpoint and steepness with the fit's standard errors, and
    their correlations (as rank correlations) from its covariance."""
    from roi.core.casefile import parse_case
    from roi.core.distributions import rank_from_pearson, replace_uncertainty

    data = case.model_dump()
    data["adoption"] = curve.model_dump()
    fit = None if forecast is None else forecast.fit
    if fit is not None and fit.covariance is not None:
        cov = np.asarray(fit.covariance, dtype=float)
        se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
        names = ("adoption.ceiling", "adoption.midpoint_month", "adoption.steepness")
        means = (curve.ceiling, curve.midpoint_month, curve.steepness)
        entries = [
            {"input": name, "distribution": "normal", "mean": float(mean), "sd": float(sd)}
            for name, mean, sd in zip(names, means, se, strict=True)
            if sd > 0 and np.isfinite(sd)
        ]
        kept = {entry["input"] for entry in entries}
        pairs = []
        for i, j in ((0, 1), (0, 2), (1, 2)):
            if names[i] in kept and names[j] in kept:
                rho = float(np.clip(cov[i, j] / (se[i] * se[j]), -0.95, 0.95))
                if abs(rho) > 1e-3:
                    pairs.append(
                        {
                            "between": [names[i], names[j]],
                            "rank_correlation": rank_from_pearson(rho),
                        }
                    )
        if pairs:
            order = {name: i for i, name in enumerate(names)}
            matrix = np.eye(3)
            for pair in pairs:
                i, j = order[pair["between"][0]], order[pair["between"][1]]
                matrix[i, j] = matrix[j, i] = 2 * math.sin(math.pi * pair["rank_correlation"] / 6)
            if np.linalg.eigvalsh(matrix).min() <= 1e-10:
                pairs = []  # the clipped correlations cannot hold together: draw them apart
        data = replace_uncertainty(data, entries, pairs)
    return parse_case(data, source="measured adoption")
