"""``portfolio`` (every case file of a folder, all or none) and ``rank`` (the use-case
register's quick wins, rank robustness and, with ``--budget``, the portfolio that fits)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from roi.cli.common import (
    EXIT_BAD_INPUT,
    as_option,
    count_between,
    parse_amount,
    parse_currency,
    parse_half_life,
    parse_positive_amount,
    parse_thresholds,
    read_file,
    write_text,
)
from roi.core.casefile import CASE_FILE_SUFFIXES, load_case
from roi.core.engine import evaluate
from roi.culture.instrument import read_items, read_responses
from roi.culture.report import survey_report, team_change_readiness
from roi.io.problems import CaseError, Problem
from roi.portfolio.budget import select_portfolio
from roi.portfolio.quickwins import RankSettings, Weights, rank, with_survey_readiness
from roi.portfolio.register import read_register
from roi.reports.exports import ranking_csv
from roi.reports.jsonreport import ranking_to_dict
from roi.reports.render import render_portfolio, render_ranking


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
        write_text(args.csv, ranking_csv(ranking))
    if args.json:
        print(json.dumps(ranking_to_dict(ranking, portfolio), indent=2, allow_nan=False))
    else:
        print(render_ranking(ranking, portfolio))
    return 0


def add_portfolio_commands(commands: argparse._SubParsersAction) -> None:
    """Register portfolio (every case file of a folder) and rank (quick wins and the
    budgeted portfolio of a use-case register)."""
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
        type=as_option(Weights.parse),
        default=Weights(),
        help="weights by factor column name (value, technical_complexity, data_readiness,"
        " stakeholder_buy_in, strategic_alignment, change_readiness, time_to_value_months,"
        " risk); others keep their defaults",
    )
    rank_cmd.add_argument(
        "--budget",
        metavar="AMOUNT",
        type=as_option(parse_amount),
        help="choose the set with the largest risk-adjusted NPV whose estimated costs fit",
    )
    rank_cmd.add_argument(
        "--max-projects",
        metavar="N",
        type=as_option(count_between(1, 100_000)),
        help="with --budget: at most N use cases in the set",
    )
    rank_cmd.add_argument(
        "--thresholds",
        metavar="V,A",
        type=as_option(parse_thresholds),
        default=(50.0, 50.0),
        help="quadrant thresholds on the 0-100 value and actionability axes (default 50,50)",
    )
    rank_cmd.add_argument(
        "--value-anchor",
        metavar="AMOUNT",
        type=as_option(parse_positive_amount),
        help="the NPV worth a value of 100 (default: the register's largest)",
    )
    rank_cmd.add_argument(
        "--half-life",
        metavar="MONTHS",
        type=as_option(parse_half_life),
        default=6.0,
        help="months of time to value that halve its score (default 6)",
    )
    rank_cmd.add_argument(
        "--top",
        metavar="K",
        type=as_option(count_between(1, 100_000)),
        default=5,
        help="report the probability of being in the top K (default 5)",
    )
    rank_cmd.add_argument(
        "--draws",
        metavar="N",
        type=as_option(count_between(0, 1_000_000)),
        default=10_000,
        help="robustness draws (default 10000; 0 skips them)",
    )
    rank_cmd.add_argument(
        "--seed", metavar="N", type=as_option(count_between(0, 2**32 - 1)), default=0,
        help="random seed of the draws (default 0)",
    )  # fmt: skip
    rank_cmd.add_argument(
        "--currency",
        metavar="CODE",
        type=as_option(parse_currency),
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
