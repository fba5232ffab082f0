"""Microsoft 365 Copilot usage, user detail report (format ``m365_copilot_usage``): one row
per user licensed for Microsoft 365 Copilot, with the last activity date per app, from
Microsoft Graph's ``getMicrosoft365CopilotUsageUserDetail`` (``v1.0``: CSV; ``beta``: JSON
``{"value": [...]}``) or the Microsoft 365 admin center's export of the same report.

CSV columns read (matched by name in any letter case, never by position):

- ``Report Refresh Date``, ``User Principal Name`` and ``Last Activity Date``: required. A
  user principal name may be an MD5 hash (32 hex digits) when the tenant conceals names;
  it is a user id like any other. Names are compared trimmed and without regard to case
  (``Alice@x.com `` and ``alice@x.com`` are one user, named as first written, with a note).
- every other ``<App> Last Activity Date`` column as that app's last activity: version 1's
  ``Copilot Chat``, ``Microsoft Teams Copilot``, ``Word Copilot``, ``Excel Copilot``,
  ``PowerPoint Copilot``, ``Outlook Copilot``, ``OneNote Copilot``, ``Loop Copilot``, and
  version 2's ``Copilot Chat (work)``, ``Copilot Chat (web)``, ``Microsoft 365 Copilot``
  (the Microsoft 365 Copilot app), ``Edge`` and ``Copilot Agent``;
- ``Report Period``: the report's period in days (7, 30, 90 or 180 in version 1; 7, 28, 90
  or 180 in version 2), a whole number from 1 to 366;
- version 2's ``Prompts submitted for all apps`` (→ ``prompts``, summed over users),
  ``Prompts submitted for Copilot Chat (work)`` and ``(web)`` (kept per user, and in the
  breakdown), ``Active Usage Days for all apps`` (kept per user; its median over active
  users is in :attr:`Telemetry.medians`). ``Display Name`` is not read.

JSON (``beta``) fields: ``reportRefreshDate``, ``userPrincipalName``, ``lastActivityDate``,
every other ``…LastActivityDate`` key as an app (``microsoftTeamsCopilotLastActivityDate`` is
``Microsoft Teams Copilot``), and ``copilotActivityUserDetailsByPeriod[].reportPeriod``. A
record with several period entries (period ``ALL``) is read as one row per entry. Version 2
figures are matched to the CSV names above ignoring case, spaces and punctuation
(``promptsSubmittedForAllApps``), on the record or in its period entry: Microsoft documents
no version 2 JSON example. ``@odata.nextLink`` in the envelope means the file is one page of
several (a note says users are missing).

Dates are ``YYYY-MM-DD`` (a time after it dropped, see :mod:`roi.io.dates`) or blank (no
activity); JSON ``null`` and ``""`` are blank.

A report is a snapshot: each refresh date becomes one daily row with ``licensed_users`` (the
users listed), ``active_users`` (users whose latest app date is within the report's own
period up to the refresh date: 7 days for D7, as Microsoft counts its Active Users; 30 days
when the file states no period), ``chat_users`` and ``agent_users`` (the same rule on the
Copilot Chat and Copilot Agent dates, where the columns exist) and ``prompts``. Microsoft's
``ALL`` holds every period (7, 30 or 28, 90, 180 days) for each user: the period nearest 30
days is counted and a note says so. The users are kept in :attr:`Telemetry.users`
(``snapshot``, ``user``, ``last_activity``, one column per app, then ``period_days`` and the
version 2 figures); the breakdown has dimension ``app``: active users per app, and prompts of
Copilot Chat (work) and (web). ``user_days`` is ``None``: the report has no per-day data.
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
    daily_table,
    json_where,
    line_places,
    moved_dates_note,
    same_names,
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

REFRESH, USER, LAST = "Report Refresh Date", "User Principal Name", "Last Activity Date"
REQUIRED = (REFRESH, USER, LAST)
PERIOD = "Report Period"
PROMPTS = "Prompts submitted for all apps"
PROMPTS_WORK = "Prompts submitted for Copilot Chat (work)"
PROMPTS_WEB = "Prompts submitted for Copilot Chat (web)"
ACTIVE_DAYS = "Active Usage Days for all apps"
# Version 2's figures: their column in Telemetry.users, and the largest value allowed.
FIGURE_COLUMNS = {
    PROMPTS: ("prompts", 10**15),
    PROMPTS_WORK: ("prompts_chat_work", 10**15),
    PROMPTS_WEB: ("prompts_chat_web", 10**15),
    ACTIVE_DAYS: ("active_usage_days", 366),
}
SUFFIX = " Last Activity Date"
APPS = (
    "Copilot Chat", "Microsoft Teams Copilot", "Word Copilot", "Excel Copilot",
    "PowerPoint Copilot", "Outlook Copilot", "OneNote Copilot", "Loop Copilot",  # version 1
    "Copilot Chat (work)", "Copilot Chat (web)", "Microsoft 365 Copilot", "Edge",
    "Copilot Agent",  # version 2
)  # fmt: skip
CHAT_APPS = ("Copilot Chat", "Copilot Chat (work)", "Copilot Chat (web)")
PROMPT_APPS = ("Copilot Chat (work)", "Copilot Chat (web)")
AGENT_APP = "Copilot Agent"
DEFAULT_PERIOD_DAYS = 30
ACTIVE_WINDOW_DAYS = DEFAULT_PERIOD_DAYS  # the window when a report states no period
BY_PERIOD = "copilotActivityUserDetailsByPeriod"
JSON_KEYS = {REFRESH: "reportRefreshDate", USER: "userPrincipalName", LAST: "lastActivityDate"}
_HASH = re.compile(r"^[0-9A-Fa-f]{32}$")


def squash(name: str) -> str:
    """A name without case, spaces or punctuation: ``Copilot Chat (work)`` and
    ``copilotChatWork`` are both ``copilotchatwork``."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


_APP_NAMES = {squash(app): app for app in APPS}
_FIGURE_NAMES = {squash(column): column for column in FIGURE_COLUMNS}


@dataclass(frozen=True)
class _Rows:
    """The report as text cells under canonical column names, with ``_where`` (``line 4``,
    ``value[3]``) per row and ``place`` naming a cell in the file's own terms."""

    frame: pd.DataFrame
    place: Callable[[Any, str], str]
    apps: tuple[str, ...]  # the app columns (``<App> Last Activity Date``)
    period_column: bool  # the file has the Report Period column: a blank cell is missing
    csv: bool


def detect_csv(header: list[str]) -> bool:
    """Whether a CSV header (cells stripped and lower-cased) is a user detail report."""
    return "user principal name" in header or "report refresh date" in header


def detect_json(item: dict) -> bool:
    """Whether the first record of a JSON report is a user of the user detail report."""
    keys = {str(key).lower() for key in item}
    return "userprincipalname" in keys and bool({"reportrefreshdate", "lastactivitydate"} & keys)


def read_csv(text: str, delimiter: str, source: str, team: str, **options: Any) -> Telemetry:
    """Read a user detail report (``text`` decoded, cells split on ``delimiter``) for
    ``team``: one daily row per refresh date, the users, and the quality notes.

    Raises
    ------
    TelemetryError
        For a missing column, no user row, or any unreadable or missing cell.
    """
    canonical = (*REQUIRED, PERIOD, "Display Name", *FIGURE_COLUMNS, *(a + SUFFIX for a in APPS))
    frame = read_table(text, delimiter, source, canonical, TelemetryError)
    missing = [c for c in REQUIRED if c not in frame.columns]  # names are canonical
    if missing:
        where = header_where(frame)
        raise TelemetryError(source, [Problem(where, f"missing column {c!r}") for c in missing])
    cells = [c for c in frame.columns if c != "line"]
    frame = drop_blank_rows(frame.astype({c: str for c in cells}), cells)
    if frame.empty:
        raise TelemetryError(source, [Problem("", "has no user rows after the header")])
    frame["_where"] = "line " + frame["line"].astype(str)
    apps = tuple(c for c in cells if c.lower().endswith(SUFFIX.lower()) and c != LAST)

    def place(index: Any, column: str) -> str:
        return f"line {frame.at[index, 'line']}, column {column}"

    rows = _Rows(frame, place, apps, PERIOD in frame.columns, csv=True)
    return _read(rows, source, team, delimiter, [], [])


read = read_csv  # the name this reader had before the JSON reports


def read_json(
    records: list[tuple[str, Any]], source: str, team: str, envelope: dict | None = None
) -> Telemetry:
    """Read the ``value`` records of Graph's JSON user detail report (``envelope``: the
    whole response, for ``@odata.nextLink``).

    Raises
    ------
    TelemetryError
        For a record that is not an object, or any unreadable or missing field.
    """
    problems: list[Problem] = []
    rows: list[dict] = []
    places: dict[tuple[int, str], str] = {}
    for where, record in records:
        if not isinstance(record, dict):
            kind = type(record).__name__
            problems.append(Problem(where, f"must be an object (a user), got {kind}"))
            continue
        for cells, cell_places in _json_rows(where, record, problems):
            places.update({(len(rows), column): p for column, p in cell_places.items()})
            rows.append(cells)
    if not rows:
        empty = Problem("value", "holds no user: there is nothing to read")
        raise TelemetryError(source, problems or [empty])
    frame = pd.DataFrame(rows).fillna("")  # every row has the REQUIRED cells
    apps = tuple(c for c in frame.columns if c.endswith(SUFFIX) and c != LAST)

    def place(index: Any, column: str) -> str:
        found = places.get((index, column))
        return found or json_where(frame.at[index, "_where"], JSON_KEYS.get(column, column))

    notes = []
    if isinstance(envelope, dict) and envelope.get("@odata.nextLink"):
        message = (
            "the response has an @odata.nextLink: this file is one page of the report and"
            " the users of the next pages are missing (follow the link and upload every page)"
        )
        notes.append(QualityNote(None, "@odata.nextLink", message))
    # A record without a period entry states no period (30 days are used, and the label
    # says so): a blank period is not a missing cell, as it is in a CSV with the column.
    table = _Rows(frame, place, apps, period_column=False, csv=False)
    return _read(table, source, team, ",", notes, problems)


def _json_rows(
    where: str, record: dict, problems: list[Problem]
) -> list[tuple[dict, dict[str, str]]]:
    """A JSON user record as rows of text cells (one per period entry) with their places."""
    keys = {str(key).lower(): key for key in record}
    cells: dict[str, str] = {"_where": where}
    places: dict[str, str] = {}
    for column, key in JSON_KEYS.items():
        found = keys.get(key.lower())
        cells[column] = "" if found is None else _text(record[found])
        places[column] = json_where(where, found or key)
        if column == USER and not isinstance(record.get(found), str | None):
            message = f"must be text (the user's principal name), got {cells[column]!r}"
            problems.append(Problem(places[column], message))
    for key, value in record.items():
        name = str(key)
        if name.lower().endswith("lastactivitydate") and name.lower() != "lastactivitydate":
            column = _app_of_key(name[: -len("LastActivityDate")]) + SUFFIX
            cells[column], places[column] = _text(value), json_where(where, name)
        elif squash(name) in _FIGURE_NAMES:
            column = _FIGURE_NAMES[squash(name)]
            cells[column], places[column] = _text(value), json_where(where, name)
    entries = record.get(keys.get(BY_PERIOD.lower(), BY_PERIOD))
    if entries is None or entries == []:
        return [(cells, places)]
    path = json_where(where, keys.get(BY_PERIOD.lower(), BY_PERIOD))
    if not isinstance(entries, list):
        problems.append(Problem(path, f"must be a list of periods, got {_text(entries)!r}"))
        return [(cells, places)]  # its other fields are still checked
    rows = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            problems.append(Problem(f"{path}[{i}]", f"must be an object, got {_text(entry)!r}"))
            continue
        row, row_places = dict(cells), dict(places)
        for key, value in entry.items():
            name = str(key)
            column = PERIOD if name.lower() == "reportperiod" else _FIGURE_NAMES.get(squash(name))
            if column is not None:
                row[column], row_places[column] = _text(value), f"{path}[{i}].{name}"
        rows.append((row, row_places))
    return rows


def _text(value: Any) -> str:
    """A JSON value as the text a CSV cell would hold (``null`` is blank; an object or a
    list is written as JSON, so that the message shows what the file has)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    shown = json.dumps(value, ensure_ascii=False, default=str)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def _app_of_key(prefix: str) -> str:
    """The app a JSON key's prefix names: a documented app, else the prefix split into words
    (``fooBar`` → ``Foo Bar``)."""
    known = _APP_NAMES.get(squash(prefix))
    if known is not None:
        return known
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", prefix).strip()
    return words[:1].upper() + words[1:]


def _read(
    rows: _Rows,
    source: str,
    team: str,
    delimiter: str,
    notes: list[QualityNote],
    problems: list[Problem],
) -> Telemetry:
    """The shared core of the CSV and JSON readers: validate every cell (``problems`` holds
    those found before, in the file's structure), then build the users, the daily table,
    the breakdown and the labels."""
    frame = rows.frame
    parsed = _dates(rows, [REFRESH, LAST, *rows.apps], problems, notes)
    for index in frame.index[parsed[REFRESH].isna() & (frame[REFRESH].str.strip() == "")]:
        problems.append(Problem(rows.place(index, REFRESH), "is missing"))
    places = line_places(frame["line"]) if rows.csv else frame["_where"]
    users, renamed = same_names(frame[USER], places, "user")
    notes += renamed
    for index in frame.index[users == ""]:
        problems.append(Problem(rows.place(index, USER), "is missing"))
    period = _periods(rows, delimiter, problems)
    figures = {
        column: _counts(rows, column, delimiter, high, problems)
        for column, (_, high) in FIGURE_COLUMNS.items()
        if column in frame.columns
    }
    if problems:
        raise TelemetryError(source, _ordered(problems, rows.csv))
    # The latest date of any app is the user's last activity, whatever Last Activity Date says.
    latest = pd.concat([parsed[c] for c in (LAST, *rows.apps)], axis=1).max(axis=1)
    table = pd.DataFrame(
        {
            "snapshot": parsed[REFRESH],
            "user": users,
            "last_activity": latest,
            **{app.removesuffix(SUFFIX): parsed[app] for app in rows.apps},
            "period_days": period,
            **{FIGURE_COLUMNS[c][0]: values for c, values in figures.items()},
        }
    )
    kept, chosen = _choose_periods(table, frame["_where"], notes)
    notes += _row_notes(frame.loc[kept.index], kept, parsed[LAST].loc[kept.index])
    notes += _name_notes(kept)
    apps = [app.removesuffix(SUFFIX) for app in rows.apps]
    daily, breakdown, medians = _snapshots(kept, apps, team)
    labels = _labels(chosen, kept)
    starts = [s - pd.Timedelta(days=(d or DEFAULT_PERIOD_DAYS) - 1) for s, d in chosen.items()]
    period_span = (min(starts).date().isoformat(), max(chosen).date().isoformat())
    return Telemetry(
        "m365_copilot_usage",
        source,
        daily,
        kept.reset_index(drop=True),
        tuple(notes),
        breakdown=breakdown,
        labels=labels,
        period=period_span,
        medians=medians,
    )


def _ordered(problems: list[Problem], csv: bool) -> list[Problem]:
    """Problems by line (CSV) or by record (JSON: ``value[3]`` before ``value[10]``)."""
    if csv:
        return sorted_problems(problems)

    def record(problem: Problem) -> int:
        found = re.match(r"^\w*\[(\d+)\]", problem.where)
        return int(found.group(1)) if found else -1

    return sorted(dict.fromkeys(problems), key=record)


def _dates(
    rows: _Rows, columns: list[str], problems: list[Problem], notes: list[QualityNote]
) -> dict[str, pd.Series]:
    """Each of ``columns`` as datetimes (NaT where blank; NaT and a problem where refused),
    with a note for the dates a time zone puts on another day in UTC."""
    parsed = {}
    frame = rows.frame
    for column in columns:
        found = read_dates(frame[column])
        for index, reason in found.errors.items():
            shown = frame.at[index, column].strip()
            problems.append(Problem(rows.place(index, column), f"{reason} or blank, got {shown!r}"))
        if rows.csv:
            notes += moved_dates_note(frame, column, found.moved)
        elif found.moved:
            index, utc = next(iter(found.moved.items()))
            message = (
                f"{len(found.moved)} date(s) with a time zone fall on another day in UTC"
                f" ({frame.at[index, column]!r} is {utc.isoformat()}); the date as written is kept"
            )
            notes.append(QualityNote(None, rows.place(index, column), message))
        parsed[column] = found.dates
    return parsed


def _numbers(
    rows: _Rows, column: str, delimiter: str, rule: str, problems: list[Problem]
) -> pd.Series:
    """Column ``column`` as floats (NaN where blank; NaN and a problem, naming ``rule``,
    where unreadable), each problem placed in the file's own terms."""
    frame = rows.frame.assign(**{column: rows.frame[column].astype(str).str.strip()})
    return parse_numbers(frame, column, delimiter, problems, rows.place, rule)


def _periods(rows: _Rows, delimiter: str, problems: list[Problem]) -> pd.Series:
    """Each row's period in days (NaN where the file states none)."""
    frame = rows.frame
    if PERIOD not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    expected = "a number of days from 1 to 366"
    values = _numbers(rows, PERIOD, delimiter, expected, problems)
    text = frame[PERIOD].astype(str).str.strip()
    for index in frame.index[values.notna() & ((values < 1) | (values > 366))]:
        problems.append(
            Problem(rows.place(index, PERIOD), f"must be {expected}, got {text[index]!r}")
        )
    fraction = values.notna() & (values >= 1) & (values <= 366) & (values % 1 != 0)
    for index in frame.index[fraction]:
        message = f"must be a whole number of days from 1 to 366, got {text[index]!r}"
        problems.append(Problem(rows.place(index, PERIOD), message))
    if rows.period_column:
        for index in frame.index[text == ""]:
            message = "is missing: the report's period in days (7, 30, 90 or 180; 28 in version 2)"
            problems.append(Problem(rows.place(index, PERIOD), message))
    return values.where((values >= 1) & (values <= 366) & (values % 1 == 0))


def _counts(
    rows: _Rows, column: str, delimiter: str, high: int, problems: list[Problem]
) -> pd.Series:
    """A version 2 figure as floats (NaN where blank); a value that is not a whole number
    from 0 to ``high`` is a problem."""
    rule = f"a whole number from 0 to {'1e15' if high > 10**6 else high}"
    values = _numbers(rows, column, delimiter, rule, problems)
    text = rows.frame[column].astype(str).str.strip()
    bad = values.notna() & ((values < 0) | (values > high) | (values % 1 != 0))
    for index in values.index[bad]:
        problems.append(Problem(rows.place(index, column), f"must be {rule}, got {text[index]!r}"))
    return values.mask(bad)


def _choose_periods(
    table: pd.DataFrame, wheres: pd.Series, notes: list[QualityNote]
) -> tuple[pd.DataFrame, dict[pd.Timestamp, int | None]]:
    """The rows counted and each refresh date's period (``None``: not stated, 30 days
    used): a report holding several periods (Microsoft's ``ALL``) is counted over the one
    nearest 30 days, with a note."""
    stated = table["period_days"].fillna(DEFAULT_PERIOD_DAYS)
    keep = pd.Series(True, index=table.index)
    chosen: dict[pd.Timestamp, int | None] = {}
    for snapshot, group in stated.groupby(table["snapshot"], sort=True):
        periods = sorted({int(p) for p in group})
        days = min(periods, key=lambda p: (abs(p - DEFAULT_PERIOD_DAYS), p))
        said = table.loc[group.index, "period_days"].notna().any()
        chosen[snapshot] = days if said else None
        if len(periods) > 1:
            aside = group.index[group != days]
            keep[aside] = False
            others = ", ".join(str(p) for p in periods if p != days)
            message = (
                f"the report holds several periods ({', '.join(map(str, periods))} days, as"
                f" Microsoft's period ALL does): the {days}-day rows are counted; the"
                f" {len(aside)} rows of the {others}-day periods are checked, not counted"
            )
            notes.append(QualityNote(snapshot.date().isoformat(), wheres[aside[0]], message))
    kept = table[keep].copy()
    days = {s: d or DEFAULT_PERIOD_DAYS for s, d in chosen.items()}
    kept["period_days"] = kept["snapshot"].map(days).astype(float)
    return kept, chosen


def _row_notes(frame: pd.DataFrame, table: pd.DataFrame, stated: pd.Series) -> list[QualityNote]:
    """Rows kept as reported but suspicious: a ``stated`` Last Activity Date behind the latest
    app date, a user listed twice in one report, activity after the refresh date, version
    2 figures that do not add up."""
    found = []

    def note(index: Any, message: str) -> None:
        date = table.at[index, "snapshot"].date().isoformat()
        found.append(QualityNote(date, frame.at[index, "_where"], message))

    latest = table["last_activity"]
    for index in table.index[latest.notna() & ~(stated >= latest)]:
        note(
            index,
            "Last Activity Date is blank or earlier than an app's last activity; the latest"
            " app date is used",
        )
    for index in table.index[table.duplicated(["snapshot", "user"])]:
        note(index, "the user appears twice in one report; both rows are counted")
    for index in table.index[latest > table["snapshot"]]:
        note(index, "last activity is after the report's refresh date")
    if "active_usage_days" in table:
        for index in table.index[table["active_usage_days"] > table["period_days"]]:
            days, period = table.at[index, "active_usage_days"], table.at[index, "period_days"]
            note(index, f"{days:g} active usage days in a {period:g}-day period; kept as reported")
    parts = [table[c].fillna(0.0) for c in ("prompts_chat_work", "prompts_chat_web") if c in table]
    if "prompts" in table and parts:
        chat = sum(parts)
        for index in table.index[chat > table["prompts"]]:
            shown = f"{chat[index]:g} Copilot Chat prompts but {table.at[index, 'prompts']:g}"
            note(index, f"{shown} prompts for all apps; kept as reported")
    return found


def _name_notes(table: pd.DataFrame) -> list[QualityNote]:
    """A note where concealed names (MD5 hashes) and plain names are mixed: the same person
    may then be two users (reports exported before and after the setting changed)."""
    hashed = table["user"].astype(str).str.match(_HASH.pattern)
    if not hashed.any() or hashed.all():
        return []
    message = (
        f"{int(hashed.sum())} user names are concealed (MD5 hashes) and {int((~hashed).sum())}"
        " are not: a person listed both ways is counted as two users (Microsoft 365 admin"
        " center, Settings > Org settings > Reports changes the setting)"
    )
    return [QualityNote(None, "column User Principal Name", message)]


def _snapshots(
    table: pd.DataFrame, apps: list[str], team: str
) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """The daily table (one row per refresh date), the breakdown by app and the median
    active usage days, each over the refresh date's period."""
    rows, parts, medians = [], [], []
    for snapshot, group in table.groupby("snapshot", sort=True):
        date = snapshot.date().isoformat()
        since = snapshot - pd.Timedelta(days=int(group["period_days"].iloc[0]) - 1)
        row = {
            "date": date,
            "team": team,
            "licensed_users": float(len(group)),
            "active_users": float((group["last_activity"] >= since).sum()),
        }
        chat = [app for app in CHAT_APPS if app in group]
        if chat:
            row["chat_users"] = float((group[chat] >= since).any(axis=1).sum())
        if AGENT_APP in group:
            row["agent_users"] = float((group[AGENT_APP] >= since).sum())
        if "prompts" in group:
            row["prompts"] = float(group["prompts"].sum(min_count=1))
        rows.append(row)
        for app in apps:
            value = float((group[app] >= since).sum())
            parts.append(_part(date, team, app, "active_users", value))
        for column, app in (
            ("prompts_chat_work", PROMPT_APPS[0]),
            ("prompts_chat_web", PROMPT_APPS[1]),
        ):
            if column in group and group[column].notna().any():
                parts.append(_part(date, team, app, "prompts", float(group[column].sum())))
        if "active_usage_days" in group:
            days = group.loc[group["last_activity"] >= since, "active_usage_days"].dropna()
            if not days.empty:
                medians.append(
                    {"date": snapshot, "team": team, "figure": "active_usage_days",
                     "value": float(days.median()), "weight": float(len(days))}
                )  # fmt: skip
    breakdown = breakdown_table(parts) if parts else None
    median_table = pd.DataFrame(medians) if medians else None
    return daily_table(rows), breakdown, median_table


def _part(date: str, team: str, app: str, figure: str, value: float) -> dict:
    return {"date": date, "team": team, "dimension": "app", "key": app, "figure": figure,
            "value": value}  # fmt: skip


def _labels(chosen: dict[pd.Timestamp, int | None], table: pd.DataFrame) -> dict[str, str]:
    """What the figures mean in this file: the window of each refresh date."""
    windows = sorted(set(chosen.values()), key=lambda d: d or 0)
    if windows == [None]:
        window = (
            f"the {DEFAULT_PERIOD_DAYS} days up to the refresh date (the report states no"
            " period: no Report Period)"
        )
    elif len(windows) == 1:
        window = f"the report's {windows[0]} days (D{windows[0]})"
    else:
        parts = [
            f"{d or DEFAULT_PERIOD_DAYS} days {f'(D{d})' if d else '(none stated)'} on {s.date()}"
            for s, d in chosen.items()
        ]
        window = "the report's period: " + "; ".join(parts)
    labels = {
        "active_users": f"active in {window}",
        "licensed_users": (
            "users listed in the report: Microsoft lists everyone licensed for Microsoft 365"
            " Copilot at some time in the 180 days up to the refresh date, even if the licence"
            " was removed"
        ),
    }
    if any(app in table for app in CHAT_APPS):
        labels["chat_users"] = f"users whose Copilot Chat last activity is in {window}"
    if AGENT_APP in table:
        labels["agent_users"] = f"users whose Copilot Agent last activity is in {window}"
    if "prompts" in table:
        labels["prompts"] = f"prompts submitted for all apps in {window}, summed over users"
    if "active_usage_days" in table:
        labels["active_usage_days"] = (
            f"median active usage days (all apps) in {window}, over the users active in it"
        )
    return labels
