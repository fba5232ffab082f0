"""Sections of the Adoption page that only some uploads call for: the Viva Insights attribute
read as the team, several tools side by side, and the measured usage of a usage-billed
licence taken into a business case. Each shows the engine's figures; none computes one."""

from __future__ import annotations

import re

import streamlit as st

from dashboard import cache, saved
from dashboard.markup import plain
from dashboard.ui import before_after
from roi.adoption import billing
from roi.adoption.formats.common import Telemetry
from roi.adoption.formats.viva_insights import DEFAULT_TEAM_BY
from roi.adoption.tools import AVERAGE_MONTH_DAYS, ToolComparison
from roi.core.casefile import dump_case
from roi.io.formatting import MISSING, format_input, format_number

VIVA = "viva_insights_person_query"
CASE_BUILDER = "Case builder"  # the page's title in dashboard/app.py

TOOL_COLUMNS = {
    "tool": "Tool",
    "window_start": "From",
    "window_end": "To",
    "active_users": "Active people",
    "listed_users": "Listed people",
    "licensed_users": "Licensed",
    "reported_spend": "Reported spend",
    "licence_spend": "Licence spend",
    "currency": "Currency",
    "cost_per_active_user": "Cost per active person",
}
# What each count is, per tool: long sentences, in a table of their own below the figures.
BASIS_COLUMNS = {
    "tool": "Tool",
    "active_basis": "How active people are counted",
    "licensed_basis": "How licences are counted",
}


def viva_team_by(files: cache.Files, groups: tuple[Telemetry, ...], where) -> str | None:
    """For a Viva Insights person query among ``groups``: a choice, in ``where`` (a column),
    of the HR attribute read as the team (``Organization`` by default); ``None`` otherwise."""
    if not any(telemetry.format == VIVA for telemetry in groups):
        return None
    choices = list(cache.viva_attributes(files))
    if not choices:
        return None
    return where.selectbox(
        "Team is the attribute", choices,
        index=choices.index(DEFAULT_TEAM_BY) if DEFAULT_TEAM_BY in choices else 0,
        key="adoption.team_by",
        help="A Viva Insights person query carries each person's HR attributes: the one chosen"
        " here groups people into teams (adoption by team, forecasts).",
    )  # fmt: skip


def group_label(telemetry: Telemetry) -> str:
    """What a picker shows for one tool's exports (plain text: options are not Markdown)."""
    label = f"{telemetry.tool}: {telemetry.format_name}"
    if telemetry.scope:
        label += f", {telemetry.scope}"
    return f"{label} ({telemetry.source})"


def tool_terms(
    tools: list[str],
) -> tuple[tuple[tuple[str, int], ...], tuple[tuple[str, float], ...]]:
    """Seats and a monthly seat price per tool, typed in (0 = not known)."""
    seats, prices = [], []
    columns = st.columns(len(tools))
    for index, (column, tool) in enumerate(zip(columns, tools, strict=True)):
        with column:
            count = st.number_input(
                f"{plain(tool)} seats (0 = from the export)", min_value=0, value=0, step=10,
                key=f"adoption.tool_seats.{index}",
                help="The licences you pay for; without them, the export's licence count.",
            )  # fmt: skip
            price = st.number_input(
                f"{plain(tool)} seat price a month (0 = none)", min_value=0.0, value=0.0,
                step=1.0, key=f"adoption.tool_price.{index}",
                help="In the currency of the tool's reported spend.",
            )  # fmt: skip
        if count:
            seats.append((tool, int(count)))
        if price:
            prices.append((tool, float(price)))
    return tuple(seats), tuple(prices)


def show_comparison(comparison: ToolComparison) -> None:
    """The comparison's table, its people metrics and its notes."""
    table = comparison.table()[list(TOOL_COLUMNS)].rename(columns=TOOL_COLUMNS)
    money = st.column_config.NumberColumn(format="%.2f")
    count = st.column_config.NumberColumn(format="localized")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            **{
                name: money
                for name in ("Reported spend", "Licence spend", "Cost per active person")
            },
            **{name: count for name in ("Active people", "Listed people", "Licensed")},
        },
    )
    st.dataframe(
        comparison.table()[list(BASIS_COLUMNS)].rename(columns=BASIS_COLUMNS),
        hide_index=True,
        width="stretch",
        column_config={"How active people are counted": st.column_config.TextColumn(width="large")},
    )
    st.caption(
        f"Each tool over the {comparison.window_days} days up to its own last date. Licence"
        f" spend: licensed × the seat price × {comparison.window_days} ÷ {AVERAGE_MONTH_DAYS}"
        " days (an average month); cost per active person: (licence spend + reported spend)"
        " ÷ active people."
    )

    def count_of(value: int | None) -> str:
        return MISSING if value is None else f"{value:,}"

    figures = st.columns(4)
    figures[0].metric(
        "People listed", count_of(comparison.people_listed),
        help="Distinct people the tools that name their users list in their windows.",
    )  # fmt: skip
    figures[1].metric("People active", count_of(comparison.people_active))
    shared = ", ".join(plain(person) for person in comparison.shared_people)
    figures[2].metric(
        "People in several tools", count_of(comparison.people_in_several_tools),
        help=f"Active in two tools or more: {shared}." if shared else None,
    )  # fmt: skip
    figures[3].metric(
        "Licences per person", format_number(comparison.licences_per_person, 2),
        help=f"{count_of(comparison.licences)} licences of the tools that name their users ÷"
        " the distinct people those tools list (above 1: people hold several tools' licences).",
    )  # fmt: skip
    notes = [plain(note) for note in comparison.notes]
    notes += [f"{plain(use.tool)}: {plain(note)}" for use in comparison.tools for note in use.notes]
    st.markdown("**Notes**\n\n" + "\n".join(f"- {note[0].upper()}{note[1:]}." for note in notes))


def tools_side_by_side(
    files: cache.Files, team: str | None, team_by: str | None, groups: tuple[Telemetry, ...]
) -> int:
    """The "Tools side by side" section for the exports of several tools; returns the index
    of the tool the rest of the page shows."""
    st.subheader("Tools side by side")
    tools = list(dict.fromkeys(telemetry.tool for telemetry in groups))
    seats, prices = tool_terms(tools)
    show_comparison(cache.tool_comparison(files, team, team_by, seats, prices))
    return st.selectbox(
        "Tool shown below", range(len(groups)), format_func=lambda i: group_label(groups[i]),
        key="adoption.tool",
        help="The summary, trend, activity and spend below are of this tool's exports.",
    )  # fmt: skip


def show_measurement(measured: billing.MeasuredUsage) -> None:
    """A measured usage per active user a month: its figures and its source."""
    first, second = st.columns(4), st.columns(4)
    first[0].metric(
        "Mean per user a month", format_input(measured.mean),
        help="Units each active user used in a complete calendar month, on average.",
    )  # fmt: skip
    first[1].metric(
        "Spread across users (sd)",
        MISSING if measured.sd is None else format_input(measured.sd),
        help="How unevenly people use the tool: the standard deviation across user-months"
        " (none from a single one).",
    )
    first[2].metric("User-months", f"{measured.user_months:,}", help=f"{measured.users:,} users.")
    first[3].metric("Complete months", f"{len(measured.months):,}")
    for column, name, value in zip(
        second[:3], ("p10", "p50 (median)", "p90"), (measured.p10, measured.p50, measured.p90),
        strict=True,
    ):  # fmt: skip
        column.metric(name, format_input(value), help="Of the user-months (linear interpolation).")
    second[3].metric(
        "Partial months left out", f"{len(measured.partial_months):,}",
        help=", ".join(measured.partial_months) or None,
    )  # fmt: skip
    st.caption(plain(measured.source))


def measured_usage_case(telemetry: Telemetry) -> None:
    """ "Use the measured usage in a case": a figure the export measures per user, and a case
    with a ``usage_licence`` line taking it, before and after."""
    measures = billing.measured_figures(telemetry)
    if not measures:
        return
    st.markdown("#### Use the measured usage in a case")
    figure = st.selectbox(
        "Measured figure", list(measures),
        format_func=lambda f: f"{f}: {telemetry.label(f)}", key="adoption.usage_figure",
        help="Units each active user used a month, over the export's complete calendar months.",
    )  # fmt: skip
    measured = measures[figure]
    show_measurement(measured)
    cases = {
        case_id: case for case_id, case in cache.all_cases().items() if billing.usage_lines(case)
    }
    if not cases:
        st.caption(
            "No business case has a usage_licence cost line to take this measurement: add a"
            " usage_licence cost line (seats and licence pricing, e.g. the"
            f" github_copilot_business preset) to a case on the {CASE_BUILDER} page and save it."
        )
        return
    labels = cache.case_labels(cases)
    case_id = st.selectbox(
        "Business case with a usage-billed licence", list(cases), format_func=labels.get,
        key="adoption.usage_case",
    )  # fmt: skip
    case = cases[case_id]
    lines = billing.usage_lines(case)
    line = lines[0]
    if len(lines) > 1:
        line = st.selectbox(
            "Cost line", lines, key="adoption.usage_line",
            format_func=lambda i: f"costs[{i}]: {case.costs[i].name}",
        )  # fmt: skip
    try:
        updated = billing.with_measured_usage(case, measured, line)
    except ValueError as error:
        st.warning(f"This case cannot take the measurement: {plain(error)}.")
        return
    before_after(case, updated, "**As planned**", "**With measured usage**")
    st.caption(
        f"costs[{line}] ({plain(case.costs[line].name)}) takes the measured {plain(figure)} per"
        " active user a month, its spread across users and the uncertainty of its mean."
    )
    text = dump_case(updated)
    slug = re.sub(r"[^a-z0-9]+", "_", case.name.lower()).strip("_") or "case"
    st.download_button(
        "Download the case with measured usage (YAML)", text,
        file_name=f"{slug}_measured_usage.yaml", mime="application/x-yaml",
        key="adoption.usage_download", icon=":material/download:",
    )  # fmt: skip
    saved.save_button(
        "case", text.encode("utf-8"), f"{slug}_measured_usage.yaml", "adoption.usage_save"
    )
