"""Effect estimates against published results (R's documented examples) and independent
implementations (SciPy's chi-square test)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import chi2_contingency

from roi.evidence.estimates import (
    difference_in_differences,
    log_ratio,
    mann_whitney,
    minimum_detectable_difference,
    sample_size_per_group,
    two_proportions,
    welch,
)

# R's `sleep` data set (Student 1908): extra hours of sleep under two drugs.
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def test_welch_matches_r_t_test_on_sleep():
    # R: t.test(extra ~ group, data = sleep) → t = -1.8608, df = 17.776, p-value = 0.07939,
    # 95 percent CI for mean(1) − mean(2): -3.3654832 0.2054832; means 0.75 and 2.33.
    estimate = welch(baseline=SLEEP_2, pilot=SLEEP_1)
    assert estimate.effect == pytest.approx(0.75 - 2.33)
    assert estimate.ci_low == pytest.approx(-3.3654832, abs=1e-7)
    assert estimate.ci_high == pytest.approx(0.2054832, abs=1e-7)
    assert estimate.p_value == pytest.approx(0.07939, abs=5e-6)
    assert (estimate.n_baseline, estimate.n_pilot) == (10, 10)
    assert estimate.relative_change == pytest.approx(-1.58 / 2.33)
    assert not estimate.significant


def test_mann_whitney_matches_r_wilcox_test_example():
    # R documentation of wilcox.test: x <- c(0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64,
    # 0.73, 1.46); y <- c(1.15, 0.88, 0.90, 0.74, 1.21); wilcox.test(x, y, alternative =
    # "greater") gives W = 35, p-value = 0.1272, so the exact two-sided p-value is 0.2544.
    x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
    y = [1.15, 0.88, 0.90, 0.74, 1.21]
    estimate = mann_whitney(baseline=y, pilot=x)
    assert estimate.p_value == pytest.approx(2 * 0.1272, abs=2e-4)
    assert estimate.effect == pytest.approx(np.median(x) - np.median(y))


def test_two_proportions_against_a_worked_example_and_scipy():
    # 15/50 baseline against 25/50 pilot. Pooled rate 0.4: z = 0.2 / sqrt(0.4·0.6·(2/50)) =
    # 2.0412, z² = 4.1667 = R's prop.test(c(25, 15), c(50, 50), correct = FALSE) X-squared,
    # p = 0.04123. Wald interval: 0.2 ± 1.96·sqrt(0.3·0.7/50 + 0.5·0.5/50).
    baseline = [1] * 15 + [0] * 35
    pilot = [1] * 25 + [0] * 25
    estimate = two_proportions(baseline, pilot)
    assert estimate.effect == pytest.approx(0.2)
    assert estimate.p_value == pytest.approx(0.04123, abs=5e-6)
    statistic, p_value, _, _ = chi2_contingency([[25, 25], [15, 35]], correction=False)
    assert statistic == pytest.approx(4.1667, abs=1e-4)
    assert estimate.p_value == pytest.approx(p_value, rel=1e-9)
    half = 1.959964 * math.sqrt(0.3 * 0.7 / 50 + 0.5 * 0.5 / 50)
    assert (estimate.ci_low, estimate.ci_high) == pytest.approx((0.2 - half, 0.2 + half))
    assert estimate.baseline_mean == 0.3 and estimate.pilot_mean == 0.5


def test_log_ratio_of_geometric_means():
    # Baseline 10, 20, 40 (geometric mean 20); pilot 5, 10, 20 (geometric mean 10): ratio 0.5.
    estimate = log_ratio([10, 20, 40], [5, 10, 20])
    assert estimate.effect == pytest.approx(0.5)
    assert estimate.relative_change == pytest.approx(-0.5)
    assert estimate.ci_low < 0.5 < estimate.ci_high
    assert log_ratio([0, 1], [1, 2]).effect is None


def test_sample_size_matches_r_power_t_test():
    # R: power.t.test(power = .90, delta = 1) → n = 22.02110 per group; rounded up: 23.
    assert sample_size_per_group(1.0, 1.0, power=0.90) == 23
    # R: power.t.test(n = 20, delta = 1) → power = 0.8689528, so 20 per group detects a
    # difference of 1 SD with more than 80 % power: the MDE is below 1 SD.
    assert minimum_detectable_difference(1.0, 1.0, 20, 20) < 1.0
    assert sample_size_per_group(0.0, 1.0) is None


def test_minimum_detectable_difference_gives_80_percent_power():
    from statsmodels.stats.power import TTestIndPower

    mde = minimum_detectable_difference(2.0, 2.0, 30, 30)
    power = TTestIndPower().power(effect_size=mde / 2.0, nobs1=30, alpha=0.05, ratio=1.0)
    assert power == pytest.approx(0.80, abs=1e-5)  # statsmodels solves to ~1e-6


def test_degenerate_inputs_give_reasons_not_nan():
    one = welch([1.0], [2.0, 3.0])
    assert one.p_value is None and "at least 2" in one.note
    flat = welch([5.0, 5.0], [5.0, 5.0])
    assert flat.p_value is None and "no spread" in flat.note
    same = two_proportions([1, 1, 1], [1, 1])
    assert same.p_value is None and "same" in same.note


def test_difference_in_differences_is_the_difference_of_four_means_with_hc1_errors():
    rng = np.random.default_rng(7)
    groups = [rng.normal(mu, sd, n) for mu, sd, n in ((10, 2, 40), (10.5, 2, 45),
                                                      (10.2, 3, 38), (8.0, 3, 42))]  # fmt: skip
    estimate = difference_in_differences(*groups)
    means = [g.mean() for g in groups]
    assert estimate.effect == pytest.approx((means[3] - means[2]) - (means[1] - means[0]))
    # HC1 by hand (MacKinnon & White 1985): (n / (n − k)) (X'X)⁻¹ X' diag(e²) X (X'X)⁻¹.
    y = np.concatenate(groups)
    pilot = np.r_[np.zeros(85), np.ones(80)]
    after = np.r_[np.zeros(40), np.ones(45), np.zeros(38), np.ones(42)]
    x = np.column_stack([np.ones_like(y), pilot, after, pilot * after])
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    e = y - x @ beta
    bread = np.linalg.inv(x.T @ x)
    cov = len(y) / (len(y) - 4) * bread @ (x.T * e**2) @ x @ bread
    se = math.sqrt(cov[3, 3])
    assert (estimate.ci_high - estimate.ci_low) / 2 == pytest.approx(1.959964 * se, rel=1e-6)
    assert estimate.n_baseline == 85 and estimate.n_pilot == 80
    missing = difference_in_differences([1.0, 2.0], [], [1.0, 2.0], [3.0, 4.0])
    assert missing.effect is None and "each period of each group" in missing.note
