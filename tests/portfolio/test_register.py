"""The use-case register (issue 6).

Every problem of a broken register is reported at once, with its line and column (the
corpus in tests/data/broken_registers/, whose cases/ folder holds the case files the
registers name); the sample register reads with its business cases; case files can be
confined to the case folder; ';' exports, byte-order marks and column names in any case
are accepted.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from roi.core.casefile import load_case
from roi.core.engine import evaluate
from roi.io.csvtable import line_of
from roi.portfolio.register import BUSINESS_FUNCTIONS, RegisterError, read_register

ROOT = Path(__file__).resolve().parents[2]
BROKEN = Path(__file__).parents[1] / "data" / "broken_registers"
SAMPLE = ROOT / "sample_data" / "use_cases.csv"
SCORE = "must be a score from 1 to 5"
ONE_OF = f"must be one of {', '.join(BUSINESS_FUNCTIONS)}, got '"
EUR_NEEDS_RATE = "is needed: the case is in EUR and the register reports in USD (give USD per EUR)"

# file, where, message (substring): one row per expected problem, and no other problem.
EXPECTED = [
    ("empty.csv", "", "the file is empty"),
    ("bom_only.csv", "", "the file is empty"),
    ("binary.csv", "", "is not a text (CSV) file"),
    ("both_delimiters.csv", "line 1", "the header has both ',' and ';'"),
    ("missing_columns.csv", "line 1", "missing column(s) data_readiness, stakeholder_buy_in;"),
    ("duplicate_column.csv", "line 1", "column 'risk' appears more than once"),
    ("duplicate_column_differing_case.csv", "line 1",
     "columns 'risk' and 'Risk' are one column (names are not case-sensitive)"),
    ("too_many_fields.csv", "line 3", "has 10 fields; the header has 9"),
    ("unnamed_column_with_values.csv", "line 1", "column 10 has values but no name"),
    ("header_only.csv", "", "has no use case rows after the header"),
    ("leading_blank_line.csv", "line 1",
     "is blank: the header (the column names) must be on the first line"),
    ("blank_use_case_id.csv", "line 3, column use_case_id", "must not be empty"),
    ("blank_name.csv", "line 2, column name", "must not be empty"),
    ("unknown_business_function.csv", "line 2, column business_function", ONE_OF),
    ("score_zero.csv", "line 2, column technical_complexity", f"{SCORE}, got '0'"),
    ("score_six.csv", "line 2, column stakeholder_buy_in", f"{SCORE}, got '6'"),
    ("score_text.csv", "line 2, column value_score", "not a number, got '3.5x'"),
    ("score_percent.csv", "line 2, column data_readiness", "a percentage is not a value of"),
    ("score_infinite.csv", "line 2, column strategic_alignment", "must be a finite number"),
    ("value_score_blank_without_case.csv", "line 3, column value_score",
     "is missing (needed when there is no case_file)"),
    ("time_to_value_negative.csv", "line 2, column time_to_value_months",
     "must be from 0 to 120 months, got '-2'"),
    ("time_to_value_too_long.csv", "line 2, column time_to_value_months",
     "must be from 0 to 120 months, got '121'"),
    ("estimated_cost_negative.csv", "line 2, column estimated_cost",
     "must be an amount ≥ 0, got '-60000'"),
    ("exchange_rate_zero.csv", "line 2, column exchange_rate", "must be a rate > 0, got '0'"),
    ("exchange_rate_text.csv", "line 2, column exchange_rate",
     "not a number, got '1.08 USD/EUR'"),
    ("exchange_rate_without_case.csv", "line 2, column exchange_rate",
     "applies only to a row with a case_file"),
    ("npv_low_without_high.csv", "line 2, column npv_high",
     "is missing: an interval needs both npv_low and npv_high"),
    ("npv_low_above_high.csv", "line 2, column npv_low",
     "must not exceed npv_high (40000), got '90000'"),
    ("case_file_of_another_use_case.csv", "line 2, column case_file",
     "'cases/uc09_case.yaml' is the business case of UC-09, not of UC-01 (its use_case_id)"),
    ("npv_interval_without_the_npv.csv", "line 2, column npv_low",
     "the interval -900,000 to -800,000 must contain the case's risk-adjusted NPV, 5,198 USD"),
    ("duplicate_id_differing_case.csv", "line 3, column use_case_id",
     "repeats 'UC-07' from line 2 (identifiers are not case-sensitive)"),
    ("duplicate_use_case_id.csv", "line 4, column use_case_id", "repeats 'UC-01' from line 2"),
    ("case_file_missing.csv", "line 2, column case_file",
     "no such case file, got 'cases/ticket_triage.yaml'"),
    ("case_file_wrong_suffix.csv", "line 2, column case_file",
     "must name a .yaml, .yml or .json file, got 'cases/usd_case.txt'"),
    ("case_file_broken.csv", "line 3, column case_file",
     "cases/broken_risk.yaml: costs[0].risk: must be ≤ 0.9, got 0.95"),
    ("case_file_twice.csv", "line 3, column case_file",
     "'./cases/usd_case.yaml' is already the case of line 2"),
    ("eur_case_without_rate.csv", "line 2, column exchange_rate", EUR_NEEDS_RATE),
    ("usd_case_with_rate.csv", "line 2, column exchange_rate",
     "must be 1 or blank: the case is already in USD, got 1.08"),
    ("semicolon_dotted_thousands.csv", "line 3, column estimated_cost",
     "ambiguous: a thousand separator or a decimal point, got '1.234'"),
    ("semicolon_comma_thousands.csv", "line 3, column estimated_cost",
     "ambiguous: a thousand separator or a decimal comma, got '1,234'"),
    ("comma_decimal_in_comma_file.csv", "line 2, column time_to_value_months",
     "not a number, got '2,5'"),
    ("many_problems.csv", "line 3, column business_function", ONE_OF),
    ("many_problems.csv", "line 3, column risk", f"{SCORE}, got '7'"),
    ("many_problems.csv", "line 4, column name", "must not be empty"),
    ("many_problems.csv", "line 5, column time_to_value_months",
     "must be from 0 to 120 months, got '-1'"),
    ("many_problems.csv", "line 5, column use_case_id", "repeats 'UC-01' from line 2"),
    ("many_problems.csv", "line 6, column case_file",
     "no such case file, got 'cases/contracts.yaml'"),
    ("windows_1252.csv", "line 3, column business_function", "ística'"),
    ("trailing_blank_lines_and_spaces.csv", "line 3, column estimated_cost",
     "must be an amount ≥ 0, got '-100'"),
    # Issue 20, item 10: ids trimmed and case-folded; one rule for case_file paths.
    ("duplicate_id_trailing_space.csv", "line 3, column use_case_id",
     "repeats 'UC-07' from line 2"),
    ("duplicate_id_case_and_spaces.csv", "line 4, column use_case_id",
     "repeats 'UC-07' from line 2 (identifiers are not case-sensitive)"),
    ("duplicate_id_case_and_spaces.csv", "line 5, column use_case_id",
     "repeats 'uc-08' from line 3 (identifiers are not case-sensitive)"),
    ("case_file_outside_dotdot.csv", "line 2, column case_file",
     "inside the case folder (a path must not climb out with '..'), got 'cases/../../"),
    ("case_file_outside_absolute.csv", "line 2, column case_file",
     "inside the case folder (a path relative to the folder, not an absolute one)"),
    ("case_file_backslash.csv", "line 2, column case_file",
     "inside the case folder (write / between folders, not a backslash)"),
    ("case_file_drive.csv", "line 2, column case_file",
     "inside the case folder (a path relative to the folder, not one on a drive)"),
]  # fmt: skip
CORPUS = sorted(p.name for p in BROKEN.glob("*.csv"))
SMALL = (
    "use_case_id,name,business_function,value_score,technical_complexity,data_readiness,"
    "stakeholder_buy_in,strategic_alignment,time_to_value_months,change_readiness,risk,"
    "estimated_cost,case_file,exchange_rate,npv_low,npv_high,owner\n"
    "UC-01,Ticket triage,customer_support,3,2,4,4,3,2.5,,2,1234.5,,,,,Head of Support\n"
    "UC-02,Document classification,operations_hr,,3,3,3,3,4,4,,90000,cases/eur_case.yaml,"
    "1.08,-20000.5,150000,Operations Director\n"
)


def problems_of(name: str) -> list:
    with pytest.raises(RegisterError) as caught:
        read_register((BROKEN / name).read_bytes(), name, BROKEN)
    return caught.value.problems


def test_corpus_has_30_registers_and_every_register_has_expectations():
    assert len(CORPUS) >= 30
    assert {row[0] for row in EXPECTED} == set(CORPUS)
    others = {p.name for p in BROKEN.iterdir() if p.suffix != ".csv"}
    assert others == {"cases"}  # the case files the registers name; never registers


@pytest.mark.parametrize("name", CORPUS)
def test_broken_register_reports_exactly_its_problems(name):
    expected = [(where, message) for file, where, message in EXPECTED if file == name]
    found = problems_of(name)
    shown = [str(p) for p in found]
    assert len(found) == len(expected), shown
    assert sorted(p.where for p in found) == sorted(where for where, _ in expected), shown
    unmatched = list(found)
    for where, message in expected:
        match = next((p for p in unmatched if p.where == where and message in p.message), None)
        assert match is not None, (where, message, shown)
        unmatched.remove(match)


def test_problems_come_sorted_by_line_with_the_case_files_among_them():
    found = problems_of("many_problems.csv")
    assert [line_of(p.where) for p in found] == [3, 3, 4, 5, 5, 6]


def test_nothing_is_returned_from_a_rejected_register():
    result = None
    with pytest.raises(RegisterError) as caught:
        result = read_register((BROKEN / "case_file_broken.csv").read_bytes(), "r.csv", BROKEN)
    assert result is None
    assert caught.value.problems and "r.csv" in str(caught.value)


def test_an_unknown_business_function_is_quoted_as_written():
    (problem,) = problems_of("unknown_business_function.csv")
    assert problem.message.endswith("got 'Finance'")


def test_a_near_miss_of_a_column_name_is_refused_and_other_extra_columns_are_ignored(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8")
    misspelled = text.replace(",risk,", ",risks,", 1)
    with pytest.raises(RegisterError) as caught:
        read_register(misspelled.encode(), "r.csv", SAMPLE.parent)
    assert [str(p) for p in caught.value.problems] == [
        "line 1: column 'risks' is not a register column; did you mean 'risk'?"
    ]
    lines = text.splitlines()
    extra = "\n".join([lines[0] + ",notes"] + [line + ",see wiki" for line in lines[1:]])
    assert len(read_register(extra.encode(), "r.csv", SAMPLE.parent).use_cases) == 19


def test_windows_1252_text_is_decoded():
    raw = (BROKEN / "windows_1252.csv").read_bytes()
    assert b"Log\xedstica" in raw
    register = read_register(raw.replace(b"Log\xedstica", b"other"), "w.csv", BROKEN)
    first, second = register.use_cases
    assert first.name == "Prévision de la demande – cafés" and first.owner == "Amélie Dupré"
    assert second.name == "Réponses aux réclamations" and second.owner == "Zoë Müller"


# The valid sample.


@pytest.fixture(scope="module")
def sample():
    return read_register(SAMPLE.read_bytes(), SAMPLE.name, SAMPLE.parent)


def test_sample_has_19_use_cases_and_loads_the_cases_it_names(sample):
    assert len(sample.use_cases) == 19 and sample.currency == "USD"
    assert [u.use_case_id for u in sample.use_cases] == [f"UC-{n:02d}" for n in range(1, 20)]
    assert [u.line for u in sample.use_cases] == list(range(2, 21))
    with_case = [u.use_case_id for u in sample.use_cases if u.case_file]
    assert with_case == ["UC-01", "UC-02", "UC-03", "UC-04", "UC-05"]
    assert sorted(sample.cases) == with_case


def test_sample_npv_is_converted_at_the_rows_exchange_rate(sample):
    case = evaluate(load_case(SAMPLE.parent / "cases" / "document_classification.yaml"))
    assert sample.rate("UC-03") == 1.08
    assert sample.npv("UC-03") == pytest.approx(case.risk_adjusted.metrics.npv * 1.08)
    lead = sample.cases["UC-02"].risk_adjusted.metrics.npv
    assert sample.rate("UC-02") == 1.0 and sample.npv("UC-02") == pytest.approx(lead)
    assert sample.npv("UC-12") is None  # no case file


def test_sample_blank_optional_cells_are_none(sample):
    by_id = {u.use_case_id: u for u in sample.use_cases}
    assert all(u.change_readiness is None for u in sample.use_cases)  # no such column
    for use_case_id in sample.cases:
        assert by_id[use_case_id].value_score is None
    assert by_id["UC-12"].value_score == 3.0 and by_id["UC-12"].risk == 2.0
    assert by_id["UC-11"].estimated_cost is None and by_id["UC-11"].case_file is None
    assert by_id["UC-05"].npv_low == 450000.0 and by_id["UC-01"].npv_low is None


# Case files outside the case folder.


@pytest.fixture
def outside(tmp_path):
    """A register in tmp_path/register naming ../sample_data/cases/lead_scoring.yaml."""
    cases = tmp_path / "sample_data" / "cases"
    cases.mkdir(parents=True)
    shutil.copy(SAMPLE.parent / "cases" / "lead_scoring.yaml", cases)
    root = tmp_path / "register"
    (root / "cases").mkdir(parents=True)
    shutil.copy(SAMPLE.parent / "cases" / "lead_scoring.yaml", root / "cases")
    return root


def register_naming(case_file: str) -> bytes:
    header = SMALL.split("\n", 1)[0]
    return f"{header}\nUC-02,Lead scoring,sales_marketing,,3,3,4,5,4,,3,,{case_file},,,,\n".encode()


OUTSIDE = "must name a case file inside the case folder"


@pytest.mark.parametrize("confine", [True, False], ids=["confined", "default"])
def test_item10_every_register_refuses_a_case_file_outside_the_case_folder(outside, confine):
    """One rule for every reader: ``confine`` no longer opens the way out (issue 20, item
    10: ``roi rank`` read what ``db import`` and the dashboard refused)."""
    escaping = "../sample_data/cases/lead_scoring.yaml"
    with pytest.raises(RegisterError) as caught:
        read_register(register_naming(escaping), "r.csv", outside, confine=confine)
    (problem,) = caught.value.problems
    assert problem.where == "line 2, column case_file"
    reason = "a path must not climb out with '..'"
    assert problem.message == f"{OUTSIDE} ({reason}), got {escaping!r}"
    absolute = str(outside.parent / "sample_data" / "cases" / "lead_scoring.yaml")
    with pytest.raises(RegisterError, match="not an absolute one"):
        read_register(register_naming(absolute), "r.csv", outside, confine=confine)


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("cases/../cases/lead_scoring.yaml", "a path must not climb out with '..'"),
        ("cases\\lead_scoring.yaml", "write / between folders, not a backslash"),
        ("C:/cases/lead_scoring.yaml", "not one on a drive"),
        ("c:lead_scoring.yaml", "not one on a drive"),
        ("//server/share/lead_scoring.yaml", "not an absolute one"),
        ("linked/lead_scoring.yaml", "a symbolic link leads out of the folder"),
        ("cases/" + "a" * 1100 + ".yaml", "at most 1,024 characters"),
    ],
    ids=["dotdot", "backslash", "drive", "drive-relative", "unc", "symlink", "long"],
)
def test_item10_a_case_file_path_breaking_the_rule_is_refused(outside, written, reason):
    (outside / "linked").symlink_to(outside.parent / "sample_data" / "cases")
    with pytest.raises(RegisterError) as caught:
        read_register(register_naming(written), "r.csv", outside)
    (problem,) = caught.value.problems
    assert problem.where == "line 2, column case_file"
    assert problem.message.startswith(OUTSIDE) and reason in problem.message, problem


def test_item10_a_case_file_inside_the_folder_is_read_also_through_a_link_inside(outside):
    (outside / "alias").symlink_to(outside / "cases")
    inside = read_register(register_naming("cases/lead_scoring.yaml"), "r.csv", outside)
    dotted = read_register(register_naming("./cases/lead_scoring.yaml"), "r.csv", outside)
    linked = read_register(register_naming("alias/lead_scoring.yaml"), "r.csv", outside)
    assert sorted(inside.cases) == sorted(dotted.cases) == sorted(linked.cases) == ["UC-02"]
    assert inside.npv("UC-02") == pytest.approx(linked.npv("UC-02"))


def test_item10_a_case_file_naming_its_use_case_in_another_case_is_its_own(outside):
    """The case's ``use_case_id`` and the register's compare trimmed and case-folded, as ids
    do in every file (issue 20, item 10)."""
    case = outside / "cases" / "lead_scoring.yaml"
    text = case.read_text(encoding="utf-8")
    assert "use_case_id: UC-02\n" in text
    case.write_text(text.replace("use_case_id: UC-02\n", "use_case_id: ' uc-02'\n"), "utf-8")
    register = read_register(register_naming("cases/lead_scoring.yaml"), "r.csv", outside)
    assert sorted(register.cases) == ["UC-02"]


# Exports as people have them.


def test_a_semicolon_export_with_a_byte_order_mark_reads_as_the_comma_version(tmp_path):
    comma = tmp_path / "comma.csv"
    comma.write_text(SMALL, encoding="utf-8")
    semicolon = tmp_path / "semicolon.csv"
    european = (
        SMALL.replace(",", ";")
        .replace(";2.5;", ";2,5;")
        .replace(";1234.5;", ";1.234,5;")
        .replace(";1.08;", ";1,08;")
        .replace(";-20000.5;", ";-20 000,5;")
    )
    semicolon.write_text(european, encoding="utf-8-sig")
    assert semicolon.read_bytes().startswith(b"\xef\xbb\xbf")
    expected = read_register(comma.read_bytes(), comma.name, BROKEN)
    got = read_register(semicolon.read_bytes(), semicolon.name, BROKEN)
    assert got.use_cases == expected.use_cases
    assert got.use_cases[0].time_to_value_months == 2.5
    assert got.use_cases[0].estimated_cost == 1234.5
    assert got.use_cases[1].npv_low == -20000.5
    assert got.rate("UC-02") == 1.08
    assert got.npv("UC-02") == pytest.approx(expected.npv("UC-02"))


def test_column_names_are_matched_case_insensitively():
    header, rows = SMALL.split("\n", 1)
    shouting = ",".join(
        {"use_case_id": "Use_Case_ID", "risk": "RISK"}.get(name, name.title())
        for name in header.split(",")
    )
    assert shouting.startswith("Use_Case_ID,Name,Business_Function,")
    expected = read_register(SMALL.encode(), "lower.csv", BROKEN)
    got = read_register(f"{shouting}\n{rows}".encode(), "title.csv", BROKEN)
    assert got.use_cases == expected.use_cases
    assert got.use_cases[0].risk == 2.0 and got.use_cases[1].case_file == "cases/eur_case.yaml"
