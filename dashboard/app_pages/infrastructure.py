"""Infrastructure: serverless against provisioned hosting for a case's infrastructure lines,
where the two cross, and what each choice does to the case's NPV."""

import streamlit as st

from dashboard import cache
from dashboard.charts.hosting import hosting_cost_figure, hosting_timeline_figure
from dashboard.markup import plain
from dashboard.ui import METHODOLOGY
from roi.core.drivers.infrastructure import Infrastructure
from roi.core.hosting import HostingLevers, hosting_lever_ranges, hosting_levers_of
from roi.core.links import query_of, values_from_query
from roi.io.formatting import format_money, format_number

ANCHOR = f"{METHODOLOGY}#infrastructure-serverless-or-provisioned"

st.title("Infrastructure")
st.caption(
    "What hosting costs as volume grows: pay-per-use (serverless functions, model APIs)"
    f" against provisioned instances. [How it is computed]({ANCHOR})"
)

cases = cache.all_cases()
labels = cache.case_labels(cases)
lines = {
    (case_id, index): f"{labels[case_id]} · {item.name}"
    for case_id, case in cases.items()
    for index, item in enumerate(case.costs)
    if isinstance(item, Infrastructure)
}
if not lines:
    st.info("No sample case has an infrastructure line (type: infrastructure).")
    st.stop()

# The page's address holds the line and its sliders: a link reopens what its sender saw.
LINK_KEYS = {
    "volume_scale": "volume", "cache_hit_rate": "cache", "target_utilization": "utilization",
    "peak_to_average": "peak", "commitment_discount": "commitment",
}  # fmt: skip


def line_id(line: tuple[str, int]) -> str:
    return f"{line[0]}.{line[1]}"


if not st.session_state.get("infrastructure.link_read"):
    st.session_state["infrastructure.link_read"] = True
    query = st.query_params.to_dict()
    linked = next((line for line in lines if line_id(line) == query.get("line")), None)
    ignored = [] if linked or "line" not in query else [f"line={query['line']!r} is not here"]
    target = linked or st.session_state.get("infrastructure.line") or next(iter(lines))
    if linked:
        st.session_state["infrastructure.line"] = linked
    item_ranges = hosting_lever_ranges(cases[target[0]].costs[target[1]])
    bounds = {name: (r.low, r.high) for name, r in item_ranges.items()}
    values, why = values_from_query(query, LINK_KEYS, bounds)
    for name, value in values.items():
        st.session_state[f"infrastructure.{line_id(target)}.{name}"] = value
    for reason in (*ignored, *why):
        st.warning(f"Part of the link was ignored: {plain(reason)}.")

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
    st.query_params.from_dict(
        {"line": line_id(choice), **query_of(vars(levers), LINK_KEYS, vars(plan))}
    )

report, curve, horizon = cache.hosting(case_id, index, levers)
currency = case.currency
result = report.crossover

with figures:
    st.subheader(plain(lines[choice]))
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
        st.caption(f"No crossover: {plain(result.note)}.")
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
