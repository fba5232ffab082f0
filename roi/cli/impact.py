"""``impact``: do the people who use the AI tool do better? Usage tiers joined to outcomes,
group comparisons, the before/after estimate and its checks (issue 24)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from roi.cli.common import as_option, parse_share_to_one, read_file, read_yaml, write_text
from roi.culture.anonymity import MIN_GROUP_DEFAULT
from roi.impact.estimates import POST_WINDOW_DEFAULT, PRE_WINDOW_DEFAULT
from roi.impact.files import (
    ImpactFileError,
    parse_mapping,
    read_metrics,
    read_outcomes,
    read_usage,
)
from roi.impact.panel import HEAVY_SHARE_DEFAULT, join
from roi.impact.report import impact_report, report_dict
from roi.impact.telemetry import telemetry_usage
from roi.io.problems import Problem
from roi.reports.impact import impact_csv, render_impact


def _companion(outcomes: str) -> str | None:
    """``metrics.csv`` beside the outcomes file, or ``<stem>.metrics.csv``, if there is one."""
    path = Path(outcomes)
    for candidate in (path.with_name(f"{path.stem}.metrics.csv"), path.with_name("metrics.csv")):
        if candidate.is_file():
            return str(candidate)
    return None


def _impact(args: argparse.Namespace) -> int:
    mapping = parse_mapping(read_yaml(args.mapping), args.mapping) if args.mapping else {}
    outcomes = read_outcomes(read_file(args.outcomes), args.outcomes, hash_ids=args.hash_ids,
                             columns=mapping.get("outcomes"))  # fmt: skip
    covered, notes = None, ()
    if args.telemetry:
        kind = args.period or outcomes.attrs["period_kind"]
        read = telemetry_usage([(read_file(name), name) for name in args.telemetry], kind,
                               args.hash_ids)  # fmt: skip
        usage, covered, notes = read.usage, read.covered, read.notes
        source = args.telemetry[0]
    else:
        usage = read_usage(read_file(args.usage), args.usage, hash_ids=args.hash_ids,
                           columns=mapping.get("usage"))  # fmt: skip
        source = args.usage
    if args.period is not None and usage.attrs["period_kind"] != args.period:
        message = f"its periods are {usage.attrs['period_kind']}s, not {args.period}s (--period)"
        raise ImpactFileError(source, [Problem("column period", message)])
    metrics_file = args.metrics or _companion(args.outcomes)
    metrics = read_metrics(read_file(metrics_file), metrics_file) if metrics_file else {}
    panel = join(usage, outcomes, args.heavy_share, covered)
    try:
        report = impact_report(panel, metrics, args.metric, args.min_group, args.pre_window,
                               args.post_window, notes)  # fmt: skip
    except ValueError as error:
        raise ImpactFileError(args.outcomes, [Problem("", str(error))]) from None
    if args.csv is not None:
        write_text(args.csv, impact_csv(report))
    if args.json:
        print(json.dumps(report_dict(report), indent=2, allow_nan=False))
    else:
        print(render_impact(report))
    return 0


def add_impact_command(commands: argparse._SubParsersAction) -> None:
    """Register impact: measured impact of the tool by usage tier."""
    cmd = commands.add_parser(
        "impact",
        help="measure whether people who use the AI tool do better, with honest intervals",
        description="Join usage per person and period with outcomes, tier people by usage,"
        " compare heavy users with non-users (plain and adjusted for their earlier level) and"
        " estimate the effect of adoption against people not yet using the tool (LP-DiD),"
        " with the pre-trend test and the anonymity rule.",
    )
    source = cmd.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--usage",
        metavar="FILE",
        help="usage.csv: person_id, period, active_days [, actions, team]",
    )
    source.add_argument(
        "--telemetry",
        nargs="+",
        metavar="FILE",
        help="or per-user telemetry exports of one source (GitHub's per-user usage metrics"
        " reports, a Viva Insights person query, Cursor's or Claude Code's usage report)",
    )
    cmd.add_argument(
        "--outcomes",
        required=True,
        metavar="FILE",
        help="outcomes.csv: person_id, period, metric, value [, team]",
    )
    cmd.add_argument(
        "--metrics",
        metavar="FILE",
        help="metric, unit, better (higher|lower); default: metrics.csv beside the outcomes file",
    )
    cmd.add_argument(
        "--mapping",
        metavar="MAP",
        help="YAML file naming your columns: usage: {person_id: Email, ...}, outcomes: {...}",
    )
    cmd.add_argument("--metric", metavar="M", help="only this metric")
    cmd.add_argument(
        "--heavy-share",
        type=as_option(parse_share_to_one),
        default=HEAVY_SHARE_DEFAULT,
        metavar="S",
        help="heavy: active on at least this share of working days (default 0.35)",
    )
    cmd.add_argument(
        "--period",
        choices=["week", "month"],
        help="the periods both files must use (default: as the files say)",
    )
    cmd.add_argument(
        "--hash-ids",
        action="store_true",
        help="replace every person id by the SHA-256 of its lower-cased form first",
    )
    cmd.add_argument(
        "--min-group",
        type=int,
        default=MIN_GROUP_DEFAULT,
        metavar="N",
        help="hide figures of fewer people (default 5, never below 3)",
    )
    cmd.add_argument(
        "--pre-window",
        type=int,
        default=PRE_WINDOW_DEFAULT,
        metavar="K",
        help="periods before first use tested and shown (default 6)",
    )
    cmd.add_argument(
        "--post-window",
        type=int,
        default=POST_WINDOW_DEFAULT,
        metavar="H",
        help="periods after first use pooled in the effect (default 8)",
    )
    cmd.add_argument("--csv", metavar="FILE", help="write the cohort figures as CSV")
    cmd.add_argument("--json", action="store_true", help="print one JSON object")
    cmd.set_defaults(run=_impact)
