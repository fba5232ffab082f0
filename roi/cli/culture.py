"""``survey``: score a culture survey by team, wave and dimension, with the anonymity rule
kept, optionally with participation and the link to adoption."""

from __future__ import annotations

import argparse
import json

from roi.adoption.report import analyse, team_adoption
from roi.adoption.telemetry import read_telemetry
from roi.cli.common import as_option, count_between, read_file, write_text
from roi.culture.instrument import read_invitations, read_items, read_responses
from roi.culture.report import report_to_dict as survey_to_dict
from roi.culture.report import survey_report
from roi.reports.exports import survey_csv
from roi.reports.render import render_survey


def _survey(args: argparse.Namespace) -> int:
    names = [args.items, args.responses, args.invited, args.adoption]
    files = {name: read_file(name) for name in names if name is not None}
    instrument = read_items(files[args.items], args.items)
    responses = read_responses(files[args.responses], args.responses, instrument)
    invitations = None
    if args.invited is not None:
        invitations = read_invitations(files[args.invited], args.invited, responses)
    adoption = None
    if args.adoption is not None:
        adoption = team_adoption(analyse(read_telemetry(files[args.adoption], args.adoption)))
    report = survey_report(responses, instrument, args.min_group, invitations, adoption)
    if args.csv is not None:
        write_text(args.csv, survey_csv(report))
    if args.json:
        print(json.dumps(survey_to_dict(report), indent=2, allow_nan=False))
    else:
        print(render_survey(report))
    return 0


def add_survey_command(commands: argparse._SubParsersAction) -> None:
    """Register survey: culture survey scores with anonymity kept."""
    survey_cmd = commands.add_parser(
        "survey",
        help="score a culture survey by team, wave and dimension, anonymity kept",
        description="Validate survey responses against their items and report reliability,"
        " scores by team and wave (groups below the minimum size hidden, with complementary"
        " suppression), wave-over-wave changes and each team's barrier dimension.",
    )
    survey_cmd.add_argument("responses", metavar="RESPONSES", help="survey_responses.csv")
    survey_cmd.add_argument(
        "--items", metavar="ITEMS", required=True, help="survey_items.csv (the instrument)"
    )
    survey_cmd.add_argument(
        "--min-group",
        metavar="N",
        type=as_option(count_between(3, 1000)),
        default=5,
        help="smallest group whose figures are shown (default 5, at least 3)",
    )
    survey_cmd.add_argument(
        "--invited",
        metavar="FILE",
        help="survey_invitations.csv (wave, team, invited), for participation rates",
    )
    survey_cmd.add_argument(
        "--adoption",
        metavar="FILE",
        help="an adoption export (any format `adoption` reads), to find which dimensions go"
        " with team adoption",
    )
    survey_cmd.add_argument(
        "--csv",
        metavar="FILE",
        help="also write the group figures (aggregates only) as CSV to FILE",
    )
    survey_cmd.add_argument("--json", action="store_true", help="print one JSON object")
    survey_cmd.set_defaults(run=_survey)
