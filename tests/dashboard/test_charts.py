"""Chart builders, without Streamlit: the figure shows the engine's numbers, labelled."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from roi import evaluate, load_case, parse_case
from roi.reports.figures import BLACK, BLUE, VERMILLION, cash_flow_figure

ROOT = Path(__file__).resolve().parents[2]


def test_cash_flow_figure_plots_the_engine_schedule():
    # A case that pays back (lead_scoring, measured since issue 20 item 12, never does).
    result = evaluate(load_case(ROOT / "sample_data" / "cases" / "support_draft_replies.yaml"))
    assert result.risk_adjusted.metrics.payback_months is not None
    figure = cash_flow_figure(result)
    benefits, costs, cumulative = figure.data
    view = result.risk_adjusted
    assert (benefits.name, costs.name, cumulative.name) == (
        "Benefits",
        "Costs",
        "Cumulative net cash flow",
    )
    assert np.allclose(benefits.y, view.benefits)
    assert np.allclose(costs.y, -view.costs)  # costs drawn downwards
    assert np.allclose(cumulative.y, view.cumulative_net)
    assert (benefits.marker.color, costs.marker.color, cumulative.line.color) == (
        BLUE,
        VERMILLION,
        BLACK,
    )
    payback_lines = [s for s in figure.layout.shapes if s.type == "line" and s.x0 == s.x1]
    assert [s.x0 for s in payback_lines] == [view.metrics.payback_months]
    assert "USD" in figure.layout.yaxis.title.text
    assert "Months from start" in figure.layout.xaxis.title.text
    assert "risk-adjusted" in figure.layout.title.text


def test_no_payback_line_when_the_case_never_pays_back():
    case = parse_case(
        {
            "name": "Never",
            "start": "2027-01",
            "horizon_years": 1,
            "costs": [{"name": "c", "type": "one_time", "amount": 100}],
        }
    )
    figure = cash_flow_figure(evaluate(case))
    assert not [s for s in figure.layout.shapes if s.type == "line" and s.x0 == s.x1]


def test_hosting_cost_figure_draws_both_models_and_the_crossover():
    from dashboard.charts.hosting import hosting_cost_figure, hosting_timeline_figure
    from roi.core.hosting import cost_curve, curve_volumes, infrastructure_reports

    case = load_case(ROOT / "sample_data" / "cases" / "support_chatbot.yaml")
    report = infrastructure_reports(case)[0]
    item = case.costs[report.index]
    curve = cost_curve(item, curve_volumes(item, report))
    crossover = report.crossover.requests_per_month
    figure = hosting_cost_figure(curve, crossover, crossover, (6e6, 1.5e7), "USD")
    serverless, provisioned = figure.data
    assert len(serverless.x) == 500 and max(serverless.x) > crossover
    assert provisioned.line.shape == "hv"  # a step function, drawn as steps
    assert len(set(provisioned.y)) >= 3  # at least two steps above the minimum show
    assert np.allclose(provisioned.y, curve["provisioned"])
    lines = [s for s in figure.layout.shapes if s.type == "line"]
    assert [s.x0 for s in lines] == [crossover]
    timeline = hosting_timeline_figure(report.serverless_cost, report.provisioned_cost, "USD")
    assert [trace.name for trace in timeline.data] == ["Serverless", "Provisioned"]
    assert len(timeline.data[0].x) == 60


# --- Quick wins (issue 6) -----------------------------------------------------------------


def _ranking_and_portfolio():
    from roi.portfolio.budget import select_portfolio
    from roi.portfolio.quickwins import RankSettings, rank
    from roi.portfolio.register import read_register

    path = ROOT / "sample_data" / "use_cases.csv"
    register = read_register(path.read_bytes(), path.name, path.parent)
    return rank(register, RankSettings(draws=500)), select_portfolio(register, 300_000)


def test_matrix_figure_places_every_use_case_on_its_scores():
    from dashboard.charts.quickwins import FUNCTION_LABELS, matrix_figure

    ranking, _ = _ranking_and_portfolio()
    figure = matrix_figure(ranking)
    points = {
        point[5]: (x, y)
        for trace in figure.data
        for x, y, point in zip(trace.x, trace.y, trace.customdata, strict=True)
    }
    assert set(points) == {row.use_case_id for row in ranking.rows}
    for row in ranking.rows:
        assert points[row.use_case_id] == (row.actionability, row.value)
    assert {trace.name for trace in figure.data} <= set(FUNCTION_LABELS.values())
    assert figure.layout.xaxis.title.text == "Actionability (0–100)"
    assert figure.layout.yaxis.title.text == "Value (0–100)"
    lines = {(shape.type, shape.x0, shape.y0) for shape in figure.layout.shapes}
    assert ("line", 50.0, 0) in lines and ("line", 0, 50.0) in lines  # the thresholds
    # Use cases on one spot share a label; every id is named once.
    labels = [label for trace in figure.data for label in trace.text if label]
    named = [part for label in labels for part in label.split(", ")]
    assert sorted(named) == sorted(row.use_case_id for row in ranking.rows)
    # Bubble area is the estimated cost; a use case without one is an open marker.
    sizes = {
        point[5]: (size, symbol)
        for trace in figure.data
        for size, symbol, point in zip(
            trace.marker.size, trace.marker.symbol, trace.customdata, strict=True
        )
    }
    assert sizes["UC-13"][0] == 400_000 and sizes["UC-11"] == (0.0, "diamond-open")


def test_robustness_figure_shows_the_probabilities_in_rank_order():
    from dashboard.charts.quickwins import robustness_figure

    ranking, _ = _ranking_and_portfolio()
    quick, top = robustness_figure(ranking).data
    assert quick.name == "P(quick win)" and top.name == f"P(top {ranking.top_k})"
    assert list(quick.x)[::-1] == [row.p_quick_win for row in ranking.rows]
    assert quick.y[-1].startswith("1. UC-05")


def test_budget_cash_flow_figure_plots_the_combined_flows():
    from dashboard.charts.quickwins import budget_cash_flow_figure

    _, portfolio = _ranking_and_portfolio()
    bars, cumulative = budget_cash_flow_figure(portfolio).data
    assert np.allclose(bars.y, portfolio.net_cash_flow)
    assert np.allclose(cumulative.y, np.cumsum(portfolio.net_cash_flow))
