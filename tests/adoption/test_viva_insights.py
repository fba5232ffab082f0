"""Viva Insights person query: one row per person and week, read to licensed and active
people and Copilot actions per week and team (an HR attribute), with a per-person-week
table.

The sample of the ``vivainsights`` package (trimmed: 3 organisations x 2 weeks, two people
each; tests/data/telemetry/viva/README.md) and hand-built fixtures are read to figures
worked out by hand, with the arithmetic beside the expected value; a corpus of broken files
names each problem's place and rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from roi.adoption.formats import viva_insights
from roi.adoption.formats.common import Telemetry, TelemetryError
from roi.adoption.telemetry import read_telemetry

DATA = Path(__file__).parents[1] / "data" / "telemetry" / "viva"
SAMPLE = DATA / "viva_pq_data_3_orgs_2_weeks.csv"


def read(path: Path, team_by: str | None = None) -> Telemetry:
    text = path.read_text(encoding="utf-8")
    return viva_insights.read_csv(text, ",", path.name, "all", team_by=team_by)


def figures(telemetry: Telemetry) -> list[tuple]:
    daily = telemetry.daily
    return list(
        zip(
            daily["date"].dt.strftime("%Y-%m-%d"),
            daily["team"],
            daily["licensed_users"],
            daily["active_users"],
            daily["actions"],
            strict=True,
        )
    )


def test_the_vivainsights_sample_by_organisation():
    telemetry = read(SAMPLE)
    # (week, organisation, licensed = enabled days > 0, active = active days > 0, actions =
    # the sum of the six Copilot_actions_taken_in_* columns: Teams, Copilot chat (work),
    # Excel, Outlook, Powerpoint, Word), person by person:
    assert figures(telemetry) == [
        # 1a4665de: enabled 2, active 1, 5+0+0+2+0+0 = 7; 56d6bf8c: 1, 0, 0.
        ("2024-03-31", "HR", 2, 1, 7),
        # 9d619358: 1, 0, 8+6+0+1+0+3 = 18; 87be22d3: 0, 1, 3+4+0+1+1+0 = 9; 18 + 9 = 27.
        ("2024-03-31", "IT", 1, 1, 27),
        # 69003e66: 1, 1, 4+1+0+1+0+0 = 6; d32919f3: 2, 1, 6+0+0+2+0+1 = 9; 6 + 9 = 15.
        ("2024-03-31", "Sales", 2, 2, 15),
        # 1a4665de: 0, 4, 5+6+0+4+0+1 = 16; 56d6bf8c: 2, 3, 2+1+0+4+0+0 = 7; 16 + 7 = 23.
        ("2024-04-07", "HR", 1, 2, 23),
        # 9d619358: 1, 1, 7+3+0+1+2+0 = 13; 87be22d3: 0, 5, 3+2+0+2+0+1 = 8; 13 + 8 = 21.
        ("2024-04-07", "IT", 1, 2, 21),
        # 69003e66: 1, 1, 5+1+0+0+0+1 = 7; d32919f3: 1, 0, 9+2+0+1+0+0 = 12; 7 + 12 = 19.
        ("2024-04-07", "Sales", 2, 1, 19),
    ]
    assert telemetry.daily["actions"].sum() == 112  # 7 + 27 + 15 + 23 + 21 + 19
    assert [str(n) for n in telemetry.data_quality] == [
        "2024-04-07 team HR: 2 people active but 1 with Copilot enabled in the week; kept as"
        " reported",
        "2024-04-07 team IT: 2 people active but 1 with Copilot enabled in the week; kept as"
        " reported",
        "2024-03-31 team IT: 1 person with Copilot actions but no active day in the week (first"
        " on line 3); kept as reported",
        "2024-04-07 team Sales: 1 person with Copilot actions but no active day in the week"
        " (first on line 11); kept as reported",
    ]
    assert telemetry.format == "viva_insights_person_query" and telemetry.users is None
    assert telemetry.period == ("2024-03-31", "2024-04-13")  # the last week ends 04-07 + 6


def test_the_per_person_week_table_and_the_weekly_grain_in_labels():
    telemetry = read(SAMPLE)
    user_days = telemetry.user_days
    assert len(user_days) == 12  # 6 people x 2 weeks
    row = user_days[
        (user_days["user"] == "87be22d3-157b-47f2-b4a7-cdfa264ab073")
        & (user_days["date"] == "2024-04-07")
    ].iloc[0]
    assert (row["team"], row["active"], row["licensed"], row["actions"]) == ("IT", True, False, 8)
    assert (row["active_days"], row["enabled_days"]) == (5, 0)
    assert telemetry.labels["user_days"] == (
        "one row per person and week: Viva's person query grain (the week, not the day)"
    )
    assert telemetry.labels["active_users"] == (
        "people who used Copilot on at least one day of the week starting on the date (a"
        " Sunday) (Total_Copilot_active_days > 0)"
    )
    assert telemetry.labels["team"] == "the HR attribute Organization"


def test_another_attribute_as_the_team():
    telemetry = read(SAMPLE, team_by="function type")  # FunctionType, spelled otherwise
    assert figures(telemetry) == [
        ("2024-03-31", "Advisor", 1, 1, 9),  # d32919f3: 2, 1, 9
        ("2024-03-31", "Manager", 2, 1, 6),  # 69003e66: 1, 1, 6; 56d6bf8c: 1, 0, 0
        # 9d619358: 1, 0, 18; 1a4665de: 2, 1, 7; 87be22d3: 0, 1, 9; 18 + 7 + 9 = 34.
        ("2024-03-31", "Specialist", 2, 2, 34),
        ("2024-04-07", "Advisor", 2, 1, 25),  # 9d619358: 1, 1, 13; d32919f3: 1, 0, 12
        ("2024-04-07", "Manager", 1, 1, 7),  # 69003e66: 1, 1, 7
        ("2024-04-07", "Specialist", 1, 2, 23),  # 1a4665de: 0, 4, 16; 56d6bf8c: 2, 3, 7
        ("2024-04-07", "Technician", 0, 1, 8),  # 87be22d3: 0, 5, 8
    ]
    assert telemetry.labels["team"] == "the HR attribute FunctionType"


def test_the_attributes_a_user_can_choose():
    header = SAMPLE.read_text(encoding="utf-8").splitlines()[0].split(",")
    text = SAMPLE.read_text(encoding="utf-8")
    # By the values: the text columns other than PersonId and MetricDate.
    assert viva_insights.attributes(header, text) == [
        "FunctionType", "SupervisorIndicator", "Level", "Organization", "LevelDesignation"
    ]  # fmt: skip
    # By the names alone: no metric word (hours, days, actions ...); the one-word survey
    # items are taken for attributes, which the values above correct.
    guessed = viva_insights.attributes(header)
    assert guessed[-5:] == ["FunctionType", "SupervisorIndicator", "Level", "Organization",
                            "LevelDesignation"]  # fmt: skip
    assert "PersonId" not in guessed and "Collaboration_hours" not in guessed
    assert "eSat" in guessed


def test_column_names_with_spaces_a_total_of_actions_and_awkward_rows():
    telemetry = read(DATA / "viva_spaces_and_total.csv")
    # Actions are "Total Copilot actions taken" (the query has it), not the apps' sum.
    assert figures(telemetry) == [
        ("2025-01-05", "(no Organization)", 1, 1, 3),  # P4: enabled 5, active 1, total 3
        ("2025-01-05", "Finance", 2, 1, 12),  # P1: 5, 3, 12; P2 ("finance "): 5, 0, 0
        ("2025-01-05", "Sales", 0, 1, 4),  # P3: 0, 2, 4
        ("2025-01-12", "Finance", 2, 2, 22),  # P1: 5, 5, 20; P2: 5, 1, 2; 20 + 2 = 22
        # P3 twice: (5, 0, 0) and (5, 9, 1): one person, licensed and active; 0 + 1 = 1.
        ("2025-01-12", "Sales", 1, 1, 1),
    ]
    assert [str(n) for n in telemetry.data_quality] == [
        "line 3: team 'finance' is read as 'Finance', as first written (names are compared"
        " without regard to case or surrounding spaces)",
        "column Organization: 1 row has no Organization: the team '(no Organization)' (first"
        " on line 5)",
        "2025-01-12 line 9: the person appears twice in the week: counted once, actions of both"
        " rows summed",
        "2025-01-12 line 9: more Copilot days than the week has (7); kept as reported",
        "2025-01-05 line 5: the apps' actions add up to more than Total Copilot actions taken (4"
        " against 3 on line 5); the total is used",  # Teams 2 + Word 2 = 4 > 3
        "2025-01-05 team Sales: 1 person active but 0 with Copilot enabled in the week; kept as"
        " reported",
    ]
    assert telemetry.labels["actions"] == (
        "Copilot actions taken in the week starting on the date (a Sunday) (Total Copilot"
        " actions taken)"
    )
    regions = read(DATA / "viva_spaces_and_total.csv", team_by="Region")
    assert figures(regions) == [
        ("2025-01-05", "Americas", 0, 1, 4),  # P3
        ("2025-01-05", "Europe", 3, 2, 15),  # P1 12 + P2 0 + P4 3; P1 and P4 active
        ("2025-01-12", "Americas", 1, 1, 1),  # P3 twice
        ("2025-01-12", "Europe", 2, 2, 22),  # P1 20 + P2 2
    ]


def test_rows_of_one_kind_are_noted_once_with_their_lines():
    text = (
        "PersonId,MetricDate,Total_Copilot_enabled_days,Total_Copilot_active_days\n"
        "A,2025-01-05,5,1\nA,2025-01-05,5,1\nB,2025-01-05,8,1\nB,2025-01-05,5,9\n"
    )
    notes = [str(n) for n in viva_insights.read_csv(text, ",", "q.csv", "all").data_quality]
    assert notes == [
        "lines 3, 5: the person appears twice in the week: counted once, actions of both rows"
        " summed",
        "lines 4, 5: more Copilot days than the week has (7); kept as reported",  # 8, then 9
    ]


def test_a_query_grouped_by_day():
    telemetry = read(DATA / "viva_daily_grain.csv", team_by="FunctionType")
    assert figures(telemetry) == [
        ("2025-01-06", "Sales", 2, 1, 5),  # A: 1, 1, 3+2; B: 1, 0, 0
        ("2025-01-07", "Sales", 2, 2, 5),  # A: 1, 1, 1+0; B: 1, 1, 0+4
        ("2025-01-09", "Sales", 2, 1, 4),  # A: 1, 0, 0; B: 1, 1, 2+2
    ]
    (note,) = [str(n) for n in telemetry.data_quality]
    assert (
        note
        == "2025-01-08 team Sales: 1 day(s) missing: no record, which is not the same as no use"
    )
    assert telemetry.labels["user_days"] == "one row per person and day: Viva's person query grain"
    assert telemetry.period == ("2025-01-06", "2025-01-09")


def test_without_an_organisation_everyone_is_in_the_callers_team():
    text = (
        "PersonId,MetricDate,Total_Copilot_enabled_days,Total_Copilot_active_days\n"
        "A,2025-01-05,5,1\nB,2025-01-05,0,0\n"
    )
    telemetry = viva_insights.read_csv(text, ",", "q.csv", "support")
    assert figures(telemetry)[0][:4] == ("2025-01-05", "support", 1, 1)
    assert telemetry.daily["actions"].isna().all()  # the query has no actions column
    assert telemetry.labels["actions"] == "Copilot actions: not in this query"


def test_a_team_attribute_the_query_lacks_is_refused_naming_the_choices():
    with pytest.raises(TelemetryError) as caught:
        read(SAMPLE, team_by="Region")
    ((where, message),) = [(p.where, p.message) for p in caught.value.problems]
    assert where == "line 1"
    assert message == (
        "the team attribute 'Region' is not a column of this query; its attributes are:"
        " FunctionType, SupervisorIndicator, Level, Organization, LevelDesignation"
    )
    with pytest.raises(TelemetryError, match="'PersonId' cannot be the team"):
        read(SAMPLE, team_by="PersonId")


def test_read_telemetry_reads_a_person_query_with_team_by():
    raw = SAMPLE.read_bytes()
    telemetry = read_telemetry(raw, SAMPLE.name, team_by="FunctionType")
    assert telemetry.format == "viva_insights_person_query"
    assert telemetry.tool == "Microsoft 365 Copilot"
    assert telemetry.daily.equals(read(SAMPLE, team_by="FunctionType").daily)
    assert set(read_telemetry(raw, SAMPLE.name).daily["team"]) == {"HR", "IT", "Sales"}


def test_detection():
    header = [h.strip('"').lower() for h in SAMPLE.read_text().splitlines()[0].split(",")]
    assert viva_insights.detect_csv(header)
    assert viva_insights.detect_csv(["personid", "metricdate", "total copilot active days"])
    assert not viva_insights.detect_csv(["personid", "metricdate", "collaboration_hours"])


# --- broken files ----------------------------------------------------------------------

BROKEN = {
    "broken_viva_bad_cells.csv": [
        ("line 3, column PersonId", "is missing"),
        ("line 3, column Total_Copilot_active_days",
         "must be a whole number of days from 0 to 366, got '-1'"),
        ("line 4, column MetricDate", "ambiguous: write YYYY-MM-DD, got '05/01/2025'"),
        ("line 4, column Total_Copilot_enabled_days",
         "must be a whole number of days from 0 to 366, got 'five'"),
        ("line 4, column Copilot_actions_taken_in_Teams",
         "must be a whole number from 0 to 1e15, got '1.5'"),
        ("line 5, column MetricDate", "is missing"),
        ("line 5, column Total_Copilot_enabled_days",
         "must be a whole number of days from 0 to 366, got '400'"),
        ("line 5, column Copilot_actions_taken_in_Teams",
         "must be a whole number from 0 to 1e15, got 'many'"),
        ("line 6, column MetricDate", "must be a date written YYYY-MM-DD, got '2025-02-30'"),
        ("line 6, column Copilot_actions_taken_in_Teams",
         "must be a whole number from 0 to 1e15, got '1e16'"),
    ],
    "broken_viva_missing_columns.csv": [
        ("line 1", "missing column 'Total_Copilot_enabled_days'"),
        ("line 1", "missing column 'Total_Copilot_active_days'"),
    ],
    "broken_viva_same_column_twice.csv": [
        ("line 1", "columns 'Total Copilot active days' and 'Total_Copilot_active_days' are one"
         " column (names are matched without regard to case, spaces or underscores)"),
    ],
    "broken_viva_no_rows.csv": [("", "has no person rows after the header")],
}  # fmt: skip


def test_every_broken_file_has_its_expectation():
    assert {p.name for p in DATA.glob("broken_*")} == set(BROKEN)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_files_name_every_problem(name):
    path = DATA / name
    with pytest.raises(TelemetryError) as caught:
        read_telemetry(path.read_bytes(), name)
    assert [(p.where, p.message) for p in caught.value.problems] == BROKEN[name]


@pytest.mark.parametrize(
    "text",
    [
        "PersonId,MetricDate,Total_Copilot_enabled_days,Total_Copilot_active_days\n,,,\n",
        "PersonId,MetricDate,Total_Copilot_enabled_days,Total_Copilot_active_days\n"
        "A,2025-01-05,inf,nan\nB,not a date,1e400,-0.5\n",
        "PersonId;MetricDate;Total_Copilot_enabled_days;Total_Copilot_active_days\n"
        "A;2025-01-05;1.234;1,5\n",
        "PersonId,MetricDate,Total_Copilot_enabled_days,Total_Copilot_active_days,x\n"
        'A,2025-01-05,1,1,"never closed\n',
    ],
)
def test_nothing_crashes_on_junk(text):
    with pytest.raises(TelemetryError) as caught:
        read_telemetry(text.encode(), "junk.csv")
    assert caught.value.problems
    assert viva_insights.attributes(text.splitlines()[0].split(","), text) is not None


def test_the_attributes_of_the_first_query_among_the_uploaded_files():
    from roi.adoption.telemetry import team_attributes

    other = (b'{"data": []}', "cursor.json")
    blank = (b"\n\n", "blank.csv")
    query = (SAMPLE.read_bytes(), SAMPLE.name)
    semicolons = (SAMPLE.read_text(encoding="utf-8").replace(",", ";").encode(), "q;.csv")
    expected = ("FunctionType", "SupervisorIndicator", "Level", "Organization",
                "LevelDesignation")  # fmt: skip
    assert team_attributes([other, blank, query]) == expected
    assert team_attributes([semicolons]) == expected
    assert team_attributes([other]) == ()


def test_a_weekly_query_is_reported_in_weeks():
    from roi.adoption.report import analyse, render_report
    from roi.adoption.telemetry import read_telemetry

    telemetry = read_telemetry(SAMPLE.read_bytes(), SAMPLE.name)
    assert telemetry.row == "week"
    # The sample's two weeks (its MetricDate values), not "2 day(s)".
    assert "2 week(s) from " in render_report(analyse(telemetry))
