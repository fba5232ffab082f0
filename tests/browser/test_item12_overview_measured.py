"""Issue 20, item 12: the Overview, the first screen, shows measured line items. The sample
cases document_classification and lead_scoring take inputs from the bundled pilot, telemetry
and survey files (``make sample-cases``), and the Overview's evidence column counts them."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from roi import evaluate, load_case
from roi.core.totals import portfolio_rows
from roi.io.formatting import format_money

ROOT = Path(__file__).resolve().parents[2]
PATHS = sorted((ROOT / "sample_data" / "cases").glob("*.yaml"))
TALL = {"width": 1400, "height": 1400}


def test_item12_overview_shows_the_measured_lines(page, app_url, screenshot):
    rows = portfolio_rows([evaluate(load_case(p)) for p in PATHS], [p.stem for p in PATHS])
    measured = [row for row in rows if row.evidence["measured"]]
    assert {row.case_id for row in measured} == {"document_classification", "lead_scoring"}
    page.set_viewport_size(TALL)
    page.goto(app_url)
    expect(page.get_by_text("Use cases", exact=True)).to_be_visible()
    grid = page.locator('[data-testid="stDataFrame"]').first
    expect(grid).to_be_visible()
    cells = grid.locator('[role="gridcell"]')
    for row in measured:
        # the case's row: its name, its NPV and its evidence with the measured line
        expect(cells.filter(has_text=row.name).first).to_be_attached()
        expect(cells.filter(has_text=format_money(row.npv, row.currency)).first).to_be_attached()
        expect(cells.filter(has_text=row.evidence_summary).first).to_be_attached()
        assert "1 measured" in row.evidence_summary
    texts = cells.all_inner_texts()
    assert sum("measured" in text for text in texts) == len(measured)
    screenshot(page, "item12_overview_measured")
