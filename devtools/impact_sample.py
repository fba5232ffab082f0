"""Writes the bundled measured-impact sample (sample_data/impact/): 400 engineers over the 26
ISO weeks of 2026's first half, an AI coding assistant rolled out in week 7.

How it is made (seed 29, so the files are the same on every run: of the seeds 24 to 30, the
first whose two pre-trend tests both give p above 0.5 — the generator has no pre-trend, and
seed 24's hours to merge falsely alarmed at p = 0.0005, a lesson the sample should not teach):

- Each person has an ability a ~ N(0, 1). Abler people adopt more often (the probability of
  ever adopting is 1 / (1 + e^-(0.9 a + 0.4))), adopt earlier (first use in week 7 to 20,
  earlier for higher a) and use the tool more (each week after first use, active days ~
  Binomial(5, p) with p between 0.1 and 0.85, rising with a). So heavy users were already
  better before the roll-out: the naive heavy − non-user comparison overstates the tool.
- Outcomes per week: merged pull requests ~ 3 + 1.2 a + 0.02 week + effect + N(0, 1.3),
  never below 0, where the effect after first use is 0.5 rising by 0.05 a week to 0.9;
  hours to merge ~ 30 − 3 a − 0.05 week − effect + N(0, 4), at least 1, with an effect
  of 2.0 rising by 0.2 a week to 3.5 (lower is better).

    python devtools/impact_sample.py   # rewrites sample_data/impact/*.csv
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
PEOPLE, WEEKS, ROLLOUT, SEED = 400, 26, 7, 29
TEAMS = ("payments", "platform", "mobile", "data", "web", "infra")


def sample(people: int = PEOPLE, weeks: int = WEEKS, seed: int = SEED):
    """The usage and outcomes tables (and the metrics' declarations) of the module."""
    rng = np.random.default_rng(seed)
    ability = rng.normal(0, 1, people)
    adopts = rng.random(people) < 1 / (1 + np.exp(-(0.9 * ability + 0.4)))
    delay = np.clip(np.round(7 - 3 * ability + rng.normal(0, 3, people)), 0, 13)
    first = np.where(adopts, ROLLOUT + delay, 0).astype(int)
    intensity = np.clip(0.45 + 0.2 * ability + rng.normal(0, 0.12, people), 0.1, 0.85)
    ids = [f"dev{k:04d}@example.com" for k in range(people)]
    team = rng.choice(TEAMS, people)
    usage, outcomes = [], []
    for week in range(1, weeks + 1):
        label = f"2026-W{week:02d}"
        on = (first > 0) & (week >= first)
        active = np.where(on, rng.binomial(5, intensity), 0)
        since = np.where(on, week - first, -1)
        prs_effect = np.where(on, np.minimum(0.5 + 0.05 * since, 0.9), 0.0)
        hours_effect = np.where(on, np.minimum(2.0 + 0.2 * since, 3.5), 0.0)
        prs = np.maximum(
            np.round(3 + 1.2 * ability + 0.02 * week + prs_effect + rng.normal(0, 1.3, people)), 0
        )
        hours = np.maximum(
            30 - 3 * ability - 0.05 * week - hours_effect + rng.normal(0, 4, people), 1
        )
        for k in range(people):
            usage.append(
                (ids[k], label, int(active[k]), int(active[k] * rng.integers(3, 12)), team[k])
            )
            outcomes.append((ids[k], label, "prs_merged", int(prs[k]), team[k]))
            outcomes.append((ids[k], label, "hours_to_merge", round(float(hours[k]), 1), team[k]))
    usage = pd.DataFrame(usage, columns=["person_id", "period", "active_days", "actions", "team"])
    outcomes = pd.DataFrame(outcomes, columns=["person_id", "period", "metric", "value", "team"])
    metrics = pd.DataFrame(
        [("prs_merged", "pull requests", "higher"), ("hours_to_merge", "hours", "lower")],
        columns=["metric", "unit", "better"],
    )
    return usage, outcomes, metrics


def main() -> None:
    folder = ROOT / "sample_data" / "impact"
    folder.mkdir(parents=True, exist_ok=True)
    usage, outcomes, metrics = sample()
    usage.to_csv(folder / "usage.csv", index=False)
    outcomes.to_csv(folder / "outcomes.csv", index=False)
    metrics.to_csv(folder / "metrics.csv", index=False)
    print(f"wrote {len(usage):,} usage and {len(outcomes):,} outcome rows to {folder}")


if __name__ == "__main__":
    main()
