"""A case result as one JSON-ready object (the CLI's ``--json`` output).

Numbers are unrounded floats or ``null``; rates and ratios are fractions (ROI 3.29, not
329); ``nan`` and infinities never appear (serialise with ``allow_nan=False``).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from roi.engine import CaseResult, Metrics
from roi.tables import annual_rows, monthly_rows

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
