"""Issue 24: the edges a review found. The pooled before/after effect never rests on a few
early adopters while reporting everybody; a per-period comparison is not shown beside a
hidden tier; an outcome without spread gives no interval rather than NaN in the JSON; an
event-study point counts the adopters it rests on; a week missing from both files keeps
its place; the adjustment's figures go with its estimate; nobody using the tool is said."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from roi.impact.estimates import balanced, panel_estimate
from roi.impact.files import read_outcomes, read_usage
from roi.impact.panel import join
from roi.impact.report import impact_report, report_dict


def files(rows: pd.DataFrame) -> tuple[bytes, bytes]:
    """usage.csv and outcomes.csv of rows with person, week (1-based, 2026), active_days,
    value."""
    label = [f"2026-W{w:02d}" for w in rows["week"]]
    usage = "person_id,period,active_days\n" + "".join(
        f"{p},{w},{a}\n" for p, w, a in zip(rows["person"], label, rows["active_days"], strict=True)
    )
    outcomes = "person_id,period,metric,value\n" + "".join(
        f"{p},{w},y,{v!r}\n" for p, w, v in zip(rows["person"], label, rows["value"], strict=True)
    )
    return usage.encode(), outcomes.encode()  # fmt: skip


def report_of(rows: pd.DataFrame, **options):
    usage, outcomes = files(rows)
    return impact_report(join(read_usage(usage, "u"), read_outcomes(outcomes, "o")), {},
                         **options)  # fmt: skip


def cohorts(first_use: dict[int, int], never: int, weeks: int, effect, seed=0) -> pd.DataFrame:
    """``first_use``: week → people adopting then (3 active days a week from then on)."""
    rng = np.random.default_rng(seed)
    starts = [w for w, n in first_use.items() for _ in range(n)] + [0] * never
    rows = []
    for k, g in enumerate(starts):
        for week in range(1, weeks + 1):
            on = g and week >= g
            value = 10 + rng.normal(0, 1) + (effect(week - g) if on else 0.0)
            rows.append((f"p{k}", week, 3 if on else 0, round(value, 3)))
    return pd.DataFrame(rows, columns=["person", "week", "active_days", "value"])


def test_the_pooled_effect_rests_on_at_least_half_the_adopters():
    """2 people adopt in week 3 with a huge effect, 20 in week 5 with a small one, over 8
    weeks: a window of 5 weeks would hold the 2 alone. The window is shortened until half
    the adopters are in it, and the effect says how many it rests on."""
    rows = cohorts({3: 2, 5: 20}, never=30, weeks=8,
                   effect=lambda h: 1.0)  # fmt: skip
    rows.loc[rows["person"].isin(["p0", "p1"]) & (rows["week"] >= 3), "value"] += 100
    estimate = panel_estimate(rows.assign(t=rows["week"], g=0, tier="x").pipe(_g))
    assert estimate.effect.n_first >= 11
    assert estimate.post_window <= 3
    assert estimate.effect.effect < 20  # not the two early adopters' +101


def _g(rows: pd.DataFrame) -> pd.DataFrame:
    first = rows[rows["active_days"] > 0].groupby("person")["week"].min()
    return rows.assign(g=rows["person"].map(first).fillna(0).astype(int))


def test_an_event_study_point_counts_the_adopters_it_rests_on():
    rows = cohorts({3: 6, 6: 20}, never=30, weeks=10, effect=lambda h: 1.0)
    estimate = panel_estimate(rows.assign(t=rows["week"], tier="x").pipe(_g), pre_window=4)
    points = {p.relative_period: p for p in estimate.event_study}
    assert points[-4].adopters == 20  # only week 6's adopters have a week 4 weeks before
    assert points[-2].adopters == 26


def test_a_period_comparison_is_not_shown_beside_a_hidden_tier():
    """Week 6: 6 non-users, 2 light, 40 heavy: light is hidden and, as its complement,
    non-user; the heavy − non-user difference of that week would give the hidden mean."""
    rows = cohorts({2: 40, 3: 2}, never=6, weeks=6, effect=lambda h: 1.0)
    rows.loc[rows["person"].isin(["p40", "p41"]), "active_days"] = np.where(
        rows.loc[rows["person"].isin(["p40", "p41"]), "week"] >= 3, 1, 0)  # fmt: skip
    metric = report_of(rows).metrics[0]
    week6 = next(b for b in metric.by_period if b["period"] == "2026-W06")
    assert week6["suppressed"] and week6["interval"] is None and week6["non_user"] is None
    hidden = {c.tier for c in metric.cohorts if c.period == "2026-W06" and c.suppressed}
    assert hidden == {"light", "non-user"}


def test_an_outcome_without_spread_gives_no_interval_and_valid_json():
    rows = cohorts({3: 10}, never=10, weeks=6, effect=lambda h: 0.0).assign(value=5.0)
    report = report_of(rows)
    text = json.dumps(report_dict(report), allow_nan=False)  # raises on NaN
    metric = json.loads(text)["metrics"][0]
    assert metric["comparison"]["effect"] is None and metric["did"]["effect"] is None
    assert "overstates" not in metric["verdict"]


def test_a_week_missing_from_both_files_keeps_its_place():
    rows = cohorts({4: 10}, never=10, weeks=8, effect=lambda h: 1.0)
    report = report_of(rows[rows["week"] != 3])
    assert report.periods == tuple(f"2026-W{w:02d}" for w in range(1, 9))
    assert report.rollout == "2026-W04"


def test_nobody_using_the_tool_is_said_and_nothing_is_estimated():
    rows = cohorts({}, never=12, weeks=4, effect=lambda h: 0.0)
    metric = report_of(rows).metrics[0]
    assert metric.panel is None and metric.comparison.plain is None
    assert any("Nobody used the tool" in note for note in metric.notes)
    assert not any("in use from the first period" in note for note in metric.notes)


def test_the_adjustment_figures_go_with_the_adjusted_estimate():
    """3 heavy users with a level before the roll-out: the adjusted estimate is withheld,
    and so are the variance it removed and the people it used."""
    rows = cohorts({3: 3}, never=20, weeks=6, effect=lambda h: 1.0)
    metric = report_of(rows).metrics[0]
    assert metric.comparison.adjusted is None
    assert metric.comparison.variance_removed is None
    assert not any("removed" in note for note in metric.notes)


def test_balanced_keeps_no_person_id():
    rows = cohorts({3: 5}, never=5, weeks=4, effect=lambda h: 0.0)
    assert "person" not in balanced(rows.assign(t=rows["week"]).pipe(_g)).columns


@pytest.mark.parametrize("seed", range(24))
def test_small_random_panels_never_break_the_report(seed):
    """Small panels of every shape (a few people, few periods, gaps, everybody or nobody
    adopting, constant outcomes): the report is made, its JSON is valid, and no count in
    it is below the minimum group. pyfixest aborts
    the process on a regression it cannot run, so this would stop the test run, not fail."""
    rng = np.random.default_rng(seed)
    people, weeks = int(rng.integers(3, 16)), int(rng.integers(2, 7))
    rows = []
    for k in range(people):
        start = int(rng.integers(0, weeks + 2))  # 0: from week 1; beyond weeks: never
        for week in range(1, weeks + 1):
            if rng.random() < 0.15:
                continue  # a gap
            on = start <= week and start <= weeks
            value = float(rng.integers(0, 3)) if seed % 5 else 1.0
            rows.append((f"p{k}", week, int(rng.integers(1, 5)) if on else 0, value))
    frame = pd.DataFrame(rows, columns=["person", "week", "active_days", "value"])
    if frame.empty:
        return
    report = report_of(frame, min_group=3)
    data = json.loads(json.dumps(report_dict(report), allow_nan=False))
    # No figure of fewer people than the minimum group, in any table of the JSON.
    cells = [*data["tier_mix"], *(c for m in data["metrics"] for c in m["cohorts"])]
    assert all(c["n"] is None or c["n"] >= 3 for c in cells)
    for m in data["metrics"]:
        assert all(p["adopters"] >= 3 for p in m["event_study"])
        for side in ("heavy", "non_users"):
            assert m["comparison"][side] is None or m["comparison"][side] >= 3
