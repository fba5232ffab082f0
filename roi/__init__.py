"""AI ROI engine: business cases evaluated with auditable finance conventions.

The public API::

    from roi import load_case, evaluate
    result = evaluate(load_case("sample_data/cases/lead_scoring.yaml"))
    result.risk_adjusted.metrics.npv

The engine's packages, from the bottom layer up (each imports only the ones before it;
``tests/test_architecture.py`` holds the table): ``io`` (problems, CSV reading,
formatting), ``core`` (finance, the case model and its files, drivers, the engine,
scenario levers), ``uncertainty`` (simulation, sensitivity), ``evidence`` (pilots),
``adoption`` (telemetry, usage, forecast), ``culture`` (surveys), ``portfolio`` (register,
quick wins, budget), ``reports`` (tables, exports, workbook, one-pager, PDF), ``access``
(roles), ``store`` (saved work), ``cli``. This module is the curated public API.
"""

from roi.core.case import BusinessCase
from roi.core.casefile import dump_case, load_case, parse_case
from roi.core.curves import LinearAdoption, LogisticAdoption, StepAdoption, adoption_by_period
from roi.core.engine import CaseResult, CaseView, LineInfo, Metrics, evaluate, evaluate_many
from roi.core.finance import IrrResult, discount_factors, irr, npv, payback_periods
from roi.core.totals import PortfolioTotals, portfolio_totals
from roi.io.problems import CaseError, Problem
from roi.reports.jsonreport import result_to_dict, result_to_json
from roi.reports.tables import annual_frame, annual_rows, monthly_frame, monthly_rows

__all__ = [
    "BusinessCase",
    "CaseError",
    "CaseResult",
    "CaseView",
    "IrrResult",
    "LineInfo",
    "LinearAdoption",
    "LogisticAdoption",
    "Metrics",
    "PortfolioTotals",
    "Problem",
    "StepAdoption",
    "adoption_by_period",
    "annual_frame",
    "annual_rows",
    "discount_factors",
    "dump_case",
    "evaluate",
    "evaluate_many",
    "irr",
    "load_case",
    "monthly_frame",
    "monthly_rows",
    "npv",
    "parse_case",
    "payback_periods",
    "portfolio_totals",
    "result_to_dict",
    "result_to_json",
]
