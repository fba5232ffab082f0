"""The engine's output tables: the TEI-style annual table and the monthly schedule.

Each table is available as rows (plain dicts, for JSON and CSV) and as a pandas DataFrame
with a fixed column order. Money is in the case's currency, unrounded.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from roi.core.engine import CaseResult, sum_by_year

ANNUAL_ROW_KINDS = ("benefit", "total_benefits", "cost", "total_costs", "net")
MONTHLY_COLUMNS = (
    "period",
    "date",
    "year",
    "adoption",
    "benefits",
    "costs",
    "net",
    "discount_factor",
    "present_value",
    "cumulative_net",
    "cumulative_present_value",
)


def annual_columns(horizon_years: int) -> list[str]:
    """Columns of the annual table: identity, Initial, Year 1..H, Total, Present value."""
    years = [f"year_{y}" for y in range(1, horizon_years + 1)]
    return ["kind", "name", "type", "evidence", "risk", "initial", *years, "total", "present_value"]


def _row(kind: str, name: str, amounts: np.ndarray, by_year: np.ndarray, pv: float, **extra: Any):
    row: dict[str, Any] = {"kind": kind, "name": name, "type": None, "evidence": None, "risk": None}
    row.update(extra)
    row["initial"] = float(amounts[0])
    row.update({f"year_{y}": float(v) for y, v in enumerate(by_year, start=1)})
    row["total"] = float(amounts.sum())
    row["present_value"] = float(pv)
    return row


def annual_rows(result: CaseResult, risk_adjusted: bool = True) -> list[dict[str, Any]]:
    """The annual table: each benefit, Total benefits, each cost, Total costs, Net cash flow.

    Present value per row follows the case's discounting convention; under ``year_end`` it is
    Initial + Σ Year_y / (1 + r)^y, exactly as a TEI study computes it.
    """
    view = result.view(risk_adjusted)
    horizon = result.timeline.horizon_years
    rows: list[dict[str, Any]] = []
    for kind, total_kind, total_name, totals in (
        ("benefit", "total_benefits", "Total benefits", view.benefits),
        ("cost", "total_costs", "Total costs", view.costs),
    ):
        for index, line in enumerate(result.lines):
            if line.kind == kind:
                rows.append(
                    _row(
                        kind,
                        line.name,
                        view.line_amounts[index],
                        view.line_by_year[index],
                        view.line_present_values[index],
                        type=line.type,
                        evidence=line.evidence,
                        risk=line.risk,
                    )
                )
        pv = view.metrics.pv_benefits if kind == "benefit" else view.metrics.pv_costs
        rows.append(_row(total_kind, total_name, totals, sum_by_year(totals, horizon), pv))
    rows.append(
        _row("net", "Net cash flow", view.net, sum_by_year(view.net, horizon), view.metrics.npv)
    )
    return rows


def monthly_rows(result: CaseResult, risk_adjusted: bool = True) -> list[dict[str, Any]]:
    """The monthly schedule, one row per period 0..12·H (period 0 is *Initial*)."""
    view = result.view(risk_adjusted)
    columns = {
        "adoption": result.adoption,
        "benefits": view.benefits,
        "costs": view.costs,
        "net": view.net,
        "discount_factor": result.discount_factors,
        "present_value": view.present_values,
        "cumulative_net": view.cumulative_net,
        "cumulative_present_value": view.cumulative_present_value,
    }
    lists = {name: values.tolist() for name, values in columns.items()}
    years = result.timeline.year_of_period.tolist()
    return [
        {
            "period": period,
            "date": date.isoformat(),
            "year": years[period],
            **{name: values[period] for name, values in lists.items()},
        }
        for period, date in enumerate(result.timeline.dates())
    ]


def annual_frame(result: CaseResult, risk_adjusted: bool = True) -> pd.DataFrame:
    """:func:`annual_rows` as a DataFrame with :func:`annual_columns`."""
    columns = annual_columns(result.timeline.horizon_years)
    return pd.DataFrame(annual_rows(result, risk_adjusted), columns=columns)


def monthly_frame(result: CaseResult, risk_adjusted: bool = True) -> pd.DataFrame:
    """:func:`monthly_rows` as a DataFrame with :data:`MONTHLY_COLUMNS`."""
    return pd.DataFrame(monthly_rows(result, risk_adjusted), columns=list(MONTHLY_COLUMNS))
