"""Viva Insights person query (format ``viva_insights_person_query``): one row per person and
week (or day, when the query is grouped by day) with the person's Microsoft 365 Copilot
metrics and HR attributes, as the Viva Insights analyst experience exports it (Analysis >
Custom query > Person query, with the Microsoft 365 Copilot metrics).

Columns are matched by name in any letter case, with spaces, underscores and punctuation
alike (Viva writes ``Total Copilot active days``; the ``vivainsights`` package's
``import_query`` rewrites it ``Total_Copilot_active_days``, and ``(work)`` as ``_work_``):

- ``PersonId`` (the person, an anonymous id) and ``MetricDate`` (the week's first day, a
  Sunday, or the day): required;
- ``Total_Copilot_enabled_days`` (days of the week the person had Copilot enabled, that is a
  licence) and ``Total_Copilot_active_days`` (days the person used Copilot): required;
- ``Total_Copilot_actions_taken`` where the query has it, else the sum of every
  ``Copilot_actions_taken_in_<app>`` column (Teams, Copilot chat (work), Excel, Outlook,
  Powerpoint, Word ...) → ``actions``;
- the HR attribute chosen as the team (``team_by``; ``Organization`` by default; without one,
  everyone is in the caller's team). :func:`attributes` lists the columns that can be chosen.

Every other column (collaboration metrics, survey items) is not read.

Figures, per week (``date`` = ``MetricDate``) and team: ``licensed_users`` (people with
enabled days > 0), ``active_users`` (people with active days > 0) and ``actions`` (summed).
:attr:`Telemetry.user_days` has one row per person and week (``user`` = ``PersonId``,
``active``, ``licensed``, ``actions``, ``active_days``, ``enabled_days``): the grain is the
week, not the day, and the labels say so. Notes flag weeks with more active than enabled
people, actions without an active day, more days than the week has, a person listed twice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from roi.adoption.formats.common import (
    QualityNote,
    Telemetry,
    TelemetryError,
    calendar_quality,
    daily_table,
    line_places,
    same_names,
    user_day_table,
)
from roi.io.csvtable import (
    TableError,
    drop_blank_rows,
    header_where,
    parse_number,
    read_table,
    sorted_problems,
)
from roi.io.dates import read_dates
from roi.io.problems import Problem

PERSON, DATE = "PersonId", "MetricDate"
ENABLED, ACTIVE = "Total_Copilot_enabled_days", "Total_Copilot_active_days"
TOTAL_ACTIONS = "Total_Copilot_actions_taken"
ACTIONS_PREFIX = "Copilot_actions_taken_in_"
REQUIRED = (PERSON, DATE, ENABLED, ACTIVE)
DEFAULT_TEAM_BY = "Organization"
MAX_DAYS = 366
MAX_ACTIONS = 10**15
# Words of Viva's metric names: a column named with one is a metric, not an HR attribute
# (used by attributes() when it has the header alone).
METRIC_WORDS = (
    "copilot", "hours", "days", "actions", "size", "span", "meeting", "call", "email", "chat",
    "posts", "sent", "read", "network", "time", "percent", "minutes", "count", "number",
)  # fmt: skip


def key(name: str) -> str:
    """A column name without case, spaces, underscores or punctuation: ``Total Copilot
    active days`` and ``Total_Copilot_active_days`` are both ``totalcopilotactivedays``."""
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


def detect_csv(header: list[str]) -> bool:
    """Whether a CSV header (cells stripped and lower-cased) is a Viva Insights person query
    with Copilot metrics."""
    keys = {key(h) for h in header}
    return {key(PERSON), key(DATE)} <= keys and any("copilot" in k for k in keys)


def attributes(header: list[str], text: str | None = None, delimiter: str = ",") -> list[str]:
    """The HR attribute columns of a person query that can be chosen as the team, in the
    header's order: every column but ``PersonId``, ``MetricDate`` and the metrics. Given the
    file's ``text``, a metric is a column whose cells are all numbers (as the
    ``vivainsights`` package's ``extract_hr`` decides by type); with the header alone, a
    column named with a word of Viva's metric names (hours, days, actions ...) — a guess
    that takes a one-word survey item (``eSat``) for an attribute."""
    names = [str(h).strip().strip('"').strip() for h in header]
    ids = {key(PERSON), key(DATE)}
    candidates = [n for n in names if n and key(n) not in ids]
    if text is not None:
        try:
            return _text_columns(read_table(text, delimiter, "query", (), TelemetryError))
        except TableError:
            pass  # a file that cannot be read: guess from the header
    return [n for n in candidates if not any(word in key(n) for word in METRIC_WORDS)]


def _text_columns(frame: pd.DataFrame) -> list[str]:
    """The columns of a table read by ``read_table`` that hold text (HR attributes)."""
    ids = {key(PERSON), key(DATE)}
    return [c for c in frame.columns if c != "line" and key(c) not in ids and _is_text(frame[c])]


def _is_text(cells: pd.Series) -> bool:
    """Whether a column holds a cell that is not a number (blank cells aside)."""
    text = cells.astype(str).str.strip()
    text = text[text != ""]
    return bool(pd.to_numeric(text, errors="coerce").isna().any())


def read_csv(
    text: str,
    delimiter: str,
    source: str,
    team: str,
    team_by: str | None = None,
    **options: Any,
) -> Telemetry:
    """Read a person query (``text`` decoded, cells split on ``delimiter``); the team is the
    ``team_by`` column (``Organization`` when the query has it and none is chosen, else
    everyone is in ``team``).

    Raises
    ------
    TelemetryError
        For a missing or repeated column, a ``team_by`` the query does not have, no row, or
        any unreadable or missing cell.
    """
    frame = read_table(text, delimiter, source, (), TelemetryError)
    header = header_where(frame)
    columns = _columns(frame, header, source)
    missing = [name for name in REQUIRED if key(name) not in columns]
    problems = [Problem(header, f"missing column {name!r}") for name in missing]
    team_column = _team_column(frame, columns, team_by, header, problems)
    if problems:
        raise TelemetryError(source, problems)
    cells = [c for c in frame.columns if c != "line"]
    frame = drop_blank_rows(frame.astype({c: str for c in cells}), cells)
    if frame.empty:
        raise TelemetryError(source, [Problem("", "has no person rows after the header")])
    named = {name: columns[key(name)] for name in REQUIRED}
    action_columns = [c for k, c in columns.items() if k.startswith(key(ACTIONS_PREFIX))]
    total = columns.get(key(TOTAL_ACTIONS))
    person = frame[named[PERSON]].str.strip()
    for index in frame.index[person == ""]:
        problems.append(Problem(_place(frame, index, named[PERSON]), "is missing"))
    dates = _dates(frame, named[DATE], problems)
    enabled = _whole(frame, named[ENABLED], delimiter, MAX_DAYS, problems)
    active = _whole(frame, named[ACTIVE], delimiter, MAX_DAYS, problems)
    actions = {c: _whole(frame, c, delimiter, MAX_ACTIONS, problems) for c in action_columns}
    if total is not None:
        actions[total] = _whole(frame, total, delimiter, MAX_ACTIONS, problems)
    if problems:
        raise TelemetryError(source, sorted_problems(problems, list(named.values())))
    people, notes = same_names(person, line_places(frame["line"]), "person")
    teams = _teams(frame, team_column, team, notes)
    if total is not None:
        summed = actions[total]
    elif action_columns:
        summed = sum(actions[c].fillna(0.0) for c in action_columns)
        summed = summed.where(
            pd.concat([actions[c] for c in action_columns], axis=1).notna().any(axis=1)
        )
    else:
        summed = pd.Series(np.nan, index=frame.index)
    table = pd.DataFrame(
        {
            "date": dates,
            "user": people,
            "team": teams,
            "active": active > 0,
            "licensed": enabled > 0,
            "actions": summed,
            "active_days": active,
            "enabled_days": enabled,
            "line": frame["line"],
        }
    )
    weekly = _weekly(table["date"])
    notes += _row_notes(table, actions, action_columns, total, weekly)
    daily = _daily(table)
    notes += _week_notes(table, daily, weekly)
    if not weekly:
        notes += calendar_quality(daily)
    user_days = user_day_table(
        table.drop(columns="line")
        .assign(date=table["date"].dt.strftime("%Y-%m-%d"))
        .to_dict("records")
    )
    last = table["date"].max() + pd.Timedelta(days=6 if weekly else 0)
    return Telemetry(
        "viva_insights_person_query",
        source,
        daily,
        None,
        tuple(notes),
        user_days=user_days,
        labels=_labels(weekly, team_column, total, action_columns),
        period=(table["date"].min().date().isoformat(), last.date().isoformat()),
    )


def _columns(frame: pd.DataFrame, header: str, source: str) -> dict[str, str]:
    """Each column's :func:`key` → its name as written; two names with one key are refused
    (``Total Copilot active days`` and ``Total_Copilot_active_days`` are one column)."""
    columns: dict[str, list[str]] = {}
    for name in frame.columns:
        if name != "line":
            columns.setdefault(key(name), []).append(name)
    problems = [
        Problem(
            header,
            f"columns {' and '.join(repr(n) for n in names)} are one column (names are matched"
            " without regard to case, spaces or underscores)",
        )
        for k, names in columns.items()
        if len(names) > 1 and k
    ]
    if problems:
        raise TelemetryError(source, problems)
    return {k: names[0] for k, names in columns.items()}


def _team_column(
    frame: pd.DataFrame,
    columns: dict[str, str],
    team_by: str | None,
    header: str,
    problems: list[Problem],
) -> str | None:
    """The column read as the team: ``team_by`` (refused when the query lacks it, or when
    it is the person's id or the date), else ``Organization`` where present, else none."""
    if team_by is None:
        return columns.get(key(DEFAULT_TEAM_BY))
    wanted = key(team_by)
    if wanted in (key(PERSON), key(DATE)):
        problems.append(Problem(header, f"{team_by!r} cannot be the team: choose an HR attribute"))
        return None
    if wanted not in columns:
        choices = ", ".join(_text_columns(frame)) or "none"
        message = (
            f"the team attribute {team_by!r} is not a column of this query; its attributes"
            f" are: {choices}"
        )
        problems.append(Problem(header, message))
        return None
    return columns[wanted]


def _place(frame: pd.DataFrame, index: Any, column: str) -> str:
    return f"line {frame.at[index, 'line']}, column {column}"


def _dates(frame: pd.DataFrame, column: str, problems: list[Problem]) -> pd.Series:
    """``MetricDate`` as datetimes; a blank or refused cell is a problem."""
    found = read_dates(frame[column])
    for index, reason in found.errors.items():
        shown = frame.at[index, column].strip()
        problems.append(Problem(_place(frame, index, column), f"{reason}, got {shown!r}"))
    for index in frame.index[found.dates.isna() & (frame[column].str.strip() == "")]:
        problems.append(Problem(_place(frame, index, column), "is missing"))
    return found.dates


def _whole(
    frame: pd.DataFrame, column: str, delimiter: str, high: int, problems: list[Problem]
) -> pd.Series:
    """A count column as floats (NaN where blank); a cell that is not a whole number from 0
    to ``high`` is a problem."""
    text = frame[column].astype(str).str.strip()
    rule = (
        f"a whole number of days from 0 to {high}"
        if high == MAX_DAYS
        else ("a whole number from 0 to 1e15")
    )
    values = pd.to_numeric(text, errors="coerce").astype(float)
    for index in values.index[values.isna() & (text != "")]:
        try:
            values[index] = parse_number(text[index], delimiter)
        except ValueError as reason:
            said = f"must be {rule}" if str(reason) == "not a number" else str(reason)
            problems.append(Problem(_place(frame, index, column), f"{said}, got {text[index]!r}"))
    bad = values.notna() & ((values < 0) | (values > high) | (values % 1 != 0))
    for index in values.index[bad]:
        message = f"must be {rule}, got {text[index]!r}"
        problems.append(Problem(_place(frame, index, column), message))
    return values.mask(bad)


def _teams(
    frame: pd.DataFrame, column: str | None, team: str, notes: list[QualityNote]
) -> pd.Series:
    """Each row's team: the attribute's value (compared trimmed and case-folded; blank is
    ``(no <attribute>)``, with a note), or ``team`` for everyone."""
    if column is None:
        return pd.Series(team, index=frame.index, dtype=object)
    names, renamed = same_names(frame[column], line_places(frame["line"]), "team")
    notes += renamed
    blank = names == ""
    if blank.any():
        first = int(frame.loc[blank, "line"].iloc[0])
        count = int(blank.sum())
        message = (
            f"{count} {'row has' if count == 1 else 'rows have'} no {column}: the team"
            f" '(no {column})' (first on line {first})"
        )
        notes.append(QualityNote(None, f"column {column}", message))
    return names.where(~blank, f"(no {column})").astype(object)


def _weekly(dates: pd.Series) -> bool:
    """Whether the query is grouped by week: its dates are whole weeks apart (one date is
    taken as a week, Viva's default)."""
    unique = pd.Series(sorted(dates.dropna().unique()))
    steps = unique.diff().dropna().dt.days
    return bool((steps % 7 == 0).all())


def _daily(table: pd.DataFrame) -> pd.DataFrame:
    """Per (date, team): distinct people licensed and active, actions summed."""
    rows = []
    for (date, team), group in table.groupby(["date", "team"], sort=True):
        rows.append(
            {
                "date": date.date().isoformat(),
                "team": team,
                "licensed_users": float(group.loc[group["licensed"], "user"].nunique()),
                "active_users": float(group.loc[group["active"], "user"].nunique()),
                "actions": float(group["actions"].sum(min_count=1)),
            }
        )
    return daily_table(rows)


def _row_notes(
    table: pd.DataFrame,
    actions: dict[str, pd.Series],
    action_columns: Sequence[str],
    total: str | None,
    weekly: bool,
) -> list[QualityNote]:
    """Rows kept as reported but suspicious, one note per kind naming the rows: a person
    twice in a week, more days than the week has, apps' actions above the total."""
    days = 7 if weekly else 1
    period = "week" if weekly else "day"
    found = [
        (
            table.duplicated(["date", "user"]),
            f"the person appears twice in the {period}: counted once, actions of both rows summed",
        ),
        (
            (table["active_days"] > days) | (table["enabled_days"] > days),
            f"more Copilot days than the {period} has ({days}); kept as reported",
        ),
    ]
    if total is not None and action_columns:
        parts = sum(actions[c].fillna(0.0) for c in action_columns)
        above = parts > actions[total]
        if above.any():
            first = above.idxmax()
            message = (
                f"the apps' actions add up to more than {total} ({parts[first]:g} against"
                f" {actions[total][first]:g} on line {table.at[first, 'line']}); the total is used"
            )
            found.append((above, message))
    notes = []
    for rows, message in found:
        lines = table.loc[rows, "line"].astype(int).tolist()
        if lines:
            shown = ", ".join(map(str, lines[:5])) + (", …" if len(lines) > 5 else "")
            date = table.loc[rows, "date"].iloc[0].date().isoformat() if len(lines) == 1 else None
            where = f"line {shown}" if len(lines) == 1 else f"lines {shown}"
            notes.append(QualityNote(date, where, message))
    return notes


def _week_notes(table: pd.DataFrame, daily: pd.DataFrame, weekly: bool) -> list[QualityNote]:
    """Per (week, team): more active than enabled people, and actions without an active
    day."""
    notes = []
    period = "week" if weekly else "day"
    for row in daily.itertuples(index=False):
        date = row.date.date().isoformat()
        if row.active_users > row.licensed_users:
            message = (
                f"{_people(row.active_users)} active but {row.licensed_users:g} with Copilot"
                f" enabled in the {period}; kept as reported"
            )
            notes.append(QualityNote(date, f"team {row.team}", message))
    idle = table[(table["actions"] > 0) & ~table["active"]]
    for (date, team), group in idle.groupby(["date", "team"], sort=True):
        message = (
            f"{_people(group['user'].nunique())} with Copilot actions but no active day in the"
            f" {period} (first on line {int(group['line'].iloc[0])}); kept as reported"
        )
        notes.append(QualityNote(date.date().isoformat(), f"team {team}", message))
    return notes


def _people(count: float) -> str:
    return f"{count:g} {'person' if count == 1 else 'people'}"


def _labels(
    weekly: bool, team_column: str | None, total: str | None, action_columns: Sequence[str]
) -> dict[str, str]:
    """What the figures mean in a person query: the week (or day) grain and the columns."""
    period = "week starting on the date (a Sunday)" if weekly else "day"
    if total is not None:
        actions = f"Copilot actions taken in the {period} ({total})"
    elif action_columns:
        actions = f"Copilot actions taken in the {period}: the sum of {', '.join(action_columns)}"
    else:
        actions = "Copilot actions: not in this query"
    return {
        "licensed_users": f"people with Copilot enabled on at least one day of the {period}"
        f" ({ENABLED} > 0)",
        "active_users": f"people who used Copilot on at least one day of the {period}"
        f" ({ACTIVE} > 0)",
        "actions": actions,
        "user_days": (
            f"one row per person and {'week' if weekly else 'day'}: Viva's person query grain"
            + (" (the week, not the day)" if weekly else "")
        ),
        "team": f"the HR attribute {team_column}" if team_column else "one team for everyone",
        "row": "week" if weekly else "day",
    }
