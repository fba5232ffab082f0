"""The broken-file corpus: every file in ``tests/data/broken_cases/`` is a case file broken
in one specific way (a few in several ways at once), and must be rejected with clear
problems (issue #2).

* ``EXPECTED`` lists one row per expected problem: file name, ``where`` (a field path such
  as ``benefits[0].minutes_saved_per_task``, ``line N, column M`` for syntax errors, or
  ``""`` for the file as a whole) and a substring of the message. Each file must report
  exactly as many problems as it has rows.
* The CLI, run on every file of the folder, must exit with code 2, print nothing on
  stdout, print the problems on stderr and never a traceback.

A file the engine wrongly accepts goes into ``ACCEPTED_BUT_BROKEN`` with the reason: its
tests are then ``xfail(strict=True)``, so fixing the engine fails the suite until the entry
is removed. The rows came from such gaps found in issue #2 (duplicate keys, years outside
1900-2199, YAML dates and reader errors, numeric keys), now fixed.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from roi.cli import EXIT_BAD_INPUT, main
from roi.core.casefile import load_case
from roi.io.problems import CaseError

ROOT = Path(__file__).resolve().parents[2]
BROKEN = Path(__file__).resolve().parents[1] / "data" / "broken_cases"
CORPUS = sorted(path.name for path in BROKEN.iterdir() if path.is_file())


# Files the engine accepts although they are broken (none at present; issue #2 fixed the
# first ones found: duplicate keys, years outside 1900-2199).
ACCEPTED_BUT_BROKEN: dict[str, str] = {}

STEPS_ERROR = "must have at most 3 shares (one per year of the horizon), got 4"
CURRENCY_ERROR = "must be a three-letter ISO 4217 code such as USD or EUR"
START_ERROR = "must be a month written YYYY-MM between 1900-01 and 2199-12, e.g. 2027-01"
SPREAD_ERROR = "must be ≤ 24 (the horizon's last month), got 30"
TOO_DEEP = "is nested too deeply (more than 64 levels)"

EXPECTED = [
    # --- the file as a whole ---------------------------------------------------------------
    ("yaml_syntax_error.yaml", "line 2, column 23", "invalid YAML: mapping values are not"),
    # The stream ends inside a quote: the message names where the quote starts.
    (
        "yaml_unclosed_quote.yaml",
        "line 16, column 1",
        "quoted scalar that starts at line 15, column 11",
    ),
    (
        "yaml_control_character.yaml",
        "line 3, column 24",
        "invalid YAML: character U+000B is not allowed",
    ),
    ("json_syntax_error.json", "line 4, column 1", "invalid JSON: Expecting property name"),
    ("empty.yaml", "", "the file is empty"),
    ("top_level_list.yaml", "", "a case file must hold a mapping of fields"),
    ("latin1_bytes.yaml", "line 2, column 10", "is not UTF-8 text: byte 0xE9"),
    ("wrong_extension.txt", "", "unknown file type '.txt'; valid: .yaml, .yml, .json"),
    ("duplicate_key.yaml", "line 6, column 1", "duplicate key 'discount_rate'"),
    ("duplicate_key.json", "discount_rate", "duplicate key 'discount_rate'"),
    # --- top-level fields ------------------------------------------------------------------
    ("missing_name.yaml", "name", "required field is missing"),
    ("missing_start.yaml", "start", "required field is missing"),
    ("start_month_13.yaml", "start", f"{START_ERROR}, got '2027-13'"),
    ("start_single_digit_month.yaml", "start", f"{START_ERROR}, got '2027-1'"),
    ("start_yaml_date.yaml", "start", f"{START_ERROR}, got the date 2027-01-15"),
    ("start_year_zero.yaml", "start", f"{START_ERROR}, got '0000-01'"),
    ("start_horizon_past_9999.yaml", "start", f"{START_ERROR}, got '9999-06'"),
    ("currency_lowercase.yaml", "currency", f"{CURRENCY_ERROR}, got 'usd'"),
    ("currency_two_letters.yaml", "currency", f"{CURRENCY_ERROR}, got 'US'"),
    ("horizon_zero.yaml", "horizon_years", "must be ≥ 1, got 0"),
    ("horizon_eleven.yaml", "horizon_years", "must be ≤ 10, got 11"),
    ("horizon_string.yaml", "horizon_years", "must be a whole number, got '3'"),
    ("horizon_fraction.yaml", "horizon_years", "must be a whole number, got 2.5"),
    ("discount_rate_negative.yaml", "discount_rate", "must be ≥ 0, got -0.1"),
    ("discount_rate_above_one.yaml", "discount_rate", "must be ≤ 1, got 1.5"),
    (
        "discount_rate_percent_string.yaml",
        "discount_rate",
        "write shares and rates as fractions (0.12 for 12%), got '10%'",
    ),
    (
        "discounting_yearly.yaml",
        "discounting",
        "must be one of 'monthly' or 'year_end', got 'yearly'",
    ),
    ("unknown_field_near_miss.yaml", "discount_rte", "did you mean 'discount_rate'?"),
    ("top_level_numeric_key.yaml", "2027", "field names must be text, not numbers"),
    # --- adoption --------------------------------------------------------------------------
    (
        "adoption_unknown_curve.yaml",
        "adoption",
        "unknown curve 'exponential'; valid: 'logistic', 'linear', 'steps'",
    ),
    ("adoption_logistic_ceiling.yaml", "adoption.ceiling", "must be ≤ 1, got 1.2"),
    ("adoption_steps_too_many.yaml", "adoption.shares_by_year", STEPS_ERROR),
    # --- line items ------------------------------------------------------------------------
    ("benefit_unknown_type.yaml", "benefits[0]", "unknown type 'revenue_uplift'; valid: "),
    ("benefit_missing_type.yaml", "benefits[0]", "missing 'type'; valid: 'time_saved'"),
    (
        "time_saved_negative_minutes.yaml",
        "benefits[0].minutes_saved_per_task",
        "must be ≥ 0, got -3",
    ),
    (
        "boolean_as_number.yaml",
        "benefits[0].eligible_users",
        "must be a number, got true (YAML reads yes/no/on/off as true/false)",
    ),
    ("money_infinite.yaml", "costs[0].monthly_amount", "must be a finite number, got inf"),
    ("money_nan.yaml", "costs[0].monthly_amount", "must be a finite number, got nan"),
    ("money_too_large.yaml", "costs[0].monthly_amount", "must be ≤ 1e+15, got 1e+308"),
    # Found in review of issue #2:
    ("json_duplicate_nested_key.json", "costs[0].monthly_amount", "duplicate key 'monthly_amount'"),
    ("start_trailing_newline.yaml", "start", START_ERROR),
    ("start_fullwidth_digits.yaml", "start", START_ERROR),
    (
        "seats_exponent.yaml",
        "costs[0].seats",
        "must be a whole number written without a decimal point or exponent, got 1000",
    ),
    ("seats_too_many.yaml", "costs[0].seats", "must be ≤ 1000000000000000"),
    ("benchmark_without_source.yaml", "benefits[0].source", "must name its source"),
    ("cost_driver_under_benefits.yaml", "benefits[0]", "'one_time' is a cost driver"),
    ("blank_name.yaml", "name", "must not be blank"),
    # Infrastructure lines (issue #4):
    (
        "infra_unknown_preset.yaml",
        "costs[0].serverless.pricing",
        "unknown preset 'aws_lambda_graviton'; did you mean 'aws_lambda_arm'?",
    ),
    ("infra_utilization_zero.yaml", "costs[0].provisioned.target_utilization", "must be > 0"),
    (
        "infra_negative_price.yaml",
        "costs[0].serverless.price_per_million_requests",
        "must be ≥ 0, got -0.2",
    ),
    ("infra_missing_prices.yaml", "costs[0]", "model 'cheapest' needs prices in 'provisioned'"),
    ("recapture_above_one.yaml", "benefits[0].productivity_recapture", "must be ≤ 1, got 1.5"),
    ("risk_too_high.yaml", "costs[0].risk", "must be ≤ 0.9, got 0.95"),
    # --- uncertainty, correlations and scenarios (issue #9) ---------------------------------
    ("uncertainty_unknown_line.yaml", "uncertainty[0].input", "1 benefits line(s); [3] is not one"),
    ("uncertainty_not_an_input.yaml", "uncertainty[0].input", "'costs[0].risk' is not a number"),
    (
        "uncertainty_declared_twice.yaml",
        "uncertainty[1].input",
        "'adoption.ceiling' is declared again (first at uncertainty[0])",
    ),
    ("uncertainty_pert_unordered.yaml", "uncertainty[0].pert", "needs min ≤ mode ≤ max"),
    ("uncertainty_unknown_distribution.yaml", "uncertainty[0]", "unknown distribution 'gamma'"),
    ("uncertainty_lognormal_reversed.yaml", "uncertainty[0].lognormal", "needs low < high"),
    (
        "correlation_undeclared.yaml",
        "correlations[0].between",
        "'discount_rate' has no distribution in 'uncertainty'",
    ),
    ("correlation_impossible.yaml", "correlations", "cannot all hold at once"),
    ("scenario_unknown_input.yaml", "scenarios[0].values", "is not a number the case can vary"),
    ("scenario_out_of_range.yaml", "scenarios[0].values", "1.5 is outside the range adoption"),
    ("scenario_out_of_range.yaml", "scenarios[0].values", "-0.5 is outside the range discount"),
    ("correlation_twice.yaml", "correlations[1].between", "correlated already at correlations[0]"),
    (
        "evidence_guess.yaml",
        "benefits[0].evidence",
        "must be one of 'measured', 'benchmark' or 'assumed', got 'guess'",
    ),
    (
        "explicit_by_year_too_long.yaml",
        "benefits[0].by_year",
        "must have at most 3 amounts (one per year of the horizon), got 4",
    ),
    (
        "explicit_by_month_too_long.yaml",
        "costs[0].by_month",
        "must have at most 24 amounts (one per month of the horizon), got 25",
    ),
    (
        "cost_start_month_beyond_horizon.yaml",
        "costs[0].start_month",
        "must be ≤ 36 (the horizon's last month), got 40",
    ),
    ("one_time_spread_beyond_horizon.yaml", "costs[0].spread_over_months", SPREAD_ERROR),
    ("per_seat_fractional_seats.yaml", "costs[0].seats", "must be a whole number, got 2.5"),
    (
        "duplicate_item_names.yaml",
        "costs[0].name",
        "duplicates the name of benefits[0]: 'Time saved'",
    ),
    ("no_line_items.yaml", "benefits", "a case needs at least one benefit or cost line item"),
    # A misspelt field is unknown, and the field it should have been is then missing.
    (
        "line_item_field_typo.yaml",
        "benefits[0].minutes_saved_per_tsk",
        "unknown field; did you mean 'minutes_saved_per_task'?",
    ),
    ("line_item_field_typo.yaml", "benefits[0].minutes_saved_per_task", "required field"),
    # --- several problems at once: every one must be listed --------------------------------
    ("several_field_problems.yaml", "name", "must not be empty, got ''"),
    ("several_field_problems.yaml", "currency", f"{CURRENCY_ERROR}, got 'eur'"),
    ("several_field_problems.yaml", "start", f"{START_ERROR}, got '2027-1'"),
    ("several_field_problems.yaml", "discount_rate", "must be ≤ 1, got 1.5"),
    ("several_field_problems.yaml", "benefits[0].minutes_saved_per_task", "must be ≥ 0, got -3"),
    ("several_field_problems.yaml", "costs[0].seats", "must be a whole number, got 2.5"),
    (
        "several_horizon_problems.yaml",
        "adoption.shares_by_year",
        "must have at most 2 shares (one per year of the horizon), got 3",
    ),
    (
        "several_horizon_problems.yaml",
        "benefits[0].by_year",
        "must have at most 2 amounts (one per year of the horizon), got 3",
    ),
    ("several_horizon_problems.yaml", "costs[0].spread_over_months", SPREAD_ERROR),
    (
        "several_horizon_problems.yaml",
        "costs[1].start_month",
        "must be ≤ 24 (the horizon's last month), got 25",
    ),
    (
        "several_horizon_problems.yaml",
        "costs[1].name",
        "duplicates the name of benefits[0]: 'Study figures'",
    ),
    ("several_problems.json", "discounting", "must be one of 'monthly' or 'year_end'"),
    ("several_problems.json", "benefits[0].risk", "must be ≤ 0.9, got 0.95"),
    ("several_problems.json", "benefits[0].evidence", "got 'guess'"),
    ("several_problems.json", "costs[0].start_mnth", "did you mean 'start_month'?"),
    # --- nesting, aliases and values Python cannot build (issue 20, item 9) ---------------
    ("nested_too_deep.json", "line 1, column 157", TOO_DEEP),
    ("nested_very_deep.json", "line 1, column 73", TOO_DEEP),
    ("nested_too_deep.yaml", "line 67, column 129", TOO_DEEP),
    ("nested_flow_very_deep.yaml", "line 3, column 74", TOO_DEEP),
    ("alias_nesting_too_deep.yaml", "line 67, column 6", f"{TOO_DEEP} through aliases"),
    ("alias_bomb.yaml", "", "its aliases expand it to more than 1,000,000 values"),
    (
        "alias_self_reference.yaml",
        "line 3, column 11",
        "an alias refers to a list or mapping that contains it",
    ),
    (
        "yaml_date_does_not_exist.yaml",
        "line 2, column 8",
        "invalid YAML: '2027-02-30' cannot be read as a date (day is out of range for month)",
    ),
    ("number_too_many_digits.json", "", "invalid JSON: a number has more than 4,300 digits"),
    ("number_too_many_digits.yaml", "line 3, column 16", "(has more than 4,300 digits)"),
]


def _with_id(row):
    """The row as a pytest.param with a short id: file name and where."""
    values, marks = (row.values, row.marks) if hasattr(row, "values") else (row, ())
    name, where, _ = values
    return pytest.param(*values, marks=marks, id=f"{name}-{where or '(file)'}")


ROWS = [_with_id(row) for row in EXPECTED]
EXPECTED_COUNTS = Counter(row.values[0] for row in ROWS)


def _file_param(name: str):
    """A file of the corpus as a parameter, xfail (strict) if the engine accepts it."""
    if name in ACCEPTED_BUT_BROKEN:
        mark = pytest.mark.xfail(reason=f"#2: {ACCEPTED_BUT_BROKEN[name]}", strict=True)
        return pytest.param(name, marks=mark, id=name)
    return pytest.param(name, id=name)


def _problems(name: str):
    with pytest.raises(CaseError) as caught:
        load_case(BROKEN / name)
    return caught.value.problems


def test_every_file_has_expected_problems():
    """No file in the folder without rows, no row without its file."""
    assert set(CORPUS) == set(EXPECTED_COUNTS)


@pytest.mark.parametrize(("name", "where", "message"), ROWS)
def test_problem_is_reported(name: str, where: str, message: str):
    problems = _problems(name)
    listed = "\n".join(f"  {problem.where!r}: {problem.message}" for problem in problems)
    assert any(p.where == where and message in p.message for p in problems), (
        f"{name}: expected {where!r}: ...{message}... among\n{listed}"
    )


@pytest.mark.parametrize("name", [_file_param(name) for name in sorted(EXPECTED_COUNTS)])
def test_problem_count(name: str):
    """Each file reports exactly its expected problems: none missing, none extra."""
    problems = _problems(name)
    assert len(problems) == EXPECTED_COUNTS[name], [str(p) for p in problems]


@pytest.mark.parametrize("name", [_file_param(name) for name in CORPUS])
def test_report_has_one_line_per_problem(name: str):
    with pytest.raises(CaseError) as caught:
        load_case(BROKEN / name)
    error = caught.value
    lines = error.report().splitlines()
    assert len(lines) == 1 + len(error.problems)
    assert all(line.startswith(f"  {BROKEN / name}: ") for line in lines[1:])


@pytest.mark.parametrize("extra", [[], ["--json"]], ids=["text", "json"])
@pytest.mark.parametrize("name", [_file_param(name) for name in CORPUS])
def test_cli_rejects_without_traceback(name: str, extra: list[str], capsys):
    path = BROKEN / name
    code = main(["evaluate", *extra, str(path)])
    out, err = capsys.readouterr()
    assert code == EXIT_BAD_INPUT
    assert out == ""
    assert err.startswith(str(path))
    assert "Traceback" not in err


def test_cli_subprocess_exit_code():
    """The real process exits with 2 and prints no traceback."""
    path = BROKEN / "several_field_problems.yaml"
    done = subprocess.run(
        [sys.executable, "-m", "roi", "evaluate", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(f"{path}: 6 problems")
    assert "Traceback" not in done.stderr
