"""``pilots``: validate a pilot observations file (with an optional column mapping) and
print each effect estimate."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from roi.cli.common import read_mapping
from roi.evidence.pilots import estimate_pilots, read_observations
from roi.io.problems import CaseError, Problem
from roi.reports.jsonreport import pilots_to_dict
from roi.reports.render import render_pilots


def _pilots(args: argparse.Namespace) -> int:
    mapping = read_mapping(args.mapping)
    try:
        raw = Path(args.file).read_bytes()
    except OSError as error:
        raise CaseError(args.file, [Problem("", f"cannot be read ({error.strerror})")]) from None
    estimates = estimate_pilots(read_observations(raw, args.file, mapping))
    if args.json:
        print(json.dumps(pilots_to_dict(estimates), indent=2, allow_nan=False))
    else:
        print(render_pilots(estimates))
    return 0


def add_pilot_commands(commands: argparse._SubParsersAction) -> None:
    """Register pilots: estimate pilot effects."""
    pilots_cmd = commands.add_parser(
        "pilots",
        help="estimate pilot effects from an observations file",
        description="Validate a pilot observations CSV and estimate each effect.",
    )
    pilots_cmd.add_argument("file", metavar="FILE", help="pilot observations (.csv)")
    pilots_cmd.add_argument(
        "--mapping", metavar="MAP", help="YAML file mapping your export's columns"
    )
    pilots_cmd.add_argument("--json", action="store_true", help="print one JSON object")
    pilots_cmd.set_defaults(run=_pilots)
