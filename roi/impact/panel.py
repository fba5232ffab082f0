"""The person × period panel of a measured-impact analysis: usage tiers joined to outcomes.

Conventions (the methodology page, "Measured impact"):

- A person's **tier** in a period: *non-user* with no active day; *heavy* when active on at
  least ``heavy_share`` of the period's working days (Monday to Friday: 5 a week, 20–23 a
  month); *light* otherwise.
- **First use**: the first period with an active day; adoption is taken as absorbing (a
  person who used the tool once is an adopter from then on, in the before/after estimate).
- **Roll-out**: the first period in which anybody is active; the periods before it are the
  pre-adoption baseline of every person (their mean outcome there is the CUPED covariate).
- Rows join on (person, period) after the ids' normalisation; rows of either file without a
  partner are counted, never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from roi.impact.files import ImpactFileError, PeriodKind, working_days
from roi.io.problems import Problem

TIERS = ("non-user", "light", "heavy")
HEAVY_SHARE_DEFAULT = 0.35


@dataclass(frozen=True)
class Panel:
    """Usage and outcomes joined: ``rows`` has ``person``, ``period`` (first day), ``t``
    (1-based period number), ``g`` (period number of first use, 0 for never), ``tier``,
    ``metric``, ``value`` and ``team``; ``periods`` the period starts in order."""

    rows: pd.DataFrame
    kind: PeriodKind
    periods: tuple[pd.Timestamp, ...]
    people: int
    unmatched_usage: int
    unmatched_outcomes: int
    rollout: int  # period number of the first use by anybody; 0 when nobody used the tool
    heavy_share: float
    read_as_non_users: int = 0  # person-periods without a usage row read as no use (covered)

    def label(self, t: int) -> str:
        """Period ``t`` as written: ``2026-W05`` or ``2026-01``."""
        start = self.periods[t - 1]
        if self.kind == "month":
            return f"{start:%Y-%m}"
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"


def tiers(usage: pd.DataFrame, kind: PeriodKind, heavy_share: float) -> pd.Series:
    """Each usage row's tier (see the module's conventions).

    >>> rows = pd.DataFrame({"period": pd.to_datetime(["2026-01-05"] * 3),
    ...                      "active_days": [0, 1, 2]})
    >>> tiers(rows, "week", 0.35).tolist()
    ['non-user', 'light', 'heavy']
    """
    if not 0 < heavy_share <= 1:
        raise ValueError(f"the heavy share must be above 0 and at most 1, got {heavy_share}")
    share = usage["active_days"] / working_days(usage["period"], kind)
    tier = np.where(usage["active_days"] == 0, "non-user", np.where(
        share >= heavy_share - 1e-12, "heavy", "light"))  # fmt: skip
    return pd.Series(tier, index=usage.index)


def join(
    usage: pd.DataFrame,
    outcomes: pd.DataFrame,
    heavy_share: float = HEAVY_SHARE_DEFAULT,
    covered: tuple[pd.Timestamp, pd.Timestamp] | None = None,
) -> Panel:
    """The panel of :class:`Panel` from :func:`~roi.impact.files.read_usage` and
    :func:`~roi.impact.files.read_outcomes` tables.

    ``covered``: the first and last period of a usage source that lists people only when
    they used the tool (a per-user telemetry export, :mod:`roi.impact.telemetry`): an
    outcome in those periods of a person without a usage row is read as a period without
    use (0 active days), counted in ``Panel.read_as_non_users``, instead of having no partner.

    Raises
    ------
    ImpactFileError
        When the two files' periods are not of the same kind, or no row joins.
    """
    kinds = usage.attrs.get("period_kind"), outcomes.attrs.get("period_kind")
    if kinds[0] != kinds[1]:
        message = (
            f"the usage file's periods are {kinds[0]}s and the outcomes file's {kinds[1]}s:"
            " both must be weeks or both months"
        )
        raise ImpactFileError("usage and outcomes", [Problem("column period", message)])
    kind: PeriodKind = kinds[0]
    used = usage[["person", "period", "active_days", "team"]].copy()
    filled = 0
    if covered is not None:
        seen = outcomes[["person", "period", "team"]].drop_duplicates(["person", "period"])
        inside = seen[(seen["period"] >= covered[0]) & (seen["period"] <= covered[1])]
        absent = inside.merge(used[["person", "period"]], how="left", indicator=True)
        absent = absent[absent["_merge"] == "left_only"].drop(columns="_merge")
        filled = len(absent)
        used = pd.concat([used, absent.assign(active_days=0)], ignore_index=True)
    used["tier"] = tiers(used, kind, heavy_share)
    keys = ["person", "period"]
    outcome_keys = outcomes[keys].drop_duplicates()
    found = outcomes.merge(used[keys], on=keys, how="left", indicator=True)["_merge"]
    unmatched_outcomes = int((found == "left_only").sum())
    partner = used.merge(outcome_keys, on=keys, how="left", indicator=True)["_merge"]
    unmatched_usage = int((partner == "left_only").sum())
    rows = outcomes.drop(columns=["line", "team"]).merge(used, on=keys, how="inner")
    if rows.empty:
        message = (
            "no person and period is in both files: check that the person ids are the same"
            " (hashed in both, or in neither) and that the periods overlap"
        )
        raise ImpactFileError("usage and outcomes", [Problem("", message)])
    # Every period from the first to the last, those in neither file included: a period
    # number is a calendar step, so that "the period before first use" is the one before.
    written = pd.concat([usage["period"], outcomes["period"]])
    step = pd.offsets.MonthBegin(1) if kind == "month" else pd.Timedelta(days=7)
    periods = tuple(pd.date_range(written.min(), written.max(), freq=step))
    number = {p: k for k, p in enumerate(periods, start=1)}
    used["t"] = used["period"].map(number)
    first = used[used["active_days"] > 0].groupby("person")["t"].min()
    rows["t"] = rows["period"].map(number).astype(int)
    rows["g"] = rows["person"].map(first).fillna(0).astype(int)
    rollout = int(first.min()) if len(first) else 0
    return Panel(
        rows=rows[["person", "period", "t", "g", "tier", "active_days", "metric", "value",
                   "team"]].reset_index(drop=True),
        kind=kind, periods=tuple(pd.Timestamp(p) for p in periods),
        people=int(rows["person"].nunique()), unmatched_usage=unmatched_usage,
        unmatched_outcomes=unmatched_outcomes, rollout=rollout, heavy_share=heavy_share,
        read_as_non_users=filled,
    )  # fmt: skip
