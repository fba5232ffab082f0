"""A case result as one JSON-ready object (the CLI's ``--json`` output).

Numbers are unrounded floats or ``null``; rates and ratios are fractions (ROI 3.29, not
329); ``nan`` and infinities never appear (serialise with ``allow_nan=False``).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from roi.core.case import BusinessCase
from roi.core.engine import CaseResult, Metrics
from roi.core.hosting import InfrastructureReport
from roi.evidence.pilots import PilotEstimate
from roi.portfolio.budget import BudgetPortfolio
from roi.portfolio.quickwins import Ranking
from roi.reports.tables import annual_rows, monthly_rows

METRIC_KEYS = tuple(field.name for field in dataclasses.fields(Metrics))


def _view(result: CaseResult, risk_adjusted: bool) -> dict[str, Any]:
    out = dataclasses.asdict(result.view(risk_adjusted).metrics)
    out["annual"] = annual_rows(result, risk_adjusted)
    out["monthly"] = monthly_rows(result, risk_adjusted)
    return out


def result_to_dict(result: CaseResult) -> dict[str, Any]:
    """The risk-adjusted figures at the top level, the same keys under ``unadjusted``."""
    case = result.case
    return {
        "name": case.name,
        "currency": case.currency,
        "start": case.start,
        "horizon_years": case.horizon_years,
        "discount_rate": case.discount_rate,
        "discounting": case.discounting,
        "risk_adjusted": True,
        **_view(result, True),
        "unadjusted": _view(result, False),
    }


def result_to_json(result: CaseResult, indent: int | None = 2) -> str:
    """:func:`result_to_dict` as JSON text; raises ``ValueError`` rather than emit ``NaN``."""
    return json.dumps(result_to_dict(result), indent=indent, allow_nan=False, ensure_ascii=False)


def infrastructure_to_dict(case: BusinessCase, reports: list[InfrastructureReport]) -> dict:
    """The `python -m roi infra --json` object: one entry per infrastructure line."""

    items = []
    for report in reports:
        months = len(report.requests)
        serverless = report.serverless_cost
        provisioned = report.provisioned_cost
        instances = report.instances
        rows = [
            {
                "month": m + 1,
                "requests": float(report.requests[m]),
                "serverless_cost": None if serverless is None else float(serverless[m]),
                "provisioned_cost": None if provisioned is None else float(provisioned[m]),
                "instances": None if instances is None else int(instances[m]),
                "chosen": report.chosen[m],
            }
            for m in range(months)
        ]
        items.append(
            {
                "name": report.name,
                "model": report.model,
                "monthly": rows,
                "crossover_requests_per_month": report.crossover.requests_per_month,
                "first_crossover_requests_per_month": report.crossover.first_requests_per_month,
                "crossover_note": report.crossover.note,
                "crossover_month": report.crossover_month,
                "switch_months": list(report.switch_months),
                "pv_serverless": report.pv_serverless,
                "pv_provisioned": report.pv_provisioned,
                "npv_by_model": report.npv_by_model,
            }
        )
    return {"name": case.name, "currency": case.currency, "items": items}


def _estimate_dict(estimate) -> dict:
    return {
        "test": estimate.test,
        "n_baseline": estimate.n_baseline,
        "n_pilot": estimate.n_pilot,
        "baseline_mean": estimate.baseline_mean,
        "pilot_mean": estimate.pilot_mean,
        "effect": estimate.effect,
        "ci_low": estimate.ci_low,
        "ci_high": estimate.ci_high,
        "p_value": estimate.p_value,
        "relative_change": estimate.relative_change,
        "mde": estimate.mde,
        "note": estimate.note,
    }


def pilots_to_dict(estimates: list[PilotEstimate]) -> dict:
    """The `python -m roi pilots --json` object: one headline row per (use case, metric),
    its other tests under ``alternatives``. Effects are pilot − baseline; for ``converted``
    the means are rates; intervals are 95 %."""
    return {
        "estimates": [
            {
                "use_case_id": item.use_case_id,
                "metric": item.metric,
                **_estimate_dict(item.headline),
                "verdict": item.verdict,
                "alternatives": [_estimate_dict(a) for a in item.alternatives],
            }
            for item in estimates
        ]
    }


def ranking_to_dict(ranking: Ranking, portfolio: BudgetPortfolio | None = None) -> dict:
    """The `python -m roi rank --json` object.

    ``ranking`` lists the use cases in rank order (1 = best; equal scores share a rank) with
    value, actionability and score on 0–100, the quadrant, each part (``components``, 0–100)
    and the points it adds to the score (``contributions``), and the probabilities from the
    robustness draws (fractions). Money is in ``currency``. ``portfolio`` is present when a
    budget is given.
    """
    settings = ranking.settings
    out: dict[str, Any] = {
        "currency": ranking.currency,
        "settings": {
            "weights": dataclasses.asdict(settings.weights),
            "value_threshold": settings.value_threshold,
            "actionability_threshold": settings.actionability_threshold,
            "time_half_life_months": settings.time_half_life_months,
            "value_anchor": ranking.anchor,
            "value_anchor_source": ranking.anchor_source,
            "top_k": ranking.top_k,
            "draws": settings.draws,
            "seed": settings.seed,
        },
        "ranking": [
            {
                "use_case_id": row.use_case_id,
                "rank": row.rank,
                "name": row.name,
                "business_function": row.business_function,
                "value": row.value,
                "value_source": row.value_source,
                "npv": row.npv,
                "actionability": row.actionability,
                "score": row.score,
                "quadrant": row.quadrant,
                "p_quick_win": row.p_quick_win,
                "p_top_k": row.p_top_k,
                "estimated_cost": row.estimated_cost,
                "owner": row.owner,
                "team": row.team,
                "change_readiness_source": row.change_readiness_source,
                "components": row.components,
                "contributions": row.contributions,
            }
            for row in ranking.rows
        ],
    }
    if portfolio is not None:
        out["portfolio"] = budget_to_dict(portfolio)
    return out


def budget_to_dict(portfolio: BudgetPortfolio) -> dict:
    """The budgeted portfolio: the chosen ``use_case_id``s (largest NPV first), their total
    estimated cost, summed risk-adjusted NPV and combined payback, the monthly combined net
    cash flow from ``first_start``, and why every other use case is not in the set."""
    return {
        "currency": portfolio.currency,
        "budget": portfolio.budget,
        "max_projects": portfolio.max_projects,
        "chosen": list(portfolio.chosen),
        "total_cost": portfolio.total_cost,
        "npv": portfolio.npv,
        "payback_months": portfolio.payback_months,
        "first_start": portfolio.first_start,
        "net_cash_flow": [float(x) + 0.0 for x in portfolio.net_cash_flow],
        "not_chosen": [{"use_case_id": i, "reason": r} for i, r in portfolio.not_chosen],
        "left_out": [{"use_case_id": i, "reason": r} for i, r in portfolio.left_out],
        "method": portfolio.method,
    }
