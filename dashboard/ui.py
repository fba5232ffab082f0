"""Pieces the pages share: metric tooltips that link to the Methodology page, the headline
metrics of a result, and the annual table formatted for people. Text from files is escaped
with :func:`plain` and :func:`code` (:mod:`dashboard.markup`), which the pages take from
here."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.markup import plain
from roi.core.engine import CaseResult, Metrics
from roi.io.formatting import IRR_CAP, format_irr, format_money, format_months, format_percent
from roi.io.problems import CaseError
from roi.reports.tables import annual_rows

METHODOLOGY = "/methodology"

# Metric → (tooltip, anchor of its section on the Methodology page).
HELP: dict[str, tuple[str, str]] = {
    "npv": (
        "Net present value: discounted benefits minus discounted costs; Initial is not discounted.",
        "net-present-value-and-its-parts",
    ),
    "roi": ("(PV benefits − PV costs) / PV costs.", "roi-and-benefit-cost-ratio"),
    "bcr": ("PV benefits / PV costs.", "roi-and-benefit-cost-ratio"),
    "irr": ("The discount rate at which NPV is zero, per year.", "irr"),
    "payback": (
        "Months until the cumulative net cash flow turns non-negative for good.",
        "payback",
    ),
    "discounted_payback": ("Payback on discounted cash flows.", "payback"),
    "risk": (
        "Benefits × (1 − ρ), costs × (1 + ρ) for each line item's risk factor ρ.",
        "risk-adjustment",
    ),
    "evidence": ("measured, benchmark (cited) or assumed (typed in).", "evidence-tiers"),
    "portfolio": ("Sums per currency; each case discounted to its own start.", "portfolio-totals"),
}


def help_text(metric: str) -> str:
    """A tooltip with a link to the metric's section of the Methodology page."""
    text, anchor = HELP[metric]
    return f"{text} [How it is computed]({METHODOLOGY}#{anchor})"


def show_case_warnings(case) -> None:
    """A case's line-item warnings, one box each, where its figures are shown."""
    for warning in case.warnings:
        st.warning(plain(warning), icon=":material/warning:")


def show_metrics(metrics: Metrics, currency: str, plan: Metrics | None = None) -> None:
    """NPV, ROI, IRR, payback and discounted payback of one view, one metric a row; with
    ``plan``, the change from the plan's NPV as the NPV's delta."""
    npv_delta = None
    if plan is not None and abs(metrics.npv - plan.npv) >= 0.5:
        npv_delta = f"{format_money(metrics.npv - plan.npv, currency)} vs plan"
    irr = format_irr(metrics.irr)
    irr_help = help_text("irr") + (f" Note: {metrics.irr_note}." if metrics.irr_note else "")
    st.metric("NPV", format_money(metrics.npv, currency), npv_delta, help=help_text("npv"))
    st.metric("ROI", format_percent(metrics.roi), help=help_text("roi"))
    st.metric("IRR", irr, help=irr_help)
    if metrics.irr is not None and metrics.irr > IRR_CAP:
        st.caption(f"IRR {metrics.irr_note}.")  # why the rate is not shown
    st.metric("Payback", format_months(metrics.payback_months), help=help_text("payback"))
    st.metric(
        "Discounted payback",
        format_months(metrics.discounted_payback_months),
        help=help_text("discounted_payback"),
    )


def annual_table(result: CaseResult, risk_adjusted: bool = True) -> pd.DataFrame:
    """The TEI-style annual table as text, money formatted in the case's currency."""
    currency = result.case.currency
    horizon = result.timeline.horizon_years
    money = ["initial", *(f"year_{y}" for y in range(1, horizon + 1)), "total", "present_value"]
    titles = ["Initial", *(f"Year {y}" for y in range(1, horizon + 1)), "Total", "Present value"]
    records = []
    for row in annual_rows(result, risk_adjusted):
        line = row["kind"] in ("benefit", "cost")
        record = {
            "Line": ("   " if line else "") + row["name"],
            "Evidence": row["evidence"] or "",
            "Risk": format_percent(row["risk"], 0) if line else "",
        }
        record.update(
            {t: format_money(row[m], currency) for m, t in zip(money, titles, strict=True)}
        )
        records.append(record)
    return pd.DataFrame(records)


def show_sources(case) -> None:
    """Where each line's figures came from: its evidence tier, source, note and warning,
    for the lines that say (a measured pilot or impact estimate, a cited benchmark)."""
    lines = [item for item in (*case.benefits, *case.costs) if item.source or item.note]
    if not lines:
        return
    with st.expander(f"Where the figures come from ({len(lines)} line(s))"):
        for item in lines:
            parts = [f"**{plain(item.name)}** ({item.evidence})"]
            if item.source:
                parts.append(f"source: {plain(item.source)}")
            if item.note:
                parts.append(plain(item.note))
            if item.warning:
                parts.append(f":warning: {plain(item.warning)}")
            st.markdown("- " + " — ".join(parts))


def show_rejection(error: CaseError) -> None:
    """A rejected file: one message, then every problem in a table, and the page stops so
    that nothing from the file is used."""
    count = len(error.problems)
    st.error(f"{plain(error.source)} was rejected: {count} problem(s). Nothing from it is used.")
    st.dataframe(
        pd.DataFrame([{"Where": p.where or "file", "Problem": p.message} for p in error.problems]),
        hide_index=True,
        width="stretch",
    )
    st.stop()


def before_after(case, updated, before_label: str, after_label: str) -> None:
    """Two cases side by side: the plan and the plan with a measurement taken in, each with
    its risk-adjusted headline figures."""
    from roi import evaluate

    before, after = st.columns(2)
    with before:
        st.markdown(before_label)
        show_metrics(evaluate(case).risk_adjusted.metrics, case.currency)
    with after:
        st.markdown(after_label)
        show_metrics(evaluate(updated).risk_adjusted.metrics, updated.currency)


def case_downloads(case_id: str, levers, prefix: str, paper: str = "A4") -> None:
    """A case's workbook, PDF one-pager and CSV schedules as three download buttons, each
    file made when its button is clicked (the PDF takes seconds)."""
    from dashboard import cache

    files = (
        ("Excel workbook (live formulas)", "xlsx", f"{case_id}.xlsx",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         ":material/table_view:", lambda: cache.workbook(case_id, levers)),
        ("PDF one-pager", "pdf", f"{case_id}.pdf", "application/pdf",
         ":material/picture_as_pdf:", lambda: cache.onepager_pdf(case_id, levers, paper)),
        ("CSV schedules (zip)", "csv", f"{case_id}_schedules.zip", "application/zip",
         ":material/download:", lambda: cache.schedules_zip(case_id, levers)),
    )  # fmt: skip
    for column, (label, key, name, mime, icon, make) in zip(st.columns(3), files, strict=True):
        column.download_button(
            label, make, file_name=name, mime=mime, key=f"{prefix}.{key}", icon=icon,
            width="stretch",
        )  # fmt: skip
