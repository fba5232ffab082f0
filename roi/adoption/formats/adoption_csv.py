"""Our canonical adoption table (format ``adoption_csv``): a CSV with one row per date and
team.

Columns read: ``date`` (YYYY-MM-DD, a time after it dropped: see :mod:`roi.io.dates`),
``team``, ``eligible_users`` and ``active_users`` (required); ``engaged_users``, ``actions``,
``licensed_users`` and ``monthly_active_users`` (optional, blank when unknown). Counts are
whole numbers ≥ 0, people at most :data:`MAX_USERS` and actions at most :data:`MAX_ACTIONS`;
active users may not exceed eligible, licensed or monthly active users, engaged may not
exceed active, monthly active may not exceed eligible or licensed; a date is given once per
team. Team names are compared trimmed and without regard to case (``Sales`` and ``sales ``
are one team, spelled as first written). Every broken rule is a problem naming line, column,
value and rule; the file is refused if there is one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from roi.adoption.formats.common import (
    FIGURES,
    QualityNote,
    Telemetry,
    TelemetryError,
    calendar_quality,
    line_places,
    moved_dates_note,
    same_names,
)
from roi.io.csvtable import (
    canonical_table,
    out_of_bounds,
    parse_numbers,
    read_table,
    sorted_problems,
)
from roi.io.dates import read_dates
from roi.io.problems import Problem

if TYPE_CHECKING:
    import pandera.pandas as pa

REQUIRED = ("date", "team", "eligible_users", "active_users")
OPTIONAL = ("engaged_users", "actions", "licensed_users", "monthly_active_users")
COLUMNS = (*REQUIRED, *OPTIONAL)
NUMBERS = ("eligible_users", "active_users", *OPTIONAL)
# The most people one row may count (more than any employer has) and the most actions.
MAX_USERS = 10_000_000
MAX_ACTIONS = 10**15
BOUNDS = {
    column: (MAX_ACTIONS, "a whole number from 0 to 1e15")
    if column == "actions"
    else (MAX_USERS, "a whole number of people from 0 to 10,000,000")
    for column in NUMBERS
}
# check name -> (the column a failure is reported on, the rule; {names} are the row's cells)
RULES = {
    "team": ("team", "must not be empty"),
    "active_above_eligible": ("active_users", "must not exceed eligible_users ({eligible_users})"),
    "engaged_above_active": ("engaged_users", "must not exceed active_users ({active_users})"),
    "active_above_licensed": ("active_users", "must not exceed licensed_users ({licensed_users})"),
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


def read(text: str, delimiter: str, source: str) -> Telemetry:
    """Read an adoption CSV (``text`` decoded, cells split on ``delimiter``) into a daily table
    sorted by team and date, with the calendar's quality notes.

    Raises
    ------
    TelemetryError
        With every problem found (file-wide first, then by line and column).
    """
    frame = read_table(text, delimiter, source, COLUMNS, TelemetryError)
    frame = canonical_table(frame, REQUIRED, OPTIONAL, source, TelemetryError)
    problems: list[Problem] = []
    texts = frame[list(NUMBERS)].copy()  # the cells as written, for messages
    for column in NUMBERS:
        values = parse_numbers(frame, column, delimiter, problems)
        frame[column] = out_of_bounds(frame, column, values, *BOUNDS[column], problems)
    dates, notes = _dates(frame, problems)
    frame["team"], renamed = same_names(frame["team"], line_places(frame["line"]), "team")
    notes += renamed
    for column in ("eligible_users", "active_users"):
        for index in frame.index[texts[column] == ""]:
            problems.append(
                Problem(f"line {frame.at[index, 'line']}, column {column}", "is missing")
            )
    problems += _rule_problems(frame, texts)
    frame["date"] = dates
    problems += _repeated_days(frame)
    if problems:
        raise TelemetryError(source, sorted_problems(problems, COLUMNS))
    daily = frame[["date", "team", *NUMBERS]].copy()
    for figure in FIGURES:
        if figure not in daily:
            daily[figure] = np.nan
    daily = daily[["date", "team", *FIGURES]].sort_values(["team", "date"], kind="stable")
    daily = daily.reset_index(drop=True)
    notes += calendar_quality(daily)
    return Telemetry("adoption_csv", source, daily, None, tuple(notes))


def _dates(frame: pd.DataFrame, problems: list[Problem]) -> tuple[pd.Series, list[QualityNote]]:
    """The ``date`` column as datetimes (NaT, with a problem, where blank or refused) and the
    note for dates a time zone puts on another day in UTC."""
    column = read_dates(frame["date"])
    for index in frame.index[column.dates.isna()]:
        reason = column.errors.get(index, "must be a date written YYYY-MM-DD")
        problems.append(
            Problem(
                f"line {frame.at[index, 'line']}, column date",
                f"{reason}, got {frame.at[index, 'date']!r}",
            )
        )
    return column.dates, moved_dates_note(frame, "date", column.moved)


def _schema() -> pa.DataFrameSchema:
    """Counts whole and ≥ 0 (blank allowed), and the checks between columns named in
    :data:`RULES`. pandera is imported on first use: it is slow to import."""
    import pandera.pandas as pa

    count = [
        pa.Check.ge(0),
        pa.Check(lambda s: (s % 1 == 0) | s.isna(), element_wise=False, name="whole"),
    ]
    return pa.DataFrameSchema(
        {
            # Named so that RULES finds it: pandera names str_length "str_length(1, None)".
            "team": pa.Column(str, pa.Check(lambda s: s.str.len() > 0, name="team")),
            **{column: pa.Column(float, count, nullable=True) for column in NUMBERS},
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


def _rule_problems(frame: pd.DataFrame, texts: pd.DataFrame) -> list[Problem]:
    """Every failure of the schema's checks on ``frame`` (counts parsed), as a problem showing
    the cell as written in ``texts``; a blank count is not a failure here."""
    import pandera.pandas as pa

    problems = []
    try:
        _schema().validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        for row in errors.failure_cases.itertuples(index=False):
            if row.index is None or (isinstance(row.index, float) and np.isnan(row.index)):
                continue
            line = frame.at[row.index, "line"]
            if row.check in RULES:
                column, rule = RULES[row.check]
                shown = (
                    texts.at[row.index, column] if column in texts else frame.at[row.index, column]
                )
                problems.append(
                    Problem(
                        f"line {line}, column {column}",
                        f"{rule.format(**texts.loc[row.index].to_dict())}, got {shown!r}",
                    )
                )
            elif row.column in NUMBERS:
                if pd.isna(row.failure_case):
                    continue
                problems.append(
                    Problem(
                        f"line {line}, column {row.column}",
                        f"must be a whole number ≥ 0, got {texts.at[row.index, row.column]!r}",
                    )
                )
    return problems


def _repeated_days(frame: pd.DataFrame) -> list[Problem]:
    """A problem for each row repeating an earlier row's (date, team); rows without a date
    are left out."""
    valid = frame.dropna(subset=["date"])
    repeated = valid.duplicated(["date", "team"], keep="first")
    first_lines = valid.drop_duplicates(["date", "team"]).set_index(["date", "team"])["line"]
    problems = []
    for index in valid.index[repeated]:
        key = (valid.at[index, "date"], valid.at[index, "team"])
        problems.append(
            Problem(
                f"line {valid.at[index, 'line']}, column date",
                f"repeats {key[0].date().isoformat()} for team {key[1]!r}"
                f" from line {first_lines[key]}",
            )
        )
    return problems
