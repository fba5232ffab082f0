"""``python -m roi tools`` and ``python -m roi usage`` (issue 21): the cross-tool view and the
measured usage put into a case, from the command line, with bad input exiting 2."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from roi.cli import main

DATA = Path(__file__).parents[1] / "data" / "telemetry"
CURSOR = DATA / "cursor" / "team_two_days.json"
CLAUDE = DATA / "claude_code" / "two_actors.json"
USERS = DATA / "github_usage_metrics" / "users_1day.ndjson"

CASE = {
    "name": "Copilot usage billing", "start": "2026-07", "horizon_years": 1,
    "discount_rate": 0.1,
    "adoption": {"curve": "linear", "ceiling": 0.8, "months_to_ceiling": 4},
    "benefits": [{"name": "Contractor hours avoided", "type": "cost_avoidance",
                  "monthly_amount": 4000}],
    "costs": [{"name": "Copilot", "type": "usage_licence", "seats": 10,
               "usage_per_active_user_per_month": 100,
               "licence": {"pricing": "github_copilot_business"}}],
}  # fmt: skip


def april(tmp_path: Path, credits: dict[str, float]) -> Path:
    """GitHub per-user NDJSON for every day of April 2026, each user's credits a day."""
    base = json.loads(USERS.read_text().split("\n")[0])
    lines = [
        json.dumps({**base, "day": (date(2026, 4, 1) + timedelta(days=d)).isoformat(),
                    "user_id": 1001 + i, "user_login": login, "ai_credits_used": value})
        for d in range(30)
        for i, (login, value) in enumerate(credits.items())
    ]  # fmt: skip
    path = tmp_path / "april.ndjson"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_tools_sets_the_tools_side_by_side(capsys):
    code = main(["tools", str(CURSOR), str(CLAUDE), str(USERS), "--seats", "Cursor=5",
                 "--seat-price", "Cursor=40", "--json"])  # fmt: skip
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert [tool["tool"] for tool in out["tools"]] == ["Cursor", "Claude Code", "GitHub Copilot"]
    # 5 seats × 40 × 28 ÷ 30.4375 = 183.98 over the window; ÷ 2 active people = 91.99.
    assert out["tools"][0]["licence_spend"] == pytest.approx(5 * 40 * 28 / 30.4375)
    assert out["tools"][0]["cost_per_active_user"] == pytest.approx(5 * 40 * 28 / 30.4375 / 2)
    assert out["people_in_several_tools"] == 1
    assert main(["tools", str(CURSOR), str(CLAUDE)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Tools side by side, each over the 28 days to its last date\n- Cursor")
    assert "Note: people are matched across tools by user name" in text


@pytest.mark.parametrize(
    "arguments,message",
    [
        (["--seats", "Cursor"], "must be TOOL=VALUE"),
        (["--seats", "Cursor=2.5"], "must be a whole number"),
        (["--seats", "Cursor=1", "--seats", "cursor=2"], "'cursor' is given twice"),
        (["--window", "0"], "--window"),
    ],
)
def test_tools_refuses_bad_options_with_exit_2(arguments, message, capsys):
    with pytest.raises(SystemExit) as exited:
        code = main(["tools", str(CURSOR), *arguments])
        raise SystemExit(code)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_usage_measures_and_puts_the_measurement_in_the_case(tmp_path, capsys):
    export = april(tmp_path, {"alice": 150, "bob": 100, "carol": 30})
    case = tmp_path / "case.json"
    case.write_text(json.dumps(CASE))
    out = tmp_path / "measured.yaml"
    assert main(["usage", str(export), "--case", str(case), "--out", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    # April: alice 30 × 150 = 4,500, bob 3,000, carol 900 credits: mean 2,800 a user.
    assert data["measured"]["mean"] == pytest.approx(2800.0)
    assert data["npv_after"] != data["npv_before"]
    written = out.read_text()
    assert "usage_per_active_user_per_month: 2800" in written and "evidence: measured" in written
    assert main(["usage", str(export)]) == 0
    assert "credits per active user a month: mean 2,800" in capsys.readouterr().out


def test_usage_exits_2_with_the_reason(tmp_path, capsys):
    export = april(tmp_path, {"alice": 150})
    case = tmp_path / "case.json"
    case.write_text(
        json.dumps(
            {
                **CASE,
                "costs": [
                    {
                        "name": "Travel",
                        "type": "per_seat",
                        "seats": 5,
                        "price_per_seat_per_month": 9,
                    }
                ],
            }
        )
    )
    assert main(["usage", str(export), "--case", str(case)]) == 2
    assert "no usage_licence cost line" in capsys.readouterr().err
    assert main(["usage", str(USERS)]) == 2  # one day: no complete month
    assert "no credits per active user over a complete calendar month" in capsys.readouterr().err
    assert main(["usage", str(export), "--out", str(tmp_path / "x.yaml")]) == 2
    assert "needs --case" in capsys.readouterr().err
    assert not (tmp_path / "x.yaml").exists()
