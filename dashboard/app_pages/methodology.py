"""Methodology: every convention the engine follows (the manual's Methodology page,
docs/methodology.md, verbatim), and worked examples computed live by the engine beside the
published figures."""

import pandas as pd
import streamlit as st

from dashboard import cache
from dashboard.docs import methodology_markdown
from dashboard.ui import annual_table
from roi.core.finance import irr, npv
from roi.io.formatting import format_money, format_months, format_percent

st.title("Methodology")
st.caption(
    "How every figure is computed. The same text is the Methodology page of the project's"
    " manual (docs/methodology.md); the worked examples below are computed by the engine as"
    " this page loads."
)

st.markdown(methodology_markdown())
st.divider()
st.header("Worked examples")
st.subheader("A published TEI study, reproduced")
reference = cache.reference_case()
m = reference.risk_adjusted.metrics
published = [
    ("PV costs", 1_672_201, format_money(m.pv_costs)),
    ("PV benefits", 7_168_371, format_money(m.pv_benefits)),
    ("NPV", 5_496_170, format_money(m.npv)),
]
st.markdown(
    "Forrester Consulting, *The Total Economic Impact of SalesLoft*, risk-adjusted cash-flow"
    " table, 10 % discount rate, year-end discounting. Entered as yearly amounts"
    " (`sample_data/reference/tei_salesloft.yaml`):"
)
st.dataframe(
    pd.DataFrame(
        [
            {"Figure": f, "Published": format_money(p), "This engine": ours}
            for f, p, ours in published
        ]
        + [
            {"Figure": "ROI", "Published": "329%", "This engine": format_percent(m.roi, 0)},
            {
                "Figure": "Payback",
                "Published": "< 6 months",
                "This engine": format_months(m.payback_months),
            },
        ]
    ),
    hide_index=True,
)
st.dataframe(annual_table(reference), hide_index=True, width="stretch")

st.subheader("Excel's NPV and IRR examples")
excel_npv = npv(0.08, [-40000, 8000, 9200, 10000, 12000, 14500])
excel_irr = irr([-70000, 12000, 15000, 18000, 21000, 26000]).rate
st.markdown(
    f"- Microsoft's NPV example 2, `=NPV(8%, B3:B7) + B2` = **$1,922.06**; this engine:"
    f" **{format_money(excel_npv, decimals=2)}** (the initial outlay stays outside Excel's"
    " `NPV()`, which discounts its first argument).\n"
    f"- Microsoft's IRR example, `=IRR(A2:A7)` = **8.7%**; this engine:"
    f" **{format_percent(excel_irr)}**."
)
