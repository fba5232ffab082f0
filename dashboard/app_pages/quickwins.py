"""Quick wins: the use-case register on a value × actionability matrix, the ranking with
every part of each score, how sure each place is, and the most valuable set within a
budget."""

import dataclasses

import pandas as pd
import streamlit as st

from dashboard import cache, saved, signin
from dashboard.charts.quickwins import (
    FUNCTION_LABELS,
    budget_cash_flow_figure,
    matrix_figure,
    robustness_figure,
)
from dashboard.markup import plain
from dashboard.ui import METHODOLOGY, show_rejection
from roi.core.links import query_of, values_from_query
from roi.io.csvtable import TableError
from roi.io.formatting import format_money, format_months
from roi.portfolio.quickwins import (
    FACTORS,
    LABELS,
    QUADRANT_LABELS,
    WEIGHT_KEYS,
    RankSettings,
    Weights,
)
from roi.portfolio.register import RegisterError
from roi.reports.exports import ranking_csv
from roi.reports.workbook import ranking_workbook_bytes

CURRENCIES = ("USD", "EUR", "GBP", "CHF", "CAD", "AUD", "JPY")
DEFAULT_WEIGHTS = Weights()
WEIGHT_HELP = {
    "value": "Value: the business case's risk-adjusted NPV on the anchor scale, else the"
    " value score.",
    "technical_complexity": "Feasibility: the inverse of technical complexity.",
    "data_readiness": "Is the data there, clean and reachable?",
    "stakeholder_buy_in": "Do the people who must change want it?",
    "strategic_alignment": "Does it serve the strategy?",
    "change_readiness": "Neutral (3) until culture surveys supply it, unless the register"
    " gives it.",
    "time_to_value_months": "Speed: halves every half-life of time to value.",
    "risk": "Safety: the inverse of risk; blank risk is neutral (3).",
}


def _reset_weights() -> None:
    for key in WEIGHT_KEYS:
        st.session_state[f"quickwins.weight.{key}"] = float(getattr(DEFAULT_WEIGHTS, key))


st.title("Quick wins")
st.caption(
    "Rank candidate use cases by value against actionability, see how sure each place is,"
    f" and pick the most valuable set within a budget. [How it is scored]({METHODOLOGY}"
    "#quick-wins)"
)

source, unit = st.columns([3, 1])
with source:
    uploaded = signin.uploader(
        "Use-case register (CSV)", type=["csv", "txt"], key="quickwins.upload"
    )
with unit:
    currency = st.selectbox(
        "Register currency",
        CURRENCIES,
        key="quickwins.currency",
        help="The currency of the register's estimated costs and of the budget. A business"
        " case in another currency needs the row's exchange_rate; nothing is converted by"
        " choosing here.",
    )
kept = None
if uploaded is None:
    kept = saved.pick(
        "use-cases", "quickwins.saved", f"Bundled register ({cache.SAMPLE_REGISTER.name})"
    )
# A saved register is read with the case files saved with it.
stored = None if kept is None else saved.source(kept)
if uploaded is not None:
    raw, name = uploaded.getvalue(), uploaded.name
elif kept is not None:
    raw, name = b"", kept.source_file
    st.info(
        f"Showing saved register #{kept.id}, {plain(name)}, imported"
        f" {kept.imported_at:%Y-%m-%d %H:%M} UTC by {plain(kept.imported_by)}, with the case files"
        " saved with it."
    )
else:
    raw, name = cache.SAMPLE_REGISTER.read_bytes(), cache.SAMPLE_REGISTER.name
    st.info(
        f"Showing the bundled register, {name}. Upload your own to replace it; its case_file"
        " paths are read from the app's data folder."
    )

try:
    register = cache.register(raw, name, currency, stored)
except RegisterError as error:
    show_rejection(error)
if uploaded is not None:
    saved.save_button(
        "use-cases", raw, name, "quickwins.save", currency=currency,
        case_root=cache.SAMPLE_REGISTER.parent,
    )  # fmt: skip

readiness = None
if any(u.team for u in register.use_cases):
    with st.expander("Change readiness from a culture survey", expanded=False):
        use_survey = st.toggle(
            "Take each team's change readiness from the survey",
            value=True,
            key="quickwins.survey",
            help="A use case with a team and a blank change_readiness takes the team's mean"
            " readiness score in its latest shown wave (1 + score / 25). Marks written in the"
            " register are kept; hidden teams stay neutral.",
        )
        survey_files = st.columns(2)
        with survey_files[0]:
            items_upload = signin.uploader(
                "Survey items", type=["csv", "txt"], key="quickwins.survey_items"
            )
        with survey_files[1]:
            responses_upload = signin.uploader(
                "Survey responses", type=["csv", "txt"], key="quickwins.survey_responses"
            )
    # The bundled survey describes the bundled register's teams only: any other register
    # takes readiness from a survey uploaded with it, never from the sample.
    bundled = (
        uploaded is None
        and kept is None
        and cache.SAMPLE_REGISTER.resolve() == cache.BUNDLED_REGISTER
    )
    survey_uploaded = responses_upload is not None  # with its items, or the default ones
    if use_survey and not (bundled or survey_uploaded):
        st.caption(
            "Upload the culture survey's items and responses that go with this register to"
            " take change readiness from it; until then the register's marks are used."
        )
    if use_survey and (bundled or survey_uploaded):
        items_file = (
            (cache.SAMPLE_SURVEY_ITEMS.read_bytes(), cache.SAMPLE_SURVEY_ITEMS.name)
            if items_upload is None
            else (items_upload.getvalue(), items_upload.name)
        )
        responses_file = (
            (cache.SAMPLE_SURVEY_RESPONSES.read_bytes(), cache.SAMPLE_SURVEY_RESPONSES.name)
            if responses_upload is None
            else (responses_upload.getvalue(), responses_upload.name)
        )
        threshold = saved.min_group()
        if threshold is None:
            st.warning(
                "Change readiness is not taken from the survey while the store cannot be"
                " read: the anonymity threshold an admin set is kept there."
            )
        else:
            try:
                readiness = cache.team_readiness(items_file, responses_file, threshold)
            except TableError as error:
                show_rejection(error)

# The weights, quadrant lines and scales are in the page's address: a link reopens them.
SHORT = {
    "value": "value", "technical_complexity": "feasibility", "data_readiness": "data",
    "stakeholder_buy_in": "buyin", "strategic_alignment": "strategy",
    "change_readiness": "readiness", "time_to_value_months": "speed", "risk": "risk",
}  # fmt: skip
LINK_KEYS = {f"weight.{key}": f"w_{SHORT[key]}" for key in WEIGHT_KEYS} | {
    "value_threshold": "value_line", "actionability_threshold": "action_line",
    "half_life": "half_life", "anchor": "anchor",
}  # fmt: skip
CONTROLS = {f"weight.{key}": float(getattr(DEFAULT_WEIGHTS, key)) for key in WEIGHT_KEYS} | {
    "value_threshold": 50.0, "actionability_threshold": 50.0, "half_life": 6.0, "anchor": 0.0,
}  # fmt: skip
BOUNDS = {name: (0.0, 100.0) for name in CONTROLS} | {
    "half_life": (1.0, 24.0), "anchor": (0.0, 1e15),
}  # fmt: skip
if not st.session_state.get("quickwins.link_read"):
    st.session_state["quickwins.link_read"] = True
    linked, ignored = values_from_query(st.query_params.to_dict(), LINK_KEYS, BOUNDS)
    for control, value in linked.items():
        st.session_state[f"quickwins.{control}"] = value
    for reason in ignored:
        st.warning(f"Part of the link was ignored: {plain(reason)}.")
for control, value in CONTROLS.items():
    st.session_state.setdefault(f"quickwins.{control}", value)

controls, matrix = st.columns([1, 2.6], gap="large")
with controls:
    st.subheader("Weights")
    weights = {}
    for key in WEIGHT_KEYS:
        weights[key] = st.slider(
            LABELS[key],
            min_value=0.0,
            max_value=100.0,
            step=5.0,
            format="%.0f",
            help=WEIGHT_HELP[key],
            key=f"quickwins.weight.{key}",
        )
    st.button("Reset weights", on_click=_reset_weights, key="quickwins.reset")
    st.subheader("Quadrant lines")
    value_threshold = st.slider(
        "Value threshold", 0.0, 100.0, step=5.0, format="%.0f", key="quickwins.value_threshold"
    )
    actionability_threshold = st.slider(
        "Actionability threshold",
        0.0,
        100.0,
        step=5.0,
        format="%.0f",
        key="quickwins.actionability_threshold",
    )
    with st.expander("Scales", expanded=False):
        half_life = st.slider(
            "Time to value that halves speed (months)",
            1.0,
            24.0,
            step=1.0,
            key="quickwins.half_life",
        )
        anchor = st.number_input(
            f"NPV worth a value of 100 ({currency}; 0 = the largest NPV)",
            min_value=0.0,
            step=50_000.0,
            key="quickwins.anchor",
        )
        top_k = st.number_input(
            "Top k for the robustness bars",
            min_value=1,
            max_value=max(1, len(register.use_cases)),
            value=min(5, len(register.use_cases)),
            key="quickwins.top_k",
        )

st.query_params.from_dict(
    query_of({c: st.session_state[f"quickwins.{c}"] for c in CONTROLS}, LINK_KEYS, CONTROLS)
)

if sum(weights[f] for f in FACTORS) <= 0:
    st.error(
        "Give at least one factor besides value a weight above 0: actionability is the"
        " weighted mean of the factors."
    )
    st.stop()
settings = RankSettings(
    weights=Weights(**weights),
    value_threshold=value_threshold,
    actionability_threshold=actionability_threshold,
    time_half_life_months=half_life,
    value_anchor=anchor or None,
    top_k=int(top_k),
)
ranking = cache.ranking(raw, name, currency, settings, readiness, stored)
if readiness is not None:
    measured = sum(r.change_readiness_source.startswith("survey") for r in ranking.rows)
    with_team = sum(r.team is not None for r in ranking.rows)
    st.caption(
        f"Change readiness of {measured} of {with_team} use cases with a team comes from the"
        " culture survey" + (" (the bundled sample)." if responses_upload is None else ".")
    )

with matrix:
    st.plotly_chart(matrix_figure(ranking), width="stretch", key="quickwins.matrix")
    st.caption(
        " · ".join(f"{QUADRANT_LABELS[q]}: {n}" for q, n in ranking.quadrant_counts().items())
        + (
            f". Value 100 = an NPV of {format_money(ranking.anchor, currency)}"
            f" ({'set above' if ranking.anchor_source == 'set' else 'the largest case'});"
            " a value score s counts as (s − 1) × 25."
            if ranking.anchor is not None
            else ". No business case has a positive NPV."
        )
    )


def value_source(row) -> str:
    """Where a row's value comes from, with the case's own currency when it differs."""
    if row.value_source != "npv":
        return "value score"
    text = f"NPV {format_money(row.npv, currency)}"
    case = register.cases[row.use_case_id]
    if case.case.currency != currency:
        own = format_money(case.risk_adjusted.metrics.npv, case.case.currency)
        text += f" ({own} at {register.rate(row.use_case_id):g})"
    return text


st.subheader("Ranking")
table = pd.DataFrame(
    [
        {
            "Rank": row.rank,
            "ID": row.use_case_id,
            "Use case": row.name,
            "Function": FUNCTION_LABELS[row.business_function],
            "Quadrant": QUADRANT_LABELS[row.quadrant],
            "Score": row.score,
            "Value": row.value,
            "Value from": value_source(row),
            "Actionability": row.actionability,
            **{LABELS[k]: row.components[k] for k in FACTORS},
            "P(quick win)": row.p_quick_win,
            f"P(top {ranking.top_k})": row.p_top_k,
            "Estimated cost": row.estimated_cost,
            "Owner": row.owner or "",
            "Team": row.team or "",
            "Change readiness from": row.change_readiness_source,
        }
        for row in ranking.rows
    ]
)
score_format = {
    column: st.column_config.NumberColumn(format="%.1f")
    for column in ("Score", "Value", "Actionability", *(LABELS[k] for k in FACTORS))
}
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    height=min(36 + 35 * len(table), 740),  # every row of a sample-sized register
    column_config=score_format
    | {
        "P(quick win)": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1),
        f"P(top {ranking.top_k})": st.column_config.ProgressColumn(
            format="percent", min_value=0, max_value=1
        ),
        "Estimated cost": st.column_config.NumberColumn(format="localized"),
        "Value from": st.column_config.TextColumn(width="medium"),
    },
    key="quickwins.table",
)
downloads = st.columns(2)
downloads[0].download_button(
    "Ranking (.xlsx)", lambda: ranking_workbook_bytes(ranking), file_name="ranking.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="quickwins.xlsx", icon=":material/table_view:",
)  # fmt: skip
downloads[1].download_button(
    "Ranking (.csv)", lambda: ranking_csv(ranking), file_name="ranking.csv", mime="text/csv",
    key="quickwins.csv", icon=":material/download:",
)  # fmt: skip
weights_used = dataclasses.asdict(settings.weights)
st.caption(
    "Every part is on 0–100. Score = weighted mean of value and the seven factors;"
    " actionability = weighted mean of the factors. Weights: "
    + ", ".join(f"{LABELS[k]} {weights_used[k]:g}" for k in WEIGHT_KEYS)
    + "."
)

st.subheader("Robustness")
st.plotly_chart(robustness_figure(ranking), width="stretch", key="quickwins.robustness")
st.caption(
    f"{settings.draws:,} draws: each 1–5 score within ±1 (kept within 1–5), each NPV with an"
    " interval within it, each weight within ±50%."
)

st.subheader("Portfolio within a budget")
suggested = cache.suggested_budget(raw, name, currency, stored) or 0.0
money, cap = st.columns(2)
with money:
    budget = st.number_input(
        f"Budget ({currency})",
        min_value=0.0,
        value=suggested,
        step=10_000.0,
        key="quickwins.budget",
    )
with cap:
    max_projects = st.number_input(
        "Most projects at once (0 = no cap)", min_value=0, value=0, key="quickwins.max_projects"
    )
portfolio = cache.budget_portfolio(raw, name, currency, budget, int(max_projects) or None, stored)
figures = st.columns(4)
figures[0].metric("Use cases chosen", len(portfolio.chosen))
figures[1].metric("Estimated cost", format_money(portfolio.total_cost, currency))
figures[2].metric("Risk-adjusted NPV", format_money(portfolio.npv, currency))
figures[3].metric(
    "Payback",
    format_months(portfolio.payback_months) if portfolio.chosen else "–",
    help=f"Counted from {portfolio.first_start}, the earliest start of the chosen set."
    if portfolio.first_start
    else None,
)
names = {u.use_case_id: u.name for u in register.use_cases}
if portfolio.chosen:
    st.plotly_chart(budget_cash_flow_figure(portfolio), width="stretch", key="quickwins.flow")
elif not portfolio.not_chosen:
    st.warning(
        "No use case can be costed against the budget: each needs a business case and an"
        " estimated cost."
    )
else:
    st.warning("Nothing fits: no candidate with a positive NPV costs at most the budget.")
st.dataframe(
    pd.DataFrame(
        [{"ID": i, "Use case": names[i], "In the set": "yes", "Why": ""} for i in portfolio.chosen]
        + [
            {"ID": i, "Use case": names[i], "In the set": "no", "Why": reason}
            for i, reason in (*portfolio.not_chosen, *portfolio.left_out)
        ]
    ),
    hide_index=True,
    width="stretch",
    key="quickwins.portfolio",
)
method = {
    "exhaustive": "every subset was tried",
    "integer programming": "solved exactly as an integer programme",
    "none needed": "every candidate worth choosing fits",
}[portfolio.method]
st.caption(
    f"The set with the largest total risk-adjusted NPV whose estimated costs fit ({method})."
    " Use cases without a business case or an estimated cost cannot be costed against the"
    " budget and are listed with the reason."
)
