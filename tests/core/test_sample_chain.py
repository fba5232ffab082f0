"""Issue 20, item 12: the sample chain is real. Two sample cases take inputs from the
bundled pilot, telemetry and survey files (``sample_data/generate_cases.py``, ``make
sample-cases``), each marked ``measured`` with its source, and the committed files are
exactly what the script writes."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

from roi import evaluate, load_case
from roi.core.totals import portfolio_rows

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
BUNDLED = (
    "sample_data/pilot_observations.csv",
    "sample_data/adoption/adoption.csv",
    "sample_data/survey/survey_responses.csv",
)


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("generate_cases", SAMPLE / "generate_cases.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measured_lines(case):
    return [item for item in case.benefits if item.evidence == "measured"]


def test_item12_sample_cases_are_measured_and_regenerated(script):
    cases = {p.name: load_case(p) for p in sorted((SAMPLE / "cases").glob("*.yaml"))}
    measured = {name: measured_lines(case) for name, case in cases.items()}
    measured = {name: lines for name, lines in measured.items() if lines}
    assert set(measured) >= {"document_classification.yaml", "lead_scoring.yaml"}
    for lines in measured.values():
        for item in lines:
            # each source names the bundled file it was measured from, and that file exists
            named = [path for path in BUNDLED if path in (item.source or "")]
            assert named, item.source
            assert all((ROOT / path).is_file() for path in named)
            assert "95% CI" in item.source and "n = " in item.source
            assert item.note and "measured" in item.note
    # The adoption curve measured from telemetry records its source too.
    curve = cases["lead_scoring.yaml"].adoption
    assert curve.curve == "measured"
    assert "sample_data/adoption/adoption.csv, team sales" in curve.source
    # Running the script's function again gives the committed files byte for byte.
    written = script.measured_cases()
    assert {path.name for path in written} == {
        "document_classification.yaml",
        "lead_scoring.yaml",
    }
    for path, text in written.items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name}: run make sample-cases"
    assert script.main(["--check"]) == 0


def test_item12_measured_values_are_the_engines(script):
    """The values in the files are the engine's estimates (at four significant digits), not
    numbers typed in."""
    estimates, _ = script.pilot_evidence()
    minutes = estimates[("UC-03", "task_minutes")].headline
    lift = estimates[("UC-02", "converted")].headline
    recapture, _ = script.survey_recapture("operations")
    forecast, _ = script.telemetry_forecast("sales")

    triage = load_case(SAMPLE / "cases" / "document_classification.yaml").benefits[0]
    assert triage.minutes_saved_per_task == pytest.approx(-minutes.ci_high, rel=1e-3)
    assert triage.productivity_recapture == pytest.approx(recapture.ci_low, rel=1e-3)
    assert triage.risk == 0.0  # the conservative bound already discounts it

    leads = load_case(SAMPLE / "cases" / "lead_scoring.yaml")
    # The UC-02 pilot's interval reaches below zero: the conservative lift is 0.
    assert lift.ci_low < 0 and leads.benefits[0].conversion_lift == 0.0
    assert leads.adoption.ceiling == pytest.approx(forecast.fit.ceiling.estimate, rel=1e-3)
    assert leads.adoption.steepness == pytest.approx(forecast.fit.growth.estimate, rel=1e-3)
    assert len(leads.adoption.observed) == len(forecast.months)


def test_item12_the_overview_counts_measured_lines():
    """The Overview's evidence column (PortfolioRow.evidence_summary) now names measured
    lines: 29 line items, 2 of them measured."""
    paths = sorted((SAMPLE / "cases").glob("*.yaml"))
    rows = portfolio_rows([evaluate(load_case(p)) for p in paths], [p.stem for p in paths])
    by_id = {row.case_id: row for row in rows}
    assert by_id["document_classification"].evidence_summary == "1 measured · 5 assumed"
    assert by_id["lead_scoring"].evidence_summary == "1 measured · 1 benchmark · 4 assumed"
    assert sum(sum(row.evidence.values()) for row in rows) == 29
    assert sum(row.evidence["measured"] for row in rows) == 2


def test_item12_the_measured_figures(script):
    """The honest figures: both cases lose money on the conservative ends of what was
    measured (golden files: tests/golden/)."""
    triage = evaluate(load_case(SAMPLE / "cases" / "document_classification.yaml"))
    leads = evaluate(load_case(SAMPLE / "cases" / "lead_scoring.yaml"))
    assert triage.risk_adjusted.metrics.npv == pytest.approx(-29_093.48, abs=0.01)
    assert leads.risk_adjusted.metrics.npv == pytest.approx(-321_938.04, abs=0.01)
    assert math.isfinite(triage.unadjusted.metrics.npv)


def test_item12_rewriting_touches_only_the_changed_values(script):
    """The script rewrites only what changes: one changed value is one changed line, and
    the comments and every other line stay as written."""
    from roi.core.casefile import parse_case

    for path in script.measured_cases():
        committed = path.read_text(encoding="utf-8")
        case = load_case(path)
        assert script.rewrite(committed, case, case) == committed
        data = case.model_dump()
        data["benefits"][0]["risk"] = 0.25
        data["benefits"][0]["note"] = "typed in"
        changed = script.rewrite(committed, case, parse_case(data))
        before, after = committed.splitlines(), changed.splitlines()
        start = before.index("    note: >-")  # the first line's note
        body = before[start + 1 : next(i for i in range(start + 1, len(before))
                                       if not before[i].startswith("      "))]  # fmt: skip
        assert [line for line in before if line not in after] == ["    risk: 0.0", *body]
        assert [line for line in after if line not in before] == [
            "    risk: 0.25",
            "      typed in",
        ]
        assert load_case_text(changed) == parse_case(data)


def load_case_text(text: str):
    from roi.core.casefile import load_case_text as load

    return load(text.encode("utf-8"), "case.yaml")
