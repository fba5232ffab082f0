"""Scenarios: the named scenarios saved from the Scenario explorer, each reopened by its
link, compared side by side, and the history of a case's headline figures over time."""

import pandas as pd
import streamlit as st

from dashboard import cache, database, signin
from dashboard.charts.saved import history_figure, scenarios_figure
from dashboard.markup import plain
from roi.access import Forbidden, Right
from roi.core.scenario import LEVER_NAMES, levers_from_query
from roi.io.formatting import format_money, format_months, format_percent
from roi.store import DATABASE_ERRORS, NotFound
from roi.store.db import failure_reason

st.title("Scenarios")
kept = database.store()
if kept is None:
    st.stop()
st.caption(
    "Save a scenario from the Scenario explorer (its case and slider values, with the figures"
    " at that moment). Each has a link that reopens it in the explorer."
)


def delete(scenario_id: int) -> None:
    try:
        kept.delete_scenario(scenario_id, signin.actor())
    except NotFound:
        pass  # deleted meanwhile, in another session: the list shows it gone
    except Forbidden as error:  # the role changed since the button was drawn
        st.session_state["scenarios.failed"] = str(error)
    except DATABASE_ERRORS as error:
        st.session_state["scenarios.failed"] = f"the database failed ({failure_reason(error)})."


if failed := st.session_state.pop("scenarios.failed", None):
    st.error(f"Not deleted: {plain(failed)}")


def show() -> None:
    scenarios = kept.scenarios()
    if not scenarios:
        st.info("No scenario saved yet: move the sliders on the Scenario explorer and save one.")
    else:
        history = {}
        rows = []
        for scenario in scenarios:
            records = history.setdefault(scenario.case_name, kept.history(scenario.case_name))
            at_save = next((r for r in records if r.scenario_id == scenario.id), None)
            rows.append(
                {
                    "Scenario": scenario.name,
                    "Case": scenario.case_name,
                    "Saved (UTC)": scenario.created_at.strftime("%Y-%m-%d %H:%M"),
                    "By": scenario.created_by,
                    "NPV when saved": None
                    if at_save is None
                    else format_money(at_save.npv, at_save.currency),
                    "Open": f"/explorer?scenario={scenario.id}",
                }
            )
        st.dataframe(
            pd.DataFrame(rows),
            hide_index=True,
            width="stretch",
            column_config={"Open": st.column_config.LinkColumn("Open", display_text="open ↗")},
        )

        st.subheader("Compare side by side")
        by_id = {s.id: s for s in scenarios}
        chosen = st.multiselect(
            "Scenarios",
            list(by_id),
            default=list(by_id)[:3],
            format_func=lambda i: f"{by_id[i].name} ({by_id[i].case_name})",
            key="scenarios.compare",
        )
        columns: dict[str, dict[str, str]] = {}
        npvs: list[tuple[str, float, str]] = []
        for scenario_id in chosen:
            scenario = by_id[scenario_id]
            case_id = cache.case_key(kept.dataset(scenario.case_id))
            case = cache.case_by_id(case_id)
            parsed = levers_from_query(case, scenario.levers)
            metrics = cache.scenario(case_id, parsed.levers).risk_adjusted.metrics
            values = {
                "Case": case.name,
                "NPV (risk-adjusted)": format_money(metrics.npv, case.currency),
                "PV of benefits": format_money(metrics.pv_benefits, case.currency),
                "PV of costs": format_money(metrics.pv_costs, case.currency),
                "ROI": format_percent(metrics.roi),
                "Payback": format_months(metrics.payback_months),
            }
            for name in LEVER_NAMES:
                value = getattr(parsed.levers, name)
                values[name.replace("_", " ").capitalize()] = "–" if value is None else f"{value:g}"
            columns[scenario.name] = values
            npvs.append((scenario.name, metrics.npv, case.currency))
        if columns:
            st.dataframe(pd.DataFrame(columns), width="stretch")
            currencies = {c for _, _, c in npvs}
            if len(currencies) == 1:
                st.plotly_chart(
                    scenarios_figure([n for n, _, _ in npvs], [v for _, v, _ in npvs], *currencies),
                    width="stretch",
                    key="scenarios.chart",
                )
            else:
                st.caption(
                    "The scenarios are in different currencies, so they are not charted together."
                )
            st.caption(
                "Figures computed now from each scenario's saved case and slider values; lever"
                " values as saved (shares and rates as fractions, scales as multiples of the plan)."
            )

        st.subheader("Delete a scenario")
        if signin.explain(Right.DELETE, "deleting a scenario"):
            doomed = st.selectbox(
                "Scenario", list(by_id), format_func=lambda i: by_id[i].name,
                key="scenarios.doomed",
            )  # fmt: skip
            st.button(
                "Delete scenario", key="scenarios.delete", on_click=delete, args=(doomed,),
                icon=":material/delete:",
            )  # fmt: skip

    st.subheader("History of a case's figures")
    names = sorted({d.name for d in kept.datasets("case")})
    if not names:
        st.info("No case is saved yet; saving a scenario saves its case too.")
    else:
        case_name = st.selectbox("Case", names, key="scenarios.history_case")
        records = kept.history(case_name)
        if records:
            currency = records[-1].currency
            st.plotly_chart(
                history_figure(records, currency), width="stretch", key="scenarios.history"
            )
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "Recorded (UTC)": r.recorded_at.strftime("%Y-%m-%d %H:%M"),
                            "By": r.recorded_by,
                            "What": r.scenario_name or "case saved",
                            "NPV": format_money(r.npv, r.currency),
                            "ROI": format_percent(r.roi),
                            "Payback": format_months(r.payback_months),
                        }
                        for r in records
                    ]
                ),
                hide_index=True,
                width="stretch",
            )


try:
    show()
except DATABASE_ERRORS as error:
    database.unavailable(error)
