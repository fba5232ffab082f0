"""Adoption metrics from telemetry: by team and overall, per day, week or month.

Every ratio over a period or a group is a ratio of sums, never an average of daily ratios:

- adoption rate = Σ monthly active users ÷ Σ eligible users when the source gives monthly
  active users (the share who used the tool in the last 30 days), else Σ active users ÷ Σ
  eligible users, which for daily rows is the average daily share; ÷ Σ licensed users when
  eligibility is unknown;
- engaged share = Σ engaged ÷ Σ active;
- intensity = Σ actions ÷ Σ active (actions per active user per row's day);
- stickiness = Σ daily active ÷ Σ monthly active (DAU/MAU), where the source has monthly
  active users;
- acceptance rate = Σ acceptances ÷ Σ suggestions, and by lines Σ lines accepted ÷ Σ lines
  suggested.

A ratio whose denominator is 0 or unknown is ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from roi.adoption.formats.common import ACTIVE_ONLY
from roi.adoption.telemetry import FIGURES, Telemetry

Period = Literal["day", "week", "month"]
# The window of an idle licence when the report states no period of its own.
DEFAULT_WINDOW_DAYS = 30
# A report period that counts a month: Microsoft's D28 and D30.
MONTH_DAYS = (28, 30)
# The teams added together; a name no export uses for a team of its own.
OVERALL = "(all teams)"
RATIOS = {
    "adoption_rate": ("active_users", "eligible_users"),
    "engaged_share": ("engaged_users", "active_users"),
    "intensity": ("actions", "active_users"),
    "stickiness": ("active_users", "monthly_active_users"),
    "acceptance_rate": ("acceptances", "suggestions"),
    "lines_acceptance_rate": ("lines_accepted", "lines_suggested"),
}


def with_eligible(telemetry: Telemetry, eligible_users: float | None) -> pd.DataFrame:
    """The daily table, with ``eligible_users`` set where the source has none (GitHub's and
    Microsoft's exports do not know who could use the tool)."""
    daily = telemetry.daily.copy()
    if eligible_users is not None:
        daily["eligible_users"] = daily["eligible_users"].fillna(float(eligible_users))
    return daily


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    out = numerator / denominator.where(denominator > 0)
    return out.astype(float)


def period_start(dates: pd.Series, period: Period) -> pd.Series:
    """The first day of each date's period (weeks start on Monday)."""
    if period == "day":
        return dates
    if period == "week":
        return dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")
    return dates.dt.to_period("M").dt.start_time


def _paired(frame: pd.DataFrame) -> pd.DataFrame:
    """Each ratio's numerator and denominator per row, kept only where both are present, so
    that a sum over rows divides matching rows (a team that does not report a figure drops
    out of that ratio instead of diluting it)."""
    out = frame.copy()
    tops = {name: frame[top] for name, (top, _) in RATIOS.items()}
    bottoms = {name: frame[bottom] for name, (_, bottom) in RATIOS.items()}
    tops["adoption_rate"] = frame["monthly_active_users"].fillna(frame["active_users"])
    bottoms["adoption_rate"] = frame["eligible_users"].fillna(frame["licensed_users"])
    for name in RATIOS:
        both = tops[name].notna() & bottoms[name].notna()
        out[f"{name}__top"] = tops[name].where(both)
        out[f"{name}__bottom"] = bottoms[name].where(both)
    return out


PAIRS = [f"{name}__{side}" for name in RATIOS for side in ("top", "bottom")]


def series(daily: pd.DataFrame, period: Period = "month") -> pd.DataFrame:
    """Sums and ratios per period and team, plus the teams together as team
    :data:`OVERALL` (when there is more than one team). Sums skip missing figures but stay
    missing when a figure is missing on every row; each ratio divides sums over the rows
    that have both of its figures. The denominator of adoption is eligible users, else
    licensed users (``adoption_basis`` says which), its numerator monthly active users, else
    active users (``adoption_users``)."""
    frame = _paired(daily.assign(period=period_start(daily["date"], period)))
    sums = _sums(frame, ["period", "team"])
    if frame["team"].nunique() > 1:
        total = _sums(frame, ["period"]).assign(team=OVERALL)
        sums = pd.concat([sums, total], ignore_index=True)
    sums["days"] = sums["days"].astype(int)
    sums["adoption_basis"] = np.where(
        sums["eligible_users"].notna(),
        "eligible",
        np.where(sums["licensed_users"].notna(), "licensed", None),
    )
    sums["adoption_users"] = np.where(
        sums["monthly_active_users"].notna(), "monthly active", "active"
    )
    for name in RATIOS:
        sums[name] = _ratio(sums[f"{name}__top"], sums[f"{name}__bottom"])
    sums = sums.drop(columns=PAIRS)
    return sums.sort_values(["team", "period"], kind="stable").reset_index(drop=True)


def _sums(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    grouped = frame.groupby(keys, sort=True)
    columns = [c for c in (*FIGURES, *PAIRS) if c in frame.columns]
    sums = grouped[columns].sum(min_count=1)
    sums["days"] = grouped["date"].nunique()
    sums["rows"] = grouped.size()
    return sums.reset_index()


@dataclass(frozen=True)
class Summary:
    """Whole-file figures: totals over every record as reported, the latest day's users, and
    the ratios over the whole file (ratios of sums)."""

    first_date: str | None
    last_date: str | None
    days: int
    teams: tuple[str, ...]
    suggestions: float | None
    acceptances: float | None
    lines_suggested: float | None
    lines_accepted: float | None
    chats: float | None
    actions: float | None
    acceptance_rate: float | None
    lines_acceptance_rate: float | None
    active_users_latest: float | None
    eligible_users_latest: float | None
    licensed_users_latest: float | None
    adoption_rate_latest: float | None
    monthly_active_users_latest: float | None
    adoption_basis: str | None
    engaged_share: float | None
    intensity: float | None
    stickiness: float | None


def _total(daily: pd.DataFrame, column: str) -> float | None:
    value = daily[column].sum(min_count=1)
    return None if pd.isna(value) else float(value)


def _share(top: float | None, bottom: float | None) -> float | None:
    return None if top is None or bottom is None or bottom <= 0 else top / bottom


def summarise(daily: pd.DataFrame) -> Summary:
    """:class:`Summary` of a daily table (see :func:`with_eligible`). The latest figures add
    each team's rows of its own last date (a team whose data stops early still counts)."""
    if daily.empty:
        return Summary(None, None, 0, (), *([None] * 17))
    paired = _paired(daily)
    last_of_team = paired.groupby("team")["date"].transform("max")
    latest = paired[paired["date"] == last_of_team]
    totals = {column: _total(daily, column) for column in FIGURES}

    def whole(name: str, frame: pd.DataFrame = paired) -> float | None:
        return _share(_total(frame, f"{name}__top"), _total(frame, f"{name}__bottom"))

    eligible = _total(latest, "eligible_users")
    licensed = _total(latest, "licensed_users")
    return Summary(
        first_date=daily["date"].min().date().isoformat(),
        last_date=daily["date"].max().date().isoformat(),
        days=int(daily["date"].nunique()),
        teams=tuple(sorted(daily["team"].unique())),
        suggestions=totals["suggestions"],
        acceptances=totals["acceptances"],
        lines_suggested=totals["lines_suggested"],
        lines_accepted=totals["lines_accepted"],
        chats=totals["chats"],
        actions=totals["actions"],
        acceptance_rate=whole("acceptance_rate"),
        lines_acceptance_rate=whole("lines_acceptance_rate"),
        active_users_latest=_total(latest, "active_users"),
        eligible_users_latest=eligible,
        licensed_users_latest=licensed,
        adoption_rate_latest=whole("adoption_rate", latest),
        monthly_active_users_latest=_total(latest, "monthly_active_users"),
        adoption_basis="eligible" if eligible is not None else "licensed" if licensed else None,
        engaged_share=whole("engaged_share"),
        intensity=whole("intensity"),
        stickiness=whole("stickiness"),
    )


@dataclass(frozen=True)
class IdleLicences:
    """Licensed users with no activity in the ``window_days`` up to the latest report, and
    what their licences cost per month (``None`` without a price). The window is a month:
    the report's own period where it counts one (28 days for Microsoft's D28, so idle
    licences are its licensed minus its active users), else 30 days (for D7, D90, D180 and
    reports without a period, whose last activity dates say as much)."""

    as_of: str
    licensed: int
    idle: int
    monthly_cost: float | None
    users: tuple[str, ...]
    window_days: int = DEFAULT_WINDOW_DAYS


def idle_licences(telemetry: Telemetry, monthly_price: float | None) -> IdleLicences | None:
    """From per-user data (the latest snapshot); ``None`` for aggregate exports and for
    those that list only the people who used the tool (:data:`ACTIVE_ONLY`: every listed
    user is active, so idle seats need the seats bought, see
    :func:`roi.adoption.billing.idle_seats`)."""
    if telemetry.users is None or telemetry.users.empty or telemetry.format in ACTIVE_ONLY:
        return None
    users = telemetry.users
    latest = users["snapshot"].max()
    snapshot = users[users["snapshot"] == latest]
    window = _window_days(snapshot)
    since = latest - pd.Timedelta(days=window - 1)
    idle = snapshot[~(snapshot["last_activity"] >= since)]
    return IdleLicences(
        as_of=latest.date().isoformat(),
        licensed=len(snapshot),
        idle=len(idle),
        monthly_cost=None if monthly_price is None else len(idle) * monthly_price,
        users=tuple(sorted(idle["user"])),
        window_days=window,
    )


def _window_days(rows: pd.DataFrame) -> int:
    """A month for the report ``rows``: their ``period_days`` (as Microsoft's user detail
    report states it) when that is 28 to 30 days, else :data:`DEFAULT_WINDOW_DAYS`."""
    if "period_days" not in rows:
        return DEFAULT_WINDOW_DAYS
    stated = rows["period_days"].dropna()
    if stated.empty or not MONTH_DAYS[0] <= stated.iloc[0] <= MONTH_DAYS[1]:
        return DEFAULT_WINDOW_DAYS
    return int(stated.iloc[0])


@dataclass(frozen=True)
class CohortFlow:
    """Users by what they did between one report and the next: ``new`` (active for the
    first time), ``retained`` (active in both), ``reactivated`` (active again after an idle
    report), ``lapsed`` (active before, not now)."""

    period: str
    active: int
    new: int
    retained: int
    reactivated: int
    lapsed: int


def cohorts(telemetry: Telemetry, window_days: int | None = None) -> list[CohortFlow] | None:
    """Cohort flows between consecutive per-user reports (a user is active in a report when
    active in the ``window_days`` up to its refresh date; by default a month, each report's
    own period where it counts one, see :class:`IdleLicences`). ``None`` without per-user
    data or with fewer than two reports."""
    if telemetry.users is None:
        return None
    users = telemetry.users
    if users["snapshot"].nunique() < 2:
        return None
    seen: set[str] = set()
    previous: set[str] = set()
    flows = []
    for snapshot, rows in users.groupby("snapshot", sort=True):  # one pass, not one per report
        days = _window_days(rows) if window_days is None else window_days
        since = snapshot - pd.Timedelta(days=days - 1)
        active = set(rows.loc[rows["last_activity"] >= since, "user"])
        flows.append(
            CohortFlow(
                period=pd.Timestamp(snapshot).date().isoformat(),
                active=len(active),
                new=len(active - seen),
                retained=len(active & previous),
                reactivated=len((active & seen) - previous),
                lapsed=len(previous - active),
            )
        )
        seen |= active
        previous = active
    return flows
