"""Charts of a case's uncertainty: the NPV histogram, the fan of cumulative net cash flow,
the tornado and the two-way grid. Figures come from ``roi.uncertainty.simulation`` and
``roi.uncertainty.sensitivity``; these functions only draw them."""

from __future__ import annotations

import itertools

import plotly.graph_objects as go

from dashboard.charts.text import chart_text, chart_texts
from roi.io.formatting import format_money
from roi.reports.figures import GREY, OKABE_ITO


def histogram_figure(simulation, currency: str) -> go.Figure:
    """NPV over the draws, the loss side in a second colour, P5/P50/P95 and 0 marked."""
    edges, counts = simulation.histogram
    centres = [(a + b) / 2 for a, b in itertools.pairwise(edges)]
    widths = [b - a for a, b in itertools.pairwise(edges)]
    colours = [OKABE_ITO[4] if c < 0 else OKABE_ITO[0] for c in centres]
    figure = go.Figure(
        go.Bar(
            x=centres, y=counts, width=widths, marker_color=colours,
            hovertemplate="NPV about %{x:,.0f}: %{y:,} draws<extra></extra>",
        )
    )  # fmt: skip
    p = simulation.npv_percentiles
    # Lines as layout shapes in one go: add_vline validates each one and is slow.
    marks = [(p[q], dash, f"P{q} {format_money(p[q], currency)}")
             for q, dash in ((5, "dot"), (50, "dash"), (95, "dot"))]  # fmt: skip
    figure.update_layout(
        shapes=[_vertical(x, GREY, dash) for x, dash, _ in marks] + [_vertical(0, "black")],
        annotations=[
            {"x": x, "y": 1, "xref": "x", "yref": "paper", "text": text, "showarrow": False,
             "yanchor": "bottom", "font": {"size": 11, "color": GREY}}
            for x, _, text in marks
        ],
    )  # fmt: skip
    figure.update_layout(
        title=f"NPV over {simulation.draws:,} draws: P(NPV > 0) ="
        f" {simulation.prob_npv_positive:.0%} (unadjusted view)",
        xaxis={"title": f"NPV ({currency})", "tickformat": ",.0f"},
        yaxis={"title": "Draws"},
        bargap=0,
        showlegend=False,
        margin={"t": 80, "b": 40, "l": 10, "r": 10},
        height=380,
    )
    return figure


def _vertical(x: float, colour: str, dash: str = "solid") -> dict:
    return {
        "type": "line", "x0": x, "x1": x, "y0": 0, "y1": 1, "xref": "x", "yref": "paper",
        "line": {"color": colour, "dash": dash, "width": 1},
    }  # fmt: skip


def fan_figure(simulation, months: list[str], currency: str) -> go.Figure:
    """Cumulative net cash flow per month: the P10–P90 band and the median."""
    figure = go.Figure()
    figure.add_scatter(
        x=months, y=list(simulation.fan_p90), mode="lines", line={"width": 0},
        name="P90", hoverinfo="skip", showlegend=False,
    )  # fmt: skip
    figure.add_scatter(
        x=months, y=list(simulation.fan_p10), mode="lines", line={"width": 0}, fill="tonexty",
        fillcolor="rgba(0, 114, 178, 0.25)", name="P10–P90 band",
        hovertemplate="%{x}: P10 %{y:,.0f}<extra></extra>",
    )  # fmt: skip
    figure.add_scatter(
        x=months, y=list(simulation.fan_p50), mode="lines", line={"color": OKABE_ITO[0]},
        name="Median", hovertemplate="%{x}: median %{y:,.0f}<extra></extra>",
    )  # fmt: skip
    figure.update_layout(
        shapes=[
            {
                "type": "line",
                "x0": 0,
                "x1": 1,
                "y0": 0,
                "y1": 0,
                "xref": "paper",
                "yref": "y",
                "line": {"color": "black", "width": 1},
            }
        ],
        title="Cumulative net cash flow: median and P10–P90 band (where it crosses 0, the case"
        " has paid back)",
        xaxis={"title": "Month", "type": "category", "nticks": 12},
        yaxis={"title": f"Cumulative net ({currency})", "tickformat": ",.0f"},
        legend={"orientation": "h", "y": -0.25, "x": 0},
        margin={"t": 60, "b": 40, "l": 10, "r": 10},
        height=380,
    )
    return figure


def tornado_figure(rows, base_npv: float, currency: str, top: int = 12) -> go.Figure:
    """NPV at each end of each input's range around the case's NPV, largest swing on top."""
    shown = list(reversed(rows[:top]))
    labels = chart_texts(r.label for r in shown)  # line-item names come from the case file
    figure = go.Figure()
    for end, colour, name in (("low", OKABE_ITO[4], "Input at low end"),
                              ("high", OKABE_ITO[2], "Input at high end")):  # fmt: skip
        values = [getattr(r, f"npv_{end}") - base_npv for r in shown]
        ends = [getattr(r, end) for r in shown]
        figure.add_bar(
            y=labels, x=values, base=base_npv, orientation="h", name=name,
            marker_color=colour, customdata=ends,
            hovertemplate="%{y}<br>at %{customdata:,.4g}: NPV %{x:,.0f}<extra></extra>",
        )  # fmt: skip
    figure.update_layout(
        shapes=[_vertical(base_npv, "black")],
        barmode="overlay",
        title="What moves NPV most: each input across its range (unadjusted NPV, before risk"
        f" adjustment: {format_money(base_npv, currency)})",
        xaxis={"title": f"NPV before risk adjustment ({currency})", "tickformat": ",.0f"},
        legend={"orientation": "h", "y": -0.2, "x": 0},
        margin={"t": 60, "b": 40, "l": 10, "r": 10},
        height=160 + 30 * len(shown),
    )
    return figure


def two_way_figure(a, b, grid, label_a: str, label_b: str, currency: str) -> go.Figure:
    """NPV over a grid of two inputs; the NPV = 0 contour drawn."""
    label_a, label_b = chart_text(label_a), chart_text(label_b)
    figure = go.Figure(
        go.Heatmap(
            z=grid.T, x=list(a), y=list(b), colorscale="RdBu", zmid=0,
            colorbar={"title": f"NPV ({currency})"},
            hovertemplate=f"{label_a} %{{x:,.4g}}<br>{label_b} %{{y:,.4g}}<br>NPV %{{z:,.0f}}"
            "<extra></extra>",
        )
    )  # fmt: skip
    if grid.min() < 0 < grid.max():
        figure.add_contour(
            z=grid.T, x=list(a), y=list(b), showscale=False,
            contours={"start": 0, "end": 0, "size": 1, "coloring": "none", "showlabels": True},
            line={"color": "black", "width": 2}, hoverinfo="skip",
        )  # fmt: skip
    figure.update_layout(
        title="NPV for two inputs at once (black line: NPV = 0)",
        xaxis={"title": label_a},
        yaxis={"title": label_b},
        margin={"t": 60, "b": 40, "l": 10, "r": 10},
        height=460,
    )
    return figure
