"""Regenerate ``survey_responses.csv`` (fixed seed):
``python sample_data/survey/generate_responses.py``.

Illustrative answers to the default AI-readiness instrument (``survey_items.csv``) from five
teams in three waves. Each respondent has a latent readiness per dimension (team level +
wave improvement + person noise); a 1–5 answer is that readiness rounded and clipped,
reversed for reverse-scored items. Advocacy (0–10) and recapture (0–10) rise with
readiness. About 4 % of answers are left blank (non-response). The legal team has three
respondents, below the default anonymity threshold of five, so its figures are suppressed.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
ITEMS = HERE / "survey_items.csv"
OUT = HERE / "survey_responses.csv"
WAVES = ("2026-03", "2026-06", "2026-09")
# team, respondents per wave, readiness offset, improvement per wave
TEAMS = (
    ("support", 40, 0.4, 0.25),
    ("sales", 25, 0.0, 0.15),
    ("finance", 12, -0.4, 0.1),
    ("engineering", 30, 0.6, 0.2),
    ("legal", 3, -0.2, 0.0),
)
# dimension → base level on the 1–5 scale
BASE = {
    "awareness": 3.6, "desire": 3.4, "knowledge": 2.9, "ability": 3.0, "trust": 3.1,
    "safety": 3.5, "reinforcement": 2.8,
}  # fmt: skip


def main() -> None:
    rng = np.random.default_rng(20260301)
    with ITEMS.open(encoding="utf-8") as handle:
        items = list(csv.DictReader(handle))
    rows = []
    for team, size, offset, gain in TEAMS:
        people = [f"{team[:3]}-{i:03d}" for i in range(size + 4)]
        for w, wave in enumerate(WAVES):
            # most people answer every wave; a few drop in or out
            answering = rng.choice(people, size=size, replace=False)
            for person in sorted(answering):
                readiness = {
                    dim: base + offset + gain * w + rng.normal(0, 0.7) for dim, base in BASE.items()
                }
                row = {"respondent_id": person, "wave": wave, "team": team}
                for item in items:
                    dimension = item["dimension"]
                    if dimension == "advocacy":
                        mean = np.mean(list(readiness.values()))
                        value = int(np.clip(round(2.4 * mean - 1.5 + rng.normal(0, 1.3)), 0, 10))
                    elif dimension == "recapture":
                        value = int(np.clip(round(4 + 1.2 * (readiness["ability"] - 3)
                                                  + rng.normal(0, 1.5)), 0, 10))  # fmt: skip
                    else:
                        level = readiness[dimension] + rng.normal(0, 0.5)
                        value = int(np.clip(round(level), 1, 5))
                        if item["reverse"].strip().lower() in ("yes", "y", "true", "1"):
                            value = 6 - value
                    row[item["item"]] = "" if rng.random() < 0.04 else str(value)
                rows.append(row)
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle, ["respondent_id", "wave", "team", *(i["item"] for i in items)],
            lineterminator="\n",
        )  # fmt: skip
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} responses to {OUT}")


if __name__ == "__main__":
    main()
