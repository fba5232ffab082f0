"""Chart builders: engine result → plotly figure. Pure (no Streamlit), tested alone.

Colours are from the Okabe–Ito palette, which stays distinguishable for the common forms of
colour blindness; bars also differ by sign (benefits up, costs down) and the cumulative
line by shape, so no meaning rests on colour alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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


def hosting_cost_figure(
    curve: Mapping[str, Sequence[float]],
    first_crossover: float | None,
    crossover: float | None,
    horizon_volumes: tuple[float, float],
    currency: str,
) -> go.Figure:
    """Monthly cost of each hosting model against monthly volume: serverless a line,
    provisioned a step function; the crossovers marked, the horizon's volumes shaded."""
    figure = go.Figure()
    low, high = horizon_volumes
    figure.add_vrect(
        x0=low, x1=high, fillcolor=GREY, opacity=0.12, line_width=0,
        annotation_text="volumes over the horizon", annotation_position="bottom left",
    )  # fmt: skip
    if "serverless" in curve:
        figure.add_scatter(
            x=curve["requests"], y=curve["serverless"], name="Serverless", mode="lines",
            line={"color": BLUE, "width": 2.5},
        )  # fmt: skip
    if "provisioned" in curve:
        figure.add_scatter(
            x=curve["requests"], y=curve["provisioned"], name="Provisioned", mode="lines",
            line={"color": VERMILLION, "width": 2.5, "shape": "hv", "dash": "dot"},
        )  # fmt: skip
    if first_crossover is not None and first_crossover != crossover:
        figure.add_vline(
            x=first_crossover, line_dash="dot", line_color=GREY,
            annotation_text="first crossover", annotation_position="bottom right",
        )  # fmt: skip
    if crossover is not None:
        figure.add_vline(
            x=crossover, line_dash="dash", line_color=BLACK,
            annotation_text=f"crossover {crossover:,.0f}", annotation_position="top right",
        )  # fmt: skip
    figure.update_layout(
        title=f"Monthly hosting cost against monthly volume ({currency})",
        xaxis_title="Requests a month (before the cache)",
        yaxis_title=f"{currency} a month",
        xaxis_tickformat=",.0f",
        yaxis_tickformat=",.0f",
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.35, "x": 0},
        margin={"t": 60, "b": 40, "l": 10, "r": 10},
        height=420,
    )
    return figure


def hosting_timeline_figure(
    serverless: Sequence[float] | None, provisioned: Sequence[float] | None, currency: str
) -> go.Figure:
    """Each model's monthly hosting cost over the horizon, month 1 to 12·H."""
    figure = go.Figure()
    for name, values, colour, dash in (
        ("Serverless", serverless, BLUE, "solid"),
        ("Provisioned", provisioned, VERMILLION, "dot"),
    ):
        if values is not None:
            months = list(range(1, len(values) + 1))
            figure.add_scatter(
                x=months, y=values, name=name, mode="lines",
                line={"color": colour, "width": 2.5, "dash": dash},
            )  # fmt: skip
    figure.update_layout(
        title=f"Hosting cost over the horizon as volume grows ({currency})",
        xaxis_title="Month",
        yaxis_title=f"{currency} a month",
        yaxis_tickformat=",.0f",
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.35, "x": 0},
        margin={"t": 60, "b": 40, "l": 10, "r": 10},
        height=380,
    )
    return figure


def estimate_figure(label: str, effect: float, low: float, high: float, unit: str) -> go.Figure:
    """One effect (pilot − baseline) with its 95 % interval as an error bar, zero marked."""
    figure = go.Figure()
    figure.add_scatter(
        x=[effect], y=[label], mode="markers", marker={"color": BLUE, "size": 12},
        error_x={"type": "data", "symmetric": False, "array": [high - effect],
                 "arrayminus": [effect - low], "color": BLUE, "thickness": 2},
        name="effect with 95% interval",
    )  # fmt: skip
    figure.add_vline(x=0, line_color=GREY, line_dash="dash")
    figure.update_layout(
        xaxis_title=f"pilot − baseline ({unit})", height=160, showlegend=False,
        margin={"t": 10, "b": 40, "l": 10, "r": 10},
    )  # fmt: skip
    return figure


def distribution_figure(groups: Mapping[str, Sequence[float]], unit: str) -> go.Figure:
    """Each group's observations as a box plot (baseline vermillion, pilot blue)."""
    figure = go.Figure()
    for name, colour in (("baseline", VERMILLION), ("pilot", BLUE)):
        if groups.get(name) is not None and len(groups[name]):
            figure.add_box(x=list(groups[name]), name=name, marker_color=colour, boxmean=True)
    figure.update_layout(
        xaxis_title=unit, height=220, showlegend=False, margin={"t": 10, "b": 40, "l": 10, "r": 10}
    )
    return figure


def history_figure(records: Sequence, currency: str) -> go.Figure:
    """A case's risk-adjusted NPV each time it was saved or a scenario of it was saved:
    circles for the case itself, diamonds for scenarios, each labelled on hover."""
    figure = go.Figure()
    for label, marker, colour, chosen in (
        ("Case saved", "circle", BLUE, [r for r in records if r.scenario_id is None]),
        ("Scenario saved", "diamond", VERMILLION, [r for r in records if r.scenario_id]),
    ):
        if not chosen:
            continue
        figure.add_scatter(
            x=[r.recorded_at for r in chosen],
            y=[r.npv for r in chosen],
            name=label,
            mode="markers",
            marker={"symbol": marker, "size": 11, "color": colour},
            customdata=[[r.scenario_name or "the case as saved", r.recorded_by] for r in chosen],
            hovertemplate="%{customdata[0]}<br>%{x|%Y-%m-%d %H:%M} by %{customdata[1]}"
            "<br>NPV %{y:,.0f} " + currency + "<extra></extra>",
        )
    figure.add_scatter(
        x=[r.recorded_at for r in records],
        y=[r.npv for r in records],
        mode="lines",
        line={"color": GREY, "width": 1, "dash": "dot"},
        showlegend=False,
        hoverinfo="skip",
    )
    figure.add_hline(y=0, line_color=BLACK, line_width=1)
    figure.update_layout(
        title="Risk-adjusted NPV over time",
        xaxis_title="Saved (UTC)",
        yaxis_title=f"NPV ({currency})",
        yaxis_tickformat=",.0f",
        legend={"orientation": "h", "y": -0.25},
        margin={"t": 50, "b": 10},
        height=380,
    )
    return figure


def scenarios_figure(names: Sequence[str], npvs: Sequence[float], currency: str) -> go.Figure:
    """Risk-adjusted NPV of scenarios side by side, negative bars in vermillion."""
    figure = go.Figure(
        go.Bar(
            x=list(names),
            y=list(npvs),
            marker_color=[BLUE if v >= 0 else VERMILLION for v in npvs],
            text=[f"{v:,.0f}" for v in npvs],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x}<br>NPV %{y:,.0f} " + currency + "<extra></extra>",
        )
    )
    figure.add_hline(y=0, line_color=BLACK, line_width=1)
    figure.update_layout(
        title="Risk-adjusted NPV by scenario",
        yaxis_title=f"NPV ({currency})",
        yaxis_tickformat=",.0f",
        margin={"t": 60, "b": 10},
        height=360,
    )
    return figure
