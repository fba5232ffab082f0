"""Chart builders for the Quick wins page: ranking → plotly figure. Pure (no Streamlit).

Business functions differ by colour (Okabe–Ito) *and* marker shape, so no meaning rests on
colour alone; bubble area is the use case's estimated cost.
"""

from __future__ import annotations

import plotly.graph_objects as go

from roi.io.formatting import format_money, format_months
from roi.portfolio.budget import BudgetPortfolio
from roi.portfolio.quickwins import QUADRANT_LABELS, Ranking
from roi.portfolio.register import BUSINESS_FUNCTIONS
from roi.reports.figures import BLACK, BLUE, GREY, VERMILLION

FUNCTION_LABELS = {
    "customer_support": "Customer support",
    "sales_marketing": "Sales & marketing",
    "data_analysis": "Data analysis",
    "operations_hr": "Operations & HR",
    "other": "Other",
}
FUNCTION_STYLE = {  # colour, marker symbol
    "customer_support": ("#0072B2", "circle"),
    "sales_marketing": ("#E69F00", "diamond"),
    "data_analysis": ("#009E73", "square"),
    "operations_hr": ("#CC79A7", "triangle-up"),
    "other": ("#666666", "hexagon"),
}
LARGEST_BUBBLE_PX = 56
NO_COST_PX = 12


def matrix_figure(ranking: Ranking) -> go.Figure:
    """Value (y) against actionability (x), both 0–100; a bubble per use case labelled with
    its id, area ∝ estimated cost (a small open marker when there is none); dashed lines at
    the thresholds split the quadrants."""
    settings = ranking.settings
    costs = [row.estimated_cost for row in ranking.rows if row.estimated_cost]
    largest = max(costs, default=1.0)
    # Use cases on the same spot share one label (the best ranked carries it).
    labels: dict[str, str] = {}
    spots: dict[tuple[float, float], list[str]] = {}
    for row in ranking.rows:
        spot = (round(row.actionability, 1), round(row.value, 1))
        spots.setdefault(spot, []).append(row.use_case_id)
    for ids in spots.values():
        labels |= {use_case_id: "" for use_case_id in ids} | {ids[0]: ", ".join(ids)}
    figure = go.Figure()
    for function in BUSINESS_FUNCTIONS:
        rows = [row for row in ranking.rows if row.business_function == function]
        if not rows:
            continue
        colour, symbol = FUNCTION_STYLE[function]
        figure.add_scatter(
            x=[row.actionability for row in rows],
            y=[row.value for row in rows],
            mode="markers+text",
            name=FUNCTION_LABELS[function],
            text=[labels[row.use_case_id] for row in rows],
            textposition="top center",
            textfont={"size": 11, "color": BLACK},
            marker={
                "color": colour,
                "symbol": [symbol if row.estimated_cost else f"{symbol}-open" for row in rows],
                # Area proportional to cost: diameter ∝ √cost (plotly's sizemode="area").
                "size": [row.estimated_cost if row.estimated_cost else 0.0 for row in rows],
                "sizemode": "area",
                "sizeref": 2.0 * largest / LARGEST_BUBBLE_PX**2,
                "sizemin": NO_COST_PX / 2,
                "line": {"color": "white", "width": 1},
                "opacity": 0.85,
            },
            customdata=[
                [
                    row.name,
                    row.rank,
                    row.score,
                    QUADRANT_LABELS[row.quadrant],
                    format_money(row.estimated_cost, ranking.currency)
                    if row.estimated_cost is not None
                    else "no estimated cost",
                    row.use_case_id,
                ]
                for row in rows
            ],
            hovertemplate=(
                "<b>%{customdata[5]} %{customdata[0]}</b><br>Rank %{customdata[1]} · score"
                " %{customdata[2]:.1f} · %{customdata[3]}<br>Value %{y:.1f} ·"
                " actionability %{x:.1f}<br>Estimated cost %{customdata[4]}<extra></extra>"
            ),
        )
    for x, y, label in (
        (1, 1, "Quick wins"),
        (0, 1, "Strategic bets"),
        (1, 0, "Fill-ins"),
        (0, 0, "Deprioritise"),
    ):
        figure.add_annotation(
            x=x, y=y, xref="paper", yref="paper", text=f"<b>{label}</b>", showarrow=False,
            xanchor="right" if x else "left", yanchor="top" if y else "bottom",
            font={"size": 13, "color": GREY},
        )  # fmt: skip
    figure.add_vline(x=settings.actionability_threshold, line_dash="dash", line_color=GREY)
    figure.add_hline(y=settings.value_threshold, line_dash="dash", line_color=GREY)
    figure.update_layout(
        title="Value against actionability (bubble area = estimated cost)",
        xaxis={"title": "Actionability (0–100)", "range": [-4, 104], "zeroline": False},
        yaxis={"title": "Value (0–100)", "range": [-8, 116], "zeroline": False},
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": -0.3,
            "x": 0,
            "title": None,
            "itemsizing": "constant",
        },
        margin={"t": 50, "b": 40, "l": 10, "r": 10},
        height=540,
    )
    return figure


def robustness_figure(ranking: Ranking, limit: int = 25) -> go.Figure:
    """For the first ``limit`` use cases by rank: the probability of being a quick win and
    of being in the top k under the robustness draws, as horizontal bars."""
    rows = list(ranking.rows[:limit])[::-1]  # rank 1 at the top
    labels = [f"{row.rank}. {row.use_case_id} {row.name}" for row in rows]
    figure = go.Figure()
    for name, values, colour in (
        ("P(quick win)", [row.p_quick_win or 0.0 for row in rows], BLUE),
        (f"P(top {ranking.top_k})", [row.p_top_k or 0.0 for row in rows], VERMILLION),
    ):
        figure.add_bar(
            y=labels,
            x=values,
            name=name,
            orientation="h",
            marker_color=colour,
            hovertemplate="%{y}<br>" + name + ": %{x:.0%}<extra></extra>",
        )
    shown = "" if len(ranking.rows) <= limit else f", first {limit} by rank"
    figure.update_layout(
        barmode="group",
        title=f"How sure is each place? ({ranking.settings.draws:,} draws{shown})",
        xaxis={"title": "Probability", "tickformat": ".0%", "range": [0, 1]},
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.2, "x": 0},
        margin={"t": 50, "b": 40, "l": 10, "r": 10},
        height=140 + 34 * len(rows),
    )
    return figure


def budget_cash_flow_figure(portfolio: BudgetPortfolio) -> go.Figure:
    """The chosen set's combined monthly net cash flow (bars) and its running total (line),
    with payback marked; month 0 is the earliest start's *Initial*."""
    currency = portfolio.currency
    months = list(range(len(portfolio.net_cash_flow)))
    hover = "Month %{x}<br>%{fullData.name}: %{y:,.0f} " + currency + "<extra></extra>"
    figure = go.Figure()
    figure.add_bar(
        x=months,
        y=portfolio.net_cash_flow,
        name="Net cash flow",
        marker_color=BLUE,
        hovertemplate=hover,
    )
    figure.add_scatter(
        x=months,
        y=portfolio.cumulative_net_cash_flow,
        name="Cumulative",
        mode="lines",
        line={"color": BLACK, "width": 2.5},
        hovertemplate=hover,
    )
    if portfolio.payback_months is not None:
        figure.add_vline(
            x=portfolio.payback_months,
            line_dash="dash",
            line_color=GREY,
            annotation_text=f"Payback {format_months(portfolio.payback_months)}",
            annotation_position="top left",
        )
    figure.add_hline(y=0, line_color=GREY, line_width=1)
    figure.update_layout(
        title=f"Chosen set: combined cash flow, risk-adjusted ({currency})",
        xaxis_title=f"Months from {portfolio.first_start} (0 = Initial)",
        yaxis_title=f"{currency} per month; cumulative line in {currency}",
        yaxis_tickformat=",.0f",
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.35, "x": 0},
        margin={"t": 60, "b": 40, "l": 10, "r": 10},
        hovermode="x unified",
        height=400,
    )
    return figure
