"""Regenerate ``adoption.csv`` (fixed seed): ``python sample_data/adoption/generate_adoption.py``.

Illustrative daily adoption of an AI assistant by four teams, in the canonical format
``date,team,eligible_users,active_users,engaged_users,actions,licensed_users,
monthly_active_users``: one row per team per day from 2025-07-01 to 2026-10-31.

- ``eligible_users``: head count that could use the tool (drifts with joiners and leavers);
- ``licensed_users``: licences assigned, rolled out in batches of five ahead of demand;
- ``active_users``: people with any activity that day; its weekday rate follows a logistic
  S-curve in time, with a team-specific ceiling (0.55 to 0.9 of eligible) and midpoint;
  weekends run at a small fraction of the weekday rate;
- ``engaged_users``: active people who did something deliberate (accepted, prompted); the
  share grows as the team matures;
- ``actions``: count of deliberate actions that day (Poisson around a per-team rate);
- ``monthly_active_users``: people active at least once in the 30 days up to the date: the
  weekday S-curve share, a little higher (occasional users), never below that day's active
  users nor above the licences.

Invariants: engaged <= active <= monthly active <= licensed <= eligible, all non-negative
integers.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np

OUT = Path(__file__).with_name("adoption.csv")
START = dt.date(2025, 7, 1)
END = dt.date(2026, 10, 31)

# team, initial eligible head count, ceiling (share of eligible active on a weekday at
# saturation), S-curve midpoint, S-curve scale (days), weekend share of the weekday rate,
# actions per engaged user per day
TEAMS = (
    ("support", 120, 0.90, dt.date(2025, 10, 15), 28.0, 0.22, 24.0),
    ("sales", 80, 0.70, dt.date(2026, 1, 20), 35.0, 0.12, 11.0),
    ("finance", 40, 0.55, dt.date(2026, 4, 1), 30.0, 0.05, 7.0),
    ("engineering", 150, 0.85, dt.date(2025, 9, 1), 22.0, 0.18, 38.0),
)
HEADER = (
    "date",
    "team",
    "eligible_users",
    "active_users",
    "engaged_users",
    "actions",
    "licensed_users",
    "monthly_active_users",
)


def logistic(t: np.ndarray, mid: float, scale: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(t - mid) / scale))


def team_rows(rng: np.random.Generator, days: list[dt.date], spec: tuple) -> list[tuple]:
    name, head, ceiling, midpoint, scale, weekend_share, rate = spec
    t = np.array([(d - START).days for d in days], dtype=float)
    mid = float((midpoint - START).days)
    curve = ceiling * logistic(t, mid, scale)

    # head count: a monthly random walk of joiners and leavers, never below 80 % of the start
    eligible = np.empty(len(days), dtype=int)
    current = head
    for i, d in enumerate(days):
        if d.day == 1 and i > 0:
            current = max(int(0.8 * head), current + int(rng.integers(-2, 4)))
        eligible[i] = current

    # licences lead adoption by about three weeks and are assigned in batches of five
    lead = np.minimum(1.0, 1.15 * ceiling * logistic(t + 21.0, mid, scale) + 0.04)
    licensed = np.minimum(eligible, 5 * np.ceil(eligible * lead / 5.0)).astype(int)
    licensed = np.maximum.accumulate(licensed)  # licences are not taken back mid-rollout
    licensed = np.minimum(licensed, eligible)  # ...unless head count drops below them

    rows = []
    for i, d in enumerate(days):
        weekend = d.weekday() >= 5
        p = curve[i] * (weekend_share if weekend else 1.0)
        p = min(1.0, p * rng.lognormal(0.0, 0.06))  # day-to-day wobble
        active = min(int(rng.binomial(eligible[i], p)), int(licensed[i]))
        maturity = 0.55 + 0.3 * curve[i] / ceiling  # engaged share rises as the team matures
        engaged = int(rng.binomial(active, maturity))
        actions = int(rng.poisson(engaged * rate)) if engaged else 0
        monthly = int(rng.binomial(eligible[i], min(1.0, curve[i] * 1.06)))
        monthly = min(max(monthly, active), int(licensed[i]))
        rows.append(
            (d.isoformat(), name, int(eligible[i]), active, engaged, actions, int(licensed[i]),
             monthly)
        )  # fmt: skip
    return rows


def main() -> None:
    rng = np.random.default_rng(20250701)
    days = [START + dt.timedelta(days=i) for i in range((END - START).days + 1)]
    per_team = [team_rows(rng, days, spec) for spec in TEAMS]
    rows = [row for day_rows in zip(*per_team, strict=True) for row in day_rows]
    for _, _, eligible, active, engaged, actions, licensed, monthly in rows:
        assert 0 <= engaged <= active <= monthly <= licensed <= eligible and actions >= 0
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()
