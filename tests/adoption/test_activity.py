"""Activity beyond adoption (issue 21): breakdowns, reach, pull requests and activity days,
each against figures worked out by hand from the file; and the shared cell readers the
Microsoft importers use (numbers and names placed in the file's own terms)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest

from roi.adoption.activity import activity_days, breakdown_summary, pull_requests, reach
from roi.adoption.report import analyse, report_to_dict
from roi.adoption.telemetry import TelemetryError, read_telemetry

DATA = Path(__file__).parents[1] / "data" / "telemetry"
ENTERPRISE = DATA / "github_usage_metrics" / "gh_usage_metrics__docs_enterprise_level_example.json"
USERS = DATA / "github_usage_metrics" / "gh_usage_metrics__docs_user_level_example.json"


def first_enterprise():
    """The documentation's enterprise-level example, enterprise 1 alone (github/docs,
    content/copilot/reference/copilot-usage-metrics/example-schema.md at 0afe69c8)."""
    (record, _) = json.loads(ENTERPRISE.read_text())
    return read_telemetry(json.dumps(record).encode(), "enterprise-1.json")


def test_pull_requests_of_the_documentation_example():
    # enterprise 1, 2025-10-01: total_created 2, total_created_by_copilot 1, total_merged 2,
    # total_reviewed 1, total_merged_created_by_copilot 1; median_minutes_to_merge 2.5 over 2
    # merged and the Copilot-authored median 2.5 over 1: weighted means 2.5 and 2.5.
    prs = pull_requests(first_enterprise())
    assert (prs.created, prs.created_by_ai, prs.merged, prs.reviewed) == (2, 1, 2, 1)
    assert prs.merged_created_by_ai == 1
    assert prs.ai_share_of_created == pytest.approx(1 / 2)
    assert prs.minutes_to_merge == pytest.approx(2.5)
    assert prs.minutes_to_merge_ai == pytest.approx(2.5)


def test_time_to_merge_is_weighted_by_the_pull_requests_merged():
    # Two days: median 10 minutes over 3 merged, median 40 over 1: (10·3 + 40·1) / 4 = 17.5,
    # not the plain mean of the medians (25).
    telemetry = first_enterprise()
    medians = telemetry.medians
    day = medians[medians["figure"] == "median_minutes_to_merge"].iloc[[0]]
    two = day.assign(value=[10.0], weight=[3.0])
    other = day.assign(value=[40.0], weight=[1.0], date=day["date"] + pd.Timedelta(days=1))
    joined = dataclasses.replace(telemetry, medians=pd.concat([two, other], ignore_index=True))
    assert pull_requests(joined).minutes_to_merge == pytest.approx(17.5)
    assert pull_requests(joined).minutes_to_merge_ai is None


def test_the_feature_breakdown_and_its_acceptance_rate():
    # enterprise 1: one totals_by_feature entry, code_completion, with
    # code_generation_activity_count 2 and code_acceptance_activity_count 2: rate 2/2 = 1.
    table = breakdown_summary(first_enterprise(), "feature").set_index("key")
    assert table.loc["code_completion", "suggestions"] == 2
    assert table.loc["code_completion", "acceptances"] == 2
    assert table.loc["code_completion", "acceptance_rate"] == pytest.approx(1.0)
    assert breakdown_summary(first_enterprise(), "no such dimension") is None


def test_reach_divides_by_the_matching_active_users():
    # enterprise 1: monthly_active_chat_users 0 and monthly_active_agent_users 0 of
    # monthly_active_users 2 (28-day figures); daily_active_cli_users 2 of daily_active_users
    # 2 (daily figures): 0%, 0% and 100%.
    found = {item.figure: item for item in reach(first_enterprise())}
    assert found["chat_users"].share == 0 and found["chat_users"].basis == "28-day active users"
    assert found["agent_users"].active == 2
    assert found["cli_users"].share == pytest.approx(1.0)
    assert found["cli_users"].basis == "daily active users"


def test_activity_days_per_user():
    # The documentation's user-level example: login1 active on 2025-10-01 only.
    days = activity_days(read_telemetry(USERS.read_bytes(), USERS.name)).set_index("user")
    assert days.loc["login1", "active_days"] == 1
    assert days.loc["login1", "active_days_window"] == 1
    assert str(days.loc["login1", "last_active"].date()) == "2025-10-01"


def test_the_report_carries_the_new_figures():
    out = report_to_dict(analyse(first_enterprise()))
    assert out["format"] == "github_usage_metrics"
    assert out["scope"] == "enterprise 1"
    assert out["report_period"] == ["2025-09-04", "2025-10-01"]
    assert out["pull_requests"]["created"] == 2
    assert "trailing 28 days" in out["labels"]["monthly_active_users"]
    assert {row["key"] for row in out["breakdowns"]["feature"]} == {"code_completion"}


def test_numbers_in_a_microsoft_report_are_read_by_the_shared_cell_reader():
    # In a ';' file 1.234 may mean 1234 (a thousands dot) and "inf" is no count: the shared
    # reader (roi.io.csvtable.parse_numbers) says so, as in every other CSV, with the line and
    # column; the report's own copy said "must be a whole number" and missed infinity.
    text = (
        "Report Refresh Date;User Principal Name;Last Activity Date;Report Period;"
        "Prompts submitted for all apps\n"
        "2026-09-25;ada@contoso.com;2026-09-24;28;1.234\n"
        "2026-09-25;ben@contoso.com;2026-09-24;28;inf\n"
    )
    with pytest.raises(TelemetryError) as error:
        read_telemetry(text.encode(), "detail.csv")
    assert [str(p) for p in error.value.problems] == [
        "line 2, column Prompts submitted for all apps: ambiguous: a thousand separator or a"
        " decimal point, got '1.234'",
        "line 3, column Prompts submitted for all apps: must be a finite number, got 'inf'",
    ]


def test_a_second_spelling_in_graph_json_is_named_by_its_record():
    records = [
        {"reportRefreshDate": "2026-09-25", "userPrincipalName": name,
         "lastActivityDate": "2026-09-24", "reportPeriod": 28}
        for name in ("ada@contoso.com", "Ada@Contoso.com ")
    ]  # fmt: skip
    telemetry = read_telemetry(json.dumps({"value": records}).encode(), "detail.json")
    notes = [n for n in telemetry.data_quality if "is read as" in n.message]
    assert [n.where for n in notes] == ["value[1]"]


def test_the_most_telling_breakdown_comes_first():
    from roi.adoption.activity import dimensions

    assert dimensions(first_enterprise())[0] == "feature"


def test_reports_of_active_users_only_have_no_idle_licences_but_idle_seats():
    # The documentation's user-level example lists login1, active on 2025-10-01: listing only
    # active users, it cannot show an idle licence; with 10 seats bought at 19 a month,
    # 10 - 1 = 9 seats are idle, costing 9 × 19 = 171 a month, and the month's licence spend
    # is 10 × 19 = 190 for 1 active user: 190 per active user.
    from roi.adoption.billing import cost_per_active_user, idle_seats
    from roi.adoption.usage import idle_licences

    telemetry = read_telemetry(USERS.read_bytes(), USERS.name)
    assert idle_licences(telemetry, 19.0) is None
    idle = idle_seats(telemetry, 10, 19.0)
    assert (idle.idle_seats, idle.monthly_cost) == (9, 171.0)
    (month,) = cost_per_active_user(telemetry, 19.0, seats=10)
    assert (month.seats, month.licence_spend, month.active_users) == (10, 190.0, 1)
    assert month.cost_per_active_user == pytest.approx(190.0)
