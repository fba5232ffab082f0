"""Scenario levers: the handful of inputs an executive moves, applied to a case.

A :class:`Levers` value describes a scenario relative to a case: absolute values for the
adoption ceiling and ramp, the discount rate and productivity recapture; scales (1.0 = as
planned) for volumes, minutes saved and hourly costs; and risk points added to every line
item's ρ. :func:`apply_levers` turns case + levers into a new, validated case, so every
scenario figure comes from the same engine as the plan. Levers travel in a URL as a short
query string (:func:`levers_to_query`, :func:`levers_from_query`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from roi.core.case import BusinessCase
from roi.core.casefile import parse_case
from roi.core.curves import LinearAdoption, LogisticAdoption, MeasuredAdoption, StepAdoption
from roi.core.links import values_from_query

VOLUME_FIELDS = (
    "tasks_per_user_per_month",
    "volume_per_month",
    "leads_per_month",
    "requests_per_month",
    "requests_per_user_per_month",
)
MINUTES_FIELDS = ("minutes_saved_per_task", "minutes_saved_per_item")
HOURLY_COST_FIELDS = ("loaded_hourly_cost",)
MAX_RISK = 0.9


@dataclass(frozen=True)
class Levers:
    """A scenario's inputs. ``None`` means the lever does not apply to the case.

    Attributes
    ----------
    adoption_ceiling : float
        Highest share of eligible users active, 0 to 1.
    ramp_months : float or None
        Logistic: month of half the ceiling; linear: month the ceiling is reached; ``None``
        for yearly steps or no curve.
    volume_scale, minutes_saved_scale, hourly_cost_scale : float
        Multipliers on every volume of work, every minutes-saved input and every loaded
        hourly cost (1.0 = as in the case).
    productivity_recapture : float or None
        Share of saved time turned into value, set on every ``time_saved`` line; ``None``
        when the case has none.
    discount_rate : float
        Annual discount rate as a fraction.
    risk_points : float
        Added to every line item's risk factor ρ, then clipped to [0, 0.9].
    """

    adoption_ceiling: float
    ramp_months: float | None
    volume_scale: float
    minutes_saved_scale: float
    hourly_cost_scale: float
    productivity_recapture: float | None
    discount_rate: float
    risk_points: float


@dataclass(frozen=True)
class LeverRange:
    """Slider bounds and step for a lever, in the lever's own unit."""

    low: float
    high: float
    step: float


LEVER_RANGES: dict[str, LeverRange] = {
    "adoption_ceiling": LeverRange(0.05, 1.0, 0.05),
    "volume_scale": LeverRange(0.25, 3.0, 0.05),
    "minutes_saved_scale": LeverRange(0.0, 3.0, 0.05),
    "hourly_cost_scale": LeverRange(0.5, 2.0, 0.05),
    "productivity_recapture": LeverRange(0.0, 1.0, 0.05),
    "discount_rate": LeverRange(0.0, 0.30, 0.005),
    "risk_points": LeverRange(-0.3, 0.5, 0.05),
}

# Short names used in links; the order is the order in the query string.
QUERY_KEYS: dict[str, str] = {
    "adoption_ceiling": "ceiling",
    "ramp_months": "ramp",
    "volume_scale": "volume",
    "minutes_saved_scale": "minutes",
    "hourly_cost_scale": "cost",
    "productivity_recapture": "recapture",
    "discount_rate": "rate",
    "risk_points": "risk",
}


def ramp_range(case: BusinessCase) -> LeverRange | None:
    """Slider bounds for the ramp: months 1 to the horizon's last month (whole months for
    a linear ramp, half months for a logistic midpoint)."""
    curve = case.adoption
    last = float(12 * case.horizon_years)
    if isinstance(curve, LogisticAdoption | MeasuredAdoption):
        return LeverRange(0.5, max(last, curve.midpoint_month), 0.5)
    if isinstance(curve, LinearAdoption):
        return LeverRange(1.0, max(last, float(curve.months_to_ceiling)), 1.0)
    return None


def _has_any(case: BusinessCase, names: tuple[str, ...]) -> bool:
    return any(
        name in type(item).model_fields for item in (*case.benefits, *case.costs) for name in names
    )


def lever_ranges(case: BusinessCase) -> dict[str, LeverRange]:
    """Slider bounds of the levers that act on ``case``, each widened if needed so that
    the case's own value lies inside. A lever that would change nothing (no line item it
    acts on) is left out."""
    plan = levers_of(case)
    applies = {
        "adoption_ceiling": True,
        "volume_scale": _has_any(case, VOLUME_FIELDS),
        "minutes_saved_scale": _has_any(case, MINUTES_FIELDS),
        "hourly_cost_scale": _has_any(case, HOURLY_COST_FIELDS),
        "productivity_recapture": plan.productivity_recapture is not None,
        "discount_rate": True,
        "risk_points": True,
    }
    ranges: dict[str, LeverRange] = {}
    for name in QUERY_KEYS:
        bounds = ramp_range(case) if name == "ramp_months" else LEVER_RANGES[name]
        if bounds is None or not applies.get(name, True):
            continue
        value = getattr(plan, name)
        ranges[name] = LeverRange(min(bounds.low, value), max(bounds.high, value), bounds.step)
    return ranges


def _time_saved(case: BusinessCase) -> list[Any]:
    return [item for item in case.benefits if item.type == "time_saved"]


def levers_of(case: BusinessCase) -> Levers:
    """The levers that reproduce ``case`` unchanged."""
    curve = case.adoption
    if isinstance(curve, LogisticAdoption | LinearAdoption | MeasuredAdoption):
        ceiling = curve.ceiling
    elif isinstance(curve, StepAdoption):
        ceiling = max(curve.shares_by_year)
    else:
        ceiling = 1.0
    ramp: float | None = None
    if isinstance(curve, LogisticAdoption | MeasuredAdoption):
        ramp = curve.midpoint_month
    elif isinstance(curve, LinearAdoption):
        ramp = float(curve.months_to_ceiling)
    recapture = [item.productivity_recapture for item in _time_saved(case)]
    return Levers(
        adoption_ceiling=ceiling,
        ramp_months=ramp,
        volume_scale=1.0,
        minutes_saved_scale=1.0,
        hourly_cost_scale=1.0,
        productivity_recapture=recapture[0] if recapture else None,
        discount_rate=case.discount_rate,
        risk_points=0.0,
    )


def _adoption(case: BusinessCase, levers: Levers) -> dict[str, Any] | None:
    curve = case.adoption
    ceiling = levers.adoption_ceiling
    if curve is None:
        if ceiling == 1.0:
            return None
        return {"curve": "steps", "shares_by_year": [ceiling]}
    data = curve.model_dump()
    if isinstance(curve, StepAdoption):
        top = max(curve.shares_by_year)
        factor = ceiling / top if top > 0 else 0.0
        data["shares_by_year"] = [min(1.0, share * factor) for share in curve.shares_by_year]
        return data
    data["ceiling"] = ceiling
    if levers.ramp_months is not None:
        if isinstance(curve, LinearAdoption):
            data["months_to_ceiling"] = max(1, round(levers.ramp_months))
        else:
            data["midpoint_month"] = levers.ramp_months
    return data


def _line(item: Any, levers: Levers) -> dict[str, Any]:
    data = item.model_dump()
    for names, scale in (
        (VOLUME_FIELDS, levers.volume_scale),
        (MINUTES_FIELDS, levers.minutes_saved_scale),
        (HOURLY_COST_FIELDS, levers.hourly_cost_scale),
    ):
        for name in names:
            if data.get(name) is not None:  # optional inputs (e.g. one of two volumes)
                data[name] = data[name] * scale
    if item.type == "time_saved" and levers.productivity_recapture is not None:
        data["productivity_recapture"] = levers.productivity_recapture
    data["risk"] = min(MAX_RISK, max(0.0, item.risk + levers.risk_points))
    return data


def apply_levers(case: BusinessCase, levers: Levers) -> BusinessCase:
    """A new case: ``case`` with the scenario's levers applied, validated.

    Raises
    ------
    roi.core.casefile.CaseError
        When the levers take an input outside its valid range.
    """
    data = case.model_dump()
    data["discount_rate"] = levers.discount_rate
    data["adoption"] = _adoption(case, levers)
    data["benefits"] = [_line(item, levers) for item in case.benefits]
    data["costs"] = [_line(item, levers) for item in case.costs]
    return parse_case(data, source="scenario")


def levers_to_query(case: BusinessCase, levers: Levers) -> dict[str, str]:
    """Levers as URL query parameters, only those that act on ``case``; floats written with
    ``repr`` so that they round-trip exactly."""
    ranges = lever_ranges(case)
    return {
        key: repr(float(getattr(levers, name)))
        for name, key in QUERY_KEYS.items()
        if name in ranges and getattr(levers, name) is not None
    }


@dataclass(frozen=True)
class QueryResult:
    """Levers read from a link, and what in the link was ignored (with why)."""

    levers: Levers
    ignored: tuple[str, ...]


def levers_from_query(case: BusinessCase, query: Mapping[str, str]) -> QueryResult:
    """Levers from a link's query parameters, starting from the case's own levers.

    A parameter that is not a finite number, lies outside its slider's range or does not
    apply to the case is ignored, and the reason is returned, so a stale or hand-edited link
    still opens on valid figures. Unknown parameters are left alone (they belong to others).
    """
    base = levers_of(case)
    bounds = {name: (r.low, r.high) for name, r in lever_ranges(case).items()}
    values, ignored = values_from_query(query, QUERY_KEYS, bounds, "to this case")
    return QueryResult(replace(base, **values), ignored)


LEVER_NAMES = tuple(field.name for field in fields(Levers))
