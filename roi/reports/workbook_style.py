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
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")  # the Monthly sheet's long titles
MONEY = "#,##0.00;[Red]-#,##0.00"


def write_text(cell, value: Any) -> None:
    """Write user text as text: a leading ``=`` (or +, -, @, tab, CR) stays characters;
    control characters a workbook cannot hold are dropped."""
    cell.value = None if value is None else ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if cell.value is not None:
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_START):
            cell.quotePrefix = True
