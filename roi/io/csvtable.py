"""Reading the CSV exports people actually have, for every uploaded table (pilot
observations, use-case registers).

Accepted: ``,`` or ``;`` delimiters, a UTF-8 byte-order mark or Windows-1252/Latin-1 text,
surrounding spaces, trailing empty columns, blank lines, digit grouping (``1,234.5``,
``1 234``) and a decimal comma in files delimited by ``;``. Rejected, because it is
ambiguous: a header with both delimiters, or a number such as ``1,234`` in a file delimited
by ``;`` (a thousand, or one and a quarter?).

Problems name the physical line (the header is line 1), the column, the value and the rule.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from roi.io.problems import CaseError, Problem

# Uploads above this are refused; ROI_MAX_UPLOAD_MB changes it.
MAX_UPLOAD_BYTES = int(float(os.environ.get("ROI_MAX_UPLOAD_MB", "200")) * 1024 * 1024)

_GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")  # 1,234 or 1,234.5
_SPACED = re.compile(r"^-?\d{1,3}([ \u00a0\u202f]\d{3})+([.,]\d+)?$")  # 1 234 or 1 234,5
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")  # 12,5
_DOTTED = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")  # 1.234 or 1.234,5 (in ';' files)
_PLAIN = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


class TableError(CaseError):
    """An uploaded table that cannot be used; ``problems`` lists every problem found."""


def decode(raw: bytes) -> str:
    """Text of an export: UTF-8 (with or without a byte-order mark), else Windows-1252 (what
    Excel on Windows writes), else Latin-1, which decodes every byte."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def check_raw(
    raw: bytes, source: str, error: type[TableError], max_bytes: int, header_first: bool = True
) -> str:
    """The decoded text of an upload, refusing files that are too large, empty or binary,
    and (``header_first``) CSV files whose first line is blank."""
    if len(raw) > max_bytes:
        limit = f"{max_bytes / 1024 / 1024:,.0f} MB"
        raise error(source, [Problem("", f"is larger than the {limit} limit")])
    if not raw.strip():
        raise error(source, [Problem("", "the file is empty")])
    if b"\x00" in raw:  # no text file holds a NUL byte (and no database text column can)
        raise error(source, [Problem("", "is not a text (CSV) file")])
    text = decode(raw)
    if not text.strip():  # a byte-order mark and nothing else
        raise error(source, [Problem("", "the file is empty")])
    if header_first and not text.split("\n", 1)[0].strip():
        message = "is blank: the header (the column names) must be on the first line"
        raise error(source, [Problem("line 1", message)])
    return text


def delimiter_of(header: str, source: str, error: type[TableError]) -> str:
    """``;`` when the header uses it, else ``,``; a header with both is refused."""
    commas, semicolons = header.count(","), header.count(";")
    if commas and semicolons:
        message = "the header has both ',' and ';': cannot tell which one separates the columns"
        raise error(source, [Problem("line 1", message)])
    return ";" if semicolons else ","


def parse_number(text: str, delimiter: str) -> float:
    """A number as exports write it; raises ``ValueError`` with the reason.

    >>> parse_number("1,234.5", ","), parse_number("1 234", ";"), parse_number("12,5", ";")
    (1234.5, 1234.0, 12.5)
    """
    value = text.strip()
    if delimiter == ";" and _DOTTED.match(value):
        if "," in value:  # 1.234,5: dots group thousands, the comma is the decimal mark
            return float(value.replace(".", "").replace(",", "."))
        raise ValueError("ambiguous: a thousand separator or a decimal point")
    if _PLAIN.match(value):
        return float(value)
    if _GROUPED.match(value):
        if delimiter == ";" and "." not in value and value.count(",") == 1:
            raise ValueError("ambiguous: a thousand separator or a decimal comma")
        return float(value.replace(",", ""))
    if _SPACED.match(value):
        return float(re.sub(r"[ \u00a0\u202f]", "", value).replace(",", "."))
    if _DECIMAL_COMMA.match(value) and delimiter == ";":
        return float(value.replace(",", "."))
    if value.endswith("%"):
        raise ValueError("a percentage is not a value of this column")
    raise ValueError("not a number")


def read_table(
    text: str, delimiter: str, source: str, canonical: Iterable[str], error: type[TableError]
) -> pd.DataFrame:
    """The file as text cells under its header, with each row's physical line number in
    column ``line``. Column names matching ``canonical`` case-insensitively take its spelling.

    Read without a header row so that a row with more fields than the header is an error
    rather than a silent shift of columns.
    """
    try:
        cells = pd.read_csv(
            io.StringIO(text), sep=delimiter, header=None, dtype=str, keep_default_na=False,
            skip_blank_lines=False, skipinitialspace=True, engine="c",
        )  # fmt: skip
    except pd.errors.ParserError as parse_error:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(parse_error))
        if found is None:
            raise error(source, [Problem("", f"cannot be read as CSV ({parse_error})")]) from None
        expected, line, saw = found.groups()
        message = f"has {saw} fields; the header has {expected}"
        raise error(source, [Problem(f"line {line}", message)]) from None
    names = [str(name).strip() for name in cells.iloc[0]]
    frame = cells.iloc[1:].reset_index(drop=True)
    problems = []
    spellings: dict[str, list[str]] = {}
    for name in names:
        if name:
            spellings.setdefault(name.lower(), []).append(name)
    for written in spellings.values():
        if len(written) == 1:
            continue
        distinct = list(dict.fromkeys(written))
        if len(distinct) == 1:
            message = f"column {written[0]!r} appears more than once"
        else:
            listed = " and ".join(repr(name) for name in distinct)
            message = f"columns {listed} are one column (names are not case-sensitive)"
        problems.append(Problem("line 1", message))
    keep = []
    for position, name in enumerate(names):
        blank = (frame[position].str.strip() == "").all()
        if name:
            keep.append(position)
        elif not blank:
            problems.append(Problem("line 1", f"column {position + 1} has values but no name"))
    if problems:
        raise error(source, problems)
    frame = frame[keep]
    spelling = {name.lower(): name for name in canonical}
    frame.columns = [spelling.get(names[p].lower(), names[p]) for p in keep]
    frame.insert(0, "line", _line_numbers(text, delimiter, len(frame)))
    return frame


def _line_numbers(text: str, delimiter: str, rows: int) -> np.ndarray:
    """Physical line on which each data row starts (the header is line 1). One line per row
    unless a quoted cell spans lines; then the csv module counts them."""
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if lines == rows + 1:
        return np.arange(2, rows + 2)
    # newline="": the csv module sees line ends itself, so a carriage return inside a
    # quoted cell stays in the cell.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    starts, previous = [], 0
    for _ in reader:
        starts.append(previous + 1)
        previous = reader.line_num
    return np.asarray(starts[1 : rows + 1])


def canonical_table(
    frame: pd.DataFrame,
    required: Sequence[str],
    optional: Sequence[str],
    source: str,
    error: type[TableError],
    rows: str = "rows",
) -> pd.DataFrame:
    """The table's canonical columns made ready for validation: every ``required`` column
    present (else one problem naming the missing ones and the header), ``optional`` ones
    added blank, cells stripped, blank rows dropped; a table left empty is refused as having
    no ``rows`` after the header."""
    missing = [c for c in required if c not in frame.columns]
    if missing:
        have = ", ".join(c for c in frame.columns if c != "line")
        message = f"missing column(s) {', '.join(missing)}; the header has: {have}"
        raise error(source, [Problem("line 1", message)])
    for column in optional:
        if column not in frame.columns:
            frame[column] = ""
    columns = [*required, *optional]
    for column in columns:
        frame[column] = frame[column].astype(str).str.strip()
    frame = drop_blank_rows(frame, columns)
    if frame.empty:
        raise error(source, [Problem("", f"has no {rows} after the header")])
    return frame


def drop_blank_rows(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Rows with at least one non-blank cell among ``columns`` (cells already stripped)."""
    return frame[~(frame[list(columns)] == "").all(axis=1)].copy()


def parse_numbers(
    frame: pd.DataFrame, column: str, delimiter: str, problems: list[Problem]
) -> pd.Series:
    """Column ``column`` as floats; blank cells are NaN (the caller decides whether a blank
    is allowed) and every unreadable cell adds a problem naming its line."""
    text = frame[column]
    if (text == "").all():  # an optional column left blank: nothing to parse
        return pd.Series(np.nan, index=frame.index, dtype=float)
    values = pd.to_numeric(text, errors="coerce")  # the fast path for plain numbers
    if delimiter == ";":  # 1.234 parses, but in a ';' file it may mean 1234: check it
        values[text.str.match(_DOTTED.pattern)] = np.nan
    for index in values.index[np.isinf(values)]:
        where = f"line {frame.at[index, 'line']}, column {column}"
        problems.append(Problem(where, f"must be a finite number, got {text[index]!r}"))
        values[index] = np.nan  # reported; NaN passes the range checks that would repeat it
    # Blank cells are left to the caller; only the rest go through the slow parser.
    for index in values.index[values.isna() & (text != "")]:
        cell = text[index]
        if cell.lower().lstrip("+-") in ("inf", "infinity"):
            continue  # reported above
        try:
            values[index] = parse_number(cell, delimiter)
        except ValueError as reason:
            where = f"line {frame.at[index, 'line']}, column {column}"
            problems.append(Problem(where, f"{reason}, got {cell!r}"))
            values[index] = np.nan
    return values.astype(float)


def line_of(where: str) -> int:
    """The line number a problem's ``where`` names (0 for file-wide problems), for sorting."""
    match = re.match(r"line (\d+)", where)
    return int(match.group(1)) if match else 0


def sorted_problems(problems: Iterable[Problem], columns: Sequence[str] = ()) -> list[Problem]:
    """Problems without repeats, file-wide first, then by line and, within a line, in the
    order of ``columns`` (others after them, in the order found)."""
    unique = list(dict.fromkeys(problems))
    order = {column: i for i, column in enumerate(columns)}

    def key(problem: Problem) -> tuple[int, int]:
        found = re.search(r"column (\w+)", problem.where)
        return line_of(problem.where), order.get(found.group(1) if found else "", len(order))

    unique.sort(key=key)
    return unique


def header_columns(raw: bytes) -> list[str]:
    """The column names of a CSV's first line (for mapping another export's columns)."""
    text = decode(raw)
    header = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if header.count(";") > header.count(",") else ","
    return [name.strip() for name in header.split(delimiter) if name.strip()]
