"""What every telemetry importer shares: the format names (``Format``, :data:`FORMATS`), the
figures of the daily table (:data:`FIGURES`), the result types (:class:`Telemetry`,
:class:`QualityNote`, :class:`TelemetryError`), the builder of the daily table and the
calendar checks run on every dated table.

The bottom of :mod:`roi.adoption.formats`: imports only :mod:`roi.io`. A new format adds its
name to ``Format`` and :data:`FORMATS` here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from roi.io.csvtable import TableError
from roi.io.dates import moved_note

Format = Literal[
    "github_copilot_metrics", "github_copilot_usage", "m365_copilot_usage", "adoption_csv"
]
FORMATS: tuple[Format, ...] = (
    "github_copilot_metrics",
    "github_copilot_usage",
    "m365_copilot_usage",
    "adoption_csv",
)
FIGURES = (
    "eligible_users",
    "licensed_users",
    "active_users",
    "engaged_users",
    "monthly_active_users",
    "actions",
    "suggestions",
    "acceptances",
    "lines_suggested",
    "lines_accepted",
    "chats",
)


class TelemetryError(TableError):
    """An export that cannot be used; ``problems`` lists every problem found."""


@dataclass(frozen=True)
class QualityNote:
    """A figure that is suspicious but kept as reported: where (``date`` and path) and what."""

    date: str | None
    where: str
    message: str

    def __str__(self) -> str:
        return " ".join(part for part in (self.date, self.where) if part) + f": {self.message}"


@dataclass(frozen=True)
class Telemetry:
    """An export read into one table. ``daily`` has ``date`` (datetime64), ``team`` and
    :data:`FIGURES`; ``users`` (per-user formats only) has ``snapshot``, ``user``,
    ``last_activity`` and one column per app; ``note`` explains an empty export."""

    format: Format
    source: str
    daily: pd.DataFrame
    users: pd.DataFrame | None
    data_quality: tuple[QualityNote, ...]
    note: str | None = None


def empty_daily() -> pd.DataFrame:
    """A daily table with no row: ``date`` (datetime64), ``team`` and :data:`FIGURES`."""
    frame = pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "team": pd.Series(dtype=str)})
    for figure in FIGURES:
        frame[figure] = pd.Series(dtype=float)
    return frame


def daily_table(rows: list[dict]) -> pd.DataFrame:
    """The daily table of ``rows`` (dicts with ``date`` as YYYY-MM-DD, ``team`` and any of
    :data:`FIGURES`), in their order; a figure no row has is NaN."""
    if not rows:
        return empty_daily()
    frame = pd.DataFrame(rows)
    frame["date"] = pd.to_datetime(frame["date"])
    for figure in FIGURES:
        frame[figure] = frame[figure].astype(float) if figure in frame else np.nan
    return frame[["date", "team", *FIGURES]].reset_index(drop=True)


def calendar_quality(daily: pd.DataFrame) -> list[QualityNote]:
    """Dates given twice for a team, and gaps in a team's daily series (GitHub leaves out
    days below five licences). A team whose rows are never a day apart (weekly or monthly
    rows) has no day to miss."""
    notes = []
    frame = daily[["team", "date"]]
    for team, date in frame[frame.duplicated()].drop_duplicates().itertuples(index=False):
        message = "the day appears more than once; every record is counted"
        notes.append(QualityNote(date.date().isoformat(), f"team {team}", message))
    unique = frame.drop_duplicates().sort_values(["team", "date"], kind="stable")
    step = unique.groupby("team", sort=False)["date"].diff().dt.days
    daily_team = step.groupby(unique["team"], sort=False).transform("min") == 1
    for team, date, gap in zip(
        unique["team"][daily_team & (step > 1)],
        unique["date"][daily_team & (step > 1)],
        step[daily_team & (step > 1)],
        strict=True,
    ):
        first = (date - pd.Timedelta(days=int(gap) - 1)).date().isoformat()
        message = f"{int(gap) - 1} day(s) missing: no record, which is not the same as no use"
        notes.append(QualityNote(first, f"team {team}", message))
    return notes


def moved_dates_note(
    frame: pd.DataFrame, column: str, moved: dict[object, dt.date]
) -> list[QualityNote]:
    """The note (none when ``moved`` is empty) for the dates of ``column`` that a time zone
    puts on another day in UTC (``moved``: index → the date in UTC, as
    :func:`roi.io.dates.read_dates` gives it); the dates as written are kept."""
    if not moved:
        return []
    lines = [int(frame.at[index, "line"]) for index in moved]
    written = [str(frame.at[index, column]).strip() for index in moved]
    message = moved_note(lines, written, list(moved.values()))
    return [QualityNote(None, f"column {column}", message)]


def same_names(
    names: pd.Series, lines: pd.Series, what: str
) -> tuple[pd.Series, list[QualityNote]]:
    """``names`` (ids, user names, team names) compared trimmed and case-folded: every
    spelling of one name becomes the first one written (``Alice@x.com `` and ``alice@x.com``
    are one person), with a note for each other spelling naming its first ``lines`` entry
    and ``what`` it names."""
    trimmed = names.astype(str).str.strip()
    keys = trimmed.str.casefold()
    first = trimmed.groupby(keys, sort=False).transform("first")
    notes = []
    other = trimmed != first
    seen: set[str] = set()
    for index in trimmed.index[other & (trimmed != "")]:
        spelling = trimmed[index]
        if spelling in seen:
            continue
        seen.add(spelling)
        notes.append(
            QualityNote(
                None,
                f"line {lines[index]}",
                f"{what} {spelling!r} is read as {first[index]!r}, as first written (names are"
                " compared without regard to case or surrounding spaces)",
            )
        )
    return first, notes
