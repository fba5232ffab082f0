"""The adoption report of one export: what `python -m roi adoption` prints and the Adoption
page shows. Summary, series per period and team, data quality, idle licences, cohorts and
the S-curve forecast of each team's monthly adoption share."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from roi.adoption.activity import (
    PullRequests,
    Reach,
    breakdown_summary,
    dimensions,
    pull_requests,
    reach,
)
from roi.adoption.forecast import AdoptionForecast, forecast_adoption
from roi.adoption.telemetry import FIGURES, Telemetry
from roi.adoption.usage import (
    RATIOS,
    CohortFlow,
    IdleLicences,
    Period,
    Summary,
    cohorts,
    idle_licences,
    series,
    summarise,
    with_eligible,
)


@dataclass(frozen=True)
class AdoptionReport:
    telemetry: Telemetry
    summary: Summary
    series: pd.DataFrame
    period: Period
    monthly: pd.DataFrame
    forecasts: tuple[AdoptionForecast, ...] | None
    forecast_note: str | None
    adoption_note: str | None
    idle: IdleLicences | None
    cohorts: tuple[CohortFlow, ...] | None
    reach: tuple[Reach, ...] = ()
    pull_requests: PullRequests | None = None
    breakdowns: dict[str, pd.DataFrame] = dataclasses.field(default_factory=dict)


def analyse(
    telemetry: Telemetry,
    eligible_users: float | None = None,
    target: float = 0.8,
    period: Period = "month",
    licence_price: float | None = None,
) -> AdoptionReport:
    """Everything the report shows. ``eligible_users`` fills in eligibility for exports that
    have none; ``licence_price`` (money per licence per month) prices idle licences."""
    daily = with_eligible(telemetry, eligible_users)
    if eligible_users is not None and not daily.empty:
        most = daily.groupby("date")["active_users"].sum().max()
        if most > eligible_users:
            raise ValueError(
                f"{eligible_users:g} eligible users is fewer than the {most:g} active users"
                " on the export's busiest day"
            )
    monthly = series(daily, "month") if not daily.empty else pd.DataFrame()
    forecasts, note = None, None
    if daily.empty:
        note = "no forecast: the export holds no day"
    elif monthly["adoption_rate"].notna().sum() == 0:
        note = (
            "no forecast: the export has no eligible or licensed users to divide by; give the"
            " number of eligible users"
        )
    else:
        months = monthly.groupby("team")["adoption_rate"].count().max()
        if months < 4:
            note = (
                f"no forecast: {months} month(s) of data; at least 4 are needed to fit an S-curve"
            )
        else:
            forecasts = tuple(forecast_adoption(monthly, target))
    flows = cohorts(telemetry)
    adoption_note = None
    if not monthly.empty and (monthly["adoption_users"] == "active").any():
        per_month = monthly.loc[monthly["adoption_users"] == "active", "days"].max()
        if per_month > 1:
            adoption_note = (
                "adoption is the average daily share of eligible users active (the export has"
                " no monthly active users), so weekends and days off pull it down; the share"
                " active at least once in a month is higher"
            )
    return AdoptionReport(
        telemetry=telemetry,
        summary=summarise(daily),
        series=series(daily, period) if not daily.empty else pd.DataFrame(),
        period=period,
        monthly=monthly,
        forecasts=forecasts,
        forecast_note=note,
        adoption_note=adoption_note,
        idle=idle_licences(telemetry, licence_price),
        cohorts=None if flows is None else tuple(flows),
        reach=tuple(reach(telemetry)),
        pull_requests=pull_requests(telemetry),
        breakdowns={
            dimension: table
            for dimension in dimensions(telemetry)
            if (table := breakdown_summary(telemetry, dimension)) is not None
        },
    )


def _number(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float):
        return value + 0.0 if math.isfinite(value) else None
    return value


def _interval(interval) -> dict:
    return {"estimate": interval.estimate, "low": interval.low, "high": interval.high}


def _forecast_dict(item: AdoptionForecast) -> dict:
    fit = item.fit
    return {
        "team": item.team,
        "note": item.note,
        "ceiling": None if fit is None else _interval(fit.ceiling),
        "midpoint_month": None if fit is None else _interval(fit.midpoint),
        "growth_per_month": None if fit is None else _interval(fit.growth),
        "first_month": item.first_month,
        "target": item.target,
        "target_month": item.target_month,
        "target_note": item.target_note,
        "months": [
            {
                "month": month,
                "observed": _number(item.observed[i]) if i < len(item.observed) else None,
                "fitted": item.fitted[i] if item.fitted else None,
                "band_low": item.band_low[i] if item.band_low else None,
                "band_high": item.band_high[i] if item.band_high else None,
            }
            for i, month in enumerate(item.horizon)
        ],
        "holt_forecast": None if item.holt is None else list(item.holt),
    }


def report_to_dict(report: AdoptionReport) -> dict:
    """The `python -m roi adoption --json` object (ratios as fractions, ``null`` where a
    figure is not in the source)."""
    telemetry = report.telemetry
    rows = []
    for record in report.series.to_dict("records"):
        row = {"date": record["period"].date().isoformat(), "team": record["team"]}
        row["days"] = int(record["days"])
        row |= {figure: _number(record[figure]) for figure in FIGURES}
        row["adoption_basis"] = record["adoption_basis"]
        row |= {ratio: _number(record[ratio]) for ratio in RATIOS}
        rows.append(row)
    return {
        "format": telemetry.format,
        "format_name": telemetry.format_name,
        "tool": telemetry.tool,
        "scope": telemetry.scope,
        "report_period": None if telemetry.period is None else list(telemetry.period),
        "labels": {figure: telemetry.label(figure) for figure in FIGURES},
        "source": telemetry.source,
        "note": telemetry.note,
        "summary": {
            k: _number(v) if not isinstance(v, tuple) else list(v)
            for k, v in dataclasses.asdict(report.summary).items()
        },
        "period": report.period,
        "series": rows,
        "data_quality": [
            {"date": n.date, "where": n.where, "message": n.message} for n in telemetry.data_quality
        ],
        "forecast": None
        if report.forecasts is None
        else [_forecast_dict(item) for item in report.forecasts],
        "forecast_note": report.forecast_note,
        "adoption_note": report.adoption_note,
        "idle_licences": None if report.idle is None else dataclasses.asdict(report.idle),
        "cohorts": None
        if report.cohorts is None
        else [dataclasses.asdict(flow) for flow in report.cohorts],
        "reach": [
            {k: _number(v) for k, v in dataclasses.asdict(item).items()} for item in report.reach
        ],
        "pull_requests": None
        if report.pull_requests is None
        else {k: _number(v) for k, v in dataclasses.asdict(report.pull_requests).items()},
        "breakdowns": {
            dimension: [
                {k: _number(v) if not isinstance(v, str) else v for k, v in row.items()}
                for row in table.to_dict("records")
            ]
            for dimension, table in report.breakdowns.items()
        },
    }


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def render_report(report: AdoptionReport) -> str:
    """Plain-text report for the terminal."""
    telemetry, summary = report.telemetry, report.summary
    lines = [f"{telemetry.source}: {telemetry.format_name}"]
    if telemetry.scope or telemetry.period:
        lines.append(
            ", ".join(
                part
                for part in (
                    telemetry.scope,
                    telemetry.period
                    and f"report period {telemetry.period[0]} to {telemetry.period[1]}",
                )
                if part
            )
        )
    if telemetry.note:
        lines.append(f"Note: {telemetry.note}.")
    if summary.days:
        lines.append(
            f"{summary.days} {telemetry.row}(s) from {summary.first_date} to"
            f" {summary.last_date};"
            f" teams: {', '.join(summary.teams)}"
        )
        active = summary.active_users_latest
        latest = "–" if active is None else f"{active:,.0f}"
        monthly = summary.monthly_active_users_latest
        if monthly is None:
            lines.append(f"Active users on the last day: {latest}")
        else:
            lines.append(
                f"On the last day: {monthly:,.0f} monthly active users, {latest} active that day"
            )
        if summary.adoption_basis:
            users = "monthly active" if monthly is not None else "active"
            lines.append(
                f"Adoption rate {_share(summary.adoption_rate_latest)} ({users} users of"
                f" {summary.adoption_basis} users)"
            )
        if summary.suggestions is not None:
            lines.append(
                f"Acceptance rate {_share(summary.acceptance_rate)} ({summary.acceptances:,.0f}"
                f" of {summary.suggestions:,.0f} suggestions); by lines"
                f" {_share(summary.lines_acceptance_rate)} ({summary.lines_accepted:,.0f} of"
                f" {summary.lines_suggested:,.0f})"
            )
        if summary.engaged_share is not None:
            lines.append(f"Engaged share {_share(summary.engaged_share)}")
        if summary.intensity is not None:
            lines.append(f"Intensity {summary.intensity:,.1f} actions per active user-day")
        if summary.stickiness is not None:
            lines.append(f"Stickiness (DAU/MAU) {_share(summary.stickiness)}")
        for item in report.reach:
            name = item.figure.removesuffix("_users")
            lines.append(
                f"{name.upper() if name == 'cli' else name.capitalize()} reach"
                f" {_share(item.share)} ({item.users:,.0f} of {item.active:,.0f} {item.basis},"
                " summed over days)"
            )
        if report.pull_requests is not None:
            lines.append(_pull_request_line(report.pull_requests))
    if report.adoption_note:
        lines.append(f"Note: {report.adoption_note}.")
    if report.idle is not None:
        cost = (
            ""
            if report.idle.monthly_cost is None
            else f", costing {report.idle.monthly_cost:,.0f} a month"
        )
        lines.append(
            f"Idle licences on {report.idle.as_of}: {report.idle.idle} of {report.idle.licensed}"
            f" (no activity in the {report.idle.window_days} days up to it){cost}"
        )
    if report.forecasts:
        lines.append("")
        lines.append("Forecast (S-curve of the monthly adoption share):")
        for item in report.forecasts:
            if item.fit is None:
                lines.append(f"  {item.team}: {item.note}")
                continue
            fit = item.fit
            reach = (
                f"{item.target:.0%} reached in {item.target_month}"
                if item.target_month
                else item.target_note
            )
            lines.append(
                f"  {item.team}: ceiling {fit.ceiling.estimate:.0%}, midpoint"
                f" {_label(item, fit.midpoint.estimate)}; {reach}"
            )
    elif report.forecast_note:
        lines.append(report.forecast_note)
    if telemetry.data_quality:
        lines.append("")
        lines.append(f"Data quality ({len(telemetry.data_quality)} note(s), kept as reported):")
        lines += [f"  {note}" for note in telemetry.data_quality]
    return "\n".join(lines)


def _pull_request_line(prs: PullRequests) -> str:
    def minutes(value: float | None) -> str:
        return "–" if value is None else f"{value:,.1f} min"

    return (
        f"Pull requests: {prs.created:,.0f} created ({_share(prs.ai_share_of_created)} by the"
        f" agent), {prs.merged:,.0f} merged, {prs.reviewed:,.0f} reviewed; time to merge"
        f" {minutes(prs.minutes_to_merge)} (all), {minutes(prs.minutes_to_merge_ai)} (created"
        " by the agent), each the merged-weighted mean of daily medians"
    )


def _label(item: AdoptionForecast, offset: float) -> str:
    first = pd.Period(item.first_month, freq="M")
    return (first + math.floor(offset)).strftime("%Y-%m")


def team_forecast(report: AdoptionReport, team: str) -> AdoptionForecast | None:
    """One team's forecast with the Holt cross-check made for it (the report makes it for
    the overall series only); ``None`` when the report has no forecast for the team."""
    from roi.adoption.forecast import forecast_team

    if report.forecasts is None:
        return None
    known = next((item for item in report.forecasts if item.team == team), None)
    if known is None or known.fit is None or known.holt is not None:
        return known
    rows = report.monthly[report.monthly["team"] == team].sort_values("period")
    return forecast_team(team, rows["period"], rows["adoption_rate"], known.target)


def team_adoption(report: AdoptionReport) -> dict[str, float]:
    """Each team's adoption share in its latest month that has one (the teams together
    left out): what the survey's adoption drivers are fitted to."""
    from roi.adoption.usage import OVERALL

    monthly = report.monthly
    if monthly.empty:
        return {}
    rows = monthly[(monthly["team"] != OVERALL) & monthly["adoption_rate"].notna()]
    latest = rows.sort_values("period").groupby("team").tail(1)
    return {str(t): float(r) for t, r in zip(latest["team"], latest["adoption_rate"], strict=True)}
