"""``evaluate``, ``export``, ``simulate``, ``sensitivity`` and ``infra``: the commands on one
case file, each calling one engine function and printing tables or JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from roi.cli.common import as_option, count_between, parse_months, parse_share
from roi.core.casefile import load_case
from roi.core.engine import evaluate
from roi.core.hosting import infrastructure_reports
from roi.io.problems import CaseError, Problem
from roi.reports.exports import write_schedules
from roi.reports.jsonreport import infrastructure_to_dict, result_to_json
from roi.reports.onepager import one_pager
from roi.reports.render import (
    render_case,
    render_infrastructure,
    render_sensitivity,
    render_simulation,
)
from roi.reports.workbook import workbook_bytes
from roi.uncertainty.sensitivity import break_evens, scenario_results, sensitivity_to_dict, tornado
from roi.uncertainty.simulation import simulate, simulation_to_dict


def _evaluate(args: argparse.Namespace) -> int:
    result = evaluate(load_case(args.case))
    print(result_to_json(result) if args.json else render_case(result))
    return 0


def _simulate(args: argparse.Namespace) -> int:
    case = load_case(args.case)
    try:
        result = simulate(case, args.draws, args.seed)
    except ValueError as error:
        raise CaseError(args.case, [Problem("uncertainty", str(error))]) from None
    if args.json:
        print(json.dumps(simulation_to_dict(case, result), indent=2, allow_nan=False))
    else:
        print(render_simulation(case, result))
    return 0


def _sensitivity(args: argparse.Namespace) -> int:
    case = load_case(args.case)
    rows = tornado(case, args.spread)
    evens = break_evens(case, [r.input for r in rows], args.payback_target)
    scenarios = scenario_results(case, args.spread)
    if args.json:
        data = sensitivity_to_dict(case, rows, evens, scenarios, args.payback_target)
        print(json.dumps(data, indent=2, allow_nan=False))
    else:
        print(render_sensitivity(case, rows, evens, scenarios, args.payback_target))
    return 0


def _export(args: argparse.Namespace) -> int:
    if args.xlsx is None and args.csv is None and args.pdf is None:
        message = "name at least one export: --xlsx FILE, --pdf FILE or --csv DIR"
        raise CaseError(args.case, [Problem("", message)])
    if args.pdf is not None:
        from roi.reports.pdf import warm_up

        try:
            warm_up()  # Chromium starts while the case is evaluated and the other files written
        except RuntimeError as error:
            raise CaseError(args.pdf, [Problem("", str(error))]) from None
    result = evaluate(load_case(args.case))
    written = []
    try:
        if args.xlsx is not None:
            Path(args.xlsx).write_bytes(workbook_bytes(result))
            written.append(args.xlsx)
        if args.csv is not None:
            written += [str(p) for p in write_schedules(result, Path(args.csv))]
        if args.pdf is not None:
            # The page is drawn by the dashboard's renderer (plotly chart, fpdf2): a shell.
            from roi.reports.pdf import pdf_bytes

            Path(args.pdf).write_bytes(pdf_bytes(one_pager(result), args.paper))
            written.append(args.pdf)
    except RuntimeError as error:  # the PDF's chart or fonts are missing on this machine
        raise CaseError(args.pdf or args.case, [Problem("", str(error))]) from None
    except OSError as error:
        where = str(error.filename or args.case)
        problem = Problem("", f"cannot be written ({error.strerror})")
        raise CaseError(where, [problem]) from None
    print("\n".join(f"wrote {name}" for name in written))
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


def add_case_commands(commands: argparse._SubParsersAction) -> None:
    """Register evaluate, export, simulate, sensitivity and infra: the commands on one case file."""
    evaluate_cmd = commands.add_parser(
        "evaluate", help="evaluate one case file", description="Evaluate one case file."
    )
    evaluate_cmd.add_argument("case", metavar="CASE", help="case file (.yaml, .yml or .json)")
    evaluate_cmd.add_argument(
        "--json", action="store_true", help="print one JSON object instead of tables"
    )
    evaluate_cmd.set_defaults(run=_evaluate)
    export_cmd = commands.add_parser(
        "export",
        help="export a case for finance: an Excel workbook with live formulas, CSV schedules",
        description="Write the case's Excel workbook (Summary, Assumptions, Monthly, Annual;"
        " the headline figures are live formulas) and/or its CSV schedules.",
    )
    export_cmd.add_argument("case", metavar="CASE", help="case file (.yaml, .yml or .json)")
    export_cmd.add_argument("--xlsx", metavar="FILE", help="write the workbook to FILE")
    export_cmd.add_argument(
        "--csv", metavar="DIR", help="write the monthly and annual schedules into DIR"
    )
    export_cmd.add_argument("--pdf", metavar="FILE", help="write the one-pager PDF to FILE")
    export_cmd.add_argument(
        "--paper", choices=("A4", "Letter"), default="A4", help="the PDF's paper (default A4)"
    )
    export_cmd.set_defaults(run=_export)
    simulate_cmd = commands.add_parser(
        "simulate",
        help="Monte Carlo of a case's uncertain inputs: NPV, ROI and payback distributions",
        description="Draw the case's uncertain inputs (its 'uncertainty' section) and report"
        " NPV, ROI and payback percentiles, P(NPV > 0) and which inputs explain the spread.",
    )
    simulate_cmd.add_argument("case", metavar="CASE", help="case file (.yaml, .yml or .json)")
    simulate_cmd.add_argument(
        "--draws", metavar="N", type=as_option(count_between(1, 1_000_000)), default=10_000,
        help="number of draws (default 10000, at most 1000000)",
    )  # fmt: skip
    simulate_cmd.add_argument(
        "--seed", metavar="S", type=as_option(count_between(0, 2**32 - 1)), default=0,
        help="seed of the draws (default 0)",
    )  # fmt: skip
    simulate_cmd.add_argument("--json", action="store_true", help="print one JSON object")
    simulate_cmd.set_defaults(run=_simulate)
    sensitivity_cmd = commands.add_parser(
        "sensitivity",
        help="scenarios, tornado and break-even values of a case",
        description="One-way sensitivity of NPV to every input, break-even values and the"
        " case's scenarios (conservative, expected, optimistic unless it names its own).",
    )
    sensitivity_cmd.add_argument("case", metavar="CASE", help="case file (.yaml, .yml or .json)")
    sensitivity_cmd.add_argument(
        "--spread", metavar="FRACTION", type=as_option(parse_share), default=0.2,
        help="range of an input without a distribution, as ± a fraction (default 0.2)",
    )  # fmt: skip
    sensitivity_cmd.add_argument(
        "--payback-target", metavar="MONTHS", type=as_option(parse_months), default=None,
        help="also find each input's value at which payback equals MONTHS",
    )  # fmt: skip
    sensitivity_cmd.add_argument("--json", action="store_true", help="print one JSON object")
    sensitivity_cmd.set_defaults(run=_sensitivity)
    infra_cmd = commands.add_parser(
        "infra",
        help="compare serverless and provisioned hosting for a case",
        description="Compare serverless and provisioned hosting for each infrastructure line.",
    )
    infra_cmd.add_argument("case", metavar="CASE", help="case file (.yaml, .yml or .json)")
    infra_cmd.add_argument("--json", action="store_true", help="print one JSON object")
    infra_cmd.set_defaults(run=_infra)
