"""Microsoft 365 Copilot usage, user detail report (format ``m365_copilot_usage``): a CSV
exported from the Microsoft 365 admin center, one row per licensed user with the last activity
date per app.

Columns read: ``Report Refresh Date``, ``User Principal Name`` and ``Last Activity Date``
(required, matched in any letter case); every other ``<App> Last Activity Date`` column (such
as ``Microsoft Teams Copilot Last Activity Date``) as that app's last activity; ``Report
Period`` (days) only checked to be a number from 1 to 366. Dates are YYYY-MM-DD (a time after
it dropped, see :mod:`roi.io.dates`) or blank. User principal names are compared trimmed and
without regard to case: ``Alice@x.com `` and ``alice@x.com`` are one user, named as first
written.

A report is a snapshot: each refresh date becomes one row of the daily table with
``licensed_users`` (the users listed) and ``active_users`` (those active in the
:data:`ACTIVE_WINDOW_DAYS` days up to the refresh date); the users themselves are kept in
:attr:`Telemetry.users`.
"""

from __future__ import annotations

import pandas as pd

from roi.adoption.formats.common import (
    QualityNote,
    Telemetry,
    TelemetryError,
    daily_table,
    moved_dates_note,
    same_names,
)
from roi.io.csvtable import (
    drop_blank_rows,
    header_where,
    out_of_bounds,
    parse_numbers,
    read_table,
    sorted_problems,
)
from roi.io.dates import read_dates
from roi.io.problems import Problem

REQUIRED = ("Report Refresh Date", "User Principal Name", "Last Activity Date")
ACTIVE_WINDOW_DAYS = 30


def read(text: str, delimiter: str, source: str, team: str) -> Telemetry:
    """Read a user detail report (``text`` decoded, cells split on ``delimiter``) for
    ``team``: one daily row per refresh date, the users, and the quality notes.

    Raises
    ------
    TelemetryError
        For a missing column, no user row, or any unreadable or missing cell.
    """
    frame = read_table(text, delimiter, source, (), TelemetryError)
    names = {c.lower(): c for c in frame.columns}
    problems = []
    for column in (*REQUIRED,):
        if column.lower() not in names:
            problems.append(Problem(header_where(frame), f"missing column {column!r}"))
    if problems:
        raise TelemetryError(source, problems)
    frame = frame.rename(columns={names[c.lower()]: c for c in REQUIRED})
    frame = drop_blank_rows(
        frame.astype({c: str for c in frame.columns if c != "line"}),
        [c for c in frame.columns if c != "line"],
    )
    if frame.empty:
        raise TelemetryError(source, [Problem("", "has no user rows after the header")])
    apps = [
        c for c in frame.columns if c.endswith("Last Activity Date") and c != "Last Activity Date"
    ]
    notes: list[QualityNote] = []
    parsed = _dates(frame, ["Report Refresh Date", "Last Activity Date", *apps], problems, notes)
    for index in frame.index[
        parsed["Report Refresh Date"].isna() & (frame["Report Refresh Date"].str.strip() == "")
    ]:
        problems.append(
            Problem(f"line {frame.at[index, 'line']}, column Report Refresh Date", "is missing")
        )
    users, renamed = same_names(frame["User Principal Name"], frame["line"], "user")
    notes += renamed
    for index in frame.index[users == ""]:
        problems.append(
            Problem(f"line {frame.at[index, 'line']}, column User Principal Name", "is missing")
        )
    if "Report Period" in frame.columns:
        period = parse_numbers(frame, "Report Period", delimiter, problems)
        expected = "a number of days from 1 to 366"
        out_of_bounds(frame, "Report Period", period, 366, expected, problems)
        for index in frame.index[period < 1]:
            where = f"line {frame.at[index, 'line']}, column Report Period"
            shown = frame.at[index, "Report Period"]
            problems.append(Problem(where, f"must be {expected}, got {shown!r}"))
    if problems:
        raise TelemetryError(source, sorted_problems(problems))
    # The latest date of any app is the user's last activity, whatever Last Activity Date says.
    latest = pd.concat([parsed[c] for c in ("Last Activity Date", *apps)], axis=1).max(axis=1)
    table = pd.DataFrame(
        {
            "snapshot": parsed["Report Refresh Date"],
            "user": users,
            "last_activity": latest,
            **{app.removesuffix(" Last Activity Date"): parsed[app] for app in apps},
        }
    )
    notes += _notes(frame, table, parsed["Last Activity Date"], latest)
    daily = _snapshots(table, team)
    return Telemetry("m365_copilot_usage", source, daily, table, tuple(notes))


def _dates(
    frame: pd.DataFrame, columns: list[str], problems: list[Problem], notes: list[QualityNote]
) -> dict[str, pd.Series]:
    """Each of ``columns`` as datetimes (NaT where blank; NaT and a problem where refused),
    with a note for the dates a time zone puts on another day in UTC."""
    parsed = {}
    for column in columns:
        read = read_dates(frame[column])
        for index, reason in read.errors.items():
            shown = frame.at[index, column].strip()
            problems.append(
                Problem(
                    f"line {frame.at[index, 'line']}, column {column}",
                    f"{reason} or blank, got {shown!r}",
                )
            )
        notes += moved_dates_note(frame, column, read.moved)
        parsed[column] = read.dates
    return parsed


def _notes(
    frame: pd.DataFrame, table: pd.DataFrame, stated: pd.Series, latest: pd.Series
) -> list[QualityNote]:
    """Rows kept as reported but suspicious: a ``stated`` Last Activity Date behind the
    ``latest`` app date, a user listed twice in one report, activity after the refresh date."""
    notes = []
    behind = latest.notna() & ~(stated >= latest)
    for index in table.index[behind]:
        notes.append(
            QualityNote(
                table.at[index, "snapshot"].date().isoformat(),
                f"line {frame.at[index, 'line']}",
                "Last Activity Date is blank or earlier than an app's last activity; the"
                " latest app date is used",
            )
        )
    repeated = table.duplicated(["snapshot", "user"])
    for index in table.index[repeated]:
        notes.append(
            QualityNote(
                table.at[index, "snapshot"].date().isoformat(),
                f"line {frame.at[index, 'line']}",
                "the user appears twice in one report; both rows are counted",
            )
        )
    later = table["last_activity"] > table["snapshot"]
    for index in table.index[later]:
        notes.append(
            QualityNote(
                table.at[index, "snapshot"].date().isoformat(),
                f"line {frame.at[index, 'line']}",
                "last activity is after the report's refresh date",
            )
        )
    return notes


def _snapshots(table: pd.DataFrame, team: str) -> pd.DataFrame:
    """The daily table: one row per refresh date with its licensed and active users."""
    rows = []
    for snapshot, group in table.groupby("snapshot"):
        # Active means active in the 30 days up to the refresh date, whatever the report's
        # period (7 to 180 days): adoption is a monthly share, as for idle licences.
        since = snapshot - pd.Timedelta(days=ACTIVE_WINDOW_DAYS - 1)
        rows.append(
            {
                "date": snapshot,
                "team": team,
                "licensed_users": float(len(group)),
                "active_users": float((group["last_activity"] >= since).sum()),
            }
        )
    return daily_table([{**r, "date": r["date"].date().isoformat()} for r in rows])
