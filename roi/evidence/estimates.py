"""Effect estimates from pilot observations: pilot against baseline, with 95 % intervals,
p-values and the smallest effect the pilot could have detected.

Conventions (see the methodology, docs/methodology.md):

* The effect is always pilot − baseline, in the metric's unit (minutes, a rate, money); a
  time saving therefore shows as a negative effect on ``task_minutes``.
* Continuous metrics: Welch's t-test (unequal variances) is the headline; Mann–Whitney
  (two-sided) and a ratio of geometric means (Welch on logarithms) sit beside it for skewed
  data such as response times.
* Conversions: the two-proportion z-test with the pooled variance and no continuity
  correction; the interval for the difference in rates is Wald's (unpooled).
* Before/after with a control group: difference-in-differences by OLS of
  value ~ pilot + after + pilot·after, with heteroskedasticity-robust (HC1) standard errors;
  the effect is the pilot·after coefficient.
* Minimum detectable effect: at 80 % power and α = 0.05 (two-sided) for the pilot's group
  sizes and spread, from the t distribution (two-sample t power, as R's ``power.t.test``).

statsmodels and SciPy are imported inside the functions: they dominate start-up time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

Test = Literal["welch_t", "mann_whitney", "log_ratio", "two_proportion_z", "did_ols"]
ALPHA = 0.05
POWER = 0.80


@dataclass(frozen=True)
class Estimate:
    """One comparison of pilot against baseline.

    ``effect`` is pilot − baseline, except for ``log_ratio`` where it is the ratio of the
    geometric means (pilot / baseline) and the interval is for that ratio. Values that
    cannot be computed are ``None`` and ``note`` says why.
    """

    test: Test
    n_baseline: int
    n_pilot: int
    baseline_mean: float | None
    pilot_mean: float | None
    effect: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    relative_change: float | None
    mde: float | None
    note: str | None = None

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < ALPHA


def _values(data: Sequence[float]) -> np.ndarray:
    return np.asarray(data, dtype=float)


def _relative(effect: float | None, baseline_mean: float | None) -> float | None:
    if effect is None or not baseline_mean:
        return None
    return effect / baseline_mean


def _mean(values: np.ndarray) -> float | None:
    return float(values.mean()) if values.size else None


def _estimate(test: Test, b: np.ndarray, p: np.ndarray, **figures) -> Estimate:
    """An estimate of two groups: sizes and means from the data unless given, every other
    figure as given (``None`` when not)."""
    fields = {
        "n_baseline": b.size,
        "n_pilot": p.size,
        "baseline_mean": _mean(b),
        "pilot_mean": _mean(p),
        **dict.fromkeys(FIGURES),
        "note": None,
    }
    merged = {**fields, **figures}
    numbers = ("baseline_mean", "pilot_mean", *FIGURES)
    if any(merged[k] is not None and not math.isfinite(merged[k]) for k in numbers):
        # Values so extreme that a figure overflowed: no figure is shown rather than nan.
        merged |= dict.fromkeys(numbers) | {"note": OVERFLOW_NOTE}
    return Estimate(test=test, **merged)


FIGURES = ("effect", "ci_low", "ci_high", "p_value", "relative_change", "mde")
OVERFLOW_NOTE = "the values are too extreme to compute with (a figure overflowed)"


def _empty(test: Test, b: np.ndarray, p: np.ndarray) -> Estimate | None:
    """An estimate with the reason when a group has no observation, else None."""
    if b.size and p.size:
        return None
    return _estimate(test, b, p, note="needs observations in both groups")


def minimum_detectable_difference(
    sd_baseline: float, sd_pilot: float, n_baseline: int, n_pilot: int
) -> float | None:
    """Smallest difference in means detectable at 80 % power, α = 0.05 two-sided.

    Uses the two-sample t-test power (statsmodels ``TTestIndPower``) with the pooled
    standard deviation of the two groups; ``None`` with fewer than 2 in a group or no spread.
    """
    if n_baseline < 2 or n_pilot < 2:
        return None
    pooled = math.sqrt(
        ((n_baseline - 1) * sd_baseline**2 + (n_pilot - 1) * sd_pilot**2)
        / (n_baseline + n_pilot - 2)
    )
    if pooled == 0:
        return None
    from statsmodels.stats.power import TTestIndPower

    effect_size = TTestIndPower().solve_power(
        effect_size=None, nobs1=n_baseline, alpha=ALPHA, power=POWER, ratio=n_pilot / n_baseline
    )
    return float(effect_size) * pooled


def sample_size_per_group(difference: float, sd: float, power: float = POWER) -> int | None:
    """Observations needed in each group to detect ``difference`` (same unit as ``sd``) with
    the given power at α = 0.05 two-sided, rounded up; ``None`` for a zero difference.

    Examples
    --------
    R's ``power.t.test(power = .90, delta = 1)`` gives n = 22.02110 per group:

    >>> sample_size_per_group(1.0, 1.0, power=0.90)
    23
    """
    if difference == 0 or not (sd > 0 and math.isfinite(sd) and math.isfinite(difference)):
        return None
    from statsmodels.stats.power import TTestIndPower

    n = TTestIndPower().solve_power(
        effect_size=abs(difference) / sd, nobs1=None, alpha=ALPHA, power=power, ratio=1.0
    )
    n = float(n)
    return math.ceil(n) if math.isfinite(n) else None


def welch(baseline: Sequence[float], pilot: Sequence[float]) -> Estimate:
    """Welch's two-sample t-test of pilot against baseline (unequal variances)."""
    b, p = _values(baseline), _values(pilot)
    if (empty := _empty("welch_t", b, p)) is not None:
        return empty
    effect = float(p.mean() - b.mean())
    relative = _relative(effect, float(b.mean()))
    if b.size < 2 or p.size < 2:
        note = "needs at least 2 observations in each group"
        return _estimate("welch_t", b, p, effect=effect, relative_change=relative, note=note)
    mde = minimum_detectable_difference(float(b.std(ddof=1)), float(p.std(ddof=1)), b.size, p.size)
    if b.var(ddof=1) == 0 and p.var(ddof=1) == 0:
        note = "no spread in either group: no test is possible"
        return _estimate("welch_t", b, p, effect=effect, relative_change=relative, note=note)
    from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

    compare = CompareMeans(DescrStatsW(p), DescrStatsW(b))
    _, p_value, _ = compare.ttest_ind(usevar="unequal")
    ci_low, ci_high = compare.tconfint_diff(alpha=ALPHA, usevar="unequal")
    return _estimate(
        "welch_t",
        b,
        p,
        effect=effect,
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        p_value=float(p_value),
        relative_change=relative,
        mde=mde,
    )


def mann_whitney(baseline: Sequence[float], pilot: Sequence[float]) -> Estimate:
    """Mann–Whitney U test (two-sided; exact for small samples without ties, as SciPy
    chooses). The effect shown is the difference in medians; no interval is given."""
    b, p = _values(baseline), _values(pilot)
    if (empty := _empty("mann_whitney", b, p)) is not None:
        return empty
    from scipy.stats import mannwhitneyu

    effect = float(np.median(p) - np.median(b))
    p_value = float(mannwhitneyu(p, b, alternative="two-sided").pvalue)
    return _estimate(
        "mann_whitney",
        b,
        p,
        effect=effect,
        p_value=p_value,
        relative_change=_relative(effect, float(np.median(b))),
    )


def log_ratio(baseline: Sequence[float], pilot: Sequence[float]) -> Estimate:
    """Ratio of geometric means (pilot / baseline) with a 95 % interval: Welch's test on the
    logarithms. Needs every value > 0."""
    b, p = _values(baseline), _values(pilot)
    if (empty := _empty("log_ratio", b, p)) is not None:
        return empty
    if (b <= 0).any() or (p <= 0).any():
        return _estimate("log_ratio", b, p, note="needs every value above 0")
    on_logs = welch(np.log(b), np.log(p))

    def exp(value: float | None) -> float | None:
        return None if value is None else math.exp(value)

    ratio = exp(on_logs.effect)
    return _estimate(
        "log_ratio",
        b,
        p,
        effect=ratio,
        ci_low=exp(on_logs.ci_low),
        ci_high=exp(on_logs.ci_high),
        p_value=on_logs.p_value,
        relative_change=None if ratio is None else ratio - 1.0,
        note=on_logs.note,
    )


def two_proportions(baseline: Sequence[float], pilot: Sequence[float]) -> Estimate:
    """Two-proportion z-test of conversion (0/1 outcomes): pooled variance, no continuity
    correction; Wald interval for the difference in rates; MDE by the normal approximation
    at the baseline rate."""
    b, p = _values(baseline), _values(pilot)
    if (empty := _empty("two_proportion_z", b, p)) is not None:
        return empty
    from scipy.stats import norm

    rate_b, rate_p = float(b.mean()), float(p.mean())
    effect = rate_p - rate_b
    z_alpha, z_power = norm.ppf(1 - ALPHA / 2), norm.ppf(POWER)
    spread = math.sqrt(rate_b * (1 - rate_b) / b.size + rate_p * (1 - rate_p) / p.size)
    mde = (z_alpha + z_power) * math.sqrt(rate_b * (1 - rate_b) * (1 / b.size + 1 / p.size))
    figures = {
        "effect": effect,
        "ci_low": effect - z_alpha * spread,
        "ci_high": effect + z_alpha * spread,
        "relative_change": _relative(effect, rate_b),
        "mde": mde or None,
    }
    pooled = (b.sum() + p.sum()) / (b.size + p.size)
    if pooled in (0.0, 1.0):
        note = "every outcome is the same: no test is possible"
        return _estimate("two_proportion_z", b, p, **figures, note=note)
    from statsmodels.stats.proportion import proportions_ztest

    _, p_value = proportions_ztest(
        [p.sum(), b.sum()], [p.size, b.size], value=0, alternative="two-sided", prop_var=False
    )
    return _estimate("two_proportion_z", b, p, **figures, p_value=float(p_value))


def difference_in_differences(
    baseline_before: Sequence[float],
    baseline_after: Sequence[float],
    pilot_before: Sequence[float],
    pilot_after: Sequence[float],
) -> Estimate:
    """Difference-in-differences: (pilot after − pilot before) − (baseline after − baseline
    before), estimated by OLS with HC1 robust standard errors. The means shown are the
    *after* means; n counts every observation of each group."""
    groups = [_values(v) for v in (baseline_before, baseline_after, pilot_before, pilot_after)]
    mean_b, mean_p = _mean(groups[1]), _mean(groups[3])
    baseline, pilot_all = np.concatenate(groups[:2]), np.concatenate(groups[2:])

    def did(**figures) -> Estimate:  # the means shown are those of the after period
        return _estimate(
            "did_ols", baseline, pilot_all, baseline_mean=mean_b, pilot_mean=mean_p, **figures
        )

    if any(g.size < 2 for g in groups):
        return did(note="needs at least 2 observations in each period of each group")
    import statsmodels.api as sm

    y = np.concatenate(groups)
    pilot = np.concatenate([np.zeros(baseline.size), np.ones(pilot_all.size)])
    after = np.concatenate(
        [np.zeros(g.size) if i % 2 == 0 else np.ones(g.size) for i, g in enumerate(groups)]
    )
    design = np.column_stack([np.ones_like(y), pilot, after, pilot * after])
    fit = sm.OLS(y, design).fit(cov_type="HC1")
    if fit.ssr <= 1e-20 * max(1.0, float(np.square(y).sum())):
        note = "no spread within the groups: no test is possible"
        return did(effect=float(fit.params[3]), note=note)
    effect = float(fit.params[3])
    low, high = (float(v) for v in fit.conf_int(alpha=ALPHA)[3])
    mde = (1.959963984540054 + 0.8416212335729143) * float(fit.bse[3])
    return did(
        effect=effect,
        ci_low=low,
        ci_high=high,
        p_value=float(fit.pvalues[3]),
        relative_change=_relative(effect, mean_b),
        mde=mde,
    )
