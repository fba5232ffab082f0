"""Cursor's daily usage data (format ``cursor_daily_usage``): the JSON of the Admin API's
``POST https://api.cursor.com/teams/daily-usage-data`` (body ``startDate`` and ``endDate`` in
epoch milliseconds), ``{"data": [...], "period": {"startDate": ..., "endDate": ...}}``, one
record per team member and day.

Fields read, per record (Cursor's names), and what they become in :attr:`Telemetry.user_days`:

===============================  ====================================================
``date``                         the day: epoch milliseconds, read as the UTC calendar
                                 date (``1710720000000`` is 2024-03-18)
``email``                        ``user``, compared trimmed and case-folded
``isActive``                     ``active``
``totalTabsShown``               ``suggestions`` (Tab completions shown)
``totalTabsAccepted``            ``acceptances`` (Tab completions accepted)
``acceptedLinesAdded``           ``lines_added`` (lines added by accepted AI changes)
``acceptedLinesDeleted``         ``lines_deleted``
``totalLinesAdded``,             ``total_lines_added``, ``total_lines_deleted`` (all
``totalLinesDeleted``            lines, with or without the AI; kept for the share)
``chatRequests``                 ``chats``
``agentRequests``,               ``agent_requests``, ``composer_requests``,
``composerRequests``,            ``cmdk_usages``
``cmdkUsages``
``subscriptionIncludedReqs``,    ``included_requests``, ``usage_based_requests``,
``usageBasedReqs``,              ``api_key_requests``, and their sum ``requests``
``apiKeyReqs``
``totalAccepts``                 ``accepts`` (accepted changes from chat and
                                 composer), and part of ``actions``
``mostUsedModel``                ``model`` (text)
===============================  ====================================================

``actions`` = ``totalAccepts`` + ``totalTabsAccepted`` + ``chatRequests`` +
``composerRequests`` + ``agentRequests`` + ``cmdkUsages``: every use a person chose to make,
once each (an accepted change from chat or composer, an accepted Tab completion, and each
request to chat, composer, agent and Cmd+K), as GitHub's actions are accepted completions
plus chats. Not counted: ``totalApplies`` and ``totalRejects`` (the same proposals as the
accepts, seen at other steps), the billing split of requests (the same requests again) and
``bugbotUsages`` (automated reviews, not a person at work). A missing count is NaN in its
own column and counts 0 inside a sum; a sum with no part given is NaN.

The daily table, per date: ``licensed_users`` = distinct members listed that day (the export
lists members, active or not; labelled "members listed in the export"), ``active_users`` =
distinct members with ``isActive``, ``chat_users`` and ``agent_users`` = distinct members
with a chat or agent request (the flags ``used_chat`` and ``used_agent`` of
:attr:`Telemetry.user_days`), ``monthly_active_users`` = distinct members active in the
trailing 28 days, only on days with 28 days of data up to them (counted from the first
record), and the sums of the figures above: the table is
:func:`~roi.adoption.formats.common.daily_from_user_days` of the user-days, as for every
per-user format, so that one file and several read together agree.
:attr:`Telemetry.breakdown` has dimension ``model``: active members by ``mostUsedModel``.
:attr:`Telemetry.period` is ``period.startDate`` and ``period.endDate`` as UTC dates.

Refused, each with its place: a record that is not an object; ``date`` missing, not a whole
number, or outside 2000-01-01 to 2100-01-01 (a date in seconds or written as text says so);
``email`` missing or blank; ``isActive`` not true or false; a count that is not a whole
number from 0 to 1e15; ``mostUsedModel`` not text; ``period`` not an object of two dates in
order. Kept with a note: more Tab completions accepted than shown, more accepted lines than
lines in all, a member not active who made requests, a record repeated exactly (a file
pasted twice: counted once), a member listed twice on a day with different figures (the
records are added up and the member counted once), other spellings of an e-mail, records
outside the stated period and days missing from the series.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import numpy as np
import pandas as pd

from roi.adoption.formats.common import (
    MONTH_WINDOW_DAYS,
    QualityNote,
    Telemetry,
    TelemetryError,
    breakdown_table,
    calendar_quality,
    daily_from_user_days,
    daily_table,
    json_where,
    same_names,
    user_day_table,
)
from roi.adoption.formats.github_json import Counts
from roi.io.problems import Problem

MS_PER_DAY = 86_400_000
FIRST_MS = 946_684_800_000  # 2000-01-01T00:00:00Z
END_MS = 4_102_444_800_000  # 2100-01-01T00:00:00Z
EPOCH_RULE = (
    "must be a time in epoch milliseconds, a whole number from 946684800000 (2000-01-01) to"
    " 4102444800000 (2100-01-01)"
)
# Cursor's count fields and the user_days column each becomes.
COUNTS = {
    "totalTabsShown": "suggestions",
    "totalTabsAccepted": "acceptances",
    "acceptedLinesAdded": "lines_added",
    "acceptedLinesDeleted": "lines_deleted",
    "totalLinesAdded": "total_lines_added",
    "totalLinesDeleted": "total_lines_deleted",
    "chatRequests": "chats",
    "agentRequests": "agent_requests",
    "composerRequests": "composer_requests",
    "cmdkUsages": "cmdk_usages",
    "subscriptionIncludedReqs": "included_requests",
    "usageBasedReqs": "usage_based_requests",
    "apiKeyReqs": "api_key_requests",
    "totalAccepts": "accepts",
}
REQUESTS = ("included_requests", "usage_based_requests", "api_key_requests")
ACTIONS = ("accepts", "acceptances", "chats", "composer_requests", "agent_requests", "cmdk_usages")
# The figures of a user-day that the daily table adds up.
SUMMED = (
    "suggestions",
    "acceptances",
    "lines_added",
    "lines_deleted",
    "chats",
    "requests",
    "actions",
)
# Fields that only Cursor's records have (detection needs two of them).
KEYS = frozenset(("isActive", *COUNTS, "mostUsedModel", "bugbotUsages", "clientVersion"))
LABELS = {
    "licensed_users": "members listed in the export (active or not)",
    "active_users": "members active on the day (isActive)",
    "monthly_active_users": (
        f"distinct members active in the trailing {MONTH_WINDOW_DAYS} days, counted from the"
        f" daily records (only on days with {MONTH_WINDOW_DAYS} days of data up to them)"
    ),
    "chat_users": "members who made a chat request",
    "agent_users": "members who made an agent request",
    "suggestions": "Tab completions shown",
    "acceptances": "Tab completions accepted",
    "lines_added": "lines added by accepted AI changes (acceptedLinesAdded)",
    "lines_deleted": "lines deleted by accepted AI changes (acceptedLinesDeleted)",
    "chats": "chat requests",
    "requests": "requests: included in the subscription + usage-based + on the team's API keys",
    "actions": "accepted changes and Tab completions, chat, composer, agent and Cmd+K requests",
}
# Notes for members listed twice on a day, one each up to this many, then one for the rest.
MAX_REPEAT_NOTES = 20
EMPTY_NOTE = "the export holds no record: no member of the team is listed for its period"


def detect_json(item: dict) -> bool:
    """Whether ``item`` (the first record of a file's data list) is one of Cursor's."""
    return isinstance(item, dict) and len(KEYS & item.keys()) >= 2


def read_json(
    records: list[tuple[str, Any]], source: str, team: str, envelope: dict | None = None
) -> Telemetry:
    """Read Cursor's records (``where``, parsed JSON value) for ``team``; ``envelope`` is the
    file's top-level object (its ``period``), ``None`` for a bare list.

    Raises
    ------
    TelemetryError
        With every bad record, date, e-mail, flag or count, each with its JSON path.
    """
    problems: list[Problem] = []
    notes: list[QualityNote] = []
    period = _period(envelope, problems)
    rows = [_record(item, where, problems, notes) for where, item in records]
    if problems:
        raise TelemetryError(source, problems)
    kept = [row for row in rows if row is not None]
    if not kept:
        return Telemetry(
            "cursor_daily_usage",
            source,
            daily_table([]),
            None,
            tuple(notes),
            EMPTY_NOTE,
            labels=LABELS,
            period=period,
        )
    frame = pd.DataFrame(kept)
    places = frame["at"].map(lambda at: json_where(at, "email"))
    frame["user"], renamed = same_names(frame["user"], places, "user", "e-mails")
    notes += renamed
    notes += _outside(frame, period)
    frame, exact = _without_exact_repeats(frame)
    notes += exact
    frame, repeated = _one_row_per_user_day(frame)
    notes += repeated
    frame["team"] = team
    frame["used_chat"] = frame["chats"] > 0
    frame["used_agent"] = frame["agent_requests"] > 0
    columns = ["date", "user", "team", "active", *_figure_columns(), "used_chat", "used_agent"]
    user_days = user_day_table(frame[[*columns, "model"]].to_dict("records"))
    for column in _figure_columns():
        user_days[column] = user_days[column].astype(float)
    # The rule of every per-user format, so that one file and several combined agree.
    daily = daily_from_user_days(user_days)
    notes += calendar_quality(daily)
    return Telemetry(
        "cursor_daily_usage",
        source,
        daily,
        None,
        tuple(notes),
        breakdown=_models(frame, team),
        user_days=user_days,
        labels=LABELS,
        period=period,
    )


def _figure_columns() -> list[str]:
    return [*COUNTS.values(), "requests", "actions"]


def _epoch_date(value: Any, place: str, problems: list[Problem]) -> dt.date | None:
    """The UTC calendar date of ``value``, a time in epoch milliseconds; ``None``, with a
    problem at ``place``, when it is missing or not such a time."""
    if value is None:
        problems.append(Problem(place, "is missing"))
        return None
    whole = isinstance(value, int | float) and not isinstance(value, bool)
    if whole and isinstance(value, float):
        whole = value.is_integer()
    if not whole:
        hint = "; Cursor writes dates as numbers" if isinstance(value, str) else ""
        problems.append(Problem(place, f"{EPOCH_RULE}, got {value!r}{hint}"))
        return None
    number = int(value)
    if not FIRST_MS <= number < END_MS:
        seconds = FIRST_MS // 1000 <= number < END_MS // 1000
        hint = " (seconds since 1970, not milliseconds?)" if seconds else ""
        shown = number if abs(number) < 10**20 else "a number of more than 20 digits"
        problems.append(Problem(place, f"{EPOCH_RULE}, got {shown}{hint}"))
        return None
    return dt.date(1970, 1, 1) + dt.timedelta(days=number // MS_PER_DAY)


def _period(envelope: dict | None, problems: list[Problem]) -> tuple[str, str] | None:
    if not isinstance(envelope, dict) or envelope.get("period") is None:
        return None
    period = envelope["period"]
    if not isinstance(period, dict):
        problems.append(
            Problem("period", f"must be an object with startDate and endDate, got {period!r}")
        )
        return None
    start = _epoch_date(period.get("startDate"), "period.startDate", problems)
    end = _epoch_date(period.get("endDate"), "period.endDate", problems)
    if start is None or end is None:
        return None
    if end < start:
        problems.append(
            Problem(
                "period.endDate",
                f"must not be before period.startDate ({start.isoformat()}), got {end.isoformat()}",
            )
        )
        return None
    return start.isoformat(), end.isoformat()


def _record(
    item: Any, where: str, problems: list[Problem], notes: list[QualityNote]
) -> dict | None:
    """One record as a user-day row (``None`` when refused, with its problems added)."""
    if not isinstance(item, dict):
        problems.append(
            Problem(where, f"must be an object (a member's day), got {type(item).__name__}")
        )
        return None
    before = len(problems)
    date = _epoch_date(item.get("date"), json_where(where, "date"), problems)
    user = _text(item, "email", where, problems, required=True)
    active = item.get("isActive")
    if active is None:
        problems.append(Problem(json_where(where, "isActive"), "is missing"))
    elif not isinstance(active, bool):
        problems.append(
            Problem(json_where(where, "isActive"), f"must be true or false, got {active!r}")
        )
    counts = Counts(problems)
    figures = {
        column: counts.get(item, key, where, missing=np.nan) for key, column in COUNTS.items()
    }
    model = _text(item, "mostUsedModel", where, problems, required=False)
    if len(problems) > before or date is None:
        return None
    figures["requests"] = _sum(figures, REQUESTS)
    figures["actions"] = _sum(figures, ACTIONS)
    day = date.isoformat()
    notes += _record_quality(day, where, bool(active), figures)
    return {"date": day, "user": user, "active": active, **figures, "model": model, "at": where}


def _text(item: dict, key: str, where: str, problems: list[Problem], required: bool) -> str | None:
    value = item.get(key)
    place = json_where(where, key)
    if value is None:
        if required:
            problems.append(Problem(place, "is missing"))
        return None
    if not isinstance(value, str):
        problems.append(Problem(place, f"must be text, got {value!r}"))
        return None
    if required and not value.strip():
        problems.append(Problem(place, "is blank"))
        return None
    return value.strip() or None


def _sum(figures: dict[str, float], columns: tuple[str, ...]) -> float:
    parts = [figures[c] for c in columns if not np.isnan(figures[c])]
    return float(sum(parts)) if parts else np.nan


def _record_quality(day: str, where: str, active: bool, figures: dict) -> list[QualityNote]:
    notes = []
    if figures["acceptances"] > figures["suggestions"]:
        notes.append(
            QualityNote(
                day,
                json_where(where, "totalTabsAccepted"),
                f"{figures['acceptances']:g} Tab completions accepted exceed the"
                f" {figures['suggestions']:g} shown; kept as reported",
            )
        )
    if figures["lines_added"] > figures["total_lines_added"]:
        notes.append(
            QualityNote(
                day,
                json_where(where, "acceptedLinesAdded"),
                f"{figures['lines_added']:g} accepted lines added exceed the"
                f" {figures['total_lines_added']:g} lines added in all; kept as reported",
            )
        )
    if not active and (figures["requests"] > 0 or figures["actions"] > 0):
        requests = np.nan_to_num(figures["requests"])
        actions = np.nan_to_num(figures["actions"])
        notes.append(
            QualityNote(
                day,
                json_where(where, "isActive"),
                f"isActive is false but the record has {requests:g} request(s) and {actions:g}"
                " action(s); the member is counted as not active, the figures as reported",
            )
        )
    return notes


def _outside(frame: pd.DataFrame, period: tuple[str, str] | None) -> list[QualityNote]:
    if period is None:
        return []
    outside = (frame["date"] < period[0]) | (frame["date"] > period[1])
    if not outside.any():
        return []
    first = frame.loc[outside, "at"].iloc[0]
    message = (
        f"{int(outside.sum())} record(s) fall outside the stated period {period[0]} to"
        f" {period[1]} (the first at {first}); they are kept"
    )
    return [QualityNote(None, "period", message)]


def _without_exact_repeats(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[QualityNote]]:
    """Records equal in every field read to an earlier one dropped (a page or a file pasted
    twice), with one note; records that differ are added up afterwards."""
    exact = frame.drop(columns="at").duplicated()
    if not exact.any():
        return frame, []
    first = frame.loc[exact, "at"].iloc[0]
    message = (
        f"{int(exact.sum())} record(s) repeat an earlier record in every figure (the first at"
        f" {first}): each is counted once"
    )
    return frame[~exact], [QualityNote(None, "data", message)]


def _one_row_per_user_day(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[QualityNote]]:
    """Records of one member on one day added up into one row, with a note for each (the
    first :data:`MAX_REPEAT_NOTES`, then one for the rest: a file pasted twice repeats every
    member-day)."""
    repeated = frame.duplicated(["date", "user"], keep=False)
    if not repeated.any():
        return frame.drop(columns="at"), []
    notes = []
    groups = frame[repeated].groupby(["date", "user"], sort=False)
    for (date, user), group in itertools.islice(groups, MAX_REPEAT_NOTES):
        places = ", ".join(group["at"])
        notes.append(
            QualityNote(
                date,
                group["at"].iloc[1],
                f"member {user!r} has {len(group)} records on the day ({places}); their figures"
                " are added up and the member counted once",
            )
        )
    if groups.ngroups > MAX_REPEAT_NOTES:
        message = (
            f"and {groups.ngroups - MAX_REPEAT_NOTES} more member-days with more than one"
            " record, each added up and counted once"
        )
        notes.append(QualityNote(None, "data", message))
    keys = frame.groupby(["date", "user"], sort=False)
    merged = keys.agg(active=("active", "any"), model=("model", "first"))
    merged = merged.join(keys[_figure_columns()].sum(min_count=1))
    return merged.reset_index(), notes


def _models(frame: pd.DataFrame, team: str) -> pd.DataFrame:
    """Active members by their most used model, per day."""
    used = frame[frame["active"] & frame["model"].notna()]
    counts = used.groupby(["date", "model"], sort=True)["user"].nunique()
    rows = [
        {
            "date": date,
            "team": team,
            "dimension": "model",
            "key": model,
            "figure": "active_users",
            "value": float(count),
        }
        for (date, model), count in counts.items()
    ]
    return breakdown_table(rows)
