"""Command line: ``python -m roi COMMAND``. Each command parses its options, calls the
engine and prints; problems with input go to stderr with exit code 2, never a traceback."""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from roi.adoption.report import analyse, render_report, report_to_dict, team_adoption
from roi.adoption.telemetry import read_telemetry
from roi.core.casefile import CASE_FILE_SUFFIXES, CaseError, Problem, load_case
from roi.core.engine import evaluate
from roi.core.hosting import infrastructure_reports
from roi.culture.instrument import read_invitations, read_items, read_responses
from roi.culture.scores import report_to_dict as survey_to_dict
from roi.culture.scores import survey_report, team_change_readiness
from roi.evidence.pilots import estimate_pilots, parse_mapping, read_observations
from roi.io.csvtable import parse_number
from roi.portfolio.budget import select_portfolio
from roi.portfolio.quickwins import RankSettings, Weights, rank, with_survey_readiness
from roi.portfolio.register import read_register
from roi.reports.exports import adoption_csv, ranking_csv, survey_csv, write_schedules
from roi.reports.jsonreport import (
    infrastructure_to_dict,
    pilots_to_dict,
    ranking_to_dict,
    result_to_json,
)
from roi.reports.onepager import one_pager
from roi.reports.render import (
    render_case,
    render_infrastructure,
    render_pilots,
    render_portfolio,
    render_ranking,
    render_sensitivity,
    render_simulation,
    render_survey,
)
from roi.reports.workbook import workbook_bytes
from roi.uncertainty.sensitivity import break_evens, scenario_results, sensitivity_to_dict, tornado
from roi.uncertainty.simulation import simulate, simulation_to_dict

EXIT_BAD_INPUT = 2


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


def read_mapping(name: str | None):
    """A pilot column mapping file (YAML), validated; ``None`` when not given."""
    if not name:
        return None
    try:
        data = yaml.safe_load(Path(name).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise CaseError(name, [Problem("", f"cannot be read ({error})")]) from None
    return parse_mapping(data, name)


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


def _rank(args: argparse.Namespace) -> int:
    path = Path(args.file)
    register = read_register(read_file(args.file), args.file, path.parent, currency=args.currency)
    if args.survey is not None:
        instrument = read_items(read_file(args.survey_items), args.survey_items)
        responses = read_responses(read_file(args.survey), args.survey, instrument)
        readiness = team_change_readiness(survey_report(responses, instrument))
        register = with_survey_readiness(register, readiness)
    value_threshold, actionability_threshold = args.thresholds
    settings = RankSettings(
        weights=args.weights,
        value_threshold=value_threshold,
        actionability_threshold=actionability_threshold,
        time_half_life_months=args.half_life,
        value_anchor=args.value_anchor,
        top_k=args.top,
        draws=args.draws,
        seed=args.seed,
    )
    ranking = rank(register, settings)
    portfolio = None
    if args.budget is not None:
        portfolio = select_portfolio(register, args.budget, args.max_projects)
    if args.csv is not None:
        _write_text(args.csv, ranking_csv(ranking))
    if args.json:
        print(json.dumps(ranking_to_dict(ranking, portfolio), indent=2, allow_nan=False))
    else:
        print(render_ranking(ranking, portfolio))
    return 0


def _adoption(args: argparse.Namespace) -> int:
    telemetry = read_telemetry(read_file(args.file), args.file, team=args.team)
    try:
        report = analyse(telemetry, args.eligible, args.target, args.period, args.licence_price)
    except ValueError as error:
        raise CaseError("--eligible", [Problem("", str(error))]) from None
    if args.csv is not None:
        _write_text(args.csv, adoption_csv(report))
    if args.json:
        print(json.dumps(report_to_dict(report), indent=2, allow_nan=False))
    else:
        print(render_report(report))
    return 0


def _write_text(name: str, text: str) -> None:
    try:
        Path(name).write_text(text, encoding="utf-8")
    except OSError as error:
        raise CaseError(name, [Problem("", f"cannot be written ({error.strerror})")]) from None


def read_file(name: str) -> bytes:
    try:
        return Path(name).read_bytes()
    except OSError as error:
        raise CaseError(name, [Problem("", f"cannot be read ({error.strerror})")]) from None


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
        _write_text(args.csv, survey_csv(report))
    if args.json:
        print(json.dumps(survey_to_dict(report), indent=2, allow_nan=False))
    else:
        print(render_survey(report))
    return 0


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"must be a share between 0 and 1, got {text!r}") from None
    if not 0 < value < 1:
        raise ValueError(f"must be a share between 0 and 1 (0.8 for 80%), got {text!r}")
    return value


def _months(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"must be a number of months, got {text!r}") from None
    if not 0 < value <= 1200:
        raise ValueError(f"must be more than 0 and at most 1,200 months, got {text!r}")
    return value


def _option(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse type from a parser raising ``ValueError``: the reason becomes the
    usage error (exit 2)."""

    def convert(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return convert


def _amount(text: str) -> float:
    try:
        value = parse_number(text, ",")
    except ValueError as error:
        raise ValueError(f"{error}, got {text!r}") from None
    if not (math.isfinite(value) and 0 <= value <= 1e15):
        raise ValueError(f"must be an amount from 0 to 1e15, got {text!r}")
    return value


def _positive_amount(text: str) -> float:
    value = _amount(text)
    if value <= 0:
        raise ValueError(f"must be an amount > 0, got {text!r}")
    return value


def _count(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise ValueError(f"must be a whole number, got {text!r}") from None
        if not low <= value <= high:
            raise ValueError(f"must be from {low:,} to {high:,}, got {value:,}")
        return value

    return parse


def _thresholds(text: str) -> tuple[float, float]:
    parts = [p.strip() for p in text.split(",")]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 2 or not all(0 <= v <= 100 for v in values):
        raise ValueError(f"must be VALUE,ACTIONABILITY, each from 0 to 100, got {text!r}")
    return values


def _half_life(text: str) -> float:
    value = _positive_amount(text)
    if value > 1200:
        raise ValueError(f"must be at most 1200 months, got {text!r}")
    return value


def _currency(text: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", text):
        raise ValueError(f"must be a three-letter ISO code such as USD, got {text!r}")
    return text


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
        "--draws", metavar="N", type=_option(_count(1, 1_000_000)), default=10_000,
        help="number of draws (default 10000, at most 1000000)",
    )  # fmt: skip
    simulate_cmd.add_argument(
        "--seed", metavar="S", type=_option(_count(0, 2**32 - 1)), default=0,
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
        "--spread", metavar="FRACTION", type=_option(_share), default=0.2,
        help="range of an input without a distribution, as ± a fraction (default 0.2)",
    )  # fmt: skip
    sensitivity_cmd.add_argument(
        "--payback-target", metavar="MONTHS", type=_option(_months), default=None,
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
    rank_cmd = commands.add_parser(
        "rank",
        help="rank use cases by value and actionability; pick a portfolio within a budget",
        description="Rank the use cases of a register (use_cases.csv) into quick wins,"
        " strategic bets, fill-ins and ones to deprioritise, with how sure each place is;"
        " with --budget, choose the most valuable set that fits.",
    )
    rank_cmd.add_argument("file", metavar="FILE", help="use-case register (.csv)")
    rank_cmd.add_argument(
        "--weights",
        metavar="K=V,...",
        type=_option(Weights.parse),
        default=Weights(),
        help="weights by factor column name (value, technical_complexity, data_readiness,"
        " stakeholder_buy_in, strategic_alignment, change_readiness, time_to_value_months,"
        " risk); others keep their defaults",
    )
    rank_cmd.add_argument(
        "--budget",
        metavar="AMOUNT",
        type=_option(_amount),
        help="choose the set with the largest risk-adjusted NPV whose estimated costs fit",
    )
    rank_cmd.add_argument(
        "--max-projects",
        metavar="N",
        type=_option(_count(1, 100_000)),
        help="with --budget: at most N use cases in the set",
    )
    rank_cmd.add_argument(
        "--thresholds",
        metavar="V,A",
        type=_option(_thresholds),
        default=(50.0, 50.0),
        help="quadrant thresholds on the 0-100 value and actionability axes (default 50,50)",
    )
    rank_cmd.add_argument(
        "--value-anchor",
        metavar="AMOUNT",
        type=_option(_positive_amount),
        help="the NPV worth a value of 100 (default: the register's largest)",
    )
    rank_cmd.add_argument(
        "--half-life",
        metavar="MONTHS",
        type=_option(_half_life),
        default=6.0,
        help="months of time to value that halve its score (default 6)",
    )
    rank_cmd.add_argument(
        "--top",
        metavar="K",
        type=_option(_count(1, 100_000)),
        default=5,
        help="report the probability of being in the top K (default 5)",
    )
    rank_cmd.add_argument(
        "--draws",
        metavar="N",
        type=_option(_count(0, 1_000_000)),
        default=10_000,
        help="robustness draws (default 10000; 0 skips them)",
    )
    rank_cmd.add_argument(
        "--seed", metavar="N", type=_option(_count(0, 2**32 - 1)), default=0,
        help="random seed of the draws (default 0)",
    )  # fmt: skip
    rank_cmd.add_argument(
        "--currency",
        metavar="CODE",
        type=_option(_currency),
        default="USD",
        help="currency the register reports in (default USD)",
    )
    rank_cmd.add_argument(
        "--survey",
        metavar="RESPONSES",
        help="culture survey responses: a use case with a team and a blank change_readiness"
        " takes the team's survey readiness (needs --survey-items)",
    )
    rank_cmd.add_argument("--survey-items", metavar="ITEMS", help="the survey's survey_items.csv")
    rank_cmd.add_argument("--csv", metavar="FILE", help="also write the ranking as CSV to FILE")
    rank_cmd.add_argument("--json", action="store_true", help="print one JSON object")
    rank_cmd.set_defaults(run=_rank)
    adoption_cmd = commands.add_parser(
        "adoption",
        help="adoption metrics and forecast from a telemetry export",
        description="Detect the format of an adoption export (GitHub Copilot metrics or usage"
        " JSON, Microsoft 365 Copilot usage CSV, or adoption.csv), report adoption, usage and"
        " data-quality problems, and forecast each team's adoption with an S-curve.",
    )
    adoption_cmd.add_argument("file", metavar="FILE", help="telemetry export (.json or .csv)")
    adoption_cmd.add_argument(
        "--team", metavar="NAME", help="team name for exports that carry none (default: all)"
    )
    adoption_cmd.add_argument(
        "--eligible",
        metavar="N",
        type=_option(_positive_amount),
        help="eligible users, for exports without them (GitHub, Microsoft 365)",
    )
    adoption_cmd.add_argument(
        "--target",
        metavar="SHARE",
        type=_option(_share),
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
        type=_option(_amount),
        help="price of one licence per month, to cost idle licences",
    )
    adoption_cmd.add_argument(
        "--csv", metavar="FILE", help="also write the series per period and team as CSV to FILE"
    )
    adoption_cmd.add_argument("--json", action="store_true", help="print one JSON object")
    adoption_cmd.set_defaults(run=_adoption)
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
        type=_option(_count(3, 1000)),
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
    from roi.cli.db import add_db_commands

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
