"""Culture: a change-readiness survey scored by team, wave and dimension without exposing
anyone: the heatmap (hidden groups shown as hidden), each team's trend, reliability,
wave-over-wave changes and each team's barrier dimension."""

import pandas as pd
import streamlit as st

from dashboard import cache
from dashboard.culture_charts import drivers_figure, heatmap_figure, trend_figure
from dashboard.ui import METHODOLOGY, show_rejection
from roi.culture import ALL_TEAMS
from roi.survey import SurveyError

RELIABLE = {None: "–", True: "yes", False: "no: read with care"}


def interval(low: float | None, high: float | None, form: str) -> str:
    return "–" if low is None else f"{form.format(low)} to {form.format(high)}"


st.title("Culture")
st.caption(
    "How ready each team is to work with AI, from a survey, with anonymity kept: no figure for"
    " a group of fewer than the minimum size, nor one that would let it be worked out."
    f" [How it is computed]({METHODOLOGY}#survey-scores-and-anonymity)"
)

files = st.columns(2)
with files[0]:
    items_upload = st.file_uploader(
        "Survey items (survey_items.csv)", type=["csv", "txt"], key="culture.items"
    )
with files[1]:
    responses_upload = st.file_uploader(
        "Survey responses (survey_responses.csv)", type=["csv", "txt"], key="culture.responses"
    )
if items_upload is None:
    items_raw, items_name = cache.SAMPLE_SURVEY_ITEMS.read_bytes(), "survey_items.csv"
else:
    items_raw, items_name = items_upload.getvalue(), items_upload.name
if responses_upload is None:
    responses_raw, responses_name = (
        cache.SAMPLE_SURVEY_RESPONSES.read_bytes(),
        "survey_responses.csv",
    )
else:
    responses_raw, responses_name = responses_upload.getvalue(), responses_upload.name
if items_upload is None or responses_upload is None:
    st.info(
        "Showing the bundled instrument and sample answers where no file is uploaded. The"
        " answers themselves are never shown, only aggregates."
    )
min_group = st.slider(
    "Smallest group shown", 3, 20, 5, key="culture.min_group",
    help="Groups with fewer respondents are hidden, and so is the next smallest group"
    " when a hidden one could otherwise be recovered from the total.",
)  # fmt: skip

try:
    report = cache.survey(items_raw, items_name, responses_raw, responses_name, min_group)
except SurveyError as error:
    show_rejection(error)

st.success(
    f"{report.respondents:,} respondents, {len(report.teams)} teams, waves"
    f" {', '.join(report.waves)}. {report.hidden_groups} group figure(s) hidden for anonymity."
)

wave = st.selectbox("Wave", list(report.waves), index=len(report.waves) - 1, key="culture.wave")
st.plotly_chart(heatmap_figure(report, wave), width="stretch", key="culture.heatmap")

st.subheader("Trend by team")
teams = [ALL_TEAMS, *(t for t in report.teams)]
team = st.selectbox("Team", teams, key="culture.team")
st.plotly_chart(trend_figure(report, team), width="stretch", key="culture.trend")

st.subheader("Barrier per team")
st.caption(
    "The first readiness dimension, in the order awareness → desire → knowledge → ability →"
    " trust → safety → reinforcement, at or below the middle of its scale in the team's latest"
    " visible wave: where to act first."
)
st.dataframe(
    pd.DataFrame([{"Team": t, "Barrier": b or "none"} for t, b in report.barriers.items()]),
    hide_index=True,
    width="stretch",
)

st.subheader("What goes with advocacy")
if report.drivers is None:
    st.info(report.drivers_note[0].upper() + report.drivers_note[1:] + ".")
else:
    drivers = report.drivers
    st.plotly_chart(drivers_figure(drivers), width="stretch", key="culture.drivers")
    st.caption(
        f"Least squares of the advocacy answer (0–10) on the readiness scores of {drivers.n:,}"
        f" respondents (R² {drivers.r_squared:.2f}, robust standard errors). A bar is the"
        " share of explained variance a dimension carries (LMG); an association, not proof"
        " of cause."
    )

st.subheader("Reliability")
st.dataframe(
    pd.DataFrame(
        [
            {
                "Dimension": d.dimension,
                "Items": d.items,
                "Cronbach's alpha": d.alpha,
                "95% CI": interval(*(d.alpha_ci or (None, None)), "{:.2f}"),
                "Reliable (≥ 0.7)": RELIABLE[d.reliable],
                "Responses": d.alpha_n,
            }
            for d in report.dimensions
        ]
    ),
    hide_index=True,
    width="stretch",
    column_config={"Cronbach's alpha": st.column_config.NumberColumn(format="%.2f")},
)  # fmt: skip

st.subheader("Changes between waves")
changes = pd.DataFrame(
    [
        {
            "Team": c.team, "Dimension": c.dimension, "From": c.wave_from, "To": c.wave_to,
            "Change": c.change, "95% CI": interval(c.ci_low, c.ci_high, "{:+.2f}"),
            "Effect size (g)": c.effect_size, "p (Holm)": c.p_adjusted, "Reading": c.reading,
        }
        for c in report.changes
    ]
)  # fmt: skip
st.caption(
    f"{len(report.clear_changes)} of {len(report.changes)} changes are clear once the number of"
    " comparisons is allowed for (Holm). Changes involving a hidden group are not computed."
)
st.dataframe(
    changes,
    hide_index=True,
    width="stretch",
    column_config={
        "Change": st.column_config.NumberColumn(format="%+.2f"),
        "Effect size (g)": st.column_config.NumberColumn(format="%.2f"),
        "p (Holm)": st.column_config.NumberColumn(format="%.3f"),
    },
)
