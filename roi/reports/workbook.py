"""The Excel business case: a workbook finance can audit and recompute.

Sheets:

- **Summary**: the headline figures, risk-adjusted and unadjusted, as live formulas, and
  the evidence tier of every line item.
- **Assumptions**: every input with its unit, evidence tier and source. The discount rate
  and each line's risk factor are the *live* inputs (styled as input cells): the monthly
  schedule's discounting and risk adjustment are formulas of them.
- **Monthly**: the full schedule. Each line's amounts as entered (the engine's driver
  formulas, as values), then formulas: risk-adjusted benefits, costs and net, the
  unadjusted net, the discount factor, present value and the cumulative flows.
- **Annual**: the TEI-style table (Initial, Year 1..H, Total, present value) of the
  risk-adjusted view, every cell a formula over Monthly.
- **Infrastructure**, when the case has infrastructure lines: each one's monthly requests,
  serverless and provisioned cost, instances and the cheaper model, and its crossover.
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
``DISCOUNT_RATE`` (the input). Text from users (names, notes, sources) is written as text
and can never become a formula.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName

from roi.core.distributions import describe, numeric_inputs, value_at
from roi.core.engine import CaseResult
from roi.reports.exports import FORMULA_START

INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # the usual "input cell" yellow
INPUT_FONT = Font(color="1F4E79", bold=True)
HEADER_FONT = Font(bold=True)
MONEY = "#,##0.00;[Red]-#,##0.00"


def _text(cell, value: Any) -> None:
    """Write user text as text: a leading ``=`` (or +, -, @, tab, CR) stays characters;
    control characters a workbook cannot hold are dropped."""
    cell.value = None if value is None else ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if cell.value is not None:
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_START):
            cell.quotePrefix = True


def _unit(case, path: str) -> str:
    name = path.rsplit(".", 1)[-1]
    if any(word in name for word in ("cost", "price", "amount", "value", "revenue")):
        return case.currency
    if name in ("discount_rate", "annual_volume_growth") or "escalation" in name:
        return "per year (fraction)"
    if name in ("ceiling", "productivity_recapture", "gross_margin", "conversion_lift",
                "churn_reduction", "cache_hit_rate", "commitment_discount",
                "target_utilization"):  # fmt: skip
        return "fraction"
    if "month" in name:
        return "month" if name.endswith("_month") else "per month"
    if "minutes" in name:
        return "minutes"
    if "seconds" in name:
        return "seconds"
    return "count"


def _evidence(case, path: str) -> tuple[str, str | None]:
    parts = path.split(".")
    if parts[0].startswith(("benefits", "costs")):
        kind, index = parts[0].split("[")
        item = getattr(case, kind)[int(index.rstrip("]"))]
        return item.evidence, item.source
    if parts[0] == "adoption" and case.adoption is not None and case.adoption.curve == "measured":
        return "measured", case.adoption.source
    return "assumed", None


def build_workbook(result: CaseResult) -> Workbook:
    """The workbook of an evaluated case (see the module docstring)."""
    case = result.case
    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    assumptions = book.create_sheet("Assumptions")
    monthly = book.create_sheet("Monthly")
    annual = book.create_sheet("Annual")
    lines = result.lines
    n_lines = len(lines)
    periods = result.timeline.periods
    horizon = case.horizon_years

    # --- Assumptions ------------------------------------------------------------------
    _text(assumptions["A1"], f"Assumptions: {case.name}")
    assumptions["A1"].font = Font(bold=True, size=14)
    assumptions["A2"] = (
        "Yellow cells drive the workbook's formulas: change them and the schedule's discounting"
        " and risk adjustment, and every headline figure, follow."
    )
    header = ["Input", "Value", "Unit", "Evidence", "Source", "Path"]
    for col, title in enumerate(header, start=1):
        assumptions.cell(row=4, column=col, value=title).font = HEADER_FONT
    row = 5
    assumptions.cell(row=row, column=1, value="Discount rate (annual)")
    rate_cell = assumptions.cell(row=row, column=2, value=case.discount_rate)
    rate_cell.fill, rate_cell.font, rate_cell.number_format = INPUT_FILL, INPUT_FONT, "0.00%"
    assumptions.cell(row=row, column=3, value="per year (fraction)")
    assumptions.cell(row=row, column=4, value="assumed")
    assumptions.cell(row=row, column=6, value="discount_rate")
    rate_ref = f"Assumptions!$B${row}"
    row += 1
    for label, value in (
        ("Discounting", case.discounting), ("Currency", case.currency), ("Start", case.start),
        ("Horizon (years)", case.horizon_years),
    ):  # fmt: skip
        assumptions.cell(row=row, column=1, value=label)
        if isinstance(value, str):
            _text(assumptions.cell(row=row, column=2), value)
        else:
            assumptions.cell(row=row, column=2, value=value)
        row += 1
    row += 1
    assumptions.cell(
        row=row, column=1, value="Risk factor of each line item (ρ)"
    ).font = HEADER_FONT
    row += 1
    risk_refs = []
    for line in lines:
        _text(assumptions.cell(row=row, column=1), f"{line.name} · risk")
        cell = assumptions.cell(row=row, column=2, value=line.risk)
        cell.fill, cell.font, cell.number_format = INPUT_FILL, INPUT_FONT, "0%"
        assumptions.cell(row=row, column=3, value="fraction")
        _text(assumptions.cell(row=row, column=4), line.evidence)
        _text(assumptions.cell(row=row, column=5), line.source)
        kind_index = sum(1 for other in lines[: lines.index(line)] if other.kind == line.kind)
        plural = "benefits" if line.kind == "benefit" else "costs"
        assumptions.cell(row=row, column=6, value=f"{plural}[{kind_index}].risk")
        risk_refs.append(f"Assumptions!$B${row}")
        row += 1
    row += 1
    title = assumptions.cell(
        row=row, column=1, value="Driver inputs (the schedule's amounts come from them)"
    )
    title.font = HEADER_FONT
    row += 1
    for path in numeric_inputs(case):
        if path == "discount_rate":
            continue
        evidence, source = _evidence(case, path)
        _text(assumptions.cell(row=row, column=1), describe(case, path))
        assumptions.cell(row=row, column=2, value=value_at(case, path))
        assumptions.cell(row=row, column=3, value=_unit(case, path))
        _text(assumptions.cell(row=row, column=4), evidence)
        _text(assumptions.cell(row=row, column=5), source)
        assumptions.cell(row=row, column=6, value=path)
        row += 1
    for col, width in zip("ABCDEF", (52, 16, 20, 12, 40, 44), strict=True):
        assumptions.column_dimensions[col].width = width

    # --- Monthly --------------------------------------------------------------------------
    view = result.unadjusted
    first = 2  # first data row
    last = first + periods - 1
    columns = ["Period", "Date", "Year", "Adoption"] + [line.name for line in lines]
    extra = [
        "Benefits (risk-adjusted)", "Costs (risk-adjusted)", "Net (risk-adjusted)",
        "Net (unadjusted)", "Discount factor", "Present value (risk-adjusted)",
        "Cumulative net (risk-adjusted)", "Cumulative present value (risk-adjusted)",
        "Present value (unadjusted)",
    ]  # fmt: skip
    for col, title in enumerate(columns + extra, start=1):
        cell = monthly.cell(row=1, column=col)
        _text(cell, title)
        cell.font = HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    line_col = {i: get_column_letter(5 + i) for i in range(n_lines)}
    c = {name: get_column_letter(5 + n_lines + k) for k, name in enumerate(
        ("benefits", "costs", "net", "net_unadjusted", "factor", "pv", "cumulative",
         "cumulative_pv", "pv_unadjusted"))}  # fmt: skip
    dates = result.timeline.dates()
    years = result.timeline.year_of_period
    benefit_index = [i for i, line in enumerate(lines) if line.kind == "benefit"]
    cost_index = [i for i, line in enumerate(lines) if line.kind == "cost"]
    for k in range(periods):
        r = first + k
        monthly.cell(row=r, column=1, value=k)
        monthly.cell(row=r, column=2, value=dates[k]).number_format = "yyyy-mm-dd"
        monthly.cell(row=r, column=3, value=int(years[k]))
        monthly.cell(row=r, column=4, value=float(result.adoption[k])).number_format = "0.0%"
        for i in range(n_lines):
            cell = monthly.cell(row=r, column=5 + i, value=float(view.line_amounts[i, k]))
            cell.number_format = MONEY
        benefit_terms = [f"{line_col[i]}{r}*(1-{risk_refs[i]})" for i in benefit_index]
        cost_terms = [f"{line_col[i]}{r}*(1+{risk_refs[i]})" for i in cost_index]
        plain_benefits = [f"{line_col[i]}{r}" for i in benefit_index]
        plain_costs = [f"{line_col[i]}{r}" for i in cost_index]
        monthly[f"{c['benefits']}{r}"] = "=" + ("+".join(benefit_terms) or "0")
        monthly[f"{c['costs']}{r}"] = "=" + ("+".join(cost_terms) or "0")
        monthly[f"{c['net']}{r}"] = f"={c['benefits']}{r}-{c['costs']}{r}"
        monthly[f"{c['net_unadjusted']}{r}"] = (
            "=(" + ("+".join(plain_benefits) or "0") + ")-(" + ("+".join(plain_costs) or "0") + ")"
        )
        exponent = f"A{r}/12" if case.discounting == "monthly" else f"C{r}"
        monthly[f"{c['factor']}{r}"] = f"=(1+DISCOUNT_RATE)^(-{exponent})"
        monthly[f"{c['pv']}{r}"] = f"={c['net']}{r}*{c['factor']}{r}"
        monthly[f"{c['pv_unadjusted']}{r}"] = f"={c['net_unadjusted']}{r}*{c['factor']}{r}"
        monthly[f"{c['cumulative']}{r}"] = (
            f"={c['net']}{r}" if k == 0 else f"={c['cumulative']}{r - 1}+{c['net']}{r}"
        )
        monthly[f"{c['cumulative_pv']}{r}"] = (
            f"={c['pv']}{r}" if k == 0 else f"={c['cumulative_pv']}{r - 1}+{c['pv']}{r}"
        )
        for key in ("benefits", "costs", "net", "net_unadjusted", "pv", "cumulative",
                    "cumulative_pv", "pv_unadjusted"):  # fmt: skip
            monthly[f"{c[key]}{r}"].number_format = MONEY
        monthly[f"{c['factor']}{r}"].number_format = "0.000000"
    monthly.freeze_panes = "E2"
    for col in range(1, 5 + n_lines + len(extra)):
        monthly.column_dimensions[get_column_letter(col)].width = 16

    def span(key: str) -> str:
        return f"Monthly!${c[key]}${first}:${c[key]}${last}"

    # --- Annual ---------------------------------------------------------------------------
    shown = ["Line", "Type", "Evidence", "Risk", "Initial"]
    shown += [f"Year {y}" for y in range(1, horizon + 1)] + ["Total", "Present value"]
    for col, title in enumerate(shown, start=1):
        annual.cell(row=1, column=col, value=title).font = HEADER_FONT
    year_range = f"Monthly!$C${first}:$C${last}"
    factor_range = span("factor")
    arow = 2
    line_rows = {"benefit": [], "cost": []}
    for kind in ("benefit", "cost"):
        for i, line in enumerate(lines):
            if line.kind != kind:
                continue
            sign = "1-" if kind == "benefit" else "1+"
            amounts = f"Monthly!${line_col[i]}${first}:${line_col[i]}${last}"
            _text(annual.cell(row=arow, column=1), line.name)
            _text(annual.cell(row=arow, column=2), line.type)
            _text(annual.cell(row=arow, column=3), line.evidence)
            annual.cell(row=arow, column=4, value=f"={risk_refs[i]}").number_format = "0%"
            for y in range(0, horizon + 1):
                annual.cell(
                    row=arow, column=5 + y,
                    value=f"=SUMIF({year_range},{y},{amounts})*({sign}{risk_refs[i]})",
                ).number_format = MONEY  # fmt: skip
            total_col = 6 + horizon
            annual.cell(
                row=arow, column=total_col,
                value=f"=SUM({get_column_letter(5)}{arow}:{get_column_letter(5 + horizon)}{arow})",
            ).number_format = MONEY  # fmt: skip
            annual.cell(
                row=arow, column=total_col + 1,
                value=f"=SUMPRODUCT({amounts},{factor_range})*({sign}{risk_refs[i]})",
            ).number_format = MONEY  # fmt: skip
            line_rows[kind].append(arow)
            arow += 1
        label = "Total benefits" if kind == "benefit" else "Total costs"
        annual.cell(row=arow, column=1, value=label).font = HEADER_FONT
        for col in range(5, 8 + horizon):
            letter = get_column_letter(col)
            rows = line_rows[kind]
            formula = "=" + ("+".join(f"{letter}{x}" for x in rows) or "0")
            annual.cell(row=arow, column=col, value=formula).number_format = MONEY
        line_rows[f"total_{kind}"] = arow
        arow += 1
    annual.cell(row=arow, column=1, value="Net cash flow").font = HEADER_FONT
    for col in range(5, 8 + horizon):
        letter = get_column_letter(col)
        annual.cell(
            row=arow, column=col,
            value=f"={letter}{line_rows['total_benefit']}-{letter}{line_rows['total_cost']}",
        ).number_format = MONEY  # fmt: skip
    annual.column_dimensions["A"].width = 44
    for col in range(2, 8 + horizon):
        annual.column_dimensions[get_column_letter(col)].width = 15

    # --- payback helpers (on the flows the convention pays back on) ---------------------
    # Four blocks side by side: net and present value, each risk-adjusted and unadjusted;
    # monthly flows for a ``monthly`` case, annual ones (Initial, Year 1..H) for ``year_end``.
    helper = book.create_sheet("Payback")
    helper["A5"] = "Period"
    helper["A5"].font = HEADER_FONT
    year_end = case.discounting == "year_end"
    count, unit = (horizon + 1, 12) if year_end else (periods, 1)
    sources = (
        ("Net (risk-adjusted)", "net"), ("Net (unadjusted)", "net_unadjusted"),
        ("Present value (risk-adjusted)", "pv"), ("Present value (unadjusted)", "pv_unadjusted"),
    )  # fmt: skip
    helper["A2"], helper["A3"], helper["A4"] = "Tolerance", "Last negative period", "Payback"
    data = 6
    last_row = data + count - 1
    payback_cells, flow_ranges = [], []
    for b, (title, key) in enumerate(sources):
        f, cu, ng = (get_column_letter(2 + 3 * b + k) for k in range(3))
        helper[f"{f}1"] = title
        helper[f"{f}1"].font = HEADER_FONT
        helper[f"{f}5"], helper[f"{cu}5"], helper[f"{ng}5"] = (
            "Flow", "Cumulative", "Negative? (period, else -1)",
        )  # fmt: skip
        for k in range(count):
            r = data + k
            if year_end:
                flow = f"=SUMIF({year_range},{k},{span(key)})"
            else:
                flow = f"=Monthly!{c[key]}{first + k}"
            helper[f"{f}{r}"] = flow
            helper[f"{f}{r}"].number_format = MONEY
            helper[f"{cu}{r}"] = f"={f}{r}" if k == 0 else f"={cu}{r - 1}+{f}{r}"
            helper[f"{ng}{r}"] = f"=IF({cu}{r}<-{f}$2,$A{r},-1)"
        for k in range(count):
            helper[f"A{data + k}"] = k
        helper[f"{f}2"] = f"=1E-12*SUMPRODUCT(ABS({f}{data}:{f}{last_row}))"
        helper[f"{f}3"] = f"=MAX({ng}{data}:{ng}{last_row})"
        helper[f"{f}4"] = (
            f'=IF({f}3<0,0,IF({f}3={count - 1},"never",'
            f"({f}3+(-INDEX({cu}{data}:{cu}{last_row},{f}3+1)"
            f"/INDEX({f}{data}:{f}{last_row},{f}3+2)))*{unit}))"
        )
        payback_cells.append(f"Payback!{f}4")
        flow_ranges.append(f"Payback!${f}${data}:${f}${last_row}")

    # --- Summary --------------------------------------------------------------------------
    _text(summary["A1"], case.name)
    summary["A1"].font = Font(bold=True, size=14)
    _text(summary["A2"], case.description or "")
    summary["A4"], summary["B4"], summary["C4"] = "Figure", "Risk-adjusted", "Unadjusted"
    for cell in ("A4", "B4", "C4"):
        summary[cell].font = HEADER_FONT
    benefits_pv = f"SUMPRODUCT({span('benefits')},{factor_range})"
    costs_pv = f"SUMPRODUCT({span('costs')},{factor_range})"
    plain_b = "+".join(
        f"SUMPRODUCT(Monthly!${line_col[i]}${first}:${line_col[i]}${last},{factor_range})"
        for i, line in enumerate(lines) if line.kind == "benefit"
    ) or "0"  # fmt: skip
    plain_c = "+".join(
        f"SUMPRODUCT(Monthly!${line_col[i]}${first}:${line_col[i]}${last},{factor_range})"
        for i, line in enumerate(lines) if line.kind == "cost"
    ) or "0"  # fmt: skip

    def irr(flows: str, metrics) -> str:
        """IRR with the engine's own rate as the guess: Excel's default guess (10 % a
        period) lets Newton's method run off on monthly flows, and with several sign
        changes the guess picks the same root as the engine."""
        rate = metrics.irr
        guess = 0.0 if rate is None else ((1 + rate) ** (1 / 12) - 1 if not year_end else rate)
        inner = f"IRR({flows},{guess!r})"
        formula = f"(1+{inner})^12-1" if not year_end else inner
        return f'=IFERROR({formula},"undefined")'

    adjusted_m, plain_m = result.risk_adjusted.metrics, result.unadjusted.metrics
    rows = [
        ("NPV", f"=SUM({span('pv')})", f"=SUM({span('pv_unadjusted')})", MONEY),
        ("Present value of benefits", f"={benefits_pv}", f"={plain_b}", MONEY),
        ("Present value of costs", f"={costs_pv}", f"={plain_c}", MONEY),
        ("ROI (NPV / PV costs)", '=IF(B7>0,B5/B7,"undefined")', '=IF(C7>0,C5/C7,"undefined")',
         "0.0%"),
        ("IRR (annual)", irr(flow_ranges[0], adjusted_m), irr(flow_ranges[1], plain_m), "0.0%"),
        ("Payback (months)", f"={payback_cells[0]}", f"={payback_cells[1]}", "0.0"),
        ("Discounted payback (months)", f"={payback_cells[2]}", f"={payback_cells[3]}", "0.0"),
        ("Discount rate", "=DISCOUNT_RATE", "=DISCOUNT_RATE", "0.00%"),
    ]  # fmt: skip
    for k, (label, adjusted, plain, number_format) in enumerate(rows):
        r = 5 + k
        summary.cell(row=r, column=1, value=label)
        summary.cell(row=r, column=2, value=adjusted).number_format = number_format
        if plain is not None:
            summary.cell(row=r, column=3, value=plain).number_format = number_format
    summary["A14"] = (
        "Every figure above is a formula: change the discount rate or a risk factor on the"
        " Assumptions sheet and they follow. Money in " + case.currency + "."
    )
    summary["A16"], summary["B16"], summary["C16"], summary["D16"] = (
        "Line item", "Kind", "Evidence", "Source",
    )  # fmt: skip
    for cell in ("A16", "B16", "C16", "D16"):
        summary[cell].font = HEADER_FONT
    for k, line in enumerate(lines):
        r = 17 + k
        _text(summary.cell(row=r, column=1), line.name)
        summary.cell(row=r, column=2, value=line.kind)
        _text(summary.cell(row=r, column=3), line.evidence)
        _text(summary.cell(row=r, column=4), line.source)
    summary.column_dimensions["A"].width = 44
    for col in "BCD":
        summary.column_dimensions[col].width = 20

    for name, ref in (
        ("NPV", "Summary!$B$5"), ("ROI", "Summary!$B$8"), ("IRR", "Summary!$B$9"),
        ("PAYBACK_MONTHS", "Summary!$B$10"), ("DISCOUNT_RATE", rate_ref),
    ):  # fmt: skip
        sheet, cell = ref.split("!")
        book.defined_names[name] = DefinedName(name, attr_text=f"{quote_sheetname(sheet)}!{cell}")
    return book


def _table(sheet, top: int, header: list[str], rows: list[list[Any]], formats=None) -> int:
    """A header and rows from ``top``; text cells written as text; the next free row."""
    for col, title in enumerate(header, start=1):
        sheet.cell(row=top, column=col, value=title).font = HEADER_FONT
    for r, values in enumerate(rows, start=top + 1):
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=col)
            if isinstance(value, str):
                _text(cell, value)
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
        _text(sheet.cell(row=top, column=1), f"{report.name} (hosting model: {report.model})")
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
