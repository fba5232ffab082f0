"""Cases as editable tables and back: every sample round-trips, and every problem lands on
its table, row and column."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from roi import load_case
from roi.core.builder import build_case, case_settings, case_tables, driver_columns

SAMPLES = sorted((Path(__file__).parents[2] / "sample_data" / "cases").glob("*.yaml"))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_sample_round_trips_through_the_tables(path):
    case = load_case(path)
    result = build_case(case_settings(case), case_tables(case))
    assert result.problems == ()
    # Line items are regrouped by driver, so compare them as sets of dumps.
    key = lambda item: item.model_dump_json()  # noqa: E731
    assert sorted(map(key, result.case.benefits)) == sorted(map(key, case.benefits))
    assert sorted(map(key, result.case.costs)) == sorted(map(key, case.costs))


def test_nested_price_blocks_are_columns():
    names = [column.name for column in driver_columns("costs", "infrastructure")]
    assert "serverless.price_per_gb_second" in names and "provisioned.hourly_price" in names
    assert "serverless" not in names and "type" not in names


def test_problems_land_on_their_cell_and_blank_rows_are_skipped():
    case = load_case(SAMPLES[0].parent / "support_chatbot.yaml")
    tables = case_tables(case)
    hosting = tables[("costs", "infrastructure")]
    hosting[0]["provisioned.target_utilization"] = 1.5
    tables[("costs", "one_time")].append({"name": None, "amount": math.nan})  # a new empty row
    tables[("costs", "staff")][0]["fte"] = -1
    result = build_case(case_settings(case), tables)
    where = {(p.table, p.row, p.column): p.message for p in result.problems}
    assert where == {
        (("costs", "infrastructure"), 0, "provisioned.target_utilization"): "must be ≤ 1, got 1.5",
        (("costs", "staff"), 0, "fte"): "must be ≥ 0, got -1",
    }


def test_numbers_cells_and_settings_problems():
    case = load_case(SAMPLES[0].parent / "document_classification.yaml")
    settings = {**case_settings(case), "start": "2027-13"}
    tables = {("benefits", "explicit"): [{"name": "e", "by_year": "100; 200, x"}]}
    result = build_case(settings, tables)
    assert result.case is None
    (problem,) = result.problems  # cell problems are reported before validation runs
    assert problem.column == "by_year" and "numbers separated by commas" in problem.message
    tables = {("benefits", "explicit"): [{"name": "e", "by_year": "100; 200, 300"}]}
    result = build_case(settings, tables)
    assert [(p.field, p.table) for p in result.problems] == [("start", None)]
