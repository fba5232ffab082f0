"""Pilots: upload pilot observations (or use the sample), map another export's columns, see
every problem of a rejected file, then each estimate with its interval and verdict, and use
it in a business case."""

import math

import pandas as pd
import streamlit as st

from dashboard import cache, saved, signin
from dashboard.charts.pilots import distribution_figure, estimate_figure
from dashboard.mapping import mapping_input
from dashboard.markup import plain
from dashboard.ui import METHODOLOGY, annual_table, before_after, show_rejection
from roi import evaluate
from roi.core.casefile import dump_case
from roi.evidence.pilots import (
    MEASURED_INPUTS,
    METRICS,
    SERVICE_LEVELS,
    PilotFileError,
    estimate_pilots,
    measured_value,
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
    try:
        observations = cache.stored_observations(saved.source(kept))
    except Exception as error:  # one stored dataset never breaks the page for everyone
        st.error(
            f"Saved dataset #{kept.id}, {plain(kept.source_file)}, cannot be read"
            f" ({type(error).__name__}: {plain(error)}). Choose another dataset or the bundled"
            " sample, or ask an admin to delete it on the Data page."
        )
        st.stop()
    st.success(
        f"Saved dataset #{kept.id}, {plain(kept.source_file)}: {len(observations):,}"
        f" observations, imported {kept.imported_at:%Y-%m-%d %H:%M} UTC by"
        f" {plain(kept.imported_by)}."
    )
    mapping = None
else:
    mapping = None
    with st.expander("Map the columns of another export", expanded=False):
        mapping = mapping_input(header_columns(raw))

    try:
        observations = read_observations(raw, name, mapping)
    except PilotFileError as error:
        show_rejection(error)
    st.success(f"{plain(name)}: {len(observations):,} observations, every row valid.")
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
    st.markdown(
        f"**{plain(item.use_case_id)} · {item.metric}** ({METRICS[item.metric]}): {item.verdict}"
    )
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
observed = estimates[planned].headline.effect
default = abs(observed) if observed is not None and math.isfinite(observed) else 0.0
# The box belongs to this estimate of these data: another file or estimate starts it again
# from its own effect, so the sentence below never computes with an earlier file's value.
target_effect = st.number_input(
    f"Difference to detect ({UNITS[estimates[planned].metric]})",
    min_value=0.0,
    value=float(default) or 1.0,
    format="%.4g",
    key=f"pilots.target.{planned}.{estimates[planned].use_case_id}.{default!r}",
)
needed = sample_size_to_detect(estimates[planned].headline, target_effect)
if target_effect == 0:
    st.caption("Enter a difference above 0 to plan for.")
elif needed is None:
    st.caption(
        "This estimate has no finite minimum detectable effect to plan from (too little data,"
        " or values too extreme to plan with)."
    )
else:
    st.markdown(
        f"To detect a difference of **{target_effect:,.4g}** with 80% power at α = 0.05 you"
        f" need about **{needed:,} observations per group**."
    )

st.subheader("Use in a business case")
for metric, why in SERVICE_LEVELS.items():
    if any(e.metric == metric for e in estimates):
        st.info(f"**{metric}** is not used in a case. {why}", icon=":material/info:")
usable = [e for e in estimates if e.metric in MEASURED_INPUTS and e.finite]
if not usable:
    st.info("No estimate here measures a driver input (task minutes saved, conversions).")
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
labels = cache.case_labels(cases)
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
    format_func=lambda t: f"{labels[t[0]]} · {cases[t[0]].benefits[t[1]].name}",
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
st.caption(f"{measured.field} = {measured.value:,.4g} ({plain(measured.note)}).")
if measured.warning:
    st.warning(
        f"**Not significant.** {plain(measured.warning[0].upper() + measured.warning[1:])}."
        ' The case keeps this warning: the one-pager prints it and will not say "fund" on it. The'
        " conservative end of the interval is the honest value to use.",
        icon=":material/warning:",
    )
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
