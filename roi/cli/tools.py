"""``tools`` and ``usage``: several AI tools' exports side by side, and the usage per active
user a month measured from an export, put into a case's ``usage_licence`` line."""

from __future__ import annotations

import argparse
import dataclasses
import json

from roi.adoption.billing import UNIT_FIGURES, measured_usage, with_measured_usage
from roi.adoption.telemetry import read_telemetry_files, read_tool_files
from roi.adoption.tools import ToolComparison, compare_tools
from roi.cli.adoption import export_files
from roi.cli.common import as_option, count_between, parse_amount, write_text
from roi.core.casefile import dump_case, load_case
from roi.core.engine import evaluate
from roi.io.formatting import format_money
from roi.io.problems import CaseError, Problem


def _pairs(values: list[tuple[str, float]] | None, what: str) -> dict[str, float]:
    found: dict[str, float] = {}
    for tool, value in values or []:
        if tool.casefold() in {name.casefold() for name in found}:
            raise CaseError(what, [Problem("", f"{tool!r} is given twice")])
        found[tool] = value
    return found


def _tool_value(parse):
    """``TOOL=VALUE`` (a tool's name as the exports call it, e.g. ``Cursor=40``)."""

    def convert(text: str) -> tuple[str, float]:
        tool, sep, value = text.rpartition("=")
        if not sep or not tool.strip():
            raise ValueError(f"must be TOOL=VALUE (e.g. Cursor=40), got {text!r}")
        return tool.strip(), parse(value.strip())

    return convert


def _whole(text: str) -> int:
    value = parse_amount(text)
    if value != int(value):
        raise ValueError(f"must be a whole number, got {text!r}")
    return int(value)


def render_comparison(comparison: ToolComparison) -> str:
    """The comparison as text: a line per tool, the people figures and the notes."""

    def shown(value, form="{:,.0f}") -> str:
        return "–" if value is None else form.format(value)

    lines = [f"Tools side by side, each over the {comparison.window_days} days to its last date"]
    for use in comparison.tools:
        window = f"{use.window[0]} to {use.window[1]}" if use.window else "no dates"
        currency = use.currency or ""
        lines.append(
            f"- {use.tool} ({window}): {shown(use.active_users)} active ({use.active_basis}),"
            f" {shown(use.listed_users)} listed, {shown(use.licensed_users)} licensed"
            f" ({use.licensed_basis}); reported spend {shown(use.reported_spend, '{:,.2f}')}"
            f" {currency}, licence spend {shown(use.licence_spend, '{:,.2f}')}, per active"
            f" person {shown(use.cost_per_active_user, '{:,.2f}')}".rstrip()
        )
    lines.append(
        f"People listed {shown(comparison.people_listed)}, active"
        f" {shown(comparison.people_active)}, in several tools"
        f" {shown(comparison.people_in_several_tools)}; licences per person"
        f" {shown(comparison.licences_per_person, '{:.2f}')}"
    )
    notes = list(comparison.notes) + [
        f"{use.tool}: {note}" for use in comparison.tools for note in use.notes
    ]
    lines += [f"Note: {note}." for note in notes]
    return "\n".join(lines)


def _tools(args: argparse.Namespace) -> int:
    telemetries = read_tool_files(export_files(args.file), team=args.team, team_by=args.team_by)
    seats = _pairs(args.seats, "--seats")
    prices = _pairs(args.seat_price, "--seat-price")
    comparison = compare_tools(telemetries, seats, prices, args.window)
    if args.json:
        data = dataclasses.asdict(comparison)
        print(json.dumps(data, indent=2, allow_nan=False))
    else:
        print(render_comparison(comparison))
    return 0


def _usage(args: argparse.Namespace) -> int:
    telemetry = read_telemetry_files(export_files(args.file), team=args.team)
    measured = measured_usage(telemetry, args.figure)
    if measured is None:
        message = (
            f"has no {args.figure} per active user over a complete calendar month (it needs"
            " per-user days with the figure, every day of a month)"
        )
        raise CaseError(telemetry.source, [Problem("", message)])
    if args.out is not None and args.case is None:
        raise CaseError("--out", [Problem("", "needs --case: the case the measurement goes into")])
    out = {"measured": dataclasses.asdict(measured)}
    lines = [measured.source]
    if args.case is not None:
        case = load_case(args.case)
        try:
            updated = with_measured_usage(case, measured, args.line)
        except ValueError as error:
            raise CaseError(args.case, [Problem("costs", str(error))]) from None
        before, after = (evaluate(c).risk_adjusted.metrics.npv for c in (case, updated))
        currency = case.currency
        lines.append(
            f"NPV {format_money(before, currency)} as planned,"
            f" {format_money(after, currency)} with the measured usage"
        )
        out |= {"npv_before": before, "npv_after": after}
        if args.out is not None:
            write_text(args.out, dump_case(updated))
            lines.append(f"Written: {args.out}")
    print(json.dumps(out, indent=2, allow_nan=False) if args.json else "\n".join(lines))
    return 0


def add_tools_commands(commands: argparse._SubParsersAction) -> None:
    """Register tools (several tools side by side) and usage (measured usage into a case)."""
    tools_cmd = commands.add_parser(
        "tools",
        help="several AI tools' exports side by side",
        description="Read the exports of one or several tools (files or folders; the files"
        " of one tool are joined) and set the tools side by side: active people over a"
        " trailing window, licences, reported and licence spend, cost per active person,"
        " people active in more than one tool.",
    )
    tools_cmd.add_argument("file", metavar="FILE", nargs="+", help="export files or folders")
    tools_cmd.add_argument("--team", metavar="NAME", help="team name for exports without one")
    tools_cmd.add_argument(
        "--team-by", metavar="ATTRIBUTE", help="the Viva Insights attribute read as the team"
    )
    tools_cmd.add_argument(
        "--seats", metavar="TOOL=N", action="append", type=as_option(_tool_value(_whole)),
        help="licences bought for a tool (repeat per tool), e.g. Cursor=40",
    )  # fmt: skip
    tools_cmd.add_argument(
        "--seat-price", metavar="TOOL=AMOUNT", action="append",
        type=as_option(_tool_value(parse_amount)),
        help="a tool's seat price a month, in its reported spend's currency (repeat per tool)",
    )  # fmt: skip
    tools_cmd.add_argument(
        "--window", metavar="DAYS", type=as_option(count_between(1, 366)), default=28,
        help="the trailing window in days (default 28)",
    )  # fmt: skip
    tools_cmd.add_argument("--json", action="store_true", help="print one JSON object")
    tools_cmd.set_defaults(run=_tools)

    usage_cmd = commands.add_parser(
        "usage",
        help="usage per active user a month, measured, into a case's usage_licence line",
        description="Measure a figure (AI credits, requests, tokens or cost) per active user"
        " a month from per-user telemetry (complete calendar months only), and with --case"
        " put it into the case's usage_licence line, with its spread across users and the"
        " uncertainty of its mean; --out writes that case.",
    )
    usage_cmd.add_argument("file", metavar="FILE", nargs="+", help="export files or folders")
    usage_cmd.add_argument(
        "--figure", choices=UNIT_FIGURES, default="credits", help="the figure (default credits)"
    )
    usage_cmd.add_argument("--team", metavar="NAME", help="team name for exports without one")
    usage_cmd.add_argument("--case", metavar="CASE", help="a case with a usage_licence line")
    usage_cmd.add_argument(
        "--line", metavar="N", type=as_option(count_between(0, 10_000)),
        help="the usage_licence line's index in costs (default: the case's only one)",
    )  # fmt: skip
    usage_cmd.add_argument("--out", metavar="FILE", help="write the case with the measurement")
    usage_cmd.add_argument("--json", action="store_true", help="print one JSON object")
    usage_cmd.set_defaults(run=_usage)
