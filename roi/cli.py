"""Command line: ``python -m roi COMMAND``. Each command parses its options, calls the
engine and prints; problems with input go to stderr with exit code 2, never a traceback."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from roi.casefile import CASE_FILE_SUFFIXES, CaseError, Problem, load_case
from roi.engine import evaluate
from roi.infrastructure import infrastructure_reports
from roi.pilots import estimate_pilots, parse_mapping, read_observations
from roi.render import render_case, render_infrastructure, render_pilots, render_portfolio
from roi.report import infrastructure_to_dict, pilots_to_dict, result_to_json

EXIT_BAD_INPUT = 2


def _evaluate(args: argparse.Namespace) -> int:
    result = evaluate(load_case(args.case))
    print(result_to_json(result) if args.json else render_case(result))
    return 0


def _infra(args: argparse.Namespace) -> int:
    case = load_case(args.case)
    reports = infrastructure_reports(case)
    if not reports:
        message = "has no infrastructure cost line (type: infrastructure)"
        raise CaseError(args.case, [Problem("costs", message)])
    if args.json:
        print(json.dumps(infrastructure_to_dict(case, reports), indent=2, allow_nan=False))
    else:
        print(render_infrastructure(case, reports))
    return 0


def _pilots(args: argparse.Namespace) -> int:
    mapping = None
    if args.mapping:
        mapping_path = Path(args.mapping)
        try:
            data = yaml.safe_load(mapping_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            raise CaseError(args.mapping, [Problem("", f"cannot be read ({error})")]) from None
        mapping = parse_mapping(data, args.mapping)
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


def case_files(folder: Path) -> list[Path]:
    """Case files directly inside ``folder``, sorted by name."""
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in CASE_FILE_SUFFIXES)


def _portfolio(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    if not folder.is_dir():
        raise CaseError(str(folder), [Problem("", "is not a folder of case files")])
    paths = case_files(folder)
    if not paths:
        raise CaseError(str(folder), [Problem("", "holds no .yaml, .yml or .json case file")])
    cases, reports = [], []
    for path in paths:
        try:
            cases.append(load_case(path))
        except CaseError as error:
            reports.append(error.report())
    if reports:
        # A portfolio with a bad case is not shown at all: partial totals would mislead.
        print("\n".join(reports), file=sys.stderr)
        return EXIT_BAD_INPUT
    print(render_portfolio([evaluate(case) for case in cases], [p.stem for p in paths]))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m roi",
        description="AI business cases: NPV, IRR, ROI and payback from case files.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    evaluate_cmd = commands.add_parser(
        "evaluate", help="evaluate one case file", description="Evaluate one case file."
    )
    evaluate_cmd.add_argument("case", metavar="CASE", help="case file (.yaml, .yml or .json)")
    evaluate_cmd.add_argument(
        "--json", action="store_true", help="print one JSON object instead of tables"
    )
    evaluate_cmd.set_defaults(run=_evaluate)
    infra_cmd = commands.add_parser(
        "infra",
        help="compare serverless and provisioned hosting for a case",
        description="Compare serverless and provisioned hosting for each infrastructure line.",
    )
    infra_cmd.add_argument("case", metavar="CASE", help="case file (.yaml, .yml or .json)")
    infra_cmd.add_argument("--json", action="store_true", help="print one JSON object")
    infra_cmd.set_defaults(run=_infra)
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
    portfolio_cmd = commands.add_parser(
        "portfolio",
        help="summarise every case file in a folder",
        description="Evaluate every case file in a folder and print the portfolio's figures.",
    )
    portfolio_cmd.add_argument(
        "folder",
        metavar="FOLDER",
        nargs="?",
        default="sample_data/cases",
        help="folder of case files (default: sample_data/cases)",
    )
    portfolio_cmd.set_defaults(run=_portfolio)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except CaseError as error:
        print(error.report(), file=sys.stderr)
        return EXIT_BAD_INPUT
