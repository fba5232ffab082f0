"""Overview: the portfolio's headline figures and one row per case."""

import pandas as pd
import streamlit as st

from dashboard import cache
from dashboard.ui import help_text
from roi.io.formatting import format_irr, format_money, format_months, format_percent

st.title("AI portfolio overview")
rows, totals, totals_unadjusted = cache.portfolio()
st.caption(
    f"The sample portfolio: {len(rows)} AI use cases, each with a business case. Headline"
    " figures are risk-adjusted; each line item's evidence tier says how much of it is"
    " measured."
)

for total, unadjusted in zip(totals, totals_unadjusted, strict=True):
    cases = f"{total.cases} case" + ("s" if total.cases != 1 else "")
    st.subheader(f"{total.currency} portfolio · {cases}")
    npv, roi, payback, raw = st.columns(4)
    npv.metric(
        "Total NPV (risk-adjusted)",
        format_money(total.npv, total.currency),
        help=help_text("portfolio"),
    )
    roi.metric("Portfolio ROI", format_percent(total.roi), help=help_text("roi"))
    payback.metric(
        "Portfolio payback",
        format_months(total.payback_months, "never"),
        help=help_text("payback")
        + f" Counted from {total.first_start}"
        + (
            ", on the year-end convention its cases use (annual flows)."
            if total.payback_basis == "year_end"
            else ", month by month on one calendar."
        )
        + (
            " Never: the cases do not pay back within their horizon."
            if total.payback_months is None
            else ""
        ),
    )
    raw.metric(
        "Total NPV (unadjusted)",
        format_money(unadjusted.npv, total.currency),
        help=help_text("risk"),
    )

st.subheader("Use cases")
table = pd.DataFrame(
    [
        {
            "Use case": row.name,
            "Explore": f"/explorer?case={row.case_id}",
            "NPV (risk-adjusted)": format_money(row.npv, row.currency),
            "NPV (unadjusted)": format_money(row.npv_unadjusted, row.currency),
            "ROI": format_percent(row.roi),
            "IRR": format_irr(row.irr),
            "Payback": format_months(row.payback_months),
            "Evidence": row.evidence_summary,
        }
        for row in sorted(rows, key=lambda r: r.npv, reverse=True)
    ]
)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "Explore": st.column_config.LinkColumn("Explore", display_text="Open ›"),
        "Evidence": st.column_config.TextColumn(
            "Evidence", help=help_text("evidence"), width="large"
        ),
    },
)
st.caption(
    "Cases in different currencies are never added together. Open a case to move its"
    " assumptions, or see the Methodology page for how every figure is computed."
)
