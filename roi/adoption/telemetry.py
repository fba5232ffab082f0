"""Adoption telemetry: the format of an export detected, read into one daily table, and its
data-quality problems listed (never silently dropped or corrected).

Formats:

- ``github_copilot_metrics``: GitHub's Copilot metrics API (``GET /orgs/{org}/copilot/metrics``
  or ``/orgs/{org}/team/{team}/copilot/metrics``), a JSON list of days with
  ``total_active_users``, ``total_engaged_users`` and nested sections; code completion
  counts live in ``copilot_ide_code_completions`` → ``editors`` → ``models`` → ``languages``.
- ``github_copilot_usage``: the older usage API, a JSON list of ``day`` totals
  (``total_suggestions_count`` …) with a ``breakdown`` by language and editor.
- ``m365_copilot_usage``: Microsoft 365 Copilot usage, user detail report (CSV), one row per
  licensed user with the last activity date per app.
- ``adoption_csv``: our canonical table, one row per date and team.

The daily table has one row per (date, team) as reported, with columns ``eligible_users``,
``licensed_users``, ``active_users``, ``engaged_users``, ``monthly_active_users``,
``actions``, ``suggestions``, ``acceptances``, ``lines_suggested``, ``lines_accepted`` and
``chats``; a figure the source does not have is NaN.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from roi.core.casefile import Problem
from roi.io.csvtable import (
    MAX_UPLOAD_BYTES,
    TableError,
    canonical_table,
    check_raw,
    decode,
    delimiter_of,
    drop_blank_rows,
    parse_numbers,
    read_table,
    sorted_problems,
)

Format = Literal[
    "github_copilot_metrics", "github_copilot_usage", "m365_copilot_usage", "adoption_csv"
]
FORMATS: tuple[Format, ...] = (
    "github_copilot_metrics",
    "github_copilot_usage",
    "m365_copilot_usage",
    "adoption_csv",
)
FIGURES = (
    "eligible_users",
    "licensed_users",
    "active_users",
    "engaged_users",
    "monthly_active_users",
    "actions",
    "suggestions",
    "acceptances",
    "lines_suggested",
    "lines_accepted",
    "chats",
)
CANONICAL_REQUIRED = ("date", "team", "eligible_users", "active_users")
CANONICAL_OPTIONAL = ("engaged_users", "actions", "licensed_users", "monthly_active_users")
M365_REQUIRED = ("Report Refresh Date", "User Principal Name", "Last Activity Date")
EMPTY_TEAM_NOTE = (
    "the export holds no day: GitHub sends no Copilot metrics for a team (or organisation) with"
    " fewer than five members with an active licence on a day, so this is missing data, not"
    " zero use"
)
ALL_TEAMS = "all"
ACTIVE_WINDOW_DAYS = 30
MAX_COUNT = 10**15
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class TelemetryError(TableError):
    """An export that cannot be used; ``problems`` lists every problem found."""


@dataclass(frozen=True)
class QualityNote:
    """A figure that is suspicious but kept as reported: where (``date`` and path) and what."""

    date: str | None
    where: str
    message: str

    def __str__(self) -> str:
        return " ".join(part for part in (self.date, self.where) if part) + f": {self.message}"


@dataclass(frozen=True)
class Telemetry:
    """An export read into one table. ``daily`` has ``date`` (datetime64), ``team`` and
    :data:`FIGURES`; ``users`` (per-user formats only) has ``snapshot``, ``user``,
    ``last_activity`` and one column per app; ``note`` explains an empty export."""

    format: Format
    source: str
    daily: pd.DataFrame
    users: pd.DataFrame | None
    data_quality: tuple[QualityNote, ...]
    note: str | None = None


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
        data = _json(stripped, source)
        return _from_json(data, source, label)
    if not text.split("\n", 1)[0].strip():
        message = "is blank: the header (the column names) must be on the first line"
        raise TelemetryError(source, [Problem("line 1", message)])
    delimiter = delimiter_of(text.split("\n", 1)[0], source, TelemetryError)
    first_line = text.split("\n", 1)[0].split(delimiter)
    header = [h.strip().strip('"').strip().lower() for h in first_line]
    if {"report refresh date", "user principal name"} & set(header):
        return _m365(text, delimiter, source, label)
    if len(set(CANONICAL_REQUIRED) & set(header)) >= 2:
        return _canonical(text, delimiter, source)
    raise TelemetryError(source, [Problem("line 1", _unknown_csv(header))])


def _unknown_csv(header: list[str]) -> str:
    return (
        "not a known adoption export: an adoption CSV needs the columns "
        f"{', '.join(CANONICAL_REQUIRED)}; a Microsoft 365 Copilot usage report needs "
        f"{', '.join(M365_REQUIRED)}; the header has {', '.join(h for h in header if h)}"
    )


def _json(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise TelemetryError(source, [Problem(where, f"not valid JSON: {error.msg}")]) from None


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
        return Telemetry(
            "github_copilot_metrics", source, _empty_daily(), None, (), EMPTY_TEAM_NOTE
        )
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
        return _github_metrics(data, source, team)
    if isinstance(first, dict) and "day" in first and "total_suggestions_count" in first:
        return _github_usage(data, source, team)
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


def _empty_daily() -> pd.DataFrame:
    frame = pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "team": pd.Series(dtype=str)})
    for figure in FIGURES:
        frame[figure] = pd.Series(dtype=float)
    return frame


class _Counts:
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


def _items(node: Any, key: str) -> list[tuple[int, dict]]:
    """The dict items of a list field (missing or null: none)."""
    values = node.get(key) if isinstance(node, dict) else None
    if not isinstance(values, list):
        return []
    return [(i, v) for i, v in enumerate(values) if isinstance(v, dict)]


def _day(node: dict, key: str, path: str, problems: list[Problem]) -> str | None:
    value = node.get(key)
    if value is None:
        problems.append(Problem(f"{path}.{key}", "is missing"))
        return None
    if not isinstance(value, str) or not _DATE.match(value):
        problems.append(
            Problem(f"{path}.{key}", f"must be a date written YYYY-MM-DD, got {value!r}")
        )
        return None
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        problems.append(Problem(f"{path}.{key}", f"is not a calendar date, got {value!r}"))
        return None
    return value


def _github_metrics(data: list, source: str, team: str) -> Telemetry:
    problems: list[Problem] = []
    notes: list[QualityNote] = []
    counts = _Counts(problems)
    rows = []
    for i, day in enumerate(data):
        path = f"[{i}]"
        if not isinstance(day, dict):
            problems.append(Problem(path, f"must be an object (a day), got {type(day).__name__}"))
            continue
        date = _day(day, "date", path, problems)
        active = counts.get(day, "total_active_users", path, missing=np.nan)
        engaged = counts.get(day, "total_engaged_users", path, missing=np.nan)
        completions = day.get("copilot_ide_code_completions") or {}
        totals = dict.fromkeys(
            ("suggestions", "acceptances", "lines_suggested", "lines_accepted"), 0.0
        )
        section = f"{path}.copilot_ide_code_completions"
        for e, editor in _items(completions, "editors"):
            for m, model in _items(editor, "models"):
                for n, language in _items(model, "languages"):
                    where = f"{section}.editors[{e}].models[{m}].languages[{n}]"
                    figures = {
                        "suggestions": counts.get(language, "total_code_suggestions", where),
                        "acceptances": counts.get(language, "total_code_acceptances", where),
                        "lines_suggested": counts.get(
                            language, "total_code_lines_suggested", where
                        ),
                        "lines_accepted": counts.get(language, "total_code_lines_accepted", where),
                    }
                    for key, value in figures.items():
                        totals[key] += value
        chats = 0.0
        pull_requests = 0.0
        for e, editor in _items(day.get("copilot_ide_chat") or {}, "editors"):
            for m, model in _items(editor, "models"):
                chats += counts.get(
                    model, "total_chats", f"{path}.copilot_ide_chat.editors[{e}].models[{m}]"
                )
        for m, model in _items(day.get("copilot_dotcom_chat") or {}, "models"):
            chats += counts.get(model, "total_chats", f"{path}.copilot_dotcom_chat.models[{m}]")
        for r, repository in _items(day.get("copilot_dotcom_pull_requests") or {}, "repositories"):
            for m, model in _items(repository, "models"):
                where = f"{path}.copilot_dotcom_pull_requests.repositories[{r}].models[{m}]"
                pull_requests += counts.get(model, "total_pr_summaries_created", where)
        if date is None:
            continue
        notes += _metrics_quality(day, path, date, active, engaged, totals, counts)
        rows.append(
            {
                "date": date,
                "team": team,
                "active_users": active,
                "engaged_users": engaged,
                "actions": totals["acceptances"] + chats + pull_requests,
                "chats": chats,
                **totals,
            }
        )
    if problems:
        raise TelemetryError(source, problems)
    daily = _daily(rows)
    notes += _calendar_quality(daily)
    return Telemetry("github_copilot_metrics", source, daily, None, tuple(notes))


def _metrics_quality(
    day: dict, path: str, date: str, active: float, engaged: float, totals: dict, counts: _Counts
) -> list[QualityNote]:
    notes = []
    if engaged > active:
        notes.append(
            QualityNote(
                date, "total_engaged_users", f"{engaged:g} engaged users but {active:g} active"
            )
        )
    for key in (
        "copilot_ide_code_completions",
        "copilot_ide_chat",
        "copilot_dotcom_chat",
        "copilot_dotcom_pull_requests",
    ):
        section = day.get(key)
        if not isinstance(section, dict):
            continue
        part = counts.get(section, "total_engaged_users", f"{path}.{key}", missing=np.nan)
        if part > engaged:
            notes.append(
                QualityNote(
                    date,
                    f"{key}.total_engaged_users",
                    f"the breakdown does not add up: {part:g} engaged users in this section but"
                    f" {engaged:g} engaged in total",
                )
            )
        editors = _items(section, "editors")
        if editors:
            in_editors = sum(
                counts.get(e, "total_engaged_users", f"{path}.{key}.editors[{i}]")
                for i, e in editors
            )
            if in_editors < part:
                notes.append(
                    QualityNote(
                        date,
                        f"{key}.editors",
                        f"the breakdown does not add up: the editors count {in_editors:g} engaged"
                        f" users, fewer than the section's {part:g}",
                    )
                )
    notes += _count_quality(date, totals)
    return notes


def _count_quality(date: str, totals: dict) -> list[QualityNote]:
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


def _github_usage(data: list, source: str, team: str) -> Telemetry:
    problems: list[Problem] = []
    notes: list[QualityNote] = []
    counts = _Counts(problems)
    pairs = {
        "suggestions": ("total_suggestions_count", "suggestions_count"),
        "acceptances": ("total_acceptances_count", "acceptances_count"),
        "lines_suggested": ("total_lines_suggested", "lines_suggested"),
        "lines_accepted": ("total_lines_accepted", "lines_accepted"),
    }
    rows = []
    for i, day in enumerate(data):
        path = f"[{i}]"
        if not isinstance(day, dict):
            problems.append(Problem(path, f"must be an object (a day), got {type(day).__name__}"))
            continue
        date = _day(day, "day", path, problems)
        totals = {
            key: counts.get(day, total, path, required=True) for key, (total, _) in pairs.items()
        }
        active = counts.get(day, "total_active_users", path, required=True)
        chats = counts.get(day, "total_chat_turns", path)
        parts = _items(day, "breakdown")
        sums = dict.fromkeys(pairs, 0.0)
        for b, part in parts:
            for key, (_, field) in pairs.items():
                sums[key] += counts.get(part, field, f"{path}.breakdown[{b}]")
            part_active = counts.get(part, "active_users", f"{path}.breakdown[{b}]")
            if date and part_active > active:
                notes.append(
                    QualityNote(
                        date,
                        f"breakdown[{b}].active_users",
                        f"{part_active:g} active users in one breakdown but {active:g} in total",
                    )
                )
        if date is None:
            continue
        if parts:
            for key, (total, _) in pairs.items():
                if sums[key] != totals[key]:
                    notes.append(
                        QualityNote(
                            date,
                            total,
                            f"the breakdown does not add up: it sums to {sums[key]:g}, the total"
                            f" says {totals[key]:g}; the total is used",
                        )
                    )
        notes += _count_quality(date, totals)
        rows.append(
            {
                "date": date,
                "team": team,
                "active_users": active,
                "actions": totals["acceptances"] + chats,
                "chats": chats,
                **totals,
            }
        )
    if problems:
        raise TelemetryError(source, problems)
    daily = _daily(rows)
    notes += _calendar_quality(daily)
    return Telemetry("github_copilot_usage", source, daily, None, tuple(notes))


def _daily(rows: list[dict]) -> pd.DataFrame:
    if not rows:
        return _empty_daily()
    frame = pd.DataFrame(rows)
    frame["date"] = pd.to_datetime(frame["date"])
    for figure in FIGURES:
        frame[figure] = frame[figure].astype(float) if figure in frame else np.nan
    return frame[["date", "team", *FIGURES]].reset_index(drop=True)


def _calendar_quality(daily: pd.DataFrame) -> list[QualityNote]:
    """Dates given twice for a team, and gaps in a team's daily series (GitHub leaves out
    days below five licences). A team whose rows are never a day apart (weekly or monthly
    rows) has no day to miss."""
    notes = []
    frame = daily[["team", "date"]]
    for team, date in frame[frame.duplicated()].drop_duplicates().itertuples(index=False):
        message = "the day appears more than once; every record is counted"
        notes.append(QualityNote(date.date().isoformat(), f"team {team}", message))
    unique = frame.drop_duplicates().sort_values(["team", "date"], kind="stable")
    step = unique.groupby("team", sort=False)["date"].diff().dt.days
    daily_team = step.groupby(unique["team"], sort=False).transform("min") == 1
    for team, date, gap in zip(
        unique["team"][daily_team & (step > 1)],
        unique["date"][daily_team & (step > 1)],
        step[daily_team & (step > 1)],
        strict=True,
    ):
        first = (date - pd.Timedelta(days=int(gap) - 1)).date().isoformat()
        message = f"{int(gap) - 1} day(s) missing: no record, which is not the same as no use"
        notes.append(QualityNote(first, f"team {team}", message))
    return notes


def _m365(text: str, delimiter: str, source: str, team: str) -> Telemetry:
    frame = read_table(text, delimiter, source, (), TelemetryError)
    names = {c.lower(): c for c in frame.columns}
    problems = []
    for column in (*M365_REQUIRED,):
        if column.lower() not in names:
            problems.append(Problem("line 1", f"missing column {column!r}"))
    if problems:
        raise TelemetryError(source, problems)
    frame = frame.rename(columns={names[c.lower()]: c for c in M365_REQUIRED})
    frame = drop_blank_rows(
        frame.astype({c: str for c in frame.columns if c != "line"}),
        [c for c in frame.columns if c != "line"],
    )
    if frame.empty:
        raise TelemetryError(source, [Problem("", "has no user rows after the header")])
    apps = [
        c for c in frame.columns if c.endswith("Last Activity Date") and c != "Last Activity Date"
    ]
    date_columns = ["Report Refresh Date", "Last Activity Date", *apps]
    parsed = {}
    for column in date_columns:
        values = frame[column].str.strip()
        dates = pd.to_datetime(values.where(values != ""), format="%Y-%m-%d", errors="coerce")
        bad = (values != "") & dates.isna()
        for index in frame.index[bad]:
            problems.append(
                Problem(
                    f"line {frame.at[index, 'line']}, column {column}",
                    f"must be a date written YYYY-MM-DD or blank, got {values[index]!r}",
                )
            )
        parsed[column] = dates
    for index in frame.index[
        parsed["Report Refresh Date"].isna() & (frame["Report Refresh Date"].str.strip() == "")
    ]:
        problems.append(
            Problem(f"line {frame.at[index, 'line']}, column Report Refresh Date", "is missing")
        )
    users = frame["User Principal Name"].str.strip()
    for index in frame.index[users == ""]:
        problems.append(
            Problem(f"line {frame.at[index, 'line']}, column User Principal Name", "is missing")
        )
    if "Report Period" in frame.columns:
        parse_numbers(frame, "Report Period", delimiter, problems)  # reported if unreadable
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
    notes = []
    behind = latest.notna() & ~(parsed["Last Activity Date"] >= latest)
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
    daily = _daily([{**r, "date": r["date"].date().isoformat()} for r in rows])
    return Telemetry("m365_copilot_usage", source, daily, table, tuple(notes))


def _canonical(text: str, delimiter: str, source: str) -> Telemetry:
    import pandera.pandas as pa

    columns = (*CANONICAL_REQUIRED, *CANONICAL_OPTIONAL)
    frame = read_table(text, delimiter, source, columns, TelemetryError)
    frame = canonical_table(frame, CANONICAL_REQUIRED, CANONICAL_OPTIONAL, source, TelemetryError)
    problems: list[Problem] = []
    numbers = ("eligible_users", "active_users", *CANONICAL_OPTIONAL)
    texts = frame[list(numbers)].copy()
    for column in numbers:
        frame[column] = parse_numbers(frame, column, delimiter, problems)
    dates = pd.to_datetime(
        frame["date"].where(frame["date"].str.match(_DATE.pattern)),
        format="%Y-%m-%d",
        errors="coerce",
    )
    for index in frame.index[dates.isna()]:
        problems.append(
            Problem(
                f"line {frame.at[index, 'line']}, column date",
                f"must be a date written YYYY-MM-DD, got {frame.at[index, 'date']!r}",
            )
        )
    for column in ("eligible_users", "active_users"):
        for index in frame.index[texts[column] == ""]:
            problems.append(
                Problem(f"line {frame.at[index, 'line']}, column {column}", "is missing")
            )
    count = [
        pa.Check.ge(0),
        pa.Check(lambda s: (s % 1 == 0) | s.isna(), element_wise=False, name="whole"),
    ]
    schema = pa.DataFrameSchema(
        {
            "team": pa.Column(str, pa.Check.str_length(min_value=1)),
            **{column: pa.Column(float, count, nullable=True) for column in numbers},
        },
        checks=[
            pa.Check(
                lambda df: ~(df["active_users"] > df["eligible_users"]),
                name="active_above_eligible",
            ),
            pa.Check(
                lambda df: ~(df["engaged_users"] > df["active_users"]), name="engaged_above_active"
            ),
            pa.Check(
                lambda df: ~(df["active_users"] > df["licensed_users"]),
                name="active_above_licensed",
            ),
            pa.Check(
                lambda df: ~(df["active_users"] > df["monthly_active_users"]),
                name="daily_above_monthly",
            ),
            pa.Check(
                lambda df: ~(df["monthly_active_users"] > df["eligible_users"]),
                name="monthly_above_eligible",
            ),
            pa.Check(
                lambda df: ~(df["monthly_active_users"] > df["licensed_users"]),
                name="monthly_above_licensed",
            ),
        ],
        strict=False,
    )
    rules = {
        "team": ("team", "must not be empty"),
        "active_above_eligible": (
            "active_users",
            "must not exceed eligible_users ({eligible_users})",
        ),
        "engaged_above_active": ("engaged_users", "must not exceed active_users ({active_users})"),
        "active_above_licensed": (
            "active_users",
            "must not exceed licensed_users ({licensed_users})",
        ),
        "daily_above_monthly": (
            "active_users",
            "must not exceed monthly_active_users ({monthly_active_users})",
        ),
        "monthly_above_eligible": (
            "monthly_active_users",
            "must not exceed eligible_users ({eligible_users})",
        ),
        "monthly_above_licensed": (
            "monthly_active_users",
            "must not exceed licensed_users ({licensed_users})",
        ),
    }
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        for row in errors.failure_cases.itertuples(index=False):
            if row.index is None or (isinstance(row.index, float) and np.isnan(row.index)):
                continue
            line = frame.at[row.index, "line"]
            if row.check in rules:
                column, rule = rules[row.check]
                shown = (
                    texts.at[row.index, column] if column in texts else frame.at[row.index, column]
                )
                problems.append(
                    Problem(
                        f"line {line}, column {column}",
                        f"{rule.format(**texts.loc[row.index].to_dict())}, got {shown!r}",
                    )
                )
            elif row.column in numbers:
                if pd.isna(row.failure_case):
                    continue
                problems.append(
                    Problem(
                        f"line {line}, column {row.column}",
                        f"must be a whole number ≥ 0, got {texts.at[row.index, row.column]!r}",
                    )
                )
    frame["date"] = dates
    valid = frame.dropna(subset=["date"])
    repeated = valid.duplicated(["date", "team"], keep="first")
    first_lines = valid.drop_duplicates(["date", "team"]).set_index(["date", "team"])["line"]
    for index in valid.index[repeated]:
        key = (valid.at[index, "date"], valid.at[index, "team"])
        problems.append(
            Problem(
                f"line {valid.at[index, 'line']}, column date",
                f"repeats {key[0].date().isoformat()} for team {key[1]!r}"
                f" from line {first_lines[key]}",
            )
        )
    if problems:
        raise TelemetryError(source, sorted_problems(problems, columns))
    daily = frame[["date", "team", *numbers]].copy()
    for figure in FIGURES:
        if figure not in daily:
            daily[figure] = np.nan
    daily = daily[["date", "team", *FIGURES]].sort_values(["team", "date"], kind="stable")
    daily = daily.reset_index(drop=True)
    return Telemetry("adoption_csv", source, daily, None, tuple(_calendar_quality(daily)))


__all__ = [
    "FIGURES",
    "FORMATS",
    "QualityNote",
    "Telemetry",
    "TelemetryError",
    "decode",
    "read_telemetry",
]
