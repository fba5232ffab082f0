"""The cross-tool view (roi.adoption.tools.compare_tools): active people, licences, spend and
the people who use several tools, from small exports of two or three tools whose figures
are worked out by hand below."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from roi.adoption.formats import claude_code_usage, cursor_daily_usage
from roi.adoption.formats.common import Telemetry, daily_table
from roi.adoption.tools import AVERAGE_MONTH_DAYS, IDENTITY_NOTE, compare_tools

DATA = Path(__file__).parents[1] / "data" / "telemetry"


def read(module, path: Path) -> Telemetry:
    data = json.loads(path.read_text(encoding="utf-8"))
    records = [(f"data[{i}]", item) for i, item in enumerate(data["data"])]
    return module.read_json(records, path.name, "all", data)


@pytest.fixture
def cursor() -> Telemetry:
    # 2026-01-05 and 06: alice and carol active both days, bob listed but never active.
    return read(cursor_daily_usage, DATA / "cursor" / "team_two_days.json")


@pytest.fixture
def claude() -> Telemetry:
    # 2026-01-06: alice, Dave and the API key ci-pipeline active; 2.06 USD in all.
    return read(claude_code_usage, DATA / "claude_code" / "two_actors.json")


@pytest.fixture
def m365() -> Telemetry:
    """A Microsoft 365 Copilot user snapshot of 2026-01-04: alice and Carol active within 28
    days (since 2025-12-08), erin last active on 2025-11-01."""
    snapshot = pd.Timestamp("2026-01-04")
    users = pd.DataFrame(
        {
            "snapshot": [snapshot] * 3,
            "user": ["alice@example.com", "erin@example.com", "Carol@Example.com"],
            "last_activity": pd.to_datetime(["2026-01-02", "2025-11-01", "2026-01-03"]),
        }
    )
    daily = daily_table(
        [{"date": "2026-01-04", "team": "all", "licensed_users": 3, "active_users": 2}]
    )
    return Telemetry("m365_copilot_usage", "m365.csv", daily, users, ())


def test_three_tools_side_by_side(cursor, claude, m365):
    result = compare_tools(
        [cursor, claude, m365],
        seats={"claude code": 5},
        seat_prices={"Claude Code": 30.0, "Cursor": 40.0},
    )
    uses = {use.tool: use for use in result.tools}
    assert list(uses) == ["Cursor", "Claude Code", "Microsoft 365 Copilot"]

    cur = uses["Cursor"]
    assert cur.window == ("2025-12-10", "2026-01-06")  # 28 days up to its last date
    assert (cur.active_users, cur.listed_users, cur.licensed_users) == (2, 3, 3)
    assert cur.licensed_basis.endswith("(members listed in the export (active or not))")
    assert cur.reported_spend is None  # Cursor's daily usage data has no spend
    # 3 seats × 40 a month × 28 ÷ 30.4375 days = 3 360 ÷ 30.4375 = 110.390...
    assert cur.licence_spend == pytest.approx(3 * 40 * 28 / 30.4375)
    assert cur.cost_per_active_user == pytest.approx(3360 / 30.4375 / 2)  # ÷ 2 active = 55.195...
    assert any("cover 2 of the 28 days" in note for note in cur.notes)

    cc = uses["Claude Code"]
    assert (cc.active_users, cc.listed_users) == (3, 3)  # alice, Dave, ci-pipeline
    assert (cc.licensed_users, cc.licensed_basis) == (5, "seats given")
    assert cc.reported_spend == pytest.approx(2.06)  # (150 + 5 + 20 + 1 + 30) cents ÷ 100
    assert cc.currency == "USD"
    # 5 × 30 × 28 ÷ 30.4375 = 4 200 ÷ 30.4375 = 137.988; + 2.06 = 140.048; ÷ 3 = 46.683
    assert cc.licence_spend == pytest.approx(4200 / 30.4375)
    assert cc.cost_per_active_user == pytest.approx((4200 / 30.4375 + 2.06) / 3)

    ms = uses["Microsoft 365 Copilot"]
    assert ms.window == ("2025-12-08", "2026-01-04")
    assert (ms.active_users, ms.listed_users, ms.licensed_users) == (2, 3, 3)  # alice, Carol
    assert ms.active_basis.startswith("people of the 2026-01-04 snapshot")
    assert ms.licence_spend is None and ms.cost_per_active_user is None  # no price given

    # Active: Cursor {alice, carol}, Claude {alice, dave, ci-pipeline}, M365 {alice, carol}.
    assert result.people_active == 4  # alice, carol, dave, ci-pipeline
    assert result.people_in_several_tools == 2  # alice (three tools), carol (two)
    assert result.shared_people == ("alice@example.com", "carol@example.com")  # as first written
    overlaps = {o.tools: o.people for o in result.overlaps}
    assert overlaps == {
        ("Cursor", "Claude Code"): 1,  # alice
        ("Cursor", "Microsoft 365 Copilot"): 2,  # alice, carol
        ("Claude Code", "Microsoft 365 Copilot"): 1,  # alice
    }
    # Listed: {alice, bob, carol} ∪ {alice, dave, ci-pipeline} ∪ {alice, erin, carol} = 6.
    assert result.people_listed == 6
    assert result.licences == 11  # 3 Cursor members + 5 Claude seats + 3 M365 users
    assert result.licences_per_person == pytest.approx(11 / 6)  # 1.83 licences a person
    assert IDENTITY_NOTE in result.notes
    assert "GitHub login" in IDENTITY_NOTE and "same string" in IDENTITY_NOTE

    table = result.table()
    assert list(table["tool"]) == list(uses)
    assert table.loc[1, "reported_spend"] == pytest.approx(2.06)


def test_an_aggregate_export_counts_from_its_daily_table_and_names_no_one(cursor):
    # GitHub's aggregate report: 10 monthly active users of 12 licensed on its last day.
    daily = daily_table(
        [
            {"date": "2026-01-05", "team": "all", "monthly_active_users": 9, "licensed_users": 12},
            {"date": "2026-01-06", "team": "all", "monthly_active_users": 10, "licensed_users": 12},
        ]
    )
    github = Telemetry("github_usage_metrics", "gh.json", daily, None, ())
    result = compare_tools([cursor, github], seat_prices={"GitHub Copilot": 19.0})
    use = result.tools[1]
    assert use.tool == "GitHub Copilot"
    assert use.active_users == 10 and use.listed_users is None
    assert use.active_basis.startswith("the export's monthly active users on 2026-01-06")
    # 12 × 19 × 28 ÷ 30.4375 = 6 384 ÷ 30.4375 = 209.741; ÷ 10 active = 20.974
    assert use.licence_spend == pytest.approx(6384 / 30.4375)
    assert use.cost_per_active_user == pytest.approx(6384 / 30.4375 / 10)
    # Only Cursor names its users: no overlap, and GitHub's licences are left out.
    assert result.people_in_several_tools is None and result.shared_people == ()
    assert result.licences == 3 and result.licences_per_person == pytest.approx(3 / 3)
    assert "GitHub Copilot's exports do not name their users" in " ".join(result.notes)


def test_a_day_alone_is_no_window_and_gives_no_cost_per_person():
    daily = daily_table([{"date": "2026-01-06", "team": "all", "active_users": 4}])
    tool = Telemetry("adoption_csv", "own.csv", daily, None, ())
    use = compare_tools([tool], seats={"AI tool": 8}, seat_prices={"AI tool": 10.0}).tools[0]
    assert use.active_users == 4 and use.active_basis.startswith("people active on 2026-01-06")
    assert use.licence_spend == pytest.approx(8 * 10 * 28 / AVERAGE_MONTH_DAYS)
    assert use.cost_per_active_user is None
    assert "not one over a window" in " ".join(use.notes)


def test_pages_of_one_tool_add_up_and_a_repeated_file_counts_once(claude):
    # two_actors.json split into two pages (alice | Dave and the key), plus page 1 again.
    page_one = claude_code_usage.read_json(
        [("data[0]", _record(0)), ("data[1]", _record(3))], "p1.json", "all"
    )
    page_two = claude_code_usage.read_json(
        [("data[0]", _record(1)), ("data[1]", _record(2))], "p2.json", "all"
    )
    result = compare_tools([page_one, page_two, page_one])
    [use] = result.tools
    assert use.active_users == 3
    assert use.reported_spend == pytest.approx(2.06)  # page 1 once: 1.85 + 0.20 + 0.01
    assert any("1 user-day(s) are in more than one export" in n for n in use.notes)
    assert result.people_in_several_tools is None  # one tool


def _record(index: int) -> dict:
    data = json.loads((DATA / "claude_code" / "two_actors.json").read_text(encoding="utf-8"))
    return data["data"][index]


def test_a_window_shorter_than_the_data_drops_the_earlier_days(cursor, claude):
    # One day, 2026-01-06: Cursor's alice and carol, so the overlap is still alice.
    result = compare_tools([cursor, claude], window_days=1)
    assert result.tools[0].window == ("2026-01-06", "2026-01-06")
    assert result.tools[0].active_users == 2
    assert result.shared_people == ("alice@example.com",)


def test_no_exports_no_figures():
    result = compare_tools([])
    assert result.tools == () and result.people_active is None
    assert result.table().empty


def test_seats_for_a_tool_no_export_measures_are_said(cursor):
    result = compare_tools([cursor], seats={"Windsurf": 4})
    assert "seats are given for 'Windsurf', which no export measures" in result.notes


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"window_days": 0}, "window_days must be from 1 to 366, got 0"),
        ({"window_days": 2.5}, "window_days must be a whole number of days, got 2.5"),
        ({"seats": {"Cursor": -1}}, "seats['Cursor'] must be a whole number from 0, got -1"),
        ({"seats": {"Cursor": 1.5}}, "seats['Cursor'] must be a whole number from 0, got 1.5"),
        (
            {"seat_prices": {"Cursor": float("nan")}},
            "seat_prices['Cursor'] must be a finite number from 0, got nan",
        ),
    ],
)
def test_bad_options_are_refused_with_the_rule(cursor, options, message):
    with pytest.raises(ValueError) as caught:
        compare_tools([cursor], **options)
    assert str(caught.value) == message


def test_read_tool_files_groups_the_files_by_tool_and_joins_each_tools_files():
    from roi.adoption.telemetry import TelemetryError, read_tool_files

    cursor_raw = (DATA / "cursor" / "team_two_days.json").read_bytes()
    claude_raw = (DATA / "claude_code" / "two_actors.json").read_bytes()
    users = (DATA / "github_usage_metrics" / "users_1day.ndjson").read_bytes()
    lines = users.decode().splitlines(keepends=True)
    groups = read_tool_files(
        [(cursor_raw, "cursor.json"), (lines[0].encode(), "gh-a.ndjson"),
         (claude_raw, "claude.json"), ("".join(lines[1:]).encode(), "gh-b.ndjson")]
    )  # fmt: skip
    # Three groups in the order of their first file: Cursor, GitHub (two files joined), Claude.
    assert [g.format for g in groups] == [
        "cursor_daily_usage", "github_usage_metrics_users", "claude_code_usage"
    ]  # fmt: skip
    assert groups[1].source == "2 files"
    assert len(groups[1].user_days) == len(read_tool_files([(users, "gh.ndjson")])[0].user_days)
    comparison = compare_tools(groups)
    assert [use.tool for use in comparison.tools] == [g.tool for g in groups]
    with pytest.raises(TelemetryError) as refused:
        read_tool_files([(cursor_raw, "cursor.json"), (b"{", "bad.json")])
    assert refused.value.problems[0].where.startswith("bad.json")
