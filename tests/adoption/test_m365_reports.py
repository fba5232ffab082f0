"""Microsoft 365 Copilot reports: the user detail report and the user count summary and
trend, as Microsoft Graph documents them today (v1.0 CSV, beta JSON; report versions 1 and
2; periods D7, D30/D28, D90, D180 and ALL).

Every sample of Microsoft's documentation (tests/data/telemetry/m365/, README there) and
every hand-built fixture is read to figures worked out by hand, with the arithmetic beside
the expected value; the period rule (active users within the report's own period, not 30
days) has its own test; a corpus of broken files names each problem's place and rule."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from roi.adoption.formats import m365_copilot_usage, m365_copilot_user_counts
from roi.adoption.formats.common import Telemetry, TelemetryError
from roi.adoption.telemetry import read_telemetry

DATA = Path(__file__).parents[1] / "data" / "telemetry" / "m365"
DETAIL_V1 = DATA / "m365_user_detail_v1__graph_docs_example.csv"
DETAIL_BETA = DATA / "m365_user_detail_beta_json__graph_docs_example.json"
SUMMARY_V1 = DATA / "m365_user_count_summary_v1__graph_docs_example.csv"
SUMMARY_BETA = DATA / "m365_user_count_summary_beta_json__graph_docs_example.json"
TREND_V1 = DATA / "m365_user_count_trend_v1__graph_docs_example.csv"
TREND_BETA = DATA / "m365_user_count_trend_beta_json__graph_docs_example.json"


def records(path: Path) -> tuple[list, dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [(f"value[{i}]", r) for i, r in enumerate(data["value"])], data


def detail(path: Path, team: str = "all") -> Telemetry:
    if path.suffix == ".json":
        found, envelope = records(path)
        return m365_copilot_usage.read_json(found, path.name, team, envelope)
    return m365_copilot_usage.read_csv(path.read_text(encoding="utf-8"), ",", path.name, team)


def counts(path: Path, team: str = "all") -> Telemetry:
    if path.suffix == ".json":
        found, envelope = records(path)
        return m365_copilot_user_counts.read_json(found, path.name, team, envelope)
    return m365_copilot_user_counts.read_csv(path.read_text(encoding="utf-8"), ",", path.name, team)


def day(telemetry: Telemetry, index: int = 0) -> dict:
    row = telemetry.daily.iloc[index].to_dict()
    return {k: v for k, v in row.items() if not (isinstance(v, float) and math.isnan(v))}


def by_app(telemetry: Telemetry, figure: str) -> dict[str, float]:
    part = telemetry.breakdown[telemetry.breakdown["figure"] == figure]
    return dict(zip(part["key"], part["value"], strict=True))


# --- user detail: Microsoft's examples -------------------------------------------------


def test_user_detail_v1_csv_example_of_microsoft():
    telemetry = detail(DETAIL_V1)
    # One concealed user (MD5 hashes), refreshed 2026-07-03, period 7, no activity at all.
    row = day(telemetry)
    assert row["date"].date().isoformat() == "2026-07-03"
    assert (row["licensed_users"], row["active_users"], row["chat_users"]) == (1, 0, 0)
    assert "prompts" not in row and "agent_users" not in row  # version 1 has neither
    assert telemetry.users["user"].tolist() == ["E58EEF6A6BBD3D0293CB306D24A42057"]
    assert telemetry.labels["active_users"] == "active in the report's 7 days (D7)"
    assert telemetry.period == ("2026-06-27", "2026-07-03")  # 2026-07-03 - (7 - 1) days
    assert telemetry.user_days is None and telemetry.data_quality == ()
    assert m365_copilot_usage.read is m365_copilot_usage.read_csv


def test_user_detail_beta_json_example_of_microsoft():
    telemetry = detail(DETAIL_BETA)
    # Refreshed 2025-08-20, period 7: active from 2025-08-20 - 6 days = 2025-08-14. The
    # latest app date is max(08-20 overall, 08-16 chat, 08-20 Teams, 08-06 Word, 03-26
    # PowerPoint) = 2025-08-20: active. Copilot Chat 08-16 >= 08-14: a chat user.
    row = day(telemetry)
    assert (row["licensed_users"], row["active_users"], row["chat_users"]) == (1, 1, 1)
    assert by_app(telemetry, "active_users") == {
        "Copilot Chat": 1,  # 08-16 >= 08-14
        "Microsoft Teams Copilot": 1,  # 08-20
        "Word Copilot": 0,  # 08-06 < 08-14
        "Excel Copilot": 0,  # ""
        "PowerPoint Copilot": 0,  # 03-26
        "Outlook Copilot": 0,
        "OneNote Copilot": 0,
        "Loop Copilot": 0,
    }
    assert telemetry.users["last_activity"].iloc[0].date().isoformat() == "2025-08-20"
    assert telemetry.period == ("2025-08-14", "2025-08-20")


# --- user detail: version 2, the period rule, ALL ---------------------------------------


def test_user_detail_version_2_figures():
    telemetry = detail(DATA / "m365_user_detail_v2_d28.csv")
    # Refreshed 2026-09-25, D28: active from 2026-09-25 - 27 days = 2026-08-29.
    # ada 09-24 active, ben 08-30 active, cy 08-28 not, dee never, eve 09-01 active.
    row = day(telemetry)
    assert (row["licensed_users"], row["active_users"]) == (5, 3)
    assert row["chat_users"] == 2  # ada (Copilot Chat 09-24), eve (Copilot Chat (web) 09-01)
    assert row["agent_users"] == 1  # ada (Copilot Agent 09-15)
    assert row["prompts"] == 48  # 40 + 3 + 0 + 0 + 5
    assert by_app(telemetry, "prompts") == {
        "Copilot Chat (work)": 30,  # 30 + 0 + 0 + 0 + 0
        "Copilot Chat (web)": 11,  # 6 + 0 + 0 + 0 + 5
    }
    active = by_app(telemetry, "active_users")
    assert active["Copilot Chat (web)"] == 2  # ada 09-02, eve 09-01
    assert active["Edge"] == 1 and active["Microsoft 365 Copilot"] == 1
    assert active["Excel Copilot"] == 0  # cy 08-28, a day before the period
    assert active["Outlook Copilot"] == 1  # ben 08-30
    # Median active usage days over the 3 active users: median(12, 1, 2) = 2.
    (median,) = telemetry.medians.to_dict("records")
    assert (median["figure"], median["value"], median["weight"]) == ("active_usage_days", 2, 3)
    users = telemetry.users.set_index("user")
    assert users.loc["ada@contoso.com", "active_usage_days"] == 12
    assert users.loc["eve@contoso.com", "prompts_chat_web"] == 5
    assert list(users.columns[:4]) == ["snapshot", "last_activity", "Copilot Chat",
                                       "Microsoft Teams Copilot"]  # fmt: skip
    assert "Copilot Agent" in users.columns and users.loc["dee@contoso.com", "period_days"] == 28
    assert telemetry.labels["active_users"] == "active in the report's 28 days (D28)"
    assert telemetry.labels["prompts"].startswith("prompts submitted for all apps in the report's")
    assert telemetry.user_days is None and telemetry.data_quality == ()


def test_active_users_are_counted_over_the_reports_period_not_30_days():
    # D28: the old rule (30 days, from 2026-09-25 - 29 = 2026-08-27) also counted cy (last
    # active 2026-08-28): 4 active users and one idle licence fewer than Microsoft's 3.
    assert day(detail(DATA / "m365_user_detail_v2_d28.csv"))["active_users"] == 3
    # D7, refreshed 2026-07-03: the report's 7 days start on 2026-06-27, the old 30 days on
    # 2026-06-04. a (2026-06-30) is active in both; b (2026-06-20) only under the old rule.
    csv = (
        "Report Refresh Date,User Principal Name,Last Activity Date,Report Period\n"
        "2026-07-03,a@x.com,2026-06-30,7\n"
        "2026-07-03,b@x.com,2026-06-20,7\n"
    )
    d7 = m365_copilot_usage.read_csv(csv, ",", "d7.csv", "all")
    assert (day(d7)["licensed_users"], day(d7)["active_users"]) == (2, 1)  # old rule: 2
    assert d7.labels["active_users"] == "active in the report's 7 days (D7)"
    # Without a Report Period column the 30 days stay, and the label says why.
    no_period = m365_copilot_usage.read_csv(
        csv.replace(",Report Period", "").replace(",7\n", "\n"), ",", "n.csv", "all"
    )
    assert day(no_period)["active_users"] == 2  # both on or after 2026-06-04
    assert no_period.labels["active_users"] == (
        "active in the 30 days up to the refresh date (the report states no period: no Report"
        " Period)"
    )


def test_idle_licences_follow_a_monthly_report_period():
    from roi.adoption.usage import idle_licences

    # D28: Microsoft's own figures are 3 active of the file's licensed users, so idle
    # licences are licensed - 3 (the old 30-day rule counted cy, last active 2026-08-28,
    # as active: one idle licence fewer than Microsoft's).
    telemetry = detail(DATA / "m365_user_detail_v2_d28.csv")
    idle = idle_licences(telemetry, 30.0)
    licensed = day(telemetry)["licensed_users"]
    assert (idle.window_days, idle.idle) == (28, licensed - 3)
    assert "cy@contoso.com" in {user.casefold() for user in idle.users}
    assert idle.monthly_cost == 30.0 * (licensed - 3)
    # D7 keeps the month of 30 days: b (last active 2026-06-20, 13 days before) is idle by
    # the D7 report's own count but not after a month without use.
    csv = (
        "Report Refresh Date,User Principal Name,Last Activity Date,Report Period\n"
        "2026-07-03,a@x.com,2026-06-30,7\n"
        "2026-07-03,b@x.com,2026-06-20,7\n"
        "2026-07-03,c@x.com,2026-05-20,7\n"
    )
    d7 = idle_licences(m365_copilot_usage.read_csv(csv, ",", "d7.csv", "all"), None)
    assert (d7.window_days, d7.users) == (30, ("c@x.com",))


def test_period_all_counts_the_30_day_rows():
    telemetry = detail(DATA / "m365_user_detail_all_periods.csv")
    # Each user is listed under 7, 30, 90 and 180 days; the 30-day rows are counted: from
    # 2026-07-03 - 29 days = 2026-06-04, a (06-20) is active, b (03-01) is not.
    assert (day(telemetry)["licensed_users"], day(telemetry)["active_users"]) == (2, 1)
    assert len(telemetry.users) == 2 and set(telemetry.users["period_days"]) == {30}
    (note,) = telemetry.data_quality
    assert (note.date, note.where) == ("2026-07-03", "line 2")
    assert note.message == (
        "the report holds several periods (7, 30, 90, 180 days, as Microsoft's period ALL"
        " does): the 30-day rows are counted; the 6 rows of the 7, 90, 180-day periods are"
        " checked, not counted"
    )
    assert telemetry.labels["active_users"] == "active in the report's 30 days (D30)"


def test_period_all_in_json_reads_the_30_day_entry_of_each_user():
    record = {
        "reportRefreshDate": "2026-07-03",
        "userPrincipalName": "a@x.com",
        "lastActivityDate": "2026-06-20",
        "copilotActivityUserDetailsByPeriod": [
            {"reportPeriod": p, "promptsSubmittedForAllApps": n}
            for p, n in ((7, 0), (30, 12), (90, 40), (180, 75))
        ],
    }
    telemetry = m365_copilot_usage.read_json([("value[0]", record)], "all.json", "all", None)
    assert day(telemetry)["prompts"] == 12  # the 30-day entry's, not 0 + 12 + 40 + 75
    assert day(telemetry)["active_users"] == 1  # 06-20 >= 06-04


def test_user_detail_version_2_in_json_with_a_next_page():
    telemetry = detail(DATA / "m365_user_detail_v2_beta.json")
    # Refreshed 2026-09-25, D7: from 2026-09-19. User 1 (09-24) is active, user 2 (09-10)
    # is not; user 1's Copilot Chat (work) 09-20 and Copilot Agent 09-19 count.
    row = day(telemetry)
    assert (row["licensed_users"], row["active_users"]) == (2, 1)
    assert (row["chat_users"], row["agent_users"], row["prompts"]) == (1, 1, 9)  # 9 + 0
    assert by_app(telemetry, "prompts") == {"Copilot Chat (work)": 4, "Copilot Chat (web)": 0}
    assert telemetry.medians["value"].tolist() == [3]  # user 1 only
    (note,) = telemetry.data_quality
    assert note.where == "@odata.nextLink" and "users of the next pages are missing" in note.message


def test_concealed_and_plain_names_in_one_report_are_noted():
    csv = (
        "Report Refresh Date,User Principal Name,Last Activity Date,Report Period\n"
        "2026-07-03,E58EEF6A6BBD3D0293CB306D24A42057,2026-06-30,7\n"
        "2026-07-03,a@x.com,,7\n"
    )
    telemetry = m365_copilot_usage.read_csv(csv, ",", "m.csv", "all")
    (note,) = telemetry.data_quality
    assert note.where == "column User Principal Name"
    assert note.message.startswith("1 user names are concealed (MD5 hashes) and 1 are not")


def test_version_2_figures_that_do_not_add_up_are_kept_and_noted():
    csv = (
        "Report Refresh Date,User Principal Name,Last Activity Date,Report Period,"
        "Prompts submitted for all apps,Prompts submitted for Copilot Chat (work),"
        "Active Usage Days for all apps\n"
        "2026-07-03,a@x.com,2026-07-01,7,3,5,9\n"
    )
    notes = [str(n) for n in m365_copilot_usage.read_csv(csv, ",", "m.csv", "all").data_quality]
    assert notes == [
        "2026-07-03 line 2: 9 active usage days in a 7-day period; kept as reported",
        "2026-07-03 line 2: 5 Copilot Chat prompts but 3 prompts for all apps; kept as reported",
    ]


# --- user count summary and trend ------------------------------------------------------


def test_user_count_summary_v1_csv_example_of_microsoft():
    telemetry = counts(SUMMARY_V1)
    # One row for the period D7 refreshed 2026-07-03: 25 enabled, 0 active in every app.
    row = day(telemetry)
    assert row["date"].date().isoformat() == "2026-07-03"
    assert (row["licensed_users"], row["active_users"], row["chat_users"]) == (25, 0, 0)
    enabled, active = by_app(telemetry, "licensed_users"), by_app(telemetry, "active_users")
    apps = [
        "Microsoft Teams",
        "Word",
        "PowerPoint",
        "Outlook",
        "Excel",
        "OneNote",
        "Loop",
        "Copilot Chat",
    ]  # fmt: skip (Any App is the daily total, not a breakdown key)
    assert list(enabled) == apps and set(enabled.values()) == {25}
    assert set(active.values()) == {0}
    assert telemetry.labels["active_users"] == (
        "people active in any Copilot app in the report's 7 days (D7) up to the refresh date"
        " (Any App Active Users)"
    )
    assert telemetry.period == ("2026-06-27", "2026-07-03") and telemetry.users is None


def test_user_count_summary_beta_json_example_of_microsoft():
    telemetry = counts(SUMMARY_BETA)
    row = day(telemetry)
    # anyAppEnabledUsers 359229, anyAppActiveUsers 165115, copilotChatActiveUsers 65480.
    assert (row["licensed_users"], row["active_users"], row["chat_users"]) == (
        359229, 165115, 65480
    )  # fmt: skip
    active = by_app(telemetry, "active_users")
    assert active == {"Microsoft Teams": 123341, "Word": 21459, "PowerPoint": 8530,
                      "Outlook": 37270, "Excel": 6709, "OneNote": 1660, "Loop": 1345,
                      "Copilot Chat": 65480}  # fmt: skip
    assert set(by_app(telemetry, "licensed_users").values()) == {359096}
    assert telemetry.period == ("2025-08-14", "2025-08-20")  # 7 days up to 2025-08-20
    assert telemetry.data_quality == ()


def test_user_count_trend_v1_csv_example_of_microsoft():
    telemetry = counts(TREND_V1)
    row = day(telemetry)
    assert row["date"].date().isoformat() == "2026-07-03"  # Report Date
    assert (row["licensed_users"], row["active_users"]) == (25, 0)
    assert telemetry.labels["licensed_users"] == (
        "people enabled for Microsoft 365 Copilot on the day (Any App Enabled Users), from a"
        " trend of 7 days (D7)"
    )


def test_user_count_trend_beta_json_example_of_microsoft():
    telemetry = counts(TREND_BETA)
    row = day(telemetry)
    assert (row["licensed_users"], row["active_users"], row["chat_users"]) == (
        357584, 94745, 26609
    )  # fmt: skip
    assert by_app(telemetry, "active_users")["Microsoft Teams"] == 72272
    assert by_app(telemetry, "licensed_users")["Loop"] == 357451
    assert telemetry.period == ("2025-08-20", "2025-08-20")


def test_user_count_trend_version_2_days():
    telemetry = counts(DATA / "m365_user_count_trend_v2_d7.csv")
    daily = telemetry.daily
    assert daily["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2026-09-23", "2026-09-24", "2026-09-25"
    ]  # fmt: skip
    assert daily["licensed_users"].tolist() == [40, 41, 41]
    assert daily["active_users"].tolist() == [12, 15, 6]
    assert daily["chat_users"].tolist() == [9, 11, 5]
    assert daily["prompts"].tolist() == [55, 70, 21]
    assert telemetry.daily["prompts"].sum() == 146  # 55 + 70 + 21
    edge = telemetry.breakdown[telemetry.breakdown["key"] == "Edge"]
    assert edge["value"].tolist() == [40, 3, 41, 4, 2, 4]  # enabled, active per day
    (note,) = [str(n) for n in telemetry.data_quality]
    assert note == "2026-09-25 line 4: Edge: 4 active users but 2 enabled; kept as reported"


def test_user_count_summary_of_period_all_reads_the_30_day_row():
    telemetry = counts(DATA / "m365_user_count_summary_all_periods.csv")
    row = day(telemetry)
    assert (row["licensed_users"], row["active_users"], row["chat_users"]) == (42, 18, 15)
    assert by_app(telemetry, "active_users") == {"Word": 5, "Copilot Chat": 15}
    assert telemetry.period == ("2026-06-04", "2026-07-03")  # 30 days up to 2026-07-03
    (note,) = telemetry.data_quality
    assert note.message.startswith("the report holds several periods (7, 30, 90, 180 days")


# --- dispatch --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (DETAIL_V1, "m365_copilot_usage"),
        (DETAIL_BETA, "m365_copilot_usage"),
        (DATA / "m365_user_detail_v2_d28.csv", "m365_copilot_usage"),
        (DATA / "m365_user_detail_v2_beta.json", "m365_copilot_usage"),
        (SUMMARY_V1, "m365_copilot_user_counts"),
        (SUMMARY_BETA, "m365_copilot_user_counts"),
        (TREND_V1, "m365_copilot_user_counts"),
        (TREND_BETA, "m365_copilot_user_counts"),
    ],
)
def test_read_telemetry_recognises_each_report(path, expected):
    telemetry = read_telemetry(path.read_bytes(), path.name, team="finance")
    assert telemetry.format == expected and telemetry.tool == "Microsoft 365 Copilot"
    assert set(telemetry.daily["team"]) == {"finance"}
    direct = (
        detail(path, "finance") if expected == "m365_copilot_usage" else counts(path, "finance")
    )
    assert telemetry.daily.equals(direct.daily)


def test_detection_of_headers_and_records():
    summary = [h.lower() for h in SUMMARY_V1.read_text().splitlines()[0].split(",")]
    user_detail = [h.lower() for h in DETAIL_V1.read_text().splitlines()[0].split(",")]
    assert m365_copilot_user_counts.detect_csv(summary)
    assert not m365_copilot_user_counts.detect_csv(user_detail)
    assert m365_copilot_usage.detect_csv(user_detail)
    assert m365_copilot_usage.detect_json({"userPrincipalName": "x", "reportRefreshDate": "y"})
    assert not m365_copilot_usage.detect_json({"adoptionByDate": []})
    assert m365_copilot_user_counts.detect_json({"reportRefreshDate": "y", "adoptionByDate": []})


# --- broken files ----------------------------------------------------------------------

# file, where, message: every problem of each refused file, in order.
BROKEN = {
    "broken_user_detail_bad_cells.csv": [
        ("line 2, column Word Copilot Last Activity Date",
         "must be a date written YYYY-MM-DD or blank, got '2026-13-01'"),
        ("line 3, column User Principal Name", "is missing"),
        ("line 3, column Prompts submitted for all apps",
         "must be a whole number from 0 to 1e15, got '-3'"),
        ("line 4, column Last Activity Date",
         "must be a date written YYYY-MM-DD or blank, got 'yesterday'"),
        ("line 4, column Report Period",
         "is missing: the report's period in days (7, 30, 90 or 180; 28 in version 2)"),
        ("line 4, column Prompts submitted for all apps",
         "must be a whole number from 0 to 1e15, got 'many'"),
        ("line 4, column Active Usage Days for all apps",
         "must be a whole number from 0 to 366, got '2.5'"),
        ("line 5, column Report Period", "must be a number of days from 1 to 366, got 'D28'"),
        ("line 5, column Active Usage Days for all apps",
         "must be a whole number from 0 to 366, got '400'"),
    ],
    "broken_user_detail_missing_columns.csv": [
        ("line 1", "missing column 'User Principal Name'"),
        ("line 1", "missing column 'Last Activity Date'"),
    ],
    "broken_user_detail_no_rows.csv": [("", "has no user rows after the header")],
    "broken_user_detail_beta.json": [
        ("value[0].lastActivityDate",
         "must be a date written YYYY-MM-DD or blank, got '20260920'"),
        ("value[0].copilotActivityUserDetailsByPeriod[0].reportPeriod",
         "must be a number of days from 1 to 366, got 'seven'"),
        ("value[1]", "must be an object (a user), got str"),
        ("value[2].copilotActivityUserDetailsByPeriod",
         "must be a list of periods, got '{\"reportPeriod\": 7}'"),
        ("value[2].reportRefreshDate",
         "must be a date written YYYY-MM-DD or blank, got '2026-02-30'"),
        ("value[2].userPrincipalName", "is missing"),
        ("value[3].copilotActivityUserDetailsByPeriod[0].promptsSubmittedForAllApps",
         "must be a whole number from 0 to 1e15, got 'true'"),
    ],
    "broken_user_count_trend_bad_cells.csv": [
        ("line 2, column Any App Active Users",
         "must be a whole number of people from 0 to 10,000,000, got '-1'"),
        ("line 3, column Report Date", "is missing"),
        ("line 3, column Word Enabled Users",
         "must be a whole number of people from 0 to 10,000,000, got 'twenty'"),
        ("line 4, column Report Date", "must be a date written YYYY-MM-DD, got '2026/07/03'"),
        ("line 4, column Report Period", "must be a whole number of days from 1 to 366, got '0'"),
        ("line 4, column Any App Enabled Users",
         "must be a whole number of people from 0 to 10,000,000, got '20000000'"),
        ("line 4, column Word Active Users",
         "must be a whole number of people from 0 to 10,000,000, got '1.5'"),
    ],
    "broken_user_count_summary_missing_columns.csv": [
        ("line 1", "missing column 'Report Period'"),
        ("line 1", "missing column 'Any App Enabled Users'"),
        ("line 1", "missing column 'Any App Active Users'"),
    ],
    "broken_user_count_summary_beta.json": [
        ("value[0].adoptionByProduct",
         "must be a list of entries, got '{\"reportPeriod\": 7}'"),
        ("value[1].adoptionByProduct[0]", "must be an object, got '7'"),
        ("value[1].adoptionByProduct[1].anyAppActiveUsers", "is missing"),
    ],
}  # fmt: skip


def test_every_broken_file_has_its_expectation():
    assert {p.name for p in DATA.glob("broken_*")} == set(BROKEN)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_files_name_every_problem(name):
    path = DATA / name
    with pytest.raises(TelemetryError) as caught:
        read_telemetry(path.read_bytes(), name)
    found = [(p.where, p.message) for p in caught.value.problems]
    assert found == BROKEN[name]


JUNK = [
    b"Report Refresh Date,User Principal Name,Last Activity Date\n,,\n",
    b"Report Refresh Date,Report Date,Any App Enabled Users,Any App Active Users\n",
    b'{"value": [{"userPrincipalName": {}, "reportRefreshDate": [], "lastActivityDate": 5,'
    b' "copilotActivityUserDetailsByPeriod": [null, [], {"reportPeriod": null}]}]}',
    b'{"value": [{"reportRefreshDate": null, "adoptionByDate": [{"reportDate": null}]}]}',
    b'{"value": [{"reportRefreshDate": "2025-08-20", "adoptionByProduct": []}]}',
    b'{"value": [{"userPrincipalName": "a", "lastActivityDate": "2025-08-20",'
    b' "reportRefreshDate": "2025-08-20", "copilotActivityUserDetailsByPeriod": [{"reportPeriod":'
    b' 1e308, "activeUsageDaysForAllApps": -1}]}]}',
    b"Report Refresh Date,Report Period,Any App Enabled Users,Any App Active Users\n"
    b"2026-07-03,7,inf,nan\n2026-07-03,,1e400,-0\n",
]


@pytest.mark.parametrize("raw", JUNK)
def test_nothing_crashes_on_junk(raw):
    with pytest.raises(TelemetryError) as caught:
        read_telemetry(raw, "junk")
    assert caught.value.problems and all(p.message for p in caught.value.problems)


def test_a_user_name_that_is_not_text_is_refused():
    record = {"reportRefreshDate": "2026-07-03", "userPrincipalName": {"id": 1},
              "lastActivityDate": None}  # fmt: skip
    with pytest.raises(TelemetryError) as caught:
        m365_copilot_usage.read_json([("value[0]", record)], "u.json", "all", None)
    assert [(p.where, p.message) for p in caught.value.problems] == [
        ("value[0].userPrincipalName",
         "must be text (the user's principal name), got '{\"id\": 1}'")
    ]  # fmt: skip


def test_an_empty_value_list_is_refused_by_the_readers():
    with pytest.raises(TelemetryError, match="holds no user"):
        m365_copilot_usage.read_json([], "empty.json", "all", {"value": []})
    with pytest.raises(TelemetryError, match="holds no adoptionByProduct entry"):
        m365_copilot_user_counts.read_json([], "empty.json", "all", {"value": []})
