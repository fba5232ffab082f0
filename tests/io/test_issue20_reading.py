"""Issue 20, "Files refused that should be read": the shared readers at the boundary — the
date parser (``roi.io.dates``, item 7), the text of UTF-16 files (``roi.io.text``), Excel's
``sep=`` line, a stray quote and every CSV parse error in our words with physical lines
(``roi.io.csvtable``, item 8), bounds (item 9) and blank rows (item 6)."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from roi.io.csvtable import (
    TableError,
    check_raw,
    delimiter_of,
    header_columns,
    header_line,
    out_of_bounds,
    parse_number,
    read_table,
    unclosed_quote_line,
    without_blank_rows,
)
from roi.io.dates import AMBIGUOUS, NOT_A_DATE, read_date, read_dates
from roi.io.problems import Problem
from roi.io.text import decode, decode_upload, utf16_of

# --- item 7: dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "2027-03-01",
        "2027-03-01 08:00",
        "2027-03-01 08:00:00",
        "2027-03-01T08:00:00Z",
        "2027-03-01T08:00:00+02:00",
        "2027-03-01T08:00:00.1234567Z",
        "2027-03-01T08:00:00+0200",
        "2027-03-01 08:00 -05",
        " 2027-03-01t08:00z ",
    ],
)
def test_item7_dates_with_a_time_keep_the_written_date(written):
    found = read_date(written)
    assert found.date == dt.date(2027, 3, 1) and found.utc_date is None


@pytest.mark.parametrize(
    ("written", "utc"),
    [
        ("2027-03-01T01:00:00+02:00", dt.date(2027, 2, 28)),
        ("2027-03-01T22:00:00-05:00", dt.date(2027, 3, 2)),
        ("2027-03-01 00:30+01", dt.date(2027, 2, 28)),
    ],
)
def test_item7_a_time_zone_that_moves_the_day_in_utc_keeps_the_written_date(written, utc):
    found = read_date(written)
    assert found.date == dt.date(2027, 3, 1) and found.utc_date == utc


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("03/04/2026", AMBIGUOUS),
        ("3/4/26", AMBIGUOUS),
        ("04.03.2026", AMBIGUOUS),
        ("03-04-2026", AMBIGUOUS),
        ("03/04/2026 08:00", AMBIGUOUS),
        ("28/11/26", AMBIGUOUS),  # a two-digit year: which part is the year?
        ("28/11/2026", NOT_A_DATE),  # not ambiguous, but not written YYYY-MM-DD either
        ("2026-02-30", NOT_A_DATE),
        ("2026-13-02T08:00:00Z", NOT_A_DATE),
        ("March 1, 2027", NOT_A_DATE),
        ("20270301", NOT_A_DATE),
    ],
)
def test_item7_ambiguous_and_impossible_dates_are_refused(written, reason):
    with pytest.raises(ValueError) as refused:
        read_date(written)
    assert str(refused.value) == reason


@pytest.mark.parametrize(
    ("written", "said"),
    [("2027-03-01 25:00", "the time '25:00' is not a time of day"),
     ("2027-03-01T08:61", "the time '08:61' is not a time of day"),
     ("2027-03-01T08:00+19:00", "the time zone '+19:00' is not an offset from UTC")],
)  # fmt: skip
def test_item7_a_time_or_zone_that_cannot_be_is_refused(written, said):
    with pytest.raises(ValueError, match=re.escape(said)):
        read_date(written)


def test_item7_a_column_of_dates_is_read_with_errors_and_moves_by_index():
    values = pd.Series(
        ["2027-03-01", "", "2027-03-02 10:00", "03/04/2026", "2027-03-03T00:30:00+01:00"],
        index=[10, 11, 12, 13, 14],
    )
    column = read_dates(values)
    assert column.dates.dt.strftime("%Y-%m-%d").fillna("").tolist() == [
        "2027-03-01", "", "2027-03-02", "", "2027-03-03",
    ]  # fmt: skip
    assert column.errors == {13: AMBIGUOUS}
    assert column.moved == {14: dt.date(2027, 3, 2)}


# --- UTF-16 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        ("a,b\r\n1,2\r\n".encode("utf-16"), "utf-16"),
        (b"\xfe\xff" + "a,b\r\n".encode("utf-16-be"), "utf-16"),
        ("a,b\r\n1,2\r\n".encode("utf-16-le"), "utf-16-le"),
        ("a,b\r\n1,2\r\n".encode("utf-16-be"), "utf-16-be"),
        (b"a,b\r\n1,2\r\n", None),
        (b"\x00\x01\x02PK\x03\x04 not text", None),
    ],
)
def test_utf16_is_recognised_by_its_bom_or_its_nul_bytes(raw, encoding):
    assert utf16_of(raw) == encoding


def test_utf16_text_is_decoded_and_broken_utf16_is_refused_in_plain_words():
    text = "use_case_id\tvalue\r\nUC-é\t12,5\r\n"
    for raw in (
        text.encode("utf-16"),
        text.encode("utf-16-le"),
        b"\xfe\xff" + text.encode("utf-16-be"),
    ):
        assert decode_upload(raw) == text
        assert check_raw(raw, "u.txt", TableError, 10**6) == text
    broken = text.encode("utf-16")[:-1]
    with pytest.raises(TableError) as refused:
        check_raw(broken, "u.txt", TableError, 10**6)
    assert [str(p) for p in refused.value.problems] == [
        "is UTF-16 text that cannot be decoded: save it as UTF-8 (Excel: CSV UTF-8)"
    ]
    assert decode(broken).startswith("use_case_id")  # the store's copy never fails
    with pytest.raises(TableError, match="is not a text"):
        check_raw(b"\x00\x01\x02PK\x03\x04 not text", "b.csv", TableError, 10**6)
    with pytest.raises(TableError, match="the file is empty"):
        check_raw(" \r\n".encode("utf-16"), "e.csv", TableError, 10**6)


def test_utf16_unicode_text_is_tab_delimited():
    assert delimiter_of("use_case_id\tmetric\tgroup\tvalue", "u", TableError) == "\t"
    assert delimiter_of("a,b\tc", "u", TableError) == ","  # a comma wins, as before
    assert parse_number("12,5", "\t") == 12.5  # Excel's Unicode Text keeps the locale's comma
    with pytest.raises(ValueError, match="ambiguous"):
        parse_number("1,234", "\t")
    assert header_columns("Ticket ID\tFirst reply (min)\r\nT1\t3\r\n".encode("utf-16")) == [
        "Ticket ID", "First reply (min)",
    ]  # fmt: skip


# --- item 8: sep=, quotes and parse errors ---------------------------------------------------


def test_item8_a_sep_line_declares_the_delimiter_and_the_header_is_line_2():
    text = "sep=;\r\nuse_case_id;value\r\nUC-1;12,5\r\n\r\nUC-2;3\r\n"
    assert delimiter_of(text.split("\n", 1)[0], "s", TableError) == ";"
    assert header_line(text) == "use_case_id;value"
    frame = read_table(text, ";", "s.csv", ("use_case_id", "value"), TableError)
    assert frame.columns.tolist() == ["line", "use_case_id", "value"]
    assert frame["line"].tolist() == [3, 4, 5]
    assert frame.attrs["header_line"] == 2
    assert header_columns(text.encode()) == ["use_case_id", "value"]
    assert delimiter_of("sep=,", "s", TableError) == ","
    with pytest.raises(TableError, match=r"sep= declares '\|'"):
        delimiter_of("sep=|", "s", TableError)


def test_item8_problems_of_a_sep_file_name_the_physical_lines():
    text = "sep=,\nname,name\n1,2\n"
    with pytest.raises(TableError) as refused:
        read_table(text, ",", "s.csv", (), TableError)
    assert [p.where for p in refused.value.problems] == ["line 2"]


def _quote_problem(text: str, delimiter: str = ",") -> list[str]:
    with pytest.raises(TableError) as refused:
        read_table(text, delimiter, "q.csv", (), TableError)
    return [str(p) for p in refused.value.problems]


def test_item8_a_stray_quote_names_the_line_where_it_opened_not_pandas_row():
    text = "a,b\n" + "1,2\n" * 99 + '3,"4\n' + "5,6\n" * 10
    said = _quote_problem(text)
    assert said == [
        "line 101: a quote opened here is never closed (the rest of the file would be one cell)"
    ]
    assert "row" not in said[0] and "C error" not in said[0]


def test_item8_the_quote_scanner_follows_the_csv_rules():
    assert unclosed_quote_line('a,b\n"x\ny",1\n5" screen,2\n "p""q",3\n', ",") is None
    assert unclosed_quote_line('a,b\n"x\ny",1\n2,"open\n3,4\n', ",") == 4
    assert unclosed_quote_line('a;b\n1; "open;2\n', ";") == 2
    assert unclosed_quote_line('a,b\n"closed" then,"again\n', ",") == 2


def test_item8_too_many_fields_names_the_physical_line_after_a_multiline_cell():
    # pandas counts records: it would say "line 5" for physical line 6.
    text = 'a,b\n"x\ny",1\n\n1,2\n1,2,3\n'
    assert _quote_problem(text) == ["line 6: has 3 fields; the header has 2"]
    text = 'sep=,\na,b\n"x\ny",1\n\n1,2\n1,2,3\n'
    assert _quote_problem(text) == ["line 7: has 3 fields; the header has 2"]


# --- items 6 and 9: blank rows, bounds -----------------------------------------------------


def test_item6_blank_rows_and_rows_of_delimiters_are_dropped_before_any_mapping():
    text = "a;b\n1;2\n\n;\n ; \n3;4\n"
    frame = without_blank_rows(read_table(text, ";", "b.csv", (), TableError))
    assert frame["line"].tolist() == [2, 6]


def test_item9_values_above_a_bound_are_refused_with_line_column_value_and_expectation():
    frame = pd.DataFrame({"line": [2, 3, 4], "value": ["1e308", "12", ""]})
    values = pd.Series([1e308, 12.0, float("nan")])
    problems: list[Problem] = []
    kept = out_of_bounds(frame, "value", values, 1e6, "at most a million", problems)
    assert kept.isna().tolist() == [True, False, True]
    assert problems == [Problem("line 2, column value", "must be at most a million, got '1e308'")]
