"""Culture: a change-readiness survey scored by team, wave and dimension without exposing
anyone: the heatmap (hidden groups shown as hidden), each team's trend, reliability,
wave-over-wave changes and each team's barrier dimension."""

import pandas as pd
import streamlit as st

from dashboard import cache, saved, signin
from dashboard.charts.culture import drivers_figure, heatmap_figure, trend_figure
from dashboard.markup import plain
from dashboard.ui import METHODOLOGY, before_after, show_rejection
from roi.core.casefile import dump_case
from roi.culture.recapture import use_recapture
from roi.culture.scores import ALL_TEAMS
from roi.io.csvtable import TableError
from roi.reports.exports import survey_csv
from roi.store import DATABASE_ERRORS, NotFound

RELIABLE = {None: "–", True: "yes", False: "no: read with care"}


def interval(low: float | None, high: float | None, form: str) -> str:
    return "–" if low is None else f"{form.format(low)} to {form.format(high)}"


def figure(value: float | int | None, form: str = "{:,}") -> str:
    """A figure of a table as text, "–" where there is none (never "None")."""
    return "–" if value is None or value != value else form.format(value)


st.title("Culture")
st.caption(
    "How ready each team is to work with AI, from a survey, with anonymity kept: no figure for"
    " a group of fewer than the minimum size, nor one that would let it be worked out."
    f" [How it is computed]({METHODOLOGY}#survey-scores-and-anonymity)"
)

files = st.columns(2)
with files[0]:
    items_upload = signin.uploader(
        "Survey items (survey_items.csv)", type=["csv", "txt"], key="culture.items"
    )
with files[1]:
    responses_upload = signin.uploader(
        "Survey responses (survey_responses.csv)", type=["csv", "txt"], key="culture.responses"
    )
with st.expander("Optional: invitations (participation) and an adoption export (drivers)"):
    more = st.columns(2)
    with more[0]:
        invitations_upload = signin.uploader(
            "Invitations (survey_invitations.csv: wave, team, invited)",
            type=["csv", "txt"],
            key="culture.invitations",
        )
    with more[1]:
        adoption_upload = signin.uploader(
            "Adoption export (any format the Adoption page reads)",
            type=["csv", "txt", "json"],
            key="culture.adoption",
        )


def chosen(upload, sample) -> tuple[bytes, str]:
    return (
        (sample.read_bytes(), sample.name) if upload is None else (upload.getvalue(), upload.name)
    )


min_group = saved.min_group()
if min_group is None:
    st.warning(
        "Survey figures are not shown while the store cannot be read: the anonymity"
        " threshold an admin set is kept there.",
        icon=":material/shield_person:",
    )
    st.stop()
kept = None
if items_upload is None and responses_upload is None:
    kept = saved.pick_shown(
        "survey", "culture.saved", "Bundled instrument and sample answers", "survey", min_group
    )
if kept is not None:
    try:  # the store checks the threshold again (an admin may have raised it just now)
        report = cache.stored_survey(saved.source(kept)).report
    except (NotFound, *DATABASE_ERRORS) as error:  # BelowThreshold is a NotFound
        st.warning(f"Saved survey #{kept.id} is not shown: {plain(error)}.")
        kept = None
if kept is not None:
    st.info(
        f"Showing saved survey #{kept.id}, {plain(kept.source_file)}, imported"
        f" {kept.imported_at:%Y-%m-%d %H:%M} UTC by {plain(kept.imported_by)}. Only its aggregates"
        f" are kept, scored with groups of fewer than {report.min_group} hidden."
    )
else:
    items_file = chosen(items_upload, cache.SAMPLE_SURVEY_ITEMS)
    responses_file = chosen(responses_upload, cache.SAMPLE_SURVEY_RESPONSES)
    # The bundled invitations and adoption export belong to the bundled answers only.
    sample_answers = responses_upload is None
    invitations_file = (
        chosen(invitations_upload, cache.SAMPLE_SURVEY_INVITATIONS)
        if invitations_upload is not None or sample_answers
        else None
    )
    adoption_file = (
        chosen(adoption_upload, cache.SAMPLE_SURVEY_ADOPTION)
        if adoption_upload is not None or sample_answers
        else None
    )
    if items_upload is None or responses_upload is None:
        st.info(
            "Showing the bundled instrument and sample answers where no file is uploaded. The"
            " answers themselves are never shown, only aggregates."
        )
    st.caption(
        f":material/shield_person: Groups of fewer than {min_group} respondents are hidden,"
        " and so is the next smallest group when a hidden one could be worked out from the"
        " total. This anonymity threshold is set by an admin on the Settings page."
    )

    try:
        report = cache.survey(
            items_file, responses_file, min_group, invitations_file, adoption_file
        )
    except TableError as error:
        show_rejection(error)
    if responses_upload is not None:
        saved.save_button(
            "survey", *responses_file, "culture.save", items=items_file,
            invitations=invitations_file, adoption=adoption_file, min_group=min_group,
        )  # fmt: skip
        st.caption(
            "Saving keeps the aggregates shown here (not the answers, unless an admin has"
            " switched on keeping them; they are never shown or exported)."
        )

hidden_teams = (
    f" ({report.hidden_teams} more hidden in every wave, so not named)"
    if report.hidden_teams
    else ""
)
st.success(
    f"{report.respondents:,} respondents, {len(report.teams)} teams shown{hidden_teams}, waves"
    f" {', '.join(plain(w) for w in report.waves)}. {report.hidden_groups} group figure(s)"
    " hidden for anonymity."
)

wave = st.selectbox("Wave", list(report.waves), index=len(report.waves) - 1, key="culture.wave")
st.plotly_chart(heatmap_figure(report, wave), width="stretch", key="culture.heatmap")

with st.expander(f"Item by item, wave {plain(wave)}"):
    dimension = st.selectbox(
        "Dimension", [d.dimension for d in report.dimensions], key="culture.item_dimension"
    )
    rows = [i for i in report.items if i.wave == wave and i.dimension == dimension]
    shown_teams = [*report.teams, ALL_TEAMS]
    cells = {(i.item, i.team): i for i in rows}
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Item": name,
                    "Question": (report.item_texts or {}).get(name, ""),
                    **{
                        team: (
                            "hidden"
                            if (cell := cells.get((name, team))) is None or cell.suppressed
                            else f"{cell.score:.0f}"
                        )
                        for team in shown_teams
                    },
                }
                for name in dict.fromkeys(i.item for i in rows)
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(
        "Scores 0–100 (reverse-scored items already turned round). An item is hidden with its"
        " team's dimension, and also where fewer than the minimum answered it."
    )

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

st.subheader("What goes with adoption and advocacy")
outcome = st.radio(
    "Outcome",
    ["adoption", "advocacy"],
    index=0 if report.adoption_drivers is not None else 1,
    horizontal=True,
    key="culture.outcome",
    format_func=lambda o: (
        "Team adoption (from the adoption export)"
        if o == "adoption"
        else "Advocacy (would recommend)"
    ),
)
if outcome == "adoption":
    drivers = report.adoption_drivers
    note = report.adoption_drivers_note or "no adoption drivers: upload an adoption export"
else:
    drivers, note = report.drivers, report.drivers_note
if drivers is None:
    st.info(plain(note[0].upper() + note[1:]) + ".")
else:
    st.plotly_chart(drivers_figure(drivers), width="stretch", key="culture.drivers")
    if drivers.outcome == "advocacy":
        st.caption(
            f"Least squares of the advocacy answer (0–10) on the readiness scores of"
            f" {drivers.n:,} responses (R² {drivers.r_squared:.2f}, robust standard errors). A"
            " bar is the share of explained variance a dimension carries (LMG); an"
            " association, not proof of cause."
        )
    else:
        st.caption(
            f"Across {drivers.n} teams: each team's latest adoption share against its mean on"
            " one dimension at a time in its latest shown wave (small-sample HC3 errors,"
            " p-values Holm-adjusted). Teams, not people: an association, not proof of cause."
        )

shown_participation = [p for p in report.participation if p.wave == wave]
if shown_participation:
    st.subheader(f"Participation, wave {plain(wave)}")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Wave": p.wave, "Team": p.team, "Invited": figure(p.invited),
                    "Answered": "hidden" if p.suppressed else figure(p.respondents),
                    "Rate": figure(p.rate, "{:.0%}"),
                }
                for p in shown_participation
            ]
        ),
        hide_index=True,
        width="stretch",
    )  # fmt: skip

st.subheader("Saved time put to use (recapture)")
recapture = report.recapture
if recapture is None:
    st.info("No recapture figure: the instrument has no recapture item, or its group is hidden.")
else:
    st.markdown(
        f"In wave {plain(recapture.wave)}, {recapture.n:,} people say **{recapture.share:.0%}** of"
        f" the time AI saves them goes into more valuable work (95% CI {recapture.ci_low:.0%}"
        f" to {recapture.ci_high:.0%}). Business cases assume 50% unless told otherwise."
    )
    cases = cache.all_cases()
    labels = cache.case_labels(cases)
    lines = [
        (case_id, i)
        for case_id, case in cases.items()
        for i, item in enumerate(case.benefits)
        if item.type == "time_saved"
    ]
    if lines:
        target = st.selectbox(
            "Time-saved line to take the measured share",
            lines,
            key="culture.line",
            format_func=lambda t: f"{labels[t[0]]} · {cases[t[0]].benefits[t[1]].name}",
        )
        basis = st.radio(
            "Value to use",
            ["lower_bound", "point"],
            horizontal=True,
            key="culture.basis",
            format_func=lambda b: (
                "conservative end of the interval" if b == "lower_bound" else "the mean"
            ),
        )
        case = cases[target[0]]
        updated = use_recapture(case, target[1], recapture, basis)
        was = case.benefits[target[1]].productivity_recapture
        now = updated.benefits[target[1]].productivity_recapture
        before_after(
            case,
            updated,
            f"**As planned** (recapture {was:.0%}, risk-adjusted)",
            f"**With the survey's figure** (recapture {now:.0%}, risk-adjusted)",
        )
        st.download_button(
            "Download the updated case (YAML)",
            dump_case(updated),
            file_name=f"{target[0]}_recapture.yaml",
            mime="application/x-yaml",
            key="culture.download",
        )
        saved.save_button(
            "case", dump_case(updated).encode("utf-8"), f"{target[0]}_recapture.yaml",
            "culture.save_case",
        )  # fmt: skip

st.download_button(
    "Download the group figures (CSV, aggregates only)", lambda: survey_csv(report),
    file_name="survey_groups.csv", mime="text/csv", key="culture.csv",
    icon=":material/download:",
)  # fmt: skip

st.subheader("Reliability")
st.dataframe(
    pd.DataFrame(
        [
            {
                "Dimension": d.dimension,
                "Items": d.items,
                "Cronbach's alpha": figure(d.alpha, "{:.2f}"),
                "95% CI": interval(*(d.alpha_ci or (None, None)), "{:.2f}"),
                "Reliable (≥ 0.7)": RELIABLE[d.reliable],
                "Responses": figure(d.alpha_n),
            }
            for d in report.dimensions
        ]
    ),
    hide_index=True,
    width="stretch",
)  # fmt: skip

st.subheader("Changes between waves")
changes = pd.DataFrame(
    [
        {
            "Team": c.team, "Dimension": c.dimension, "From": c.wave_from, "To": c.wave_to,
            "Change (points)": figure(c.points, "{:+.1f}"),
            "Adjusted interval (points)": interval(c.points_low, c.points_high, "{:+.1f}"),
            "p (Holm)": figure(c.p_adjusted, "{:.3f}"),
            "Effect size (g)": figure(c.effect_size, "{:.2f}"),
            "Reading": c.reading,
        }
        for c in report.changes
    ]
)  # fmt: skip
st.caption(
    f"{len(report.clear_changes)} of {len(report.changes)} changes are clear once the number of"
    " comparisons is allowed for (Holm). Changes are in points of the 0–100 score of the"
    " heatmap; the adjusted interval is the one that goes with Holm's verdict (it leaves out 0"
    " exactly when the change is clear), so it is wider than a single change's 95% interval."
    " Changes involving a hidden group are not computed."
    f" [How it is computed]({METHODOLOGY}#survey-scores-and-anonymity)"
)
st.dataframe(changes, hide_index=True, width="stretch")
