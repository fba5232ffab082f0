"""The sheets of the business case proper, written by
:func:`roi.reports.workbook.build_workbook` (which documents what each holds and the
conventions in its formulas): Assumptions, Monthly, Annual, Payback and Summary; the cell
references one sheet hands to the next; and the styles and the text rule every sheet of the
workbook shares."""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from roi.core.engine import CaseResult
from roi.io.formatting import IRR_CAP, IRR_CAP_TEXT
from roi.reports.workbook_formulas import Row, adoption_formula, line_formula
from roi.reports.workbook_inputs import input_rows, line_prefix
from roi.reports.workbook_style import (
    FIXED_FONT,
    HEADER_ALIGNMENT,
    HEADER_FONT,
    INPUT_FILL,
    INPUT_FONT,
    MONEY,
    TITLE_FONT,
    TOP,
    WARNING_FONT,
    wrap_across,
    wrap_in_cell,
    write_text,
)


def _evidence(case, path: str) -> tuple[str, str | None]:
    """An input's evidence tier and source: its line item's, the adoption curve's when it is
    measured, else assumed with none."""
    parts = path.split(".")
    if parts[0].startswith(("benefits", "costs")):
        kind, index = parts[0].split("[")
        item = getattr(case, kind)[int(index.rstrip("]"))]
        return item.evidence, item.source
    if parts[0] == "adoption" and case.adoption is not None and case.adoption.curve == "measured":
        return "measured", case.adoption.source
    return "assumed", None


@dataclass(frozen=True)
class InputCells:
    """Where the Assumptions sheet put the live inputs, as absolute references."""

    rate: str  # the annual discount rate, e.g. ``Assumptions!$B$5``
    risks: tuple[str, ...]  # each line item's risk factor, in the order of ``result.lines``
    names: dict[str, str]  # every input's workbook name and its absolute reference


@dataclass(frozen=True)
class ScheduleColumns:
    """Where the Monthly sheet put its columns: one row a period, ``first`` to ``last``."""

    first: int
    last: int
    lines: tuple[str, ...]  # column letter of each line item's amounts
    columns: dict[str, str]  # column letter of each derived figure, by key
    benefits: tuple[int, ...]  # indexes of the benefit lines, in line order
    costs: tuple[int, ...]  # indexes of the cost lines

    def span(self, key: str) -> str:
        """The absolute range of a derived column, e.g. ``Monthly!$P$2:$P$61``."""
        letter = self.columns[key]
        return f"Monthly!${letter}${self.first}:${letter}${self.last}"

    def line_span(self, i: int) -> str:
        """The absolute range of line item ``i``'s amounts."""
        letter = self.lines[i]
        return f"Monthly!${letter}${self.first}:${letter}${self.last}"

    @property
    def years(self) -> str:
        """The range of each period's year (0 for the initial period)."""
        return f"Monthly!$C${self.first}:$C${self.last}"


@dataclass(frozen=True)
class PaybackCells:
    """Where the Payback sheet put its results, one per flow of ``PAYBACK_FLOWS``."""

    cells: tuple[str, ...]  # the payback (months, or "never") of each flow
    flows: tuple[str, ...]  # the range of each flow, the periods the IRR is taken over


_MONTHLY_HEADER = ("Period", "Date", "Year", "Adoption")  # then one column a line item
_MONTHLY_FIGURES = (
    "Benefits (risk-adjusted)", "Costs (risk-adjusted)", "Net (risk-adjusted)",
    "Net (unadjusted)", "Discount factor", "Present value (risk-adjusted)",
    "Cumulative net (risk-adjusted)", "Cumulative present value (risk-adjusted)",
    "Present value (unadjusted)",
)  # fmt: skip
_MONTHLY_KEYS = ("benefits", "costs", "net", "net_unadjusted", "factor", "pv", "cumulative",
                 "cumulative_pv", "pv_unadjusted")  # fmt: skip
# The flows paid back on, side by side on the Payback sheet: (title, Monthly column key).
PAYBACK_FLOWS = (
    ("Net (risk-adjusted)", "net"), ("Net (unadjusted)", "net_unadjusted"),
    ("Present value (risk-adjusted)", "pv"), ("Present value (unadjusted)", "pv_unadjusted"),
)  # fmt: skip
_PAYBACK_TOP = 6  # the Payback sheet's row of the first period


def _header_row(sheet, row: int, titles) -> None:
    """``titles`` in bold across ``row`` from column A."""
    for col, title in enumerate(titles, start=1):
        sheet.cell(row=row, column=col, value=title).font = HEADER_FONT


# --- Assumptions ----------------------------------------------------------------------------


def assumptions_sheet(sheet, result: CaseResult) -> InputCells:
    """Every input with its unit, evidence and source; the discount rate and the risk
    factors styled as the input cells the formulas read."""
    case = result.case
    write_text(sheet["A1"], f"Assumptions: {case.name}")
    sheet["A1"].font = TITLE_FONT
    sheet["A2"] = (
        "Yellow cells are the inputs: every monthly amount, the schedule's discounting and risk"
        " adjustment and every headline figure are formulas of them. Each has the workbook"
        " name in column G (use it in your own formulas); grey italic cells are settings the"
        " layout is built for. The Checks sheet compares the workbook's figures with the"
        " engine's."
    )
    if case.warnings:  # a line whose value its evidence does not support
        write_text(sheet["A3"], "Warning: " + " · ".join(case.warnings))
        sheet["A3"].font = WARNING_FONT
    _header_row(sheet, 4, ["Input", "Value", "Unit", "Evidence", "Source", "Path", "Name"])
    rate = _discount_rate_row(sheet, case, 5)
    row = _case_settings_rows(sheet, case, 6) + 1
    sheet.cell(row=row, column=1, value="Risk factor of each line item (ρ)").font = HEADER_FONT
    risks, row = _risk_factor_rows(sheet, result.lines, row + 1)
    row += 1
    title = sheet.cell(
        row=row, column=1, value="Driver inputs (the schedule's amounts are formulas of them)"
    )
    title.font = HEADER_FONT
    names, _ = input_rows(sheet, case, row + 1, _evidence)
    names["DISCOUNT_RATE"] = rate
    for ref, prefix in zip(risks, line_prefixes(result.lines), strict=True):
        names[f"{prefix}_RISK"] = ref
    for col, width in zip("ABCDEFG", (52, 16, 20, 12, 40, 44, 40), strict=True):
        sheet.column_dimensions[col].width = width
    wrap_across(sheet, 2, "G", 224)
    if case.warnings:
        wrap_across(sheet, 3, "G", 224)
    return InputCells(rate=rate, risks=risks, names=names)


def line_keys(lines) -> list[tuple[str, int]]:
    """Each line's list and place in it: ``("benefits", 0)`` for the first benefit."""
    counts = {"benefit": 0, "cost": 0}
    out = []
    for line in lines:
        out.append(("benefits" if line.kind == "benefit" else "costs", counts[line.kind]))
        counts[line.kind] += 1
    return out


def line_prefixes(lines) -> list[str]:
    """Each line's name prefix: ``BENEFIT1`` for the first benefit, ``COST2`` the second cost."""
    return [line_prefix(kind, index) for kind, index in line_keys(lines)]


def _discount_rate_row(sheet, case, row: int) -> str:
    """The discount rate as an input cell; its absolute reference."""
    sheet.cell(row=row, column=1, value="Discount rate (annual)")
    cell = sheet.cell(row=row, column=2, value=case.discount_rate)
    cell.fill, cell.font, cell.number_format = INPUT_FILL, INPUT_FONT, "0.00%"
    sheet.cell(row=row, column=3, value="per year (fraction)")
    sheet.cell(row=row, column=4, value="assumed")
    sheet.cell(row=row, column=6, value="discount_rate")
    sheet.cell(row=row, column=7, value="DISCOUNT_RATE")
    return f"Assumptions!$B${row}"


# The settings the sheets' layout is built for: a cell of each, but not an input.
FIXED_AT_EXPORT = (
    "fixed when the file was written: the sheets' periods, discount factors and annual"
    " columns are laid out for it; change it in the case and export again"
)


def _case_settings_rows(sheet, case, row: int) -> int:
    """Discounting, currency, start and horizon from ``row``, marked as fixed (grey italic,
    not yellow, with the reason in the Source column); the next free row."""
    for label, value, unit in (
        ("Discounting", case.discounting, "monthly or year_end"),
        ("Currency", case.currency, "ISO 4217 code"), ("Start", case.start, "YYYY-MM"),
        ("Horizon (years)", case.horizon_years, "years"),
    ):  # fmt: skip
        sheet.cell(row=row, column=1, value=label)
        cell = sheet.cell(row=row, column=2)
        if isinstance(value, str):
            write_text(cell, value)
        else:
            cell.value = value
        cell.font = FIXED_FONT
        sheet.cell(row=row, column=3, value=unit)
        write_text(sheet.cell(row=row, column=4), "setting")
        source = sheet.cell(row=row, column=5, value=FIXED_AT_EXPORT)
        source.font = FIXED_FONT
        row += 1
    return row


def _risk_factor_rows(sheet, lines, row: int) -> tuple[tuple[str, ...], int]:
    """Each line item's risk factor as an input cell from ``row``: their absolute references
    and the next free row."""
    refs = []
    for line, (plural, number) in zip(lines, line_keys(lines), strict=True):
        write_text(sheet.cell(row=row, column=1), f"{line.name} · risk")
        cell = sheet.cell(row=row, column=2, value=line.risk)
        cell.fill, cell.font, cell.number_format = INPUT_FILL, INPUT_FONT, "0%"
        sheet.cell(row=row, column=3, value="fraction")
        write_text(sheet.cell(row=row, column=4), line.evidence)
        write_text(sheet.cell(row=row, column=5), line.source)
        sheet.cell(row=row, column=6, value=f"{plural}[{number}].risk")
        sheet.cell(row=row, column=7, value=f"{line_prefix(plural, number)}_RISK")
        refs.append(f"Assumptions!$B${row}")
        row += 1
    risk_rule = DataValidation(type="decimal", operator="between", formula1="0", formula2="0.9")
    risk_rule.error, risk_rule.showErrorMessage = "Expected a number from 0 to 0.9.", True
    risk_rule.sqref = " ".join(ref.split("!")[1].replace("$", "") for ref in refs)
    if refs:
        sheet.add_data_validation(risk_rule)
    return tuple(refs), row


# --- Monthly --------------------------------------------------------------------------------


def monthly_sheet(
    sheet, result: CaseResult, inputs: InputCells, workings: dict[int, dict[str, str]]
) -> ScheduleColumns:
    """The schedule: a row a period, everything a formula (adoption and each line's amount
    of the Assumptions sheet's inputs, ``workings`` the Workings columns of line i)."""
    lines = result.lines
    n_lines = len(lines)
    for col, title in enumerate([*_MONTHLY_HEADER, *(line.name for line in lines),
                                 *_MONTHLY_FIGURES], start=1):  # fmt: skip
        cell = sheet.cell(row=1, column=col)
        write_text(cell, title)
        cell.font = HEADER_FONT
        cell.alignment = HEADER_ALIGNMENT
    schedule = ScheduleColumns(
        first=2,
        last=2 + result.timeline.periods - 1,
        lines=tuple(get_column_letter(5 + i) for i in range(n_lines)),
        columns={key: get_column_letter(5 + n_lines + k) for k, key in enumerate(_MONTHLY_KEYS)},
        benefits=tuple(i for i, line in enumerate(lines) if line.kind == "benefit"),
        costs=tuple(i for i, line in enumerate(lines) if line.kind == "cost"),
    )
    dates = result.timeline.dates()
    years = result.timeline.year_of_period
    case = result.case
    items = [*((("benefits", k), item) for k, item in enumerate(case.benefits)),
             *((("costs", k), item) for k, item in enumerate(case.costs))]  # fmt: skip
    for k in range(result.timeline.periods):
        r = schedule.first + k
        row = Row(r, schedule.first)
        sheet.cell(row=r, column=1, value=k)
        sheet.cell(row=r, column=2, value=dates[k]).number_format = "yyyy-mm-dd"
        sheet.cell(row=r, column=3, value=int(years[k]))
        sheet.cell(row=r, column=4, value=adoption_formula(case, row)).number_format = "0.0%"
        for i, ((kind, index), item) in enumerate(items):
            formula = line_formula(kind, index, item, row, workings.get(i, {}))
            sheet.cell(row=r, column=5 + i, value=formula).number_format = MONEY
        _monthly_formulas(sheet, schedule, inputs, r, result.case.discounting)
    sheet.freeze_panes = "E2"
    for col in range(1, 5 + n_lines + len(_MONTHLY_FIGURES)):
        sheet.column_dimensions[get_column_letter(col)].width = 16
    return schedule


def _monthly_formulas(
    sheet, schedule: ScheduleColumns, inputs: InputCells, r: int, discounting
) -> None:
    """Row ``r``'s risk-adjusted and unadjusted flows, discount factor, present values and
    cumulative sums."""
    c, line, risks = schedule.columns, schedule.lines, inputs.risks
    benefit_terms = [f"{line[i]}{r}*(1-{risks[i]})" for i in schedule.benefits]
    cost_terms = [f"{line[i]}{r}*(1+{risks[i]})" for i in schedule.costs]
    plain_benefits = [f"{line[i]}{r}" for i in schedule.benefits]
    plain_costs = [f"{line[i]}{r}" for i in schedule.costs]
    sheet[f"{c['benefits']}{r}"] = "=" + ("+".join(benefit_terms) or "0")
    sheet[f"{c['costs']}{r}"] = "=" + ("+".join(cost_terms) or "0")
    sheet[f"{c['net']}{r}"] = f"={c['benefits']}{r}-{c['costs']}{r}"
    sheet[f"{c['net_unadjusted']}{r}"] = (
        "=(" + ("+".join(plain_benefits) or "0") + ")-(" + ("+".join(plain_costs) or "0") + ")"
    )
    exponent = f"A{r}/12" if discounting == "monthly" else f"C{r}"
    sheet[f"{c['factor']}{r}"] = f"=(1+DISCOUNT_RATE)^(-{exponent})"
    sheet[f"{c['pv']}{r}"] = f"={c['net']}{r}*{c['factor']}{r}"
    sheet[f"{c['pv_unadjusted']}{r}"] = f"={c['net_unadjusted']}{r}*{c['factor']}{r}"
    first = r == schedule.first
    sheet[f"{c['cumulative']}{r}"] = (
        f"={c['net']}{r}" if first else f"={c['cumulative']}{r - 1}+{c['net']}{r}"
    )
    sheet[f"{c['cumulative_pv']}{r}"] = (
        f"={c['pv']}{r}" if first else f"={c['cumulative_pv']}{r - 1}+{c['pv']}{r}"
    )
    for key in _MONTHLY_KEYS:
        if key != "factor":
            sheet[f"{c[key]}{r}"].number_format = MONEY
    sheet[f"{c['factor']}{r}"].number_format = "0.000000"


# --- Annual ---------------------------------------------------------------------------------


def annual_sheet(sheet, result: CaseResult, schedule: ScheduleColumns, inputs: InputCells) -> None:
    """The TEI table: each line by year, totals of benefits and costs, and the net flow."""
    horizon = result.case.horizon_years
    _header_row(sheet, 1, ["Line", "Type", "Evidence", "Risk", "Initial",
                           *(f"Year {y}" for y in range(1, horizon + 1)),
                           "Total", "Present value"])  # fmt: skip
    row = 2
    totals = {}
    for kind, indexes in (("benefit", schedule.benefits), ("cost", schedule.costs)):
        line_rows = []
        for i in indexes:
            _annual_line_row(sheet, row, result.lines[i], schedule.line_span(i), schedule,
                             inputs.risks[i], horizon)  # fmt: skip
            line_rows.append(row)
            row += 1
        label = "Total benefits" if kind == "benefit" else "Total costs"
        sheet.cell(row=row, column=1, value=label).font = HEADER_FONT
        for col in range(5, 8 + horizon):
            letter = get_column_letter(col)
            formula = "=" + ("+".join(f"{letter}{x}" for x in line_rows) or "0")
            sheet.cell(row=row, column=col, value=formula).number_format = MONEY
        totals[kind] = row
        row += 1
    sheet.cell(row=row, column=1, value="Net cash flow").font = HEADER_FONT
    for col in range(5, 8 + horizon):
        letter = get_column_letter(col)
        sheet.cell(
            row=row, column=col,
            value=f"={letter}{totals['benefit']}-{letter}{totals['cost']}",
        ).number_format = MONEY  # fmt: skip
    sheet.column_dimensions["A"].width = 44
    for col in range(2, 8 + horizon):
        sheet.column_dimensions[get_column_letter(col)].width = 15


def _annual_line_row(sheet, row: int, line, amounts: str, schedule: ScheduleColumns, risk: str,
                     horizon: int) -> None:  # fmt: skip
    """One line item's risk-adjusted amounts by year (Initial, Year 1..H), total and present
    value, summed from its Monthly column ``amounts``."""
    sign = "1-" if line.kind == "benefit" else "1+"
    write_text(sheet.cell(row=row, column=1), line.name)
    write_text(sheet.cell(row=row, column=2), line.type)
    write_text(sheet.cell(row=row, column=3), line.evidence)
    sheet.cell(row=row, column=4, value=f"={risk}").number_format = "0%"
    for y in range(0, horizon + 1):
        sheet.cell(
            row=row, column=5 + y,
            value=f"=SUMIF({schedule.years},{y},{amounts})*({sign}{risk})",
        ).number_format = MONEY  # fmt: skip
    sheet.cell(
        row=row, column=6 + horizon,
        value=f"=SUM({get_column_letter(5)}{row}:{get_column_letter(5 + horizon)}{row})",
    ).number_format = MONEY  # fmt: skip
    sheet.cell(
        row=row, column=7 + horizon,
        value=f"=SUMPRODUCT({amounts},{schedule.span('factor')})*({sign}{risk})",
    ).number_format = MONEY  # fmt: skip


# --- Payback --------------------------------------------------------------------------------
# Four blocks side by side, one per flow of PAYBACK_FLOWS; monthly flows for a ``monthly``
# case, annual ones (Initial, Year 1..H) for ``year_end``.


def payback_sheet(sheet, result: CaseResult, schedule: ScheduleColumns) -> PaybackCells:
    """The payback of each flow, interpolated within the period after the last one whose
    cumulative flow is negative (in months)."""
    year_end = result.case.discounting == "year_end"
    count = result.case.horizon_years + 1 if year_end else result.timeline.periods
    sheet["A5"] = "Period"
    sheet["A5"].font = HEADER_FONT
    sheet["A2"], sheet["A3"], sheet["A4"] = "Tolerance", "Last negative period", "Payback"
    cells, flows = [], []
    for b, (title, key) in enumerate(PAYBACK_FLOWS):
        flow = get_column_letter(2 + 3 * b)
        _payback_block(sheet, b, title, key, schedule, count, year_end)
        cells.append(f"Payback!{flow}4")
        flows.append(f"Payback!${flow}${_PAYBACK_TOP}:${flow}${_PAYBACK_TOP + count - 1}")
    return PaybackCells(cells=tuple(cells), flows=tuple(flows))


def _payback_block(sheet, b: int, title: str, key: str, schedule: ScheduleColumns, count: int,
                   year_end: bool) -> None:  # fmt: skip
    """Block ``b``: the flow, its cumulative sum and the negative periods over ``count``
    periods, then the tolerance, the last negative period and the payback in rows 2 to 4."""
    f, cu, ng = (get_column_letter(2 + 3 * b + k) for k in range(3))
    data, last_row = _PAYBACK_TOP, _PAYBACK_TOP + count - 1
    sheet[f"{f}1"] = title
    sheet[f"{f}1"].font = HEADER_FONT
    sheet[f"{f}5"], sheet[f"{cu}5"], sheet[f"{ng}5"] = (
        "Flow", "Cumulative", "Negative? (period, else -1)",
    )  # fmt: skip
    for k in range(count):
        r = data + k
        if year_end:
            flow = f"=SUMIF({schedule.years},{k},{schedule.span(key)})"
        else:
            flow = f"=Monthly!{schedule.columns[key]}{schedule.first + k}"
        sheet[f"{f}{r}"] = flow
        sheet[f"{f}{r}"].number_format = MONEY
        sheet[f"{cu}{r}"] = f"={f}{r}" if k == 0 else f"={cu}{r - 1}+{f}{r}"
        sheet[f"{ng}{r}"] = f"=IF({cu}{r}<-{f}$2,$A{r},-1)"
    for k in range(count):
        sheet[f"A{data + k}"] = k
    unit = 12 if year_end else 1
    sheet[f"{f}2"] = f"=1E-12*SUMPRODUCT(ABS({f}{data}:{f}{last_row}))"
    sheet[f"{f}3"] = f"=MAX({ng}{data}:{ng}{last_row})"
    sheet[f"{f}4"] = (
        f'=IF({f}3<0,0,IF({f}3={count - 1},"never",'
        f"({f}3+(-INDEX({cu}{data}:{cu}{last_row},{f}3+1)"
        f"/INDEX({f}{data}:{f}{last_row},{f}3+2)))*{unit}))"
    )


# --- Summary --------------------------------------------------------------------------------


def summary_sheet(
    sheet, result: CaseResult, schedule: ScheduleColumns, paybacks: PaybackCells
) -> None:
    """The headline figures as formulas, risk-adjusted and unadjusted, and each line item's
    evidence."""
    case = result.case
    write_text(sheet["A1"], case.name)
    sheet["A1"].font = TITLE_FONT
    write_text(sheet["A2"], case.description or "")
    _header_row(sheet, 4, ["Figure", "Risk-adjusted", "Unadjusted"])
    for k, (label, adjusted, plain, number_format) in enumerate(
        _headline_rows(result, schedule, paybacks)
    ):
        r = 5 + k
        sheet.cell(row=r, column=1, value=label)
        sheet.cell(row=r, column=2, value=adjusted).number_format = number_format
        if plain is not None:
            sheet.cell(row=r, column=3, value=plain).number_format = number_format
    sheet["A14"] = (
        "Every figure above is a formula of the Monthly sheet, and every monthly amount a"
        " formula of the inputs: change any yellow cell on the Assumptions sheet and they"
        " follow (the Checks sheet then shows how far from the engine's). Money in "
        + case.currency
        + "."
    )
    _header_row(sheet, 16, ["Line item", "Kind", "Evidence", "Source"])
    for k, line in enumerate(result.lines):
        r = 17 + k
        write_text(sheet.cell(row=r, column=1), line.name)
        sheet.cell(row=r, column=2, value=line.kind)
        write_text(sheet.cell(row=r, column=3), line.evidence)
        source = sheet.cell(row=r, column=4)
        write_text(source, line.source)
        wrap_in_cell(source, 90)
        for col in (1, 2, 3):
            sheet.cell(row=r, column=col).alignment = TOP
    sheet.column_dimensions["A"].width = 44
    for col in "BC":
        sheet.column_dimensions[col].width = 20
    sheet.column_dimensions["D"].width = 90
    for row in (2, 14):
        wrap_across(sheet, row, "D", 174)


def _headline_rows(result: CaseResult, schedule: ScheduleColumns, paybacks: PaybackCells) -> list:
    """(label, risk-adjusted formula, unadjusted formula, number format) of rows 5 to 12;
    ROI refers to rows 5 and 7, so their order is fixed."""
    year_end = result.case.discounting == "year_end"
    factor = schedule.span("factor")
    plain_b, plain_c = (
        "+".join(f"SUMPRODUCT({schedule.line_span(i)},{factor})" for i in indexes) or "0"
        for indexes in (schedule.benefits, schedule.costs)
    )
    adjusted_m, plain_m = result.risk_adjusted.metrics, result.unadjusted.metrics
    pay, flows = paybacks.cells, paybacks.flows
    return [
        ("NPV", f"=SUM({schedule.span('pv')})", f"=SUM({schedule.span('pv_unadjusted')})",
         MONEY),
        ("Present value of benefits", f"=SUMPRODUCT({schedule.span('benefits')},{factor})",
         f"={plain_b}", MONEY),
        ("Present value of costs", f"=SUMPRODUCT({schedule.span('costs')},{factor})",
         f"={plain_c}", MONEY),
        ("ROI (NPV / PV costs)", '=IF(B7>0,B5/B7,"undefined")', '=IF(C7>0,C5/C7,"undefined")',
         "0.0%"),
        ("IRR (annual)", _irr_formula(flows[0], adjusted_m.irr, year_end),
         _irr_formula(flows[1], plain_m.irr, year_end), "0.0%"),
        ("Payback (months)", f"={pay[0]}", f"={pay[1]}", "0.0"),
        ("Discounted payback (months)", f"={pay[2]}", f"={pay[3]}", "0.0"),
        ("Discount rate", "=DISCOUNT_RATE", "=DISCOUNT_RATE", "0.00%"),
    ]  # fmt: skip


def _irr_formula(flows: str, engine_irr: float | None, year_end: bool) -> str:
    """IRR with the engine's own rate as the guess: Excel's default guess (10 % a period)
    lets Newton's method run off on monthly flows, and with several sign changes the guess
    picks the same root as the engine. Monthly flows' IRR is annualised, (1 + irr)^12 − 1.
    Above :data:`~roi.io.formatting.IRR_CAP` the cell reads "> 1,000%", as every view does."""
    rate = engine_irr
    guess = 0.0 if rate is None else ((1 + rate) ** (1 / 12) - 1 if not year_end else rate)
    inner = f"IRR({flows},{guess!r})"
    formula = f"(1+{inner})^12-1" if not year_end else inner
    capped = f'IF({formula}>{IRR_CAP!r},"{IRR_CAP_TEXT}",{formula})'
    return f'=IFERROR({capped},"undefined")'


def define_names(book: Workbook, inputs: InputCells) -> None:
    """The workbook names of the headline figures and of every input."""
    for name, ref in (
        ("NPV", "Summary!$B$5"), ("ROI", "Summary!$B$8"), ("IRR", "Summary!$B$9"),
        ("PAYBACK_MONTHS", "Summary!$B$10"), *inputs.names.items(),
    ):  # fmt: skip
        sheet, cell = ref.split("!")
        book.defined_names[name] = DefinedName(name, attr_text=f"{quote_sheetname(sheet)}!{cell}")
