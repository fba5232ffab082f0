"""Microsoft 365 Copilot usage, user count summary and user count trend reports (format
``m365_copilot_user_counts``): enabled and active users per app, from Microsoft Graph's
``getMicrosoft365CopilotUserCountSummary`` and ``getMicrosoft365CopilotUserCountTrend``
(``v1.0``: CSV; ``beta``: JSON ``{"value": [...]}``), the admin center's Summary and Trend
views of the Microsoft 365 Copilot usage report.

CSV columns read (matched by name in any letter case, never by position):

- ``Report Refresh Date`` (required); ``Report Date`` (required in, and the mark of, the
  trend: one row per day); ``Report Period`` (days: required in the summary, whose counts
  are over that period; optional in the trend);
- every ``<App> Enabled Users`` and ``<App> Active Users`` pair: version 1's ``Microsoft
  Teams``, ``Word``, ``PowerPoint``, ``Outlook``, ``Excel``, ``OneNote``, ``Loop``, ``Any
  App`` (required: the whole of Copilot) and ``Copilot Chat``; version 2's ``Edge``,
  ``Microsoft 365 Copilot``, ``Copilot Chat (work)`` and ``Copilot Chat (web)``;
- version 2's ``Prompts submitted`` (trend, per day) and ``Total prompts submitted``
  (summary) → ``prompts``. ``Average prompts submitted`` is not read (an average does not
  add up).

JSON (``beta``) fields: ``reportRefreshDate``; the summary's ``adoptionByProduct[]`` (one
entry per period, each with ``reportPeriod`` and ``<app>EnabledUsers`` /
``<app>ActiveUsers``, such as ``anyAppEnabledUsers``); the trend's ``reportPeriod`` and
``adoptionByDate[]`` (each with ``reportDate`` and the same counts). Keys are matched to the
CSV names ignoring case, spaces and punctuation (``copilotChatEnabledUsers`` is ``Copilot
Chat Enabled Users``).

Figures: the trend gives one daily row per report date with ``licensed_users`` (Any App
Enabled Users), ``active_users`` (Any App Active Users: people active on that day),
``chat_users`` (Copilot Chat Active Users) and ``prompts``; the summary gives one row at the
refresh date with the same figures counted over its period (D7: the 7 days up to the refresh
date), which the labels say. The breakdown has dimension ``app`` (every app but Any App, the
total), figures ``licensed_users`` and ``active_users``. A summary of several periods
(Microsoft's ``ALL``) is counted over the period nearest 30 days; a trend listing a day under
several periods keeps the row of the longest; a note says so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from roi.adoption.formats.common import (
    QualityNote,
    Telemetry,
    TelemetryError,
    breakdown_table,
    calendar_quality,
    daily_table,
    json_where,
)
from roi.io.csvtable import (
    drop_blank_rows,
    header_where,
    parse_numbers,
    read_table,
    sorted_problems,
)
from roi.io.dates import read_dates
from roi.io.problems import Problem

REFRESH, DATE, PERIOD = "Report Refresh Date", "Report Date", "Report Period"
ENABLED, ACTIVE = " Enabled Users", " Active Users"
ANY_APP = "Any App"
APPS = (
    "Microsoft Teams", "Word", "PowerPoint", "Outlook", "Excel", "OneNote", "Loop", ANY_APP,
    "Copilot Chat",  # version 1
    "Edge", "Microsoft 365 Copilot", "Copilot Chat (work)", "Copilot Chat (web)",  # version 2
)  # fmt: skip
CHAT_APP = "Copilot Chat"
PROMPTS = ("Prompts submitted", "Total prompts submitted")
MAX_PEOPLE = 10_000_000
MAX_COUNT = 10**15
DEFAULT_PERIOD_DAYS = 30
JSON_KEYS = {REFRESH: "reportRefreshDate", DATE: "reportDate", PERIOD: "reportPeriod"}
SUMMARY_LIST, TREND_LIST = "adoptionByProduct", "adoptionByDate"


def squash(name: str) -> str:
    """A name without case, spaces or punctuation (``Any App Enabled Users`` and
    ``anyAppEnabledUsers`` are both ``anyappenabledusers``)."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


_APP_NAMES = {squash(app): app for app in APPS}
_PROMPT_NAMES = {squash(name): name for name in PROMPTS}


@dataclass(frozen=True)
class _Rows:
    """The report as text cells under canonical column names, ``_where`` per row (``line
    4``, ``value[0].adoptionByDate[3]``), ``place`` naming a cell in the file's terms."""

    frame: pd.DataFrame
    place: Callable[[Any, str], str]
    trend: bool
    csv: bool


def detect_csv(header: list[str]) -> bool:
    """Whether a CSV header (cells stripped and lower-cased) is a user count report."""
    counts = any(h.endswith((ENABLED.lower(), ACTIVE.lower())) for h in header)
    return "report refresh date" in header and "user principal name" not in header and counts


def detect_json(item: dict) -> bool:
    """Whether the first record of a JSON report is a user count summary or trend."""
    return bool({SUMMARY_LIST.lower(), TREND_LIST.lower()} & {str(k).lower() for k in item})


def read_csv(text: str, delimiter: str, source: str, team: str, **options: Any) -> Telemetry:
    """Read a user count summary or trend (``text`` decoded, cells split on ``delimiter``)
    for ``team``.

    Raises
    ------
    TelemetryError
        For a missing column, no row, or any unreadable or missing cell.
    """
    counts = [app + suffix for app in APPS for suffix in (ENABLED, ACTIVE)]
    canonical = (REFRESH, DATE, PERIOD, *PROMPTS, *counts)
    frame = read_table(text, delimiter, source, canonical, TelemetryError)
    trend = DATE in frame.columns
    required = [REFRESH, *([DATE] if trend else [PERIOD]), ANY_APP + ENABLED, ANY_APP + ACTIVE]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        where = header_where(frame)
        raise TelemetryError(source, [Problem(where, f"missing column {c!r}") for c in missing])
    cells = [c for c in frame.columns if c != "line"]
    frame = drop_blank_rows(frame.astype({c: str for c in cells}), cells)
    if frame.empty:
        raise TelemetryError(source, [Problem("", "has no rows after the header")])
    frame["_where"] = "line " + frame["line"].astype(str)

    def place(index: Any, column: str) -> str:
        return f"line {frame.at[index, 'line']}, column {column}"

    return _read(_Rows(frame, place, trend, csv=True), source, team, delimiter, [])


def read_json(
    records: list[tuple[str, Any]], source: str, team: str, envelope: dict | None = None
) -> Telemetry:
    """Read the ``value`` records of Graph's JSON user count summary or trend.

    Raises
    ------
    TelemetryError
        For a record or entry that is not an object, or any unreadable or missing field.
    """
    problems: list[Problem] = []
    rows: list[dict] = []
    places: dict[tuple[int, str], str] = {}
    trend = any(
        isinstance(r, dict) and TREND_LIST.lower() in {str(k).lower() for k in r}
        for _, r in records
    )
    for where, record in records:
        if not isinstance(record, dict):
            kind = type(record).__name__
            problems.append(Problem(where, f"must be an object (a report), got {kind}"))
            continue
        for cells, cell_places in _json_rows(where, record, trend, problems):
            places.update({(len(rows), column): p for column, p in cell_places.items()})
            rows.append(cells)
    if not rows:
        listed = TREND_LIST if trend else SUMMARY_LIST
        empty = Problem("value", f"holds no {listed} entry to read")
        raise TelemetryError(source, problems or [empty])
    frame = pd.DataFrame(rows).fillna("")

    def place(index: Any, column: str) -> str:
        found = places.get((index, column))
        return found or json_where(frame.at[index, "_where"], _camel(column))

    return _read(_Rows(frame, place, trend, csv=False), source, team, ",", problems)


def _json_rows(
    where: str, record: dict, trend: bool, problems: list[Problem]
) -> list[tuple[dict, dict[str, str]]]:
    """A JSON report record as rows of text cells (one per period or per day), each cell
    with its place; every required field gets a cell (blank when absent)."""
    keys = {str(key).lower(): key for key in record}
    listed = TREND_LIST if trend else SUMMARY_LIST
    cells: dict[str, str] = {"_where": where}
    places: dict[str, str] = {}
    outer = (REFRESH, PERIOD) if trend else (REFRESH,)
    for column in outer:
        key = keys.get(JSON_KEYS[column].lower(), JSON_KEYS[column])
        cells[column] = _text(record.get(key))
        places[column] = json_where(where, key)
    name = keys.get(listed.lower(), listed)
    entries = record.get(name)
    path = json_where(where, name)
    if not isinstance(entries, list):
        problems.append(Problem(path, f"must be a list of entries, got {_text(entries)!r}"))
        return []
    rows = []
    for i, entry in enumerate(entries):
        entry_path = f"{path}[{i}]"
        if not isinstance(entry, dict):
            problems.append(Problem(entry_path, f"must be an object, got {_text(entry)!r}"))
            continue
        row, row_places = {**cells, "_where": entry_path}, dict(places)
        inner = [DATE] if trend else [PERIOD]
        required = [*inner, ANY_APP + ENABLED, ANY_APP + ACTIVE]
        for column in required:
            row[column], row_places[column] = "", json_where(entry_path, _camel(column))
        for key, value in entry.items():
            column = _column_of_key(str(key))
            if column is not None:
                row[column], row_places[column] = _text(value), json_where(entry_path, str(key))
        rows.append((row, row_places))
    return rows


def _camel(column: str) -> str:
    """The JSON key of a column as Graph spells it (``Any App Enabled Users`` is
    ``anyAppEnabledUsers``), for naming a missing one."""
    if column in JSON_KEYS:
        return JSON_KEYS[column]
    words = re.sub(r"[^0-9A-Za-z ]", "", column).split()
    return words[0].lower() + "".join(w[:1].upper() + w[1:] for w in words[1:])


def _column_of_key(key: str) -> str | None:
    """The CSV column a JSON key of an entry names, ``None`` for a key not read."""
    lowered = key.lower()
    if lowered in (JSON_KEYS[DATE].lower(), JSON_KEYS[PERIOD].lower()):
        return DATE if lowered == JSON_KEYS[DATE].lower() else PERIOD
    if squash(key) in _PROMPT_NAMES:
        return _PROMPT_NAMES[squash(key)]
    for suffix in (ENABLED, ACTIVE):
        if lowered.endswith(squash(suffix)) and len(key) > len(squash(suffix)):
            prefix = key[: -len(squash(suffix))]
            app = _APP_NAMES.get(squash(prefix))
            if app is None:
                words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", prefix).strip()
                app = words[:1].upper() + words[1:]
            return app + suffix
    return None


def _text(value: Any) -> str:
    """A JSON value as the text a CSV cell would hold (``null`` is blank)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    shown = json.dumps(value, ensure_ascii=False, default=str)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def _read(
    rows: _Rows, source: str, team: str, delimiter: str, problems: list[Problem]
) -> Telemetry:
    """The shared core: validate every cell (``problems`` holds those found before, in the
    file's structure), then build the daily table, the breakdown, the notes and the
    labels."""
    frame = rows.frame
    notes: list[QualityNote] = []
    dates = {c: _dates(rows, c, problems) for c in (REFRESH, DATE) if c in frame.columns}
    for column, values in dates.items():
        if column == REFRESH or rows.trend:
            for index in frame.index[values.isna() & (frame[column].str.strip() == "")]:
                problems.append(Problem(rows.place(index, column), "is missing"))
    period = _period(rows, delimiter, problems)
    apps = [c.removesuffix(ENABLED) for c in frame.columns if c.endswith(ENABLED)]
    apps += [c.removesuffix(ACTIVE) for c in frame.columns if c.endswith(ACTIVE)]
    apps = list(dict.fromkeys(apps))
    counts = {
        column: _count(rows, column, delimiter, MAX_PEOPLE, problems)
        for app in apps
        for column in (app + ENABLED, app + ACTIVE)
        if column in frame.columns
    }
    for column in (ANY_APP + ENABLED, ANY_APP + ACTIVE):  # the daily figures: never blank
        for index in frame.index[frame[column].astype(str).str.strip() == ""]:
            problems.append(Problem(rows.place(index, column), "is missing"))
    prompts = next((c for c in PROMPTS if c in frame.columns), None)
    if prompts is not None:
        counts[prompts] = _count(rows, prompts, delimiter, MAX_COUNT, problems)
    if problems:
        raise TelemetryError(source, _ordered(problems, rows.csv))
    table = pd.DataFrame({"refresh": dates[REFRESH], "period": period, **counts})
    table["date"] = dates[DATE] if rows.trend else dates[REFRESH]
    table["_where"] = frame["_where"]
    table = _choose(table, rows.trend, notes)
    daily_rows, parts = [], []
    for _, row in table.iterrows():
        day = row["date"].date().isoformat()
        daily_rows.append(_daily_row(row, day, team, prompts))
        for app in apps:
            if app == ANY_APP:
                continue
            for suffix, figure in ((ENABLED, "licensed_users"), (ACTIVE, "active_users")):
                value = row.get(app + suffix, np.nan)
                if not pd.isna(value):
                    parts.append({"date": day, "team": team, "dimension": "app", "key": app,
                                  "figure": figure, "value": float(value)})  # fmt: skip
        notes += _row_notes(row, apps, day, str(row["_where"]))
    daily = daily_table(daily_rows)
    if rows.trend:
        notes += calendar_quality(daily)
        span = (table["date"].min(), table["date"].max())
    else:
        starts = table["date"] - pd.to_timedelta(table["period"] - 1, unit="D")
        span = (starts.min(), table["date"].max())
    return Telemetry(
        "m365_copilot_user_counts",
        source,
        daily,
        None,
        tuple(notes),
        breakdown=breakdown_table(parts) if parts else None,
        labels=_labels(table, rows.trend, prompts is not None, CHAT_APP in apps),
        period=(span[0].date().isoformat(), span[1].date().isoformat()),
    )


def _daily_row(row: pd.Series, day: str, team: str, prompts: str | None) -> dict:
    """A row of the daily table: the Any App counts, chat users and prompts."""
    found = {
        "date": day,
        "team": team,
        "licensed_users": row[ANY_APP + ENABLED],
        "active_users": row[ANY_APP + ACTIVE],
    }
    if CHAT_APP + ACTIVE in row:
        found["chat_users"] = row[CHAT_APP + ACTIVE]
    if prompts is not None:
        found["prompts"] = row[prompts]
    return found


def _ordered(problems: list[Problem], csv: bool) -> list[Problem]:
    """Problems by line (CSV) or by record (JSON: ``value[3]`` before ``value[10]``)."""
    if csv:
        return sorted_problems(problems)

    def record(problem: Problem) -> int:
        found = re.match(r"^\w*\[(\d+)\]", problem.where)
        return int(found.group(1)) if found else -1

    return sorted(dict.fromkeys(problems), key=record)


def _dates(rows: _Rows, column: str, problems: list[Problem]) -> pd.Series:
    """Column ``column`` as datetimes (NaT where blank; NaT and a problem where refused)."""
    found = read_dates(rows.frame[column])
    for index, reason in found.errors.items():
        shown = rows.frame.at[index, column].strip()
        problems.append(Problem(rows.place(index, column), f"{reason}, got {shown!r}"))
    return found.dates


def _numbers(
    rows: _Rows, column: str, delimiter: str, rule: str, problems: list[Problem]
) -> pd.Series:
    """Column ``column`` as floats (NaN where blank; NaN and a problem, naming ``rule``,
    where unreadable), each problem placed in the file's own terms."""
    frame = rows.frame.assign(**{column: rows.frame[column].astype(str).str.strip()})
    return parse_numbers(frame, column, delimiter, problems, rows.place, rule)


def _count(
    rows: _Rows, column: str, delimiter: str, high: int, problems: list[Problem]
) -> pd.Series:
    """A count column as floats (NaN where blank); a value that is not a whole number from
    0 to ``high`` is a problem."""
    rule = (
        f"a whole number of people from 0 to {high:,}" if high == MAX_PEOPLE
        else "a whole number from 0 to 1e15"
    )  # fmt: skip
    values = _numbers(rows, column, delimiter, rule, problems)
    text = rows.frame[column].astype(str).str.strip()
    bad = values.notna() & ((values < 0) | (values > high) | (values % 1 != 0))
    for index in values.index[bad]:
        problems.append(Problem(rows.place(index, column), f"must be {rule}, got {text[index]!r}"))
    return values.mask(bad)


def _period(rows: _Rows, delimiter: str, problems: list[Problem]) -> pd.Series:
    """Each row's period in days (NaN where not stated); required in a summary."""
    frame = rows.frame
    if PERIOD not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    rule = "a whole number of days from 1 to 366"
    values = _numbers(rows, PERIOD, delimiter, rule, problems)
    text = frame[PERIOD].astype(str).str.strip()
    bad = values.notna() & ((values < 1) | (values > 366) | (values % 1 != 0))
    for index in frame.index[bad]:
        problems.append(Problem(rows.place(index, PERIOD), f"must be {rule}, got {text[index]!r}"))
    if not rows.trend:
        for index in frame.index[text == ""]:
            message = "is missing: the summary's counts are over this period (7, 30, 90 or 180)"
            problems.append(Problem(rows.place(index, PERIOD), message))
    return values.mask(bad)


def _choose(table: pd.DataFrame, trend: bool, notes: list[QualityNote]) -> pd.DataFrame:
    """The rows counted: one per (refresh date, day) in a trend (the longest period's),
    one per refresh date in a summary (the period nearest 30 days), with a note where a
    report holds several periods (Microsoft's ``ALL``)."""
    keep = pd.Series(True, index=table.index)
    group_by = ["refresh", "date"] if trend else ["refresh"]
    for _, group in table.groupby(group_by, sort=False):
        periods = sorted({int(p) for p in group["period"].dropna()})
        if len(periods) < 2:
            continue
        if trend:
            days = max(periods)
        else:
            days = min(periods, key=lambda p: (abs(p - DEFAULT_PERIOD_DAYS), p))
        aside = group.index[group["period"] != days]
        keep[aside] = False
        if not trend:
            message = (
                f"the report holds several periods ({', '.join(map(str, periods))} days, as"
                f" Microsoft's period ALL does): the {days}-day counts are read, the others"
                " are not"
            )
            date = group["refresh"].iloc[0].date().isoformat()
            notes.append(QualityNote(date, str(group["_where"].iloc[0]), message))
    if trend and not keep.all():
        message = (
            f"{int((~keep).sum())} day(s) are listed under more than one period (Microsoft's"
            " period ALL): each day is read once, from the longest period"
        )
        notes.append(QualityNote(None, str(table.loc[~keep, "_where"].iloc[0]), message))
    return table[keep]


def _row_notes(row: pd.Series, apps: list[str], day: str, where: str) -> list[QualityNote]:
    """Counts kept as reported but suspicious: more active than enabled users, an app
    above Any App, a trend day after the refresh date."""
    found = []
    for app in apps:
        enabled, active = row.get(app + ENABLED, np.nan), row.get(app + ACTIVE, np.nan)
        if active > enabled:
            message = f"{app}: {active:g} active users but {enabled:g} enabled; kept as reported"
            found.append(QualityNote(day, where, message))
        if app == ANY_APP:
            continue
        for suffix in (ENABLED, ACTIVE):
            part, whole = row.get(app + suffix, np.nan), row.get(ANY_APP + suffix, np.nan)
            if part > whole:
                message = (
                    f"the breakdown does not add up: {part:g} {app}{suffix.lower()} but"
                    f" {whole:g} for any app"
                )
                found.append(QualityNote(day, where, message))
    if row["date"] > row["refresh"]:
        found.append(QualityNote(day, where, "the day is after the report's refresh date"))
    return found


def _labels(table: pd.DataFrame, trend: bool, prompts: bool, chat: bool) -> dict[str, str]:
    """What the figures mean: the day (trend) or the report's period (summary)."""
    periods = sorted({int(p) for p in table["period"].dropna()})
    named = ", ".join(f"{p} days (D{p})" for p in periods)
    if trend:
        window, after = "on the day", f", from a trend of {named}" if periods else ""
    elif len(periods) == 1:
        window, after = f"in the report's {named} up to the refresh date", ""
    else:
        window, after = f"in the report's period ({named}) up to the refresh date", ""
    labels = {
        "licensed_users": f"people enabled for Microsoft 365 Copilot {window} (Any App Enabled"
        f" Users){after}",
        "active_users": f"people active in any Copilot app {window} (Any App Active Users){after}",
    }
    if chat:
        labels["chat_users"] = (
            f"people active in Copilot Chat {window} (Copilot Chat Active Users){after}"
        )
    if prompts:
        labels["prompts"] = f"prompts submitted {window}{after}"
    return labels
