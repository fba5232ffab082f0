"""The figures a report draws, shared by the dashboard and the PDF one-pager: the monthly
cash-flow chart and the palette every chart uses. Pure builders (result → plotly figure), no
Streamlit.

Colours are from the Okabe–Ito palette, which stays distinguishable for the common forms of
colour blindness; bars also differ by sign (benefits up, costs down) and the cumulative
line by shape, so no meaning rests on colour alone.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from roi.core.engine import CaseResult
from roi.io.formatting import format_months

BLUE, VERMILLION, BLACK, GREY = "#0072B2", "#D55E00", "#000000", "#666666"


OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000")
"""Okabe & Ito's palette, distinguishable with every common colour-vision deficiency."""


def cash_flow_figure(result: CaseResult, risk_adjusted: bool = True) -> go.Figure:
    """Monthly benefits (bars up), costs (bars down), cumulative net (line), payback (a
    dashed vertical line). The x axis is months from the start; period 0 is *Initial*.

    Written as plotly's own specification and not checked property by property (the
    explorer draws it on every slider move, and the checks took most of its time)."""
    view = result.view(risk_adjusted)
    currency = result.case.currency
    months = list(range(result.timeline.periods))
    dates = [d.strftime("%b %Y") for d in result.timeline.dates()]
    dates[0] = "Initial"
    hover = "%{customdata}<br>%{fullData.name}: %{y:,.0f} " + currency + "<extra></extra>"
    common = {"x": months, "customdata": dates, "hovertemplate": hover}
    data = [
        {"type": "bar", "y": view.benefits, "name": "Benefits", "marker": {"color": BLUE},
         **common},
        {"type": "bar", "y": -view.costs, "name": "Costs", "marker": {"color": VERMILLION},
         **common},  # drawn downwards
        {"type": "scatter", "y": view.cumulative_net, "name": "Cumulative net cash flow",
         "mode": "lines", "line": {"color": BLACK, "width": 2.5}, **common},
    ]  # fmt: skip
    shapes = [
        {"type": "line", "xref": "x domain", "yref": "y", "x0": 0, "x1": 1, "y0": 0, "y1": 0,
         "line": {"color": GREY, "width": 1}},
    ]  # fmt: skip
    annotations = []
    payback = view.metrics.payback_months
    if payback is not None:
        shapes.insert(0, {"type": "line", "xref": "x", "yref": "y domain", "x0": payback,
                          "x1": payback, "y0": 0, "y1": 1,
                          "line": {"dash": "dash", "color": GREY}})  # fmt: skip
        annotations.append(
            {"text": f"Payback {format_months(payback)}", "xref": "x", "yref": "y domain",
             "x": payback, "y": 1, "xanchor": "right", "yanchor": "top", "showarrow": False}
        )  # fmt: skip
    label = "risk-adjusted" if risk_adjusted else "unadjusted"
    layout = {
        "barmode": "relative",
        "title": {"text": f"Monthly cash flow, {label} ({currency})"},
        "xaxis": {"title": {"text": "Months from start (0 = Initial)"}},
        "yaxis": {
            "title": {"text": f"{currency} per month; cumulative line in {currency}"},
            "tickformat": ",.0f",
        },
        "legend": {"orientation": "h", "yanchor": "bottom", "y": -0.35, "x": 0},
        "margin": {"t": 60, "b": 40, "l": 10, "r": 10},
        "hovermode": "x unified",
        "height": 440,
        "shapes": shapes,
        "annotations": annotations,
        "template": pio.templates[pio.templates.default],
    }
    return go.Figure({"data": data, "layout": layout}, _validate=False)
