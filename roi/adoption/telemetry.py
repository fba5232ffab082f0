"""Adoption telemetry: the format of an export detected, read into one daily table, and its
data-quality problems listed (never silently dropped or corrected).

Formats, each read by the module of :mod:`roi.adoption.formats` named after it (whose docstring
lists the vendor's fields it reads):

- ``github_usage_metrics`` and ``github_usage_metrics_users``: GitHub's Copilot usage metrics
  reports (aggregate and per user; 1-day and 28-day; organisation and enterprise), JSON or
  NDJSON.
- ``github_copilot_metrics``: GitHub's Copilot metrics API (``/copilot/metrics``, closed on
  2026-04-02), JSON; ``github_copilot_usage``: the older ``/copilot/usage`` (closed in 2025).
- ``m365_copilot_usage``: Microsoft 365 Copilot usage, user detail report (CSV or JSON);
  ``m365_copilot_user_counts``: its user count summary and trend reports;
  ``viva_insights_person_query``: a Viva Insights person query (CSV).
- ``cursor_daily_usage``: Cursor's daily usage data; ``claude_code_usage``: Claude Code's
  usage report (JSON, from each vendor's admin API).
- ``adoption_csv``: our canonical table, one row per date and team.

The daily table has one row per (date, team) as reported, with the columns of
:data:`~roi.adoption.formats.common.FIGURES`; a figure the source does not have is NaN.

This module owns detection and dispatch (:func:`read_telemetry`, one file;
:func:`read_telemetry_files`, several files or a folder's, de-duplicated by
:mod:`roi.adoption.combine`) and is the public door: the result types (:class:`Telemetry`,
:class:`QualityNote`, :class:`TelemetryError`) live in :mod:`roi.adoption.formats.common`;
callers import them from here.

A JSON file is one document (a list of records, an object wrapping a list under ``data``,
``value``, ``metrics``, ``usage`` or ``days``, or one record); an NDJSON file (``.ndjson``,
``.jsonl``, or any file whose first line is a whole JSON object and which has more lines) is a
record per line. Each record reaches its format's reader with its place (``line 7``,
``[3]``, ``data[3]``), so that every problem names where it is.

Adding a format:

1. add its name to ``Format``, ``FORMATS``, ``TOOLS`` and ``FORMAT_NAMES`` in
   :mod:`roi.adoption.formats.common`;
2. write ``roi/adoption/formats/<name>.py`` with a docstring listing the vendor's fields it
   reads and ``detect_json(item) -> bool`` with ``read_json(records, source, team,
   envelope) -> Telemetry`` (JSON), or ``detect_csv(header) -> bool`` with
   ``read_csv(text, delimiter, source, team) -> Telemetry`` (CSV), collecting every problem
   before raising :class:`TelemetryError`;
3. add the module to :data:`JSON_READERS` or :data:`CSV_READERS` here (the first whose
   ``detect`` says yes reads the file) and name what it needs in :func:`_expected_json` or
   :func:`_unknown_csv`, so that a refused file says what is accepted;
4. add a sample to ``tests/data/telemetry/`` and its case to ``tests/adoption``.

A format module imports only :mod:`roi.io` and the lower modules of ``formats`` (``common``,
``github_json``), never this module, so that imports point one way.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from roi.adoption.combine import combine
from roi.adoption.formats import (
    adoption_csv,
    claude_code_usage,
    cursor_daily_usage,
    github_copilot_metrics,
    github_copilot_usage,
    github_usage_metrics,
    github_user_teams,
    github_users_arrow,
    m365_copilot_usage,
    m365_copilot_user_counts,
    viva_insights,
)
from roi.adoption.formats.common import (
    FIGURES,
    FORMAT_NAMES,
    FORMATS,
    QualityNote,
    Telemetry,
    TelemetryError,
    empty_daily,
    json_where,
)
from roi.io.csvtable import MAX_UPLOAD_BYTES, check_raw, decode, delimiter_of, header_line
from roi.io.problems import Problem
from roi.io.structured import MAX_DEPTH, TOO_DEEP, json_depth_problem, load_json

EMPTY_TEAM_NOTE = (
    "the export holds no day: GitHub sends no Copilot metrics for a team (or organisation) with"
    " fewer than five members with an active licence on a day, so this is missing data, not"
    " zero use"
)
ALL_TEAMS = "all"
NDJSON_SUFFIXES = (".ndjson", ".jsonl")
# An NDJSON file's bad lines listed before the rest are counted in one line.
MAX_LINE_PROBLEMS = 50
# Envelope keys that wrap a list of records: Cursor's and Claude's `data`, Microsoft Graph's
# `value`, and the older GitHub archives' own wrappers.
LIST_KEYS = ("data", "value", "metrics", "usage", "days")

_INDEX = re.compile(r"^\[(\d+)\]")

Records = list[tuple[str, Any]]
JsonReader = Callable[[Records, str, str, "dict | None"], Telemetry]


def _old_github(read: Callable[[list, str, str], Telemetry]) -> JsonReader:
    """A reader of the closed GitHub APIs (a list of days) behind the records interface."""

    def read_json(records: Records, source: str, team: str, envelope: dict | None) -> Telemetry:
        places = [where for where, _ in records]
        try:
            telemetry = read([record for _, record in records], source, team)
        except TelemetryError as error:
            problems = [Problem(_placed(p.where, places), p.message) for p in error.problems]
            raise TelemetryError(source, problems) from None
        notes = tuple(
            QualityNote(n.date, _placed(n.where, places), n.message) for n in telemetry.data_quality
        )
        return dataclasses.replace(telemetry, data_quality=notes)

    return read_json


def _placed(where: str, places: list[str]) -> str:
    """``where`` of a reader that numbers records ``[i]``, with record i's own place."""
    found = _INDEX.match(where)
    if found is None:
        return where
    index = int(found.group(1))
    if index >= len(places) or places[index] == f"[{index}]":
        return where
    return json_where(places[index], where[found.end() :].lstrip("."))


def _is_old_metrics(item: dict) -> bool:
    sections = (
        "total_active_users",
        "total_engaged_users",
        "copilot_ide_code_completions",
        "copilot_ide_chat",
        "copilot_dotcom_chat",
        "copilot_dotcom_pull_requests",
    )
    return "date" in item and any(key in item for key in sections)


def _is_old_usage(item: dict) -> bool:
    return "day" in item and "total_suggestions_count" in item


# Tried in order on the first record; the first that recognises it reads the file.
JSON_READERS: tuple[tuple[Callable[[dict], bool], JsonReader], ...] = (
    (github_usage_metrics.detect_json, github_usage_metrics.read_json),
    (_is_old_metrics, _old_github(github_copilot_metrics.read)),
    (_is_old_usage, _old_github(github_copilot_usage.read)),
    (m365_copilot_user_counts.detect_json, m365_copilot_user_counts.read_json),
    (m365_copilot_usage.detect_json, m365_copilot_usage.read_json),
    (cursor_daily_usage.detect_json, cursor_daily_usage.read_json),
    (claude_code_usage.detect_json, claude_code_usage.read_json),
)


def read_telemetry(
    raw: bytes,
    source: str,
    team: str | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
    team_by: str | None = None,
) -> Telemetry:
    """Detect the format of an export and read it.

    Parameters
    ----------
    raw, source
        The file's bytes and its name (for messages; a ``.ndjson`` or ``.jsonl`` name is
        read as one JSON record per line).
    team
        Team name for exports that do not carry one (GitHub's, Microsoft's); ``all`` when not
        given.
    team_by
        For exports with people's attributes (Viva Insights): the attribute read as the team.

    Raises
    ------
    TelemetryError
        For a file of no known format (naming what was found and what is accepted) or with
        problems that make it unusable (each with its place, value and rule).
    """
    return _read(raw, source, team, max_bytes, team_by, None)


def _read(
    raw: bytes,
    source: str,
    team: str | None,
    max_bytes: int,
    team_by: str | None,
    membership: github_user_teams.Membership | None,
) -> Telemetry:
    """:func:`read_telemetry`, per-user GitHub records joined with ``membership``."""
    text = check_raw(raw, source, TelemetryError, max_bytes, header_first=False)
    stripped = text.lstrip()
    label = team or ALL_TEAMS
    if stripped[:1] in "[{":
        if source.lower().endswith(NDJSON_SUFFIXES) or _looks_like_ndjson(stripped):
            records = _ndjson_records(text, source)
            return _from_records(records, source, label, None, membership)
        data = load_json(
            text, source, error=TelemetryError, duplicate_keys=True, invalid="not valid JSON"
        )
        return _from_json(data, source, label, membership)
    if not text.split("\n", 1)[0].strip():
        message = "is blank: the header (the column names) must be on the first line"
        raise TelemetryError(source, [Problem("line 1", message)])
    delimiter = delimiter_of(text.split("\n", 1)[0], source, TelemetryError)
    first_line = header_line(text).split(delimiter)
    header = [h.strip().strip('"').strip().lower() for h in first_line]
    if viva_insights.detect_csv(header):
        return viva_insights.read_csv(text, delimiter, source, label, team_by=team_by)
    if m365_copilot_user_counts.detect_csv(header):
        return m365_copilot_user_counts.read_csv(text, delimiter, source, label)
    if m365_copilot_usage.detect_csv(header):
        return m365_copilot_usage.read_csv(text, delimiter, source, label)
    if len(set(adoption_csv.REQUIRED) & set(header)) >= 2:
        return adoption_csv.read(text, delimiter, source)
    raise TelemetryError(source, [Problem("line 1", _unknown_csv(header))])


def read_telemetry_files(
    files: Sequence[tuple[bytes, str]],
    team: str | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
    team_by: str | None = None,
) -> Telemetry:
    """Read several exports of one source (a month of 1-day reports, a folder) as one: each
    file read by :func:`read_telemetry`, then joined by :func:`roi.adoption.combine.combine`
    (one format and one scope; a day in two files is kept once, and a note says which copy
    won and why).

    Raises
    ------
    TelemetryError
        Every problem of every file (each named by its file), or files that cannot be joined
        (two formats, two organisations); nothing is kept from a refused set.
    """
    if not files:
        raise TelemetryError("the upload", [Problem("", "has no file")])
    if len(files) == 1:
        raw, source = files[0]
        return read_telemetry(raw, source, team, max_bytes, team_by)
    fast = github_users_arrow.read_user_reports(files, team or ALL_TEAMS, max_bytes)
    if fast is not None:  # the same result, column by column (a year of reports in seconds)
        return fast
    read = _read_each(files, team, max_bytes, team_by)
    return read[0] if len(read) == 1 else combine(read, f"{len(files)} files")


def _read_each(
    files: Sequence[tuple[bytes, str]], team: str | None, max_bytes: int, team_by: str | None
) -> list[Telemetry]:
    """Each file read; GitHub's user-teams files (membership, no usage) joined with the
    per-user reports given with them (:mod:`roi.adoption.formats.github_user_teams`).

    Raises
    ------
    TelemetryError
        Every problem of every file, each named by its file.
    """
    problems: list[Problem] = []
    teams, usage = [], []
    for raw, source in files:
        try:
            records = _membership_records(raw, source, max_bytes)
            if records is None:
                usage.append((raw, source))
            else:
                teams.append(github_user_teams.read_membership(records, source))
        except TelemetryError as error:
            problems += [Problem(_in_file(source, p.where), p.message) for p in error.problems]
    membership = None
    if teams and usage and not problems:
        try:
            membership = github_user_teams.merged(teams)
        except TelemetryError as error:
            problems += error.problems
    elif teams and not usage:  # read alone: refused with the recipe, by the reader
        usage = [(raw, source) for raw, source in files]
    read = []
    for raw, source in usage:
        try:
            read.append(_read(raw, source, team, max_bytes, team_by, membership))
        except TelemetryError as error:
            problems += [Problem(_in_file(source, p.where), p.message) for p in error.problems]
    if problems:
        raise TelemetryError(f"{len(files)} files" if len(files) > 1 else files[0][1], problems)
    return read


def _membership_records(raw: bytes, source: str, max_bytes: int) -> Records | None:
    """The records of a GitHub user-teams file (NDJSON whose first record is a membership
    row), ``None`` for any other file."""
    head = raw[:65536].lstrip()
    if not head.startswith(b"{"):
        return None
    first = head.split(b"\n", 1)[0]
    try:
        record = json.loads(first)
    except (ValueError, RecursionError):
        return None
    if not github_user_teams.is_membership(record):
        return None
    text = check_raw(raw, source, TelemetryError, max_bytes, header_first=False)
    return _ndjson_records(text, source)


def read_tool_files(
    files: Sequence[tuple[bytes, str]],
    team: str | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
    team_by: str | None = None,
) -> tuple[Telemetry, ...]:
    """Exports of one or several tools (a Cursor export, a month of GitHub's reports and a
    Microsoft 365 report, for :func:`roi.adoption.tools.compare_tools`): each file read by
    :func:`read_telemetry`, and the files of one format and scope joined by
    :func:`roi.adoption.combine.combine`; one :class:`Telemetry` per group, in the order
    each group's first file was given.

    Raises
    ------
    TelemetryError
        Every problem of every file (each named by its file); nothing is kept from a
        refused set.
    """
    if not files:
        raise TelemetryError("the upload", [Problem("", "has no file")])
    if len(files) > 1:
        fast = github_users_arrow.read_user_reports(files, team or ALL_TEAMS, max_bytes)
        if fast is not None:  # one tool's per-user reports, read column by column
            return (fast,)
    read = _read_each(files, team, max_bytes, team_by)
    groups: dict[tuple[str, str | None, str | None], list[Telemetry]] = {}
    for telemetry in read:
        groups.setdefault((telemetry.format, telemetry.scope, telemetry.currency), []).append(
            telemetry
        )
    return tuple(
        parts[0] if len(parts) == 1 else combine(parts, f"{len(parts)} files")
        for parts in groups.values()
    )


def team_attributes(
    files: Sequence[tuple[bytes, str]], max_bytes: int = MAX_UPLOAD_BYTES
) -> tuple[str, ...]:
    """The HR attributes the first Viva Insights person query among ``files`` can take as
    its team (:func:`roi.adoption.formats.viva_insights.attributes`, for ``team_by``); none
    without such a file. A file that cannot be read is passed over: reading it says why."""
    for raw, source in files:
        try:
            text = check_raw(raw, source, TelemetryError, max_bytes, header_first=False)
            first = text.split("\n", 1)[0]
            if text.lstrip()[:1] in "[{" or not first.strip():
                continue
            delimiter = delimiter_of(first, source, TelemetryError)
        except TelemetryError:
            continue
        header = [h.strip().strip('"').strip() for h in header_line(text).split(delimiter)]
        if viva_insights.detect_csv([h.lower() for h in header]):
            return tuple(viva_insights.attributes(header, text, delimiter))
    return ()


def _in_file(source: str, where: str) -> str:
    return f"{source}, {where}" if where else source


def _looks_like_ndjson(text: str) -> bool:
    """Whether ``text`` is a JSON record per line: its first line is a whole JSON object and
    another non-blank line follows (a pretty-printed document's first line is ``[`` or
    ``{`` alone, and a one-line document is one record either way)."""
    first, _, rest = text.partition("\n")
    if not rest.strip() or not first.rstrip().endswith("}"):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except (ValueError, RecursionError):
        return False


def _ndjson_records(text: str, source: str) -> Records:
    """The records of an NDJSON ``text``, each with its line; every bad line is a problem
    (its first :data:`MAX_LINE_PROBLEMS` listed, the rest counted)."""
    records: Records = []
    problems: list[Problem] = []
    bad = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        problem = _line_problem(line, number)
        if problem is None:
            try:
                records.append((f"line {number}", json.loads(line)))
                continue
            except json.JSONDecodeError as exc:
                problem = Problem(
                    f"line {number}, column {exc.colno}", f"not valid JSON: {exc.msg}"
                )
            except (ValueError, RecursionError):
                problem = Problem(f"line {number}", "not valid JSON: a number too long or nesting")
        bad += 1
        if bad <= MAX_LINE_PROBLEMS:
            problems.append(problem)
    if bad > MAX_LINE_PROBLEMS:
        more = bad - MAX_LINE_PROBLEMS
        problems.append(Problem("", f"and {more:,} more lines that are not valid JSON"))
    if problems:
        raise TelemetryError(source, problems)
    return records


def _line_problem(line: str, number: int) -> Problem | None:
    """A line nested more than :data:`~roi.io.structured.MAX_DEPTH` levels (counted only on
    lines with that many brackets, so that ordinary lines cost one scan)."""
    if line.count("{") + line.count("[") <= MAX_DEPTH:
        return None
    if json_depth_problem(line) is None:
        return None
    return Problem(f"line {number}", TOO_DEEP)


def _unknown_csv(header: list[str]) -> str:
    return (
        "not a known adoption export: an adoption CSV needs the columns "
        f"{', '.join(adoption_csv.REQUIRED)}; a Microsoft 365 Copilot usage report needs "
        f"{', '.join(m365_copilot_usage.REQUIRED)}; a Viva Insights person query needs"
        " PersonId, MetricDate and Copilot columns; the header has"
        f" {', '.join(h for h in header if h)}"
    )


def _from_json(
    data: Any, source: str, team: str, membership: github_user_teams.Membership | None = None
) -> Telemetry:
    """Records out of a parsed JSON document: a list, a wrapped list, or one record."""
    if isinstance(data, list):
        records = [(f"[{i}]", item) for i, item in enumerate(data)]
        return _from_records(records, source, team, None, membership)
    if not isinstance(data, dict):
        raise TelemetryError(
            source, [Problem("", f"{_expected_json()}; found {type(data).__name__}")]
        )
    if "message" in data and ("documentation_url" in data or "status" in data):
        message = (
            f"is GitHub's error response ({data.get('message')!r}), not metrics: export the"
            " API's successful response"
        )
        raise TelemetryError(source, [Problem("", message)])
    if "download_links" in data:
        raise TelemetryError(source, [Problem("download_links", _links_message(data))])
    for key in LIST_KEYS:  # a wrapped list
        if isinstance(data.get(key), list):
            records = [(f"{key}[{i}]", item) for i, item in enumerate(data[key])]
            return _from_records(records, source, team, data, membership)
    return _from_records([("", data)], source, team, None, membership)


def _links_message(data: dict) -> str:
    links = data.get("download_links")
    names = [str(link) for link in links] if isinstance(links, list) else []
    days = [str(data[k]) for k in ("report_start_day", "report_end_day", "report_day") if k in data]
    shown = "; ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return (
        "this is GitHub's list of download links for a usage metrics report"
        + (f" ({' to '.join(days)})" if days else "")
        + ", not the report: download the NDJSON files it names"
        + (f" ({shown})" if shown else "")
        + " and upload those (the links expire after a short time)"
    )


def _from_records(
    records: Records,
    source: str,
    team: str,
    envelope: dict | None,
    membership: github_user_teams.Membership | None = None,
) -> Telemetry:
    if not records:
        for key in ("data", "value"):
            if envelope is not None and isinstance(envelope.get(key), list):
                message = f"holds no record (an empty `{key}` list): there is nothing to read"
                raise TelemetryError(source, [Problem(key, message)])
        return Telemetry("github_copilot_metrics", source, empty_daily(), None, (), EMPTY_TEAM_NOTE)
    where, first = records[0]
    if not isinstance(first, dict):
        found = f"{type(first).__name__} at {where or 'the top'}"
        raise TelemetryError(source, [Problem(where, f"{_expected_json()}; found {found}")])
    if membership is not None and github_usage_metrics.detect_json(first):
        return _joined_with_teams(records, source, team, membership)
    for detect, read in JSON_READERS:
        if detect(first):
            return read(records, source, team, envelope)
    keys = ", ".join(str(key) for key in list(first)[:8])
    found = f"a record ({where or 'the whole file'}) with {keys}"
    raise TelemetryError(source, [Problem("", f"{_expected_json()}; found {found}")])


def _joined_with_teams(
    records: Records, source: str, team: str, membership: github_user_teams.Membership
) -> Telemetry:
    """A GitHub usage report read per team of the user-teams ``membership``."""
    joined, notes = github_user_teams.join(records, membership)
    telemetry = github_usage_metrics.read_json(joined, source, team)
    if telemetry.format != "github_usage_metrics_users":
        notes = [
            QualityNote(
                None,
                "user-teams join",
                "an aggregate report names no user: the user-teams rows do not apply to it",
            )
        ]
    elif membership.scope and telemetry.scope and membership.scope != telemetry.scope:
        message = (
            f"is of {telemetry.scope}, and the user-teams report ({', '.join(membership.sources)})"
            f" of {membership.scope}: two scopes are never merged"
        )
        raise TelemetryError(source, [Problem("", message)])
    return dataclasses.replace(telemetry, data_quality=(*notes, *telemetry.data_quality))


def _expected_json() -> str:
    return (
        "not a known adoption export: expected GitHub's Copilot metrics (a usage metrics"
        " report: records with 'day' and 'daily_active_users', 'day_totals', or per-user"
        " 'user_login'; or the closed APIs' days with 'date' and 'total_active_users', or"
        " 'day' and 'total_suggestions_count'), Microsoft 365 Copilot usage (Graph's 'value'"
        " list), or Cursor's daily usage data or Claude Code's usage report (a 'data' list)"
    )


__all__ = [
    "FIGURES",
    "FORMATS",
    "FORMAT_NAMES",
    "QualityNote",
    "Telemetry",
    "TelemetryError",
    "decode",
    "read_telemetry",
    "read_telemetry_files",
]
