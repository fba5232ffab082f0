"""Reading the two files of a measured-impact analysis (issue 24), and the metrics' companion.

``usage.csv``: ``person_id, period, active_days`` (optional ``actions``, ``team``), one row
per person and period, a person who did not use the tool that period written with 0 active
days. ``outcomes.csv``: ``person_id, period, metric, value`` (optional ``team``), one row per
person, period and metric. The metrics' companion (``metrics.csv``, or the page's table):
``metric, unit, better`` with ``better`` ``higher`` or ``lower``, each metric once.

Periods are ISO weeks (``2026-W05``, or the Monday it starts, ``2026-01-26``) or months
(``2026-01``); both files must use the same kind, and every period is read to its first day.
Person ids are trimmed and case-folded before they are joined; with ``hash_ids`` each id is
replaced by the SHA-256 of its lower-cased form before anything else is done with it, so a
raw e-mail address need not be kept. Every problem names the file, line, column, value and
rule; nothing of a rejected file is kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from roi.io.csvtable import (
    MAX_UPLOAD_BYTES,
    TableError,
    canonical_table,
    check_raw,
    delimiter_of,
    header_where,
    parse_numbers,
    read_table,
    sorted_problems,
    without_blank_rows,
)
from roi.io.problems import Problem

PeriodKind = Literal["week", "month"]
USAGE_REQUIRED = ("person_id", "period", "active_days")
USAGE_OPTIONAL = ("actions", "team")
OUTCOMES_REQUIRED = ("person_id", "period", "metric", "value")
OUTCOMES_OPTIONAL = ("team",)
METRICS_REQUIRED = ("metric", "unit", "better")
BETTER = ("higher", "lower")
# Lines named in one problem before "and N more" (a file wrong on every line stays readable).
MAX_LINES_NAMED = 5

_WEEK = re.compile(r"^(\d{4})-?W(\d{2})$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class ImpactFileError(TableError):
    """A usage, outcomes or metrics file that cannot be used; every problem listed."""


@dataclass(frozen=True)
class MetricInfo:
    """A declared outcome: its unit and whether a higher or a lower value is better."""

    metric: str
    unit: str
    better: Literal["higher", "lower"]


def person_key(ids: pd.Series, hash_ids: bool = False) -> pd.Series:
    """Person ids as they are joined: trimmed and case-folded, or (``hash_ids``) the
    SHA-256 of the trimmed, lower-cased id (an e-mail address as the issue's convention
    hashes it), hexadecimal.

    >>> person_key(pd.Series([" Ana@Example.com "])).tolist()
    ['ana@example.com']
    >>> person_key(pd.Series(["ana@example.com"]), hash_ids=True).str.len().tolist()
    [64]
    """
    trimmed = ids.astype(str).str.strip()
    if hash_ids:
        return trimmed.str.lower().map(lambda key: hashlib.sha256(key.encode("utf-8")).hexdigest())
    keys = trimmed.str.casefold()
    return keys


def _period_of(text: str) -> tuple[PeriodKind, dt.date] | str:
    """The kind and first day of a written period, or the reason it is not one."""
    if match := _WEEK.match(text):
        year, week = int(match.group(1)), int(match.group(2))
        try:
            return "week", dt.date.fromisocalendar(year, week, 1)
        except ValueError:
            return f"{year} has no ISO week {week}"
    if match := _MONTH.match(text):
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            return "the month must be 01 to 12"
        return "month", dt.date(year, month, 1)
    if _DATE.match(text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return "not a date"
        if day.weekday() != 0:
            monday = day - dt.timedelta(days=day.weekday())
            year, week, _ = day.isocalendar()
            return (
                f"is a {day:%A}: a week is written as its Monday (ISO weeks),"
                f" here {monday.isoformat()}, or as {year}-W{week:02d}"
            )
        return "week", day
    return "must be an ISO week (2026-W05), its Monday (2026-01-26) or a month (2026-01)"


def _lines(frame: pd.DataFrame, index) -> str:
    lines = [str(int(line)) for line in frame.loc[index, "line"]]
    shown = ", ".join(lines[:MAX_LINES_NAMED])
    return shown + (f" and {len(lines) - MAX_LINES_NAMED:,} more" if len(lines) > 5 else "")


def _read_periods(frame: pd.DataFrame, problems: list[Problem]) -> PeriodKind | None:
    """Column ``period`` replaced by each period's first day (a ``datetime64`` column); its
    kind, or None when its periods are of both kinds (a problem) or unreadable."""
    written = frame["period"]
    distinct = pd.Series(written.unique())
    read = {text: _period_of(text) for text in distinct}
    kinds = {value[0] for value in read.values() if isinstance(value, tuple)}
    for text, value in read.items():
        if isinstance(value, str):
            index = frame.index[written == text]
            first = int(frame.at[index[0], "line"])
            more = f" (also on line(s) {_lines(frame, index[1:])})" if len(index) > 1 else ""
            problems.append(Problem(f"line {first}, column period", f"{value}, got {text!r}{more}"))
    if len(kinds) > 1:
        weeks = [t for t, v in read.items() if isinstance(v, tuple) and v[0] == "week"][:1]
        months = [t for t, v in read.items() if isinstance(v, tuple) and v[0] == "month"][:1]
        message = f"mixes weeks ({weeks[0]!r}) and months ({months[0]!r}): use one kind of period"
        problems.append(Problem("column period", message))
        return None
    starts = {text: value[1] for text, value in read.items() if isinstance(value, tuple)}
    frame["period"] = pd.to_datetime(written.map(starts))
    return kinds.pop() if kinds else None


def _repeats(frame: pd.DataFrame, keys: list[str], what: str, problems: list[Problem]) -> None:
    """One problem per repeated key (a person's period given twice)."""
    repeated = frame.duplicated(keys, keep=False)
    if not repeated.any():
        return
    for _, rows in frame[repeated].groupby(keys, sort=False):
        lines = _lines(rows, rows.index)
        shown = ", ".join(f"{k} {rows.iloc[0][k]!s}" for k in keys if k != "period")
        problems.append(
            Problem(f"line {int(rows['line'].iloc[0])}", f"{what} ({shown}) is on lines {lines}")
        )
        if len(problems) > 50:
            break


def check_columns(columns: Mapping[str, str] | None, kind: str) -> dict[str, str]:
    """A column mapping (canonical column → the export's own name) for a ``kind`` file
    (``usage`` or ``outcomes``), checked: canonical names only, each export column once.

    Raises
    ------
    ImpactFileError
        Naming each unknown canonical column and each export column mapped twice.
    """
    canonical = {"usage": USAGE_REQUIRED + USAGE_OPTIONAL,
                 "outcomes": OUTCOMES_REQUIRED + OUTCOMES_OPTIONAL}[kind]  # fmt: skip
    mapping = {str(k).strip(): str(v).strip() for k, v in (columns or {}).items()}
    problems = [
        Problem(f"{kind}.{key}", f"not a column of a {kind} file; valid: {', '.join(canonical)}")
        for key in mapping
        if key not in canonical
    ]
    seen: dict[str, str] = {}
    for key, theirs in mapping.items():
        if not theirs:
            problems.append(Problem(f"{kind}.{key}", "names no column"))
        elif theirs.lower() in seen:
            problems.append(Problem(f"{kind}.{key}", (
                f"column {theirs!r} is already mapped to {seen[theirs.lower()]}")))  # fmt: skip
        seen[theirs.lower()] = key
    if problems:
        raise ImpactFileError("column mapping", problems)
    return mapping


def parse_mapping(data: object, source: str = "mapping") -> dict[str, dict[str, str]]:
    """A column mapping file's content: ``usage:`` and ``outcomes:``, each a mapping of
    canonical column to the export's own name (either may be left out), checked.

    >>> parse_mapping({"usage": {"person_id": "Email"}})
    {'usage': {'person_id': 'Email'}, 'outcomes': {}}
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ImpactFileError(source, [Problem("", "must hold usage: and outcomes: mappings")])
    problems = [Problem(str(key), "unknown field; valid fields: usage, outcomes")
                for key in data if key not in ("usage", "outcomes")]  # fmt: skip
    out: dict[str, dict[str, str]] = {}
    for kind in ("usage", "outcomes"):
        part = data.get(kind) or {}
        if not isinstance(part, dict):
            problems.append(Problem(kind, "must be a mapping of canonical column to column"))
            continue
        try:
            out[kind] = check_columns(part, kind)
        except ImpactFileError as error:
            problems.extend(error.problems)
    if problems:
        raise ImpactFileError(source, problems)
    return out


def _mapped(frame: pd.DataFrame, mapping: dict[str, str], source: str) -> pd.DataFrame:
    """The export's columns renamed to the canonical ones ``mapping`` names (matched
    case-insensitively); a canonical column the export also has under its own name is
    replaced by the mapped one."""
    if not mapping:
        return frame
    by_lower = {str(c).lower(): c for c in frame.columns}
    missing = [theirs for theirs in mapping.values() if theirs.lower() not in by_lower]
    if missing:
        have = ", ".join(str(c) for c in frame.columns if c != "line")
        message = (
            f"the mapping names column(s) {', '.join(repr(m) for m in missing)}, which the"
            f" file does not have; its header has: {have}"
        )
        raise ImpactFileError(source, [Problem(header_where(frame), message)])
    renamed = {by_lower[theirs.lower()]: canonical for canonical, theirs in mapping.items()}
    kept = [c for c in frame.columns if c in renamed or c not in mapping]
    return frame[kept].rename(columns=renamed)


def _in_their_words(error: ImpactFileError, mapping: dict[str, str]) -> ImpactFileError:
    """The error with each canonical column a problem names as the export's own."""
    if not mapping:
        return error
    named = []
    for problem in error.problems:
        match = re.search(r"column (\w+)$", problem.where)
        if match and match.group(1) in mapping:
            where = problem.where[: match.start()] + f"column {mapping[match.group(1)]!r}"
            problem = Problem(where, problem.message)
        named.append(problem)
    return ImpactFileError(error.source, named)


def _table(raw: bytes, source: str, required, optional, rows: str, max_bytes: int,
           mapping: dict[str, str] | None = None):  # fmt: skip
    text = check_raw(raw, source, ImpactFileError, max_bytes)
    delimiter = delimiter_of(text.split("\n", 1)[0], source, ImpactFileError)
    frame = read_table(text, delimiter, source, (*required, *optional), ImpactFileError)
    frame = canonical_table(
        _mapped(without_blank_rows(frame), mapping or {}, source), required, optional, source,
        ImpactFileError, rows,
    )  # fmt: skip
    return frame.reset_index(drop=True), delimiter


def _blank(frame: pd.DataFrame, column: str, problems: list[Problem]) -> None:
    blank = frame.index[frame[column] == ""]
    if len(blank):
        where = f"line {int(frame.at[blank[0], 'line'])}, column {column}"
        more = f" (also line(s) {_lines(frame, blank[1:])})" if len(blank) > 1 else ""
        problems.append(Problem(where, f"is empty{more}: every row needs a {column}"))


def _numbers(
    frame: pd.DataFrame, column: str, delimiter: str, rule: str, ok, problems: list[Problem]
) -> pd.Series:
    values = parse_numbers(frame, column, delimiter, problems, rule=rule)
    bad = values.notna() & ~ok(values)
    for index in frame.index[bad][: MAX_LINES_NAMED * 10]:
        where = f"line {int(frame.at[index, 'line'])}, column {column}"
        problems.append(Problem(where, f"must be {rule}, got {frame.at[index, column]!r}"))
    return values.mask(bad)


def read_usage(
    raw: bytes,
    source: str,
    hash_ids: bool = False,
    max_bytes: int = MAX_UPLOAD_BYTES,
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """A usage file: columns ``line``, ``person`` (the join key), ``period`` (first day),
    ``active_days`` (whole, 0 to the days of the period), ``actions`` (≥ 0 or NaN),
    ``team``; ``attrs["period_kind"]`` is ``week`` or ``month``. An export with other
    column names is read through ``columns`` (canonical → the export's own, see
    :func:`check_columns`); its problems then name the export's columns.

    Raises
    ------
    ImpactFileError
        Listing every problem, each with line, column, value and rule.
    """
    return _mapped_read(_usage, "usage", raw, source, hash_ids, max_bytes, columns)


def _mapped_read(reader, kind: str, raw, source, hash_ids, max_bytes, columns) -> pd.DataFrame:
    """``reader`` through a checked column mapping, its problems in the export's words."""
    mapping = check_columns(columns, kind)
    try:
        return reader(raw, source, hash_ids, max_bytes, mapping)
    except ImpactFileError as error:
        raise _in_their_words(error, mapping) from None


def _usage(raw: bytes, source: str, hash_ids: bool, max_bytes: int, mapping) -> pd.DataFrame:
    frame, delimiter = _table(raw, source, USAGE_REQUIRED, USAGE_OPTIONAL, "usage rows",
                              max_bytes, mapping)  # fmt: skip
    problems: list[Problem] = []
    _blank(frame, "person_id", problems)
    _blank(frame, "period", problems)
    kind = _read_periods(frame, problems) if not problems else None
    active = _numbers(
        frame, "active_days", delimiter, "a whole number of days ≥ 0",
        lambda v: (v >= 0) & (v == np.floor(v)), problems,
    )  # fmt: skip
    missing = frame.index[active.isna() & (frame["active_days"] == "")]
    if len(missing):
        where = f"line {int(frame.at[missing[0], 'line'])}, column active_days"
        problems.append(Problem(where, "is empty: write 0 for a period without use"))
    if kind is not None:
        days = _days_in(frame["period"], kind)
        over = frame.index[active.notna() & (active > days)]
        for index in over[: MAX_LINES_NAMED * 10]:
            where = f"line {int(frame.at[index, 'line'])}, column active_days"
            problems.append(Problem(where, (
                f"must be at most the {int(days[index])} days of the {kind},"
                f" got {frame.at[index, 'active_days']!r}"
            )))  # fmt: skip
    actions = _numbers(frame, "actions", delimiter, "a number ≥ 0", lambda v: v >= 0, problems)
    frame["person"] = person_key(frame["person_id"], hash_ids)
    if not problems:
        _repeats(frame, ["person", "period"], "the same person and period", problems)
    if problems:
        raise ImpactFileError(source, sorted_problems(problems, USAGE_REQUIRED + USAGE_OPTIONAL))
    out = pd.DataFrame({
        "line": frame["line"].astype(int), "person": frame["person"],
        "period": frame["period"], "active_days": active.astype(int),
        "actions": actions, "team": frame["team"],
    })  # fmt: skip
    out.attrs["period_kind"] = kind
    return out


def read_outcomes(
    raw: bytes,
    source: str,
    hash_ids: bool = False,
    max_bytes: int = MAX_UPLOAD_BYTES,
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """An outcomes file: columns ``line``, ``person``, ``period`` (first day), ``metric``
    (as written, trimmed), ``value`` (finite), ``team``; ``attrs["period_kind"]``;
    ``columns`` as for :func:`read_usage`.

    Raises
    ------
    ImpactFileError
        Listing every problem, each with line, column, value and rule.
    """
    return _mapped_read(_outcomes, "outcomes", raw, source, hash_ids, max_bytes, columns)


def _outcomes(raw: bytes, source: str, hash_ids: bool, max_bytes: int, mapping) -> pd.DataFrame:
    frame, delimiter = _table(raw, source, OUTCOMES_REQUIRED, OUTCOMES_OPTIONAL,
                              "outcome rows", max_bytes, mapping)  # fmt: skip
    problems: list[Problem] = []
    for column in ("person_id", "period", "metric"):
        _blank(frame, column, problems)
    kind = _read_periods(frame, problems) if not problems else None
    values = parse_numbers(frame, "value", delimiter, problems, rule="a number")
    missing = frame.index[values.isna() & (frame["value"] == "")]
    if len(missing):
        where = f"line {int(frame.at[missing[0], 'line'])}, column value"
        more = f" (also line(s) {_lines(frame, missing[1:])})" if len(missing) > 1 else ""
        problems.append(Problem(where, f"is empty{more}: leave out a row without a value"))
    frame["person"] = person_key(frame["person_id"], hash_ids)
    if not problems:
        _repeats(frame, ["person", "period", "metric"], "the same person, period and metric",
                 problems)  # fmt: skip
    if problems:
        columns = OUTCOMES_REQUIRED + OUTCOMES_OPTIONAL
        raise ImpactFileError(source, sorted_problems(problems, columns))
    out = pd.DataFrame({
        "line": frame["line"].astype(int), "person": frame["person"],
        "period": frame["period"], "metric": frame["metric"], "value": values,
        "team": frame["team"],
    })  # fmt: skip
    out.attrs["period_kind"] = kind
    return out


def read_metrics(raw: bytes, source: str) -> dict[str, MetricInfo]:
    """The metrics' companion: each metric once, with its unit and ``higher`` or ``lower``.

    Raises
    ------
    ImpactFileError
        Listing every problem, each with line, column, value and rule.
    """
    frame, _ = _table(raw, source, METRICS_REQUIRED, (), "metric rows", 1024 * 1024)
    problems: list[Problem] = []
    _blank(frame, "metric", problems)
    frame["better"] = frame["better"].str.lower()
    for index in frame.index[~frame["better"].isin(BETTER)]:
        where = f"line {int(frame.at[index, 'line'])}, column better"
        got = frame.at[index, "better"]
        problems.append(Problem(where, f"must be higher or lower, got {got!r}"))
    for metric, rows in frame[frame.duplicated("metric", keep=False)].groupby("metric"):
        problems.append(
            Problem(f"line {int(rows['line'].iloc[1])}, column metric",
                    f"{metric!r} is declared again (first on line {int(rows['line'].iloc[0])})")
        )  # fmt: skip
    if problems:
        raise ImpactFileError(source, sorted_problems(problems, METRICS_REQUIRED))
    return {
        row.metric: MetricInfo(row.metric, row.unit, row.better)
        for row in frame.itertuples(index=False)
    }


def _days_in(starts: pd.Series, kind: PeriodKind) -> pd.Series:
    """Calendar days of each period (7 for a week)."""
    if kind == "week":
        return pd.Series(7, index=starts.index)
    return starts.dt.days_in_month


def working_days(starts: pd.Series, kind: PeriodKind) -> pd.Series:
    """Monday-to-Friday days of each period: 5 for a week, 20 to 23 for a month (public
    holidays are not known here and count as working days).

    >>> working_days(pd.Series(pd.to_datetime(["2026-02-01", "2026-03-01"])), "month").tolist()
    [20, 22]
    """
    if kind == "week":
        return pd.Series(5, index=starts.index)
    first = starts.values.astype("datetime64[D]")
    last = (starts + pd.offsets.MonthBegin(1)).values.astype("datetime64[D]")
    return pd.Series(np.busday_count(first, last), index=starts.index)
