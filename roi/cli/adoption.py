"""``adoption``: read a telemetry export in any supported format, report adoption, usage and
data quality, and forecast each team's adoption."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from roi.adoption.report import analyse, render_report, report_to_dict
from roi.adoption.telemetry import read_telemetry_files
from roi.cli.common import (
    as_option,
    parse_amount,
    parse_positive_amount,
    parse_share,
    read_file,
    write_text,
)
from roi.io.problems import CaseError, Problem
from roi.reports.exports import adoption_csv

# The files of a folder that are read as telemetry exports.
EXPORT_SUFFIXES = (".json", ".ndjson", ".jsonl", ".csv")


def export_files(names: list[str]) -> list[tuple[bytes, str]]:
    """Each named file, and each export file of a named folder (by name, not following
    links out of it), as (bytes, name)."""
    files = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            inside = sorted(
                item
                for item in path.iterdir()
                if item.suffix.lower() in EXPORT_SUFFIXES
                and item.is_file()
                and not item.is_symlink()
            )
            if not inside:
                message = f"holds no export file ({', '.join(EXPORT_SUFFIXES)})"
                raise CaseError(name, [Problem("", message)])
            files += [(read_file(str(item)), str(item)) for item in inside]
        else:
            files.append((read_file(name), name))
    return files


def _adoption(args: argparse.Namespace) -> int:
    telemetry = read_telemetry_files(export_files(args.file), team=args.team, team_by=args.team_by)
    try:
        report = analyse(telemetry, args.eligible, args.target, args.period, args.licence_price)
    except ValueError as error:
        raise CaseError("--eligible", [Problem("", str(error))]) from None
    if args.csv is not None:
        write_text(args.csv, adoption_csv(report))
    if args.json:
        print(json.dumps(report_to_dict(report), indent=2, allow_nan=False))
    else:
        print(render_report(report))
    return 0


def add_adoption_command(commands: argparse._SubParsersAction) -> None:
    """Register adoption: metrics and forecast from a telemetry export."""
    adoption_cmd = commands.add_parser(
        "adoption",
        help="adoption metrics and forecast from a telemetry export",
        description="Detect the format of an adoption export (GitHub Copilot usage metrics"
        " reports in NDJSON or JSON, the older GitHub metrics or usage JSON, Microsoft 365"
        " Copilot reports, a Viva Insights person query, Cursor or Claude Code usage, or"
        " adoption.csv), report adoption, usage and data-quality problems, and forecast each"
        " team's adoption with an S-curve. Several files of one source (or a folder of them)"
        " are read as one, a day in two files kept once.",
    )
    adoption_cmd.add_argument(
        "file",
        metavar="FILE",
        nargs="+",
        help="telemetry export (.json, .ndjson, .jsonl or .csv), several, or a folder of them",
    )
    adoption_cmd.add_argument(
        "--team", metavar="NAME", help="team name for exports that carry none (default: all)"
    )
    adoption_cmd.add_argument(
        "--team-by",
        metavar="ATTRIBUTE",
        help="for a Viva Insights person query: the attribute read as the team"
        " (default Organization)",
    )
    adoption_cmd.add_argument(
        "--eligible",
        metavar="N",
        type=as_option(parse_positive_amount),
        help="eligible users, for exports without them (GitHub, Microsoft 365)",
    )
    adoption_cmd.add_argument(
        "--target",
        metavar="SHARE",
        type=as_option(parse_share),
        default=0.8,
        help="adoption share whose month the forecast reports (default 0.8)",
    )
    adoption_cmd.add_argument(
        "--period",
        choices=("day", "week", "month"),
        default="month",
        help="period of the series (default month)",
    )
    adoption_cmd.add_argument(
        "--licence-price",
        metavar="AMOUNT",
        type=as_option(parse_amount),
        help="price of one licence per month, to cost idle licences",
    )
    adoption_cmd.add_argument(
        "--csv", metavar="FILE", help="also write the series per period and team as CSV to FILE"
    )
    adoption_cmd.add_argument("--json", action="store_true", help="print one JSON object")
    adoption_cmd.set_defaults(run=_adoption)
