"""Participation: how many of those invited to each wave answered it, team by team and for
all teams.

Conventions:

- A rate is shown only where the group's figures are (a team is shown in a wave when any
  of its figures is); for all teams, only when every team that answered the wave has an
  invitation count.
- Invitation counts are checked against the answers only for shown groups: the check
  itself would tell a hidden group's size.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from roi.culture.instrument import SurveyError
from roi.culture.scores import ALL_TEAMS, GroupScore
from roi.io.problems import Problem


@dataclass(frozen=True)
class Participation:
    """How many of a team (or of all teams) invited in a wave answered; ``respondents``
    and ``rate`` are ``None`` where the group is hidden or (for all teams) where some
    team of the wave has no invitation count."""

    wave: str
    team: str
    invited: int | None
    respondents: int | None
    rate: float | None
    suppressed: bool


def participation(
    responses: pd.DataFrame, invitations: pd.DataFrame, groups: list[GroupScore]
) -> list[Participation]:
    """Participation per wave and team with an invitation count, and per wave for all teams
    when every team that answered that wave has one. A rate is shown only where the group's
    figures are (a team is shown in a wave when any of its figures is).

    Raises
    ------
    SurveyError
        Where a shown group has fewer invited than answered (only shown groups are checked:
        the check itself would tell a hidden group's size).
    """
    shown = {(g.wave, g.team) for g in groups if not g.suppressed}
    answered = responses.groupby(["wave", "team"])["respondent_id"].nunique()
    rows = invitations.to_dict("records")
    invited = {(str(r["wave"]), str(r["team"])): int(r["invited"]) for r in rows}
    lines = {(str(r["wave"]), str(r["team"])): r.get("line") for r in rows}
    problems = []
    out = []
    for wave in sorted({w for w, _ in invited} | {str(w) for w, _ in answered.index}):
        teams = sorted({t for w, t in invited if w == wave})
        for team in teams:
            count = int(answered.get((wave, team), 0))
            visible = (wave, team) in shown
            if visible and invited[(wave, team)] < count:
                problems.append(
                    Problem(
                        f"line {lines[(wave, team)]}, column invited",
                        f"{invited[(wave, team)]} invited is fewer than the {count} who"
                        f" answered in wave {wave!r}, team {team!r}",
                    )
                )
            out.append(
                Participation(
                    wave, team, invited[(wave, team)],
                    count if visible else None,
                    count / invited[(wave, team)] if visible else None,
                    not visible,
                )
            )  # fmt: skip
        if not teams:
            continue
        answering = {str(t) for w, t in answered.index if str(w) == wave}
        complete = answering <= set(teams)
        total_invited = sum(invited[(wave, t)] for t in teams) if complete else None
        total = int(responses.loc[responses["wave"].astype(str) == wave, "respondent_id"].nunique())
        visible = (wave, ALL_TEAMS) in shown
        if visible and total_invited is not None and total_invited < total and not problems:
            problems.append(
                Problem(
                    "",
                    f"the invitations of wave {wave!r} add up to {total_invited}, fewer than"
                    f" the {total} who answered it",
                )
            )
        out.append(
            Participation(
                wave, ALL_TEAMS, total_invited,
                total if visible else None,
                total / total_invited if visible and total_invited else None,
                not visible,
            )
        )  # fmt: skip
    if problems:
        raise SurveyError(invitations.attrs.get("source", "invitations"), problems)
    return out
