"""Command line: ``python -m roi COMMAND``. Each command parses its options, calls the
engine and prints; problems with input go to stderr with exit code 2, never a traceback.
The parser is assembled from one group of commands per domain module of this package."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from roi.cli.adoption import add_adoption_command
from roi.cli.cases import add_case_commands
from roi.cli.common import (
    EXIT_BAD_INPUT,
)
from roi.cli.culture import add_survey_command
from roi.cli.db import add_db_commands
from roi.cli.evidence import add_pilot_commands
from roi.cli.portfolio import add_portfolio_commands
from roi.io.problems import CaseError


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: one group of commands per domain, each registered by its
    own module."""
    parser = argparse.ArgumentParser(
        prog="python -m roi",
        description="AI business cases: NPV, IRR, ROI and payback from case files.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_case_commands(commands)
    add_pilot_commands(commands)
    add_portfolio_commands(commands)
    add_adoption_command(commands)
    add_survey_command(commands)
    add_db_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "max_projects", None) is not None and args.budget is None:
        parser.error("--max-projects needs --budget")
    if args.command == "rank" and (args.survey is None) != (args.survey_items is None):
        parser.error("--survey and --survey-items go together")
    try:
        return args.run(args)
    except CaseError as error:
        print(error.report(), file=sys.stderr)
        return EXIT_BAD_INPUT
