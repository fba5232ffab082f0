"""Culture and change-readiness surveys: the instrument (``survey_items.csv``) and the
answers (``survey_responses.csv``), read and validated completely.

Items have a scale (``1-5``, ``1-7`` or ``0-10``) and may be reverse-scored; every item of a
dimension shares one scale. Two dimensions have a fixed meaning: ``advocacy`` (a 0–10
"would you recommend" item, scored as promoters minus detractors) and ``recapture`` (a 0–10
"how much of the saved time goes into more valuable work" item, read as tenths).

Responses have ``respondent_id, wave, team`` and one column per item; a blank is
non-response, never zero. Invitations (optional, ``survey_invitations.csv``) have ``wave,
team, invited``: how many people of a team were asked in a wave, for participation rates.
A rejected file yields nothing; every problem names its line, column, value and rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from roi.io.csvtable import (
    MAX_UPLOAD_BYTES,
    TableError,
    canonical_table,
    check_raw,
    delimiter_of,
    drop_blank_rows,
    parse_numbers,
    read_table,
    sorted_problems,
)
from roi.io.problems import Problem
from roi.io.structured import id_key

SCALES: dict[str, tuple[int, int]] = {"1-5": (1, 5), "1-7": (1, 7), "0-10": (0, 10)}
ADVOCACY, RECAPTURE = "advocacy", "recapture"
ITEM_COLUMNS = ("item", "dimension", "text", "scale", "reverse")
RESPONDENT_COLUMNS = ("respondent_id", "wave", "team")
INVITATION_COLUMNS = ("wave", "team", "invited")
YES = {"yes", "y", "true", "1", "x"}
NO = {"", "no", "n", "false", "0"}


class SurveyError(TableError):
    """A survey file that cannot be used; ``problems`` lists every problem found."""


@dataclass(frozen=True)
class Item:
    item: str
    dimension: str
    text: str
    scale: str
    reverse: bool

    @property
    def low(self) -> int:
        return SCALES[self.scale][0]

    @property
    def high(self) -> int:
        return SCALES[self.scale][1]


@dataclass(frozen=True)
class Instrument:
    """The items in file order; ``dimensions`` in order of first appearance."""

    items: tuple[Item, ...]

    @property
    def dimensions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(item.dimension for item in self.items))

    def of(self, dimension: str) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.dimension == dimension)

    @property
    def readiness(self) -> tuple[str, ...]:
        """The dimensions other than advocacy and recapture, in file order."""
        return tuple(d for d in self.dimensions if d not in (ADVOCACY, RECAPTURE))


def match_team(name: str, teams) -> str | None:
    """The team of ``teams`` that ``name`` means: the one spelled exactly so, else the only
    one equal to it without regard to case or surrounding spaces; ``None`` when there is no
    such team or several (``Sales`` and ``sales``: ambiguous, so neither)."""
    teams = list(teams)
    if name in teams:
        return name
    key = name.strip().casefold()
    found = [team for team in teams if team.strip().casefold() == key]
    return found[0] if len(found) == 1 else None


def _text(raw: bytes, source: str, max_bytes: int) -> tuple[str, str]:
    text = check_raw(raw, source, SurveyError, max_bytes)
    return text, delimiter_of(text.split("\n", 1)[0], source, SurveyError)


def read_items(raw: bytes, source: str, max_bytes: int = MAX_UPLOAD_BYTES) -> Instrument:
    """Read and validate ``survey_items.csv``."""
    text, delimiter = _text(raw, source, max_bytes)
    frame = read_table(text, delimiter, source, ITEM_COLUMNS, SurveyError)
    frame = canonical_table(frame, ITEM_COLUMNS[:4], ITEM_COLUMNS[4:], source, SurveyError, "items")
    problems: list[Problem] = []
    items: list[Item] = []
    first: dict[str, int] = {}
    scale_of: dict[str, tuple[str, int]] = {}
    for row in frame.to_dict("records"):
        line = row["line"]

        def problem(column: str, message: str, line: int = line) -> None:
            problems.append(Problem(f"line {line}, column {column}", message))

        name, dimension, scale = row["item"], row["dimension"].lower(), row["scale"]
        if not name:
            problem("item", "must not be empty")
        elif name in RESPONDENT_COLUMNS:
            problem("item", f"{name!r} is a respondent column; name the item otherwise")
        elif name in first:
            problem("item", f"repeats {name!r} from line {first[name]}")
        else:
            first[name] = line
        if not dimension:
            problem("dimension", "must not be empty")
        if scale not in SCALES:
            problem("scale", f"must be one of {', '.join(SCALES)}, got {scale!r}")
        elif dimension:
            if dimension in scale_of and scale_of[dimension][0] != scale:
                earlier, at = scale_of[dimension]
                problem(
                    "scale",
                    f"{scale!r} differs from {earlier!r} on line {at}: the items of a dimension"
                    " share one scale",
                )
            scale_of.setdefault(dimension, (scale, line))
            if dimension in (ADVOCACY, RECAPTURE) and scale != "0-10":
                problem("scale", f"a {dimension} item is on 0-10, got {scale!r}")
        reverse = row["reverse"].lower()
        if reverse not in YES | NO:
            problem("reverse", f"must be yes, no or blank, got {row['reverse']!r}")
        if name and dimension and scale in SCALES:
            items.append(Item(name, dimension, row["text"], scale, reverse in YES))
    if problems:
        raise SurveyError(source, sorted_problems(problems, ITEM_COLUMNS))
    return Instrument(tuple(items))


def read_responses(
    raw: bytes, source: str, instrument: Instrument, max_bytes: int = MAX_UPLOAD_BYTES
) -> pd.DataFrame:
    """Read and validate ``survey_responses.csv`` against the instrument.

    Returns
    -------
    pandas.DataFrame
        ``respondent_id``, ``wave``, ``team`` (text) and one float column per item, NaN where
        the respondent did not answer; answers as given (reverse scoring happens in scoring).
    """
    text, delimiter = _text(raw, source, max_bytes)
    names = [item.item for item in instrument.items]
    frame = read_table(text, delimiter, source, (*RESPONDENT_COLUMNS, *names), SurveyError)
    problems: list[Problem] = []
    missing = [c for c in RESPONDENT_COLUMNS if c not in frame.columns]
    if missing:
        problems.append(Problem("line 1", f"missing column(s) {', '.join(missing)}"))
    unknown = [c for c in frame.columns if c not in (*RESPONDENT_COLUMNS, *names, "line")]
    for column in unknown:
        problems.append(Problem("line 1", f"column {column!r} is not an item of the instrument"))
    if problems:
        raise SurveyError(source, problems)
    present = [name for name in names if name in frame.columns]
    if not present:
        raise SurveyError(source, [Problem("line 1", "has no item column of the instrument")])
    for column in (*RESPONDENT_COLUMNS, *present):
        frame[column] = frame[column].astype(str).str.strip()
    frame = drop_blank_rows(frame, (*RESPONDENT_COLUMNS, *present))
    if frame.empty:
        raise SurveyError(source, [Problem("", "has no responses after the header")])
    for column in RESPONDENT_COLUMNS:
        for index in frame.index[frame[column] == ""]:
            problems.append(
                Problem(f"line {frame.at[index, 'line']}, column {column}", "is missing")
            )
    by_name = {item.item: item for item in instrument.items}
    for name in present:
        cells = frame[name]
        # Answers take a handful of distinct texts: parse each once, not each cell.
        distinct = cells.astype("category")
        parsed = pd.to_numeric(pd.Series(distinct.cat.categories), errors="coerce").to_numpy()
        codes = distinct.cat.codes.to_numpy()
        values = pd.Series(np.where(codes >= 0, parsed[codes], np.nan), index=cells.index)
        item = by_name[name]
        bad = (cells != "") & (
            values.isna() | (values % 1 != 0) | (values < item.low) | (values > item.high)
        )
        rule = f"must be a whole number from {item.low} to {item.high} or blank"
        for index in frame.index[bad]:
            where = f"line {frame.at[index, 'line']}, column {name}"
            problems.append(Problem(where, f"{rule}, got {cells[index]!r}"))
        frame[name] = values.where(~bad)
    problems += _repeated_respondents(frame)
    if problems:
        raise SurveyError(source, sorted_problems(problems, (*RESPONDENT_COLUMNS, *names)))
    out = frame[[*RESPONDENT_COLUMNS, *present]].reset_index(drop=True)
    for name in names:
        if name not in out:
            out[name] = np.nan
    return out


def _repeated_respondents(frame: pd.DataFrame) -> list[Problem]:
    """A respondent answering a wave twice, ids compared as :func:`id_key` does (``R-07``,
    ``r-07`` and ``R-07 `` are one person), each repeat naming the line of the first."""
    ids = frame["respondent_id"].str.strip().str.casefold()  # id_key, column at once
    keys = pd.DataFrame({"id": ids, "wave": frame["wave"]}, index=frame.index)
    again = keys.duplicated()
    repeated = again & (frame["respondent_id"] != "")
    if not repeated.any():
        return []
    firsts = keys.loc[~again]
    first_of = pd.Series(firsts.index, index=pd.MultiIndex.from_frame(firsts))
    problems = []
    for index in frame.index[repeated]:
        person, wave = frame.at[index, "respondent_id"], frame.at[index, "wave"]
        first = first_of[(id_key(person), wave)]
        written, line = frame.at[first, "respondent_id"], frame.at[first, "line"]
        if written == person:
            earlier = f"first on line {line}"
        else:
            earlier = f"first on line {line} as {written!r}; ids are not case-sensitive"
        message = f"respondent {person!r} answers wave {wave!r} again ({earlier})"
        problems.append(Problem(f"line {frame.at[index, 'line']}, column respondent_id", message))
    return problems


MAX_INVITED = 10_000_000


def read_invitations(
    raw: bytes, source: str, responses: pd.DataFrame, max_bytes: int = MAX_UPLOAD_BYTES
) -> pd.DataFrame:
    """Read and validate ``survey_invitations.csv`` against the responses: ``wave`` one of
    the responses' waves and ``team`` one of their teams, spelled as there; ``invited`` a
    whole number from 1 to :data:`MAX_INVITED`; one row per wave and team. That at least as
    many were invited as answered is checked with the scores, and only where the group is
    shown (:func:`roi.culture.participation.participation`): checking a hidden group would
    tell its size.

    Returns
    -------
    pandas.DataFrame
        ``wave``, ``team`` (text), ``invited`` (int) and ``line``; ``attrs["source"]`` is
        ``source``.
    """
    text, delimiter = _text(raw, source, max_bytes)
    frame = read_table(text, delimiter, source, INVITATION_COLUMNS, SurveyError)
    frame = canonical_table(frame, INVITATION_COLUMNS, (), source, SurveyError, "invitations")
    problems: list[Problem] = []
    waves = set(responses["wave"].astype(str))
    teams = set(responses["team"].astype(str))
    for column, known, what in (("wave", waves, "wave"), ("team", teams, "team")):
        for index in frame.index:
            value = frame.at[index, column]
            where = f"line {frame.at[index, 'line']}, column {column}"
            if value == "":
                problems.append(Problem(where, "is missing"))
            elif value not in known:
                problems.append(
                    Problem(
                        where,
                        f"{value!r} is not a {what} of the responses (spell it as there),"
                        f" got {value!r}",
                    )
                )
    before = len(problems)
    invited = parse_numbers(frame, "invited", delimiter, problems)
    unreadable = {p.where for p in problems[before:]}
    for index in frame.index:
        where = f"line {frame.at[index, 'line']}, column invited"
        got, value = frame.at[index, "invited"], invited[index]
        if where in unreadable:
            continue
        if got == "":
            problems.append(Problem(where, "is missing"))
        elif not (np.isfinite(value) and value % 1 == 0 and 1 <= value <= MAX_INVITED):
            problems.append(
                Problem(where, f"must be a whole number from 1 to {MAX_INVITED:,}, got {got!r}")
            )
    keys = frame[["wave", "team"]]
    first_line = frame.loc[~keys.duplicated()].set_index(["wave", "team"])["line"]
    for index in frame.index[keys.duplicated()]:
        key = (frame.at[index, "wave"], frame.at[index, "team"])
        problems.append(
            Problem(
                f"line {frame.at[index, 'line']}, column team",
                f"team {key[1]!r} in wave {key[0]!r} is listed again (first on line"
                f" {first_line[key]})",
            )
        )
    if problems:
        raise SurveyError(source, sorted_problems(problems, INVITATION_COLUMNS))
    out = pd.DataFrame(
        {
            "wave": frame["wave"].to_numpy(),
            "team": frame["team"].to_numpy(),
            "invited": invited.astype(np.int64).to_numpy(),
            "line": frame["line"].to_numpy(),
        }
    )
    out.attrs["source"] = source
    return out
