"""Regenerate ``survey_responses.csv``, ``survey_invitations.csv`` and ``team_adoption.csv``
(fixed seed): ``python sample_data/survey/generate_responses.py``.

Illustrative answers to the default AI-readiness instrument (``survey_items.csv``) from
thirteen teams in three waves. Each respondent has a latent readiness per dimension (team
level + wave improvement + person noise); a 1–5 answer is that readiness rounded and
clipped, reversed for reverse-scored items. Advocacy (0–10) and recapture (0–10) rise with
readiness. About 4 % of answers are left blank (non-response).

Anonymity on show: legal (3) and hr (4) are below the default minimum group of five in
every wave, so neither is ever named; procurement answers the last wave with four people,
so it is hidden there only. Invitations are the team's head count, a little more than the
answers. ``team_adoption.csv`` is each team's monthly adoption (an ``adoption_csv`` export:
active of eligible users), higher in teams that are readier overall, so the Culture page's
team-adoption drivers have something to find (every dimension moves with a team's
readiness here, so all of them go with adoption: an association, as in real data).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
ITEMS = HERE / "survey_items.csv"
OUT = HERE / "survey_responses.csv"
INVITATIONS = HERE / "survey_invitations.csv"
ADOPTION = HERE / "team_adoption.csv"
WAVES = ("2026-03", "2026-06", "2026-09")
MONTHS = ("2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10")
# team, respondents in each wave, readiness offset, improvement per wave
TEAMS = (
    ("support", (40, 40, 40), 0.4, 0.25),
    ("sales", (25, 25, 25), 0.0, 0.15),
    ("finance", (12, 12, 12), -0.4, 0.1),
    ("engineering", (30, 30, 30), 0.6, 0.2),
    ("legal", (3, 3, 3), -0.2, 0.0),
    ("hr", (4, 4, 4), -0.1, 0.1),
    ("marketing", (15, 16, 15), 0.2, 0.15),
    ("operations", (18, 17, 18), -0.3, 0.1),
    ("procurement", (8, 7, 4), -0.5, 0.05),
    ("it", (22, 22, 21), 0.8, 0.2),
    ("customer-success", (14, 14, 15), 0.1, 0.2),
    ("product", (16, 15, 16), 0.5, 0.15),
    ("data", (9, 10, 9), 0.7, 0.2),
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
    rows, invited, adoption = [], [], []
    for team, sizes, offset, gain in TEAMS:
        headcount = max(sizes) + 4
        people = [f"{team[:4]}-{i:03d}" for i in range(headcount)]
        for w, wave in enumerate(WAVES):
            # most people answer every wave; a few drop in or out
            answering = rng.choice(people, size=sizes[w], replace=False)
            invited.append({"wave": wave, "team": team, "invited": headcount})
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
        # Adoption climbs to a ceiling set by the team's readiness (offset) over six months.
        ceiling = float(np.clip(0.45 + 0.3 * offset + rng.normal(0, 0.05), 0.05, 0.95))
        eligible = headcount
        for m, month in enumerate(MONTHS):
            share = ceiling * (m + 1) / len(MONTHS)
            active = int(np.clip(round(share * eligible), 0, eligible))
            adoption.append(
                {"date": f"{month}-01", "team": team, "eligible_users": eligible,
                 "active_users": active}
            )  # fmt: skip
    with INVITATIONS.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["wave", "team", "invited"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(invited)
    with ADOPTION.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle, ["date", "team", "eligible_users", "active_users"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(adoption)
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
