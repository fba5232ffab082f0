"""Case builder: start from a template or a case file, edit line items in tables, see the
figures and every problem at once, download the case as YAML."""

import re

import pandas as pd
import streamlit as st

from dashboard import cache, saved, signin
from dashboard.markup import code, plain
from dashboard.ui import annual_table, show_metrics
from roi.core.builder import (
    DRIVERS,
    build_case,
    case_settings,
    case_tables,
    driver_columns,
    format_numbers,
    parse_numbers,
)
from roi.core.casefile import dump_case, load_case_text, parse_case
from roi.core.curves import ADOPTION_CURVES
from roi.core.finance import DISCOUNTING_CONVENTIONS
from roi.io.problems import CaseError

BLANK = "Blank case"
# Adoption inputs per curve: field, label, min, max, default, step (ints stay ints).
CEILING = ("ceiling", "Ceiling (share, 0–1)", 0.0, 1.0, 0.8, 0.05)
ADOPTION_INPUTS = {
    "logistic": [
        CEILING,
        ("midpoint_month", "Midpoint month", 0.5, 600.0, 6.0, 0.5),
        ("steepness", "Steepness (per month)", 0.05, 10.0, 0.5, 0.05),
    ],
    "linear": [CEILING, ("months_to_ceiling", "Months to ceiling", 1, 600, 6, 1)],
}
KINDS = {"benefits": "Benefits", "costs": "Costs"}


def load_draft(source: str, case) -> None:
    """Replace the draft with ``case``; a new version resets every editor."""
    st.session_state["builder.source"] = source
    st.session_state["builder.settings"] = case_settings(case)
    st.session_state["builder.tables"] = case_tables(case)
    st.session_state["builder.version"] += 1


def blank_case():
    return parse_case(
        {
            "name": "New AI use case",
            "start": "2027-01",
            "benefits": [
                {
                    "name": "Time saved",
                    "type": "time_saved",
                    "eligible_users": 50,
                    "tasks_per_user_per_month": 100,
                    "minutes_saved_per_task": 2,
                    "loaded_hourly_cost": 45,
                }
            ],
            "costs": [{"name": "Implementation", "type": "one_time", "amount": 50000}],
        }
    )


def column_config(kind: str, driver: str) -> dict:
    config = {}
    for column in driver_columns(kind, driver):
        label = column.name + (" *" if column.required else "")
        if column.kind in ("number", "integer"):
            step = 1 if column.kind == "integer" else None
            config[column.name] = st.column_config.NumberColumn(label, step=step)
        elif column.kind == "boolean":
            config[column.name] = st.column_config.CheckboxColumn(label)
        elif column.kind == "choice":
            config[column.name] = st.column_config.SelectboxColumn(
                label, options=list(column.choices)
            )
        else:
            help_text = "Numbers separated by commas" if column.kind == "numbers" else None
            config[column.name] = st.column_config.TextColumn(label, help=help_text)
    return config


st.title("Case builder")
st.caption(
    "Start from a template or your own case file, edit the line items, and download the case"
    " as YAML. Columns marked * are required; a blank cell takes its default."
)

templates = cache.all_cases()
template_labels = cache.case_labels(templates)
start, upload = st.columns([1, 1])
with start:
    choice = st.selectbox(
        "Start from",
        [BLANK, *templates],
        format_func=lambda key: key if key == BLANK else f"Template: {template_labels[key]}",
        key="builder.template",
    )
with upload:
    uploaded = signin.uploader(
        "…or open a case file", type=["yaml", "yml", "json"], key="builder.upload"
    )

if uploaded is not None and st.session_state["builder.source"] != f"file:{uploaded.file_id}":
    try:
        load_draft(f"file:{uploaded.file_id}", load_case_text(uploaded.getvalue(), uploaded.name))
    except CaseError as error:
        st.error(
            "This file cannot be opened:\n\n" + "\n".join(f"- {plain(p)}" for p in error.problems)
        )
elif uploaded is None and st.session_state["builder.source"] != f"template:{choice}":
    load_draft(f"template:{choice}", blank_case() if choice == BLANK else templates[choice])

version = st.session_state["builder.version"]
settings = dict(st.session_state["builder.settings"])
stored_tables = st.session_state["builder.tables"]

st.subheader("Case")
left, middle, right = st.columns(3)
settings["name"] = left.text_input("Name", settings["name"], key=f"builder.{version}.name")
settings["start"] = middle.text_input(
    "Start month (YYYY-MM)", settings["start"], key=f"builder.{version}.start"
)
settings["currency"] = right.text_input(
    "Currency (ISO code)", settings["currency"], key=f"builder.{version}.currency"
)
settings["horizon_years"] = left.number_input(
    "Horizon (years)", 1, 10, int(settings["horizon_years"]), key=f"builder.{version}.horizon"
)
settings["discount_rate"] = middle.number_input(
    "Discount rate (fraction, 0.10 = 10%)",
    value=float(settings["discount_rate"]),
    step=0.005,
    format="%.3f",
    key=f"builder.{version}.rate",
)
settings["discounting"] = right.selectbox(
    "Discounting",
    DISCOUNTING_CONVENTIONS,
    index=DISCOUNTING_CONVENTIONS.index(settings["discounting"]),
    key=f"builder.{version}.discounting",
)

settings_problems = st.container()  # problems with the fields above show here

with st.expander("Adoption curve", expanded=False):
    curve_now = settings["adoption"]["curve"] if settings["adoption"] else "none"
    # A measured curve comes from the Adoption page; it is kept, not typed in.
    curves = ["none", *(c for c in ADOPTION_CURVES if c != "measured" or curve_now == c)]
    curve = st.selectbox(
        "Curve", curves, index=curves.index(curve_now), key=f"builder.{version}.curve"
    )
    if curve == "none":
        settings["adoption"] = None
        st.caption("No curve: everyone eligible is active from month 1.")
    else:
        current = settings["adoption"] if curve_now == curve else {}
        adoption = dict(current) if curve == "measured" else {"curve": curve}
        if curve == "measured":
            st.caption(
                f"Measured on {plain(current['source'])}: {len(current['observed'])} observed"
                f" month(s) from month {current['first_observed_month']}, then the fitted"
                " S-curve. Change it on the Adoption page."
            )
        for field, label, low, high, default, step in ADOPTION_INPUTS.get(curve, ()):
            adoption[field] = st.number_input(
                label,
                low,
                high,
                type(default)(current.get(field, default)),
                step,
                key=f"builder.{version}.{field}",
            )
        if curve == "steps":
            shares = format_numbers(current.get("shares_by_year", [0.3, 0.6, 0.85]))
            text = st.text_input(
                "Shares by year (e.g. 0.3, 0.6, 0.85)", shares, key=f"builder.{version}.shares"
            )
            try:
                adoption["shares_by_year"] = parse_numbers(text)
            except ValueError:
                adoption["shares_by_year"] = text  # reported by validation as not a list
        settings["adoption"] = adoption

tables = {}
problem_boxes = {}
for kind, title in KINDS.items():
    st.subheader(title)
    present = [driver for (k, driver) in stored_tables if k == kind]
    shown = st.multiselect(
        f"{title} drivers",
        list(DRIVERS[kind]),
        default=present,
        key=f"builder.{version}.{kind}.drivers",
        help="Add a driver to get an empty table for its line items.",
    )
    for driver in shown:
        columns = [column.name for column in driver_columns(kind, driver)]
        frame = pd.DataFrame(stored_tables.get((kind, driver), []), columns=columns)
        st.markdown(f"`{driver}`")
        edited = st.data_editor(
            frame,
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            column_config=column_config(kind, driver),
            key=f"builder.{version}.{kind}.{driver}",
        )
        tables[(kind, driver)] = edited.to_dict("records")
        problem_boxes[(kind, driver)] = st.container()

built = build_case(settings, tables)
for problem in built.problems:
    if problem.table is not None:
        box = problem_boxes.get(problem.table, st)
        where = f"Row {problem.row + 1}" + (f", {code(problem.column)}" if problem.column else "")
        box.error(f"{where}: {plain(problem.message)}", icon=":material/error:")

for problem in (p for p in built.problems if p.table is None):
    settings_problems.error(
        f"{code(problem.field or 'case')}: {plain(problem.message)}", icon=":material/error:"
    )

st.subheader("Figures")
if built.case is None:
    count = len(built.problems)
    st.info(f"Fix the {count} problem{'s' if count != 1 else ''} above to see the figures.")
else:
    result = cache.evaluate_json(built.case.model_dump_json())
    adjusted, unadjusted = st.columns(2)
    with adjusted:
        st.markdown("**Risk-adjusted** (headline)")
        show_metrics(result.risk_adjusted.metrics, built.case.currency)
    with unadjusted:
        st.markdown("**Unadjusted**")
        show_metrics(result.unadjusted.metrics, built.case.currency)
    st.dataframe(annual_table(result), hide_index=True, width="stretch")
    slug = re.sub(r"[^a-z0-9]+", "_", built.case.name.lower()).strip("_") or "case"
    st.download_button(
        "Download case (YAML)",
        dump_case(built.case),
        file_name=f"{slug}.yaml",
        mime="application/x-yaml",
        icon=":material/download:",
        key="builder.download",
    )
    saved.save_button("case", dump_case(built.case).encode("utf-8"), f"{slug}.yaml", "builder.save")
    st.caption("A saved case appears in the Scenario explorer, Export and the other pages.")
