"""What usage-billed licences cost, read from telemetry: the units each active user uses a
month (:func:`measured_usage`; :func:`as_case_input` writes it as a ``usage_licence``
line's fields and :func:`with_measured_usage` puts it in a case), spend by team or model
(:func:`spend_by`), cost per active user by month (:func:`cost_per_active_user`) and seats
nobody used lately (:func:`idle_seats`).

Conventions:

- **A user-month** is one user in one calendar month: the sum of a figure (``credits``,
  ``requests``, ``tokens``, ``cost``) over the user's days of ``Telemetry.user_days`` in that
  month. A user counts as active in a month when active on any of its days, or when they
  used any of the figure that month (their usage is billed whether or not the source flags
  them active; such user-months are counted in ``usage_without_activity``). A user-month
  whose days all lack the figure is left out (no figure is not zero usage). A user listed
  twice on one day (under two teams) counts once, the last row kept.
- **Complete months only.** A calendar month counts when the export covers each of its days
  (from the report's ``period`` where it states one, else from the first to the last date
  of its rows). A partial month would understate a month's usage by the days it misses,
  and scaling it up would assume usage spreads evenly over the month (it does not: new
  users ramp up, agents run in bursts), so partial months are left out and named.
- **Spend** is the vendor's reported ``cost`` in ``Telemetry.currency``; licence prices
  passed in are taken to be in the same currency.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from roi.adoption.formats.common import Telemetry

UNIT_FIGURES = ("cost", "credits", "requests", "tokens")
Z95 = 1.6448536269514722  # the standard normal's 95th percentile
DIGITS = 4  # significant digits of the figures written into a case


@dataclass(frozen=True)
class MonthUsage:
    """One complete calendar month (``YYYY-MM``): its active users, their total units and
    the mean per active user."""

    month: str
    active_users: int
    total: float
    mean: float


@dataclass(frozen=True)
class MeasuredUsage:
    """Units of ``figure`` per active user per month, over the user-months of the complete
    months. ``sd`` is the standard deviation across user-months (``None`` with a single
    one); percentiles are of the user-months (linear interpolation)."""

    figure: str
    label: str
    mean: float
    sd: float | None
    p10: float
    p50: float
    p90: float
    user_months: int
    users: int
    months: tuple[MonthUsage, ...]
    partial_months: tuple[str, ...]
    usage_without_activity: int
    without_figure: int
    source: str


def _coverage(telemetry: Telemetry, dates: pd.Series) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first and last day the export covers: its stated period and its rows' dates."""
    first, last = dates.min(), dates.max()
    if telemetry.period is not None:
        first = min(first, pd.Timestamp(telemetry.period[0]))
        last = max(last, pd.Timestamp(telemetry.period[1]))
    return first.normalize(), last.normalize()


def _complete(month: pd.Period, first: pd.Timestamp, last: pd.Timestamp) -> bool:
    return month.start_time >= first and month.end_time.normalize() <= last


def _user_months(frame: pd.DataFrame, figure: str) -> pd.DataFrame:
    """One row per (month, user): the figure's sum (NaN when no day has it), whether the
    user was flagged active on any day, and whether they count as active."""
    rows = frame.drop_duplicates(["date", "user"], keep="last")
    rows = rows.assign(month=rows["date"].dt.to_period("M"))
    grouped = rows.groupby(["month", "user"], sort=True)
    out = pd.DataFrame(
        {"units": grouped[figure].sum(min_count=1), "flagged": grouped["active"].any()}
    ).reset_index()
    out["counted"] = out["flagged"] | (out["units"].fillna(0.0) > 0)
    return out


def _significant(value: float) -> float:
    return float(f"{value:.{DIGITS}g}") if math.isfinite(value) and value != 0 else value


def measured_usage(telemetry: Telemetry, figure: str) -> MeasuredUsage | None:
    """Units of ``figure`` each active user uses in a month, from ``Telemetry.user_days``.

    ``None`` when the export has no per-user days, no such figure, or no complete calendar
    month with an active user who has it. Raises ``ValueError`` for a figure that is not
    one of :data:`UNIT_FIGURES`.
    """
    if figure not in UNIT_FIGURES:
        raise ValueError(f"figure must be one of {', '.join(UNIT_FIGURES)}, got {figure!r}")
    frame = telemetry.user_days
    if frame is None or frame.empty or figure not in frame or frame[figure].isna().all():
        return None
    first, last = _coverage(telemetry, frame["date"])
    table = _user_months(frame, figure)
    table = table[table["counted"]]
    complete = table["month"].map(lambda month: _complete(month, first, last)).astype(bool)
    partial = tuple(sorted({str(m) for m in table.loc[~complete, "month"]}))
    table = table[complete]
    without = int(table["units"].isna().sum())
    table = table[table["units"].notna()]
    if table.empty:
        return None
    units = table["units"].to_numpy(dtype=float)
    months = tuple(
        MonthUsage(
            str(month), len(group), float(group["units"].sum()), float(group["units"].mean())
        )
        for month, group in table.groupby("month", sort=True)
    )
    p10, p50, p90 = (float(v) for v in np.percentile(units, [10, 50, 90]))
    sd = float(np.std(units, ddof=1)) if units.size > 1 else None
    measured = MeasuredUsage(
        figure=figure,
        label=telemetry.label(figure),
        mean=float(units.mean()),
        sd=sd,
        p10=p10,
        p50=p50,
        p90=p90,
        user_months=int(units.size),
        users=int(table["user"].nunique()),
        months=months,
        partial_months=partial,
        usage_without_activity=int((~table["flagged"]).sum()),
        without_figure=without,
        source="",
    )
    return _with_source(measured, telemetry)


def measured_figures(telemetry: Telemetry) -> dict[str, MeasuredUsage]:
    """The figures of :data:`UNIT_FIGURES` the export measures per active user a month
    (:func:`measured_usage`), leaving out those nobody used (GitHub writes 0 CLI requests
    for a user without CLI use: a mean of 0 is no usage to bill)."""
    found = {figure: measured_usage(telemetry, figure) for figure in UNIT_FIGURES}
    return {
        figure: measured
        for figure, measured in found.items()
        if measured is not None and measured.p90 + measured.mean > 0
    }


def _with_source(measured: MeasuredUsage, telemetry: Telemetry) -> MeasuredUsage:
    spread = "" if measured.sd is None else f", sd {measured.sd:,.4g} across users"
    span = measured.months[0].month
    if len(measured.months) > 1:
        span += f" to {measured.months[-1].month}"
    text = (
        f"{telemetry.source} ({telemetry.format_name}), {measured.figure} per active user a"
        f" month: mean {measured.mean:,.4g}{spread}, p10/p50/p90 {measured.p10:,.4g} /"
        f" {measured.p50:,.4g} / {measured.p90:,.4g}; n = {measured.user_months:,} user-months"
        f" of {measured.users:,} users over {len(measured.months)} complete month(s), {span}"
    )
    if measured.partial_months:
        text += f"; partial months left out: {', '.join(measured.partial_months)}"
    return MeasuredUsage(**{**measured.__dict__, "source": text + "."})


def level_sd(measured: MeasuredUsage) -> tuple[float | None, str]:
    """How uncertain the average per active user is, as a standard deviation, and what it
    is: with two complete months or more, the standard deviation of the monthly means (how
    far a month's average strays from the overall one: drift and new users included); with
    one month, the standard error of its mean, sd / √n (sampling only: month-to-month change
    is not measured). ``None`` when neither can be had (a single user-month)."""
    means = [month.mean for month in measured.months]
    if len(means) >= 2:
        return float(np.std(means, ddof=1)), f"sd of the {len(means)} monthly means"
    if measured.sd is not None:
        return measured.sd / math.sqrt(measured.user_months), "standard error of one month"
    return None, "a single user-month"


def as_case_input(measured: MeasuredUsage, line: int | None = None) -> dict:
    """What a measurement writes into a ``usage_licence`` cost line: ``fields`` (the mean
    as ``usage_per_active_user_per_month``, the spread across users as
    ``usage_sd_across_users``, ``evidence: measured`` and a ``source``) and ``uncertainty``,
    a list of the one entry in the case file's distribution syntax for the mean (empty when
    its uncertainty cannot be measured), for ``costs[line]`` (without ``input`` when
    ``line`` is ``None``: the caller adds it). Figures at four significant digits.

    The spread across users and the uncertainty of the mean are different things: the
    first is how unevenly people use the tool (it sets a per-user allowance's overage), the
    second how well the average is known (:func:`level_sd`). The entry is a ``lognormal``
    with that mean and standard deviation (usage cannot fall below 0 and may run high),
    written as its 5th and 95th percentiles.
    """
    fields = {
        "usage_per_active_user_per_month": _significant(measured.mean),
        "usage_sd_across_users": _significant(measured.sd or 0.0),
        "evidence": "measured",
        "source": measured.source,
    }
    sd, what = level_sd(measured)
    entries: list[dict] = []
    if sd is not None and sd > 0 and measured.mean > 0:
        sigma = math.sqrt(math.log1p((sd / measured.mean) ** 2))
        median = measured.mean * math.exp(-(sigma**2) / 2)
        entry = {
            "distribution": "lognormal",
            "low": _significant(median * math.exp(-Z95 * sigma)),
            "high": _significant(median * math.exp(Z95 * sigma)),
        }
        if line is not None:
            entry = {"input": f"costs[{line}].usage_per_active_user_per_month", **entry}
        entries.append(entry)
        fields["source"] += f" Uncertainty of the mean: {what}, {sd:,.4g}."
    return {"fields": fields, "uncertainty": entries}


# The word a licence's ``unit`` holds when it bills what a measured figure counts.
UNIT_WORDS = {"credits": "credit", "requests": "request", "tokens": "token"}


def usage_lines(case) -> list[int]:
    """The indexes of ``case.costs`` that are ``usage_licence`` lines."""
    return [i for i, item in enumerate(case.costs) if item.type == "usage_licence"]


def with_measured_usage(case, measured: MeasuredUsage, line: int | None = None):
    """``case`` with ``costs[line]`` (a ``usage_licence`` line; by default the case's only
    one) taking the measured usage per active user, its spread across users, ``evidence:
    measured``, the measurement's source and the uncertainty of its mean
    (:func:`as_case_input`), replacing any earlier distribution of that input. Validated
    like any case.

    Raises
    ------
    ValueError
        When the case has no ``usage_licence`` line, has several and ``line`` is not given,
        ``line`` is not one, or the line's licence bills a unit the figure does not count
        (``requests`` measured for a line priced per AI credit).
    """
    from roi.core.casefile import parse_case
    from roi.core.distributions import replace_uncertainty

    lines = usage_lines(case)
    if not lines:
        raise ValueError(
            "the case has no usage_licence cost line to take the measured usage: add one"
            " (seats, licence pricing) first"
        )
    if line is None:
        if len(lines) > 1:
            raise ValueError(
                f"the case has {len(lines)} usage_licence lines (costs"
                f" {', '.join(map(str, lines))}): say which takes the measured usage"
            )
        line = lines[0]
    if line not in lines:
        raise ValueError(
            f"costs[{line}] is not a usage_licence line (those are costs"
            f" {', '.join(map(str, lines))})"
        )
    unit = case.costs[line].licence.unit
    word = UNIT_WORDS.get(measured.figure)
    if unit and word and word not in unit.casefold():
        raise ValueError(
            f"costs[{line}] ({case.costs[line].name}) is billed in {unit!r}, and the"
            f" measurement counts {measured.figure}: measure the figure the licence bills"
        )
    written = as_case_input(measured, line)
    data = case.model_dump()
    data["costs"][line] = data["costs"][line] | written["fields"]
    data = replace_uncertainty(data, written["uncertainty"])
    if not written["uncertainty"]:  # no measured uncertainty: an assumed one would mislead
        path = f"costs[{line}].usage_per_active_user_per_month"
        data["uncertainty"] = [u for u in data["uncertainty"] if u["input"] != path]
    return parse_case(data, source="measured usage")


def spend_by(telemetry: Telemetry, by: Literal["team", "model"]) -> pd.DataFrame:
    """Spend (``cost``) and units (``credits``, ``requests``, ``tokens``, those the export
    has) summed over the export by ``team`` (from the daily table) or by ``model`` (from the
    breakdown's ``model`` rows), with ``cost_share`` (each row's share of the spend, where
    spend is reported), most spend first. No rows when the export has no such figures; the
    currency is in ``attrs["currency"]``.
    """
    if by not in ("team", "model"):
        raise ValueError(f"by must be one of 'team', 'model', got {by!r}")
    if by == "team":
        frame = telemetry.daily
        columns = [f for f in UNIT_FIGURES if f in frame and frame[f].notna().any()]
        table = frame.groupby("team", sort=True)[columns].sum(min_count=1)
    else:
        rows = telemetry.breakdown
        if rows is not None:
            rows = rows[(rows["dimension"] == "model") & rows["figure"].isin(UNIT_FIGURES)]
        if rows is None or rows.empty:
            table = pd.DataFrame(columns=["cost"], index=pd.Index([], name="key"))
        else:
            table = rows.pivot_table(index="key", columns="figure", values="value", aggfunc="sum")
        table = table[[f for f in UNIT_FIGURES if f in table.columns]]
    table = table.rename_axis(by).astype(float)
    if "cost" in table and table["cost"].notna().any():
        total = table["cost"].sum()
        table["cost_share"] = table["cost"] / total if total > 0 else np.nan
        table = table.sort_values("cost", ascending=False, kind="stable", na_position="last")
    out = table.reset_index()
    out.attrs["currency"] = telemetry.currency
    return out


@dataclass(frozen=True)
class MonthCost:
    """A calendar month's spend per active user: the vendor's reported spend plus the
    licences (``licence_price`` · ``seats``), divided by the month's active users. ``None``
    where a part is not known, with ``note`` saying what is missing or partial."""

    month: str
    complete: bool
    active_users: int | None
    active_basis: str | None
    seats: int | None
    reported_spend: float | None
    licence_spend: float | None
    total_spend: float | None
    cost_per_active_user: float | None
    note: str | None


def _active_by_month(telemetry: Telemetry) -> dict[pd.Period, tuple[int, str]]:
    """Active users per calendar month: distinct users from per-user days, else the sum over
    teams of the trailing 28-day active users on the month's last day with data."""
    days = telemetry.user_days
    if days is not None and not days.empty:
        used = days[[f for f in UNIT_FIGURES if f in days]].fillna(0.0).gt(0).any(axis=1)
        active = days[days["active"] | used]
        counts = active.groupby(active["date"].dt.to_period("M"))["user"].nunique()
        months = days["date"].dt.to_period("M").unique()
        return {m: (int(counts.get(m, 0)), "distinct users active in the month") for m in months}
    daily = telemetry.daily
    rows = daily[daily["monthly_active_users"].notna()]
    out = {}
    for month, group in rows.groupby(rows["date"].dt.to_period("M")):
        last = group[group["date"] == group["date"].max()]
        basis = f"28-day active users on {group['date'].max().date().isoformat()}"
        out[month] = (int(last["monthly_active_users"].sum()), basis)
    return out


def cost_per_active_user(
    telemetry: Telemetry, licence_price: float | None, seats: int | None = None
) -> list[MonthCost]:
    """Per calendar month of the export: reported spend, licence spend (``licence_price`` a
    seat a month, in the export's currency, times the seats: ``seats`` when given (the
    seats bought: per-user reports list only those who used the tool), else the month's
    highest daily ``licensed_users``, summed over teams) and their total divided by the active users
    (see :func:`_active_by_month`). A partial month's reported spend covers only its days
    while its licences are a whole month's: it is marked ``complete = False``."""
    if licence_price is not None and not (math.isfinite(licence_price) and licence_price >= 0):
        raise ValueError(f"licence_price must be a number ≥ 0, got {licence_price!r}")
    daily = telemetry.daily
    if daily.empty:
        return []
    first, last = _coverage(telemetry, daily["date"])
    active = _active_by_month(telemetry)
    month_of = daily["date"].dt.to_period("M")
    out = []
    for month, group in daily.groupby(month_of, sort=True):
        notes = []
        cost = group["cost"].sum(min_count=1)
        reported = None if pd.isna(cost) else float(cost)
        seats_by_team = group.groupby("team")["licensed_users"].max()
        listed = int(seats_by_team.sum()) if seats_by_team.notna().any() else None
        month_seats = seats if seats is not None else listed
        licence = None
        if licence_price is not None and month_seats is not None:
            licence = licence_price * month_seats
        elif licence_price is not None:
            notes.append("no seat count in the export: licence spend left out")
        users, basis = active.get(month, (None, None))
        parts = [part for part in (reported, licence) if part is not None]
        total = float(sum(parts)) if parts else None
        per_user = total / users if total is not None and users else None
        complete = _complete(month, first, last)
        if not complete:
            notes.append("partial month: reported spend covers only the days in the export")
        if users == 0:
            notes.append("no active user")
        out.append(
            MonthCost(
                str(month),
                complete,
                users,
                basis,
                month_seats,
                reported,
                licence,
                total,
                per_user,
                "; ".join(notes) or None,
            )
        )
    return out


@dataclass(frozen=True)
class IdleSeats:
    """Seats whose holders were not active in the ``window_days`` up to ``as_of``, and what
    they cost a month. ``basis`` says what activity was read; ``note`` flags a window the
    data does not fully cover (idle seats then overstated) or more active users than seats.

    Under a pooled allowance (GitHub Copilot) an idle seat still adds its included units to
    the pool: when the pool runs out, its price buys usage the active users consume, so
    removing it saves less than its price."""

    as_of: str
    window_days: int
    seats: int
    active_users: int
    idle_seats: int
    price_per_seat: float
    monthly_cost: float
    basis: str
    note: str | None


def idle_seats(
    telemetry: Telemetry, seats: int, price_per_seat: float, window_days: int = 28
) -> IdleSeats | None:
    """Seats minus the users active in the trailing ``window_days`` up to the export's last
    day, from per-user days (an active day, or any usage), else from the latest per-user
    snapshot's last activity dates. ``None`` without per-user data. Raises ``ValueError``
    for seats or a window below 0 or 1, or a price that is not a number ≥ 0."""
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 0:
        raise ValueError(f"seats must be a whole number ≥ 0, got {seats!r}")
    if not (math.isfinite(price_per_seat) and price_per_seat >= 0):
        raise ValueError(f"price_per_seat must be a number ≥ 0, got {price_per_seat!r}")
    if isinstance(window_days, bool) or not isinstance(window_days, int) or window_days < 1:
        raise ValueError(f"window_days must be a whole number ≥ 1, got {window_days!r}")
    days = telemetry.user_days
    if days is not None and not days.empty:
        first, as_of = _coverage(telemetry, days["date"])
        since = as_of - pd.Timedelta(days=window_days - 1)
        used = days[[f for f in UNIT_FIGURES if f in days]].fillna(0.0).gt(0).any(axis=1)
        recent = days[(days["active"] | used) & (days["date"] >= since) & (days["date"] <= as_of)]
        active, basis = int(recent["user"].nunique()), "per-user days"
    elif telemetry.users is not None and not telemetry.users.empty:
        users = telemetry.users
        as_of = users["snapshot"].max()
        snapshot = users[users["snapshot"] == as_of]
        since = as_of - pd.Timedelta(days=window_days - 1)
        first = since  # a last-activity date reaches back as far as it needs to
        active = int((snapshot["last_activity"] >= since).sum())
        basis = "last activity dates of the latest snapshot"
    else:
        return None
    notes = []
    if first > since:
        covered = (as_of - first).days + 1
        notes.append(
            f"the data covers only {covered} of the {window_days} days: users active before"
            " it are not seen, so idle seats may be overstated"
        )
    if active > seats:
        notes.append(f"{active} users were active on {seats} seats: check the seat count")
    idle = max(seats - active, 0)
    return IdleSeats(
        as_of=pd.Timestamp(as_of).date().isoformat(),
        window_days=window_days,
        seats=seats,
        active_users=active,
        idle_seats=idle,
        price_per_seat=float(price_per_seat),
        monthly_cost=idle * float(price_per_seat),
        basis=basis,
        note="; ".join(notes) or None,
    )
