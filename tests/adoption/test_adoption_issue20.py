"""Issue 20, adoption telemetry: the corpus of broken exports in tests/data/broken_adoption/
(each refused naming file, place, value and rule, on the CLI with exit 2 and no traceback)
and of awkward exports in tests/data/awkward/adoption/ (each read, with the figures
expected).

Items: 7 (dates with a time, also in GitHub's JSON; ambiguous dates), 8 (Excel's ``sep=``
line, a stray quote), 9 (counts no export holds), 10 (user and team names compared trimmed
and case-folded), UTF-16 CSV and JSON, and the known defect of a blank ``team`` passing."""

from __future__ import annotations

from pathlib import Path

import pytest

from roi.adoption.formats import adoption_csv
from roi.adoption.telemetry import TelemetryError, read_telemetry
from roi.adoption.usage import cohorts, idle_licences
from roi.cli import main

DATA = Path(__file__).parents[1] / "data"
BROKEN = DATA / "broken_adoption"
AWKWARD = DATA / "awkward" / "adoption"
PEOPLE = "must be a whole number of people from 0 to 10,000,000"

# file, where, message (substring): every problem of each refused file.
EXPECTED = [
    ("ambiguous_date.csv", "line 2, column date", "ambiguous: write YYYY-MM-DD, got '03/04/2026'"),
    ("ambiguous_date_semicolon.csv", "line 2, column date",
     "ambiguous: write YYYY-MM-DD, got '04.03.2026'"),
    ("date_bad_time.csv", "line 2, column date", "(the time '24:00:00Z' is not a time of day)"),
    ("github_metrics_ambiguous_date.json", "[0].date",
     "ambiguous: write YYYY-MM-DD, got '03/04/2026'"),
    ("github_metrics_utf16_bad_count.json", "[0].total_active_users",
     "must be a whole number from 0 to 1e15, got -3"),
    ("github_metrics_utf16_truncated.json", "", "is UTF-16 text that cannot be decoded"),
    ("github_usage_impossible_date.json", "[0].day",
     "is not a calendar date, got '2024-02-30T00:00:00Z'"),
    ("huge_actions.csv", "line 2, column actions",
     "must be a whole number from 0 to 1e15, got '1e16'"),
    ("huge_users.csv", "line 2, column eligible_users", f"{PEOPLE}, got '1e308'"),
    ("m365_ambiguous_date.csv", "line 3, column Last Activity Date",
     "ambiguous: write YYYY-MM-DD or blank, got '3/4/26'"),
    ("m365_huge_report_period.csv", "line 2, column Report Period",
     "must be a number of days from 1 to 366, got '1e308'"),
    ("m365_zero_report_period.csv", "line 2, column Report Period",
     "must be a number of days from 1 to 366, got '0'"),
    ("stray_quote.csv", "line 4", "a quote opened here is never closed"),
    ("team_blank.csv", "line 3, column team", "must not be empty"),
    ("team_case_repeats_day.csv", "line 3, column date",
     "repeats 2026-01-01 for team 'Sales' from line 2"),
    ("team_spaces_only.csv", "line 2, column team", "must not be empty"),
    ("users_above_ten_million.csv", "line 2, column eligible_users", f"{PEOPLE}, got '20000000'"),
]  # fmt: skip
MINE = sorted({row[0] for row in EXPECTED})


def read(path: Path, **options):
    return read_telemetry(path.read_bytes(), path.name, **options)


def test_every_file_of_the_corpus_has_expectations():
    assert {p.name for p in BROKEN.iterdir()} == set(MINE)


@pytest.mark.parametrize("name", MINE)
def test_a_broken_export_is_refused_with_exactly_its_problems(name):
    expected = [(where, message) for file, where, message in EXPECTED if file == name]
    with pytest.raises(TelemetryError) as refused:
        read(BROKEN / name)
    found = refused.value.problems
    shown = [str(p) for p in found]
    assert len(found) == len(expected), shown
    for (where, message), problem in zip(expected, found, strict=True):
        assert problem.where == where and message in problem.message, shown


@pytest.mark.parametrize("name", MINE)
def test_a_broken_export_exits_2_on_the_cli_without_a_traceback(name, capsys):
    assert main(["adoption", str(BROKEN / name)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(str(BROKEN / name)) and "Traceback" not in err


def test_issue20_blank_team_is_refused():
    """A known defect: pandera names the team check "str_length(1, None)", which the rule
    table did not know, so a blank team passed."""
    with pytest.raises(TelemetryError) as refused:
        read(BROKEN / "team_blank.csv")
    assert [str(p) for p in refused.value.problems] == [
        "line 3, column team: must not be empty, got ''"
    ]


# --- awkward but fine --------------------------------------------------------------------

# file: (format, the daily rows' dates, their active users, the number of quality notes)
READ = {
    "dates_moved_by_time_zone.csv": ("adoption_csv", ["2026-01-01", "2026-01-02"], [3, 4], 1),
    "dates_with_time.csv": (
        "adoption_csv", ["2026-01-01", "2026-01-02", "2026-01-03"], [3, 4, 5], 0),
    "github_metrics_timestamps.json": ("github_copilot_metrics", ["2026-03-10"], [32], 0),
    "github_metrics_utf16le_bom.json": ("github_copilot_metrics", ["2026-03-10"], [32], 0),
    "github_metrics_utf16le_no_bom.json": ("github_copilot_metrics", ["2026-03-10"], [32], 0),
    "github_usage_timestamps_moved.json": (
        "github_copilot_usage", ["2025-01-20", "2025-01-21"], [13, 18], 2),
    "github_usage_utf16be_bom.json": (
        "github_copilot_usage", ["2025-01-20", "2025-01-21"], [13, 18], 0),
    "m365_dates_with_time.csv": ("m365_copilot_usage", ["2026-10-31"], [1], 0),
    "m365_users_case_and_space.csv": (
        "m365_copilot_usage", ["2026-09-30", "2026-10-31"], [1, 2], 4),
    "sep_semicolon.csv": ("adoption_csv", ["2026-01-01"], [3], 0),
    "team_case_and_space.csv": (
        "adoption_csv", ["2026-01-01", "2026-01-02", "2026-01-03"], [3, 4, 5], 2),
    "unicode_text_utf16le_bom.txt": ("adoption_csv", ["2026-01-01"], [3], 0),
}  # fmt: skip


def test_the_awkward_corpus_has_an_expectation_for_every_file():
    assert {p.name for p in AWKWARD.iterdir()} == set(READ)


@pytest.mark.parametrize("name", sorted(READ))
def test_an_awkward_export_is_read_with_its_figures(name, capsys):
    format_, dates, active, notes = READ[name]
    telemetry = read(AWKWARD / name)
    assert telemetry.format == format_
    assert telemetry.daily["date"].dt.strftime("%Y-%m-%d").tolist() == dates
    assert telemetry.daily["active_users"].tolist() == active
    assert len(telemetry.data_quality) == notes, [str(n) for n in telemetry.data_quality]
    assert main(["adoption", str(AWKWARD / name)]) == 0, capsys.readouterr().err


def test_item7_dates_with_a_time_are_read_in_every_adoption_format():
    for name in (
        "dates_with_time.csv",
        "github_metrics_timestamps.json",
        "m365_dates_with_time.csv",
    ):
        assert read(AWKWARD / name).daily["date"].notna().all(), name


def test_item7_a_date_a_time_zone_moves_is_kept_as_written_and_noted():
    telemetry = read(AWKWARD / "dates_moved_by_time_zone.csv")
    (note,) = [str(n) for n in telemetry.data_quality]
    assert note.startswith("column date: 2 date(s) with a time zone fall on another day in UTC")
    assert "'2026-01-01T00:30:00+01:00' is 2025-12-31 in UTC" in note
    usage = read(AWKWARD / "github_usage_timestamps_moved.json")
    assert str(usage.data_quality[0]) == (
        "2025-01-20 [0].day: '2025-01-20T23:30:00-02:00' is 2025-01-21 in UTC; the date as"
        " written is kept"
    )


def test_item8_sep_line_is_read_by_the_adoption_csv_reader():
    text = (AWKWARD / "sep_semicolon.csv").read_text()
    telemetry = adoption_csv.read(text, ";", "sep_semicolon.csv")
    assert telemetry.daily["team"].tolist() == ["sales"]


def test_item10_telemetry_users_compared_trimmed_and_casefolded():
    """ "Alice@x.com " and "alice@x.com" are one person: one user across reports (cohorts,
    idle licences), and a note where a report lists the same person twice."""
    telemetry = read(AWKWARD / "m365_users_case_and_space.csv")
    assert sorted(set(telemetry.users["user"])) == ["Alice@x.com", "bob@x.com"]
    flows = cohorts(telemetry)
    assert [(f.period, f.active, f.new, f.retained) for f in flows] == [
        ("2026-09-30", 1, 1, 0),
        ("2026-10-31", 1, 0, 1),
    ]
    assert idle_licences(telemetry, None).users == ("bob@x.com",)
    notes = [str(n) for n in telemetry.data_quality]
    assert "line 4: user 'alice@x.com' is read as 'Alice@x.com', as first written" in notes[0]
    assert any("the user appears twice in one report" in n for n in notes)


def test_item10_team_names_compared_trimmed_and_casefolded():
    telemetry = read(AWKWARD / "team_case_and_space.csv")
    assert telemetry.daily["team"].tolist() == ["Sales", "Sales", "Sales"]
    with pytest.raises(TelemetryError, match="repeats 2026-01-01 for team 'Sales' from line 2"):
        read(BROKEN / "team_case_repeats_day.csv")


def test_utf16_json_exports_are_read():
    for name in ("github_metrics_utf16le_bom.json", "github_usage_utf16be_bom.json"):
        assert len(read(AWKWARD / name).daily) >= 1, name
