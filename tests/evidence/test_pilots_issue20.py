"""Issue 20, pilot observation files: the corpus of broken files in tests/data/broken_csv/
(each refused with one message naming file, line, column, value and rule, by the reader, the
CLI and the store, with no traceback and nothing kept) and of awkward files in
tests/data/awkward/pilots/ (each read, with the values expected). A ``NAME.mapping.yaml``
beside a file is the column mapping it is read with.

Items: 6 (blank lines with a column mapping), 7 (dates with a time; ambiguous dates), 8
(Excel's ``sep=`` line; a stray quote), 9 (values no export holds), and UTF-16 files."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from roi.cli import main
from roi.evidence.pilots import (
    PilotFileError,
    estimate_pilots,
    parse_mapping,
    read_observations,
    reading_notes,
    sample_size_to_detect,
)

DATA = Path(__file__).parents[1] / "data"
BROKEN = DATA / "broken_csv"
AWKWARD = DATA / "awkward" / "pilots"
QUOTE = "a quote opened here is never closed"
MINUTES = "must be a number of minutes from 0 to 1,000,000"

# file, where, message (substring): every problem of each refused file.
EXPECTED = [
    ("ambiguous_date_dotted.csv", "line 2, column date",
     "ambiguous: write YYYY-MM-DD, got '04.03.2026'"),
    ("ambiguous_date_short_year.csv", "line 3, column date",
     "ambiguous: write YYYY-MM-DD, got '3/4/26'"),
    ("ambiguous_date_slash.csv", "line 2, column date",
     "ambiguous: write YYYY-MM-DD, got '03/04/2026'"),
    ("ambiguous_date_with_time.csv", "line 2, column date",
     "ambiguous: write YYYY-MM-DD, got '03/04/2026 08:00'"),
    ("blank_lines_mapping_missing_value.csv", "line 6, column 'First reply (min)'", "is missing"),
    ("date_bad_time.csv", "line 2, column date", "(the time '25:00' is not a time of day)"),
    ("date_bad_zone.csv", "line 2, column date",
     "the time zone '+25:00' is not an offset from UTC"),
    ("huge_deal_value.csv", "line 2, column value",
     "must be an amount from 0 to 1e15, got '1.7976931348623157e308'"),
    ("huge_minutes.csv", "line 2, column value", f"{MINUTES}, got '1e308'"),
    ("huge_requests.csv", "line 2, column value", "must be a count from 0 to 1e15, got '1e16'"),
    ("huge_response_minutes_semicolon.csv", "line 2, column value",
     f"{MINUTES}, got '1 000 000 000'"),
    ("impossible_date_with_time.csv", "line 2, column date",
     "must be a date written YYYY-MM-DD, got '2026-02-30T08:00:00Z'"),
    ("nan_mixed_case.csv", "line 2, column value", "not a number, got 'NaN'"),
    ("negative_infinity.csv", "line 2, column value", "must be a finite number, got '-inf'"),
    ("overflow_to_infinity.csv", "line 2, column value", "must be a finite number, got '1e309'"),
    ("sep_line_bad_delimiter.csv", "line 1", "sep= declares '|'; the delimiter must be ','"),
    ("sep_line_bad_value.csv", "line 4, column value", "not a number, got 'drei'"),
    ("sep_line_blank_header.csv", "line 2", "is blank: the header (the column names) must follow"),
    ("sep_line_missing_column.csv", "line 2", "missing column(s) value"),
    ("stray_quote_after_multiline_cell.csv", "line 6", QUOTE),
    ("stray_quote_after_sep_line.csv", "line 4", QUOTE),
    ("stray_quote_line_101.csv", "line 101", QUOTE),
    ("stray_quote_semicolon.csv", "line 5", QUOTE),
    ("too_many_fields_after_multiline_cell.csv", "line 6", "has 6 fields; the header has 5"),
    ("utf16_truncated.csv", "", "is UTF-16 text that cannot be decoded: save it as UTF-8"),
    ("utf16be_ambiguous_date.csv", "line 2, column date",
     "ambiguous: write YYYY-MM-DD, got '04.03.2026'"),
    ("utf16le_bad_value.csv", "line 3, column value", "not a number, got 'x'"),
]  # fmt: skip
CORPUS = sorted(p.name for p in BROKEN.glob("*.csv"))


def _mapping_file(path: Path) -> Path | None:
    beside = path.with_name(path.stem + ".mapping.yaml")
    return beside if beside.exists() else None


def _read(path: Path):
    mapping_file = _mapping_file(path)
    mapping = (
        None if mapping_file is None else parse_mapping(yaml.safe_load(mapping_file.read_text()))
    )
    return read_observations(path.read_bytes(), path.name, mapping)


def test_the_corpus_has_several_files_of_each_category_and_every_file_has_expectations():
    assert {row[0] for row in EXPECTED} == set(CORPUS)
    for category in ("ambiguous_date", "stray_quote", "sep_line", "huge", "utf16", "date_bad"):
        assert sum(name.startswith(category) for name in CORPUS) >= 2, category


@pytest.mark.parametrize("name", CORPUS)
def test_a_broken_file_is_refused_with_exactly_its_problems(name):
    expected = [(where, message) for file, where, message in EXPECTED if file == name]
    with pytest.raises(PilotFileError) as refused:
        _read(BROKEN / name)
    found = refused.value.problems
    shown = [str(p) for p in found]
    assert len(found) == len(expected), shown
    for (where, message), problem in zip(expected, found, strict=True):
        assert problem.where == where and message in problem.message, shown
    assert "row " not in refused.value.report() and "C error" not in refused.value.report()


@pytest.mark.parametrize("name", CORPUS)
def test_a_broken_file_exits_2_on_the_cli_without_a_traceback(name, capsys):
    path = BROKEN / name
    mapping = _mapping_file(path)
    args = ["pilots", str(path), *(["--mapping", str(mapping)] if mapping else [])]
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(str(path)) and "Traceback" not in err


def test_no_broken_file_is_stored(capsys, tmp_path):
    from roi.store import Store

    url = f"sqlite:///{tmp_path / 'broken.sqlite3'}"
    for name in CORPUS:
        path = BROKEN / name
        mapping = _mapping_file(path)
        extra = ["--mapping", str(mapping)] if mapping else []
        args = ["db", "import", "pilots", str(path), *extra, "--database-url", url, "--user", "ana"]
        assert main(args) == 2, name
        err = capsys.readouterr().err
        assert err.startswith(str(path)) and "Traceback" not in err, err
    store = Store(url)
    assert store.datasets() == [] and store.events() == []
    store.close()


# --- awkward but fine: read, with the values expected ----------------------------------------

# file: (physical lines of the first rows, first values, first dates)
READ = {
    "blank_lines_mapping_cp1252.csv": (
        [2, 3, 4, 5, 6, 8, 9, 10], [10.5, 11.5, 12.5], ["2027-02-01"]),
    "blank_lines_mapping_trailing.csv": ([3, 4], [14.5, 11.0], ["2027-02-01", "2027-02-01"]),
    "blank_lines_mapping_unicode_text.csv": ([2, 5], [14.5, 11.0], ["2027-02-01", "2027-02-01"]),
    "dates_moved_by_time_zone.csv": ([2, 3, 4], [3.0, 4.0, 5.0], ["2027-03-01"] * 3),
    "dates_with_fractions_and_offsets.csv": (
        [2, 3, 4, 5], [3.0, 4.0, 5.0, 6.0], ["2027-03-01"] * 4),
    "dates_with_time.csv": ([2, 3, 4, 5], [3.0, 4.0, 5.0, 6.0], ["2027-03-01"] * 4),
    "powershell_utf16le_bom.csv": ([2, 3], [3.5, 4.0], ["", ""]),
    "quotes_closed.csv": ([2, 3, 4, 5], [3.0, 4.0, 5.0, 6.0], [""]),
    "sep_comma.csv": ([3, 5], [3.0, 1234.5], ["", ""]),
    "sep_semicolon.csv": ([3, 4], [12.5, 1234.5], ["", ""]),
    "sep_tab_utf8_bom.csv": ([3], [3.0], [""]),
    "unicode_text_utf16le_bom.txt": ([2, 3], [12.5, 14.0], ["", ""]),
    "utf16be_bom.csv": ([2], [3.5], [""]),
    "utf16le_no_bom.csv": ([2], [3.5], [""]),
}  # fmt: skip


def test_the_awkward_corpus_has_an_expectation_for_every_file():
    files = {p.name for p in AWKWARD.iterdir() if not p.name.endswith(".mapping.yaml")}
    assert files == set(READ)


@pytest.mark.parametrize("name", sorted(READ))
def test_an_awkward_file_is_read_with_its_values(name, capsys):
    lines, values, dates = READ[name]
    frame = _read(AWKWARD / name)
    assert frame["line"].tolist()[: len(lines)] == lines
    assert frame["value"].tolist()[: len(values)] == pytest.approx(values)
    assert frame["date"].tolist()[: len(dates)] == dates
    mapping = _mapping_file(AWKWARD / name)
    args = ["pilots", str(AWKWARD / name), *(["--mapping", str(mapping)] if mapping else [])]
    assert main(args) == 0, capsys.readouterr().err


def test_item6_blank_lines_with_mapping():
    """A ';' Windows-1252 helpdesk export with blank lines and rows of ';' was refused once a
    mapping was applied ("line 43, column value: is missing"): the mapping's constants
    filled the blank rows before blank rows were dropped."""
    frame = _read(AWKWARD / "blank_lines_mapping_cp1252.csv")
    assert len(frame) == 60
    assert set(frame["use_case_id"]) == {"UC-01"} and set(frame["metric"]) == {"response_minutes"}
    assert frame["group"].value_counts().to_dict() == {"baseline": 30, "pilot": 30}
    assert "Tö5" in set(frame["unit_id"])  # Windows-1252 decoded
    # Line numbers stay physical: the rows after the first blank line are counted from it.
    text = (AWKWARD / "blank_lines_mapping_cp1252.csv").read_bytes().decode("cp1252")
    lines = enumerate(text.split("\r\n"), start=1)
    physical = [i for i, line in lines if i > 1 and line.startswith("T")]
    assert frame["line"].tolist() == physical
    # A value that really is missing is still refused, on its own line.
    with pytest.raises(PilotFileError) as refused:
        _read(BROKEN / "blank_lines_mapping_missing_value.csv")
    assert [str(p) for p in refused.value.problems] == [
        "line 6, column 'First reply (min)': is missing"
    ]


def test_item7_dates_with_a_time_are_read():
    frame = _read(AWKWARD / "dates_with_time.csv")
    assert frame["date"].tolist() == ["2027-03-01"] * 4
    assert reading_notes(frame) == []


def test_item7_a_date_a_time_zone_moves_is_kept_as_written_and_noted():
    frame = _read(AWKWARD / "dates_moved_by_time_zone.csv")
    assert frame["date"].tolist() == ["2027-03-01"] * 3
    (note,) = reading_notes(frame)
    assert note.startswith("column date: 2 date(s) with a time zone fall on another day in UTC")
    assert "line(s) 2, 3" in note and "'2027-03-01T01:00:00+02:00' is 2027-02-28 in UTC" in note
    assert "the date as written is kept" in note


def test_item7_ambiguous_dates_are_refused_naming_line_column_and_value():
    with pytest.raises(PilotFileError) as refused:
        _read(BROKEN / "ambiguous_date_short_year.csv")
    assert [str(p) for p in refused.value.problems] == [
        "line 3, column date: ambiguous: write YYYY-MM-DD, got '3/4/26'"
    ]


def test_item8_sep_line_is_read():
    frame = _read(AWKWARD / "sep_semicolon.csv")
    assert frame["use_case_id"].tolist() == ["UC-é", "UC-é"]
    assert frame["line"].tolist() == [3, 4]  # physical: the header is line 2


def test_item8_stray_quote_names_the_line_where_it_opened():
    with pytest.raises(PilotFileError) as refused:
        _read(BROKEN / "stray_quote_line_101.csv")
    assert refused.value.report().splitlines()[1:] == [
        "  stray_quote_line_101.csv: line 101: a quote opened here is never closed (the rest of"
        " the file would be one cell)"
    ]


def test_item9_huge_values_are_refused_before_the_planner_sees_them():
    """A file with values near 1e308 passed validation and then crashed the sample-size
    planner (``cannot convert float NaN to integer``)."""
    with pytest.raises(PilotFileError, match="line 2, column value: must be a number of minutes"):
        _read(BROKEN / "huge_minutes.csv")
    # At the bound, every estimate and the planner still give finite figures.
    rows = "".join(
        f"UC-1,task_minutes,{'pilot' if i % 2 else 'baseline'},{1e6 if i % 3 else 0}\n"
        for i in range(12)
    )
    frame = read_observations(("use_case_id,metric,group,value\n" + rows).encode(), "edge.csv")
    (estimate,) = estimate_pilots(frame)
    head = estimate.headline
    assert all(math.isfinite(f) for f in (head.effect, head.ci_low, head.ci_high, head.mde))
    needed = sample_size_to_detect(head, 1.0)
    # n · (MDE / d)², n the smaller group: 6 · 927,213.3…² ≈ 5.16e12 observations a group.
    assert needed == math.ceil(6 * (head.mde / 1.0) ** 2)


def test_utf16_unicode_text_and_powershell_files_are_read():
    unicode_text = _read(AWKWARD / "unicode_text_utf16le_bom.txt")
    assert unicode_text["use_case_id"].tolist() == ["UC-é", "UC-é"]
    assert unicode_text["unit_id"].tolist() == ["T1", "T2"]
    powershell = _read(AWKWARD / "powershell_utf16le_bom.csv")
    assert powershell["group"].tolist() == ["pilot", "baseline"]
