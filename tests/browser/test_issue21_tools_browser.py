"""Issue 21 in the browser: the files of three tools side by side (seats and a price typed
in, the tool shown below chosen), and a month of measured AI credits taken into a business
case with a usage_licence line, saved from the Case builder page as a person would."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from appserver import free_port, start_app, stop_app
from playwright.sync_api import expect

from roi import evaluate
from roi.adoption.billing import measured_usage, with_measured_usage
from roi.adoption.telemetry import read_telemetry
from roi.core.casefile import parse_case
from roi.io.formatting import format_money

DATA = Path(__file__).parents[1] / "data" / "telemetry"
TOOLS = (
    DATA / "cursor" / "team_two_days.json",
    DATA / "claude_code" / "two_actors.json",
    DATA / "github_usage_metrics" / "users_1day.ndjson",
)
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


def upload(page, *paths: Path) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
        [str(path) for path in paths]
    )


def metric(page, label: str):
    return page.locator('[data-testid="stMetric"]').filter(has_text=label)


def spin(page, name: str, value: str) -> None:
    box = page.get_by_role("spinbutton", name=name)
    box.fill(value)
    box.press("Enter")


def test_three_tools_side_by_side(page, app_url, screenshot):
    page.set_viewport_size({"width": 1400, "height": 3600})
    page.goto(f"{app_url}/adoption")
    expect(page.get_by_text("Read as: adoption CSV", exact=False)).to_be_visible()
    upload(page, *TOOLS)
    expect(page.get_by_text("Read as 3 tools: Cursor", exact=False)).to_be_visible()
    expect(page.get_by_role("heading", name="Tools side by side")).to_be_visible()
    spin(page, "Cursor seats (0 = from the export)", "5")
    spin(page, "Cursor seat price a month (0 = none)", "40")
    # Cursor: 5 seats × $40 × 28 ÷ 30.4375 days = 183.98 over its window; ÷ its 2 active
    # people (alice and carol; bob is listed, never active) = 91.99 each.
    # The grid's cells (drawn on a canvas) are in the DOM unrounded; the grid shows 2 decimals.
    expect(page.get_by_text(re.compile(r"^183\.98")).first).to_be_attached()
    expect(page.get_by_text(re.compile(r"^91\.99")).first).to_be_attached()
    # Listed: Cursor's 3 e-mails, Claude Code's alice@, Dave@ and the key ci-pipeline, GitHub's
    # logins alice, bob, carol: 9 less alice@example.com, in two tools = 8. Active: Cursor 2 +
    # Claude Code 3 + GitHub 3 − alice@ once more = 7. Licences per person: Cursor alone has a
    # licence count among the tools (5 seats) ÷ its 3 listed people = 1.67.
    expect(metric(page, "People listed")).to_contain_text("8")
    expect(metric(page, "People active")).to_contain_text("7")
    expect(metric(page, "People in several tools")).to_contain_text("1")
    expect(metric(page, "Licences per person")).to_contain_text("1.67")
    expect(page.get_by_text("only before them are not counted", exact=False).first).to_be_visible()
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Tool shown below")
    box.click()
    page.get_by_role("option", name="Claude Code", exact=False).click()
    expect(
        page.get_by_text("Read as: Claude Code usage report (Admin API), two_actors.json,"
                         " organization org-test-1.")
    ).to_be_visible()  # fmt: skip
    expect(page.get_by_role("heading", name="Spend and seats")).to_be_visible()
    screenshot(page, "issue21_tools_side_by_side")


def april_credits(per_day: dict[str, float]) -> bytes:
    """GitHub's per-user report for every day of April 2026 (one NDJSON file), each user's
    ``ai_credits_used`` the same every day."""
    base = json.loads(
        (DATA / "github_usage_metrics" / "users_1day.ndjson").read_text().split("\n")[0]
    )
    lines = []
    for offset in range(30):
        day = (date(2026, 4, 1) + timedelta(days=offset)).isoformat()
        for number, (login, credits) in enumerate(per_day.items()):
            record = {**base, "day": day, "user_id": 1001 + number, "user_login": login,
                      "ai_credits_used": credits}  # fmt: skip
            lines.append(json.dumps(record))
    return "\n".join(lines).encode("utf-8")


@pytest.fixture(scope="module")
def store_app(tmp_path_factory):
    """The dashboard on an empty SQLite store of its own (a case saved here is seen by no
    other test); yields its URL."""
    folder = tmp_path_factory.mktemp("measured-usage")
    port = free_port()
    process = start_app(port, {"DATABASE_URL": f"sqlite:///{folder / 'roi.sqlite3'}"})
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_app(process)


def test_measured_credits_into_a_business_case(store_app, tab, screenshot, tmp_path):
    # A case with a usage_licence line, opened and saved on the Case builder page.
    case_file = tmp_path / "copilot_usage_billing.yaml"
    case_file.write_text(yaml.safe_dump(USAGE_CASE, sort_keys=False))
    tab.goto(f"{store_app}/builder")
    upload(tab, case_file)
    save = tab.get_by_role("button", name="Save copilot_usage_billing.yaml to the store")
    save.click()
    expect(tab.get_by_text("Saved as dataset #", exact=False)).to_be_visible()

    # April 2026 from GitHub's per-user reports: alice 150, bob 100, carol 30 credits a day.
    export = tmp_path / "april.ndjson"
    export.write_bytes(april_credits({"alice": 150, "bob": 100, "carol": 30}))
    tab.set_viewport_size({"width": 1400, "height": 3400})
    tab.goto(f"{store_app}/adoption")
    expect(tab.get_by_text("Read as: adoption CSV", exact=False)).to_be_visible()
    upload(tab, export)
    expect(tab.get_by_role("heading", name="Use the measured usage in a case")).to_be_visible()
    box = tab.locator('[data-testid="stSelectbox"]').filter(has_text="Measured figure")
    expect(box.get_by_role("combobox")).to_have_value("credits: AI credits consumed"
                                                       " (ai_credits_used: a metrics signal, not"
                                                       " the billed total)")  # fmt: skip
    # April's 30 days: alice 4,500, bob 3,000, carol 900 credits. Mean 8,400 ÷ 3 = 2,800;
    # sd √((1,700² + 200² + 1,900²) ÷ 2) = √3,270,000 = 1,808; percentiles of 900, 3,000,
    # 4,500 (linear): p10 900 + 0.2 × 2,100 = 1,320, p50 3,000, p90 3,000 + 0.8 × 1,500 = 4,200.
    expect(metric(tab, "Mean per user a month")).to_contain_text("2,800")
    expect(metric(tab, "Spread across users (sd)")).to_contain_text("1,808")
    expect(metric(tab, "p10")).to_contain_text("1,320")
    expect(metric(tab, "p50 (median)")).to_contain_text("3,000")
    expect(metric(tab, "p90")).to_contain_text("4,200")
    expect(metric(tab, "User-months")).to_contain_text("3")
    expect(metric(tab, "Complete months")).to_contain_text("1")
    expect(metric(tab, "Partial months left out")).to_contain_text("0")
    case_box = tab.locator('[data-testid="stSelectbox"]').filter(
        has_text="Business case with a usage-billed licence"
    )
    expect(case_box.get_by_role("combobox")).to_have_value("Copilot usage billing · saved #1")
    # 10 seats pool 10 × 1,900 = 19,000 credits a month. From the 4th month 8 people are
    # active: planned 8 × 100 = 800 credits, none beyond the pool; measured 8 × 2,800 =
    # 22,400, 3,400 beyond it at $0.01 = $34 a month more for 9 months ($306, discounted in
    # the NPV). The NPVs are the engine's for the same case and measurement.
    case = parse_case(USAGE_CASE)
    measured = measured_usage(read_telemetry(export.read_bytes(), export.name), "credits")
    planned = evaluate(case).risk_adjusted.metrics.npv
    after = evaluate(with_measured_usage(case, measured)).risk_adjusted.metrics.npv
    assert 250 < planned - after < 306
    npvs = (
        tab.locator('[data-testid="stMetric"]')
        .filter(has_text="NPV")
        .filter(has_not_text="vs plan")
    )
    expect(npvs.filter(has_text=format_money(planned)).first).to_be_visible()
    expect(npvs.filter(has_text=format_money(after)).first).to_be_visible()
    expect(
        tab.get_by_role("button", name="Download the case with measured usage (YAML)")
    ).to_be_visible()
    expect(
        tab.get_by_role(
            "button", name="Save copilot_usage_billing_measured_usage.yaml", exact=False
        )
    ).to_be_visible()
    screenshot(tab, "issue21_measured_usage_case")
