"""Reading the CSV exports people actually have, for every uploaded table (pilot
observations, use-case registers, adoption tables, surveys).

Accepted: ``,`` or ``;`` delimiters (a tab when the header has tabs and neither), Excel's
``sep=;`` (or ``sep=,``) first line declaring the delimiter (the header is then line 2), a
UTF-8 byte-order mark, UTF-16 (Excel's "Unicode Text", PowerShell's ``>``) or
Windows-1252/Latin-1 text, surrounding spaces, trailing empty columns, blank lines, digit
grouping (``1,234.5``, ``1 234``) and a decimal comma in files delimited by ``;`` or tabs.
Rejected, because it is ambiguous: a header with both delimiters, or a number such as
``1,234`` in a file delimited by ``;`` (a thousand, or one and a quarter?).

Problems name the physical line (the header is line 1, or 2 after a ``sep=`` line), the
column, the value and the rule; a file whose cells cannot be split (a quote never closed, a
row with too many fields) is refused in these words too, never pandas'.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from roi.io.problems import CaseError, Problem
from roi.io.text import decode, decode_upload, utf16_of

__all__ = ["decode"]  # re-exported: callers read a file's text from here

# Uploads above this are refused; ROI_MAX_UPLOAD_MB changes it.
MAX_UPLOAD_BYTES = int(float(os.environ.get("ROI_MAX_UPLOAD_MB", "200")) * 1024 * 1024)

_GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")  # 1,234 or 1,234.5
_SPACED = re.compile(r"^-?\d{1,3}([ \u00a0\u202f]\d{3})+([.,]\d+)?$")  # 1 234 or 1 234,5
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")  # 12,5
_DOTTED = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")  # 1.234 or 1.234,5 (in ';' files)
_PLAIN = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
# Excel's first line declaring the delimiter: sep=; (the header follows on line 2).
_SEP_LINE = re.compile(r"^\s*\"?sep=(.?)\"?\s*$", re.IGNORECASE)
DELIMITERS = {",": "','", ";": "';'", "\t": "a tab"}


class TableError(CaseError):
    """An uploaded table that cannot be used; ``problems`` lists every problem found."""


def declared_delimiter(text: str) -> str | None:
    """The delimiter an Excel ``sep=`` first line declares (``None`` without one)."""
    found = _SEP_LINE.match(text.split("\n", 1)[0])
    return None if found is None else found.group(1)


def header_line(text: str) -> str:
    """The header (the line of column names): the first line, or the second after a
    ``sep=`` line."""
    lines = text.split("\n", 2)
    if declared_delimiter(text) is not None:
        return lines[1].rstrip("\r") if len(lines) > 1 else ""
    return lines[0].rstrip("\r")


def check_raw(
    raw: bytes, source: str, error: type[TableError], max_bytes: int, header_first: bool = True
) -> str:
    """The decoded text of an upload, refusing files that are too large, empty or binary,
    and (``header_first``) CSV files whose first line is blank. UTF-16 text (recognised by
    its byte-order mark, or by its NUL bytes without one) is decoded, not refused."""
    if len(raw) > max_bytes:
        limit = f"{max_bytes / 1024 / 1024:,.0f} MB"
        raise error(source, [Problem("", f"is larger than the {limit} limit")])
    if not raw.strip():
        raise error(source, [Problem("", "the file is empty")])
    utf16 = utf16_of(raw) is not None
    if not utf16 and b"\x00" in raw:  # no text file holds a NUL byte (nor a database column)
        raise error(source, [Problem("", "is not a text (CSV) file")])
    try:
        text = decode_upload(raw)
    except UnicodeDecodeError:
        message = "is UTF-16 text that cannot be decoded: save it as UTF-8 (Excel: CSV UTF-8)"
        raise error(source, [Problem("", message)]) from None
    if "\x00" in text:
        raise error(source, [Problem("", "is not a text (CSV) file")])
    if not text.strip():  # a byte-order mark and nothing else
        raise error(source, [Problem("", "the file is empty")])
    if header_first and not text.split("\n", 1)[0].strip():
        message = "is blank: the header (the column names) must be on the first line"
        raise error(source, [Problem("line 1", message)])
    return text


def delimiter_of(header: str, source: str, error: type[TableError]) -> str:
    """The delimiter of a CSV whose first line is ``header``: the one an Excel ``sep=``
    line declares; else ``;`` when the header uses it, ``,`` when it uses that, a tab when it
    has tabs and neither; a header with both ``,`` and ``;`` is refused."""
    declared = declared_delimiter(header)
    if declared is not None:
        if declared not in DELIMITERS:
            message = f"sep= declares {declared!r}; the delimiter must be ',', ';' or a tab"
            raise error(source, [Problem("line 1", message)])
        return declared
    commas, semicolons = header.count(","), header.count(";")
    if commas and semicolons:
        message = "the header has both ',' and ';': cannot tell which one separates the columns"
        raise error(source, [Problem("line 1", message)])
    if not commas and not semicolons and "\t" in header.strip():
        return "\t"
    return ";" if semicolons else ","


def parse_number(text: str, delimiter: str) -> float:
    """A number as exports write it; raises ``ValueError`` with the reason. In a file
    delimited by ``;`` or tabs a comma may be a decimal comma; in one delimited by ``,`` it
    cannot.

    >>> parse_number("1,234.5", ","), parse_number("1 234", ";"), parse_number("12,5", ";")
    (1234.5, 1234.0, 12.5)
    """
    value = text.strip()
    either = delimiter != ","  # ';' and tab files come from either convention
    if either and _DOTTED.match(value):
        if "," in value:  # 1.234,5: dots group thousands, the comma is the decimal mark
            return float(value.replace(".", "").replace(",", "."))
        raise ValueError("ambiguous: a thousand separator or a decimal point")
    if _PLAIN.match(value):
        return float(value)
    if _GROUPED.match(value):
        if either and "." not in value and value.count(",") == 1:
            raise ValueError("ambiguous: a thousand separator or a decimal comma")
        return float(value.replace(",", ""))
    if _SPACED.match(value):
        return float(re.sub(r"[ \u00a0\u202f]", "", value).replace(",", "."))
    if _DECIMAL_COMMA.match(value) and either:
        return float(value.replace(",", "."))
    if value.endswith("%"):
        raise ValueError("a percentage is not a value of this column")
    raise ValueError("not a number")


def read_table(
    text: str, delimiter: str, source: str, canonical: Iterable[str], error: type[TableError]
) -> pd.DataFrame:
    """The file as text cells under its header, with each row's physical line number in
    column ``line``. Column names matching ``canonical`` case-insensitively take its spelling.
    After an Excel ``sep=`` line the header is line 2 (``frame.attrs["header_line"]``).

    Read without a header row so that a row with more fields than the header is an error
    rather than a silent shift of columns.
    """
    skipped = 0 if declared_delimiter(text) is None else 1
    body = text.split("\n", 1)[1] if skipped and "\n" in text else ("" if skipped else text)
    header = f"line {1 + skipped}"
    if not body.split("\n", 1)[0].strip():
        message = "is blank: the header (the column names) must follow the sep= line"
        raise error(source, [Problem(header, message)])
    cells = _cells(body, delimiter, skipped, source, error)
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
        problems.append(Problem(header, message))
    keep = []
    for position, name in enumerate(names):
        blank = (frame[position].str.strip() == "").all()
        if name:
            keep.append(position)
        elif not blank:
            problems.append(Problem(header, f"column {position + 1} has values but no name"))
    if problems:
        raise error(source, problems)
    frame = frame[keep]
    spelling = {name.lower(): name for name in canonical}
    frame.columns = [spelling.get(names[p].lower(), names[p]) for p in keep]
    frame.insert(0, "line", _line_numbers(body, delimiter, len(frame)) + skipped)
    frame.attrs["header_line"] = 1 + skipped
    return frame


def header_where(frame: pd.DataFrame) -> str:
    """Where the header of a table :func:`read_table` read is: ``line 1``, or ``line 2``
    after a ``sep=`` line."""
    return f"line {frame.attrs.get('header_line', 1)}"


def _cells(
    body: str, delimiter: str, skipped: int, source: str, error: type[TableError]
) -> pd.DataFrame:
    """Every cell of ``body`` (the file from its header on, ``skipped`` lines after its
    start) as text; a file whose cells cannot be split is refused in our words, with the
    physical line."""
    try:
        return pd.read_csv(
            io.StringIO(body), sep=delimiter, header=None, dtype=str, keep_default_na=False,
            skip_blank_lines=False, skipinitialspace=True, engine="c",
        )  # fmt: skip
    except pd.errors.EmptyDataError:
        raise error(source, [Problem("", "the file is empty")]) from None
    except pd.errors.ParserError as parse_error:
        said = str(parse_error)
    fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", said)
    if fields is not None:
        expected, record, saw = (int(n) for n in fields.groups())
        line = _record_start(body, delimiter, record) + skipped
        message = f"has {saw} fields; the header has {expected}"
        raise error(source, [Problem(f"line {line}", message)])
    opened = unclosed_quote_line(body, delimiter) if "EOF inside string" in said else None
    if opened is not None:
        message = "a quote opened here is never closed (the rest of the file would be one cell)"
        raise error(source, [Problem(f"line {opened + skipped}", message)])
    message = (
        "cannot be read as CSV: its cells cannot be split into columns (look for a stray"
        " quote or a wrong delimiter)"
    )
    raise error(source, [Problem("", message)])


def _record_start(text: str, delimiter: str, record: int) -> int:
    """The physical line on which record number ``record`` (1-based, as pandas counts,
    blank lines included) starts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    previous = 0
    for number, _ in enumerate(reader, start=1):
        if number == record:
            return previous + 1
        previous = reader.line_num
    return previous + 1


def unclosed_quote_line(text: str, delimiter: str) -> int | None:
    """The physical line (1-based) where a quote opens that no quote closes, as the CSV
    reader sees quotes: a quote opens a cell only at the cell's start (spaces before it
    aside), ``""`` inside is a quote; ``None`` when every quote is closed."""
    inside, opened = False, 0
    for number, line in enumerate(text.split("\n"), start=1):
        at_start, i, end = not inside, 0, len(line)
        while i < end:
            if inside:
                close = line.find('"', i)
                if close < 0:
                    break  # the cell goes on to the next line
                if line.startswith('""', close):
                    i = close + 2
                    continue
                inside, at_start, i = False, False, close + 1
            elif at_start and line[i] == " ":
                i += 1
            elif at_start and line[i] == '"':
                inside, opened, i = True, number, i + 1
            else:
                after = line.find(delimiter, i)
                if after < 0:
                    break
                at_start, i = True, after + 1
    return opened if inside else None


def _line_numbers(text: str, delimiter: str, rows: int) -> np.ndarray:
    """Physical line on which each data row starts (the header is line 1). One line per row
    unless a quoted cell spans lines; then the csv module counts them."""
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if lines == rows + 1:
        return np.arange(2, rows + 2)
    # newline="": the csv module sees line ends itself, so a carriage return inside a
    # quoted cell stays in the cell.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
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
        raise error(source, [Problem(header_where(frame), message)])
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


def without_blank_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of a table :func:`read_table` read that have a cell other than spaces: a
    blank line, or a row of delimiters only (``;;;``, as Excel writes an empty row), goes
    before a column mapping could give it values."""
    cells = [column for column in frame.columns if column != "line"]
    if not cells:
        return frame
    blank = np.logical_and.reduce([frame[c].astype(str).str.strip() == "" for c in cells])
    return frame[~blank].copy()


def out_of_bounds(
    frame: pd.DataFrame,
    column: str,
    values: pd.Series,
    high: float | pd.Series,
    expected: str,
    problems: list[Problem],
) -> pd.Series:
    """``values`` (column ``column`` parsed) with those above ``high`` (one bound, or one per
    row) made NaN, each adding a problem ``must be {expected}, got '<cell>'`` on its line: a
    value no export can hold (1e308 minutes) is refused where it is read, not where it
    breaks a computation."""
    above = (values > high).fillna(False)
    for index in values.index[above]:
        where = f"line {frame.at[index, 'line']}, column {column}"
        problems.append(Problem(where, f"must be {expected}, got {frame.at[index, column]!r}"))
    return values.mask(above)


def parse_numbers(
    frame: pd.DataFrame,
    column: str,
    delimiter: str,
    problems: list[Problem],
    place: Callable[[Any, str], str] | None = None,
    rule: str | None = None,
) -> pd.Series:
    """Column ``column`` as floats; blank cells are NaN (the caller decides whether a blank
    is allowed) and every unreadable cell adds a problem naming its line (or, with
    ``place``, the place it gives for a row index and column: a JSON record's path) and,
    with ``rule``, what was expected ("must be a whole number ...") instead of "not a
    number"."""
    if place is None:

        def place(index: Any, name: str) -> str:
            return f"line {frame.at[index, 'line']}, column {name}"

    text = frame[column]
    if (text == "").all():  # an optional column left blank: nothing to parse
        return pd.Series(np.nan, index=frame.index, dtype=float)
    values = pd.to_numeric(text, errors="coerce")  # the fast path for plain numbers
    if delimiter != ",":  # 1.234 parses, but in a ';' file it may mean 1234: check it
        values[text.str.match(_DOTTED.pattern)] = np.nan
    infinite = np.isinf(values)
    for index in values.index[infinite]:
        problems.append(
            Problem(place(index, column), f"must be a finite number, got {text[index]!r}")
        )
        values[index] = np.nan  # reported; NaN passes the range checks that would repeat it
    # Blank cells are left to the caller; only the rest go through the slow parser.
    for index in values.index[values.isna() & (text != "") & ~infinite]:
        cell = text[index]
        try:
            values[index] = parse_number(cell, delimiter)
        except ValueError as reason:
            said = f"must be {rule}" if rule and str(reason) == "not a number" else str(reason)
            problems.append(Problem(place(index, column), f"{said}, got {cell!r}"))
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
    """The column names of a CSV's header (for mapping another export's columns): its first
    line, or its second after a ``sep=`` line."""
    text = decode(raw)
    header = header_line(text) if text.strip() else ""
    delimiter = declared_delimiter(text)
    if delimiter is None:
        counts = {d: header.count(d) for d in DELIMITERS}
        delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    names = next(csv.reader([header], delimiter=delimiter, skipinitialspace=True), [])
    return [name.strip() for name in names if name.strip()]
