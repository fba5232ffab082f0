"""Cursor's daily usage data and Claude Code's usage report (the vendors' admin exports): the
documented examples read to figures worked out by hand, hand-built fixtures from the
documented fields, and a corpus of broken files, each problem asserted with its place.

Sources of the samples: tests/data/telemetry/cursor/README.md and
tests/data/telemetry/claude_code/README.md. The readers are called directly, with the
records as the dispatcher hands them over (``("data[3]", record)`` and the file's top-level
object as the envelope), and the last tests go through ``read_telemetry`` itself.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from roi.adoption.formats import claude_code_usage, cursor_daily_usage
from roi.adoption.formats.common import TelemetryError

DATA = Path(__file__).parents[1] / "data" / "telemetry"
CURSOR = DATA / "cursor"
CLAUDE = DATA / "claude_code"
DAY_MS = 86_400_000


def records_of(path: Path) -> tuple[list, dict | None]:
    """The records and envelope of a file, as the dispatcher hands them to a reader."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        return [(f"data[{i}]", item) for i, item in enumerate(data["data"])], data
    return [(f"[{i}]", item) for i, item in enumerate(data)], None


def read(module, path: Path, team: str = "all"):
    records, envelope = records_of(path)
    return module.read_json(records, path.name, team, envelope)


def cursor_record(day_ms: int, email: str, active: bool, **counts) -> dict:
    """A Cursor record with every documented count 0 unless given."""
    fields = (
        "totalLinesAdded", "totalLinesDeleted", "acceptedLinesAdded", "acceptedLinesDeleted",
        "totalApplies", "totalAccepts", "totalRejects", "totalTabsShown", "totalTabsAccepted",
        "composerRequests", "chatRequests", "agentRequests", "cmdkUsages",
        "subscriptionIncludedReqs", "apiKeyReqs", "usageBasedReqs", "bugbotUsages",
    )  # fmt: skip
    return {"date": day_ms, "isActive": active, **dict.fromkeys(fields, 0), **counts,
            "mostUsedModel": "gpt-5" if active else None, "email": email}  # fmt: skip


def day(frame: pd.DataFrame, date: str) -> pd.Series:
    rows = frame[frame["date"] == pd.Timestamp(date)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


# --- detection -------------------------------------------------------------------------


def test_each_reader_recognises_its_own_records_only():
    cursor = records_of(CURSOR / "docs_example.json")[0][0][1]
    claude = records_of(CLAUDE / "docs_example.json")[0][0][1]
    github = {"date": "2024-06-24", "total_active_users": 24, "copilot_ide_chat": {}}
    assert cursor_daily_usage.detect_json(cursor) and not cursor_daily_usage.detect_json(claude)
    assert claude_code_usage.detect_json(claude) and not claude_code_usage.detect_json(cursor)
    assert not cursor_daily_usage.detect_json(github)
    assert not claude_code_usage.detect_json(github)


# --- Cursor: the documented example ---------------------------------------------------


def test_cursor_docs_example_reads_to_hand_worked_figures():
    # Source: Cursor Admin API docs, "Get Daily Usage Data" example response (README).
    telemetry = read(cursor_daily_usage, CURSOR / "docs_example.json")
    assert telemetry.format == "cursor_daily_usage" and telemetry.tool == "Cursor"
    # 1710720000000 ms ÷ 86 400 000 ms a day = day 19 800 after 1970-01-01 = 2024-03-18 UTC;
    # 1710806400000 is one day (86 400 000 ms) later, 2024-03-19; endDate 1710892800000 is
    # 2024-03-20.
    assert list(telemetry.daily["date"].dt.date.astype(str)) == ["2024-03-18", "2024-03-19"]
    assert telemetry.period == ("2024-03-18", "2024-03-20")
    first, second = (day(telemetry.daily, d) for d in ("2024-03-18", "2024-03-19"))
    assert first["licensed_users"] == 1 and first["active_users"] == 1  # one member, active
    assert first["suggestions"] == 342  # totalTabsShown
    assert first["acceptances"] == 289  # totalTabsAccepted
    assert first["lines_added"] == 1102 and first["lines_deleted"] == 645  # accepted lines
    assert first["chats"] == 128  # chatRequests
    assert first["requests"] == 185  # 180 included + 5 usage-based + 0 on API keys
    assert (
        first["actions"] == 614
    )  # 73 accepts + 289 tabs + 128 chat + 45 composer + 12 agent + 67 cmd-K
    assert second["requests"] == 335  # 320 + 0 + 15
    assert second["actions"] == 824  # 91 + 398 + 156 + 67 + 23 + 89
    assert first["chat_users"] == 1 and first["agent_users"] == 1  # 128 chats, 12 agent requests
    assert math.isnan(first["monthly_active_users"])  # two days of data, not 28
    assert math.isnan(first["cost"])  # this export reports no spend
    user_days = telemetry.user_days
    assert list(user_days["user"]) == ["developer@company.com"] * 2
    assert list(user_days["model"]) == ["gpt-5", "claude-3-opus"]
    assert list(user_days["included_requests"]) == [180, 320]
    assert list(user_days["usage_based_requests"]) == [5, 0]
    assert list(user_days["api_key_requests"]) == [0, 15]
    assert list(user_days["total_lines_added"]) == [1543, 2104]
    breakdown = telemetry.breakdown
    assert list(zip(breakdown["key"], breakdown["value"], strict=True)) == [
        ("gpt-5", 1.0),  # the one active member's most used model on 2024-03-18
        ("claude-3-opus", 1.0),
    ]
    assert set(breakdown["dimension"]) == {"model"}
    assert telemetry.data_quality == ()
    assert telemetry.label("licensed_users") == "members listed in the export (active or not)"
    assert telemetry.scope is None and telemetry.currency is None


# --- Cursor: hand-built files ----------------------------------------------------------


def test_cursor_team_file_merges_spellings_and_repeated_days_with_notes():
    telemetry = read(cursor_daily_usage, CURSOR / "team_two_days.json", team="platform")
    first, second = (day(telemetry.daily, d) for d in ("2026-01-05", "2026-01-06"))
    # 2026-01-05: alice and carol active, bob listed idle.
    assert first["licensed_users"] == 3 and first["active_users"] == 2
    assert first["chat_users"] == 1  # alice's 10 chats
    assert first["agent_users"] == 2  # alice 3, carol 5
    assert first["suggestions"] == 120  # 100 + 0 + 20
    assert first["acceptances"] == 65  # 40 + 0 + 25
    assert first["requests"] == 23  # alice 15 + 1, carol 5 + 2
    assert first["actions"] == 92  # alice 6+40+10+2+3+1 = 62, carol 0+25+0+0+5+0 = 30
    # 2026-01-06: " Alice@Example.com" is alice; carol's two records are one member-day.
    assert second["licensed_users"] == 3 and second["active_users"] == 2
    assert second["chat_users"] == 3  # alice 4, bob 1 (while not active), carol 1
    assert second["agent_users"] == 1  # carol 2
    assert second["suggestions"] == 64  # 50 + 0 + (10 + 4)
    assert second["acceptances"] == 26  # 20 + 0 + (5 + 1)
    assert second["requests"] == 10  # 6 + 1 + (2 + 1)
    assert second["actions"] == 38  # alice 2+20+4+2 = 28, bob 1, carol (5+2) + (1+1) = 9
    assert set(telemetry.daily["team"]) == {"platform"}
    carol = telemetry.user_days[telemetry.user_days["user"] == "carol@example.com"]
    assert list(carol["suggestions"]) == [20, 14]
    assert sorted(set(telemetry.user_days["user"])) == [
        "alice@example.com",
        "bob@example.com",
        "carol@example.com",
    ]
    models = telemetry.breakdown
    assert list(models["value"]) == [1.0, 1.0, 1.0, 1.0]  # one member per model per day
    notes = [(n.date, n.where, n.message) for n in telemetry.data_quality]
    assert notes == [
        ("2026-01-05", "data[2].totalTabsAccepted",
         "25 Tab completions accepted exceed the 20 shown; kept as reported"),
        ("2026-01-06", "data[4].isActive",
         "isActive is false but the record has 1 request(s) and 1 action(s); the member is"
         " counted as not active, the figures as reported"),
        (None, "data[3].email",
         "user 'Alice@Example.com' is read as 'alice@example.com', as first written (e-mails"
         " are compared without regard to case or surrounding spaces)"),
        ("2026-01-06", "data[6]",
         "member 'carol@example.com' has 2 records on the day (data[5], data[6]); their"
         " figures are added up and the member counted once"),
    ]  # fmt: skip


def test_cursor_monthly_active_users_only_with_28_days_of_data():
    # 2026-01-01 is day 20 454 after 1970-01-01: 20 454 × 86 400 000 = 1 767 225 600 000 ms.
    start = 20_454 * DAY_MS
    records = []
    for n in range(30):  # 2026-01-01 .. 2026-01-30
        records.append(cursor_record(start + n * DAY_MS, "a@x.com", True, chatRequests=1))
        records.append(cursor_record(start + n * DAY_MS, "b@x.com", n == 0))
        records.append(cursor_record(start + n * DAY_MS, "c@x.com", n == 29))
    placed = [(f"[{i}]", r) for i, r in enumerate(records)]
    daily = cursor_daily_usage.read_json(placed, "thirty.json", "all").daily
    monthly = daily.set_index(daily["date"].dt.day)["monthly_active_users"]
    assert monthly.loc[1:27].isna().all()  # fewer than 28 days of data up to these days
    assert monthly[28] == 2  # 01-01..01-28: a every day, b on 01-01
    assert monthly[29] == 1  # 01-02..01-29: b's one day has left the window
    assert monthly[30] == 2  # 01-03..01-30: a, and c on 01-30
    assert daily["active_users"].tolist() == [2.0] + [1.0] * 28 + [2.0]
    assert daily["licensed_users"].eq(3).all()


def test_cursor_dates_are_utc_calendar_days_whatever_the_time():
    # 1767225600000 + 23 h 59 min is still 2026-01-01 in UTC; + 24 h is 2026-01-02.
    late = 1_767_225_600_000 + (23 * 60 + 59) * 60_000
    records = [("[0]", cursor_record(late, "a@x.com", True)),
               ("[1]", cursor_record(late + 60_000, "a@x.com", True))]  # fmt: skip
    telemetry = cursor_daily_usage.read_json(records, "late.json", "all")
    assert list(telemetry.user_days["date"].dt.date.astype(str)) == ["2026-01-01", "2026-01-02"]


def test_an_empty_cursor_export_says_so():
    telemetry = cursor_daily_usage.read_json([], "empty.json", "all", {"data": []})
    assert telemetry.daily.empty and telemetry.note == cursor_daily_usage.EMPTY_NOTE


# --- Claude Code: the documented example ----------------------------------------------


def test_claude_code_docs_example_reads_to_hand_worked_figures():
    # Source: Anthropic Admin API reference, "Get Claude Code Usage Report" example (README).
    telemetry = read(claude_code_usage, CLAUDE / "docs_example.json")
    assert telemetry.format == "claude_code_usage" and telemetry.tool == "Claude Code"
    row = day(telemetry.daily, "2025-08-08")  # "2025-08-08T00:00:00Z"
    assert row["active_users"] == 1
    assert row["sessions"] == 15
    assert row["lines_added"] == 342 and row["lines_deleted"] == 128
    assert row["pull_requests_created_by_ai"] == 2
    assert row["acceptances"] == 50  # 25 edit + 12 multi-edit + 5 notebook + 8 write
    assert row["suggestions"] == 56  # (25 + 3) + (12 + 1) + (5 + 2) + (8 + 0)
    # sonnet 45 230 + 12 450 + 2 340 + 8 790 = 68 810; haiku 23 100 + 5 680 + 890 + 3 420
    # = 33 090; together 101 900 tokens.
    assert row["tokens"] == 101_900
    assert row["cost"] == pytest.approx(2.28, abs=1e-12)  # (186 + 42) cents ÷ 100 = 2.28 USD
    assert row["actions"] == 65  # 50 accepted tool actions + 15 sessions
    assert math.isnan(row["licensed_users"])  # the report lists users, not seats
    assert telemetry.currency == "USD"
    assert telemetry.scope == "organization 12345678-1234-5678-1234-567812345678"
    user = telemetry.user_days.iloc[0]
    assert user["user"] == "dev@company.com" and user["actor_type"] == "user_actor"
    assert user["commits"] == 8
    assert user["input_tokens"] == 68_330  # 45 230 + 23 100
    assert user["output_tokens"] == 18_130  # 12 450 + 5 680
    assert user["model"] == "claude-sonnet-4-20250514"  # 68 810 tokens against 33 090
    assert (user["customer_type"], user["subscription_type"], user["terminal_type"]) == (
        "api",
        "enterprise",
        "iTerm.app",
    )
    models = telemetry.breakdown[telemetry.breakdown["dimension"] == "model"]
    wide = models.pivot_table(index="key", columns="figure", values="value")
    assert wide.loc["claude-sonnet-4-20250514", "cost"] == pytest.approx(1.86)  # 186 cents
    assert wide.loc["claude-3-5-haiku-20241022", "cost"] == pytest.approx(0.42)  # 42 cents
    assert wide.loc["claude-sonnet-4-20250514", "tokens"] == 68_810
    assert wide.loc["claude-3-5-haiku-20241022", "tokens"] == 33_090
    tools = telemetry.breakdown[telemetry.breakdown["dimension"] == "tool"]
    edit = tools[tools["key"] == "edit_tool"].set_index("figure")["value"]
    assert (edit["acceptances"], edit["suggestions"]) == (25, 28)
    [paging] = telemetry.data_quality  # has_more is true: one page of the report
    assert paging.where == "has_more"
    assert paging.message.startswith("this file is one page of the report; the rest is at")
    assert "page_MjAyNS0wNS0xNFQwMDowMDowMFo=" in paging.message


# --- Claude Code: hand-built file -----------------------------------------------------


def test_claude_code_two_actors_and_an_api_key_on_one_day():
    telemetry = read(claude_code_usage, CLAUDE / "two_actors.json")
    row = day(telemetry.daily, "2026-01-06")
    assert row["active_users"] == 3  # alice, dave, and the key ci-pipeline (tokens, no session)
    assert row["sessions"] == 5  # alice 3 + 1, dave 1, key 0
    assert row["lines_added"] == 135 and row["lines_deleted"] == 35  # 120+5+0+10, 30+0+0+5
    assert row["acceptances"] == 16  # alice 10 + 3 + 2, dave 1
    assert row["suggestions"] == 19  # alice (12 + 4) + 2, dave 1
    assert row["tokens"] == 2_865  # alice 2000+300+400, dave 150, key 15
    assert row["cost"] == pytest.approx(2.06)  # (150 + 5 + 20 + 1 + 30) cents ÷ 100
    assert row["actions"] == 21  # alice 15 accepted + 4 sessions, dave 1 + 1, key 0
    users = telemetry.user_days.set_index("user")
    assert list(users.index) == ["alice@example.com", "Dave@Example.com", "ci-pipeline"]
    assert users.loc["alice@example.com", "cost"] == pytest.approx(1.85)  # (150 + 5 + 30) / 100
    assert users.loc["alice@example.com", "terminal_type"] == "vscode, iTerm.app"
    assert users.loc["ci-pipeline", "actor_type"] == "api_actor"
    assert bool(users.loc["ci-pipeline", "active"])  # 15 tokens, no session
    models = telemetry.breakdown[telemetry.breakdown["dimension"] == "model"]
    wide = models.pivot_table(index="key", columns="figure", values="value")
    sonnet, haiku = "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"
    assert wide.loc[sonnet, "cost"] == pytest.approx(2.00)  # (150 + 20 + 30) cents
    assert wide.loc[sonnet, "tokens"] == 2_550  # 2000 + 150 + 400
    assert wide.loc[sonnet, "active_users"] == 2  # alice, dave
    assert wide.loc[haiku, "cost"] == pytest.approx(0.06)  # (5 + 1) cents
    assert wide.loc[haiku, "active_users"] == 2  # alice, ci-pipeline
    assert telemetry.scope == "organization org-test-1"
    [repeated] = telemetry.data_quality
    assert (repeated.date, repeated.where) == ("2026-01-06", "data[3]")
    assert repeated.message == (
        "actor 'alice@example.com' has 2 records on the day (data[0], data[3]; terminal_type"
        " iTerm.app, vscode); their figures are added up and the actor counted once"
    )


# --- the broken corpus -----------------------------------------------------------------

MS_RULE = (
    "must be a time in epoch milliseconds, a whole number from 946684800000 (2000-01-01) to"
    " 4102444800000 (2100-01-01), got "
)
WHOLE = "must be a whole number from 0 to 1e15, got "
# file, where, message: every problem of each rejected file, in order.
BROKEN = [
    ("cursor/broken_dates.json", "period.startDate",
     MS_RULE + "'2026-01-05'; Cursor writes dates as numbers"),
    ("cursor/broken_dates.json", "data[0].date",
     MS_RULE + "'2026-01-05'; Cursor writes dates as numbers"),
    ("cursor/broken_dates.json", "data[1].date",
     MS_RULE + "1767571200 (seconds since 1970, not milliseconds?)"),
    ("cursor/broken_dates.json", "data[2].date", MS_RULE + "-86400000"),
    ("cursor/broken_dates.json", "data[3].date", MS_RULE + "1767571200000.5"),
    ("cursor/broken_dates.json", "data[4].date", "is missing"),
    ("cursor/broken_fields.json", "data[0].totalTabsShown", WHOLE + "-3"),
    ("cursor/broken_fields.json", "data[0].chatRequests", WHOLE + "'54'"),
    ("cursor/broken_fields.json", "data[1].email", "is missing"),
    ("cursor/broken_fields.json", "data[1].isActive", "must be true or false, got 'yes'"),
    ("cursor/broken_fields.json", "data[2].email", "must be text, got 42"),
    ("cursor/broken_fields.json", "data[2].mostUsedModel", "must be text, got 5"),
    ("cursor/broken_fields.json", "data[3]", "must be an object (a member's day), got list"),
    ("cursor/broken_fields.json", "data[4].email", "is blank"),
    ("cursor/broken_fields.json", "data[4].totalTabsAccepted", WHOLE + "2.5"),
    ("cursor/broken_fields.json", "data[4].usageBasedReqs", WHOLE + "True"),
    ("cursor/broken_period_order.json", "period.endDate",
     "must not be before period.startDate (2026-01-06), got 2026-01-05"),
    ("cursor/broken_period_text.json", "period",
     "must be an object with startDate and endDate, got '2026-01'"),
    ("claude_code/broken_cost.json", "has_more", "must be true or false, got 'yes'"),
    ("claude_code/broken_cost.json", "data[0].model_breakdown[0].estimated_cost.amount",
     "must be a number of cents from 0 to 1e15, got '186'"),
    ("claude_code/broken_cost.json", "data[0].model_breakdown[1].estimated_cost.currency",
     "must be the file's one currency, 'USD' (as at"
     " data[0].model_breakdown[0].estimated_cost.currency), got 'EUR': amounts in two"
     " currencies cannot be added up"),
    ("claude_code/broken_cost.json", "data[1].model_breakdown[0].estimated_cost.amount",
     "must be a number of cents from 0 to 1e15, got -1"),
    ("claude_code/broken_cost.json", "data[1].model_breakdown[0].estimated_cost.currency",
     "must be a three-letter currency code such as 'USD', got 'usd'"),
    ("claude_code/broken_cost.json", "data[2].model_breakdown[0].estimated_cost.currency",
     "is missing (the currency of amount)"),
    ("claude_code/broken_actor.json", "data[0].actor", "is missing"),
    ("claude_code/broken_actor.json", "data[1].actor",
     "must be an object with email_address (a user) or api_key_name (an API key), got"
     " 'dev@company.com'"),
    ("claude_code/broken_actor.json", "data[2].actor.email_address",
     "is missing or blank (an actor of type 'user_actor' is named by it)"),
    ("claude_code/broken_actor.json", "data[3].date",
     "ambiguous: write YYYY-MM-DD, got '08/08/2025'"),
    ("claude_code/broken_actor.json", "data[3].tool_actions", "must be an object, got 'none'"),
    ("claude_code/broken_actor.json", "data[4].core_metrics.lines_of_code.added", WHOLE + "-5"),
    ("claude_code/broken_actor.json", "data[4].model_breakdown",
     "must be a list of models, got dict"),
    ("claude_code/broken_actor.json", "data[5]", "must be an object (an actor's day), got str"),
    ("claude_code/broken_actor.json", "data[6].tool_actions.edit_tool",
     "must be an object with accepted and rejected, got [1, 2]"),
    ("claude_code/broken_actor.json", "data[6].model_breakdown[0].model", "is missing or blank"),
    ("claude_code/broken_actor.json", "data[6].model_breakdown[0].tokens.input", WHOLE + "-1"),
    ("claude_code/broken_actor.json", "data[7].date", "is missing"),
    ("claude_code/broken_actor.json", "data[7].terminal_type", "must be text or null, got 5"),
    ("claude_code/broken_orgs.json", "data[1].organization_id",
     "must be the file's one organization, 'org-a' (as at data[0].organization_id), got"
     " 'org-b': export each organization on its own"),
]  # fmt: skip
READERS = {"cursor": cursor_daily_usage, "claude_code": claude_code_usage}


def test_the_broken_corpus_is_complete():
    on_disk = {f"{p.parent.name}/{p.name}" for p in DATA.glob("*/broken_*.json")}
    on_disk = {name for name in on_disk if name.split("/")[0] in READERS}
    assert on_disk == {row[0] for row in BROKEN}


@pytest.mark.parametrize("name", sorted({row[0] for row in BROKEN}))
def test_broken_files_name_every_problem(name):
    expected = [(where, message) for file, where, message in BROKEN if file == name]
    with pytest.raises(TelemetryError) as caught:
        read(READERS[name.split("/")[0]], DATA / name)
    found = [(p.where, p.message) for p in caught.value.problems]
    assert found == expected


# Wrong types anywhere become problems, never a crash.
ODD_VALUES = [None, True, -1, 1e300, float("nan"), "x", [], {}, [1, {"a": 2}], {"b": [3]}]


@pytest.mark.parametrize("module", [cursor_daily_usage, claude_code_usage])
def test_any_value_in_any_field_is_read_or_refused_never_a_crash(module):
    path = (
        CURSOR / "docs_example.json"
        if module is cursor_daily_usage
        else CLAUDE / "docs_example.json"
    )
    records, envelope = records_of(path)
    record = records[0][1]

    def places(node, prefix=()):
        yield prefix
        if isinstance(node, dict):
            for key, value in node.items():
                yield from places(value, (*prefix, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from places(value, (*prefix, i))

    for place in list(places(record))[1:]:
        for value in ODD_VALUES:
            changed = json.loads(json.dumps(record))
            node = changed
            for step in place[:-1]:
                node = node[step]
            node[place[-1]] = value
            try:
                telemetry = module.read_json([("data[0]", changed)], "odd.json", "all", envelope)
            except TelemetryError as error:
                assert error.problems and all(p.where.startswith("data[0]") for p in error.problems)
            else:
                assert len(telemetry.daily) <= 1


# --- through the dispatcher ------------------------------------------------------------


def read_file(path: Path):
    from roi.adoption.telemetry import read_telemetry

    return read_telemetry(path.read_bytes(), path.name)


def test_the_dispatcher_reads_the_cursor_example():
    telemetry = read_file(CURSOR / "docs_example.json")
    assert telemetry.format == "cursor_daily_usage"
    assert telemetry.period == ("2024-03-18", "2024-03-20")
    assert list(telemetry.daily["actions"]) == [614, 824]  # as worked out above


def test_the_dispatcher_reads_the_claude_code_example():
    telemetry = read_file(CLAUDE / "docs_example.json")
    assert telemetry.format == "claude_code_usage"
    assert telemetry.daily["cost"].iloc[0] == pytest.approx(2.28)  # (186 + 42) / 100
    assert telemetry.currency == "USD"
    assert any(note.where == "has_more" for note in telemetry.data_quality)


@pytest.mark.parametrize("name", ["cursor/broken_fields.json", "claude_code/broken_cost.json"])
def test_the_dispatcher_names_the_same_places(name):
    from roi.adoption.telemetry import TelemetryError as DispatchError

    expected = [(where, message) for file, where, message in BROKEN if file == name]
    with pytest.raises(DispatchError) as caught:
        read_file(DATA / name)
    assert [(p.where, p.message) for p in caught.value.problems] == expected


@pytest.mark.parametrize("value", ODD_VALUES)
def test_any_envelope_value_is_read_or_refused_never_a_crash(value):
    records, _ = records_of(CURSOR / "docs_example.json")
    for envelope in ({"period": value}, {"period": {"startDate": value, "endDate": value}}):
        try:
            cursor_daily_usage.read_json(records, "odd.json", "all", envelope)
        except TelemetryError as error:
            assert all(p.where.startswith("period") for p in error.problems)
    records, _ = records_of(CLAUDE / "docs_example.json")
    for envelope in ({"has_more": value}, {"has_more": True, "next_page": value}):
        try:
            claude_code_usage.read_json(records, "odd.json", "all", envelope)
        except TelemetryError as error:
            assert {p.where for p in error.problems} <= {"has_more", "next_page"}


def test_a_file_pasted_twice_counts_each_record_once():
    records, envelope = records_of(CURSOR / "docs_example.json")
    doubled = records + [(f"data[{i + 2}]", record) for i, (_, record) in enumerate(records)]
    telemetry = cursor_daily_usage.read_json(doubled, "twice.json", "all", envelope)
    assert list(telemetry.daily["actions"]) == [614, 824]  # as in the example, not doubled
    [note] = telemetry.data_quality
    assert note.message == (
        "2 record(s) repeat an earlier record in every figure (the first at data[2]): each is"
        " counted once"
    )


def test_repeated_member_days_are_noted_one_by_one_up_to_twenty():
    start = 20_454 * DAY_MS  # 2026-01-01
    records = []
    for n in range(25):  # 25 members with two different records each on 2026-01-01
        records.append(cursor_record(start, f"m{n}@x.com", True, chatRequests=1))
        records.append(cursor_record(start, f"m{n}@x.com", True, chatRequests=2))
    placed = [(f"[{i}]", r) for i, r in enumerate(records)]
    telemetry = cursor_daily_usage.read_json(placed, "split.json", "all")
    notes = telemetry.data_quality
    assert len(notes) == 21  # 20 one by one, then one for the other 5
    assert notes[0].message.startswith("member 'm0@x.com' has 2 records on the day ([0], [1])")
    assert notes[-1].message == (
        "and 5 more member-days with more than one record, each added up and counted once"
    )
    assert telemetry.daily["chats"].iloc[0] == 75  # 25 × (1 + 2)
    assert telemetry.daily["active_users"].iloc[0] == 25


def test_a_claude_page_read_twice_costs_once():
    records, envelope = records_of(CLAUDE / "docs_example.json")
    doubled = [*records, ("data[1]", records[0][1])]
    telemetry = claude_code_usage.read_json(doubled, "twice.json", "all", envelope)
    assert telemetry.daily["cost"].iloc[0] == pytest.approx(2.28)  # (186 + 42) / 100, once
    models = telemetry.breakdown[telemetry.breakdown["figure"] == "cost"]
    assert models["value"].sum() == pytest.approx(2.28)  # 1.86 + 0.42, not twice
    tools = telemetry.breakdown[telemetry.breakdown["figure"] == "acceptances"]
    assert tools["value"].sum() == 50  # 25 + 12 + 5 + 8, not twice
    assert [n.where for n in telemetry.data_quality] == ["has_more", "data"]
