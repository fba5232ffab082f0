"""Scenario explorer: move a case's main assumptions and watch its figures; the scenario
lives in the page's address, so a copied link reopens it exactly."""

import time
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from dashboard import cache, database, saved, signin
from dashboard.charts.uncertainty import (
    fan_figure,
    histogram_figure,
    tornado_figure,
    two_way_figure,
)
from dashboard.markup import plain
from dashboard.state import lever_key
from dashboard.ui import (
    METHODOLOGY,
    annual_table,
    case_downloads,
    show_case_warnings,
    show_metrics,
    show_sources,
)
from roi.access import Right
from roi.core.distributions import describe, value_at
from roi.core.scenario import (
    LEVER_NAMES,
    Levers,
    lever_ranges,
    levers_from_query,
    levers_of,
    levers_to_query,
)
from roi.core.units import format_value
from roi.io.formatting import format_input, format_money
from roi.reports.figures import cash_flow_figure

cases = cache.all_cases()
labels = cache.case_labels(cases)
ids = list(cases)

# A link chooses the case and its levers, once per session (later runs follow the widgets).
if not st.session_state["explorer.link_read"]:
    st.session_state["explorer.link_read"] = True
    query = st.query_params.to_dict()
    if "scenario" in query:  # a saved scenario's link: its case and its lever values
        opened = saved.open_scenario(query["scenario"])
        if isinstance(opened, str):
            st.session_state["explorer.ignored"] = (opened,)
        else:
            query = {"case": opened[0], **opened[1]}
            st.session_state["explorer.note"] = opened[2]
    linked = query.get("case")
    if linked in cases:
        st.session_state["explorer.case"] = linked
        parsed = levers_from_query(cases[linked], query)
        for name in LEVER_NAMES:
            value = getattr(parsed.levers, name)
            if value is not None:
                st.session_state[lever_key(linked, name)] = value
        if parsed.ignored:
            st.session_state["explorer.ignored"] = parsed.ignored
    elif linked:
        st.session_state["explorer.ignored"] = (f"case={linked!r} is not a case of this portfolio",)
if st.session_state["explorer.case"] not in cases:
    st.session_state["explorer.case"] = ids[0]

st.title("Scenario explorer")
for reason in st.session_state["explorer.ignored"]:
    st.warning(f"Part of the link was ignored: {plain(reason)}.")
if note := st.session_state.pop("explorer.note", None):
    st.info(plain(note), icon=":material/history:")
st.session_state["explorer.ignored"] = ()


def month_labels(timeline) -> list[str]:
    """ "Initial", then each month as YYYY-MM: the fan chart's axis."""
    return ["Initial", *(d.strftime("%Y-%m") for d in timeline.dates()[1:])]


# How long the headline figures have to be painted before the levers, chart and table follow.
HEADLINE_PAINT_SECONDS = 0.05
# The uncertainty section's analyses, one open at a time.
UNCERTAINTY_VIEWS = ("NPV distribution", "What decides it", "Scenarios", "Two inputs")
st.session_state.setdefault("explorer.draws", 5_000)
st.session_state.setdefault("explorer.seed", 0)


def save_panel(case_id: str, case, levers: Levers, result) -> None:
    """ "Save this scenario" (for those who may save, with a store), and the saved one's link."""
    if not signin.may(Right.SAVE):
        st.caption(":material/lock: " + signin.refusal(Right.SAVE, "saving a scenario"))
    elif database.store() is not None:
        with st.popover("Save this scenario", icon=":material/bookmark_add:"):
            scenario_name = st.text_input(
                "Scenario name", key="explorer.scenario_name", max_chars=200,
                placeholder="e.g. Board case: 40% adoption",
            )  # fmt: skip
            if st.button("Save", key="explorer.save_scenario", type="primary"):
                problem = saved.save_scenario(
                    scenario_name, case_id, levers_to_query(case, levers), result
                )
                if problem:
                    st.error(f"Not saved: {plain(problem)}.")
                else:
                    st.success(
                        f"Saved as {plain(repr(scenario_name.strip()))}. Compare it with"
                        " others on the Scenarios page; a name saved again is replaced (the"
                        " history keeps both)."
                    )
        if st.session_state.get("explorer.saved"):
            saved_id = st.session_state["explorer.saved"]
            st.caption(f"[Link to the saved scenario](/explorer?scenario={saved_id})")


def levers_panel(case_id: str, case, ranges) -> None:
    """The case chooser, one slider per lever that acts on the case, and the way back."""
    st.selectbox("Use case", ids, format_func=labels.get, key="explorer.case")
    lever_labels = {
        "adoption_ceiling": (
            "Adoption ceiling",
            "percent",
            "Highest share of eligible users active.",
        ),
        "ramp_months": (
            ("Ramp: month of half the ceiling", "month %.1f", "How fast adoption grows.")
            if case.adoption is not None and case.adoption.curve in ("logistic", "measured")
            else (
                "Ramp: months to reach the ceiling",
                "%.0f months",
                "How fast adoption grows.",
            )
        ),
        "volume_scale": ("Volume of work (% of plan)", "percent", "Tasks, tickets or leads."),
        "minutes_saved_scale": ("Minutes saved (% of plan)", "percent", "Per task or item."),
        "hourly_cost_scale": (
            "Loaded hourly cost (% of plan)",
            "percent",
            "Wage plus overheads.",
        ),
        "productivity_recapture": (
            "Productivity recapture",
            "percent",
            "Share of saved time that turns into value (every time-saved line).",
        ),
        "discount_rate": ("Discount rate (annual)", "percent", "Cost of capital."),
        "risk_points": (
            "Extra risk on every line (points of ρ)",
            "percent",
            "Added to each line item's risk factor, kept between 0% and 90%.",
        ),
    }
    for name, bounds in ranges.items():
        key = lever_key(case_id, name)
        label, number_format, tip = lever_labels[name]
        st.slider(
            label,
            min_value=bounds.low,
            max_value=bounds.high,
            step=bounds.step,
            format=number_format,
            help=tip,
            key=key,
        )

    def back_to_plan(case_id: str = case_id) -> None:
        for name in LEVER_NAMES:
            st.session_state.pop(lever_key(case_id, name), None)

    st.button("Back to the plan", on_click=back_to_plan, icon=":material/undo:")


@st.fragment
def scenario() -> None:
    """The levers and every figure they drive: a move reruns this, not the page (the
    sign-in, the navigation and the link reading above stay as they are)."""
    controls, figures = st.columns([1, 2.6], gap="large")
    case_id = st.session_state["explorer.case"]
    case = cases[case_id]
    plan = levers_of(case)
    ranges = lever_ranges(case)
    # A moved slider's value is in the session before its widget is drawn, so the headline
    # is computed and sent before the levers (into the right-hand column, the layout as
    # before). The browser renders what arrives together in one go: the headline alone,
    # then, a moment later, the levers, downloads, chart and table. In Chromium, slider →
    # NPV went from about 100 ms to about 72 ms, a trivial page's 65 ms (issue 22; make
    # bench; first the chart alone came later: 230 → 140 ms).
    for name in ranges:
        st.session_state.setdefault(lever_key(case_id, name), getattr(plan, name))
    levers = Levers(
        **{
            name: st.session_state[lever_key(case_id, name)] if name in ranges
            else getattr(plan, name)
            for name in LEVER_NAMES
        }
    )  # fmt: skip
    params = {"case": case_id, **levers_to_query(case, levers)}
    st.query_params.from_dict(params)
    result = cache.scenario(case_id, levers)
    planned = cache.scenario(case_id, plan)

    with figures:
        show_case_warnings(case)
        st.subheader(plain(case.name))
        if case.description:
            st.caption(plain(case.description))
        adjusted, unadjusted = st.columns(2)
        with adjusted:
            st.markdown("**Risk-adjusted** (headline)")
            show_metrics(result.risk_adjusted.metrics, case.currency, planned.risk_adjusted.metrics)
        with unadjusted:
            st.markdown("**Unadjusted**")
            show_metrics(result.unadjusted.metrics, case.currency, planned.unadjusted.metrics)
        st.markdown(
            f"[Link to this scenario](/explorer?{urlencode(params)}) — or copy the address bar."
        )
    time.sleep(HEADLINE_PAINT_SECONDS)
    with controls:
        levers_panel(case_id, case, ranges)
    with figures:
        case_downloads(case_id, levers, "explorer")
        save_panel(case_id, case, levers, result)

    st.plotly_chart(cash_flow_figure(result), width="stretch", key="explorer.chart")
    st.subheader("Annual cash flows (risk-adjusted)")
    st.dataframe(annual_table(result), hide_index=True, width="stretch")
    convention = "monthly" if case.discounting == "monthly" else "at year end (TEI)"
    st.caption(
        f"{case.currency}; start {case.start}; {case.horizon_years} years; discounted {convention}."
        " Present values follow the case's convention; see the Methodology page."
    )
    show_sources(case)

    uncertainty(case_id, case, levers, result)


def uncertainty(case_id: str, case, levers: Levers, result) -> None:
    """The uncertainty section: computed only for the analysis the user opens (the
    simulation, the tornado, the scenarios or the two-way grid), then it follows the levers."""
    st.header("Uncertainty")
    declared = len(case.uncertainty)
    st.caption(
        f"{declared} input(s) of this case have a distribution"
        + (
            " (its uncertainty section); they move with the sliders above."
            if declared
            else "; the simulation needs at least one (see the case file's 'uncertainty' section)."
        )
        + " Unadjusted view: a distribution replaces the flat risk factor."
        f" [How it is computed]({METHODOLOGY}#uncertainty-simulation-sensitivity-break-even-and"
        "-scenarios)"
    )
    view = st.segmented_control(
        "Analysis", UNCERTAINTY_VIEWS, key="explorer.uncertainty",
        help="Each analysis is computed when you open it, and then follows the sliders.",
    )  # fmt: skip
    if view is None:
        st.caption(
            "Open an analysis above: the NPV distribution (Monte Carlo), what decides it"
            " (tornado and break-even values), the scenarios, or two inputs at once."
        )
        return
    if view == UNCERTAINTY_VIEWS[0]:
        runs, seed_column = st.columns([2, 1])
        with runs:
            st.select_slider(
                "Draws", options=[1_000, 5_000, 10_000, 50_000, 100_000],
                key="explorer.draws", help="More draws give steadier percentiles; 10,000 take"
                " a tenth of a second.",
            )  # fmt: skip
        with seed_column:
            st.number_input("Seed", 0, 2**32 - 1, key="explorer.seed")
    draws, seed = st.session_state["explorer.draws"], st.session_state["explorer.seed"]
    try:
        simulation = cache.simulation(case_id, levers, int(draws), int(seed))
    except ValueError as error:  # some draw gives no finite NPV: say so instead of summarising
        st.error(f"The simulation cannot be summarised: {plain(error)}.")
        return
    if view != UNCERTAINTY_VIEWS[0]:
        rows, evens, scenarios = cache.sensitivity(case_id, levers)
    if view == UNCERTAINTY_VIEWS[0]:
        distribution(case, result, simulation)
    elif view == UNCERTAINTY_VIEWS[1]:
        decides(case, rows, evens, simulation)
    elif view == UNCERTAINTY_VIEWS[2]:
        compared(case, scenarios)
    else:
        pair(case_id, case, levers, rows)


def distribution(case, result, simulation) -> None:
    """The NPV distribution: percentiles, histogram, fan and what explains the spread."""
    p = simulation.npv_percentiles
    cells = st.columns(5)
    cells[0].metric("P(NPV > 0)", f"{simulation.prob_npv_positive:.0%}")
    cells[1].metric("P10 NPV", format_money(p[10], case.currency),
                    help="One draw in ten is below this.")  # fmt: skip
    cells[2].metric("Median NPV (P50)", format_money(p[50], case.currency))
    cells[3].metric("P90 NPV", format_money(p[90], case.currency),
                    help="One draw in ten is above this.")  # fmt: skip
    payback = simulation.payback_p50_months
    cells[4].metric(
        "Median payback (months)",
        "never" if payback is None else f"{payback:.1f}",
        help=f"{simulation.prob_payback_within_horizon:.0%} of draws pay back within the horizon.",
    )
    st.plotly_chart(histogram_figure(simulation, case.currency), width="stretch",
                    key="explorer.histogram")  # fmt: skip
    st.plotly_chart(fan_figure(simulation, month_labels(result.timeline), case.currency),
                    width="stretch", key="explorer.fan")  # fmt: skip
    if simulation.contributions:
        st.dataframe(
            pd.DataFrame(
                [
                    {"Input": c.label, "Share of the spread": 100 * c.share,
                     "Rank correlation with NPV": c.rank_correlation}
                    for c in simulation.contributions
                ]
            ),
            hide_index=True, width="stretch",
            column_config={
                "Share of the spread": st.column_config.ProgressColumn(
                    format="%.0f%%", min_value=0, max_value=100
                ),
                "Rank correlation with NPV": st.column_config.NumberColumn(format="%+.2f"),
            },
        )  # fmt: skip


def decides(case, rows, evens, simulation) -> None:
    """What decides NPV: the tornado and the break-even values."""
    st.plotly_chart(tornado_figure(rows, simulation.deterministic_npv, case.currency),
                    width="stretch", key="explorer.tornado")  # fmt: skip
    st.subheader("Break-even values")
    st.caption(
        "The value of each input at which NPV is 0, and at which payback is"
        f" {cache.PAYBACK_TARGET_MONTHS:g} months, the others as they are (unadjusted view,"
        " as the tornado)."
    )
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Input": b.label, "Now": format_value(case, b.input, b.value),
                    "NPV = 0 at": (
                        b.npv_note if b.npv_zero is None
                        else format_value(case, b.input, b.npv_zero)
                    ),
                    f"Payback = {cache.PAYBACK_TARGET_MONTHS:g} months at": (
                        b.payback_note if b.payback_target is None
                        else format_value(case, b.input, b.payback_target)
                    ),
                }
                for b in evens
            ]
        ),
        hide_index=True, width="stretch",
        column_config={
            "Input": st.column_config.TextColumn(width=330),
            "Now": st.column_config.TextColumn(width=80),
            "NPV = 0 at": st.column_config.TextColumn(width=265),
            f"Payback = {cache.PAYBACK_TARGET_MONTHS:g} months at": st.column_config.TextColumn(
                width=265
            ),
        },
    )  # fmt: skip


def compared(case, scenarios) -> None:
    """The scenarios side by side, with their inputs."""
    table = pd.DataFrame(
        [
            {
                "Scenario": r.name, "NPV": round(r.npv),
                "Change from the case": round(r.npv_change),
                "ROI (%)": None if r.roi is None else 100 * r.roi,
                "Payback (months)": r.payback_months,
            }
            for r in scenarios
        ]
    )  # fmt: skip
    st.dataframe(
        table.style.map(
            lambda v: "color: #D55E00" if v < 0 else ("color: #009E73" if v > 0 else ""),
            subset=["Change from the case"],
        ),
        hide_index=True, width="stretch",
        column_config={
            "NPV": st.column_config.NumberColumn(format="localized"),
            "Change from the case": st.column_config.NumberColumn(format="localized"),
            "ROI (%)": st.column_config.NumberColumn(format="%.0f"),
            "Payback (months)": st.column_config.NumberColumn(format="%.1f"),
        },
    )  # fmt: skip
    named = list(dict.fromkeys(k for r in scenarios for k in r.values))
    if named:
        st.markdown("**Inputs in each scenario** (blank: as written)")
        st.dataframe(
            pd.DataFrame(
                [
                    {"Input": describe(case, k), "As written": format_input(value_at(case, k)),
                     **{r.name: (format_input(r.values[k]) if k in r.values else "")
                        for r in scenarios}}
                    for k in named
                ]
            ),
            hide_index=True, width="stretch",
        )  # fmt: skip
    st.caption(
        "Unadjusted view. Without scenarios of its own, a case gets conservative and optimistic"
        " ones: every uncertain input at the unfavourable or favourable end of its range."
    )


def pair(case_id: str, case, levers: Levers, rows) -> None:
    """NPV over a grid of two inputs."""
    choices = [r.input for r in rows]
    if len(choices) < 2:
        st.info("Fewer than two inputs move NPV: no grid to draw.")
    else:
        labels = {r.input: r.label for r in rows}
        left, right = st.columns(2)
        first = left.selectbox("First input", choices, 0, format_func=labels.get,
                               key="explorer.two_way.first")  # fmt: skip
        second = right.selectbox(
            "Second input", [c for c in choices if c != first], 0,
            format_func=labels.get, key="explorer.two_way.second",
        )  # fmt: skip
        a, b, grid = cache.two_way_grid(case_id, levers, first, second)
        figure = two_way_figure(a, b, grid, labels[first], labels[second], case.currency)
        st.plotly_chart(figure, width="stretch", key="explorer.two_way")


scenario()
