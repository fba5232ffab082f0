"""The command line: `python -m roi evaluate` and `python -m roi portfolio`."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from roi import evaluate, load_case
from roi.cli import main
from roi.reports.jsonreport import METRIC_KEYS

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_data" / "cases"
TEI = ROOT / "sample_data" / "reference" / "tei_salesloft.yaml"
REQUIRED_KEYS = {
    "npv",
    "pv_benefits",
    "pv_costs",
    "roi",
    "irr",
    "irr_note",
    "payback_months",
    "discounted_payback_months",
}


def run_json(path: Path, capsys) -> dict:
    assert main(["evaluate", "--json", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return json.loads(out)


def walk_numbers(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from walk_numbers(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk_numbers(item)
    elif isinstance(value, float):
        yield value


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_json_output_has_the_contract_keys_and_engine_figures(path, capsys):
    data = run_json(path, capsys)
    assert data.keys() >= REQUIRED_KEYS
    assert data["unadjusted"].keys() >= REQUIRED_KEYS
    assert set(METRIC_KEYS) <= data.keys()
    assert all(math.isfinite(x) for x in walk_numbers(data))
    assert not any(x == 0 and math.copysign(1, x) < 0 for x in walk_numbers(data)), "-0.0"
    metrics = evaluate(load_case(path)).risk_adjusted.metrics
    assert data["npv"] == metrics.npv and data["roi"] == metrics.roi
    horizon = data["horizon_years"]
    assert len(data["monthly"]) == 12 * horizon + 1
    assert data["monthly"][0]["period"] == 0 and data["monthly"][-1]["period"] == 12 * horizon
    kinds = [row["kind"] for row in data["annual"]]
    assert kinds[-1] == "net" and "total_benefits" in kinds and "total_costs" in kinds
    assert {f"year_{y}" for y in range(1, horizon + 1)} <= data["annual"][0].keys()


def test_json_uses_fractions_and_null(capsys):
    data = run_json(TEI, capsys)
    assert round(data["roi"], 2) == 3.29  # a fraction: 329 %
    assert data["discount_rate"] == 0.10
    assert data["unadjusted"]["roi"] == data["roi"]  # no risk factors in this case


def test_json_null_when_undefined(tmp_path, capsys):
    path = tmp_path / "benefit_only.yaml"
    path.write_text(
        'name: B\nstart: "2027-01"\nbenefits:\n  - {name: b, type: explicit, by_year: [10]}\n'
        "horizon_years: 1\n"
    )
    data = run_json(path, capsys)
    assert data["roi"] is None and data["irr"] is None
    assert "never change sign" in data["irr_note"]


def test_readable_output_shows_both_views_and_the_annual_table(capsys):
    assert main(["evaluate", str(TEI)]) == 0
    out = capsys.readouterr().out
    assert "Risk-adjusted" in out and "Unadjusted" in out
    assert "$5,496,170" in out  # the study's net present value
    assert "328.7%" in out
    assert "Total costs" in out and "Net cash flow" in out
    assert "nan" not in out.lower()


def test_portfolio_of_the_samples(capsys):
    assert main(["portfolio", str(SAMPLES)]) == 0
    out = capsys.readouterr().out
    for path in SAMPLES.glob("*.yaml"):
        assert load_case(path).name in out
    assert "Total USD" in out and "Total EUR" in out


def test_portfolio_with_a_broken_case_shows_nothing_but_problems(tmp_path, capsys):
    (tmp_path / "good.yaml").write_text((SAMPLES / "lead_scoring.yaml").read_text())
    (tmp_path / "bad.yaml").write_text('name: Bad\nstart: "2027-13"\n')
    assert main(["portfolio", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "bad.yaml" in err and "start" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["portfolio", "no/such/folder"], "is not a folder of case files"),
        (["evaluate", "no/such/case.yaml"], "file not found"),
    ],
)
def test_missing_paths_exit_2(args, message, capsys):
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_empty_folder_exits_2(tmp_path, capsys):
    assert main(["portfolio", str(tmp_path)]) == 2
    assert "holds no .yaml" in capsys.readouterr().err


def test_python_dash_m_roi_runs(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "roi", "evaluate", "--json", str(TEI)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert round(json.loads(done.stdout)["npv"]) == 5_496_170


CHATBOT = SAMPLES / "support_chatbot.yaml"


def test_infra_json(capsys):
    assert main(["infra", "--json", str(CHATBOT)]) == 0
    data = json.loads(capsys.readouterr().out)
    hosting, api = data["items"]
    assert len(hosting["monthly"]) == 60 and hosting["monthly"][0]["month"] == 1
    assert {row["chosen"] for row in hosting["monthly"]} == {"serverless", "provisioned"}
    assert hosting["crossover_month"] == 37 and hosting["switch_months"] == [37]
    assert hosting["crossover_requests_per_month"] == pytest.approx(
        hosting["first_crossover_requests_per_month"]
    )
    assert set(hosting["npv_by_model"]) == {"serverless", "provisioned", "cheapest"}
    assert api["crossover_requests_per_month"] is None and api["crossover_note"]
    assert api["monthly"][0]["provisioned_cost"] is None


def test_infra_text_and_a_case_without_hosting(capsys):
    assert main(["infra", str(CHATBOT)]) == 0
    out = capsys.readouterr().out
    assert "Crossover month: 37" in out and "Case NPV (risk-adjusted) if cheapest" in out
    assert main(["infra", str(SAMPLES / "lead_scoring.yaml")]) == 2
    assert "has no infrastructure cost line" in capsys.readouterr().err
