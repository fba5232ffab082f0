"""Each driver's formula as an Excel formula of the Assumptions sheet's named inputs and of
the Monthly sheet's period columns: the same formula as the engine's driver
(:mod:`roi.core.drivers`), row by row.

A Monthly row ``r`` has the period m in ``$A{r}`` (0 for the initial period), the year y in
``$C{r}`` (0 for the initial period) and the adoption share a(m) in ``$D{r}``. Yearly growth
and escalation are (1 + g)^max(y − 1, 0); "from month k on" is ``($A{r}>=k)``; ⌈x⌉ is
``-INT(-x)``, with the engine's tolerance of 10⁻⁹ kept. Lines with intermediate quantities
worth seeing (infrastructure: requests, backend requests, serverless and provisioned cost,
instances; usage-billed licences: active users, seats billed, usage, overage, seat and usage
cost) have them as columns of the **Workings** sheet, on the same rows as Monthly, and their
Monthly amount refers to them."""

from __future__ import annotations

from dataclasses import dataclass

from roi.core.pricing import HOURS_PER_MONTH, SECONDS_PER_MONTH
from roi.reports.workbook_inputs import line_prefix, name_of


@dataclass(frozen=True)
class Row:
    """The cells a formula of Monthly row ``r`` refers to; ``first`` is period 0's row."""

    r: int
    first: int

    @property
    def period(self) -> str:
        return f"$A{self.r}"

    @property
    def year(self) -> str:
        return f"$C{self.r}"

    @property
    def adoption(self) -> str:
        return f"Monthly!$D{self.r}"

    def yearly(self, rate: str) -> str:
        """(1 + rate)^(y − 1) in year y, 1 in period 0 and year 1."""
        return f"(1+{rate})^MAX({self.year}-1,0)"

    def from_month(self, month: str) -> str:
        """1 from month ``month`` on, 0 before (and in period 0 for any month ≥ 1)."""
        return f"({self.period}>={month})"

    @property
    def months(self) -> str:
        """1 in months 1.., 0 in period 0."""
        return self.from_month("1")


def _ceil(x: str) -> str:
    """⌈x − 10⁻⁹⌉ + 0, as the engine rounds seats up."""
    return f"(-INT(-({x}-1E-9))+0)"


# --- Adoption -------------------------------------------------------------------------------


def _logistic(row: Row) -> str:
    c, mid, k = (name_of(f"adoption.{f}") for f in ("ceiling", "midpoint_month", "steepness"))
    return f"{c}*(1+TANH(({row.period}-{mid})*{k}/2))/2"


def adoption_formula(case, row: Row) -> str:
    """a(m) of the case's curve: 0 in period 0, 1 in every month without a curve."""
    curve = case.adoption
    if curve is None:
        share = "1"
    elif curve.curve == "logistic":
        share = _logistic(row)
    elif curve.curve == "linear":
        share = f"ADOPTION_CEILING*MIN(1,{row.period}/ADOPTION_MONTHS_TO_CEILING)"
    elif curve.curve == "steps":
        shares = "ADOPTION_SHARES_BY_YEAR"
        share = f"INDEX({shares},MIN({row.year},ROWS({shares})))"
    else:  # measured: the observations where there are some, the fitted S-curve elsewhere
        seen, first = "ADOPTION_OBSERVED", "ADOPTION_FIRST_OBSERVED_MONTH"
        index = f"({row.period}-{first})"
        inside = f"AND({index}>=0,{index}<ROWS({seen}))"
        share = f"IF({inside},INDEX({seen},MAX(1,MIN(ROWS({seen}),{index}+1))),{_logistic(row)})"
    return f"=IF({row.period}=0,0,{share})"


# --- Benefits -------------------------------------------------------------------------------


def _time_saved(p: str, item, row: Row) -> str:
    return (
        f"={p}_ELIGIBLE_USERS*{p}_TASKS_PER_USER_PER_MONTH*{p}_MINUTES_SAVED_PER_TASK/60"
        f"*{p}_LOADED_HOURLY_COST*{p}_PRODUCTIVITY_RECAPTURE*{row.adoption}"
        f"*{row.yearly('ANNUAL_VOLUME_GROWTH')}*{row.yearly(f'{p}_ANNUAL_COST_ESCALATION')}"
    )


def _response_time(p: str, item, row: Row) -> str:
    capacity = (
        f"{p}_VOLUME_PER_MONTH*{p}_MINUTES_SAVED_PER_ITEM/60*{p}_LOADED_HOURLY_COST"
        f"*{row.yearly('ANNUAL_VOLUME_GROWTH')}*{row.yearly(f'{p}_ANNUAL_COST_ESCALATION')}"
    )
    retained = (
        f"{p}_CUSTOMERS*{p}_CHURN_REDUCTION*{p}_ANNUAL_REVENUE_PER_CUSTOMER/12*{p}_GROSS_MARGIN"
    )
    return f"=({capacity}+{retained})*{row.adoption}"


def _conversion_lift(p: str, item, row: Row) -> str:
    return (
        f"={p}_LEADS_PER_MONTH*{p}_CONVERSION_LIFT*{p}_AVERAGE_DEAL_VALUE*{p}_GROSS_MARGIN"
        f"*{row.adoption}*{row.yearly('ANNUAL_VOLUME_GROWTH')}"
    )


def _cost_avoidance(p: str, item, row: Row) -> str:
    return f"={p}_MONTHLY_AMOUNT*{row.adoption}*{row.yearly(f'{p}_ANNUAL_ESCALATION')}"


def _explicit(p: str, item, row: Row) -> str:
    """The initial amount in period 0; a year's amount spread over its twelve months; a
    month's amount in its month. Indexes are kept inside the ranges, so no branch errs."""
    m = row.period
    terms = [f"({m}=0)*{p}_INITIAL"]
    if item.by_year:
        years = f"{p}_BY_YEAR"
        k = f"MAX(1,MIN(ROWS({years}),INT(({m}-1)/12)+1))"
        terms.append(f"({m}>=1)*({m}<=12*ROWS({years}))*INDEX({years},{k})/12")
    if item.by_month:
        months = f"{p}_BY_MONTH"
        terms.append(
            f"({m}>=1)*({m}<=ROWS({months}))*INDEX({months},MAX(1,MIN(ROWS({months}),{m})))"
        )
    return "=" + "+".join(terms)


# --- Costs ----------------------------------------------------------------------------------


def _one_time(p: str, item, row: Row) -> str:
    m, spread = row.period, f"{p}_SPREAD_OVER_MONTHS"
    return f"=IF({spread}=0,({m}=0)*{p}_AMOUNT,({m}>=1)*({m}<={spread})*{p}_AMOUNT/MAX({spread},1))"


def _recurring(p: str, item, row: Row) -> str:
    return (
        f"={p}_MONTHLY_AMOUNT*{row.from_month(f'{p}_START_MONTH')}"
        f"*{row.yearly(f'{p}_ANNUAL_ESCALATION')}"
    )


def _seats_billed(p: str, row: Row) -> str:
    """⌈seats · a(m)⌉ with follow_adoption, else the seats in every month."""
    return f"IF({p}_FOLLOW_ADOPTION,{_ceil(f'{p}_SEATS*{row.adoption}')},{p}_SEATS*{row.months})"


def _per_seat(p: str, item, row: Row) -> str:
    return (
        f"={p}_PRICE_PER_SEAT_PER_MONTH*{_seats_billed(p, row)}"
        f"*{row.yearly(f'{p}_ANNUAL_ESCALATION')}"
    )


def _training(p: str, item, row: Row) -> str:
    """Each newly active user once: the rise of adoption above its highest earlier level."""
    top = f"MAX(Monthly!$D${row.first}:$D{row.r})"
    before = "0" if row.r == row.first else f"MAX(Monthly!$D${row.first}:$D{row.r - 1})"
    return f"={p}_COST_PER_NEW_USER*{p}_ELIGIBLE_USERS*({top}-{before})"


def _staff(p: str, item, row: Row) -> str:
    return (
        f"={p}_FTE*{p}_LOADED_ANNUAL_COST/12*{row.from_month(f'{p}_START_MONTH')}"
        f"*{row.yearly(f'{p}_ANNUAL_ESCALATION')}"
    )


FORMULAS = {
    "time_saved": _time_saved, "response_time": _response_time,
    "conversion_lift": _conversion_lift, "cost_avoidance": _cost_avoidance,
    "explicit": _explicit, "one_time": _one_time, "recurring": _recurring,
    "per_seat": _per_seat, "training": _training, "staff": _staff,
}  # fmt: skip


def line_formula(kind: str, index: int, item, row: Row, workings: dict[str, str]) -> str:
    """Monthly row ``row``'s amount of line ``kind[index]`` (``benefits``/``costs``); for a
    line with workings, a reference to its total there (``workings``: column by key)."""
    if item.type in WORKINGS:
        return f"=Workings!{workings['total']}{row.r}"
    return FORMULAS[item.type](line_prefix(kind, index), item, row)


# --- Workings: infrastructure and usage-billed licences -------------------------------------


def _infrastructure_workings(p: str, item, row: Row, col: dict[str, str]) -> dict[str, str]:
    r = row.r
    if item.requests_per_month is not None:
        requests = f"{p}_REQUESTS_PER_MONTH*{row.yearly('ANNUAL_VOLUME_GROWTH')}*{row.months}"
    else:
        requests = f"{p}_REQUESTS_PER_USER_PER_MONTH*{p}_ELIGIBLE_USERS*{row.adoption}*{row.months}"
    out = {"requests": f"={requests}", "backend": f"={col['requests']}{r}*(1-{p}_CACHE_HIT_RATE)"}
    b = f"{col['backend']}{r}"
    if item.serverless is not None:
        s = f"{p}_SERVERLESS"
        out["serverless"] = (
            f"=({row.months})*(MAX(0,{b}-{s}_FREE_REQUESTS_PER_MONTH)*{s}_PRICE_PER_MILLION_REQUESTS"
            f"/1000000+MAX(0,{b}*{s}_SECONDS_PER_REQUEST*{s}_MEMORY_GB"
            f"-{s}_FREE_GB_SECONDS_PER_MONTH)*{s}_PRICE_PER_GB_SECOND"
            f"+{b}*({s}_INPUT_TOKENS_PER_REQUEST*{s}_PRICE_PER_MILLION_INPUT_TOKENS"
            f"+{s}_OUTPUT_TOKENS_PER_REQUEST*{s}_PRICE_PER_MILLION_OUTPUT_TOKENS)/1000000)"
        )
    if item.provisioned is not None:
        q = f"{p}_PROVISIONED"
        width = (
            f"({SECONDS_PER_MONTH!r}*{q}_CAPACITY_RPS_PER_INSTANCE*{q}_TARGET_UTILIZATION"
            f"/{q}_PEAK_TO_AVERAGE)"
        )
        load = f"({b}/{width})"
        needed = f"IF({load}>0,MAX(-INT(-({load}-1E-9*MAX(1,{load})))+0,1),0)"
        out["instances"] = f"=({row.months})*MAX({q}_MIN_INSTANCES,{needed})"
        out["provisioned"] = (
            f"=({row.months})*({col['instances']}{r}*{q}_HOURLY_PRICE*{HOURS_PER_MONTH!r}"
            f"*(1-{q}_COMMITMENT_DISCOUNT)+{q}_FIXED_MONTHLY_COST)"
        )
    serverless, provisioned = f"{col.get('serverless')}{r}", f"{col.get('provisioned')}{r}"
    if item.serverless is not None and item.provisioned is not None:
        out["total"] = (
            f'=IF({p}_MODEL="serverless",{serverless},IF({p}_MODEL="provisioned",'
            f"{provisioned},MIN({serverless},{provisioned})))"
        )
    else:
        out["total"] = f"={serverless if item.serverless is not None else provisioned}"
    return out


def _unit_price(p: str, item) -> str:
    licence = item.licence
    if licence.price_per_unit is not None:
        return f"{p}_LICENCE_PRICE_PER_UNIT"
    shares = [f"{p}_LICENCE_MODEL{k}_SHARE*{p}_LICENCE_MODEL{k}_PRICE_PER_UNIT"
              for k in range(1, len(licence.models) + 1)]  # fmt: skip
    return "(" + ("+".join(shares) or "0") + ")"


def _expected_excess(m: str, s: str, a: str) -> str:
    """E[max(0, U − A)] of a lognormal U with mean ``m`` and sd ``s`` (see
    :func:`roi.core.drivers.licences.expected_excess`): m·Φ(d₁) − A·Φ(d₁ − σ), with
    σ² = ln(1 + (s/m)²) and d₁ = (ln(m/A) + σ²/2)/σ. (s/m)² is written as a product: a
    power that underflows is an error in LibreOffice, a product is 0."""
    ratio = f"({s}/{m})*({s}/{m})"
    sigma2 = f"LN(1+{ratio})"
    sigma = f"SQRT({sigma2})"
    d1 = f"((LN({m}/{a})+{sigma2}/2)/{sigma})"
    spread = f"{m}*NORMSDIST({d1})-{a}*NORMSDIST({d1}-{sigma})"
    # σ² = 0 (a spread far below the mean: (s/m)² under about 1e-16 here, 1e-308 in the
    # engine's log1p) is no spread; the two differ by less than a cent.
    return (
        f"MAX(IF(AND({s}>0,{m}>0,{a}>0),IF({sigma2}>0,{spread},MAX({m}-{a},0)),MAX({m}-{a},0)),0)"
    )


def _licence_workings(p: str, item, row: Row, col: dict[str, str]) -> dict[str, str]:
    r = row.r
    growth = row.yearly(f"{p}_ANNUAL_USAGE_GROWTH")
    per_user = f"({p}_USAGE_PER_ACTIVE_USER_PER_MONTH*{growth})"
    spread = f"({p}_USAGE_SD_ACROSS_USERS*{growth})"
    included = f"{p}_LICENCE_INCLUDED_UNITS_PER_SEAT"
    active, billed = f"{col['active']}{r}", f"{col['billed']}{r}"
    escalation = row.yearly(f"{p}_ANNUAL_ESCALATION")
    usage_cost = f"{col['overage']}{r}*{_unit_price(p, item)}*{escalation}"
    if item.overage_budget_per_month is not None:
        usage_cost = f"MIN({usage_cost},{p}_OVERAGE_BUDGET_PER_MONTH)"
    return {
        "active": f"={p}_SEATS*{row.adoption}*{row.months}",
        "billed": f"={_seats_billed(p, row)}",
        "usage": f"={active}*{per_user}",
        "overage": (
            f'=IF({p}_LICENCE_ALLOWANCE="pooled",MAX({col["usage"]}{r}-{billed}*{included},0),'
            f"{active}*{_expected_excess(per_user, spread, included)})"
        ),
        "seat_cost": f"={p}_LICENCE_PRICE_PER_SEAT_PER_MONTH*{billed}*{escalation}",
        "usage_cost": f"={usage_cost}",
        "total": f"={col['seat_cost']}{r}+{col['usage_cost']}{r}",
    }


# Each line type with workings: its columns (key, title), in the order they are written.
WORKINGS = {
    "infrastructure": (
        ("requests", "requests"), ("backend", "backend requests (after the cache)"),
        ("serverless", "serverless cost"), ("instances", "instances"),
        ("provisioned", "provisioned cost"), ("total", "cost (the hosting model's)"),
    ),
    "usage_licence": (
        ("active", "active users"), ("billed", "seats billed"), ("usage", "usage (units)"),
        ("overage", "overage (units)"), ("seat_cost", "seat cost"),
        ("usage_cost", "usage cost"), ("total", "cost"),
    ),
}  # fmt: skip


def workings_columns(item) -> tuple[tuple[str, str], ...]:
    """The Workings columns (key, title) line ``item`` has: an infrastructure line only the
    hosting models it has prices for."""
    columns = WORKINGS[item.type]
    if item.type == "infrastructure":
        missing = set()
        if item.serverless is None:
            missing.add("serverless")
        if item.provisioned is None:
            missing |= {"instances", "provisioned"}
        columns = tuple(c for c in columns if c[0] not in missing)
    return columns


def workings_formulas(kind: str, index: int, item, row: Row, col: dict[str, str]) -> dict[str, str]:
    """Row ``row``'s Workings formulas of line ``kind[index]``, by column key."""
    p = line_prefix(kind, index)
    if item.type == "infrastructure":
        return _infrastructure_workings(p, item, row, col)
    return _licence_workings(p, item, row, col)
