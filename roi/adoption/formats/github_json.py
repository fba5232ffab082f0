"""Reading GitHub's Copilot JSON, shared by the GitHub formats: whole counts out of nested
objects (:class:`Counts`, collecting a problem for each bad one), the dict items of a list
field (:func:`list_items`), a day's date (:func:`read_date`), and the checks on code
completion counts (:func:`completion_quality`) that GitHub's APIs report in one shape or another.

Imports :mod:`roi.io` and :mod:`roi.adoption.formats.common`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from roi.adoption.formats.common import QualityNote
from roi.io.dates import NOT_A_DATE
from roi.io.dates import read_date as read_written_date
from roi.io.problems import Problem

MAX_COUNT = 10**15
_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}")  # starts as a date: 2024-06-24, 2024-06-24T00:00Z


class Counts:
    """Reads counts out of nested JSON, collecting a problem for each bad one."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems

    def get(
        self, node: Any, key: str, path: str, required: bool = False, missing: float = 0.0
    ) -> float:
        """The count at ``node[key]``; ``missing`` (0 for a part of a sum, NaN for a day's
        total) when the key is absent or null."""
        if not isinstance(node, dict) or key not in node or node[key] is None:
            if required:
                self.problems.append(Problem(f"{path}.{key}", "is missing"))
            return missing
        value = node[key]
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not 0 <= value <= MAX_COUNT
            or (isinstance(value, float) and not value.is_integer())
        ):
            shown = (
                "a number above 1e15"
                if isinstance(value, int | float) and value > MAX_COUNT
                else repr(value)
            )
            self.problems.append(
                Problem(f"{path}.{key}", f"must be a whole number from 0 to 1e15, got {shown}")
            )
            return missing
        return float(value)


def list_items(node: Any, key: str) -> list[tuple[int, dict]]:
    """The dict items of a list field (missing or null: none)."""
    values = node.get(key) if isinstance(node, dict) else None
    if not isinstance(values, list):
        return []
    return [(i, v) for i, v in enumerate(values) if isinstance(v, dict)]


def read_date(
    node: dict,
    key: str,
    path: str,
    problems: list[Problem],
    notes: list[QualityNote] | None = None,
) -> str | None:
    """The calendar date at ``node[key]`` as written (YYYY-MM-DD), a time after it dropped
    (GitHub writes ``2024-06-24T00:00:00Z``; see :mod:`roi.io.dates`); ``None``, with a
    problem added, when it is missing, written otherwise or not a day of the calendar. A
    date that its time zone puts on another day in UTC is kept as written, with a note in
    ``notes``."""
    value = node.get(key)
    if value is None:
        problems.append(Problem(f"{path}.{key}", "is missing"))
        return None
    if not isinstance(value, str):
        problems.append(Problem(f"{path}.{key}", f"{NOT_A_DATE}, got {value!r}"))
        return None
    if _DATED.match(value):
        try:
            dt.date.fromisoformat(value[:10])
        except ValueError:
            problems.append(Problem(f"{path}.{key}", f"is not a calendar date, got {value!r}"))
            return None
    try:
        written = read_written_date(value)
    except ValueError as reason:
        problems.append(Problem(f"{path}.{key}", f"{reason}, got {value!r}"))
        return None
    date = written.date.isoformat()
    if written.utc_date is not None and notes is not None:
        notes.append(
            QualityNote(
                date,
                f"{path}.{key}",
                f"{value!r} is {written.utc_date.isoformat()} in UTC; the date as written is kept",
            )
        )
    return date


def completion_quality(date: str, totals: dict) -> list[QualityNote]:
    """Notes for a day's code completion ``totals`` (``suggestions``, ``acceptances``,
    ``lines_suggested``, ``lines_accepted``) that accept more than was suggested."""
    notes = []
    if totals["acceptances"] > 0 and totals["suggestions"] == 0:
        notes.append(
            QualityNote(
                date,
                "code completions",
                f"{totals['acceptances']:g} acceptances but 0 suggestions; kept as reported",
            )
        )
    elif totals["acceptances"] > totals["suggestions"]:
        notes.append(
            QualityNote(
                date,
                "code completions",
                f"{totals['acceptances']:g} acceptances exceed {totals['suggestions']:g}"
                " suggestions",
            )
        )
    if totals["lines_accepted"] > totals["lines_suggested"]:
        notes.append(
            QualityNote(
                date,
                "code completions",
                f"{totals['lines_accepted']:g} lines accepted exceed {totals['lines_suggested']:g}"
                " lines suggested",
            )
        )
    return notes
