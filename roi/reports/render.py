"""Plain-text reports for the terminal: a case's headline figures and annual table, and a
portfolio summary. Numbers go through :mod:`roi.io.formatting`."""

from __future__ import annotations

from collections.abc import Sequence

from roi.core.case import BusinessCase
from roi.core.engine import CaseResult, Metrics
from roi.core.hosting import InfrastructureReport
from roi.core.totals import portfolio_rows, portfolio_totals
from roi.core.units import format_value
from roi.culture.report import SurveyReport
from roi.evidence.pilots import PilotEstimate
from roi.io.formatting import (
    format_irr,
    format_money,
    format_months,
    format_number,
    format_percent,
    format_ratio,
)
from roi.portfolio.budget import BudgetPortfolio
from roi.portfolio.quickwins import QUADRANT_LABELS, Ranking
from roi.reports.tables import annual_rows


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> str:
    """Columns padded to width; the first ``left`` columns left-aligned, others right."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.ljust(width) if i < left else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def _metric_rows(adjusted: Metrics, raw: Metrics, currency: str) -> list[list[str]]:
    return [
        ["NPV", format_money(adjusted.npv, currency), format_money(raw.npv, currency)],
        [
            "PV benefits",
            format_money(adjusted.pv_benefits, currency),
            format_money(raw.pv_benefits, currency),
        ],
        [
            "PV costs",
            format_money(adjusted.pv_costs, currency),
            format_money(raw.pv_costs, currency),
        ],
        ["ROI", format_percent(adjusted.roi), format_percent(raw.roi)],
        [
            "Benefit-cost ratio",
            format_ratio(adjusted.benefit_cost_ratio),
            format_ratio(raw.benefit_cost_ratio),
        ],
        ["IRR (annual)", format_irr(adjusted.irr), format_irr(raw.irr)],
        ["Payback", format_months(adjusted.payback_months), format_months(raw.payback_months)],
        [
            "Discounted payback",
            format_months(adjusted.discounted_payback_months),
            format_months(raw.discounted_payback_months),
        ],
    ]


def render_case(result: CaseResult) -> str:
    """Headline figures (risk-adjusted beside unadjusted) and the risk-adjusted annual table."""
    case = result.case
    adjusted, raw = result.risk_adjusted.metrics, result.unadjusted.metrics
    convention = "monthly" if case.discounting == "monthly" else "at year end (TEI)"
    lines = [
        case.name,
        f"{case.currency}, starting {case.start}, {case.horizon_years}"
        f" year{'s' if case.horizon_years != 1 else ''},"
        f" discounted at {format_percent(case.discount_rate)} a year {convention}",
        "",
        _table(["", "Risk-adjusted", "Unadjusted"], _metric_rows(adjusted, raw, case.currency)),
    ]
    notes = {m.irr_note for m in (adjusted, raw) if m.irr_note} | {
        m.roi_note for m in (adjusted, raw) if m.roi_note
    }
    lines += [f"Note: {note}" for note in sorted(notes)]
    lines += [f"Warning: {warning}" for warning in case.warnings]
    horizon = case.horizon_years
    header = ["", "Tier", "Initial", *[f"Year {y}" for y in range(1, horizon + 1)], "Total", "PV"]
    body = []
    for row in annual_rows(result):
        indent = "  " if row["kind"] in ("benefit", "cost") else ""
        money = [row["initial"], *(row[f"year_{y}"] for y in range(1, horizon + 1)), row["total"]]
        body.append(
            [
                indent + row["name"],
                row["evidence"] or "",
                *(format_money(v, case.currency) for v in money),
                format_money(row["present_value"], case.currency),
            ]
        )
    lines += ["", f"Annual cash flows, risk-adjusted ({case.currency})", _table(header, body, 2)]
    return "\n".join(lines)


def render_portfolio(results: Sequence[CaseResult], case_ids: Sequence[str]) -> str:
    """One row per case (risk-adjusted), then totals per currency."""
    header = ["Case", "Currency", "NPV", "ROI", "IRR", "Payback", "Evidence"]
    rows = [
        [
            row.name,
            row.currency,
            format_money(row.npv, row.currency),
            format_percent(row.roi),
            format_irr(row.irr),
            format_months(row.payback_months, "never"),
            row.evidence_summary,
        ]
        for row in portfolio_rows(results, case_ids)
    ]
    lines = ["Portfolio (risk-adjusted)", _table(header, rows, 2), ""]
    for total in portfolio_totals(results):
        cases = f"{total.cases} case" + ("s" if total.cases != 1 else "")
        lines.append(
            f"Total {total.currency} ({cases}): NPV {format_money(total.npv, total.currency)},"
            f" ROI {format_percent(total.roi)}, payback {format_months(total.payback_months)}"
            f" from {total.first_start}"
        )
    lines.append(
        "Totals add each case's figures as discounted to its own start month; currencies are"
        " never added together."
    )
    return "\n".join(lines)


def render_infrastructure(case: BusinessCase, reports: Sequence[InfrastructureReport]) -> str:
    """Per infrastructure line: crossovers, PVs, the case's NPV per model, yearly costs."""
    currency = case.currency
    lines = [f"{case.name}: hosting ({currency})"]
    for report in reports:
        result = report.crossover
        lines += ["", f"{report.name} (model: {report.model})"]

        def volume(value: float | None) -> str:
            return "none" if value is None else f"{format_number(value)} requests a month"

        lines.append(f"  First crossover: {volume(result.first_requests_per_month)}")
        lines.append(f"  Crossover:       {volume(result.requests_per_month)}")
        if result.note:
            lines.append(f"  ({result.note})")
        month = report.crossover_month
        lines.append(f"  Crossover month: {'not within horizon' if month is None else month}")
        if report.switch_months:
            lines.append(
                f"  Cheapest choice changes in month {', '.join(map(str, report.switch_months))}"
            )
        for label, value in (
            ("serverless", report.pv_serverless),
            ("provisioned", report.pv_provisioned),
        ):
            if value is not None:
                lines.append(f"  PV of {label} costs: {format_money(value, currency)}")
        for model, npv in report.npv_by_model.items():
            lines.append(f"  Case NPV (risk-adjusted) if {model}: {format_money(npv, currency)}")
        header = ["", "Requests", "Serverless", "Provisioned", "Instances (max)"]
        body = []
        for year in range(len(report.requests) // 12):
            months = slice(12 * year, 12 * year + 12)
            serverless = report.serverless_cost
            provisioned = report.provisioned_cost
            body.append(
                [
                    f"Year {year + 1}",
                    format_number(float(report.requests[months].sum())),
                    format_money(
                        None if serverless is None else float(serverless[months].sum()), currency
                    ),
                    format_money(
                        None if provisioned is None else float(provisioned[months].sum()), currency
                    ),
                    "–" if report.instances is None else str(int(report.instances[months].max())),
                ]
            )
        lines += ["", _table(header, body)]
    return "\n".join(lines)


def render_pilots(estimates: Sequence[PilotEstimate]) -> str:
    """One row per (use case, metric): test, means, effect with its 95 % interval, p, MDE;
    then each verdict."""
    header = [
        "Use case",
        "Metric",
        "Test",
        "n (b/p)",
        "Baseline",
        "Pilot",
        "Effect",
        "95% CI",
        "p",
        "MDE",
    ]
    rows = []
    for item in estimates:
        e = item.headline
        interval = "–" if e.ci_low is None else f"{e.ci_low:,.4g} to {e.ci_high:,.4g}"
        rows.append([
            item.use_case_id, item.metric, e.test, f"{e.n_baseline}/{e.n_pilot}",
            "–" if e.baseline_mean is None else f"{e.baseline_mean:,.4g}",
            "–" if e.pilot_mean is None else f"{e.pilot_mean:,.4g}",
            "–" if e.effect is None else f"{e.effect:,.4g}", interval,
            "–" if e.p_value is None else f"{e.p_value:.3g}",
            "–" if e.mde is None else f"{e.mde:,.3g}",
        ])  # fmt: skip
    verdicts = [f"{i.use_case_id} {i.metric}: {i.verdict}" for i in estimates]
    return "\n".join([_table(header, rows, 3), "", *verdicts])


def _share(p: float | None) -> str:
    return "–" if p is None else f"{p:.0%}"


def render_ranking(ranking: Ranking, portfolio: BudgetPortfolio | None = None) -> str:
    """The ranking table (score parts on 0–100, probabilities from the robustness draws),
    how value was scaled, and the budgeted portfolio when there is one."""
    header = ["Rank", "Use case", "Quadrant", "Score", "Value", "Action.", "P(quick win)"]
    header += [f"P(top {ranking.top_k})"]
    rows = [
        [
            str(row.rank), f"{row.use_case_id} {row.name}", QUADRANT_LABELS[row.quadrant],
            f"{row.score:.1f}", f"{row.value:.1f}" + ("*" if row.value_source == "npv" else ""),
            f"{row.actionability:.1f}", _share(row.p_quick_win), _share(row.p_top_k),
        ]
        for row in ranking.rows
    ]  # fmt: skip
    lines = [_table(header, rows, 3), ""]
    if ranking.anchor is None and any(row.value_source == "npv" for row in ranking.rows):
        lines.append(
            "* value from the business case's NPV: no case has a positive NPV, so each is 0."
        )
    if ranking.anchor is not None:
        anchor = format_money(ranking.anchor, ranking.currency)
        source = "set" if ranking.anchor_source == "set" else "the largest risk-adjusted NPV"
        lines.append(
            f"* value from the business case's risk-adjusted NPV: 100 = {anchor} ({source}).\n"
            "  Other values are (value_score − 1) × 25."
        )
    settings = ranking.settings
    lines.append(
        f"Quick win: value above {settings.value_threshold:g} and actionability above"
        f" {settings.actionability_threshold:g}."
    )
    if settings.draws:
        lines.append(
            f"Probabilities from {settings.draws:,} draws (scores ±{settings.score_spread:g},"
            f" NPV within its interval, weights ±{settings.weight_spread:.0%})."
        )
    else:
        lines.append("No robustness draws were made (--draws 0).")
    if portfolio is not None:
        lines += ["", render_budget(portfolio)]
    return "\n".join(lines)


def render_budget(portfolio: BudgetPortfolio) -> str:
    """The chosen set, its totals, and why each other use case is not in it."""
    currency = portfolio.currency
    cap = portfolio.max_projects
    cap = "" if cap is None else f", at most {cap} project{'s' if cap != 1 else ''}"
    lines = [f"Portfolio within a budget of {format_money(portfolio.budget, currency)}{cap}"]
    if portfolio.chosen:
        lines += [
            f"  Chosen: {', '.join(portfolio.chosen)}",
            f"  Estimated cost {format_money(portfolio.total_cost, currency)},"
            f" risk-adjusted NPV {format_money(portfolio.npv, currency)},"
            f" payback {format_months(portfolio.payback_months)} from {portfolio.first_start}",
        ]
    elif not portfolio.not_chosen:
        lines.append(
            "  No use case can be costed against the budget: each needs a business case and"
            " an estimated cost."
        )
    else:
        lines.append("  Nothing fits: no candidate with a positive NPV costs at most the budget.")
    reasons: dict[str, list[str]] = {}
    for use_case_id, reason in (*portfolio.not_chosen, *portfolio.left_out):
        reasons.setdefault(reason, []).append(use_case_id)
    for reason, ids in reasons.items():
        lines.append(f"  Not chosen ({reason}): {', '.join(ids)}")
    return "\n".join(lines)


def render_survey(report: SurveyReport) -> str:
    """Per dimension: reliability and the whole survey's figures; per team, the latest
    wave's scores (hidden groups shown as such); clear wave-over-wave changes; barriers."""
    lines = [
        f"{report.respondents:,} respondents, waves {', '.join(report.waves)}; groups of fewer"
        f" than {report.min_group} are hidden"
        + (
            f"; {report.hidden_teams} team(s) hidden in every wave are not named"
            if report.hidden_teams
            else ""
        )
    ]
    header = ["Dimension", "Items", "Alpha", "95% CI", "n", "Mean", "Favourable", "Score"]
    rows = []
    for d in report.dimensions:
        ci = "–" if d.alpha_ci is None else f"{d.alpha_ci[0]:.2f} to {d.alpha_ci[1]:.2f}"
        alpha = "–" if d.alpha is None else f"{d.alpha:.2f}" + ("" if d.reliable else " (low)")
        rows.append([
            d.dimension, str(d.items), alpha, ci,
            "hidden" if d.suppressed else f"{d.n:,}",
            "–" if d.mean is None else f"{d.mean:.2f}",
            "–" if d.favourable is None else f"{d.favourable:.0%}",
            "–" if d.score is None else f"{d.score:.0f}",
        ])  # fmt: skip
    lines += ["", _table(header, rows)]
    latest = report.waves[-1]
    teams = sorted({g.team for g in report.groups})
    dimensions = [d.dimension for d in report.dimensions]
    cells = {(g.team, g.dimension): g for g in report.groups if g.wave == latest}
    rows = []
    for team in teams:
        row = [team]
        for dimension in dimensions:
            group = cells.get((team, dimension))
            row.append(
                "–" if group is None else "hidden" if group.suppressed else f"{group.score:.0f}"
            )
        rows.append(row)
    lines += ["", f"Scores (0-100) in wave {latest}", _table(["Team", *dimensions], rows)]
    clear = report.clear_changes
    lines.append("")
    lines.append(
        f"Clear changes between waves ({len(clear)} of {len(report.changes)}, Holm-adjusted):"
    )
    lines += [
        f"  {c.team} {c.dimension} {c.wave_from}→{c.wave_to}: {c.points:+.1f} points of 100"
        f" (adjusted interval {c.points_low:+.1f} to {c.points_high:+.1f}), {c.reading}"
        if c.points_low is not None
        else f"  {c.team} {c.dimension} {c.wave_from}→{c.wave_to}: {c.change:+.2f}, {c.reading}"
        for c in clear
    ] or ["  none"]
    lines.append("")
    lines.append("Barrier (first readiness dimension at or below the middle of its scale):")
    lines += [f"  {team}: {barrier or 'none'}" for team, barrier in report.barriers.items()]
    if report.participation:
        rows = [
            [
                p.wave, p.team, "–" if p.invited is None else f"{p.invited:,}",
                "hidden" if p.suppressed else f"{p.respondents:,}",
                "hidden" if p.suppressed else "–" if p.rate is None else f"{p.rate:.0%}",
            ]
            for p in report.participation
        ]  # fmt: skip
        lines += [
            "",
            "Participation",
            _table(["Wave", "Team", "Invited", "Answered", "Rate"], rows),
        ]
    if report.recapture is not None:
        r = report.recapture
        lines += [
            "",
            f"Recapture (wave {r.wave}, n = {r.n}): {r.share:.2f} of saved time goes into more"
            f" valuable work (95% CI {r.ci_low:.2f} to {r.ci_high:.2f}); a time_saved line's"
            " productivity_recapture can take it, with evidence: measured",
        ]
    for drivers, note, title in (
        (report.drivers, report.drivers_note, "What goes with advocacy"),
        (report.adoption_drivers, report.adoption_drivers_note, "What goes with team adoption"),
    ):
        if drivers is None and note is None:
            continue
        lines += ["", f"{title}:"]
        if drivers is None:
            lines.append(f"  {note}")
            continue
        unit = "advocacy points (0-10)" if drivers.outcome == "advocacy" else "adoption points (%)"
        fit = "" if drivers.r_squared is None else f", R² {drivers.r_squared:.2f}"
        lines.append(f"  {drivers.n:,} {drivers.unit}{fit}; {unit} per point of dimension mean")
        rows = [
            [
                d.dimension, f"{d.estimate:+.2f}", f"{d.ci_low:+.2f} to {d.ci_high:+.2f}",
                f"{d.p_adjusted:.3f}", f"{d.importance:.2f}",
            ]
            for d in sorted(drivers.drivers, key=lambda d: -d.importance)
        ]  # fmt: skip
        importance = "Share of R²" if drivers.outcome == "advocacy" else "R² alone"
        lines.append(_table(["Dimension", "Effect", "95% CI", "p (Holm)", importance], rows))
    return "\n".join(lines)


def render_simulation(case, simulation) -> str:
    """The simulation's summary as text."""
    s = simulation
    money = case.currency
    lines = [
        f"{case.name}: {s.draws:,} draws (seed {s.seed}) of {len(s.inputs)} uncertain input(s),"
        " unadjusted view",
        "",
        _table(
            ["", "P5", "P10", "P50", "P90", "P95"],
            [
                ["NPV", *(f"{s.npv_percentiles[q]:,.0f}" for q in (5, 10, 50, 90, 95))],
                [
                    "ROI",
                    *(
                        "–" if s.roi_percentiles[q] is None else f"{s.roi_percentiles[q]:.0%}"
                        for q in (5, 10, 50, 90, 95)
                    ),
                ],
            ],
        ),
        "",
        f"Mean NPV {s.npv_mean:,.0f} {money}; P(NPV > 0) {s.prob_npv_positive:.1%}",
        "Payback: "
        + ", ".join(
            f"P{q} {'never' if v is None else f'{v:.1f} months'}"
            for q, v in s.payback_percentiles.items()
        )
        + f"; paid back within the horizon in {s.prob_payback_within_horizon:.1%} of draws",
        f"The case as written: {s.deterministic_npv:,.0f}"
        f" (risk-adjusted {s.risk_adjusted_npv:,.0f})",
    ]
    if s.contributions:
        lines += ["", "What explains NPV's spread (share of squared rank correlations):"]
        lines += [
            f"  {c.share:6.1%}  {c.label} (ρ {c.rank_correlation:+.2f})" for c in s.contributions
        ]
    return "\n".join(lines)


def render_sensitivity(case, rows, evens, scenarios, payback_target) -> str:
    """Scenarios, the tornado and break-even values as text."""
    lines = [f"{case.name}: sensitivity of NPV ({case.currency}, unadjusted view)", ""]
    lines.append(
        _table(
            ["Scenario", "NPV", "Change", "ROI", "Payback"],
            [
                [
                    r.name,
                    f"{r.npv:,.0f}",
                    f"{r.npv_change:+,.0f}",
                    "–" if r.roi is None else f"{r.roi:.0%}",
                    "never" if r.payback_months is None else f"{r.payback_months:.1f} months",
                ]
                for r in scenarios
            ],
        )
    )
    lines += ["", "Tornado (unadjusted NPV, before risk adjustment; largest swing first):"]
    lines.append(
        _table(
            ["Input", "Low", "High", "Range", "NPV at low", "NPV at high", "Swing"],
            [
                [
                    r.label,
                    format_value(case, r.input, r.low),
                    format_value(case, r.input, r.high),
                    r.range_source,
                    f"{r.npv_low:,.0f}",
                    f"{r.npv_high:,.0f}",
                    f"{r.swing:,.0f}",
                ]
                for r in rows
            ],
        )
    )
    target = "" if payback_target is None else f", payback = {payback_target:g} months"
    lines += ["", f"Break-even values (NPV = 0{target}):"]
    for b in evens:
        zero = b.npv_note if b.npv_zero is None else format_value(case, b.input, b.npv_zero)
        text = f"  {b.label} (now {format_value(case, b.input, b.value)}): NPV = 0 at {zero}"
        if payback_target is not None:
            at = (
                b.payback_note
                if b.payback_target is None
                else format_value(case, b.input, b.payback_target)
            )
            text += f"; payback target at {at}"
        lines.append(text)
    return "\n".join(lines)
