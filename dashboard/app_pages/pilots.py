"""Pilots: upload pilot observations (or use the sample), map another export's columns, see
every problem of a rejected file, then each estimate with its interval and verdict, and use
it in a business case."""

import pandas as pd
import streamlit as st
import yaml

from dashboard import cache, saved, signin
from dashboard.charts.pilots import distribution_figure, estimate_figure
from dashboard.ui import METHODOLOGY, annual_table, before_after, show_rejection
from roi import evaluate
from roi.core.casefile import dump_case
from roi.evidence.pilots import (
    MEASURED_INPUTS,
    METRICS,
    PilotFileError,
    estimate_pilots,
    measured_value,
    parse_mapping,
    read_observations,
    sample_size_to_detect,
    use_measurement,
)
from roi.io.csvtable import header_columns

UNITS = {
    "task_minutes": "minutes",
    "response_minutes": "minutes",
    "converted": "rate",
    "deal_value": "money",
    "infra_cost": "money",
    "requests": "requests",
}

st.title("Pilots")
st.caption(
    "Measure what the pilot changed: each estimate with its 95% interval, the smallest effect"
    f" the pilot could detect, and a verdict. [How it is computed]({METHODOLOGY}#pilot-estimates)"
)

uploaded = signin.uploader("Pilot observations (CSV)", type=["csv", "txt"], key="pilots.upload")
kept = None
if uploaded is None:
    kept = saved.pick("pilots", "pilots.saved", f"Bundled sample ({cache.SAMPLE_PILOTS.name})")
if uploaded is not None:
    raw, name = uploaded.getvalue(), uploaded.name
elif kept is None:
    raw, name = cache.SAMPLE_PILOTS.read_bytes(), cache.SAMPLE_PILOTS.name
    st.info(f"Showing the bundled sample, {name}. Upload your own file to replace it.")

if kept is not None:
    observations = cache.stored_observations(saved.source(kept))
    st.success(
        f"Saved dataset #{kept.id}, {kept.source_file}: {len(observations):,} observations,"
        f" imported {kept.imported_at:%Y-%m-%d %H:%M} UTC by {kept.imported_by}."
    )
    mapping = None
else:
    mapping = None
    with st.expander("Map the columns of another export", expanded=False):
        st.caption(
            "Columns found: "
            + ", ".join(f"`{c}`" for c in header_columns(raw))
            + ". Canonical columns: use_case_id, metric, group, value, period, date, unit_id."
        )
        text = st.text_area(
            "Mapping (YAML)",
            placeholder="columns: {value: First reply (min), unit_id: Ticket ID}\n"
            "constants: {use_case_id: UC-01, metric: response_minutes}\n"
            "groups: {column: AI assisted, pilot: [yes], baseline: [no]}",
            key="pilots.mapping",
        )
        if text.strip():
            try:
                mapping = parse_mapping(yaml.safe_load(text), "mapping")
            except (PilotFileError, yaml.YAMLError) as error:
                st.error(f"The mapping cannot be used: {error}")
                st.stop()

    try:
        observations = read_observations(raw, name, mapping)
    except PilotFileError as error:
        show_rejection(error)
    st.success(f"{name}: {len(observations):,} observations, every row valid.")
    if uploaded is not None:
        saved.save_button("pilots", raw, name, "pilots.save", mapping=mapping)
estimates = estimate_pilots(observations)
st.subheader("Estimates")
st.dataframe(
    pd.DataFrame(
        [
            {
                "Use case": e.use_case_id,
                "Metric": e.metric,
                "Test": e.headline.test,
                "n baseline": e.headline.n_baseline,
                "n pilot": e.headline.n_pilot,
                "Baseline": e.headline.baseline_mean,
                "Pilot": e.headline.pilot_mean,
                "Effect": e.headline.effect,
                "95% CI low": e.headline.ci_low,
                "95% CI high": e.headline.ci_high,
                "p": e.headline.p_value,
                "MDE": e.headline.mde,
            }
            for e in estimates
        ]
    ),
    hide_index=True,
    width="stretch",
    column_config={
        c: st.column_config.NumberColumn(format="%.4g")
        for c in ("Baseline", "Pilot", "Effect", "95% CI low", "95% CI high", "p", "MDE")
    },
)

for index, item in enumerate(estimates):
    head = item.headline
    st.markdown(f"**{item.use_case_id} · {item.metric}** ({METRICS[item.metric]}): {item.verdict}")
    unit = UNITS[item.metric]
    left, right = st.columns(2)
    if head.effect is not None and head.ci_low is not None:
        left.plotly_chart(
            estimate_figure(head.test, head.effect, head.ci_low, head.ci_high, unit),
            width="stretch",
            key=f"pilots.effect.{index}",
        )
    rows = observations[
        (observations["use_case_id"] == item.use_case_id) & (observations["metric"] == item.metric)
    ]
    groups = {g: rows.loc[rows["group"] == g, "value"].tolist() for g in ("baseline", "pilot")}
    right.plotly_chart(
        distribution_figure(groups, unit), width="stretch", key=f"pilots.dist.{index}"
    )

st.subheader("Plan a pilot")
planned = st.selectbox(
    "Estimate to plan from",
    range(len(estimates)),
    format_func=lambda i: f"{estimates[i].use_case_id} · {estimates[i].metric}",
    key="pilots.plan",
)
target_effect = st.number_input(
    f"Difference to detect ({UNITS[estimates[planned].metric]})",
    min_value=0.0,
    value=float(abs(estimates[planned].headline.effect or 0.0)) or 1.0,
    format="%.4g",
    key="pilots.target",
)
needed = sample_size_to_detect(estimates[planned].headline, target_effect)
if needed is None:
    st.caption("This estimate has no minimum detectable effect to plan from.")
else:
    st.markdown(
        f"To detect a difference of **{target_effect:,.4g}** with 80% power at α = 0.05 you"
        f" need about **{needed:,} observations per group**."
    )

st.subheader("Use in a business case")
usable = [e for e in estimates if e.metric in MEASURED_INPUTS and e.headline.ci_low is not None]
if not usable:
    st.info("No estimate here measures a driver input (task or response minutes, conversions).")
    st.stop()
chosen = st.selectbox(
    "Estimate",
    range(len(usable)),
    key="pilots.estimate",
    format_func=lambda i: f"{usable[i].use_case_id} · {usable[i].metric}",
)
estimate = usable[chosen]
driver = MEASURED_INPUTS[estimate.metric][0]
cases = cache.all_cases()
lines = [
    (case_id, i)
    for case_id, case in cases.items()
    for i, item in enumerate(case.benefits)
    if item.type == driver
]
if not lines:
    st.info(f"No sample case has a {driver} benefit line to take this estimate.")
    st.stop()
target = st.selectbox(
    "Benefit line",
    lines,
    key="pilots.line",
    format_func=lambda t: f"{cases[t[0]].name} · {cases[t[0]].benefits[t[1]].name}",
)
basis = st.radio(
    "Value to use",
    ["lower_bound", "point"],
    horizontal=True,
    key="pilots.basis",
    format_func=lambda b: (
        "conservative end of the interval" if b == "lower_bound" else "point estimate"
    ),
)
measured = measured_value(estimate, basis)
case = cases[target[0]]
updated = use_measurement(case, target[1], estimate, basis)
st.caption(f"{measured.field} = {measured.value:,.4g} ({measured.note}).")
before_after(case, updated, "**As planned** (risk-adjusted)",
             "**With the measurement** (risk-adjusted)")  # fmt: skip
st.dataframe(annual_table(evaluate(updated)), hide_index=True, width="stretch")
st.download_button(
    "Download the updated case (YAML)",
    dump_case(updated),
    file_name=f"{target[0]}_measured.yaml",
    mime="application/x-yaml",
    key="pilots.download",
)
saved.save_button(
    "case", dump_case(updated).encode("utf-8"), f"{target[0]}_measured.yaml", "pilots.save_case"
)
