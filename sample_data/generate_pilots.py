"""Regenerate ``pilot_observations.csv`` (fixed seed): ``python sample_data/generate_pilots.py``.

Three illustrative pilots, one per design the estimates support:
- UC-01 draft replies: response minutes, pilot agents against baseline agents (skewed times);
- UC-02 lead scoring: conversions, scored leads against unscored ones (a pilot too small to
  detect the lift it hopes for);
- UC-03 document classification: triage minutes before and after, with a control team
  (difference-in-differences).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

OUT = Path(__file__).with_name("pilot_observations.csv")


def main() -> None:
    rng = np.random.default_rng(20261128)
    rows = []
    for group, median in (("baseline", 13.0), ("pilot", 11.2)):
        for i, minutes in enumerate(rng.lognormal(np.log(median), 0.45, 160)):
            rows.append(
                ("UC-01", "response_minutes", group, "", f"T{group[0]}{i:04d}", f"{minutes:.1f}")
            )
    for group, rate in (("baseline", 0.030), ("pilot", 0.036)):
        for i, won in enumerate(rng.random(1200) < rate):
            rows.append(("UC-02", "converted", group, "", f"L{group[0]}{i:05d}", str(int(won))))
    for group, period, mean in (
        ("baseline", "before", 1.52), ("baseline", "after", 1.49),
        ("pilot", "before", 1.55), ("pilot", "after", 0.41),
    ):  # fmt: skip
        for i, minutes in enumerate(np.clip(rng.normal(mean, 0.35, 90), 0.05, None)):
            rows.append(
                (
                    "UC-03",
                    "task_minutes",
                    group,
                    period,
                    f"D{group[0]}{period[0]}{i:03d}",
                    f"{minutes:.2f}",
                )
            )
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["use_case_id", "metric", "group", "period", "unit_id", "value"])
        writer.writerows(rows)


if __name__ == "__main__":
    main()
