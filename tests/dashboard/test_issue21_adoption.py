"""Issue 21 on the Adoption page (AppTest): the Viva Insights attribute read as the team,
several tools side by side, and measured usage taken into a case with a usage_licence line.
The figures shown are the engine's for the same inputs."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.markup import shown
from roi import evaluate
from roi.adoption.billing import measured_usage, with_measured_usage
from roi.adoption.telemetry import read_telemetry, read_tool_files
from roi.adoption.tools import compare_tools
from roi.core.casefile import parse_case
from roi.io.formatting import format_money
from roi.store import prepare

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "dashboard" / "app.py")
DATA = ROOT / "tests" / "data" / "telemetry"
VIVA = DATA / "viva" / "viva_pq_data_3_orgs_2_weeks.csv"
TOOLS = (
    DATA / "cursor" / "team_two_days.json",
    DATA / "claude_code" / "two_actors.json",
    DATA / "github_usage_metrics" / "users_1day.ndjson",
)
TIMEOUT = 60


def adoption_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("app_pages/adoption.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at: AppTest, *paths: Path) -> None:
    uploader = at.get("file_uploader")[0]
    for path in paths:
        uploader.upload(path.name, path.read_bytes(), "application/octet-stream")
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def april_credits(per_day: dict[str, float]) -> bytes:
    """A GitHub per-user NDJSON for every day of April 2026, each user's ``ai_credits_used``
    the same every day, and 2 Copilot CLI requests a day."""
    base = json.loads(
        (DATA / "github_usage_metrics" / "users_1day.ndjson").read_text().split("\n")[0]
    )
    lines = []
    for offset in range(30):
        day = (date(2026, 4, 1) + timedelta(days=offset)).isoformat()
        for number, (login, credits) in enumerate(per_day.items()):
            record = {**base, "day": day, "user_id": 1001 + number, "user_login": login,
                      "ai_credits_used": credits, "used_cli": True,
                      "totals_by_cli": {"session_count": 1, "request_count": 2}}  # fmt: skip
            lines.append(json.dumps(record))
    return "\n".join(lines).encode("utf-8")


USAGE_CASE = {
    "name": "Copilot usage billing",
    "start": "2026-07",
    "horizon_years": 1,
    "discount_rate": 0.1,
    "adoption": {"curve": "linear", "ceiling": 0.8, "months_to_ceiling": 4},
    "benefits": [{"name": "Contractor hours avoided", "type": "cost_avoidance",
                  "monthly_amount": 3000}],
    "costs": [{"name": "Copilot", "type": "usage_licence", "seats": 10,
               "usage_per_active_user_per_month": 100,
               "licence": {"pricing": "github_copilot_business"}}],
}  # fmt: skip


def test_viva_team_is_the_attribute_chosen():
    at = adoption_page()
    upload(at, VIVA)
    box = at.selectbox(key="adoption.team_by")
    # The text columns of the query (vivainsights' extract_hr), in the header's order.
    assert box.options == ["FunctionType", "SupervisorIndicator", "Level", "Organization",
                           "LevelDesignation"]  # fmt: skip
    assert box.value == "Organization"
    assert "HR, IT, Sales" in at.caption[1].value
    box.set_value("Level").run()
    assert not at.exception
    # Level1 (the two Sales executives), Level3, Level4.
    assert "teams: Level1, Level3, Level4" in at.caption[1].value


def test_several_tools_side_by_side():
    at = adoption_page()
    upload(at, *TOOLS)
    assert at.success[0].value.startswith("Read as 3 tools: Cursor")
    at.number_input(key="adoption.tool_seats.0").set_value(5)
    at.number_input(key="adoption.tool_price.0").set_value(40.0).run()
    assert not at.exception
    files = [(path.read_bytes(), path.name) for path in TOOLS]
    expected = compare_tools(read_tool_files(files), {"Cursor": 5}, {"Cursor": 40.0})
    table = at.dataframe[0].value
    assert list(table["Tool"]) == ["Cursor", "Claude Code", "GitHub Copilot"]
    # 5 seats × 40 × 28 ÷ 30.4375 = 183.98; ÷ 2 active people = 91.99.
    assert table["Licence spend"].iloc[0] == pytest.approx(5 * 40 * 28 / 30.4375)
    assert table["Cost per active person"].iloc[0] == pytest.approx(5 * 40 * 28 / 30.4375 / 2)
    assert table["Cost per active person"].iloc[0] == pytest.approx(
        expected.tools[0].cost_per_active_user
    )
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["People listed"], metrics["People active"]) == ("8", "7")
    assert metrics["People in several tools"] == "1"  # alice@example.com
    assert metrics["Licences per person"] == "1.67"  # 5 Cursor seats ÷ 3 people it lists
    at.selectbox(key="adoption.tool").set_value(1).run()
    assert not at.exception
    assert "Read as: Claude Code usage report (Admin API), two_actors.json" in shown(
        at.success[1].value
    )


def test_measured_usage_into_a_case(store, tmp_path):
    case = parse_case(USAGE_CASE)
    raw = json.dumps(USAGE_CASE).encode("utf-8")
    from roi.access import Actor, Role

    store.add(prepare("case", raw, "copilot_usage.json"), Actor("pat", Role.ADMIN))
    at = adoption_page()
    path = tmp_path / "april.ndjson"
    path.write_bytes(april_credits({"alice": 150, "bob": 100, "carol": 30}))
    upload(at, path)
    assert at.selectbox(key="adoption.usage_figure").value == "credits"
    metrics = {m.label: m.value for m in at.metric}
    # April: alice 4,500, bob 3,000, carol 900 credits; mean 8,400 ÷ 3 = 2,800.
    assert metrics["Mean per user a month"] == "2,800"
    assert (metrics["p10"], metrics["p50 (median)"], metrics["p90"]) == ("1,320", "3,000", "4,200")
    measured = measured_usage(read_telemetry(path.read_bytes(), path.name), "credits")
    after = evaluate(with_measured_usage(case, measured)).risk_adjusted.metrics.npv
    npvs = [m.value for m in at.metric if m.label == "NPV"]
    assert npvs[-1] == format_money(after)
    # Tokens nobody used are not offered; requests (2 a day) are, and a line billed in
    # another unit is refused with the engine's reason, no traceback.
    assert at.selectbox(key="adoption.usage_figure").options == [
        "credits: AI credits consumed (ai_credits_used: a metrics signal, not the billed total)",
        "requests: Copilot CLI requests, agent follow-ups included (outside the IDE counts)",
    ]
    at.selectbox(key="adoption.usage_figure").set_value("requests").run()
    assert not at.exception
    assert "is billed in 'AI credit'" in shown(at.warning[-1].value)


def test_without_a_usage_licence_case_the_page_says_where_to_add_one(store, tmp_path):
    at = adoption_page()
    path = tmp_path / "april.ndjson"
    path.write_bytes(april_credits({"alice": 10}))
    upload(at, path)
    assert any("add a usage_licence cost line" in c.value for c in at.caption)


def test_file_names_in_the_tools_section_stay_text():
    at = adoption_page()
    uploader = at.get("file_uploader")[0]
    uploader.upload("[x](http://e.example).json", TOOLS[0].read_bytes(), "application/json")
    uploader.upload(TOOLS[1].name, TOOLS[1].read_bytes(), "application/json")
    at.run()
    assert not at.exception
    assert r"\[x\]\(http\:" in at.success[0].value  # escaped: never a link
    assert "[x](http://e.example).json" in shown(at.success[0].value)
