"""Reading the dates of every uploaded file: one parser for pilot observations, adoption
tables and exports, so that every file says the same of the same date.

Accepted: ``YYYY-MM-DD``, and the same followed by a time, as exports write it
(``2027-03-01 08:00``, ``2027-03-01 08:00:00``, ``2027-03-01T08:00:00.123``) and optionally a
time zone (``Z``, ``+02:00``, ``+0200``, ``-05``). The date kept is the calendar date as
written: the local date of the timestamp. When a time zone is given and the same instant falls
on another day in UTC, the written date is still kept, and the reader says so
(:attr:`WrittenDate.utc_date`). Refused: a date that is not a day of the calendar
(``2026-02-30``), and dates whose day and month cannot be told apart (``03/04/2026``,
``3/4/26``, ``04.03.2026``) as "ambiguous: write YYYY-MM-DD"; any other text as not a date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIMESTAMP = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d{1,9})?)?"
    r"\s?(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?)?$",
    re.IGNORECASE,
)
# Day, month and year in some order with / . or - between: 03/04/2026, 3/4/26, 04.03.2026.
_DAY_MONTH = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:[T ].*)?$")

NOT_A_DATE = "must be a date written YYYY-MM-DD"
AMBIGUOUS = "ambiguous: write YYYY-MM-DD"


@dataclass(frozen=True)
class WrittenDate:
    """A date as written in a file: ``date`` the calendar date written (the local date of a
    timestamp); ``utc_date`` the date in UTC when a time zone puts the instant on another day
    (else ``None``)."""

    date: dt.date
    utc_date: dt.date | None = None


def read_date(text: str) -> WrittenDate:
    """The date ``text`` writes (see the module's docstring for the forms accepted).

    >>> read_date("2027-03-01T08:00:00Z").date, read_date("2027-03-01 01:00+02:00").utc_date
    (datetime.date(2027, 3, 1), datetime.date(2027, 2, 28))

    Raises
    ------
    ValueError
        With the reason, worded to follow a column: "must be a date written YYYY-MM-DD"
        (also for a day the calendar does not have) or "ambiguous: write YYYY-MM-DD".
    """
    value = text.strip()
    found = _TIMESTAMP.match(value)
    if found is None:
        raise ValueError(AMBIGUOUS if _ambiguous(value) else NOT_A_DATE)
    try:
        date = dt.date.fromisoformat(found["date"])
    except ValueError:  # 2026-02-30, 2026-13-02
        raise ValueError(NOT_A_DATE) from None
    if found["hour"] is None:
        return WrittenDate(date)
    hour, minute = int(found["hour"]), int(found["minute"])
    second = int(found["second"] or 0)
    if hour > 23 or minute > 59 or second > 60:
        raise ValueError(f"{NOT_A_DATE} (the time {value[11:]!r} is not a time of day)")
    zone = found["zone"]
    if zone is None:
        return WrittenDate(date)
    offset = _offset(zone)
    if offset is None:
        raise ValueError(f"{NOT_A_DATE} (the time zone {zone!r} is not an offset from UTC)")
    local = dt.datetime(date.year, date.month, date.day) + dt.timedelta(
        hours=hour, minutes=minute, seconds=min(second, 59)
    )
    utc = (local - offset).date()
    return WrittenDate(date, None if utc == date else utc)


def _offset(zone: str) -> dt.timedelta | None:
    """The offset from UTC a zone writes (``Z``, ``+02:00``, ``+0200``, ``-05``)."""
    if zone.upper() == "Z":
        return dt.timedelta(0)
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 18 or minutes > 59:
        return None
    sign = -1 if zone[0] == "-" else 1
    return sign * dt.timedelta(hours=hours, minutes=minutes)


def _ambiguous(value: str) -> bool:
    """Whether ``value`` writes a day and a month in an order that cannot be told: both of its
    first two numbers could be a month, or the year has two digits."""
    found = _DAY_MONTH.match(value)
    if found is None:
        return False
    first, second, year = int(found[1]), int(found[2]), found[3]
    return (1 <= first <= 12 and 1 <= second <= 12) or len(year) == 2


@dataclass(frozen=True)
class DateColumn:
    """A column of dates read: ``dates`` (datetime64, the written calendar dates, NaT where
    blank or refused), ``errors`` (index → reason, for the cells refused) and ``moved`` (index →
    the date in UTC, for the cells a time zone puts on another day in UTC)."""

    dates: pd.Series
    errors: dict
    moved: dict


def read_dates(values: pd.Series) -> DateColumn:
    """Every cell of ``values`` (text) read with :func:`read_date`; blank cells are NaT and
    not an error (the caller decides whether a blank is allowed). Plain ``YYYY-MM-DD`` cells
    take a fast path, so a column of a million dates is read in a moment."""
    text = values.fillna("").astype(str).str.strip()
    plain = text.str.match(ISO_DATE.pattern)
    dates = pd.to_datetime(text.where(plain), format="%Y-%m-%d", errors="coerce")
    dates = pd.Series(dates, index=values.index, dtype="datetime64[ns]")
    errors: dict = {}
    moved: dict = {}
    for index in values.index[dates.isna().to_numpy() & (text != "").to_numpy()]:
        try:
            written = read_date(text[index])
        except ValueError as reason:
            errors[index] = str(reason)
            continue
        dates[index] = pd.Timestamp(written.date)
        if written.utc_date is not None:
            moved[index] = written.utc_date
    return DateColumn(dates, errors, moved)


def moved_note(lines: list[int], written: list[str], utc: list[dt.date]) -> str:
    """The note for dates a time zone puts on another day in UTC, on ``lines`` (physical),
    as ``written``, being ``utc`` in UTC: the written dates are kept."""
    count = len(lines)
    shown = ", ".join(str(line) for line in lines[:5]) + (", …" if count > 5 else "")
    return (
        f"{count} date(s) with a time zone fall on another day in UTC (line(s) {shown};"
        f" {written[0]!r} is {utc[0].isoformat()} in UTC); the date as written is kept"
    )


def as_iso(dates: pd.Series) -> pd.Series:
    """``dates`` (datetime64) as ``YYYY-MM-DD`` text, blank where NaT."""
    return pd.Series(
        np.where(dates.isna(), "", dates.dt.strftime("%Y-%m-%d")), index=dates.index, dtype=str
    )
