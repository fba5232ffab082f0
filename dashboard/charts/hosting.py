"""The Infrastructure page's figures: hosting cost against monthly volume for serverless and
provisioned, with the crossovers, and the cost of each model month by month."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from roi.reports.figures import BLACK, BLUE, GREY, VERMILLION


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
