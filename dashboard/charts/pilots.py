"""The Pilots page's figures: an effect estimate with its interval, and the distribution of
baseline and pilot observations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from roi.reports.figures import BLUE, GREY, VERMILLION


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
