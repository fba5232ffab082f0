"""Chart builders, without Streamlit: the figure shows the engine's numbers, labelled."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dashboard.charts import BLACK, BLUE, VERMILLION, cash_flow_figure
from roi import evaluate, load_case, parse_case

ROOT = Path(__file__).resolve().parents[1]


def test_cash_flow_figure_plots_the_engine_schedule():
    result = evaluate(load_case(ROOT / "sample_data" / "cases" / "lead_scoring.yaml"))
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
    from dashboard.charts import hosting_cost_figure, hosting_timeline_figure
    from roi.infrastructure import cost_curve, curve_volumes, infrastructure_reports

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
