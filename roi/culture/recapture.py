"""Measured productivity recapture: the share of saved time that goes into more valuable
work, read from the survey's ``recapture`` item and put into a business case.

Conventions:

- A respondent's recapture is their answer / 10 (0–10 scale); a group's share is the mean
  over those who answered, with its 95 % t-interval clipped to 0–1, in the latest wave where
  the group's recapture figure is shown; ``n`` is the group's head count, as everywhere.
- :func:`use_recapture` puts the conservative end of the interval (or the mean) into a
  time-saved benefit line, marks its evidence ``measured`` and records in its note what was
  measured and what the evidence was before; applied again, it keeps the first history.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

from roi.core.casefile import parse_case
from roi.culture.instrument import RECAPTURE, Instrument
from roi.culture.scores import ALL_TEAMS, GroupScore, answers, person_means


@dataclass(frozen=True)
class Recapture:
    """The share of saved time that goes into more valuable work, from the ``recapture``
    item: respondents' answers / 10 in one wave for one group, their mean and its 95 %
    t-interval over those who answered (clipped to 0–1); ``n`` is the group's head count."""

    wave: str
    team: str
    n: int
    share: float
    ci_low: float
    ci_high: float


def measured_recapture(
    responses: pd.DataFrame,
    instrument: Instrument,
    groups: list[GroupScore] | tuple[GroupScore, ...],
    team: str = ALL_TEAMS,
    long: pd.DataFrame | None = None,
    person: pd.DataFrame | None = None,
) -> Recapture | None:
    """The recapture share of ``team`` (all teams by default) in the latest wave where its
    recapture figure is shown; ``None`` without a recapture item or a shown figure."""
    from scipy import stats

    shown = {
        g.wave: g.n
        for g in groups
        if g.team == team and g.dimension == RECAPTURE and not g.suppressed
    }
    if not shown:
        return None
    wave = max(shown)
    long = answers(responses, instrument) if long is None else long
    person = person_means(long) if person is None else person
    rows = person[(person["dimension"] == RECAPTURE) & (person["wave"].astype(str) == wave)]
    if team != ALL_TEAMS:
        rows = rows[rows["team"].astype(str) == team]
    values = rows["value"].to_numpy(dtype=float) / 10.0
    answered = len(values)
    if answered < 2:
        return None
    mean = float(values.mean())
    half = float(stats.t.ppf(0.975, answered - 1) * values.std(ddof=1) / math.sqrt(answered))
    # n is the group's head count, as everywhere: the number who answered is not shown.
    return Recapture(
        wave, team, int(shown[wave]), mean, max(0.0, mean - half), min(1.0, mean + half)
    )


_RECAPTURE_MARK = "productivity_recapture measured:"
_RECAPTURE_NOTE = (
    re.escape(_RECAPTURE_MARK)
    + r".*?; the other inputs were (?P<evidence>measured|benchmark|assumed)"
    + r"(?:\. Before: (?P<before>.*))?$"
)


def use_recapture(case, line: int, recapture: Recapture, basis: str = "lower_bound"):
    """The case with time-saved benefit line ``line`` taking ``productivity_recapture`` from
    the survey: the conservative end of the interval (``lower_bound``) or the mean
    (``point``); the line's evidence becomes ``measured`` and its note says which input was
    measured, how, and what the line's evidence was before. The risk factor is kept: the
    line's other inputs are as uncertain as before."""
    if not 0 <= line < len(case.benefits):
        raise ValueError(f"the case has benefit lines 0 to {len(case.benefits) - 1}, got {line}")
    item = case.benefits[line]
    if item.type != "time_saved":
        raise ValueError(
            f"benefit line {line} is {item.type!r}; recapture applies to time_saved lines"
        )
    if basis not in ("lower_bound", "point"):
        raise ValueError(f"basis must be 'lower_bound' or 'point', got {basis!r}")
    value = recapture.ci_low if basis == "lower_bound" else recapture.share
    what = "conservative end of the 95% interval" if basis == "lower_bound" else "mean"
    who = "all teams" if recapture.team == ALL_TEAMS else f"team {recapture.team}"
    # Applied again: the history is the one recorded the first time, not this tool's own.
    evidence, earlier = item.evidence, item.note
    previous = re.match(_RECAPTURE_NOTE, item.note or "", flags=re.S)
    if previous:
        evidence, earlier = previous["evidence"], previous["before"]
    note = (
        f"{_RECAPTURE_MARK} {what} of the survey's recapture answers, wave"
        f" {recapture.wave}, {who}, n = {recapture.n} (mean {recapture.share:.2f}, 95% CI"
        f" {recapture.ci_low:.2f} to {recapture.ci_high:.2f}); the other inputs were"
        f" {evidence}" + (f". Before: {earlier}" if earlier else "")
    )
    data = case.model_dump()
    data["benefits"][line] |= {
        "productivity_recapture": round(value, 4),
        "evidence": "measured",
        "note": note,
    }
    return parse_case(data, source="measured")
