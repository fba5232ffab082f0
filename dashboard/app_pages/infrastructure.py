"""Infrastructure: serverless against provisioned hosting for a case's infrastructure lines,
where the two cross, and what each choice does to the case's NPV."""

import streamlit as st

from dashboard import cache
from dashboard.charts.hosting import hosting_cost_figure, hosting_timeline_figure
from dashboard.ui import METHODOLOGY
from roi.core.drivers.infrastructure import Infrastructure
from roi.core.hosting import HostingLevers, hosting_lever_ranges, hosting_levers_of
from roi.io.formatting import format_money, format_number

ANCHOR = f"{METHODOLOGY}#infrastructure-serverless-or-provisioned"

st.title("Infrastructure")
st.caption(
    "What hosting costs as volume grows: pay-per-use (serverless functions, model APIs)"
    f" against provisioned instances. [How it is computed]({ANCHOR})"
)

cases = cache.all_cases()
lines = {
    (case_id, index): f"{case.name} · {item.name}"
    for case_id, case in cases.items()
    for index, item in enumerate(case.costs)
    if isinstance(item, Infrastructure)
}
if not lines:
    st.info("No sample case has an infrastructure line (type: infrastructure).")
    st.stop()

controls, figures = st.columns([1, 2.6], gap="large")
with controls:
    choice = st.selectbox(
        "Hosting line", list(lines), format_func=lines.get, key="infrastructure.line"
    )
    case_id, index = choice
    case = cases[case_id]
    item = case.costs[index]
    plan = hosting_levers_of(item)
    prefix = f"infrastructure.{case_id}.{index}"

    ranges = hosting_lever_ranges(item)
    labels = {
        "volume_scale": ("Request volume (% of plan)", "percent",
                         "Multiplies the line's monthly requests in every month."),
        "cache_hit_rate": ("Cache hit rate", "percent",
                           "Requests answered from a cache never reach either backend."),
        "target_utilization": ("Utilisation target", "percent",
                               "Share of an instance's capacity to plan for."),
        "peak_to_average": ("Peak-to-average load", "%.1f×", "Instances are sized for the peak."),
        "commitment_discount": ("Commitment discount", "percent",
                                "Discount for a reserved or savings-plan commitment."),
    }  # fmt: skip
    values = {}
    for name, bounds in ranges.items():
        key = f"{prefix}.{name}"
        st.session_state.setdefault(key, getattr(plan, name))
        label, number_format, tip = labels[name]
        values[name] = st.slider(
            label, bounds.low, bounds.high, step=bounds.step, format=number_format, help=tip,
            key=key,
        )  # fmt: skip
    levers = HostingLevers(**{**vars(plan), **values})

report, curve, horizon = cache.hosting(case_id, index, levers)
currency = case.currency
result = report.crossover

with figures:
    st.subheader(lines[choice])
    first, final, month = st.columns(3)

    def volume(value: float | None) -> str:
        return "none" if value is None else format_number(value)

    first.metric(
        "First crossover",
        volume(result.first_requests_per_month),
        help="Smallest monthly volume at which provisioned is not dearer.",
    )
    final.metric(
        "Crossover",
        volume(result.requests_per_month),
        help="Smallest monthly volume from which provisioned is never dearer.",
    )
    month.metric(
        "Crossover month",
        "not within horizon" if report.crossover_month is None else str(report.crossover_month),
        help="First month whose volume reaches the crossover.",
    )
    st.caption("Crossovers are monthly volumes: requests a month, before the cache.")
    if result.note:
        st.caption(f"No crossover: {result.note}.")
    pvs = st.columns(3)
    for column, (label, value) in zip(
        pvs,
        (("PV serverless", report.pv_serverless), ("PV provisioned", report.pv_provisioned)),
        strict=False,
    ):
        column.metric(label, format_money(value, currency), help="Unadjusted, over the horizon.")
    npvs = st.columns(len(report.npv_by_model))
    for column, (model, npv) in zip(npvs, report.npv_by_model.items(), strict=True):
        column.metric(
            f"Case NPV if {model}", format_money(npv, currency),
            help="The case's risk-adjusted NPV with this line hosted that way.",
        )  # fmt: skip

st.plotly_chart(
    hosting_cost_figure(
        curve, result.first_requests_per_month, result.requests_per_month, horizon, currency
    ),
    width="stretch",
    key="infrastructure.curve",
)
st.plotly_chart(
    hosting_timeline_figure(report.serverless_cost, report.provisioned_cost, currency),
    width="stretch",
    key="infrastructure.timeline",
)
if report.switch_months:
    months = ", ".join(str(m) for m in report.switch_months)
    st.caption(f"The cheaper model changes in month {months}.")
