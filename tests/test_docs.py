"""The README documents every case-file field and every command-line command and option,
and opens with the two set-up commands (issue #2)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from roi.cli import build_parser
from roi.core.case import BusinessCase
from roi.core.curves import ADOPTION_CURVES
from roi.core.drivers.base import LineItemBase
from roi.core.drivers.benefits import BENEFIT_DRIVERS
from roi.core.drivers.costs import COST_DRIVERS
from roi.core.drivers.infrastructure import ProvisionedPricing, ServerlessPricing

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMON = set(LineItemBase.model_fields) | {"type"}


def section(heading: str) -> str:
    """Text under a Markdown heading, up to the next heading of the same or higher level."""
    match = re.search(rf"^(#+) {re.escape(heading)}\s*$", README, flags=re.M)
    assert match, f"README has no heading {heading!r}"
    level = len(match.group(1))
    rest = README[match.end() :]
    end = re.search(rf"^#{{1,{level}}} ", rest, flags=re.M)
    return rest[: end.start()] if end else rest


def documented(text: str, field: str) -> bool:
    return re.search(rf"^\| `{re.escape(field)}` \|", text, flags=re.M) is not None


def test_readme_opens_with_the_two_setup_commands():
    block = re.search(r"```sh\n(.*?)```", README, flags=re.S)
    assert block and README.index(block.group(0)) < README.index("## ")
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert [c for c in commands if c] == ["make run", "make test"]


@pytest.mark.parametrize("field", list(BusinessCase.model_fields))
def test_case_fields_are_documented(field):
    assert documented(section("Case fields"), field)


@pytest.mark.parametrize(
    "field", sorted({f for model in ADOPTION_CURVES.values() for f in model.model_fields})
)
def test_adoption_fields_are_documented(field):
    assert documented(section("Adoption curve fields"), field)


@pytest.mark.parametrize("field", sorted(COMMON))
def test_common_line_item_fields_are_documented(field):
    assert documented(section("Every line item"), field)


@pytest.mark.parametrize(
    ("driver", "field"),
    [
        (tag, field)
        for registry in (BENEFIT_DRIVERS, COST_DRIVERS)
        for tag, model in registry.items()
        for field in model.model_fields
        if field not in COMMON
    ],
)
def test_driver_fields_are_documented_under_their_driver(driver, field):
    heading = "`explicit` (benefit or cost)" if driver == "explicit" else f"`{driver}`"
    assert documented(section(heading), field)


@pytest.mark.parametrize("driver", sorted(set(BENEFIT_DRIVERS) | set(COST_DRIVERS)))
def test_every_driver_has_its_formula_in_the_methodology(driver):
    assert f"| `{driver}` |" in section("Methodology")


def _subcommands(parser: argparse.ArgumentParser | None = None) -> dict:
    parser = parser or build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _commands() -> dict[str, argparse.ArgumentParser]:
    """Every command line as the README names it: ``evaluate``, ..., ``db import``, ..."""
    commands = _subcommands()
    nested = {f"db {name}": sub for name, sub in _subcommands(commands["db"]).items()}
    return {**commands, **nested}


@pytest.mark.parametrize("command", sorted(_commands()))
def test_every_command_and_option_is_documented(command):
    parser = _commands()[command]
    text = section("Command line")
    assert f"python -m roi {command}" in text
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            continue  # its commands are checked one by one
        for option in action.option_strings:
            if option not in ("-h", "--help"):
                assert option in text, f"{command} {option} is not documented"
        if not action.option_strings and action.dest != "help":
            assert action.metavar in text, f"{command} {action.metavar} is not documented"


def test_changelog_has_a_dated_entry():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(r"^## \d{4}-\d{2}-\d{2}", changelog, flags=re.M)


def test_sample_data_dictionary_names_every_sample_case():
    text = (ROOT / "sample_data" / "README.md").read_text(encoding="utf-8")
    for path in (ROOT / "sample_data" / "cases").glob("*.yaml"):
        assert path.name in text


def test_every_scenario_link_parameter_is_documented():
    from roi.core.scenario import QUERY_KEYS

    text = section("Scenario links")
    for key in QUERY_KEYS.values():
        assert f"| `{key}` |" in text, key


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        (heading, field)
        for heading, model in (
            ("`serverless` prices", ServerlessPricing),
            ("`provisioned` prices", ProvisionedPricing),
        )
        for field in model.model_fields
    ],
)
def test_pricing_block_fields_are_documented(heading, field):
    assert documented(section(heading), field)
