"""Chart builders for the Quick wins page: ranking → plotly figure. Pure (no Streamlit).

Business functions differ by colour (Okabe–Ito) *and* marker shape, so no meaning rests on
colour alone; bubble area is the use case's estimated cost.
"""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.charts.text import chart_text
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
# Where a label may sit around its marker, tried in this order: (plotly textposition, the
# direction of its centre from the marker's). Axis units per pixel of the 540-px matrix.
LABEL_PLACES = (
    ("top center", (0, 1)), ("bottom center", (0, -1)), ("middle right", (1, 0)),
    ("middle left", (-1, 0)), ("top right", (1, 1)), ("top left", (-1, 1)),
    ("bottom right", (1, -1)), ("bottom left", (-1, -1)),
)  # fmt: skip
X_PER_PX, Y_PER_PX = 108 / 600, 124 / 400
PLOT_AREA = (-4.0, -8.0, 104.0, 116.0)  # the matrix's axis ranges


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def label_places(points: list[tuple[float, float, float, str]]) -> list[str]:
    """A plotly ``textposition`` for each (x, y, marker diameter in px, label), chosen in
    order so that a label covers as little as possible of the labels placed before it and
    of the markers: the first place free of both, else the least covered one."""
    markers = [
        (x - d / 2 * X_PER_PX, y - d / 2 * Y_PER_PX, x + d / 2 * X_PER_PX, y + d / 2 * Y_PER_PX)
        for x, y, d, _ in points
    ]
    boxes: list[tuple[float, ...]] = []
    places = []
    for index, (x, y, diameter, label) in enumerate(points):
        width, height = (7 * len(label) + 4) * X_PER_PX, 14 * Y_PER_PX
        reach_x, reach_y = diameter / 2 * X_PER_PX, diameter / 2 * Y_PER_PX
        best = None
        for place, (dx, dy) in LABEL_PLACES:
            cx = x + dx * (reach_x + width / 2)
            cy = y + dy * (reach_y + height / 2)
            box = (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)
            covered = sum(_overlap(box, other) for other in boxes) + sum(
                _overlap(box, marker) for i, marker in enumerate(markers) if i != index
            )
            inside = _overlap(box, PLOT_AREA)  # a label cut by the plot's edge is lost
            covered += 4 * (width * height - inside)
            if best is None or covered < best[0]:
                best = (covered, place, box)
            if covered == 0:
                break
        places.append(best[1])
        boxes.append(best[2])
    return places


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
        labels |= {use_case_id: "" for use_case_id in ids} | {ids[0]: chart_text(", ".join(ids))}

    def diameter(row) -> float:
        if not row.estimated_cost:
            return NO_COST_PX
        return max(NO_COST_PX, LARGEST_BUBBLE_PX * (row.estimated_cost / largest) ** 0.5)

    # Labels are placed around their markers in rank order, so that they do not overlap.
    placed = [row for row in ranking.rows if labels[row.use_case_id]]
    where = dict(zip(
        (row.use_case_id for row in placed),
        label_places([(row.actionability, row.value, diameter(row),
                       labels[row.use_case_id]) for row in placed]),
        strict=True,
    ))  # fmt: skip
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
            textposition=[where.get(row.use_case_id, "top center") for row in rows],
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
                    chart_text(row.name),
                    row.rank,
                    row.score,
                    QUADRANT_LABELS[row.quadrant],
                    format_money(row.estimated_cost, ranking.currency)
                    if row.estimated_cost is not None
                    else "no estimated cost",
                    chart_text(row.use_case_id),
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
        xaxis={
            "title": "Actionability (0–100)",
            "range": [PLOT_AREA[0], PLOT_AREA[2]],
            "zeroline": False,
        },
        yaxis={"title": "Value (0–100)", "range": [PLOT_AREA[1], PLOT_AREA[3]], "zeroline": False},
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
    labels = [chart_text(f"{row.rank}. {row.use_case_id} {row.name}") for row in rows]
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
