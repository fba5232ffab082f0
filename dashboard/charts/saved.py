"""The saved-work figures: a case's figure history across saved versions, and the NPV of
saved scenarios side by side."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from dashboard.charts.text import chart_text, chart_texts
from roi.reports.figures import BLACK, BLUE, GREY, VERMILLION


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
            customdata=[
                [chart_text(r.scenario_name or "the case as saved"), chart_text(r.recorded_by)]
                for r in chosen
            ],
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
            x=chart_texts(names),
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
