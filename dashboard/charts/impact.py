"""Chart builders for the Impact page: measured-impact report → plotly figure. Pure (no
Streamlit). A hidden cohort is left out of a chart (never drawn as a number); the page says
how many are hidden."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.charts.text import chart_text
from roi.impact.report import Cohort, ImpactReport, MetricReport
from roi.reports.figures import BLACK, BLUE, GREY, OKABE_ITO, VERMILLION

TIER_COLOURS = {"non-user": "#BBBBBB", "light": OKABE_ITO[5], "heavy": OKABE_ITO[0]}
BAND = "rgba(0, 114, 178, 0.18)"
LEGEND = {"orientation": "h", "yanchor": "top", "y": -0.3, "x": 0}


def _by_tier(cohorts: tuple[Cohort, ...], tier: str, value: str) -> tuple[list, list]:
    shown = [c for c in cohorts if c.tier == tier and not c.suppressed]
    return [c.period for c in shown], [getattr(c, value) for c in shown]


def tier_mix_figure(report: ImpactReport) -> go.Figure:
    """People per tier and period, stacked; the roll-out marked."""
    figure = go.Figure()
    for tier in ("heavy", "light", "non-user"):
        periods, counts = _by_tier(report.tier_mix, tier, "n")
        figure.add_bar(
            x=periods, y=counts, name=tier.capitalize(), marker_color=TIER_COLOURS[tier],
            hovertemplate="%{x}: %{y:,} " + tier + "<extra></extra>",
        )  # fmt: skip
    if report.rollout is not None:
        figure.add_vline(x=report.periods.index(report.rollout) - 0.5, line_dash="dot",
                         line_color=GREY)  # fmt: skip
        figure.add_annotation(x=report.rollout, y=1.04, yref="paper", showarrow=False,
                              text="Roll-out", font={"color": GREY})  # fmt: skip
    figure.update_layout(
        barmode="stack", title="People by usage tier",
        xaxis={"title": report.period_kind.capitalize(), "type": "category",
               "categoryorder": "array", "categoryarray": list(report.periods)},
        yaxis={"title": "People"}, legend=LEGEND,
        margin={"t": 60, "b": 40, "l": 10, "r": 10}, height=400,
    )  # fmt: skip
    hidden = sorted({c.period for c in report.tier_mix if c.suppressed}, key=report.periods.index)
    if hidden:
        figure.add_scatter(
            x=hidden, y=[0] * len(hidden), mode="markers", name="Some tiers hidden",
            marker={"symbol": "x-thin", "size": 9, "color": BLACK, "line": {"width": 1.5}},
            hovertemplate="%{x}: a tier of fewer people than the minimum is hidden, and the"
                          " next smallest with it<extra></extra>",
        )  # fmt: skip
    return figure


def outcome_figure(report: ImpactReport, metric: MetricReport) -> go.Figure:
    """Mean outcome per tier and period: one line per tier, the roll-out marked."""
    figure = go.Figure()
    unit = f" ({chart_text(metric.unit)})" if metric.unit else ""
    for tier in ("heavy", "light", "non-user"):
        periods, means = _by_tier(metric.cohorts, tier, "mean")
        figure.add_scatter(
            x=periods, y=means, mode="lines+markers", name=tier.capitalize(),
            line={"color": TIER_COLOURS[tier] if tier != "non-user" else GREY, "width": 2},
            marker={"size": 5},
            hovertemplate="%{x}: %{y:,.2f} mean, " + tier + "<extra></extra>",
        )  # fmt: skip
    if report.rollout is not None:
        figure.add_vline(x=report.periods.index(report.rollout), line_dash="dot",
                         line_color=GREY)  # fmt: skip
        figure.add_annotation(x=report.rollout, y=1.04, yref="paper", showarrow=False,
                              text="Roll-out", font={"color": GREY})  # fmt: skip
    figure.update_layout(
        title=f"{chart_text(metric.metric)} by usage tier (mean per person)",
        xaxis={"title": report.period_kind.capitalize(), "type": "category",
               "categoryorder": "array", "categoryarray": list(report.periods)},
        yaxis={"title": f"{chart_text(metric.metric)}{unit}"}, legend=LEGEND,
        margin={"t": 60, "b": 40, "l": 10, "r": 10}, height=440,
    )  # fmt: skip
    return figure


def event_study_figure(report: ImpactReport, metric: MetricReport) -> go.Figure | None:
    """The effect by period relative to first use with its 95 % band (LP-DiD), the plain
    two-way fixed-effects event study beside it (dotted), zero and first use marked; None
    without an estimate."""
    panel = metric.panel
    if panel is None or not panel.event_study:
        return None
    points = panel.event_study
    x = [p.relative_period for p in points]
    figure = go.Figure()
    figure.add_scatter(
        x=x + x[::-1], y=[p.ci_high for p in points] + [p.ci_low for p in points][::-1],
        fill="toself", fillcolor=BAND, line={"width": 0}, name="95% band",
        hoverinfo="skip",
    )  # fmt: skip
    figure.add_scatter(
        x=x, y=[p.effect for p in points], mode="lines+markers", name="Effect (LP-DiD)",
        line={"color": BLUE, "width": 2.5}, marker={"size": 7},
        customdata=[[p.ci_low, p.ci_high, p.adopters] for p in points],
        hovertemplate=("%{x:+d}: %{y:+,.2f} (95% %{customdata[0]:+,.2f} to"
                       " %{customdata[1]:+,.2f}; %{customdata[2]:,} adopters)<extra></extra>"),
    )  # fmt: skip
    if panel.twfe_event_study:
        figure.add_scatter(
            x=[p.relative_period for p in panel.twfe_event_study],
            y=[p.effect for p in panel.twfe_event_study], mode="lines+markers",
            name="Plain two-way FE (biased when effects grow)",
            line={"color": VERMILLION, "dash": "dot", "width": 1.5}, marker={"size": 5},
            hovertemplate="%{x:+d}: %{y:+,.2f} two-way fixed effects<extra></extra>",
        )  # fmt: skip
    figure.add_hline(y=0, line_color=BLACK, line_width=1)
    figure.add_vline(x=-0.5, line_dash="dash", line_color=GREY)
    figure.add_annotation(x=-0.5, y=1.04, yref="paper", showarrow=False, xanchor="left",
                          text="First use", font={"color": GREY})  # fmt: skip
    unit = f" ({chart_text(metric.unit)})" if metric.unit else ""
    figure.update_layout(
        title=f"Effect on {chart_text(metric.metric)} by {report.period_kind} since first use",
        xaxis={"title": f"{report.period_kind.capitalize()}s since first use (−1: the"
                        " reference)", "dtick": 1, "zeroline": False},
        yaxis={"title": f"Effect{unit}"}, legend=LEGEND,
        margin={"t": 60, "b": 40, "l": 10, "r": 10}, height=440,
    )  # fmt: skip
    return figure
