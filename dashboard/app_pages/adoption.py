"""Adoption: upload a telemetry export (or look at the sample), see the detected format,
adoption by team with its S-curve forecast and the month a target is reached, data-quality
notes, cohorts and idle licences, and use a team's measured adoption in a business case."""

import pandas as pd
import streamlit as st

from dashboard import adoption_sections, cache, saved, signin
from dashboard.charts.adoption import adoption_trend_figure, cohort_figure
from dashboard.markup import plain
from dashboard.ui import METHODOLOGY, before_after, show_rejection
from roi.adoption import billing
from roi.adoption.forecast import measured_adoption, with_adoption
from roi.adoption.telemetry import TelemetryError
from roi.core.casefile import dump_case
from roi.io.formatting import format_money
from roi.reports.exports import adoption_csv, user_days


def share(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


st.title("Adoption")
st.caption(
    "Who uses the tool, how much, and when adoption reaches its target: measured from"
    " telemetry, forecast with an S-curve, and ready to drive a business case."
    f" [How it is computed]({METHODOLOGY}#adoption-metrics)"
)

source, options = st.columns([3, 2])
with source:
    uploads = signin.uploader(
        "Telemetry export: GitHub Copilot usage metrics reports (NDJSON or JSON; several"
        " files at once, such as a month of 1-day reports), older GitHub metrics or usage"
        " JSON, Microsoft 365 Copilot reports (CSV or JSON), a Viva Insights person query,"
        " Cursor or Claude Code usage (JSON), or adoption.csv",
        type=["json", "ndjson", "jsonl", "csv", "txt"],
        accept_multiple_files=True,
        key="adoption.upload",
    )
    uploaded = uploads[0] if uploads and len(uploads) == 1 else None
with options:
    team_label = st.text_input(
        "Team name for exports without one", "", key="adoption.team",
        help="GitHub and Microsoft exports carry no team: name it here (default: all).",
    ) or None  # fmt: skip
    eligible = st.number_input(
        "Eligible users (0 = from the file)", min_value=0, value=0, step=10,
        key="adoption.eligible",
        help="GitHub's and Microsoft's exports do not say who could use the tool.",
    )  # fmt: skip
kept = None
files = tuple((item.getvalue(), item.name) for item in uploads or ())
if not files:
    kept = saved.pick(
        "adoption", "adoption.saved", f"Bundled sample ({cache.SAMPLE_ADOPTION.name})"
    )
if files:
    raw, name = files[0]
elif kept is not None:
    try:
        raw = cache.stored_text(saved.source(kept), "adoption").encode("utf-8")
    except Exception as error:  # one stored dataset never breaks the page for everyone
        st.error(
            f"Saved dataset #{kept.id}, {plain(kept.source_file)}, cannot be read"
            f" ({type(error).__name__}: {plain(error)}). Choose another dataset or the bundled"
            " sample, or ask an admin to delete it on the Data page."
        )
        st.stop()
    name = kept.source_file
    team_label = team_label or kept.meta.get("team")
    st.info(
        f"Showing saved dataset #{kept.id}, {plain(name)}, imported"
        f" {kept.imported_at:%Y-%m-%d %H:%M} UTC by {plain(kept.imported_by)}."
    )
else:
    raw, name = cache.SAMPLE_ADOPTION.read_bytes(), cache.SAMPLE_ADOPTION.name
    st.info(f"Showing the bundled sample, {name}. Upload your own export to replace it.")

settings = st.columns(2)
target = settings[0].slider(
    "Target adoption", 0.05, 0.95, 0.8, 0.05, format="%.2f", key="adoption.target"
)
price = settings[1].number_input(
    "Price of one licence per month (for idle licences)", min_value=0.0, value=30.0, step=1.0,
    key="adoption.price",
)  # fmt: skip

sources = files or ((raw, name),)
try:
    groups = cache.adoption_tools(sources, team_label)
    team_by = adoption_sections.viva_team_by(sources, groups, options)
    if team_by is not None:
        groups = cache.adoption_tools(sources, team_label, team_by)
    group = 0  # one tool: its exports as read above, not read again
    if len(groups) > 1:
        st.success(
            f"Read as {len(groups)} tools: "
            + "; ".join(plain(adoption_sections.group_label(g)) for g in groups) + "."
        )  # fmt: skip
        group = adoption_sections.tools_side_by_side(sources, team_label, team_by, groups)
    report = cache.adoption_files(
        sources, team_label, float(eligible) or None, target, price, team_by, group
    )
except TelemetryError as error:
    show_rejection(error)
except ValueError as error:  # eligible users below the active users
    st.error(f"Eligible users: {plain(error)}.")
    st.stop()

telemetry, summary = report.telemetry, report.summary
read_as = f"Read as: {telemetry.format_name}"
if len(groups) > 1:  # one tool of several: its file, or how many of its files joined
    read_as += f", {plain(telemetry.source)}"
elif len(files) > 1:
    read_as += f", {len(files)} files joined"
if telemetry.scope:
    read_as += f", {plain(telemetry.scope)}"
if telemetry.period:
    read_as += f", report period {telemetry.period[0]} to {telemetry.period[1]}"
st.success(read_as + ".")
if uploaded is not None:
    saved.save_button("adoption", raw, name, "adoption.save", team=team_label)
if telemetry.note:
    st.warning(f"This export is empty: {plain(telemetry.note)}.")
    st.stop()

figures = st.columns(5)
figures[0].metric(
    "Adoption rate (last day)",
    share(summary.adoption_rate_latest),
    help="Monthly active (else active) users ÷ eligible (else licensed) users, all teams,"
    " on the file's last day. Ratios are ratios of sums.",
)
users = summary.monthly_active_users_latest
figures[1].metric(
    "Monthly active users" if users is not None else "Active users (last day)",
    f"{users if users is not None else summary.active_users_latest or 0:,.0f}",
)
figures[2].metric("Engaged share", share(summary.engaged_share))
figures[3].metric(
    "Acceptance rate", share(summary.acceptance_rate),
    help=f"Σ acceptances ÷ Σ suggestions; by lines {share(summary.lines_acceptance_rate)}.",
)  # fmt: skip
figures[4].metric("Stickiness (DAU/MAU)", share(summary.stickiness))
st.caption(
    f"{summary.days:,} {telemetry.row}(s) from {summary.first_date} to {summary.last_date};"
    f" teams: {', '.join(plain(team) for team in summary.teams)}."
)

if report.adoption_note:
    st.caption(f"Note: {plain(report.adoption_note)}.")
if summary.adoption_basis is None:
    st.warning(
        "The export does not say how many people could use the tool, so there is no adoption"
        " rate or forecast: give the number of eligible users above."
    )

st.subheader("Trend and forecast")
if report.forecasts is None:
    note = report.forecast_note or "no forecast"
    st.info(plain(note[0].upper() + note[1:]) + ".")
else:
    teams = [item.team for item in report.forecasts]
    team = st.selectbox("Team", teams, key="adoption.team_view")
    forecast = cache.adoption_team(
        sources, team_label, float(eligible) or None, target, price, team, team_by, group
    )
    if forecast.fit is None:
        st.info(plain(forecast.note[0].upper() + forecast.note[1:]) + ".")
    else:
        st.plotly_chart(adoption_trend_figure(forecast), width="stretch", key="adoption.trend")
        fit = forecast.fit
        parts = st.columns(3)

        def interval(value, low, high, form) -> str:
            if low is None:
                return form(value)
            return f"{form(value)} ({form(low)} to {form(high)})"

        parts[0].metric(
            "Ceiling (95% interval)",
            interval(fit.ceiling.estimate, fit.ceiling.low, fit.ceiling.high, lambda v: f"{v:.0%}"),
        )
        parts[1].metric(
            "Growth per month",
            interval(fit.growth.estimate, fit.growth.low, fit.growth.high, lambda v: f"{v:.2f}"),
        )
        parts[2].metric(
            f"{target:.0%} reached", forecast.target_month or "not at this ceiling",
            help=None if forecast.target_note is None else plain(forecast.target_note),
        )  # fmt: skip

monthly = report.monthly
if not monthly.empty:
    with st.expander("Monthly series by team", expanded=False):
        st.dataframe(
            monthly.assign(month=monthly["period"].dt.strftime("%Y-%m"))[
                ["month", "team", "days", "active_users", "monthly_active_users",
                 "eligible_users", "adoption_rate", "engaged_share", "intensity",
                 "acceptance_rate"]
            ],
            hide_index=True,
            width="stretch",
            column_config={
                **{
                    column: st.column_config.NumberColumn(format="percent")
                    for column in ("adoption_rate", "engaged_share", "acceptance_rate")
                },
                # A month's user counts are the sums of its days' counts: user-days.
                **{
                    column: st.column_config.NumberColumn(user_days(column), format="localized")
                    for column in ("active_users", "monthly_active_users", "eligible_users")
                },
            },
        )  # fmt: skip
        st.caption(
            "A month's user counts are the sums of its days' counts (user-days: 120 people on"
            " 30 days are 3,600); the ratios divide those sums."
        )
        st.download_button(
            "Download the series (CSV)", lambda: adoption_csv(report),
            file_name="adoption_series.csv", mime="text/csv", key="adoption.csv",
            icon=":material/download:",
        )  # fmt: skip

DIMENSION_LABELS = {
    "feature": "Feature", "ide": "IDE", "language_feature": "Language / feature",
    "model_feature": "Model / feature", "language_model": "Language / model",
    "model": "Model", "app": "App", "cli": "Command line",
}  # fmt: skip
if report.reach or report.pull_requests is not None or report.breakdowns:
    st.subheader("Activity")
if report.reach:
    columns = st.columns(len(report.reach))
    for column, item in zip(columns, report.reach, strict=True):
        name = {"chat_users": "Chat", "agent_users": "Agent", "cli_users": "Command line"}
        column.metric(
            f"{name[item.figure]} reach", share(item.share),
            help=f"{item.users:,.0f} of {item.active:,.0f} {item.basis}, summed over the"
            f" export's days. {plain(telemetry.label(item.figure)).capitalize()}.",
        )  # fmt: skip
if report.pull_requests is not None:
    prs = report.pull_requests

    def minutes(value: float | None) -> str:
        return "–" if value is None else f"{value:,.0f} min"

    columns = st.columns(4)
    columns[0].metric("Pull requests created", f"{prs.created:,.0f}",
                      help=f"{share(prs.ai_share_of_created)} created by the agent.")  # fmt: skip
    columns[1].metric("Merged", f"{prs.merged:,.0f}")
    columns[2].metric("Time to merge (all)", minutes(prs.minutes_to_merge),
                      help="The mean of each day's median, weighted by the pull requests merged"
                      " that day: a summary of medians, not the median of all.")  # fmt: skip
    columns[3].metric("Time to merge (created by the agent)", minutes(prs.minutes_to_merge_ai))
if report.breakdowns:
    chosen = st.selectbox(
        "Activity by", list(report.breakdowns), format_func=lambda d: DIMENSION_LABELS.get(d, d),
        key="adoption.breakdown",
    )  # fmt: skip
    table = report.breakdowns[chosen]
    st.dataframe(
        table.rename(columns={"key": DIMENSION_LABELS.get(chosen, chosen)}),
        hide_index=True,
        width="stretch",
        column_config={"acceptance_rate": st.column_config.NumberColumn(format="percent")},
    )
    st.caption(
        "Sums over the export's days. Only the code_completion feature's acceptance rate is a"
        " completion acceptance rate; the others count chat code blocks and edits."
    )

has_spend = telemetry.daily[["cost", "credits"]].notna().any().any()
if telemetry.user_days is not None or has_spend:
    st.subheader("Spend and seats")
    columns = st.columns(2)
    seats = columns[0].number_input(
        "Seats bought (0 = not known)", min_value=0, value=0, step=10, key="adoption.seats",
        help="The reports list people who used the tool, not the seats you pay for.",
    )  # fmt: skip
    if seats and telemetry.user_days is not None:
        idle = billing.idle_seats(telemetry, int(seats), float(price))
        if idle is not None:
            columns[1].metric(
                f"Idle seats on {idle.as_of}", f"{idle.idle_seats:,} of {idle.seats:,}",
                help=f"Seats minus people active in the {idle.window_days} days up to the"
                f" export's last day ({plain(idle.basis)}); they cost"
                f" {format_money(idle.monthly_cost)} a month."
                + (f" {plain(idle.note)}" if idle.note else ""),
            )  # fmt: skip
    months = billing.cost_per_active_user(
        telemetry, float(price) if seats else None, int(seats) or None
    )
    if any(month.total_spend is not None for month in months):
        st.dataframe(
            pd.DataFrame(
                [{"Month": m.month, "Whole month": m.complete, "Active users": m.active_users,
                  "Seats": m.seats, "Reported spend": m.reported_spend,
                  "Licence spend": m.licence_spend, "Total": m.total_spend,
                  "Per active user": m.cost_per_active_user, "Note": m.note or ""}
                 for m in months]
            ),
            hide_index=True,
            width="stretch",
        )  # fmt: skip
        st.caption(
            "Cost per active user per month: the vendor's reported spend plus seats × the"
            " licence price, ÷ the people active that month."
        )
    if has_spend:
        for by in ("team", "model"):
            table = billing.spend_by(telemetry, by)
            if not table.empty:
                what = "Spend" if "cost" in table else "Usage"
                unit = (
                    f" ({plain(telemetry.currency)})"
                    if "cost" in table and telemetry.currency
                    else ""
                )
                st.markdown(f"{what} by {by}{unit}")
                st.dataframe(table, hide_index=True, width="stretch")
    adoption_sections.measured_usage_case(telemetry)

st.subheader("Data quality")
if telemetry.data_quality:
    st.warning(
        f"{len(telemetry.data_quality)} figure(s) look wrong. They are kept as reported and"
        " counted in every total."
    )
    st.dataframe(
        pd.DataFrame(
            [{"Date": n.date or "", "Where": n.where, "Note": n.message}
             for n in telemetry.data_quality]
        ),
        hide_index=True,
        width="stretch",
    )  # fmt: skip
else:
    st.caption("No figure in this export looks inconsistent.")

if report.idle is not None or report.cohorts is not None:
    st.subheader("Licences and cohorts")
    if report.idle is not None:
        idle = report.idle
        cost = "–" if idle.monthly_cost is None else format_money(idle.monthly_cost)
        columns = st.columns(2)
        columns[0].metric(f"Idle licences on {idle.as_of}", f"{idle.idle} of {idle.licensed}",
                          help=f"Licensed users with no activity in the {idle.window_days}"
                          " days up to the report's date (a monthly report's own"
                          " period).")  # fmt: skip
        columns[1].metric("Their monthly cost", cost)
    if report.cohorts is not None:
        st.plotly_chart(cohort_figure(report.cohorts), width="stretch", key="adoption.cohorts")
    else:
        st.caption("Cohorts need at least two reports of per-user data.")

if report.forecasts is not None and forecast is not None and forecast.fit is not None:
    st.subheader("Use as a business case's adoption curve")
    cases = cache.all_cases()
    labels = cache.case_labels(cases)
    case_id = st.selectbox(
        "Business case", list(cases), format_func=labels.get,
        key="adoption.case",
    )  # fmt: skip
    case = cases[case_id]
    curve = measured_adoption(forecast, case.start, f"{name}, team {team}")
    measured = with_adoption(case, curve, forecast)
    before_after(case, measured, "**As planned**", "**With measured adoption**")
    st.caption(
        f"Months with an observation take it; the others take the fitted S-curve (ceiling"
        f" {curve.ceiling:.0%}). The curve records its source: {plain(curve.source)}."
    )
    st.download_button(
        "Download the case with measured adoption (YAML)",
        dump_case(measured),
        file_name=f"{case_id}_measured_adoption.yaml",
        mime="application/x-yaml",
        key="adoption.download",
    )
    saved.save_button(
        "case", dump_case(measured).encode("utf-8"), f"{case_id}_measured_adoption.yaml",
        "adoption.save_case",
    )  # fmt: skip
