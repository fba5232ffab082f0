"""The survey report: everything a survey shows, built in one pass (:func:`survey_report`),
as the JSON of ``python -m roi survey --json`` (:func:`report_to_dict`), and kept and read
back by the store (:func:`report_record`, :func:`report_from_record`); and each team's
change readiness for the quick-wins ranking (:func:`team_change_readiness`).

A report holds aggregates only, with anonymity applied: no individual answer is in it, and
a team hidden in every wave is not named, only counted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from roi.culture.anonymity import MIN_GROUP_DEFAULT
from roi.culture.drivers import (
    Driver,
    Drivers,
    adoption_drivers,
    advocacy_drivers,
    barrier_dimensions,
)
from roi.culture.instrument import ADVOCACY, RECAPTURE, Instrument
from roi.culture.participation import Participation, participation
from roi.culture.recapture import Recapture, measured_recapture
from roi.culture.reliability import DimensionSummary, dimension_summaries
from roi.culture.scores import (
    ALL_TEAMS,
    GroupScore,
    ItemScore,
    answers,
    group_scores,
    item_scores,
    latest_shown,
    person_means,
)
from roi.culture.waves import WaveChange, wave_changes


@dataclass(frozen=True)
class SurveyReport:
    """Everything the report shows; no individual answer is in it. A team hidden in every
    wave is not named: its records are left out and only counted in ``hidden_teams``."""

    respondents: int
    waves: tuple[str, ...]
    teams: tuple[str, ...]
    min_group: int
    dimensions: tuple[DimensionSummary, ...]
    groups: tuple[GroupScore, ...]
    changes: tuple[WaveChange, ...]
    barriers: dict[str, str | None]
    drivers: Drivers | None = None
    drivers_note: str | None = None
    hidden_teams: int = 0
    participation: tuple[Participation, ...] = ()
    adoption_drivers: Drivers | None = None
    adoption_drivers_note: str | None = None
    recapture: Recapture | None = None
    items: tuple[ItemScore, ...] = ()
    item_texts: dict[str, str] | None = None

    @property
    def hidden_groups(self) -> int:
        """How many group figures anonymity hides."""
        return sum(1 for g in self.groups if g.suppressed)

    @property
    def clear_changes(self) -> tuple[WaveChange, ...]:
        """Changes whose Holm-adjusted p-value is below 0.05."""
        return tuple(c for c in self.changes if c.p_adjusted is not None and c.p_adjusted < 0.05)


def survey_report(
    responses: pd.DataFrame,
    instrument: Instrument,
    min_group: int = MIN_GROUP_DEFAULT,
    invitations: pd.DataFrame | None = None,
    adoption: dict[str, float] | None = None,
) -> SurveyReport:
    """Scores, reliability, wave-over-wave changes, barriers, advocacy drivers and the
    measured recapture share; participation with ``invitations`` and the drivers of team
    adoption with ``adoption`` (team → adoption share); anonymity applied."""
    long = answers(responses, instrument)
    person = person_means(long)  # each respondent's dimension scores, shared below
    groups = group_scores(responses, instrument, min_group, long)
    drivers, drivers_note = advocacy_drivers(responses, instrument, long, person)
    if adoption is None:
        team_drivers, team_note = None, None
    else:
        team_drivers, team_note = adoption_drivers(groups, instrument, adoption)
    hidden_totals = {g.wave for g in groups if g.team == ALL_TEAMS and g.suppressed}
    shown = responses[~responses["wave"].astype(str).isin(hidden_totals)]
    visible_teams = {g.team for g in groups if not g.suppressed and g.team != ALL_TEAMS}
    all_teams = {str(t) for t in responses["team"].unique()}
    rates = [] if invitations is None else participation(responses, invitations, groups)
    return SurveyReport(
        respondents=int(shown["respondent_id"].nunique()),
        waves=tuple(sorted(responses["wave"].astype(str).unique())),
        teams=tuple(sorted(visible_teams)),
        min_group=min_group,
        dimensions=tuple(dimension_summaries(responses, instrument, min_group, long)),
        groups=tuple(g for g in groups if g.team in visible_teams or g.team == ALL_TEAMS),
        changes=tuple(wave_changes(responses, instrument, groups, min_group, long, person)),
        barriers=barrier_dimensions(groups, instrument),
        drivers=drivers,
        drivers_note=drivers_note,
        hidden_teams=len(all_teams - visible_teams),
        participation=tuple(p for p in rates if p.team in visible_teams or p.team == ALL_TEAMS),
        adoption_drivers=team_drivers,
        adoption_drivers_note=team_note,
        recapture=measured_recapture(responses, instrument, groups, long=long, person=person),
        item_texts={item.item: item.text for item in instrument.items},
        items=tuple(
            i
            for i in item_scores(responses, instrument, groups, min_group, long)
            if i.team in visible_teams or i.team == ALL_TEAMS
        ),
    )


def report_to_dict(report: SurveyReport) -> dict:
    """The `python -m roi survey --json` object: aggregates only."""
    return {
        "respondents": report.respondents,
        "wave_labels": list(report.waves),
        "teams": list(report.teams),
        "hidden_teams": report.hidden_teams,
        "min_group": report.min_group,
        "dimensions": {
            d.dimension: {
                "items": d.items,
                "alpha": d.alpha,
                "alpha_ci": None if d.alpha_ci is None else list(d.alpha_ci),
                "alpha_n": d.alpha_n,
                "reliable": d.reliable,
                "n": d.n,
                "suppressed": d.suppressed,
                "mean": d.mean,
                "favourable": d.favourable,
                "score": d.score,
                "advocacy": d.advocacy,
                "recapture": d.recapture,
            }
            for d in report.dimensions
        },
        "groups": [asdict(g) for g in report.groups],
        "items": [asdict(i) for i in report.items],
        "waves": [asdict(c) for c in report.changes],
        "barriers": report.barriers,
        "drivers": None if report.drivers is None else asdict(report.drivers),
        "drivers_note": report.drivers_note,
        "participation": [asdict(p) for p in report.participation] or None,
        "adoption_drivers": (
            None if report.adoption_drivers is None else asdict(report.adoption_drivers)
        ),
        "adoption_drivers_note": report.adoption_drivers_note,
        "recapture": None if report.recapture is None else asdict(report.recapture),
    }


def report_record(report: SurveyReport) -> dict:
    """Every field of the report, as JSON-ready data, for keeping it (the store keeps a
    survey's aggregates, not its answers); :func:`report_from_record` reads it back."""
    return asdict(report)


def report_from_record(data: dict) -> SurveyReport:
    """The report kept by :func:`report_record` (after a JSON round trip), equal to it."""

    def drivers(value: dict | None) -> Drivers | None:
        if value is None:
            return None
        return Drivers(**{**value, "drivers": tuple(Driver(**d) for d in value["drivers"])})

    def dimension(value: dict) -> DimensionSummary:
        ci = value["alpha_ci"]
        return DimensionSummary(**{**value, "alpha_ci": None if ci is None else tuple(ci)})

    recapture = data["recapture"]
    return SurveyReport(
        **{
            **data,
            "waves": tuple(data["waves"]),
            "teams": tuple(data["teams"]),
            "dimensions": tuple(dimension(d) for d in data["dimensions"]),
            "groups": tuple(GroupScore(**g) for g in data["groups"]),
            "changes": tuple(WaveChange(**c) for c in data["changes"]),
            "drivers": drivers(data["drivers"]),
            "participation": tuple(Participation(**p) for p in data["participation"]),
            "adoption_drivers": drivers(data["adoption_drivers"]),
            "recapture": None if recapture is None else Recapture(**recapture),
            "items": tuple(ItemScore(**i) for i in data["items"]),
        }
    )


def team_change_readiness(report: SurveyReport) -> dict[str, tuple[float, str]]:
    """Each shown team's change readiness on the register's 1–5 scale, for the quick-wins
    ranking: the mean of its readiness dimension scores (0–100) in its latest shown wave,
    as 1 + score / 25; ``{team: (readiness, wave)}``."""
    readiness = [d.dimension for d in report.dimensions if d.dimension not in (ADVOCACY, RECAPTURE)]
    return {
        team: (1.0 + float(np.mean([g.score for g in cells.values()])) / 25.0, wave)
        for team, (wave, cells) in latest_shown(report.groups, readiness).items()
        if team != ALL_TEAMS
    }
