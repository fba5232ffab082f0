"""Issue 20, item 4: an IRR above 1,000 % a year reads "> 1,000%" with its reason, in every
view and export (text report, one-pager, workbook, the dashboard's metric), not
"5,859,473.6%"."""

from __future__ import annotations

from pathlib import Path

import formulas
import pytest

from roi import evaluate
from roi.core.casefile import parse_case
from roi.io.formatting import IRR_CAP, IRR_CAP_REASON, IRR_CAP_TEXT, format_irr
from roi.reports.render import render_case
from roi.reports.workbook import workbook_bytes

# A tiny outlay against large monthly flows: the IRR of these flows is astronomically high.
TINY_OUTLAY = {
    "name": "Tiny outlay",
    "currency": "USD",
    "start": "2027-01",
    "horizon_years": 2,
    "discount_rate": 0.1,
    "benefits": [
        {"name": "Saving", "type": "cost_avoidance", "monthly_amount": 50000,
         "evidence": "assumed"},
    ],
    "costs": [{"name": "Set-up", "type": "one_time", "amount": 100, "evidence": "assumed"}],
}  # fmt: skip


@pytest.fixture(scope="module")
def tiny():
    return evaluate(parse_case(TINY_OUTLAY))


def test_item4_format_irr_caps_at_1000_percent():
    assert format_irr(0.0871) == "8.7%"
    assert format_irr(IRR_CAP) == "1,000.0%"  # the cap itself is still a number
    assert format_irr(IRR_CAP + 1e-9) == IRR_CAP_TEXT == "> 1,000%"
    assert format_irr(58594.736) == "> 1,000%"
    assert format_irr(None) == "none"


def test_item4_engine_gives_the_reason(tiny):
    metrics = tiny.risk_adjusted.metrics
    assert metrics.irr is not None and metrics.irr > IRR_CAP
    assert metrics.irr_note == IRR_CAP_REASON


def test_item4_text_report_shows_the_cap_and_the_reason(tiny):
    text = render_case(tiny)
    assert "> 1,000%" in text
    assert IRR_CAP_REASON in text
    assert "%" not in text.split("IRR (annual)")[1].split("\n")[0].replace("> 1,000%", "")


def test_item4_onepager_shows_the_cap(tiny):
    from roi.reports.onepager import one_pager
    from roi.reports.pdf import headline_figures

    boxes = dict((label, (value, note)) for label, value, note in headline_figures(
        one_pager(tiny, draws=200, seed=1)))  # fmt: skip
    assert boxes["IRR (annual)"] == ("> 1,000%", IRR_CAP_REASON)


def test_item4_workbook_cell_reads_the_cap(tiny, tmp_path: Path):
    path = tmp_path / "tiny.xlsx"
    path.write_bytes(workbook_bytes(tiny))
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    cells = {
        k.rsplit("]", 1)[1].replace("'", ""): v
        for k, v in solution.items()
        if "]" in k and ":" not in k
    }
    value = cells["SUMMARY!B9"]
    value = value.value[0][0] if hasattr(value, "value") else value
    assert value == "> 1,000%"


def test_item4_ordinary_irr_is_untouched():
    from roi import load_case

    root = Path(__file__).resolve().parents[2]
    result = evaluate(load_case(root / "sample_data" / "cases" / "support_draft_replies.yaml"))
    metrics = result.risk_adjusted.metrics
    assert metrics.irr is not None and metrics.irr < IRR_CAP
    assert metrics.irr_note != IRR_CAP_REASON
