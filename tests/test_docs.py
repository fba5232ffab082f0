"""The manual documents what the code does (issues #2 and #19): every case-file field in
docs/file-formats.md, every driver's formula in docs/methodology.md, every command and option
in docs/cli.md (generated from the parser, and up to date), every scenario-link parameter in
the explorer's guide page; the app's tooltips point at methodology headings that exist; every
page of the site's navigation and every picture exists; and the README opens with the two
set-up commands."""

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
from roi.core.pricing import LicencePricing, ProvisionedPricing, ServerlessPricing

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = ROOT / "docs"
COMMON = set(LineItemBase.model_fields) | {"type"}


def page(name: str) -> str:
    """A page of the manual, by its path under docs/."""
    return (DOCS / name).read_text(encoding="utf-8")


def section(heading: str, name: str = "file-formats.md") -> str:
    """Text under a Markdown heading of the page ``name`` (under docs/), up to the next
    heading of the same or higher level."""
    text = page(name)
    match = re.search(rf"^(#+) {re.escape(heading)}\s*$", text, flags=re.M)
    assert match, f"docs/{name} has no heading {heading!r}"
    level = len(match.group(1))
    rest = text[match.end() :]
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
    assert f"| `{driver}` |" in section("Methodology", "methodology.md")


def _subcommands(parser: argparse.ArgumentParser | None = None) -> dict:
    parser = parser or build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _commands() -> dict[str, argparse.ArgumentParser]:
    """Every command line as the manual names it: ``evaluate``, ..., ``db import``, ..."""
    commands = _subcommands()
    nested = {f"db {name}": sub for name, sub in _subcommands(commands["db"]).items()}
    return {**commands, **nested}


@pytest.mark.parametrize("command", sorted(_commands()))
def test_every_command_and_option_is_documented(command):
    parser = _commands()[command]
    text = section("Command line", "cli.md")
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

    text = section("Scenario links", "guide/explorer.md")
    for key in QUERY_KEYS.values():
        assert f"| `{key}` |" in text, key


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        (heading, field)
        for heading, model in (
            ("`serverless` prices", ServerlessPricing),
            ("`provisioned` prices", ProvisionedPricing),
            ("`licence` prices", LicencePricing),
        )
        for field in model.model_fields
    ],
)
def test_pricing_block_fields_are_documented(heading, field):
    assert documented(section(heading), field)


@pytest.mark.parametrize("command", sorted(_commands()))
def test_every_command_has_its_heading(command):
    """``## `python -m roi rank` ``, ``### `python -m roi db delete` and ...``: a command is
    found by its heading, not only by a mention."""
    headings = re.findall(r"^#+ (.+)$", page("cli.md"), flags=re.M)
    name = re.compile(rf"python -m roi {re.escape(command)}(?![\w-]| [a-z])")
    assert any(name.search(heading) for heading in headings), command


def test_cli_reference_is_up_to_date_with_the_parser():
    """The usage lines and argument tables of docs/cli.md are what cog writes for today's
    parser (``make docs-cog`` regenerates them; ``make docs`` runs ``cog --check``)."""
    from cogapp import Cog

    text = page("cli.md")
    assert text.count("[[[cog") > len(_commands()) // 2, "the generated parts are missing"
    assert Cog().process_string(text, "docs/cli.md") == text, "stale: run make docs-cog"


def _slug_as_in_the_app(heading: str) -> str:
    """The anchor of a heading in the app (and on GitHub): lower case, punctuation dropped,
    spaces as hyphens."""
    return re.sub(r"[^a-z0-9 -]", "", heading.lower()).strip().replace(" ", "-")


def test_tooltip_links_point_at_methodology_headings():
    """Every tooltip's *How it is computed* link (``dashboard.ui.HELP``) names a ``###``
    heading of docs/methodology.md, with the anchor both the app and the docs site give it."""
    from markdown.extensions.toc import slugify

    from dashboard.ui import HELP

    headings = re.findall(r"^### (.+)$", page("methodology.md"), flags=re.M)
    in_the_app = {_slug_as_in_the_app(heading) for heading in headings}
    on_the_site = {slugify(heading, "-") for heading in headings}
    for metric, (_, anchor) in HELP.items():
        assert anchor in in_the_app, f"{metric}: no methodology heading for #{anchor}"
        assert anchor in on_the_site, f"{metric}: the docs site has no #{anchor}"


def test_the_app_shows_the_methodology_page_without_links_to_other_pages():
    from dashboard.docs import methodology_markdown

    text = methodology_markdown()
    assert text.startswith("Every figure the engine produces")
    assert "### Payback" in text and "# Methodology" not in text
    assert ".md#" in page("methodology.md")  # links to other pages, shown as text only
    assert not re.search(r"\]\((?![a-z][a-z0-9+.-]*:)", text), "a link to another page"


def _nav_pages(nav) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, dict):
        return [name for value in nav.values() for name in _nav_pages(value)]
    return [name for item in nav for name in _nav_pages(item)]


def _navigation() -> list[str]:
    """The pages of mkdocs.yml's ``nav``, as paths under docs/."""
    import yaml

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    return _nav_pages(config["nav"])


@pytest.mark.parametrize("name", _navigation())
def test_every_page_of_the_navigation_exists(name):
    assert (DOCS / name).is_file(), f"mkdocs.yml names docs/{name}, which does not exist"


def test_every_page_of_the_manual_is_in_the_navigation():
    pages = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")}
    assert sorted(pages) == sorted(_navigation())


APP_PAGES = sorted(p.stem for p in (ROOT / "dashboard" / "app_pages").glob("[!_]*.py"))


@pytest.mark.parametrize("name", APP_PAGES)
def test_every_page_of_the_app_has_a_guide_page_with_its_screenshot(name):
    assert f"](../images/{name}.png)" in page(f"guide/{name}.md")
    assert (DOCS / "images" / f"{name}.png").is_file(), f"make screenshots writes {name}.png"


MARKDOWN = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_picture_and_file_linked_exists(path):
    """Relative links and pictures, README's included (mkdocs checks links between pages
    and their anchors when it builds; this needs no build)."""
    text = path.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if target.startswith("#") or re.match(r"[a-z][a-z0-9+.-]*:", target):
            continue
        linked = (path.parent / target.split("#")[0]).resolve()
        assert linked.exists(), f"{path.relative_to(ROOT)} links {target}, which does not exist"


@pytest.mark.parametrize("path", sorted((DOCS / "images").glob("*.png")), ids=lambda p: p.name)
def test_pictures_stay_small(path):
    assert path.stat().st_size < 400_000, "the docs stay light: see devtools/screenshots.py"
