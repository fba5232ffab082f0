"""Adoption telemetry: the format of an export detected, read into one daily table, and its
data-quality problems listed (never silently dropped or corrected).

Formats, each read by the module of :mod:`roi.adoption.formats` named after it (whose docstring
lists the vendor's fields it reads):

- ``github_copilot_metrics``: GitHub's Copilot metrics API (``/copilot/metrics``), JSON.
- ``github_copilot_usage``: GitHub's older Copilot usage API (``/copilot/usage``), JSON.
- ``m365_copilot_usage``: Microsoft 365 Copilot usage, user detail report (CSV).
- ``adoption_csv``: our canonical table, one row per date and team.

The daily table has one row per (date, team) as reported, with columns ``eligible_users``,
``licensed_users``, ``active_users``, ``engaged_users``, ``monthly_active_users``,
``actions``, ``suggestions``, ``acceptances``, ``lines_suggested``, ``lines_accepted`` and
``chats``; a figure the source does not have is NaN.

This module owns detection and dispatch (:func:`read_telemetry`) and is the public door: the
result types (:class:`Telemetry`, :class:`QualityNote`, :class:`TelemetryError`) live in
:mod:`roi.adoption.formats.common`; callers import them from here.

Adding a format:

1. add its name to ``Format`` and ``FORMATS`` in :mod:`roi.adoption.formats.common`;
2. write ``roi/adoption/formats/<name>.py`` with a docstring listing the vendor's fields it
   reads and a ``read(...) -> Telemetry`` that collects every problem before raising
   :class:`TelemetryError`, with the helpers of :mod:`roi.adoption.formats.common`
   (``daily_table``, ``calendar_quality`` for a dated series) and, for GitHub JSON, the
   readers of :mod:`roi.adoption.formats.github_json`;
3. recognise it here: a JSON export in ``_from_json`` (by the keys of its first item), a CSV in
   :func:`read_telemetry` (by its header), and name it in ``_expected_json`` or
   ``_unknown_csv`` so that a refused file says what is accepted;
4. add a sample to ``tests/data/telemetry/`` and its case to ``tests/adoption``.

A format module imports only :mod:`roi.io` and the lower modules of ``formats`` (``common``,
``github_json``), never this module, so that imports point one way.
"""

from __future__ import annotations

from typing import Any

from roi.adoption.formats import (
    adoption_csv,
    github_copilot_metrics,
    github_copilot_usage,
    m365_copilot_usage,
)
from roi.adoption.formats.common import (
    FIGURES,
    FORMATS,
    QualityNote,
    Telemetry,
    TelemetryError,
    empty_daily,
)
from roi.io.csvtable import MAX_UPLOAD_BYTES, check_raw, decode, delimiter_of, header_line
from roi.io.problems import Problem
from roi.io.structured import load_json

EMPTY_TEAM_NOTE = (
    "the export holds no day: GitHub sends no Copilot metrics for a team (or organisation) with"
    " fewer than five members with an active licence on a day, so this is missing data, not"
    " zero use"
)
ALL_TEAMS = "all"


def read_telemetry(
    raw: bytes, source: str, team: str | None = None, max_bytes: int = MAX_UPLOAD_BYTES
) -> Telemetry:
    """Detect the format of an export and read it.

    Parameters
    ----------
    raw, source
        The file's bytes and its name (for messages).
    team
        Team name for exports that do not carry one (GitHub's, Microsoft's); ``all`` when not
        given.

    Raises
    ------
    TelemetryError
        For a file of no known format (naming what was found and what is accepted) or with
        problems that make it unusable (each with its place, value and rule).
    """
    text = check_raw(raw, source, TelemetryError, max_bytes, header_first=False)
    stripped = text.lstrip()
    label = team or ALL_TEAMS
    if stripped[:1] in "[{":
        data = load_json(
            text, source, error=TelemetryError, duplicate_keys=True, invalid="not valid JSON"
        )
        return _from_json(data, source, label)
    if not text.split("\n", 1)[0].strip():
        message = "is blank: the header (the column names) must be on the first line"
        raise TelemetryError(source, [Problem("line 1", message)])
    delimiter = delimiter_of(text.split("\n", 1)[0], source, TelemetryError)
    first_line = header_line(text).split(delimiter)
    header = [h.strip().strip('"').strip().lower() for h in first_line]
    if {"report refresh date", "user principal name"} & set(header):
        return m365_copilot_usage.read(text, delimiter, source, label)
    if len(set(adoption_csv.REQUIRED) & set(header)) >= 2:
        return adoption_csv.read(text, delimiter, source)
    raise TelemetryError(source, [Problem("line 1", _unknown_csv(header))])


def _unknown_csv(header: list[str]) -> str:
    return (
        "not a known adoption export: an adoption CSV needs the columns "
        f"{', '.join(adoption_csv.REQUIRED)}; a Microsoft 365 Copilot usage report needs "
        f"{', '.join(m365_copilot_usage.REQUIRED)}; the header has"
        f" {', '.join(h for h in header if h)}"
    )


def _from_json(data: Any, source: str, team: str) -> Telemetry:
    if isinstance(data, dict):
        if "message" in data and ("documentation_url" in data or "status" in data):
            message = (
                f"is GitHub's error response ({data.get('message')!r}), not metrics: export the"
                " API's successful response"
            )
            raise TelemetryError(source, [Problem("", message)])
        for key in ("metrics", "usage", "days", "data"):  # a wrapped list
            if isinstance(data.get(key), list):
                return _from_json(data[key], source, team)
        keys = ", ".join(list(data)[:8])
        raise TelemetryError(
            source, [Problem("", f"{_expected_json()}; found an object with {keys}")]
        )
    if not isinstance(data, list):
        raise TelemetryError(
            source, [Problem("", f"{_expected_json()}; found {type(data).__name__}")]
        )
    if not data:
        return Telemetry("github_copilot_metrics", source, empty_daily(), None, (), EMPTY_TEAM_NOTE)
    first = data[0]
    sections = (
        "total_active_users",
        "total_engaged_users",
        "copilot_ide_code_completions",
        "copilot_ide_chat",
        "copilot_dotcom_chat",
        "copilot_dotcom_pull_requests",
    )
    if isinstance(first, dict) and "date" in first and any(key in first for key in sections):
        return github_copilot_metrics.read(data, source, team)
    if isinstance(first, dict) and "day" in first and "total_suggestions_count" in first:
        return github_copilot_usage.read(data, source, team)
    found = (
        f"a list whose first item has {', '.join(list(first)[:8])}"
        if isinstance(first, dict)
        else f"a list of {type(first).__name__}"
    )
    raise TelemetryError(source, [Problem("", f"{_expected_json()}; found {found}")])


def _expected_json() -> str:
    return (
        "not a known adoption export: expected GitHub's Copilot metrics (a list of days with"
        " 'date' and 'total_active_users') or Copilot usage (a list of days with 'day' and"
        " 'total_suggestions_count')"
    )


__all__ = [
    "FIGURES",
    "FORMATS",
    "QualityNote",
    "Telemetry",
    "TelemetryError",
    "decode",
    "read_telemetry",
]
