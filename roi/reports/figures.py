"""The figures a report draws, shared by the dashboard and the PDF one-pager: the monthly
cash-flow chart and the palette every chart uses. Pure builders (result → plotly figure), no
Streamlit.

Colours are from the Okabe–Ito palette, which stays distinguishable for the common forms of
colour blindness; bars also differ by sign (benefits up, costs down) and the cumulative
line by shape, so no meaning rests on colour alone.
"""

from __future__ import annotations

import plotly.graph_objects as go

from roi.core.engine import CaseResult
from roi.io.formatting import format_months

BLUE, VERMILLION, BLACK, GREY = "#0072B2", "#D55E00", "#000000", "#666666"


OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000")
"""Okabe & Ito's palette, distinguishable with every common colour-vision deficiency."""


def cash_flow_figure(result: CaseResult, risk_adjusted: bool = True) -> go.Figure:
    """Monthly benefits (bars up), costs (bars down), cumulative net (line), payback (a
    dashed vertical line). The x axis is months from the start; period 0 is *Initial*."""
    view = result.view(risk_adjusted)
    currency = result.case.currency
    months = list(range(result.timeline.periods))
    dates = [d.strftime("%b %Y") for d in result.timeline.dates()]
    dates[0] = "Initial"
    hover = "%{customdata}<br>%{fullData.name}: %{y:,.0f} " + currency + "<extra></extra>"
    figure = go.Figure()
    for name, values, colour in (
        ("Benefits", view.benefits, BLUE),
        ("Costs", -view.costs, VERMILLION),  # drawn downwards
    ):
        figure.add_bar(
            x=months,
            y=values,
            name=name,
            marker_color=colour,
            customdata=dates,
            hovertemplate=hover,
        )
    figure.add_scatter(
        x=months,
        y=view.cumulative_net,
        name="Cumulative net cash flow",
        mode="lines",
        line={"color": BLACK, "width": 2.5},
        customdata=dates,
        hovertemplate=hover,
    )
    payback = view.metrics.payback_months
    if payback is not None:
        figure.add_vline(
            x=payback,
            line_dash="dash",
            line_color=GREY,
            annotation_text=f"Payback {format_months(payback)}",
            annotation_position="top left",
        )
    label = "risk-adjusted" if risk_adjusted else "unadjusted"
    figure.update_layout(
        barmode="relative",
        title=f"Monthly cash flow, {label} ({currency})",
        xaxis_title="Months from start (0 = Initial)",
        yaxis_title=f"{currency} per month; cumulative line in {currency}",
        yaxis_tickformat=",.0f",
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.35, "x": 0},
        margin={"t": 60, "b": 40, "l": 10, "r": 10},
        hovermode="x unified",
        height=440,
    )
    figure.add_hline(y=0, line_color=GREY, line_width=1)
    return figure
