"""Chart builders for the Culture page: survey report → plotly figure. Pure (no Streamlit).
Hidden groups are drawn as hidden cells, never as a number."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.charts.text import chart_text, chart_texts
from roi.culture.drivers import Drivers
from roi.culture.report import SurveyReport
from roi.culture.scores import ALL_TEAMS
from roi.reports.figures import GREY, OKABE_ITO


def heatmap_figure(report: SurveyReport, wave: str) -> go.Figure:
    """Teams × readiness dimensions, 0–100 scores in one wave; a hidden group's cell is
    empty and says "hidden"."""
    dimensions = [d.dimension for d in report.dimensions]
    teams = [*sorted({g.team for g in report.groups if g.team != ALL_TEAMS}), ALL_TEAMS]
    cells = {(g.team, g.dimension): g for g in report.groups if g.wave == wave}
    z, text = [], []
    for team in teams:
        row_z, row_text = [], []
        for dimension in dimensions:
            group = cells.get((team, dimension))
            if group is None:
                row_z.append(None)
                row_text.append("")
            elif group.suppressed:
                row_z.append(None)
                row_text.append("hidden")
            else:
                row_z.append(group.score)
                row_text.append(f"{group.score:.0f}")
        z.append(row_z)
        text.append(row_text)
    figure = go.Figure(
        go.Heatmap(
            z=z, x=chart_texts(dimensions), y=chart_texts(teams), text=text,
            texttemplate="%{text}",
            colorscale="Blues", zmin=0, zmax=100, colorbar={"title": "Score"},
            hovertemplate="%{y}, %{x}: %{text}<extra></extra>", xgap=2, ygap=2,
        )
    )  # fmt: skip
    figure.update_layout(
        title=f"Scores (0–100) by team and dimension, wave {chart_text(wave)}; hidden: fewer than"
        f" {report.min_group} respondents, or hidden to protect one that is",
        xaxis={"title": "Dimension", "side": "bottom"},
        yaxis={"title": "Team", "autorange": "reversed"},
        plot_bgcolor="#f0f0f0",
        margin={"t": 60, "b": 40, "l": 10, "r": 10},
        height=120 + 42 * len(teams),
    )
    return figure


def trend_figure(report: SurveyReport, team: str) -> go.Figure:
    """One team's score per dimension across waves (hidden waves left as gaps)."""
    figure = go.Figure()
    readiness = [d.dimension for d in report.dimensions]
    for i, dimension in enumerate(readiness):
        points = {
            g.wave: (None if g.suppressed else g.score)
            for g in report.groups
            if g.team == team and g.dimension == dimension
        }
        figure.add_scatter(
            x=chart_texts(report.waves), y=[points.get(w) for w in report.waves],
            mode="lines+markers", name=chart_text(dimension),
            line={"color": OKABE_ITO[i % len(OKABE_ITO)], "dash": "solid" if i < 7 else "dot"},
            hovertemplate=f"{chart_text(dimension)}, " + "%{x}: %{y:.0f}<extra></extra>",
        )  # fmt: skip
    figure.add_hline(y=50, line_dash="dot", line_color=GREY)
    figure.update_layout(
        title=f"Scores across waves, {chart_text(team)}",
        xaxis={"title": "Wave", "type": "category"},
        yaxis={"title": "Score (0–100)", "range": [0, 100]},
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.4, "x": 0},
        margin={"t": 60, "b": 40, "l": 10, "r": 10},
        height=420,
    )
    return figure


def drivers_figure(drivers: Drivers) -> go.Figure:
    """Advocacy: each readiness dimension's share of the explained variance (bars, largest
    on top). Team adoption: each dimension's slope with its 95 % interval (points), ordered
    by how much of the teams' spread it explains alone. Hover gives the rest."""
    if drivers.outcome == "advocacy":
        ordered = sorted(drivers.drivers, key=lambda d: d.importance)
        figure = go.Figure(
            go.Bar(
                x=[d.importance for d in ordered], y=chart_texts(d.dimension for d in ordered),
                orientation="h", marker_color=OKABE_ITO[0],
                customdata=[[d.estimate, d.ci_low, d.ci_high, d.p_adjusted] for d in ordered],
                hovertemplate="%{y}: %{x:.1%} of the variance<br>%{customdata[0]:+.2f} advocacy"
                " points per point (95% CI %{customdata[1]:.2f} to %{customdata[2]:.2f}),"
                " Holm p = %{customdata[3]:.3g}<extra></extra>",
            )
        )  # fmt: skip
        figure.update_layout(
            title=f"Share of advocacy's variance by dimension (R² {drivers.r_squared:.2f},"
            f" {drivers.n:,} responses)",
            xaxis={"title": "Share of variance explained (LMG)", "tickformat": ".0%"},
        )
    else:
        ordered = sorted(drivers.drivers, key=lambda d: d.importance)
        figure = go.Figure(
            go.Scatter(
                x=[d.estimate for d in ordered], y=chart_texts(d.dimension for d in ordered),
                mode="markers", marker={"color": OKABE_ITO[0], "size": 10},
                error_x={
                    "type": "data", "symmetric": False,
                    "array": [d.ci_high - d.estimate for d in ordered],
                    "arrayminus": [d.estimate - d.ci_low for d in ordered],
                },
                customdata=[[d.ci_low, d.ci_high, d.p_adjusted, d.importance] for d in ordered],
                hovertemplate="%{y}: %{x:+.1f} adoption points per point (95% CI"
                " %{customdata[0]:.1f} to %{customdata[1]:.1f}), Holm p = %{customdata[2]:.3g},"
                " R² alone %{customdata[3]:.2f}<extra></extra>",
            )
        )  # fmt: skip
        figure.add_vline(x=0, line_dash="dot", line_color=GREY)
        figure.update_layout(
            title=f"Team adoption per point of each dimension ({drivers.n} teams, one"
            " dimension at a time, 95% intervals)",
            xaxis={"title": "Adoption (percentage points) per point of the dimension mean"},
        )
    figure.update_layout(
        margin={"t": 60, "b": 40, "l": 10, "r": 10},
        height=140 + 36 * len(drivers.drivers),
    )
    return figure
