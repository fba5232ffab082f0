"""Export: the files finance audits — a case's workbook with live formulas, its PDF
one-pager and CSV schedules, and the bundled register's ranking — with the figures they
hold shown beside them, so what is downloaded can be checked against the screen."""

import streamlit as st

from dashboard import cache
from dashboard.ui import case_downloads, show_case_warnings, show_metrics
from roi.core.scenario import levers_of

st.title("Export")
st.caption(
    "Files for finance, with the same figures as the screen. The workbook's NPV, IRR, ROI and"
    " payback are live formulas over its Assumptions sheet: change the discount rate or a"
    " risk factor there and they follow. The manual's Exports page (docs/exports.md) lists"
    " every sheet, column and rule."
)

cases = cache.all_cases()
labels = cache.case_labels(cases)
ids = list(cases)
case_id = st.selectbox("Business case", ids, format_func=labels.get, key="export.case")
case = cases[case_id]
plan = levers_of(case)  # the case as written: no scenario levers
result = cache.scenario(case_id, plan)
show_case_warnings(case)
st.markdown("**Figures in the files** (risk-adjusted headline)")
show_metrics(result.risk_adjusted.metrics, case.currency)

paper = st.radio("PDF paper", ["A4", "Letter"], horizontal=True, key="export.paper")
case_downloads(case_id, plan, "export", paper)
st.caption(
    "Made when clicked: the PDF takes a few seconds (its chart is drawn by Chromium). The"
    " Scenario explorer downloads the same files for the scenario on its sliders; the Quick"
    " wins, Adoption and Culture pages download their own tables as CSV."
)

st.subheader("Use-case ranking")
raw, name = cache.SAMPLE_REGISTER.read_bytes(), cache.SAMPLE_REGISTER.name
ranking_columns = st.columns(2)
ranking_columns[0].download_button(
    "Ranking (.xlsx)",
    lambda: cache.ranking_workbook(raw, name),
    file_name="ranking.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="export.ranking_xlsx",
    icon=":material/table_view:",
    width="stretch",
)
ranking_columns[1].download_button(
    "Ranking (.csv)",
    lambda: cache.ranking_csv_text(raw, name),
    file_name="ranking.csv",
    mime="text/csv",
    key="export.ranking_csv",
    icon=":material/download:",
    width="stretch",
)
st.caption(f"The bundled register, {name}, ranked with the default weights and 10,000 draws.")
