"""The styles every sheet of the workbook shares, and the rule for writing user text."""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill

from roi.reports.exports import FORMULA_START

WARNING_FONT = Font(bold=True, color="9C0006")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # the usual "input cell" yellow
INPUT_FONT = Font(color="1F4E79", bold=True)
HEADER_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
FIXED_FONT = Font(color="595959", italic=True)  # a setting the layout is built for
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")  # the Monthly sheet's long titles
TOP = Alignment(vertical="top")  # a row's cells beside a wrapped one
MONEY = "#,##0.00;[Red]-#,##0.00"


def write_text(cell, value: Any) -> None:
    """Write user text as text: a leading ``=`` (or +, -, @, tab, CR) stays characters;
    control characters a workbook cannot hold are dropped."""
    cell.value = None if value is None else ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if cell.value is not None:
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_START):
            cell.quotePrefix = True


def print_to_page_width(sheet) -> None:
    """Printed (or saved as PDF) landscape, every column on the page's width and as many
    pages down as it takes, so a row is never cut from its figures."""
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0


def wrap_across(sheet, row: int, last_column: str, widths: float) -> None:
    """Column A's text of ``row`` wrapped within columns A to ``last_column`` (``widths``
    characters together), the row tall enough for it: a long note then neither runs past
    the table on screen nor widens the printed page."""
    sheet.merge_cells(f"A{row}:{last_column}{row}")
    wrap_in_cell(sheet[f"A{row}"], widths)


def wrap_in_cell(cell, width: float) -> None:
    """The cell's text wrapped within its ``width`` (characters), its row at least as tall
    as the lines need (spreadsheets do not grow a row for wrapped text of a written file)."""
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    lines = max(-(-len(str(cell.value or "")) // max(int(width * 1.1), 1)), 1)
    rows = cell.parent.row_dimensions[cell.row]
    rows.height = max(rows.height or 0, 15 * lines)
