"""GitHub's Copilot usage metrics reports (the NDJSON behind ``/copilot/metrics/reports/...``):
detection, the aggregate and per-user readers, figures worked out by hand from GitHub's docs
and the metrics viewer's mocks, the data-quality notes and a corpus of broken files.

Samples and their sources: tests/data/telemetry/github_usage_metrics/README.md.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from roi.adoption.formats.common import (
    USER_DAY_COLUMNS,
    TelemetryError,
    daily_from_user_days,
    user_day_table,
)
from roi.adoption.formats.github_usage_metrics import detect_json, read_json
from roi.adoption.telemetry import read_telemetry

DATA = Path(__file__).parents[1] / "data" / "telemetry" / "github_usage_metrics"
ORG_28 = "gh_org_28day__viewer_mock.json"
USERS_28 = "gh_org_users_28day__viewer_mock.json"
DOCS_USER = "gh_usage_metrics__docs_user_level_example.json"
DOCS_ENTERPRISE = "gh_usage_metrics__docs_enterprise_level_example.json"


def records(name: str) -> list[tuple[str, object]]:
    """A file's top-level records with their places, as the dispatcher hands them over."""
    text = (DATA / name).read_text(encoding="utf-8")
    if name.endswith(".ndjson"):
        lines = enumerate(text.split("\n"), start=1)
        return [(f"line {n}", json.loads(line)) for n, line in lines if line.strip()]
    data = json.loads(text)
    if isinstance(data, list):
        return [(f"[{i}]", item) for i, item in enumerate(data)]
    return [("", data)]


def read(name: str, team: str = "all"):
    return read_json(records(name), name, team)


def raw(name: str):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def day_row(telemetry, date: str, team: str | None = None) -> pd.Series:
    daily = telemetry.daily
    chosen = daily[(daily["date"] == pd.Timestamp(date))]
    if team is not None:
        chosen = chosen[chosen["team"] == team]
    assert len(chosen) == 1, chosen
    return chosen.iloc[0]


# --- detection ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "item",
    [
        raw(ORG_28),  # a 28-day envelope
        raw(ORG_28)["day_totals"][0],  # a 1-day aggregate record
        raw(DOCS_USER)[0],  # a per-user record
        {"user_id": 1, "user_login": "a", "day": "2026-05-07", "team_id": 42, "slug": "x"},
        raw("broken_download_links.json"),  # refused by read_json, with the fix
    ],
    ids=["envelope", "aggregate day", "user day", "user-teams row", "download links"],
)
def test_every_kind_of_record_is_detected(item):
    assert detect_json(item)


@pytest.mark.parametrize(
    "item",
    [
        {"date": "2026-03-10", "total_active_users": 3},  # the closed /copilot/metrics API
        {"day": "2024-06-24", "total_suggestions_count": 5},  # the closed /copilot/usage API
        {"day": "2026-05-07"},
        {},
        [1, 2],
        "day",
    ],
)
def test_other_records_are_not(item):
    assert not detect_json(item)


# --- GitHub's docs: example-schema.md ----------------------------------------------------


def test_the_docs_user_level_example_reads_to_its_figures_by_hand():
    telemetry = read(DOCS_USER)
    assert telemetry.format == "github_usage_metrics_users"
    assert telemetry.scope == "enterprise 1"  # enterprise_id "1", no organization_id
    assert telemetry.period is None and telemetry.breakdown is None
    user_day = telemetry.user_days.iloc[0]
    assert list(telemetry.user_days.columns[:4]) == list(USER_DAY_COLUMNS)
    assert (user_day["user"], user_day["team"], bool(user_day["active"])) == ("login1", "all", True)
    # the code_completion entry of totals_by_feature: 1 generated, 1 accepted, 10 lines
    # suggested, 8 added; the top-level loc_added_sum is also 8
    assert user_day[
        ["suggestions", "acceptances", "lines_suggested", "lines_accepted"]
    ].tolist() == [
        1,
        1,
        10,
        8,
    ]
    assert (user_day["lines_added"], user_day["lines_deleted"], user_day["interactions"]) == (
        8,
        0,
        0,
    )
    assert user_day["actions"] == 0 + 1  # interactions + accepted completions
    # totals_by_cli: 2 prompts, 2 sessions, 2 requests, 3,800 + 5,000 tokens
    assert user_day[["prompts", "sessions", "requests", "tokens"]].tolist() == [2, 2, 2, 8800]
    assert (
        bool(user_day["used_cli"]),
        bool(user_day["used_chat"]),
        bool(user_day["used_agent"]),
    ) == (
        True,
        False,
        False,
    )
    assert math.isnan(user_day["credits"]) and user_day["phase"] is None
    day = day_row(telemetry, "2025-10-01")
    assert day[["active_users", "chat_users", "agent_users", "cli_users"]].tolist() == [1, 0, 0, 1]
    assert math.isnan(day["monthly_active_users"])  # one day of data, not 28
    users = telemetry.users
    assert users["user"].tolist() == ["login1"]
    assert users["snapshot"].iloc[0] == users["last_activity"].iloc[0] == pd.Timestamp("2025-10-01")


def test_the_docs_enterprise_example_holds_two_enterprises_and_is_refused():
    with pytest.raises(TelemetryError) as caught:
        read(DOCS_ENTERPRISE)
    [problem] = caught.value.problems
    assert problem.where == ""
    assert problem.message == (
        "holds 2 enterprises: 1 ([0]) and 2 ([1]); read each enterprise's report on its own"
        " (two scopes are never merged)"
    )


# Each enterprise's record of the docs' example alone, figures read off the example by hand.
ENTERPRISES = {
    0: {
        "scope": "enterprise 1",
        "active_users": 2, "weekly_active_users": 2, "monthly_active_users": 2,
        "chat_users": 0, "agent_users": 0, "cli_users": 2,
        "interactions": 0,
        "suggestions": 2, "acceptances": 2, "lines_suggested": 35, "lines_accepted": 30,
        "lines_added": 30, "lines_deleted": 0,
        "actions": 0 + 2,  # interactions + code_completion acceptances
        "prompts": 3, "sessions": 3, "requests": 3, "tokens": 5300 + 7000,
        "pull_requests_created": 2, "pull_requests_merged": 2, "pull_requests_reviewed": 1,
        "pull_requests_created_by_ai": 1, "pull_requests_merged_created_by_ai": 1,
        # (median, its weight): total_merged 2, total_merged_created_by_copilot 1,
        # total_merged_reviewed_by_copilot 1
        "medians": {
            "median_minutes_to_merge": (2.5, 2),
            "median_minutes_to_merge_copilot_authored": (2.5, 1),
            "median_minutes_to_merge_copilot_reviewed": (2.5, 1),
        },
    },
    1: {
        "scope": "enterprise 2",
        "active_users": 2, "weekly_active_users": 2, "monthly_active_users": 2,
        "chat_users": 0, "agent_users": 0,
        "cli_users": 0,  # daily_active_cli_users absent: no CLI use that day
        "interactions": 0,
        "suggestions": 2, "acceptances": 1, "lines_suggested": 40, "lines_accepted": 38,
        "lines_added": 38, "lines_deleted": 0,
        "actions": 0 + 1,
        "prompts": 0, "sessions": 0, "requests": 0, "tokens": 0,  # no totals_by_cli
        "pull_requests_created": 1, "pull_requests_merged": 0, "pull_requests_reviewed": 1,
        "pull_requests_created_by_ai": 0, "pull_requests_merged_created_by_ai": 0,
        "medians": {},  # the block has no median
    },
}  # fmt: skip


@pytest.mark.parametrize("index", sorted(ENTERPRISES))
def test_each_enterprise_of_the_docs_example_alone_reads_to_its_figures_by_hand(index):
    expected = dict(ENTERPRISES[index])
    telemetry = read_json([("[0]", raw(DOCS_ENTERPRISE)[index])], DOCS_ENTERPRISE, "all")
    assert telemetry.format == "github_usage_metrics"
    assert telemetry.scope == expected.pop("scope")
    assert telemetry.period == ("2025-09-04", "2025-10-01")
    medians = expected.pop("medians")
    day = day_row(telemetry, "2025-10-01")
    assert {figure: day[figure] for figure in expected} == expected
    found = {} if telemetry.medians is None else {
        row.figure: (row.value, row.weight) for row in telemetry.medians.itertuples()
    }  # fmt: skip
    assert found == medians
    # the 28-day envelope holds one day of its 28: said, not silently read as complete
    assert [note.message for note in telemetry.data_quality] == [
        "the report covers 2025-09-04 to 2025-10-01 (28 days) but holds 1 of them: a day"
        " without a record is missing data, not zero use"
    ]
    breakdown = telemetry.breakdown.set_index(["dimension", "key", "figure"])["value"]
    assert breakdown["feature", "code_completion", "suggestions"] == 2
    assert breakdown["ide", "vscode", "lines_added"] == expected["lines_added"]
    assert (
        breakdown["language_feature", "unknown / code_completion", "lines_suggested"]
        == (expected["lines_suggested"])
    )


# --- the metrics viewer's organisation 28-day mock ---------------------------------------


def test_the_viewer_org_mock_is_sorted_complete_and_scoped():
    telemetry = read(ORG_28)
    assert telemetry.scope == "organization 100000001"  # organization wins over enterprise
    assert telemetry.period == ("2026-03-29", "2026-04-25")
    assert telemetry.created == "2026-04-26T03:36:11.710Z"
    dates = telemetry.daily["date"]
    assert dates.is_monotonic_increasing and len(dates) == 28  # written unordered
    assert dates.iloc[0] == pd.Timestamp("2026-03-29") and dates.iloc[-1] == pd.Timestamp(
        "2026-04-25"
    )
    assert telemetry.label("monthly_active_users") == (
        "active in the trailing 28 days (GitHub's monthly active users)"
    )
    # no day missing, so no calendar or coverage note
    assert not [n for n in telemetry.data_quality if "missing" in n.message]


def test_one_day_of_the_viewer_org_mock_by_hand():
    day = day_row(read(ORG_28), "2026-04-16")
    # daily_active_users 4, weekly 4, monthly 6; monthly chat 6, agent 6; CLI 3
    assert day[["active_users", "weekly_active_users", "monthly_active_users"]].tolist() == [
        4,
        4,
        6,
    ]
    assert day[["chat_users", "agent_users", "cli_users"]].tolist() == [6, 6, 3]
    # code_completion entry: 1 generated, 0 accepted, 1 line suggested, 0 added (the top-level
    # 182 / 155 are mostly copilot_cli's 158 / 155)
    assert day[["suggestions", "acceptances", "lines_suggested", "lines_accepted"]].tolist() == [
        1,
        0,
        1,
        0,
    ]
    assert day["interactions"] == 111 and day["actions"] == 111 + 0
    assert (day["lines_added"], day["lines_deleted"]) == (2172, 852)
    # totals_by_cli: 79 prompts, 29 sessions, 1,085 requests, 103,046,162 + 1,139,943 tokens
    assert day[["prompts", "sessions", "requests", "tokens"]].tolist() == [79, 29, 1085, 104186105]
    assert day[
        ["pull_requests_created", "pull_requests_merged", "pull_requests_reviewed"]
    ].tolist() == [
        1,
        2,
        0,
    ]
    assert (day["pull_requests_created_by_ai"], day["pull_requests_merged_created_by_ai"]) == (1, 2)


def test_code_completion_acceptance_is_not_the_top_level_acceptance():
    telemetry = read(ORG_28)
    # 2026-04-07: code_completion 42 accepted of 150 shown = 0.280; the top-level counts
    # 42 of 152 = 0.276 (2 agent_edit generations added)
    # 2026-04-08: code_completion 11 of 38 = 0.289; top level 11 of 58 = 0.190 (chat's 11
    # ask-mode and 2 agent-mode code blocks, 6 agent edits, 1 custom-mode block added)
    for date, shown, accepted, top_shown, top_accepted in (
        ("2026-04-07", 150, 42, 152, 42),
        ("2026-04-08", 38, 11, 58, 11),
    ):
        day = day_row(telemetry, date)
        assert (day["suggestions"], day["acceptances"]) == (shown, accepted)
        days = {d["day"]: d for d in raw(ORG_28)["day_totals"]}
        assert days[date]["code_generation_activity_count"] == top_shown
        assert days[date]["code_acceptance_activity_count"] == top_accepted
    assert round(42 / 150, 3) == 0.28 and round(42 / 152, 3) == 0.276
    assert round(11 / 38, 3) == 0.289 and round(11 / 58, 3) == 0.19
    # The 28 days, by plain loops over the raw JSON (independent of the reader).
    shown = accepted = top_shown = top_accepted = 0
    for day in raw(ORG_28)["day_totals"]:
        top_shown += day["code_generation_activity_count"]
        top_accepted += day["code_acceptance_activity_count"]
        for entry in day["totals_by_feature"]:
            if entry["feature"] == "code_completion":
                shown += entry["code_generation_activity_count"]
                accepted += entry["code_acceptance_activity_count"]
    daily = telemetry.daily
    assert (daily["suggestions"].sum(), daily["acceptances"].sum()) == (shown, accepted)
    assert (shown, accepted) == (219, 54)  # 1+150+38+19+4+1+6 shown, 42+11+1 accepted
    # top level, summed from the table of the 28 days: 2,548 accepted of 3,440 generated
    assert (top_shown, top_accepted) == (3440, 2548)
    rate, top_rate = accepted / shown, top_accepted / top_shown
    assert round(rate, 3) == 0.247 and round(top_rate, 3) == 0.741
    assert rate < top_rate  # the top level is mostly the CLI feature's accepted edits


def test_the_viewer_org_mock_notes_what_does_not_add_up():
    notes = read(ORG_28).data_quality
    inverted = [n for n in notes if n.where == "weekly_active_users"]
    # 2026-04-01: weekly_active_users 4, monthly_active_users 3
    assert [(n.date, n.message) for n in inverted] == [
        ("2026-04-01", "weekly active users exceed monthly: 4 > 3; kept as reported")
    ]
    over = {(n.date, n.where): n.message for n in notes if "does not add up" in n.message}
    # 2026-04-16: the features' interactions 79+26+0+6+0+23 = 134 > 111, generations
    # 158+11+12+0+1+7 = 189 > 182, acceptances 155+0+0+0+0+3 = 158 > 155, lines added
    # 1668+0+504+0+0+92 = 2264 > 2172
    assert over["2026-04-16", "totals_by_feature"] == (
        "the breakdown does not add up: its entries sum to more than the day's total for"
        " user_initiated_interaction_count (134 > 111), code_generation_activity_count"
        " (189 > 182), code_acceptance_activity_count (158 > 155), loc_added_sum"
        " (2264 > 2172); kept as reported"
    )
    assert ("2026-04-16", "totals_by_ide") not in over  # vscode's 32 / 24 / 0 / 504 fit


def test_the_viewer_org_mock_breakdowns_and_medians():
    telemetry = read(ORG_28)
    parts = telemetry.breakdown
    one = parts[parts["date"] == pd.Timestamp("2026-04-16")].set_index(
        ["dimension", "key", "figure"]
    )["value"]
    assert one["feature", "copilot_cli", "acceptances"] == 155
    assert one["ide", "vscode", "suggestions"] == 24
    assert one["cli", "cli", "tokens"] == 104186105
    assert one["surface", "copilot_cloud_agent", "monthly_active_users"] == 1
    assert set(parts["dimension"]) == {
        "feature",
        "ide",
        "language_feature",
        "model_feature",
        "language_model",
        "cli",
        "surface",
    }
    medians = telemetry.medians[telemetry.medians["date"] == pd.Timestamp("2026-04-16")]
    # median_minutes_to_merge 403.74 over total_merged 2; Copilot-authored 403.74 over 2
    assert sorted(zip(medians["figure"], medians["value"], medians["weight"], strict=True)) == [
        ("median_minutes_to_merge", 403.74, 2),
        ("median_minutes_to_merge_copilot_authored", 403.74, 2),
    ]


# --- the metrics viewer's users 28-day mock -----------------------------------------------


def test_distinct_users_per_day_are_counted_from_the_records():
    telemetry = read(USERS_28)
    assert telemetry.format == "github_usage_metrics_users"
    assert telemetry.scope == "organization 100000001"
    by_day: dict[str, set[str]] = {}
    chat: dict[str, set[str]] = {}
    for record in raw(USERS_28)["day_totals"]:
        by_day.setdefault(record["day"], set()).add(record["user_login"])
        if record.get("used_chat"):
            chat.setdefault(record["day"], set()).add(record["user_login"])
    daily = telemetry.daily.set_index(telemetry.daily["date"].dt.strftime("%Y-%m-%d"))
    assert daily["active_users"].to_dict() == {d: len(u) for d, u in sorted(by_day.items())}
    assert daily["chat_users"].to_dict() == {d: len(chat.get(d, ())) for d in sorted(by_day)}
    # weekly: distinct users of 2026-03-29 .. 2026-04-04, the first day with 7 days of data
    week = set().union(*(by_day[f"2026-{d}"] for d in ("03-29", "03-30", "03-31", "04-01",
                                                       "04-02", "04-03", "04-04")))  # fmt: skip
    assert daily.loc["2026-04-04", "weekly_active_users"] == len(week)
    assert daily["weekly_active_users"].iloc[:6].isna().all()
    # monthly: only the last day has 28 days of data; everybody in the report was active
    assert (
        daily.loc["2026-04-25", "monthly_active_users"] == len(set().union(*by_day.values())) == 8
    )
    assert daily["monthly_active_users"].iloc[:-1].isna().all()


def test_one_user_day_of_the_viewer_users_mock_by_hand():
    user_days = read(USERS_28).user_days
    row = user_days[
        (user_days["user"] == "defunkt") & (user_days["date"] == pd.Timestamp("2026-04-08"))
    ].iloc[0]
    # code_completion: 38 shown, 11 accepted, 38 lines suggested, 11 added
    assert row[["suggestions", "acceptances", "lines_suggested", "lines_accepted"]].tolist() == [
        38,
        11,
        38,
        11,
    ]
    assert row[["interactions", "lines_added", "lines_deleted"]].tolist() == [29, 67, 2]
    assert row["actions"] == 29 + 11
    # totals_by_cli: 2 prompts, 1 session, 4 requests, 299,553 + 955 tokens
    assert row[["prompts", "sessions", "requests", "tokens"]].tolist() == [2, 1, 4, 300508]
    assert row["credits"] == pytest.approx(1.32) and row["phase"] == "Phase 4"
    assert bool(row["used_agent"]) and bool(row["used_chat"]) and bool(row["used_cli"])


def test_each_users_last_activity_is_the_last_day_of_their_records():
    telemetry = read(USERS_28)
    last: dict[str, str] = {}
    for record in raw(USERS_28)["day_totals"]:
        last[record["user_login"]] = max(last.get(record["user_login"], ""), record["day"])
    users = telemetry.users
    assert (
        dict(zip(users["user"], users["last_activity"].dt.strftime("%Y-%m-%d"), strict=True))
        == last
    )
    assert (users["snapshot"] == pd.Timestamp("2026-04-25")).all()  # report_end_day


# --- hand-built reports --------------------------------------------------------------------


def test_concatenated_one_day_reports_are_sorted_and_read_by_hand():
    telemetry = read("org_1day_three_days.ndjson")
    assert telemetry.daily["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2026-05-04",
        "2026-05-05",
        "2026-05-06",
    ]  # written 05-06, 05-04, 05-05
    assert telemetry.period is None and telemetry.data_quality == ()
    day = day_row(telemetry, "2026-05-04")
    assert day[["active_users", "weekly_active_users", "monthly_active_users"]].tolist() == [
        2,
        3,
        5,
    ]
    assert day[["suggestions", "acceptances", "lines_suggested", "lines_accepted"]].tolist() == [
        25,
        8,
        40,
        20,
    ]
    assert day["actions"] == 8 + 8  # 8 interactions + 8 accepted completions
    assert day[["cli_users", "prompts", "sessions", "requests", "tokens"]].tolist() == [
        1,
        3,
        2,
        7,
        9000 + 1000,
    ]
    assert day[
        ["pull_requests_created", "pull_requests_merged", "pull_requests_reviewed"]
    ].tolist() == [
        4,
        2,
        3,
    ]
    assert math.isnan(day_row(telemetry, "2026-05-05")["pull_requests_created"])  # no block
    medians = telemetry.medians
    assert list(zip(medians["figure"], medians["value"], medians["weight"], strict=True)) == [
        ("median_minutes_to_merge", 95.5, 2),
        ("median_minutes_to_merge_copilot_authored", 30.0, 1),
    ]


def test_per_user_records_add_up_to_the_organisation_of_the_same_day():
    users = day_row(read("users_1day.ndjson"), "2026-05-06")
    organisation = day_row(read("org_1day_three_days.ndjson"), "2026-05-06")
    # alice, bob, carol: 3 distinct users = the aggregate's daily_active_users
    assert users["active_users"] == organisation["active_users"] == 3
    for figure, by_hand in (
        ("interactions", 10 + 6 + 4),
        ("suggestions", 20 + 12 + 8),
        ("acceptances", 6 + 4 + 2),
        ("lines_suggested", 30 + 20 + 10),
        ("lines_accepted", 15 + 10 + 5),
        ("lines_added", 25 + 12 + 8),
    ):
        assert users[figure] == organisation[figure] == by_hand, figure
    assert users[["chat_users", "agent_users", "cli_users"]].tolist() == [2, 1, 1]  # daily
    assert users[["prompts", "tokens", "credits"]].tolist() == [2, 700 + 300, 2.5]  # bob only
    assert read("users_1day.ndjson").label("chat_users") == (
        "users who used IDE chat on the day (used_chat)"
    )


def test_the_docs_team_level_example_counts_a_user_in_each_of_their_teams():
    telemetry = read("users_teams_docs_example.ndjson")
    daily = telemetry.daily.set_index("team")
    # team-level-metrics.md: frontend = alice and bob, 88 + 24 = 112 lines; backend = alice, 88
    assert (
        daily.loc["frontend", "active_users"] == 2 and daily.loc["frontend", "lines_added"] == 112
    )
    assert daily.loc["backend", "active_users"] == 1 and daily.loc["backend", "lines_added"] == 88
    assert daily.loc["frontend", "interactions"] == 50 + 30
    assert len(telemetry.user_days) == 3  # one row per user, day and team
    assert telemetry.users["user"].tolist() == ["alice", "bob"]  # people, not memberships


def test_a_day_given_twice_keeps_the_later_record_and_a_missing_day_is_noted():
    telemetry = read("org_day_twice_day_missing.ndjson")
    assert day_row(telemetry, "2026-05-04")["active_users"] == 5  # line 4's, not line 2's 2
    assert [str(note) for note in telemetry.data_quality] == [
        "2026-05-04 line 4: the day is given more than once (line 2 and line 4); the later"
        " record (line 4) is read",
        "2026-05-05 team all: 1 day(s) missing: no record, which is not the same as no use",
    ]


def test_a_user_day_given_twice_keeps_the_later_record():
    first, second = records("users_1day.ndjson")[:2]
    again = ("line 9", dict(first[1], user_initiated_interaction_count=99))
    telemetry = read_json([first, second, again], "twice.ndjson", "all")
    assert telemetry.user_days.set_index("user").loc["alice", "interactions"] == 99
    assert [note.message for note in telemetry.data_quality] == [
        "1 user-day record(s) appear more than once; the later record is read (for instance"
        " alice on 2026-05-06: line 1 is replaced by line 9)"
    ]


def test_a_renamed_login_stays_one_person():
    alice = records("users_1day.ndjson")[0][1]
    earlier = dict(alice, day="2026-05-05", user_login="alice-old")
    telemetry = read_json([("line 1", earlier), ("line 2", alice)], "renamed.ndjson", "all")
    assert telemetry.user_days["user"].tolist() == ["alice", "alice"]
    assert telemetry.users["user"].tolist() == ["alice"]
    assert [note.message for note in telemetry.data_quality] == [
        "user 'alice-old' is read as 'alice', the login of the same user_id's latest record"
    ]


def test_an_empty_28_day_report_reads_to_no_day_with_a_note():
    envelope = {"organization_id": "1", "report_start_day": "2026-04-01",
                "report_end_day": "2026-04-28", "day_totals": []}  # fmt: skip
    telemetry = read_json([("", envelope)], "empty.json", "all")
    assert telemetry.daily.empty and telemetry.note == "the report holds no day"


def test_the_user_days_table_has_the_layout_of_user_day_table():
    user_days = read(USERS_28).user_days
    rebuilt = user_day_table(user_days.to_dict("records"))
    pd.testing.assert_frame_equal(user_days, rebuilt)


@pytest.mark.parametrize("name", [USERS_28, "users_teams_docs_example.ndjson"])
def test_the_daily_table_is_the_one_joined_files_get(name):
    # Several per-user files are joined by roi.adoption.combine, which rebuilds the daily
    # table from the user days with common.daily_from_user_days: the same figures.
    telemetry = read(name)
    rebuilt = daily_from_user_days(telemetry.user_days)
    same = [
        *("active_users", "monthly_active_users", "chat_users", "agent_users", "cli_users"),
        *("interactions", "suggestions", "acceptances", "lines_added", "tokens", "credits"),
    ]
    pd.testing.assert_frame_equal(
        telemetry.daily[["date", "team", *same]], rebuilt[["date", "team", *same]]
    )


def test_trailing_distinct_users_match_a_brute_force_count():
    rng = random.Random(20)  # fixed seed: the same records every run
    start = pd.Timestamp("2026-01-01")
    chosen = {(rng.randrange(40), rng.randrange(70), rng.choice(["a", "b"])) for _ in range(900)}
    items = [
        (
            f"line {n}",
            {"day": (start + pd.Timedelta(days=d)).date().isoformat(), "user_id": u,
             "user_login": f"u{u}", "slug": team, "user_initiated_interaction_count": 1},
        )
        for n, (u, d, team) in enumerate(sorted(chosen), start=1)
    ]  # fmt: skip
    daily = read_json(items, "random.ndjson", "all").daily
    first = min(d for _, d, _ in chosen)
    for row in daily.itertuples():
        day = (row.date - start).days
        for window, value in ((7, row.weekly_active_users), (28, row.monthly_active_users)):
            if day - first < window - 1:
                assert math.isnan(value)
                continue
            expected = {u for u, d, t in chosen if t == row.team and day - window < d <= day}
            assert value == len(expected), (row.date, row.team, window)


# --- the broken corpus ---------------------------------------------------------------------

BROKEN = {
    "broken_wrong_types.json": [
        ("[0].daily_active_users", "must be a whole number from 0 to 1e15, got '12'"),
        ("[0].totals_by_feature[1].code_acceptance_activity_count",
         "must be a whole number from 0 to 1e15, got 2.5"),
        ("[0].totals_by_feature[2]", "must be an object, got 7"),
        ("[0].totals_by_ide", "must be a list, got 'vscode'"),
        ("[0].totals_by_cli.prompt_count", "must be a whole number from 0 to 1e15, got True"),
        ("[0].totals_by_cli.token_usage", "must be an object, got 'many'"),
        ("[0].pull_requests", "must be an object, got [1, 2]"),
    ],
    "broken_negative_counts.ndjson": [
        ("line 2, user_initiated_interaction_count",
         "must be a whole number from 0 to 1e15, got -3"),
        ("line 2, totals_by_feature[0].code_acceptance_activity_count",
         "must be a whole number from 0 to 1e15, got -4"),
        ("line 2, ai_credits_used", "must be a number from 0 to 1e15, got -1.5"),
        ("line 2, used_chat", "must be true or false, got 'yes'"),
    ],
    "broken_missing_day.ndjson": [("line 2, day", "is missing")],
    "broken_bad_date.json": [("day", "must be a date written YYYY-MM-DD, got '2026-02-30'")],
    "broken_two_organizations.ndjson": [
        ("", "holds 2 organizations: 4242 (line 1) and 5151 (line 2); read each"
             " organization's report on its own (two scopes are never merged)"),
    ],
    "broken_day_totals_not_list.json": [
        ("day_totals",
         "must be a list of days, got {'day': '2026-04-01', 'daily_active_users': 3}"),
    ],
    "broken_mixed_kinds.ndjson": [
        ("", "mixes aggregate records (an organisation's or enterprise's days: line 1) with"
             " per-user records (line 2, line 3): read each report on its own"),
    ],
    "broken_user_teams_only.ndjson": [
        ("line 1", "the file is GitHub's user-teams report (team membership, no usage): join"
                   " it with the users-1-day report of the same day on user_id and day (one"
                   " record per user and team, with the team's slug) and read the joined"
                   " records, or read users-1-day alone"),
    ],
    "broken_not_an_object.ndjson": [
        ("line 2", "must be an object (a report record), got list"),
        ("line 3", "must be an object (a report record), got int"),
    ],
    "broken_download_links.json": [
        ("", "is the REST API's answer (download_links), not the report: download the NDJSON"
             " file at each of its download_links (they expire soon) and read those files"),
    ],
}  # fmt: skip


def test_the_corpus_covers_every_broken_file():
    assert sorted(BROKEN) == sorted(p.name for p in DATA.glob("broken_*"))


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_broken_file_names_every_problem(name):
    with pytest.raises(TelemetryError) as caught:
        read(name)
    assert [(p.where, p.message) for p in caught.value.problems] == BROKEN[name]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (10**20, "must be a whole number from 0 to 1e15, got a number above 1e15"),
        (10**400, "must be a whole number from 0 to 1e15, got a number above 1e15"),
        (float("nan"), "must be a whole number from 0 to 1e15, got nan"),
        (None, None),  # null: no count, not a problem
    ],
)
def test_out_of_range_counts_are_refused_in_the_fast_path_too(value, message):
    items = records("users_1day.ndjson")
    bob = dict(items[1][1], loc_added_sum=value)
    if message is None:
        telemetry = read_json([items[0], ("line 2", bob)], "x.ndjson", "all")
        assert day_row(telemetry, "2026-05-06")["lines_added"] == 25  # alice's alone
        return
    with pytest.raises(TelemetryError) as caught:
        read_json([items[0], ("line 2", bob)], "x.ndjson", "all")
    assert [(p.where, p.message) for p in caught.value.problems] == [
        ("line 2, loc_added_sum", message)
    ]


def test_fractional_credits_but_not_written_nan():
    items = records("users_1day.ndjson")
    bob = dict(items[1][1], ai_credits_used=float("nan"))
    with pytest.raises(TelemetryError) as caught:
        read_json([items[0], ("line 2", bob)], "x.ndjson", "all")
    assert [(p.where, p.message) for p in caught.value.problems] == [
        ("line 2, ai_credits_used", "must be a number from 0 to 1e15, got nan")
    ]


# --- through the dispatcher (roi.adoption.telemetry.read_telemetry) -----------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (DOCS_USER, "github_usage_metrics_users"),  # a JSON list
        (ORG_28, "github_usage_metrics"),  # a single JSON object
        ("org_1day_three_days.ndjson", "github_usage_metrics"),  # NDJSON
        ("users_1day.ndjson", "github_usage_metrics_users"),
    ],
)
def test_the_dispatcher_detects_the_format(name, expected):
    telemetry = read_telemetry((DATA / name).read_bytes(), name)
    assert telemetry.format == expected
    assert np.array_equal(
        telemetry.daily["active_users"].to_numpy(), read(name).daily["active_users"].to_numpy()
    )
