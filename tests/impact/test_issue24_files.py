"""Issue 24: the usage, outcomes and metrics files of a measured-impact analysis. Every
broken file of the corpus (tests/data/broken_impact/) is refused with its line, column,
value and rule; the CLI exits 2 without a traceback; ids are trimmed, case-folded and, on
request, hashed; rows without a partner are counted."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from roi.cli import main
from roi.impact.files import ImpactFileError, read_metrics, read_outcomes, read_usage
from roi.impact.panel import join, tiers

BROKEN = Path(__file__).parents[1] / "data" / "broken_impact"
ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "impact"

# file, where, message (substring): one row per expected problem.
EXPECTED = [
    ("usage_negative_days.csv", "line 3, column active_days",
     "must be a whole number of days ≥ 0, got '-1'"),
    ("usage_fractional_days.csv", "line 2, column active_days",
     "must be a whole number of days ≥ 0, got '2.5'"),
    ("usage_more_days_than_week.csv", "line 2, column active_days",
     "must be at most the 7 days of the week, got '8'"),
    ("usage_more_days_than_month.csv", "line 2, column active_days",
     "must be at most the 28 days of the month, got '29'"),
    ("usage_tuesday.csv", "line 2, column period",
     "is a Tuesday: a week is written as its Monday (ISO weeks), here 2026-01-26, or as 2026-W05"),
    ("usage_mixed_periods.csv", "column period", "mixes weeks ('2026-W05') and months ('2026-02')"),
    ("usage_no_such_week.csv", "line 2, column period", "2026 has no ISO week 54"),
    ("usage_bad_period.csv", "line 2, column period",
     "must be an ISO week (2026-W05), its Monday (2026-01-26) or a month (2026-01), got 'Q1 2026'"),
    ("usage_repeated_person_period.csv", "line 2",
     "the same person and period (person ana@example.com) is on lines 2, 3"),
    ("usage_empty_person.csv", "line 2, column person_id", "is empty"),
    ("usage_empty_days.csv", "line 2, column active_days",
     "is empty: write 0 for a period without use"),
    ("usage_missing_column.csv", "line 1", "missing column(s) active_days"),
    ("usage_negative_actions.csv", "line 2, column actions", "must be a number ≥ 0, got '-4'"),
    ("usage_header_only.csv", "", "has no usage rows after the header"),
    ("usage_many_problems.csv", "line 2, column active_days", "got '-1'"),
    ("usage_many_problems.csv", "line 3, column active_days", "got '2.5'"),
    ("usage_many_problems.csv", "line 4, column active_days", "at most the 7 days of the week"),
    ("outcomes_not_a_number.csv", "line 2, column value", "must be a number, got 'many'"),
    ("outcomes_infinite.csv", "line 2, column value", "must be a finite number, got 'inf'"),
    ("outcomes_empty_value.csv", "line 2, column value", "is empty"),
    ("outcomes_empty_metric.csv", "line 2, column metric", "is empty"),
    ("outcomes_repeated.csv", "line 2",
     "the same person, period and metric (person ana@example.com, metric prs_merged) is on lines"
     " 2, 3"),
    ("outcomes_month_13.csv", "line 2, column period", "the month must be 01 to 12, got '2026-13'"),
    ("outcomes_missing_metric.csv", "line 1", "missing column(s) metric"),
    ("metrics_bad_better.csv", "line 2, column better", "must be higher or lower, got 'more'"),
    ("metrics_declared_twice.csv", "line 3, column metric",
     "'prs_merged' is declared again (first on line 2)"),
]  # fmt: skip


def reader(name: str):
    return {"usage": read_usage, "outcomes": read_outcomes, "metrics": read_metrics}[
        name.split("_", 1)[0]
    ]


@pytest.mark.parametrize(("name", "where", "message"), EXPECTED)
def test_each_broken_file_names_line_column_value_and_rule(name, where, message):
    with pytest.raises(ImpactFileError) as caught:
        reader(name)((BROKEN / name).read_bytes(), name)
    found = [(p.where, p.message) for p in caught.value.problems]
    assert any(w == where and message in m for w, m in found), found
    assert caught.value.report().startswith(f"{name}: ")


def test_every_file_of_the_corpus_is_expected():
    assert {path.name for path in BROKEN.iterdir()} == {name for name, _, _ in EXPECTED}


def test_every_problem_of_a_file_is_listed_at_once():
    with pytest.raises(ImpactFileError) as caught:
        read_usage((BROKEN / "usage_many_problems.csv").read_bytes(), "usage_many_problems.csv")
    assert [p.where for p in caught.value.problems] == [
        "line 2, column active_days", "line 3, column active_days", "line 4, column active_days",
    ]  # fmt: skip


def test_the_cli_exits_2_with_one_message_and_no_traceback(capsys):
    broken = BROKEN / "usage_negative_days.csv"
    outcomes = SAMPLE / "outcomes.csv"
    assert main(["impact", "--usage", str(broken), "--outcomes", str(outcomes)]) == 2
    err = capsys.readouterr().err
    assert "line 3, column active_days" in err and "Traceback" not in err


def test_weeks_in_one_file_and_months_in_the_other_are_refused(tmp_path, capsys):
    months = tmp_path / "outcomes.csv"
    months.write_text("person_id,period,metric,value\nana@example.com,2026-01,prs,3\n")
    code = main(["impact", "--usage", str(SAMPLE / "usage.csv"), "--outcomes", str(months)])
    assert code == 2
    assert "the usage file's periods are weeks and the outcomes file's months" in (
        capsys.readouterr().err
    )


def usage_rows(rows: str) -> bytes:
    return ("person_id,period,active_days,team\n" + rows).encode()


def outcome_rows(rows: str) -> bytes:
    return ("person_id,period,metric,value\n" + rows).encode()


def test_ids_are_trimmed_and_case_folded_and_hashed_on_request():
    usage = read_usage(usage_rows(" Ana@Example.COM ,2026-W05,2,x\n"), "u")
    assert usage["person"].tolist() == ["ana@example.com"]
    hashed = read_usage(usage_rows(" Ana@Example.COM ,2026-W05,2,x\n"), "u", hash_ids=True)
    assert hashed["person"].tolist() == [hashlib.sha256(b"ana@example.com").hexdigest()]


def test_weeks_read_as_iso_weeks_or_their_monday_and_months_as_their_first_day():
    weeks = read_usage(usage_rows("a,2026-W01,1,x\nb,2025-12-29,1,x\nc,2026w02,1,x\n"), "u")
    assert weeks.attrs["period_kind"] == "week"
    assert weeks["period"].dt.strftime("%Y-%m-%d").tolist() == [
        "2025-12-29", "2025-12-29", "2026-01-05"]  # fmt: skip
    months = read_usage(usage_rows("a,2026-02,20,x\n"), "u")
    assert months.attrs["period_kind"] == "month"


def test_heavy_is_35_percent_of_working_days():
    """A week has 5 working days: 2 active days (40 %) are heavy, 1 (20 %) light. February
    2026 has 20 working days: 7 (35 %) heavy, 6 (30 %) light; March has 22: 8 (36 %) heavy,
    7 (32 %) light."""
    rows = pd.DataFrame({
        "period": pd.to_datetime(["2026-01-05"] * 3 + ["2026-02-01"] * 2 + ["2026-03-01"] * 2),
        "active_days": [0, 1, 2, 6, 7, 7, 8],
    })  # fmt: skip
    assert tiers(rows.iloc[:3], "week", 0.35).tolist() == ["non-user", "light", "heavy"]
    assert tiers(rows.iloc[3:], "month", 0.35).tolist() == ["light", "heavy", "light", "heavy"]


def test_rows_without_a_partner_are_counted_not_dropped_silently():
    usage = read_usage(usage_rows("a,2026-W05,2,x\nb,2026-W05,0,x\nc,2026-W05,1,x\n"), "u")
    outcomes = read_outcomes(
        outcome_rows("a,2026-W05,prs,3\nb,2026-W05,prs,2\nd,2026-W05,prs,9\nd,2026-W06,prs,1\n"),
        "o",
    )
    panel = join(usage, outcomes)
    assert (panel.unmatched_usage, panel.unmatched_outcomes, panel.people) == (1, 2, 2)


def test_hashing_both_files_gives_the_same_report_without_a_raw_address(capsys):
    args = ["impact", "--usage", str(SAMPLE / "usage.csv"), "--outcomes",
            str(SAMPLE / "outcomes.csv"), "--metric", "prs_merged", "--json"]  # fmt: skip
    assert main(args) == 0
    plain = capsys.readouterr().out
    assert main([*args, "--hash-ids"]) == 0
    hashed = capsys.readouterr().out
    assert json.loads(hashed) == json.loads(plain)
    assert "@example.com" not in hashed


EXPORT = b"User email,Week,Days active\nAna@Example.com,2026-W02,3\nbo@example.com,2026-W02,x\n"
MAPPED = {"person_id": "user email", "period": "Week", "active_days": "Days active"}


def test_an_export_with_its_own_column_names_is_read_through_a_mapping():
    """The mapping names the export's columns (case-insensitively); problems name them as
    the export does, not by the canonical names the user never wrote."""
    good = read_usage(EXPORT.replace(b",x", b",2"), "export.csv", columns=MAPPED)
    assert good["person"].tolist() == ["ana@example.com", "bo@example.com"]
    assert good["active_days"].tolist() == [3, 2]
    with pytest.raises(ImpactFileError) as refused:
        read_usage(EXPORT, "export.csv", columns=MAPPED)
    assert [str(p) for p in refused.value.problems] == [
        "line 3, column 'Days active': must be a whole number of days ≥ 0, got 'x'"
    ]


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"usage": {"person": "User email"}}, "usage.person: not a column of a usage file"),
        ({"usage": {"person_id": "Mail"}}, "the mapping names column(s) 'Mail', which the file"),
        ({"usage": {"person_id": "Week", "period": "week"}}, "column 'week' is already mapped"),
        ({"usage": ["person_id"]}, "usage: must be a mapping of canonical column to column"),
        ({"people": {}}, "people: unknown field; valid fields: usage, outcomes"),
    ],
)
def test_a_bad_mapping_exits_2_naming_the_problem(tmp_path, capsys, mapping, message):
    (tmp_path / "map.yaml").write_text(json.dumps(mapping))  # JSON is YAML
    (tmp_path / "usage.csv").write_bytes(EXPORT.replace(b",x", b",2"))
    usage, outcomes = str(tmp_path / "usage.csv"), str(SAMPLE / "outcomes.csv")
    code = main(["impact", "--usage", usage, "--outcomes", outcomes, "--mapping",
                 str(tmp_path / "map.yaml")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
