"""Pilot observation files: messy exports accepted, every problem of a broken file reported
with its line and column (the corpus in tests/data/broken_pilots/), estimates per use case
and metric, and the `python -m roi pilots` command. Issue #5."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from roi.cli import main
from roi.evidence.estimates import difference_in_differences, two_proportions, welch
from roi.evidence.pilots import (
    PilotFileError,
    estimate_pilots,
    parse_mapping,
    read_observations,
)

ROOT = Path(__file__).resolve().parents[2]
BROKEN = Path(__file__).parents[1] / "data" / "broken_pilots"
SAMPLE = ROOT / "sample_data" / "pilot_observations.csv"
KNOWN = "must be one of task_minutes, response_minutes, converted"

# file, where, message (substring): one row per expected problem.
EXPECTED = [
    ("after_blank_line.csv", "line 4, column value", "must be a number ≥ 0, got '-1'"),
    ("ambiguous_thousands.csv", "line 2, column value", "ambiguous: a thousand separator"),
    ("bad_date.csv", "line 2, column date", "must be a date written YYYY-MM-DD, got '28/11/2026'"),
    ("bad_period.csv", "line 2, column period", "must be before, after or empty, got 'during'"),
    ("binary.csv", "", "is not a text (CSV) file"),
    ("both_delimiters.csv", "line 1", "the header has both ',' and ';'"),
    ("comma_decimal_with_comma_delimiter.csv", "line 2, column value", "not a number, got '12,5'"),
    ("converted_half.csv", "line 2, column value", "converted must be 0 or 1, got '0.5'"),
    ("converted_yes.csv", "line 2, column value", "not a number, got 'yes'"),
    ("empty.csv", "", "the file is empty"),
    ("empty_use_case.csv", "line 2, column use_case_id", "must not be empty"),
    ("header_only.csv", "", "has no observation rows after the header"),
    ("infinite_value.csv", "line 2, column value", "must be a finite number, got 'inf'"),
    ("many_problems.csv", "line 2, column value", "must be a number ≥ 0, got '-1'"),
    ("many_problems.csv", "line 3, column metric", f"{KNOWN}"),
    ("many_problems.csv", "line 4, column value", "converted must be 0 or 1, got '2'"),
    ("many_problems.csv", "line 4, column group", "must be baseline or pilot"),
    ("missing_group_and_metric.csv", "line 1", "missing column(s) metric, group"),
    ("missing_value.csv", "line 2, column value", "is missing"),
    ("missing_value_column.csv", "line 1", "missing column(s) value"),
    ("nan_value.csv", "line 2, column value", "not a number, got 'nan'"),
    ("negative_value.csv", "line 2, column value", "must be a number ≥ 0, got '-2'"),
    ("only_spaces.csv", "", "the file is empty"),
    ("percent_value.csv", "line 2, column value", "a percentage is not a value of this column"),
    ("second_row_bad.csv", "line 3, column value", "not a number, got 'x'"),
    ("semicolon_spaced_bad.csv", "line 2, column value", "not a number, got '1.2.3'"),
    ("text_value.csv", "line 2, column value", "not a number, got 'three'"),
    ("unknown_group.csv", "line 2, column group", "must be baseline or pilot"),
    ("unknown_metric.csv", "line 2, column metric", f"{KNOWN}"),
    # Found in review (issue #5):
    ("bom_only.csv", "", "the file is empty"),
    ("too_many_fields.csv", "line 3", "has 5 fields; the header has 4"),
    ("every_row_too_long.csv", "line 2", "has 5 fields; the header has 4"),
    ("duplicate_header.csv", "line 1", "column 'value' appears more than once"),
    ("leading_blank_line.csv", "line 1", "is blank: the header (the column names) must be on"),
    ("multiline_then_bad.csv", "line 4, column value", "not a number, got 'abc'"),
    ("dotted_thousands_semicolon.csv", "line 2, column value", "ambiguous: a thousand"),
    ("mixed_periods.csv", "line 4, column period", "is empty on 2 row(s) of A task_minutes"),
]
CORPUS = sorted(p.name for p in BROKEN.iterdir())


def problems(name: str):
    with pytest.raises(PilotFileError) as caught:
        read_observations((BROKEN / name).read_bytes(), name)
    return caught.value.problems


def test_corpus_has_25_files_and_every_file_has_expectations():
    assert len(CORPUS) >= 25
    assert {row[0] for row in EXPECTED} == set(CORPUS)


@pytest.mark.parametrize(("name", "where", "message"), EXPECTED)
def test_broken_file_reports_its_problem(name, where, message):
    found = problems(name)
    assert any(p.where == where and message in p.message for p in found), [str(p) for p in found]


@pytest.mark.parametrize("name", CORPUS)
def test_broken_file_reports_exactly_its_problems_and_the_cli_exits_2(name, capsys):
    expected = sum(1 for row in EXPECTED if row[0] == name)
    assert len(problems(name)) == expected
    assert main(["pilots", str(BROKEN / name)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(str(BROKEN / name)) and "Traceback" not in err


def test_messy_but_unambiguous_exports_are_accepted():
    text = (
        "\ufeffuse_case_id ; metric ; group ; value ; period ;;\n"
        " UC-é ; task_minutes ; Control ; 12,5 ; Before ;;\n"
        "UC-é;task_minutes;treatment;1 234;after;;\n"
        "\n"
        "UC-é;converted;pilot;1;;;\n"
    )
    for encoding in ("utf-8", "latin-1"):
        frame = read_observations(text.encode(encoding, errors="ignore"), "messy.csv")
        assert list(frame["line"]) == [2, 3, 5]  # physical lines; the blank line 4 is skipped
        assert list(frame["value"]) == [12.5, 1234.0, 1.0]
        assert list(frame["group"]) == ["baseline", "pilot", "pilot"]
        assert list(frame["period"]) == ["before", "after", ""]
    grouped = read_observations(
        b'use_case_id,metric,group,value\nU,deal_value,pilot,"1,234.5"\n', "g"
    )
    assert grouped["value"].tolist() == [1234.5]


def test_mapping_an_export_of_tickets():
    export = (
        b"Ticket ID,Created,First reply (min),AI assisted\n"
        b"T1,2027-02-01,14.5,No\nT2,2027-02-01,11.0,Yes\nT3,2027-02-02,13.0,no\n"
        b"T4,2027-02-02,9.5,YES\n"
    )
    mapping = parse_mapping(
        {
            "columns": {"value": "First reply (min)", "date": "Created", "unit_id": "Ticket ID"},
            "constants": {"use_case_id": "UC-01", "metric": "response_minutes"},
            "groups": {"column": "AI assisted", "pilot": ["yes"], "baseline": ["no"]},
        }
    )
    frame = read_observations(export, "tickets.csv", mapping)
    assert frame["group"].tolist() == ["baseline", "pilot", "baseline", "pilot"]
    assert frame["metric"].unique().tolist() == ["response_minutes"]
    with pytest.raises(PilotFileError, match="mapped column 'Reply'"):
        read_observations(export, "t.csv", parse_mapping({"columns": {"value": "Reply"}}))
    with pytest.raises(PilotFileError, match="not a canonical column"):
        parse_mapping({"columns": {"minutes": "First reply (min)"}})


def test_size_limit():
    with pytest.raises(PilotFileError, match="larger than the 1 MB limit"):
        read_observations(b"x" * (1024 * 1024 + 1), "big.csv", max_bytes=1024 * 1024)


def test_sample_estimates_use_the_right_test_for_each_design():
    frame = read_observations(SAMPLE.read_bytes(), SAMPLE.name)
    estimates = {(e.use_case_id, e.metric): e for e in estimate_pilots(frame)}
    rows = frame.groupby(["use_case_id", "metric", "group", "period"])["value"]
    support = estimates[("UC-01", "response_minutes")].headline
    expected = welch(rows.get_group(("UC-01", "response_minutes", "baseline", "")),
                     rows.get_group(("UC-01", "response_minutes", "pilot", "")))  # fmt: skip
    assert support == expected and support.test == "welch_t"
    leads = estimates[("UC-02", "converted")].headline
    converted = [rows.get_group(("UC-02", "converted", g, "")) for g in ("baseline", "pilot")]
    assert leads == two_proportions(*converted)
    assert "Not significant" in estimates[("UC-02", "converted")].verdict
    triage = estimates[("UC-03", "task_minutes")]
    cells = [rows.get_group(("UC-03", "task_minutes", g, p)) for g in ("baseline", "pilot")
             for p in ("before", "after")]  # fmt: skip
    assert triage.headline == difference_in_differences(*cells)
    assert [a.test for a in triage.alternatives] == ["welch_t", "mann_whitney", "log_ratio"]


def test_pilots_json(capsys):
    assert main(["pilots", "--json", str(SAMPLE)]) == 0
    data = json.loads(capsys.readouterr().out)
    keys = {"use_case_id", "metric", "test", "n_baseline", "n_pilot", "baseline_mean",
            "pilot_mean", "effect", "ci_low", "ci_high", "p_value", "mde"}  # fmt: skip
    assert len(data["estimates"]) == 3
    for row in data["estimates"]:
        assert keys <= row.keys() and isinstance(row["alternatives"], list)
        numbers = [v for v in row.values() if isinstance(v, float)]
        assert all(math.isfinite(v) for v in numbers)
    assert np.isclose(data["estimates"][1]["baseline_mean"], 0.0325)  # a rate


def test_pilots_with_a_mapping_file(tmp_path, capsys):
    export = tmp_path / "tickets.csv"
    export.write_text("Ticket,Minutes,AI\nA,10,yes\nB,12,no\nC,9,yes\nD,13,no\n")
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "columns: {value: Minutes, unit_id: Ticket}\n"
        "constants: {use_case_id: UC-01, metric: response_minutes}\n"
        "groups: {column: AI, pilot: [yes], baseline: [no]}\n"
    )
    assert main(["pilots", str(export), "--mapping", str(mapping), "--json"]) == 0
    row = json.loads(capsys.readouterr().out)["estimates"][0]
    assert row["effect"] == pytest.approx(9.5 - 12.5)
    bad = tmp_path / "bad.yaml"
    bad.write_text("colums: {}\n")
    assert main(["pilots", str(export), "--mapping", str(bad)]) == 2
    assert "unknown field" in capsys.readouterr().err


def sample_estimates():
    frame = read_observations(SAMPLE.read_bytes(), SAMPLE.name)
    return {(e.use_case_id, e.metric): e for e in estimate_pilots(frame)}


def test_a_measured_saving_feeds_the_business_case():
    from roi import evaluate, load_case
    from roi.evidence.pilots import measured_value, use_measurement

    minutes = sample_estimates()[("UC-03", "task_minutes")]
    low, high = minutes.headline.ci_low, minutes.headline.ci_high
    # A saving is baseline − pilot: the point estimate saves −effect minutes; the
    # conservative end of the interval saves only −ci_high.
    assert measured_value(minutes, "point").value == pytest.approx(-minutes.headline.effect)
    assert measured_value(minutes).value == pytest.approx(-high)
    assert low < high < 0
    case = load_case(ROOT / "sample_data" / "cases" / "document_classification.yaml")
    measured = use_measurement(case, 0, minutes)
    line = measured.benefits[0]
    assert line.minutes_saved_per_task == pytest.approx(-high)
    assert line.evidence == "measured" and line.risk == 0.0 and line.warning is None
    n = minutes.headline.n_baseline
    assert "conservative end of the 95% interval" in line.note and f"n = {n}" in line.note
    assert evaluate(measured).risk_adjusted.metrics.npv != evaluate(case).risk_adjusted.metrics.npv


def test_item2_response_time_is_not_priced_as_labour():
    """Issue 20, item 2: a pilot's response_minutes (how long a customer waited) used to
    become minutes_saved_per_item of a response_time line, pricing waiting time as wages."""
    from roi import load_case
    from roi.evidence.pilots import MEASURED_INPUTS, SERVICE_LEVELS, measured_value, use_measurement

    response = sample_estimates()[("UC-01", "response_minutes")]
    assert "response_minutes" not in MEASURED_INPUTS
    assert "service level" in SERVICE_LEVELS["response_minutes"]
    with pytest.raises(ValueError, match=r"feeds no driver input.*service level"):
        measured_value(response)
    case = load_case(ROOT / "sample_data" / "cases" / "support_draft_replies.yaml")
    with pytest.raises(ValueError, match="feeds no driver input"):
        use_measurement(case, 0, response)


def test_item2_point_estimate_of_a_non_significant_result_carries_a_warning():
    """Issue 20, item 2: the point estimate of a result with p ≥ 0.05 raised NPV with no
    warning and the one-pager then said FUND; the warning now travels with the case."""
    from roi import evaluate, load_case
    from roi.core.casefile import dump_case, load_case_text
    from roi.evidence.pilots import estimate_pilots, measured_value, use_measurement
    from roi.reports.onepager import one_pager

    rows = "".join(
        f"UC-03,task_minutes,{group},{value}\n"
        for group, values in (
            ("baseline", (10, 14, 9, 15, 12, 11)),
            ("pilot", (9, 12, 8, 14, 9, 10)),
        )
        for value in values
    )
    (estimate,) = estimate_pilots(
        read_observations(f"use_case_id,metric,group,value\n{rows}".encode(), "weak.csv")
    )
    assert not estimate.headline.significant
    assert measured_value(estimate, "lower_bound").warning is None
    warning = measured_value(estimate, "point").warning
    assert warning and "not statistically significant" in warning and "p = 0." in warning
    case = load_case(ROOT / "sample_data" / "cases" / "document_classification.yaml")
    measured = use_measurement(case, 0, estimate, "point")
    assert measured.benefits[0].warning == warning
    assert measured.warnings == (f"{measured.benefits[0].name}: {warning}",)
    # The warning survives the case file, and the one-pager never funds on it.
    again = load_case_text(dump_case(measured).encode("utf-8"), "again.yaml")
    assert again.warnings == measured.warnings
    page = one_pager(evaluate(again), draws=500, seed=1)
    assert page.warnings == measured.warnings
    assert page.decision != "fund"


def test_a_lift_whose_interval_includes_zero_is_clipped_to_zero():
    from roi import load_case
    from roi.evidence.pilots import measured_value, use_measurement

    leads = sample_estimates()[("UC-02", "converted")]
    assert leads.headline.ci_low < 0
    measured = measured_value(leads)
    assert measured.field == "conversion_lift" and measured.value == 0.0
    assert "clipped at 0" in measured.note
    case = load_case(ROOT / "sample_data" / "cases" / "lead_scoring.yaml")
    assert use_measurement(case, 0, leads).benefits[0].conversion_lift == 0.0
    with pytest.raises(ValueError, match="measures 'conversion_lift'"):
        use_measurement(case, 1, leads)  # line 1 is time saved


def test_sample_size_planner_agrees_with_the_exact_t_power():
    from roi.evidence.estimates import (
        Estimate,
        minimum_detectable_difference,
        sample_size_per_group,
    )
    from roi.evidence.pilots import sample_size_to_detect

    mde = minimum_detectable_difference(2.0, 2.0, 50, 50)
    estimate = Estimate("welch_t", 50, 50, 10.0, 9.0, -1.0, -2.0, 0.0, 0.2, -0.1, mde)
    planned = sample_size_to_detect(estimate, mde / 2)
    exact = sample_size_per_group(mde / 2, 2.0)
    assert planned == pytest.approx(exact, rel=0.02)  # the scaling ignores the t's df only
    verdict = sample_estimates()[("UC-02", "converted")].verdict
    assert "underpowered" in verdict and "observations per group" in verdict


def test_mapping_keeps_the_exports_own_canonical_columns_and_rejects_clashing_labels():
    export = (
        b"Ticket,Minutes,AI,period\nA,10,yes,before\nB,12,no,before\nC,7,yes,after\n"
        b"D,12,no,after\nE,11,yes,before\nF,13,no,before\nG,6,yes,after\nH,11,no,after\n"
    )
    mapping = parse_mapping({
        "columns": {"value": "Minutes"},
        "constants": {"use_case_id": "UC-01", "metric": "response_minutes"},
        "groups": {"column": "AI", "pilot": ["yes"], "baseline": ["no"]},
    })  # fmt: skip
    frame = read_observations(export, "tickets.csv", mapping)
    assert sorted(frame["period"].unique()) == ["after", "before"]
    assert estimate_pilots(frame)[0].headline.test == "did_ols"
    with pytest.raises(PilotFileError, match="'yes' is both pilot and baseline"):
        parse_mapping({"groups": {"column": "AI", "pilot": ["yes"], "baseline": ["Yes"]}})


def test_identical_values_in_a_before_after_design_give_a_reason_not_a_crash(capsys):
    rows = "".join(f"A,task_minutes,{g},5,{p}\n" for g in ("baseline", "pilot")
                   for p in ("before", "after") for _ in range(2))  # fmt: skip
    frame = read_observations(("use_case_id,metric,group,value,period\n" + rows).encode(), "d")
    (estimate,) = estimate_pilots(frame)
    assert estimate.headline.p_value is None and "no spread" in estimate.headline.note
    assert estimate.verdict.startswith("No test possible")


def test_european_and_windows_exports():
    text = "Use_Case_ID;Metric;Group;Value\nUC\u20131;deal_value;pilot;1.234,5\n"
    frame = read_observations(text.encode("cp1252"), "windows.csv")
    assert frame["use_case_id"].tolist() == ["UC\u20131"]  # an en dash, not a control char
    assert frame["value"].tolist() == [1234.5]


def test_item2_text_report_prints_the_warning_and_no_test_still_warns():
    from roi import evaluate, load_case
    from roi.evidence.estimates import Estimate
    from roi.evidence.pilots import PilotEstimate, significance_warning, use_measurement
    from roi.reports.render import render_case

    untested = PilotEstimate(
        "UC-03", "task_minutes",
        Estimate("welch_t", 1, 1, 10.0, 9.0, -1.0, -2.0, -0.5, None, -0.1, None, "too few"),
        (), "No test possible",
    )  # fmt: skip
    warning = significance_warning(untested, "point")
    assert warning and "no test could be run on (too few)" in warning
    assert significance_warning(untested, "lower_bound") is None
    case = load_case(ROOT / "sample_data" / "cases" / "document_classification.yaml")
    measured = use_measurement(case, 0, untested, "point")
    assert f"Warning: {measured.benefits[0].name}: {warning}" in render_case(evaluate(measured))
