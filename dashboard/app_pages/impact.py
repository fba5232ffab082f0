"""Impact: do the people who use the AI tool do better, and by how much? Usage tiers over
time, outcome by tier, the event study with its band, the estimates with their checks and
verdict, and the cohort figures as CSV, with anonymity kept (issue 24)."""

import pandas as pd
import streamlit as st

from dashboard import cache, saved, signin
from dashboard.charts.impact import event_study_figure, outcome_figure, tier_mix_figure
from dashboard.markup import plain
from dashboard.ui import METHODOLOGY, before_after, show_rejection
from roi.core.casefile import dump_case
from roi.core.distributions import describe, numeric_inputs, parse_path
from roi.impact.evidence import use_impact
from roi.impact.panel import HEAVY_SHARE_DEFAULT
from roi.impact.report import pretrend_reading
from roi.io.problems import CaseError
from roi.reports.impact import estimate_rows, impact_csv
from roi.store import DATABASE_ERRORS, NotFound

st.title("Impact")
st.caption(
    "Do the people who use the AI tool deliver more, and how much of that did the tool"
    " cause? Usage per person and period is joined with outcomes; heavy users are compared"
    " with non-users, and adopters before and after first use with people not yet using it."
    f" [How it is computed]({METHODOLOGY}#measured-impact)"
)

files = st.columns(3)
with files[0]:
    usage_uploads = signin.uploader(
        "Usage (usage.csv: person_id, period, active_days; or per-user telemetry exports)",
        type=["csv", "txt", "json", "ndjson", "jsonl"], accept_multiple_files=True,
        key="impact.usage",
        help="A usage.csv, or the per-user exports the Adoption page reads: GitHub's"
        " per-user usage metrics reports, a Viva Insights person query, Cursor's or Claude"
        " Code's usage report.",
    )  # fmt: skip
    usage_upload = usage_uploads[0] if usage_uploads else None
with files[1]:
    outcomes_upload = signin.uploader(
        "Outcomes (outcomes.csv: person_id, period, metric, value)", type=["csv", "txt"],
        key="impact.outcomes",
    )  # fmt: skip
with files[2]:
    metrics_upload = signin.uploader(
        "Metrics (metrics.csv: metric, unit, better), optional", type=["csv", "txt"],
        key="impact.metrics",
    )  # fmt: skip
settings = st.columns([1, 1, 2])
heavy_share = settings[0].number_input(
    "Heavy: active on at least this % of working days", min_value=5, max_value=100,
    value=round(HEAVY_SHARE_DEFAULT * 100), step=5, key="impact.heavy",
    help="35 % is this product's own bar (1.75 days a week); Microsoft's Adoption Score"
    " counts 3 days a week, 60 %.",
) / 100  # fmt: skip
hash_ids = settings[1].checkbox(
    "Hash e-mail addresses", key="impact.hash",
    help="Each person id is replaced by the SHA-256 of its lower-cased form in both files"
    " before anything else is done with it.",
)  # fmt: skip

min_group = saved.min_group()
if min_group is None:
    st.warning(
        "Impact figures are not shown while the store cannot be read: the anonymity threshold"
        " an admin set is kept there.",
        icon=":material/shield_person:",
    )
    st.stop()


def chosen(upload, sample) -> tuple[bytes, str]:
    return (
        (sample.read_bytes(), sample.name) if upload is None else (upload.getvalue(), upload.name)
    )


sample = cache.SAMPLE_IMPACT
kept = None
if usage_upload is None and outcomes_upload is None:
    kept = saved.pick_shown(
        "impact", "impact.saved", "Bundled sample", "measured impact", min_group
    )
report = None
if kept is not None:
    try:  # the store checks the threshold again (an admin may have raised it just now)
        report = cache.stored_impact(saved.source(kept))
    except (NotFound, *DATABASE_ERRORS) as error:  # BelowThreshold is a NotFound
        st.warning(f"Saved measured impact #{kept.id} is not shown: {plain(error)}.")
        kept = None
if usage_uploads:
    usage_files = tuple((u.getvalue(), u.name) for u in usage_uploads)
else:
    usage_files = (((sample / "usage.csv").read_bytes(), "usage.csv"),)
outcomes_file = chosen(outcomes_upload, sample / "outcomes.csv")
if metrics_upload is not None:
    metrics_file = chosen(metrics_upload, None)
elif outcomes_upload is None:
    metrics_file = chosen(None, sample / "metrics.csv")
else:
    metrics_file = None
if report is not None:
    outcomes_file = (b"", kept.meta.get("outcomes_file") or kept.source_file)
    st.info(
        f"Showing saved measured impact #{kept.id}, {plain(kept.source_file)} and"
        f" {plain(outcomes_file[1])}, imported {kept.imported_at:%Y-%m-%d %H:%M} UTC by"
        f" {plain(kept.imported_by)}: its aggregates only, made with heavy users active on at"
        f" least {report.heavy_share:.0%} of working days and groups of fewer than"
        f" {report.min_group} hidden (the settings above do not change it)."
    )
elif usage_upload is None or outcomes_upload is None:
    st.info(
        "Showing the bundled sample where no file is uploaded: 400 engineers over 26 weeks, an"
        " AI coding assistant rolled out in week 7, in which heavy users were already better"
        " before the roll-out and the tool also has a real effect."
    )
st.caption(
    f":material/shield_person: Groups of fewer than {min_group} people are hidden, and so is"
    " the next smallest group of a period when a hidden one could be worked out from the"
    " total. No per-person value is shown, exported or saved."
)
if report is None:
    try:
        with st.spinner("Estimating…"):
            report = cache.impact(
                usage_files, outcomes_file, metrics_file, heavy_share, hash_ids, min_group
            )
    except CaseError as error:  # a usage, outcomes, metrics or telemetry file refused
        show_rejection(error)
    if report.notes:
        for note in report.notes:
            st.caption(f":material/info: {plain(note)}")
    if usage_upload is not None and outcomes_upload is not None:
        saved.save_button(
            "impact", *usage_files[0], "impact.save", more_usage=usage_files[1:],
            outcomes=outcomes_file,
            metrics=metrics_file, heavy_share=heavy_share, hash_ids=hash_ids,
            min_group=min_group,
        )  # fmt: skip
        st.caption(
            "Saving keeps the aggregates shown here, never the per-person rows of the files."
        )

figures = st.columns(4)
figures[0].metric("People", f"{report.people:,}")
figures[1].metric(
    f"{report.period_kind.capitalize()}s", f"{len(report.periods)}",
    help=f"{report.periods[0]} to {report.periods[-1]}",
)  # fmt: skip
figures[2].metric("Roll-out", report.rollout or "none", help="The first period with any use")
figures[3].metric(
    "Rows without a partner", f"{report.unmatched_usage + report.unmatched_outcomes:,}",
    help=f"{report.unmatched_usage:,} usage rows and {report.unmatched_outcomes:,} outcome rows"
    " have no row of the other file for the same person and period: counted, not used.",
)  # fmt: skip
hidden = sum(c.suppressed for c in report.tier_mix)
st.plotly_chart(tier_mix_figure(report), width="stretch", key="impact.mix")
if hidden:
    st.caption(f"{hidden} tier-period cell(s) hidden (fewer than {min_group} people).")

if not report.metrics:
    st.warning("The outcomes file has no metric to measure.")
    st.stop()
names = [m.metric for m in report.metrics]
metric_name = st.selectbox("Metric", names, key="impact.metric")
metric = report.metrics[names.index(metric_name)]
direction = f"{metric.unit}, " if metric.unit else ""
st.subheader(f"{metric.metric} ({direction}{metric.better} is better)")
verdict_box = st.warning if "Not reliable" in metric.verdict else st.success
if metric.panel is None or metric.panel.effect is None:
    verdict_box = st.info
verdict_box(metric.verdict)

rows = pd.DataFrame(estimate_rows(metric))
rows["p_value"] = [
    "–" if p is None or p != p else "< 0.001" if p < 0.001 else f"{p:.3f}" for p in rows["p_value"]
]
rows = rows.rename(
    columns={"estimate": "Estimate", "effect": "Effect", "ci_low": "95% low",
             "ci_high": "95% high", "p_value": "p", "people": "People", "reading": "Reading"}
)  # fmt: skip
st.dataframe(
    rows, hide_index=True, width="stretch",
    column_config={
        "Effect": st.column_config.NumberColumn(format="%+.3f"),
        "95% low": st.column_config.NumberColumn(format="%+.3f"),
        "95% high": st.column_config.NumberColumn(format="%+.3f"),
    },
)  # fmt: skip
checks = st.columns(3)
panel = metric.panel
checks[0].markdown(
    "**Pre-trend test**  \n"
    + ("not estimable" if panel is None else plain(pretrend_reading(panel.pretrend_p)))
)
selection = metric.selection
checks[1].markdown(
    "**Who adopted**  \n"
    + ("not estimable" if selection is None else
       f"heavy users' level before the roll-out: {selection.effect:+,.2f} against never users"
       f" (95% {selection.ci_low:+,.2f} to {selection.ci_high:+,.2f})")
)  # fmt: skip
variance = metric.comparison.variance_removed
checks[2].markdown(
    "**Adjustment**  \n"
    + ("not made" if variance is None else
       f"removed {variance:.0%} of the comparison's variance")
)  # fmt: skip

charts = st.columns(2)
with charts[0]:
    st.plotly_chart(outcome_figure(report, metric), width="stretch", key="impact.outcome")
with charts[1]:
    event = event_study_figure(report, metric)
    if event is None:
        st.info("No event study: too few adopters or people not yet using the tool.")
    else:
        st.plotly_chart(event, width="stretch", key="impact.event")
with st.expander("Notes", expanded=False):
    for note in metric.notes:
        st.markdown(f"- {plain(note)}")

st.subheader("Use in a case")
if panel is None or panel.effect is None:
    st.info(
        "No before/after estimate of this metric to use: too few people, or no adopters and"
        " people not yet using the tool in the same periods."
    )
else:
    cases = cache.all_cases()
    labels = cache.case_labels(cases)
    inputs = [
        (case_id, path)
        for case_id, case in cases.items()
        for path in numeric_inputs(case)
        if path.startswith("benefits[")
    ]
    use = st.columns([3, 1, 2])
    target = use[0].selectbox(
        "Benefit input to take the measured effect", inputs, key="impact.input",
        format_func=lambda t: f"{labels[t[0]]} · {describe(cases[t[0]], t[1])}",
    )  # fmt: skip
    unit = metric.unit or "unit"
    per = use[1].number_input(
        f"Input units per {unit}", min_value=1e-9, value=1.0, format="%g", key="impact.per",
        help=f"How many of the input's units one {unit} of {metric.metric} is: 60 to turn"
        " hours into minutes, 1 when the input is the metric itself.",
    )  # fmt: skip
    basis = use[2].radio(
        "Value to use", ["lower_bound", "point"], horizontal=True, key="impact.basis",
        format_func=lambda b: (
            "conservative end of the interval" if b == "lower_bound" else "the estimate"
        ),
    )  # fmt: skip
    case = cases[target[0]]
    source_file = outcomes_file[1]
    try:
        updated = use_impact(case, target[1], metric, source_file,
                             (report.periods[0], report.periods[-1]), per, basis)  # fmt: skip
    except ValueError as error:
        st.error(plain(error))
    else:
        line = updated.benefits[int(parse_path(target[1])[1])]
        st.caption(f"{plain(line.note)}. Source: {plain(line.source)}.")
        if line.warning:
            st.warning(plain(line.warning))
        before_after(case, updated, "**As planned** (risk-adjusted)",
                     "**With the measured effect** (risk-adjusted)")  # fmt: skip
        name = f"{target[0]}_impact.yaml"
        st.download_button(
            "Download the updated case (YAML)", dump_case(updated), file_name=name,
            mime="application/x-yaml", key="impact.download",
        )  # fmt: skip
        saved.save_button("case", dump_case(updated).encode("utf-8"), name, "impact.save_case")

st.download_button(
    "Cohort figures (CSV)", impact_csv(report), file_name="impact_cohorts.csv",
    mime="text/csv", key="impact.csv", icon=":material/download:",
    help="People and mean outcome per metric, period and tier; hidden cells blank with the"
    " reason.",
)  # fmt: skip
