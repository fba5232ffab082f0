"""Reading valid case files: formats, encodings, YAML quirks, and the YAML round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from roi import dump_case, evaluate, load_case, parse_case
from roi.io.problems import CaseError

SAMPLES = sorted((Path(__file__).parents[2] / "sample_data" / "cases").glob("*.yaml"))

MINIMAL = """\
name: Minimal
start: "2027-01"
costs:
  - name: Set-up
    type: one_time
    amount: {amount}
"""


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


@pytest.mark.parametrize(
    ("written", "expected"),
    [("1500000", 1_500_000.0), ("1.5e6", 1_500_000.0), ("1e6", 1_000_000.0), ("2.5E+3", 2500.0)],
)
def test_yaml_numbers_including_exponents_without_a_dot_or_sign(tmp_path, written, expected):
    # PyYAML follows YAML 1.1, where 1.5e6 is text; case files read it as YAML 1.2 does.
    case = load_case(write(tmp_path, "c.yaml", MINIMAL.format(amount=written)))
    assert case.costs[0].amount == expected


def test_utf8_bom_and_yml_suffix_are_accepted(tmp_path):
    text = "\ufeff" + MINIMAL.format(amount=10)
    assert load_case(write(tmp_path, "c.yml", text)).name == "Minimal"


def test_json_case_file(tmp_path):
    data = {"name": "J", "start": "2027-02", "benefits": [{"name": "b", "type": "explicit"}]}
    case = load_case(write(tmp_path, "c.json", json.dumps(data)))
    assert case.start == "2027-02" and case.benefits[0].by_year == []


def test_unquoted_start_month_is_text_in_yaml(tmp_path):
    text = MINIMAL.format(amount=1).replace('"2027-01"', "2027-01")
    assert load_case(write(tmp_path, "c.yaml", text)).start == "2027-01"


def test_missing_file_is_a_case_error(tmp_path):
    with pytest.raises(CaseError, match="file not found"):
        load_case(tmp_path / "absent.yaml")


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_dump_and_reload_gives_the_same_case_and_figures(path):
    case = load_case(path)
    again = parse_case(yaml.safe_load(dump_case(case)))
    assert again == case
    assert evaluate(again).risk_adjusted.metrics == evaluate(case).risk_adjusted.metrics


def test_defaults_are_documented_conventions():
    case = parse_case(
        {"name": "d", "start": "2027-01", "costs": [{"name": "c", "type": "explicit"}]}
    )
    assert (case.currency, case.horizon_years, case.discount_rate, case.discounting) == (
        "USD",
        3,
        0.10,
        "monthly",
    )
    assert case.costs[0].risk == 0.0 and case.costs[0].evidence == "assumed"


def test_yaml_merge_keys_may_be_overridden(tmp_path):
    # `<<: *base` then `name: d` is YAML's way to reuse a line: not a duplicate key.
    text = """\
name: Merge
start: "2027-01"
costs:
  - &base {name: c, type: recurring, monthly_amount: 10}
  - {<<: *base, name: d}
"""
    case = load_case(write(tmp_path, "m.yaml", text))
    assert [item.name for item in case.costs] == ["c", "d"]
    assert case.costs[1].monthly_amount == 10
