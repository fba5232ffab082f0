"""What the newer telemetry allows beyond adoption: activity by feature, IDE, language and
model (:func:`breakdown_summary`), chat, agent and command-line reach (:func:`reach`),
pull-request throughput and time to merge (:func:`pull_requests`), and per-user activity
days (:func:`activity_days`).

Conventions (each a ratio of sums, as in :mod:`roi.adoption.usage`):

- a breakdown's acceptance rate is Σ acceptances ÷ Σ suggestions of that key; only the
  ``code_completion`` feature's is a completion acceptance rate (the others count chat code
  blocks and edits);
- reach is Σ users of a feature ÷ Σ active users over the same rows: GitHub's aggregate
  reports give chat and agent users over the trailing 28 days, so they are divided by the
  28-day active users; daily figures (command-line users, per-user reports) by daily active
  users;
- time to merge is the mean of each day's median weighted by the pull requests merged that
  day: a summary of medians, not the median of all pull requests (which the reports do not
  give), and labelled so.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from roi.adoption.formats.common import Telemetry

# Figures of a breakdown summed per key, in the order shown.
BREAKDOWN_FIGURES = (
    "interactions",
    "suggestions",
    "acceptances",
    "lines_suggested",
    "lines_accepted",
    "lines_added",
    "lines_deleted",
    "active_users",
    "licensed_users",
    "tokens",
    "cost",
)
# Per-user figures whose 28-day counts GitHub's aggregate reports give.
MONTHLY_REACH = ("chat_users", "agent_users")


def breakdown_summary(telemetry: Telemetry, dimension: str) -> pd.DataFrame | None:
    """Per key of ``dimension`` (``feature``, ``ide``, ``language_feature``, ``model`` ...):
    the sum of each figure over the file, and ``acceptance_rate``; ``None`` when the export
    has no such breakdown. User counts (``active_users``) are summed over days: user-days."""
    table = telemetry.breakdown
    if table is None or table.empty:
        return None
    rows = table[table["dimension"] == dimension]
    if rows.empty:
        return None
    wide = rows.pivot_table(index="key", columns="figure", values="value", aggfunc="sum")
    columns = [c for c in BREAKDOWN_FIGURES if c in wide.columns]
    wide = wide[columns].copy()
    if {"acceptances", "suggestions"} <= set(wide.columns):
        wide["acceptance_rate"] = wide["acceptances"] / wide["suggestions"].where(
            wide["suggestions"] > 0
        )
    first = columns[0]
    return wide.sort_values(first, ascending=False).reset_index()


# Breakdown dimensions in the order shown (the most telling first); others follow as seen.
DIMENSION_ORDER = (
    "feature", "ide", "language_feature", "model_feature", "language_model", "model", "app",
    "tool", "surface", "cli",
)  # fmt: skip


def dimensions(telemetry: Telemetry) -> list[str]:
    """The breakdown dimensions the export has, in :data:`DIMENSION_ORDER`, then the rest in
    the order first seen."""
    if telemetry.breakdown is None or telemetry.breakdown.empty:
        return []
    seen = list(dict.fromkeys(telemetry.breakdown["dimension"]))
    known = [d for d in DIMENSION_ORDER if d in seen]
    return known + [d for d in seen if d not in DIMENSION_ORDER]


@dataclass(frozen=True)
class Reach:
    """The share of active users who used a feature, over the file (ratio of sums)."""

    figure: str
    users: float
    active: float
    share: float | None
    basis: str


def reach(telemetry: Telemetry) -> list[Reach]:
    """Chat, agent and command-line reach, each against the matching active users (see the
    module's conventions); empty when the export has none of them."""
    daily = telemetry.daily
    out = []
    for figure in ("chat_users", "agent_users", "cli_users"):
        if daily[figure].isna().all():
            continue
        monthly = telemetry.format == "github_usage_metrics" and figure in MONTHLY_REACH
        basis = "monthly_active_users" if monthly else "active_users"
        both = daily[figure].notna() & daily[basis].notna()
        users = float(daily.loc[both, figure].sum())
        active = float(daily.loc[both, basis].sum())
        label = "28-day active users" if monthly else "daily active users"
        out.append(Reach(figure, users, active, users / active if active > 0 else None, label))
    return out


@dataclass(frozen=True)
class PullRequests:
    """Pull-request throughput over the file and the merged-weighted mean of the daily
    median minutes to merge (all pull requests, and those created by the AI agent)."""

    created: float
    merged: float
    reviewed: float
    created_by_ai: float
    merged_created_by_ai: float
    ai_share_of_created: float | None
    minutes_to_merge: float | None
    minutes_to_merge_ai: float | None


def pull_requests(telemetry: Telemetry) -> PullRequests | None:
    """The pull-request block summed over the file; ``None`` when the export has none."""
    daily = telemetry.daily
    if daily["pull_requests_created"].isna().all():
        return None

    def total(figure: str) -> float:
        return float(daily[figure].sum())

    created, by_ai = total("pull_requests_created"), total("pull_requests_created_by_ai")
    return PullRequests(
        created=created,
        merged=total("pull_requests_merged"),
        reviewed=total("pull_requests_reviewed"),
        created_by_ai=by_ai,
        merged_created_by_ai=total("pull_requests_merged_created_by_ai"),
        ai_share_of_created=by_ai / created if created > 0 else None,
        minutes_to_merge=_weighted_median(telemetry, "median_minutes_to_merge"),
        minutes_to_merge_ai=_weighted_median(telemetry, "median_minutes_to_merge_copilot_authored"),
    )


def _weighted_median(telemetry: Telemetry, figure: str) -> float | None:
    medians = telemetry.medians
    if medians is None or medians.empty:
        return None
    rows = medians[(medians["figure"] == figure) & medians["value"].notna()]
    weight = rows["weight"].fillna(0.0)
    if weight.sum() <= 0:
        return None
    return float((rows["value"] * weight).sum() / weight.sum())


def activity_days(telemetry: Telemetry, window_days: int = 28) -> pd.DataFrame | None:
    """Per user: days active in the file, days active in the trailing ``window_days`` up
    to the file's last day, first and last active day; ``None`` without per-user days."""
    table = telemetry.user_days
    if table is None or table.empty:
        return None
    active = table[table["active"]].drop_duplicates(["date", "user"])
    last = table["date"].max()
    since = last - pd.Timedelta(days=window_days - 1)
    grouped = active.groupby("user")["date"]
    out = pd.DataFrame(
        {
            "active_days": grouped.size(),
            "active_days_window": active[active["date"] >= since].groupby("user").size(),
            "first_active": grouped.min(),
            "last_active": grouped.max(),
        }
    )
    listed = pd.Index(table["user"].unique(), name="user")
    out = out.reindex(listed)
    out[["active_days", "active_days_window"]] = (
        out[["active_days", "active_days_window"]].fillna(0).astype(int)
    )
    return out.sort_values(["active_days_window", "active_days"], ascending=False).reset_index()
