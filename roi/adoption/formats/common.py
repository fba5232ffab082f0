"""What every telemetry importer shares: the format names (``Format``, :data:`FORMATS`), the
figures of the daily table (:data:`FIGURES`), the result types (:class:`Telemetry`,
:class:`QualityNote`, :class:`TelemetryError`), the builder of the daily table and the
calendar checks run on every dated table.

The bottom of :mod:`roi.adoption.formats`: imports only :mod:`roi.io`. A new format adds its
name to ``Format`` and :data:`FORMATS` here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np
import pandas as pd

from roi.io.csvtable import TableError
from roi.io.dates import moved_note

Format = Literal[
    "github_copilot_metrics",
    "github_copilot_usage",
    "github_usage_metrics",
    "github_usage_metrics_users",
    "m365_copilot_usage",
    "m365_copilot_user_counts",
    "viva_insights_person_query",
    "cursor_daily_usage",
    "claude_code_usage",
    "adoption_csv",
]
FORMATS: tuple[Format, ...] = get_args(Format)
# The tool each format measures: the cross-tool view compares tools, not formats.
TOOLS: dict[str, str] = {
    "github_copilot_metrics": "GitHub Copilot",
    "github_copilot_usage": "GitHub Copilot",
    "github_usage_metrics": "GitHub Copilot",
    "github_usage_metrics_users": "GitHub Copilot",
    "m365_copilot_usage": "Microsoft 365 Copilot",
    "m365_copilot_user_counts": "Microsoft 365 Copilot",
    "viva_insights_person_query": "Microsoft 365 Copilot",
    "cursor_daily_usage": "Cursor",
    "claude_code_usage": "Claude Code",
    "adoption_csv": "AI tool",
}
# Formats that list only the people who used the tool (never an idle licence): their idle
# seats need the number of seats bought (roi.adoption.billing.idle_seats).
ACTIVE_ONLY: frozenset[str] = frozenset({"github_usage_metrics_users", "claude_code_usage"})
# What each format is called on the page ("read as ...").
FORMAT_NAMES: dict[str, str] = {
    "github_copilot_metrics": "GitHub Copilot metrics API (/copilot/metrics, closed 2026-04-02)",
    "github_copilot_usage": "GitHub Copilot usage API (/copilot/usage, closed 2025)",
    "github_usage_metrics": "GitHub Copilot usage metrics report (aggregate)",
    "github_usage_metrics_users": "GitHub Copilot usage metrics report (per user)",
    "m365_copilot_usage": "Microsoft 365 Copilot usage, user detail report",
    "m365_copilot_user_counts": "Microsoft 365 Copilot usage, user count summary or trend",
    "viva_insights_person_query": "Viva Insights person query",
    "cursor_daily_usage": "Cursor daily usage data (Admin API)",
    "claude_code_usage": "Claude Code usage report (Admin API)",
    "adoption_csv": "adoption CSV (this product's own format)",
}
# The daily table's figures: one row per (date, team), summed over rows by the metrics of
# roi.adoption.usage (so each must be a count that adds up: no medians or shares here).
FIGURES = (
    "eligible_users",
    "licensed_users",
    "active_users",
    "engaged_users",
    "weekly_active_users",
    "monthly_active_users",
    "chat_users",
    "agent_users",
    "cli_users",
    "actions",
    "interactions",
    "suggestions",
    "acceptances",
    "lines_suggested",
    "lines_accepted",
    "lines_added",
    "lines_deleted",
    "chats",
    "prompts",
    "sessions",
    "requests",
    "tokens",
    "credits",
    "cost",
    "pull_requests_created",
    "pull_requests_merged",
    "pull_requests_reviewed",
    "pull_requests_created_by_ai",
    "pull_requests_merged_created_by_ai",
)
# What a figure means when the format does not say otherwise (Telemetry.labels overrides).
FIGURE_LABELS: dict[str, str] = {
    "eligible_users": "people who could use the tool",
    "licensed_users": "people with a licence (seats assigned)",
    "active_users": "people active on the day",
    "engaged_users": "people who used a feature beyond the minimum",
    "weekly_active_users": "people active in the trailing 7 days",
    "monthly_active_users": "people active in the trailing month",
    "chat_users": "people who used chat",
    "agent_users": "people who used agent mode",
    "cli_users": "people who used the command-line tool",
    "actions": "uses of the tool (accepted completions, chats, prompts ...)",
    "interactions": "user-initiated interactions (prompts, chat turns)",
    "suggestions": "code suggestions shown",
    "acceptances": "code suggestions accepted",
    "lines_suggested": "lines of code suggested",
    "lines_accepted": "lines of code accepted",
    "lines_added": "lines of code added with the tool",
    "lines_deleted": "lines of code deleted with the tool",
    "chats": "chat conversations or requests",
    "prompts": "prompts submitted",
    "sessions": "sessions",
    "requests": "requests (billable units where the vendor bills by request)",
    "tokens": "tokens (input and output)",
    "credits": "AI credits or premium requests consumed (usage-billed units)",
    "cost": "spend as reported by the vendor, in Telemetry.currency",
    "pull_requests_created": "pull requests created",
    "pull_requests_merged": "pull requests merged",
    "pull_requests_reviewed": "pull requests reviewed",
    "pull_requests_created_by_ai": "pull requests created by the AI agent",
    "pull_requests_merged_created_by_ai": "merged pull requests created by the AI agent",
}
# The long table of breakdowns (Telemetry.breakdown): a figure per (date, team, dimension,
# key), for instance ("2026-04-01", "all", "feature", "code_completion", "acceptances", 12).
BREAKDOWN_COLUMNS = ("date", "team", "dimension", "key", "figure", "value")
# The per-user-day table (Telemetry.user_days): one row per user and day with a record;
# ``active`` says whether the user did anything that day, the other figures are any of
# FIGURES that a user can have (NaN where the source lacks them), plus text columns
# ``phase`` (GitHub's adoption phase) and ``model`` (the most used model) where given.
USER_DAY_COLUMNS = ("date", "user", "team", "active")


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
    :data:`FIGURES`; ``users`` (per-user snapshot formats only) has ``snapshot``, ``user``,
    ``last_activity`` and one column per app; ``note`` explains an empty export.

    Fields the newer formats fill in (all optional):

    - ``breakdown``: :data:`BREAKDOWN_COLUMNS`, figures by feature, IDE, language, model,
      app, CLI (``dimension``); ``None`` when the source has none.
    - ``user_days``: :data:`USER_DAY_COLUMNS` and per-user figures, one row per user and
      day (activity days for idle licences, cohorts and usage per active user).
    - ``labels``: figure → what it means in this source, where it differs from
      :data:`FIGURE_LABELS` (GitHub's monthly active users are a trailing 28-day window).
    - ``scope``: whose data it is, as the source names it (``organization 100000001``);
      two scopes are never merged.
    - ``period``: the report's first and last day (YYYY-MM-DD) where it states them;
      ``created``: when the report was generated, where it says (for de-duplication).
    - ``currency``: the currency of ``cost`` (ISO code) where the source reports spend.
    - ``medians``: day-level medians that cannot be summed (GitHub's median minutes to merge
      a pull request): ``date``, ``team``, ``figure``, ``value``, ``weight`` (the count the
      median is over, for a weighted summary).
    """

    format: Format
    source: str
    daily: pd.DataFrame
    users: pd.DataFrame | None
    data_quality: tuple[QualityNote, ...]
    note: str | None = None
    breakdown: pd.DataFrame | None = None
    user_days: pd.DataFrame | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    scope: str | None = None
    period: tuple[str, str] | None = None
    created: str | None = None
    currency: str | None = None
    medians: pd.DataFrame | None = None

    @property
    def tool(self) -> str:
        """The tool the export measures (GitHub Copilot, Cursor ...)."""
        return TOOLS[self.format]

    @property
    def format_name(self) -> str:
        """The format as the page names it."""
        return FORMAT_NAMES[self.format]

    def label(self, figure: str) -> str:
        """What ``figure`` means in this export."""
        return self.labels.get(figure, FIGURE_LABELS.get(figure, figure))

    @property
    def row(self) -> str:
        """What one date of the daily table covers: ``day``, or ``week`` (Viva Insights'
        person query grouped by week, the ``row`` label)."""
        return self.labels.get("row", "day")


def empty_daily() -> pd.DataFrame:
    """A daily table with no row: ``date`` (datetime64), ``team`` and :data:`FIGURES`."""
    frame = pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "team": pd.Series(dtype=str)})
    for figure in FIGURES:
        frame[figure] = pd.Series(dtype=float)
    return frame


def daily_table(rows: list[dict]) -> pd.DataFrame:
    """The daily table of ``rows`` (dicts with ``date`` as YYYY-MM-DD, ``team`` and any of
    :data:`FIGURES`), in their order; a figure no row has is NaN."""
    if not rows:
        return empty_daily()
    frame = pd.DataFrame(rows)
    frame["date"] = pd.to_datetime(frame["date"])
    for figure in FIGURES:
        frame[figure] = frame[figure].astype(float) if figure in frame else np.nan
    return frame[["date", "team", *FIGURES]].reset_index(drop=True)


def json_where(where: str, path: str) -> str:
    """A problem's place in a JSON or NDJSON file: ``where`` is the record's place as
    :func:`roi.adoption.telemetry.read_telemetry` gives it (``line 7`` of an NDJSON file,
    ``[3]`` or ``data[3]`` in a JSON list, ``""`` for a whole-file object) and ``path`` the
    field's path inside the record (``day_totals[2].daily_active_users``)."""
    if not where:
        return path
    if not path:
        return where
    if where.startswith("line "):
        return f"{where}, {path}"
    return f"{where}{path}" if path.startswith("[") else f"{where}.{path}"


def breakdown_table(rows: list[dict]) -> pd.DataFrame:
    """The breakdown table of ``rows`` (dicts with :data:`BREAKDOWN_COLUMNS`, ``date`` as
    YYYY-MM-DD), in their order."""
    frame = pd.DataFrame(rows, columns=list(BREAKDOWN_COLUMNS))
    frame["date"] = pd.to_datetime(frame["date"])
    frame["value"] = frame["value"].astype(float)
    return frame.astype({"team": str, "dimension": str, "key": str, "figure": str})


def user_day_table(rows: list[dict]) -> pd.DataFrame:
    """The per-user-day table of ``rows`` (dicts with :data:`USER_DAY_COLUMNS`, ``date`` as
    YYYY-MM-DD, and any of :data:`FIGURES`, ``phase``, ``model``), in their order; a figure
    is float, NaN where a row lacks it."""
    frame = pd.DataFrame(rows)
    if frame.empty:
        frame = pd.DataFrame(columns=list(USER_DAY_COLUMNS))
    frame["date"] = pd.to_datetime(frame["date"])
    frame["active"] = frame["active"].astype(bool)
    for column in frame.columns:
        if column in FIGURES:
            frame[column] = frame[column].astype(float)
    rest = [c for c in frame.columns if c not in USER_DAY_COLUMNS]
    return frame[[*USER_DAY_COLUMNS, *rest]].reset_index(drop=True)


def calendar_quality(daily: pd.DataFrame) -> list[QualityNote]:
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


def moved_dates_note(
    frame: pd.DataFrame, column: str, moved: dict[object, dt.date]
) -> list[QualityNote]:
    """The note (none when ``moved`` is empty) for the dates of ``column`` that a time zone
    puts on another day in UTC (``moved``: index → the date in UTC, as
    :func:`roi.io.dates.read_dates` gives it); the dates as written are kept."""
    if not moved:
        return []
    lines = [int(frame.at[index, "line"]) for index in moved]
    written = [str(frame.at[index, column]).strip() for index in moved]
    message = moved_note(lines, written, list(moved.values()))
    return [QualityNote(None, f"column {column}", message)]


def same_names(
    names: pd.Series, places: pd.Series, what: str, noun: str = "names"
) -> tuple[pd.Series, list[QualityNote]]:
    """``names`` (ids, user names, team names) compared trimmed and case-folded: every
    spelling of one name becomes the first one written (``Alice@x.com `` and ``alice@x.com``
    are one person), with a note for each other spelling naming its first place in
    ``places`` (``line 7``, ``data[3].email``: see :func:`line_places`), ``what`` it names
    and the ``noun`` compared (names, e-mails)."""
    trimmed = names.astype(str).str.strip()
    keys = trimmed.str.casefold()
    first = trimmed.groupby(keys, sort=False).transform("first")
    notes = []
    other = trimmed != first
    seen: set[str] = set()
    for index in trimmed.index[other & (trimmed != "")]:
        spelling = trimmed[index]
        if spelling in seen:
            continue
        seen.add(spelling)
        notes.append(
            QualityNote(
                None,
                str(places[index]),
                f"{what} {spelling!r} is read as {first[index]!r}, as first written ({noun} are"
                " compared without regard to case or surrounding spaces)",
            )
        )
    return first, notes


def line_places(lines: pd.Series) -> pd.Series:
    """CSV line numbers as problem places: ``7`` → ``line 7``."""
    return "line " + lines.astype(str)


MONTH_WINDOW_DAYS = 28
# Per-user flags of user_days counted as users per day in the daily table.
USER_FLAGS = {"used_chat": "chat_users", "used_agent": "agent_users", "used_cli": "cli_users"}


def daily_from_user_days(
    user_days: pd.DataFrame, window_days: int = MONTH_WINDOW_DAYS
) -> pd.DataFrame:
    """The daily table of a per-user-day table: per (date, team) ``active_users`` (distinct
    active users), ``licensed_users`` (distinct users listed), the users of each flag of
    :data:`USER_FLAGS` (distinct users with it that day), the sums of every figure of
    :data:`FIGURES` the table has, and ``monthly_active_users``: distinct users active in
    the trailing ``window_days`` days, only on days with ``window_days`` days of data
    before them (NaN before; a shorter window would undercount)."""
    if user_days.empty:
        return empty_daily()
    frame = user_days
    repeated = frame.duplicated(["date", "team", "user"], keep="last")
    if repeated.any():  # no copy of a table without repeats (a year is a million rows)
        frame = frame[~repeated.to_numpy()]
    keys = ["date", "team"]
    grouped = frame.groupby(keys, sort=True)
    daily = pd.DataFrame({"licensed_users": grouped["user"].size().astype(float)})
    is_active = frame["active"].to_numpy(dtype=bool)
    # Counts of flagged rows per group: sums of the flags, not copies of the flagged rows.
    counted = {"active_users": is_active}
    for flag, figure in USER_FLAGS.items():
        if flag in frame.columns:
            counted[figure] = frame[flag].fillna(False).to_numpy(dtype=bool)
    sums = (
        pd.DataFrame(counted, index=frame.index)
        .groupby([frame["date"], frame["team"]], sort=True)
        .sum()
    )
    for figure in counted:
        daily[figure] = sums[figure].astype(float)
    active = frame.loc[is_active, ["date", "team", "user"]]
    figures = [f for f in FIGURES if f in frame.columns and f not in daily.columns]
    if figures:
        daily = daily.join(grouped[figures].sum(min_count=1))
    daily = daily.reset_index()
    daily["monthly_active_users"] = _trailing_distinct(active, daily, window_days)
    for figure in FIGURES:
        if figure not in daily.columns:
            daily[figure] = np.nan
    return daily[["date", "team", *FIGURES]].reset_index(drop=True)


def _trailing_distinct(active: pd.DataFrame, daily: pd.DataFrame, window: int) -> pd.Series:
    """For each row of ``daily``, the distinct users of ``active`` (its team's) active in the
    ``window`` days up to the row's date; NaN on dates less than ``window`` - 1 days after
    the first date of the data. Each user-day covers its date and the next ``window`` - 1
    days; a user's covered days are cut where their next active day starts, so that the
    intervals are disjoint and a running sum counts each user once."""
    out = pd.Series(np.nan, index=daily.index)
    if active.empty:
        return out
    first = daily["date"].min()
    days = ((active["date"] - first).dt.days).to_numpy()
    team_codes, teams = pd.factorize(active["team"])
    user_codes = pd.factorize(active["team"].astype(str) + "\x00" + active["user"].astype(str))[0]
    order = np.lexsort((days, user_codes))
    days, user_codes, team_codes = days[order], user_codes[order], team_codes[order]
    start = days
    end = days + window  # exclusive
    same_next = np.r_[user_codes[1:] == user_codes[:-1], False]
    next_day = np.r_[days[1:], 0]
    end = np.where(same_next, np.minimum(end, next_day), end)
    horizon = int(((daily["date"] - first).dt.days).max()) + window + 1
    counts = np.zeros((len(teams), horizon + 1))
    np.add.at(counts, (team_codes, start), 1)
    np.add.at(counts, (team_codes, end), -1)
    running = counts.cumsum(axis=1)
    team_index = {team: i for i, team in enumerate(teams)}
    offsets = ((daily["date"] - first).dt.days).to_numpy()
    rows = daily["team"].map(team_index)
    known = rows.notna().to_numpy() & (offsets >= window - 1)
    values = np.zeros(len(daily))
    values[rows.notna().to_numpy()] = running[
        rows[rows.notna()].astype(int).to_numpy(), offsets[rows.notna().to_numpy()]
    ]
    out[known] = values[known]
    out[rows.isna().to_numpy() & (offsets >= window - 1)] = 0.0
    return out
