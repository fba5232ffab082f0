"""Chart builders for the Adoption page: forecast or cohorts → plotly figure. Pure (no
Streamlit). Observed points, fitted line, band and cross-check differ by mark and dash as
well as colour."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.charts.text import chart_text, chart_texts
from roi.adoption.forecast import AdoptionForecast
from roi.adoption.usage import CohortFlow
from roi.reports.figures import BLACK, BLUE, GREY, VERMILLION

BAND = "rgba(0, 114, 178, 0.18)"
GREEN, ORANGE = "#009E73", "#E69F00"


def adoption_trend_figure(forecast: AdoptionForecast) -> go.Figure:
    """Observed monthly adoption (points), the fitted S-curve (line) with its 95 % band,
    the Holt cross-check (dashed) and the target (dotted line, its month marked)."""
    figure = go.Figure()
    if forecast.fit is not None:
        figure.add_scatter(
            x=list(forecast.horizon) + list(forecast.horizon)[::-1],
            y=list(forecast.band_high) + list(forecast.band_low)[::-1],
            fill="toself", fillcolor=BAND, line={"width": 0}, name="95% band",
            hoverinfo="skip",
        )  # fmt: skip
        figure.add_scatter(
            x=list(forecast.horizon), y=list(forecast.fitted), mode="lines",
            name="Fitted S-curve", line={"color": BLUE, "width": 2.5},
            hovertemplate="%{x}: %{y:.1%} fitted<extra></extra>",
        )  # fmt: skip
    figure.add_scatter(
        x=list(forecast.months), y=list(forecast.observed), mode="markers",
        name="Observed", marker={"color": BLACK, "size": 8, "symbol": "circle"},
        hovertemplate="%{x}: %{y:.1%} observed<extra></extra>",
    )  # fmt: skip
    if forecast.holt is not None:
        last = forecast.months[-1]
        start = list(forecast.horizon).index(last) + 1
        months = list(forecast.horizon)[start : start + len(forecast.holt)]
        figure.add_scatter(
            x=months, y=list(forecast.holt)[: len(months)], mode="lines",
            name="Holt trend (cross-check)", line={"color": VERMILLION, "dash": "dash"},
            hovertemplate="%{x}: %{y:.1%} Holt<extra></extra>",
        )  # fmt: skip
    figure.add_hline(
        y=forecast.target, line_dash="dot", line_color=GREY,
        annotation_text=f"Target {forecast.target:.0%}", annotation_position="bottom right",
    )  # fmt: skip
    if forecast.target_month is not None:
        figure.add_vline(x=forecast.target_month, line_dash="dot", line_color=GREEN)
        figure.add_annotation(
            x=forecast.target_month, y=1.02, yref="y", showarrow=False,
            text=f"Reached {forecast.target_month}", font={"color": GREEN},
        )  # fmt: skip
    figure.update_layout(
        title=f"Monthly adoption, {chart_text(forecast.team)}",
        xaxis={"title": "Month", "type": "category"},
        yaxis={"title": "Adoption (share of eligible users)", "tickformat": ".0%",
               "range": [0, 1.08]},
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.35, "x": 0},
        margin={"t": 60, "b": 40, "l": 10, "r": 10},
        height=440,
    )  # fmt: skip
    return figure


def cohort_figure(flows: tuple[CohortFlow, ...]) -> go.Figure:
    """Per report: new, retained and reactivated users up, lapsed users down."""
    periods = chart_texts(flow.period for flow in flows)
    figure = go.Figure()
    for name, values, colour in (
        ("Retained", [f.retained for f in flows], BLUE),
        ("New", [f.new for f in flows], GREEN),
        ("Reactivated", [f.reactivated for f in flows], ORANGE),
        ("Lapsed", [-f.lapsed for f in flows], VERMILLION),
    ):
        figure.add_bar(x=periods, y=values, name=name, marker_color=colour,
                       hovertemplate="%{x}: %{y} " + name.lower() + "<extra></extra>")  # fmt: skip
    figure.update_layout(
        barmode="relative",
        title="Cohort flow between reports (lapsed drawn down)",
        xaxis={"title": "Report date", "type": "category"},
        yaxis={"title": "Users"},
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.35, "x": 0},
        margin={"t": 60, "b": 40, "l": 10, "r": 10},
        height=360,
    )
    return figure
