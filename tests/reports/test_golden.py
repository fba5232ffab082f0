"""Golden files: the figures of every sample case, so that no change moves them unnoticed.

Regenerate after an intended change, then review the diff:

    ROI_REGENERATE_GOLDEN=1 .venv/bin/pytest tests/reports/test_golden.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from roi import evaluate, load_case
from roi.reports.jsonreport import result_to_dict

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parents[1] / "golden"
SAMPLES = sorted((ROOT / "sample_data" / "cases").glob("*.yaml"))
CASES = [*SAMPLES, ROOT / "sample_data" / "reference" / "tei_salesloft.yaml"]
TOLERANCE = 0.005  # half a cent, or 5e-3 of a unit for ratios and months


def figures(path: Path) -> dict:
    """Headline metrics and annual tables of both views (the monthly rows are covered by
    the annual sums and the NPV)."""
    data = result_to_dict(evaluate(load_case(path)))
    keep = {key: value for key, value in data.items() if key != "monthly"}
    keep["unadjusted"] = {k: v for k, v in data["unadjusted"].items() if k != "monthly"}
    return keep


def compare(actual, expected, where="") -> list[str]:
    if isinstance(expected, dict):
        problems = [] if actual.keys() == expected.keys() else [f"{where}: keys differ"]
        for key in expected.keys() & actual.keys():
            problems += compare(actual[key], expected[key], f"{where}.{key}")
        return problems
    if isinstance(expected, list):
        if len(actual) != len(expected):
            return [f"{where}: {len(actual)} rows, expected {len(expected)}"]
        return [
            p
            for i, (a, e) in enumerate(zip(actual, expected, strict=True))
            for p in compare(a, e, f"{where}[{i}]")
        ]
    if isinstance(expected, float) and isinstance(actual, float):
        return [] if abs(actual - expected) <= TOLERANCE else [f"{where}: {actual} != {expected}"]
    return [] if actual == expected else [f"{where}: {actual!r} != {expected!r}"]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_sample_figures_match_golden(path):
    golden = GOLDEN / f"{path.stem}.json"
    actual = figures(path)
    if os.environ.get("ROI_REGENERATE_GOLDEN"):
        golden.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = json.loads(golden.read_text(encoding="utf-8"))
    assert compare(actual, expected) == []


def test_sample_ranking_matches_golden():
    """The sample register's ranking and budgeted portfolio (issue 6), draws included (the
    seed is fixed): `python -m roi rank sample_data/use_cases.csv --budget 300000 --json`."""
    from roi.portfolio.budget import select_portfolio
    from roi.portfolio.quickwins import rank
    from roi.portfolio.register import read_register
    from roi.reports.jsonreport import ranking_to_dict

    path = ROOT / "sample_data" / "use_cases.csv"
    register = read_register(path.read_bytes(), path.name, path.parent)
    actual = ranking_to_dict(rank(register), select_portfolio(register, 300_000))
    actual["portfolio"].pop("net_cash_flow")  # covered by its NPV and payback
    golden = GOLDEN / "rank_sample.json"
    if os.environ.get("ROI_REGENERATE_GOLDEN"):
        golden.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = json.loads(golden.read_text(encoding="utf-8"))
    assert compare(actual, expected) == []
