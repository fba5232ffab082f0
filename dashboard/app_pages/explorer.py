"""Scenario explorer: move a case's main assumptions and watch its figures; the scenario
lives in the page's address, so a copied link reopens it exactly."""

from urllib.parse import urlencode

import streamlit as st

from dashboard import cache
from dashboard.charts import cash_flow_figure
from dashboard.state import lever_key
from dashboard.ui import annual_table, show_metrics
from roi.scenario import (
    LEVER_NAMES,
    Levers,
    lever_ranges,
    levers_from_query,
    levers_of,
    levers_to_query,
)

cases = cache.sample_cases()
ids = list(cases)

# A link chooses the case and its levers, once per session (later runs follow the widgets).
if not st.session_state["explorer.link_read"]:
    st.session_state["explorer.link_read"] = True
    query = st.query_params.to_dict()
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
    st.warning(f"Part of the link was ignored: {reason}.")
st.session_state["explorer.ignored"] = ()

controls, figures = st.columns([1, 2.6], gap="large")
with controls:
    case_id = st.selectbox(
        "Use case", ids, format_func=lambda i: cases[i].name, key="explorer.case"
    )
    case = cases[case_id]
    plan = levers_of(case)
    ranges = lever_ranges(case)
    labels = {
        "adoption_ceiling": (
            "Adoption ceiling",
            "percent",
            "Highest share of eligible users active.",
        ),
        "ramp_months": (
            ("Ramp: month of half the ceiling", "month %.1f", "How fast adoption grows.")
            if case.adoption is not None and case.adoption.curve in ("logistic", "measured")
            else ("Ramp: months to reach the ceiling", "%.0f months", "How fast adoption grows.")
        ),
        "volume_scale": ("Volume of work (% of plan)", "percent", "Tasks, tickets or leads."),
        "minutes_saved_scale": ("Minutes saved (% of plan)", "percent", "Per task or item."),
        "hourly_cost_scale": ("Loaded hourly cost (% of plan)", "percent", "Wage plus overheads."),
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
    values = {}
    for name, bounds in ranges.items():
        key = lever_key(case_id, name)
        st.session_state.setdefault(key, getattr(plan, name))
        label, number_format, tip = labels[name]
        values[name] = st.slider(
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

levers = Levers(**{name: values.get(name, getattr(plan, name)) for name in LEVER_NAMES})
params = {"case": case_id, **levers_to_query(case, levers)}
st.query_params.from_dict(params)

result = cache.scenario(case_id, levers)
planned = cache.scenario(case_id, plan)

with figures:
    st.subheader(case.name)
    if case.description:
        st.caption(case.description)
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

st.plotly_chart(cash_flow_figure(result), width="stretch", key="explorer.chart")
st.subheader("Annual cash flows (risk-adjusted)")
st.dataframe(annual_table(result), hide_index=True, width="stretch")
convention = "monthly" if case.discounting == "monthly" else "at year end (TEI)"
st.caption(
    f"{case.currency}; start {case.start}; {case.horizon_years} years; discounted {convention}."
    " Present values follow the case's convention; see the Methodology page."
)
