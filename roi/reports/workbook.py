"""The Excel business case: a workbook finance can audit and recompute.

Sheets:

- **Summary**: the headline figures, risk-adjusted and unadjusted, as live formulas, and
  the evidence tier of every line item.
- **Assumptions**: every input as a named, typed, validated input cell (yellow), with its
  unit, evidence tier, source, path and workbook name (:mod:`roi.reports.workbook_inputs`).
- **Monthly**: the full schedule, every cell a formula: the adoption and each line's amount
  as its driver's formula of the inputs (:mod:`roi.reports.workbook_formulas`), then the
  risk-adjusted benefits, costs and net, the unadjusted net, the discount factor, present
  value and the cumulative flows.
- **Workings**, when the case has infrastructure or usage-billed licence lines: their
  intermediate quantities per month, as formulas.
- **Annual**: the TEI-style table (Initial, Year 1..H, Total, present value) of the
  risk-adjusted view, every cell a formula over Monthly.
- **Checks**: the engine's figures as values beside the workbook's formulas, with the
  difference and a verdict.
- **Infrastructure**, when the case has infrastructure lines: each one's monthly requests,
  serverless and provisioned cost, instances and the cheaper model, and its crossover
  (values: the engine's run, which does not follow an edited input).
- **Scenarios**, **Sensitivity** and, when the case declares uncertain inputs,
  **Simulation**: the figures of :mod:`roi.uncertainty.sensitivity` and
  :mod:`roi.uncertainty.simulation` as values (unadjusted view, as they are computed), with
  the seed and draws to reproduce them.

Conventions kept in the formulas (the same as the engine's): a ``monthly`` case discounts
month m by (1 + r)^(m/12), a ``year_end`` case every month of year y by (1 + r)^y; the
initial flow (period 0) is never discounted (Excel's ``NPV()`` would discount it, so NPV is
built from discount factors instead). IRR is the IRR of the monthly flows annualised,
(1 + irr)^12 − 1, for ``monthly`` and the IRR of the annual flows for ``year_end``. Payback
interpolates within the period after the last one whose cumulative flow is negative (in
months; a ``year_end`` case works on annual flows).

Workbook names: ``NPV``, ``IRR``, ``ROI``, ``PAYBACK_MONTHS`` (risk-adjusted headline) and
one per input (:func:`roi.reports.workbook_inputs.name_of`). Text from users (names, notes,
sources) is written as text and can never become a formula.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from roi.core.distributions import describe
from roi.core.engine import CaseResult
from roi.io.formatting import IRR_CAP, IRR_CAP_TEXT
from roi.reports.workbook_formulas import Row, workings_columns, workings_formulas
from roi.reports.workbook_sheets import (
    ScheduleColumns,
    annual_sheet,
    assumptions_sheet,
    define_names,
    line_keys,
    monthly_sheet,
    payback_sheet,
    summary_sheet,
)
from roi.reports.workbook_style import (
    HEADER_FONT,
    MONEY,
    TITLE_FONT,
    print_to_page_width,
    wrap_across,
    write_text,
)


def build_workbook(result: CaseResult) -> Workbook:
    """The workbook of an evaluated case (see the module docstring)."""
    # Sheets are in the order they are created, Summary first (the workbook opens on it);
    # they are written in the order their references flow: inputs, schedule, the rest.
    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    assumptions = book.create_sheet("Assumptions")
    monthly = book.create_sheet("Monthly")
    annual = book.create_sheet("Annual")
    inputs = assumptions_sheet(assumptions, result)
    workings = {}
    if any(line.type in ("infrastructure", "usage_licence") for line in result.lines):
        workings = workings_sheet(book.create_sheet("Workings"), result)
    schedule = monthly_sheet(monthly, result, inputs, workings)
    annual_sheet(annual, result, schedule, inputs)
    paybacks = payback_sheet(book.create_sheet("Payback"), result, schedule)
    summary_sheet(summary, result, schedule, paybacks)
    checks = book.create_sheet("Checks")
    checks_sheet(checks, result, schedule)
    define_names(book, inputs)
    for sheet in (summary, assumptions, annual, checks):  # the sheets read on paper
        print_to_page_width(sheet)
    return book


# Workings columns in money or in whole instances; the rest are counts of requests, users
# and units.
_WORKINGS_FORMATS = {
    key: MONEY for key in ("serverless", "provisioned", "seat_cost", "usage_cost", "total")
} | {"instances": "0"}


def workings_sheet(sheet, result: CaseResult) -> dict[int, dict[str, str]]:
    """The intermediate quantities of infrastructure and usage-billed licence lines, one
    column each, on the Monthly sheet's rows; their columns by line (index in
    ``result.lines``) and key."""
    case = result.case
    for col, title in enumerate(("Period", "Date", "Year"), start=1):
        sheet.cell(row=1, column=col, value=title).font = HEADER_FONT
    columns: dict[int, dict[str, str]] = {}
    next_col = 4
    keys = line_keys(result.lines)
    for i, (kind, index) in enumerate(keys):
        item = getattr(case, kind)[index]
        if item.type not in ("infrastructure", "usage_licence"):
            continue
        columns[i] = {}
        for key, title in workings_columns(item):
            letter = get_column_letter(next_col)
            columns[i][key] = letter
            cell = sheet.cell(row=1, column=next_col)
            write_text(cell, f"{item.name} · {title}")
            cell.font, cell.alignment = HEADER_FONT, Alignment(wrap_text=True, vertical="top")
            sheet.column_dimensions[letter].width = 18
            next_col += 1
    dates, years = result.timeline.dates(), result.timeline.year_of_period
    first = 2
    for k in range(result.timeline.periods):
        r = first + k
        sheet.cell(row=r, column=1, value=k)
        sheet.cell(row=r, column=2, value=dates[k]).number_format = "yyyy-mm-dd"
        sheet.cell(row=r, column=3, value=int(years[k]))
        for i, col in columns.items():
            kind, index = keys[i]
            item = getattr(case, kind)[index]
            for key, formula in workings_formulas(kind, index, item, Row(r, first), col).items():
                cell = sheet[f"{col[key]}{r}"]
                cell.value = formula
                cell.number_format = _WORKINGS_FORMATS.get(key, "#,##0.00")
    sheet.freeze_panes = "D2"
    return columns


# --- Checks ---------------------------------------------------------------------------------

_MONEY_TOLERANCE = 0.005  # to the cent
_RATIO_TOLERANCE = 1e-6
# A double holds 15–16 significant digits, and two engines' sums of many months part in the
# last ones: beyond the amount where this share is the tolerance above (5 x 10^10 for money,
# 10^7 for a ratio), the tolerance is this share of the figure.
_RELATIVE_TOLERANCE = 1e-13


def _money_tolerance(value: float) -> float:
    """To the cent, or 10^-13 of an amount too large for a cent to be exact."""
    return max(_MONEY_TOLERANCE, _RELATIVE_TOLERANCE * abs(value))


def _ratio_tolerance(value) -> float:
    """To 10^-6, or 10^-13 of a ratio (an ROI of costs near zero) beyond 10^7."""
    number = abs(value) if isinstance(value, float) else 0.0
    return max(_RATIO_TOLERANCE, _RELATIVE_TOLERANCE * number)


def _engine_value(value, none: str):
    return none if value is None else float(value)


def _check_rows(result: CaseResult, schedule: ScheduleColumns) -> list[tuple]:
    """(figure, workbook formula, engine value, tolerance, number format) of every check."""
    rows = []
    factor = schedule.span("factor")
    amounts = result.unadjusted.line_amounts
    for i, line in enumerate(result.lines):
        span = schedule.line_span(i)
        total = float(amounts[i].sum())
        present = float((amounts[i] * result.discount_factors).sum())
        rows.append((f"{line.name} · total (unadjusted)", f"=SUM({span})", total,
                     _money_tolerance(total), MONEY))  # fmt: skip
        rows.append((f"{line.name} · present value (unadjusted)", f"=SUMPRODUCT({span},{factor})",
                     present, _money_tolerance(present), MONEY))  # fmt: skip
    rows.append(("Adoption · sum of the monthly shares", "=SUM(Monthly!$D:$D)",
                 float(result.adoption.sum()), _RATIO_TOLERANCE, "0.000000"))  # fmt: skip
    for column, view, title in (("B", result.risk_adjusted, "risk-adjusted"),
                                ("C", result.unadjusted, "unadjusted")):  # fmt: skip
        m = view.metrics
        irr = m.irr
        irr_value = "undefined" if irr is None else (IRR_CAP_TEXT if irr > IRR_CAP else irr)
        roi = _engine_value(m.roi, "undefined")
        for label, cell, value, tolerance, number_format in (
            ("NPV", 5, m.npv, _money_tolerance(m.npv), MONEY),
            ("Present value of benefits", 6, m.pv_benefits, _money_tolerance(m.pv_benefits),
             MONEY),
            ("Present value of costs", 7, m.pv_costs, _money_tolerance(m.pv_costs), MONEY),
            ("ROI", 8, roi, _ratio_tolerance(roi), "0.00%"),
            ("IRR (annual)", 9, irr_value, _ratio_tolerance(irr_value), "0.00%"),
            ("Payback (months)", 10, _engine_value(m.payback_months, "never"),
             _RATIO_TOLERANCE, "0.000"),
            ("Discounted payback (months)", 11,
             _engine_value(m.discounted_payback_months, "never"), _RATIO_TOLERANCE, "0.000"),
        ):  # fmt: skip
            rows.append((f"{label} ({title})", f"=Summary!{column}{cell}", value, tolerance,
                         number_format))  # fmt: skip
    return rows


def checks_sheet(sheet, result: CaseResult, schedule: ScheduleColumns) -> None:
    """The engine's figures as values beside the workbook's own formulas, with the
    difference: they agree when the workbook opens, and part when an input is changed."""
    sheet["A1"] = "Checks: the workbook's figures against the engine's"
    sheet["A1"].font = TITLE_FONT
    sheet["A2"] = (
        "Column B is the workbook's own formula; column C the engine's figure when the file"
        " was written (python -m roi export), as a value. They agree to the tolerance when the"
        " file opens; change an input on the Assumptions sheet and the two part, as they should."
    )
    header = ["Figure", "Workbook", "Engine", "Difference", "Tolerance", "Agrees?"]
    for col, title in enumerate(header, start=1):
        sheet.cell(row=5, column=col, value=title).font = HEADER_FONT
    rows = _check_rows(result, schedule)
    top = 6
    for k, (label, formula, value, tolerance, number_format) in enumerate(rows):
        r = top + k
        write_text(sheet.cell(row=r, column=1), label)
        sheet.cell(row=r, column=2, value=formula).number_format = number_format
        engine = sheet.cell(row=r, column=3)
        if isinstance(value, str):
            write_text(engine, value)
        else:
            engine.value = value
            engine.number_format = number_format
        sheet.cell(row=r, column=4, value=(
            f'=IF(AND(ISNUMBER(B{r}),ISNUMBER(C{r})),B{r}-C{r},IF(B{r}=C{r},0,"differs"))'
        )).number_format = number_format  # fmt: skip
        sheet.cell(row=r, column=5, value=tolerance)
        sheet.cell(row=r, column=6,
                   value=f'=IF(ISNUMBER(D{r}),IF(ABS(D{r})<=E{r},"yes","no"),"no")')  # fmt: skip
    last = top + len(rows) - 1
    sheet["A3"] = "Verdict"
    sheet["A3"].font = HEADER_FONT
    sheet["B3"] = (
        f'=IF(COUNTIF(F{top}:F{last},"no")=0,"the workbook agrees with the engine",'
        f'COUNTIF(F{top}:F{last},"no")&" figure(s) differ from the engine")'
    )
    sheet.column_dimensions["A"].width = 56
    for col in "BCDEF":
        sheet.column_dimensions[col].width = 20
    wrap_across(sheet, 2, "F", 156)


def _table(sheet, top: int, header: list[str], rows: list[list[Any]], formats=None) -> int:
    """A header and rows from ``top``; text cells written as text; the next free row."""
    for col, title in enumerate(header, start=1):
        sheet.cell(row=top, column=col, value=title).font = HEADER_FONT
    for r, values in enumerate(rows, start=top + 1):
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=col)
            if isinstance(value, str):
                write_text(cell, value)
            else:
                cell.value = value
                if formats and formats.get(col):
                    cell.number_format = formats[col]
    return top + len(rows) + 2


def add_uncertainty_sheets(book: Workbook, result: CaseResult, draws: int, seed: int) -> None:
    """Scenarios, Sensitivity (tornado and break-even values) and, with uncertain inputs,
    Simulation: values from the engine, labelled with the view and how to reproduce them."""
    from roi.uncertainty.sensitivity import break_evens, scenario_results, tornado
    from roi.uncertainty.simulation import PERCENTILES, simulate

    case = result.case
    note = "Unadjusted view (the amounts as entered): a distribution replaces the risk factor."
    scenarios = book.create_sheet("Scenarios")
    scenarios["A1"] = note
    rows = [
        [r.name, r.npv, r.npv_change, r.roi, r.payback_months,
         "; ".join(f"{describe(case, k)} = {v:g}" for k, v in r.values.items()) or "as written"]
        for r in scenario_results(case)
    ]  # fmt: skip
    header = ["Scenario", "NPV", "Change from the case", "ROI", "Payback (months)", "Inputs set"]
    _table(scenarios, 3, header, rows, {2: MONEY, 3: MONEY, 4: "0.0%", 5: "0.0"})
    sensitivity = book.create_sheet("Sensitivity")
    sensitivity["A1"] = note
    rows_t = tornado(case)
    end = _table(
        sensitivity, 3,
        ["Input", "Value", "Low", "High", "Range", "NPV at low", "NPV at high", "Swing", "Path"],
        [[r.label, r.value, r.low, r.high, r.range_source, r.npv_low, r.npv_high, r.swing,
          r.input] for r in rows_t],
        {6: MONEY, 7: MONEY, 8: MONEY},
    )  # fmt: skip
    evens = break_evens(case, [r.input for r in rows_t], 12.0)
    _table(
        sensitivity, end,
        ["Input", "Value", "NPV = 0 at", "Payback = 12 months at"],
        [[b.label, b.value, b.npv_note if b.npv_zero is None else b.npv_zero,
          b.payback_note if b.payback_target is None else b.payback_target] for b in evens],
    )  # fmt: skip
    sensitivity.column_dimensions["A"].width = 52
    if not case.uncertainty:
        return
    simulation = simulate(case, draws, seed)
    sheet = book.create_sheet("Simulation")
    sheet["A1"] = f"{note} {draws:,} draws, seed {seed}: `python -m roi simulate` repeats them."
    rows_s = [[f"NPV P{q}", simulation.npv_percentiles[q]] for q in PERCENTILES]
    median = simulation.payback_percentiles[50]
    rows_s += [
        ["NPV mean", simulation.npv_mean], ["NPV standard deviation", simulation.npv_sd],
        ["P(NPV > 0)", simulation.prob_npv_positive],
        ["Payback P50 (months)", "never" if median is None else median],
        ["Share paid back within the horizon", simulation.prob_payback_within_horizon],
    ]  # fmt: skip
    end = _table(sheet, 3, ["Figure", "Value"], rows_s, {2: MONEY})
    for r in range(4, 4 + len(rows_s)):  # shares are shares, not money
        if str(sheet.cell(row=r, column=1).value).startswith(("P(", "Share")):
            sheet.cell(row=r, column=2).number_format = "0.0%"
        elif str(sheet.cell(row=r, column=1).value).startswith("Payback"):
            sheet.cell(row=r, column=2).number_format = "0.0"
    _table(
        sheet, end, ["Input", "Rank correlation with NPV", "Share of the spread", "Path"],
        [[c.label, c.rank_correlation, c.share, c.input] for c in simulation.contributions],
        {2: "0.00", 3: "0%"},
    )  # fmt: skip
    sheet.column_dimensions["A"].width = 52


def add_infrastructure_sheet(book: Workbook, result: CaseResult) -> None:
    """Each infrastructure line's monthly hosting figures (values, unadjusted)."""
    from roi.core.hosting import infrastructure_reports

    reports = infrastructure_reports(result.case)
    if not reports:
        return
    sheet = book.create_sheet("Infrastructure")
    top = 1
    for report in reports:
        write_text(sheet.cell(row=top, column=1), f"{report.name} (hosting model: {report.model})")
        sheet.cell(row=top, column=1).font = HEADER_FONT
        crossing = report.crossover.requests_per_month
        sheet.cell(row=top + 1, column=1, value="Crossover (requests a month)")
        sheet.cell(row=top + 1, column=2, value="none" if crossing is None else float(crossing))
        rows = [
            [m + 1, float(report.requests[m]),
             None if report.serverless_cost is None else float(report.serverless_cost[m]),
             None if report.provisioned_cost is None else float(report.provisioned_cost[m]),
             None if report.instances is None else int(report.instances[m]),
             report.chosen[m]]
            for m in range(len(report.requests))
        ]  # fmt: skip
        top = _table(
            sheet, top + 3,
            ["Month", "Requests", "Serverless cost", "Provisioned cost", "Instances", "Cheaper"],
            rows, {3: MONEY, 4: MONEY},
        )  # fmt: skip
    for col in "ABCDEF":
        sheet.column_dimensions[col].width = 18


def ranking_workbook_bytes(ranking) -> bytes:
    """The quick-wins ranking as a workbook: one **Quick wins** sheet, a row per use case in
    rank order with every part and contribution, and the weights used."""
    from roi.portfolio.quickwins import LABELS, QUADRANT_LABELS, WEIGHT_KEYS

    book = Workbook()
    sheet = book.active
    sheet.title = "Quick wins"
    header = ["Rank", "ID", "Use case", "Quadrant", "Score", "Value", "Actionability",
              "P(quick win)", f"P(top {ranking.top_k})", "Estimated cost", "Owner", "Team",
              *(f"{LABELS[k]} (part)" for k in WEIGHT_KEYS)]  # fmt: skip
    rows = [
        [r.rank, r.use_case_id, r.name, QUADRANT_LABELS[r.quadrant], r.score, r.value,
         r.actionability, r.p_quick_win, r.p_top_k, r.estimated_cost, r.owner, r.team,
         *(r.components[k] for k in WEIGHT_KEYS)]
        for r in ranking.rows
    ]  # fmt: skip
    end = _table(sheet, 1, header, rows, {8: "0%", 9: "0%", 10: MONEY})
    weights = ranking.settings.weights
    _table(sheet, end, ["Weight", "Value"],
           [[LABELS[k], getattr(weights, k)] for k in WEIGHT_KEYS])  # fmt: skip
    sheet.column_dimensions["C"].width = 40
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def workbook_bytes(
    result: CaseResult, uncertainty: bool = True, draws: int = 10_000, seed: int = 0
) -> bytes:
    """The workbook as ``.xlsx`` bytes, with the Infrastructure sheet when the case has
    hosting lines; with ``uncertainty``, the Scenarios, Sensitivity and (for a case with
    uncertain inputs) Simulation sheets too."""
    book = build_workbook(result)
    add_infrastructure_sheet(book, result)
    if uncertainty:
        add_uncertainty_sheets(book, result, draws, seed)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
