"""Every input of a case as a named, typed cell of the workbook's Assumptions sheet.

An input is a number (with the range its field allows), a whole number, a yes/no option
(``TRUE``/``FALSE``), a choice among words (a hosting model, an allowance), or one element
of a list (amounts by year or month, adoption shares by year, observed adoption), a list
being one named range of consecutive cells. Each gets a workbook name derived from its path
in the case, stable from one export to the next:

============================================  ============================================
path                                          name
============================================  ============================================
``discount_rate``                             ``DISCOUNT_RATE``
``annual_volume_growth``                      ``ANNUAL_VOLUME_GROWTH``
``adoption.ceiling``                          ``ADOPTION_CEILING``
``benefits[0].minutes_saved_per_task``        ``BENEFIT1_MINUTES_SAVED_PER_TASK``
``costs[2].provisioned.hourly_price``         ``COST3_PROVISIONED_HOURLY_PRICE``
``costs[1].by_year``                          ``COST2_BY_YEAR`` (a range, one cell a year)
``costs[4].licence.models["gpt"].share``      ``COST5_LICENCE_MODEL1_SHARE`` (model 1: the
                                              first in the case file; its name is the label)
============================================  ============================================

Lines are numbered from 1 within benefits and within costs, as the case file lists them; a
name is the path upper-cased with its dots as underscores, so it never reads as a cell
reference (``BENEFIT1`` would be column BENEFIT, beyond Excel's last column XFD)."""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from typing import Any, Literal

from annotated_types import Ge, Gt, Le, Lt
from openpyxl.worksheet.datavalidation import DataValidation
from pydantic import BaseModel

from roi.core.units import unit_of
from roi.reports.workbook_style import INPUT_FILL, INPUT_FONT, write_text

Kind = Literal["number", "whole", "bool", "choice"]
# Fields that are not inputs of the formulas: words, tags and notes.
_NOT_INPUTS = {"name", "type", "evidence", "source", "note", "warning", "pricing", "unit",
               "curve", "risk"}  # fmt: skip
_WHOLE_LIMIT = 2**31 - 1  # Excel's whole-number validation stops here


@dataclass(frozen=True)
class WorkbookInput:
    """One input cell: ``path`` in the case (``by_year[0]`` for a list's first element),
    the workbook ``name`` (of the whole range for a list element), what it means, its value
    and unit, and the rule its data validation applies."""

    path: str
    name: str
    label: str
    value: float | bool | str
    unit: str
    kind: Kind
    low: float | None = None
    high: float | None = None
    options: tuple[str, ...] = ()
    strict_low: bool = False
    strict_high: bool = False

    @property
    def in_list(self) -> bool:
        return self.path.endswith("]")


def name_of(path: str) -> str:
    """The workbook name of the input at ``path`` (see the module's table).

    >>> name_of("benefits[0].minutes_saved_per_task"), name_of("costs[1].by_year")
    ('BENEFIT1_MINUTES_SAVED_PER_TASK', 'COST2_BY_YEAR')
    >>> name_of("costs[4].licence.models[1].share")
    'COST5_LICENCE_MODEL1_SHARE'
    """
    out = re.sub(
        r"^(benefits|costs)\[(\d+)\]",
        lambda m: f"{m.group(1)[:-1]}{int(m.group(2)) + 1}",
        path,
    )
    out = re.sub(r"\.models\[(\d+)\]", r".model\1", out)  # a licence's models, from 1
    return out.replace(".", "_").upper()


def line_prefix(kind: str, index: int) -> str:
    """``benefits[0]`` as a name's first part: ``BENEFIT1``."""
    return name_of(f"{kind}[{index}]")


def _bounds(metadata) -> dict[str, Any]:
    """The range a field's constraints allow: low, high and whether each is strict."""
    out: dict[str, Any] = {"low": None, "high": None, "strict_low": False, "strict_high": False}
    for rule in metadata:
        if isinstance(rule, Ge):
            out["low"], out["strict_low"] = float(rule.ge), False
        elif isinstance(rule, Gt):
            out["low"], out["strict_low"] = float(rule.gt), True
        elif isinstance(rule, Le):
            out["high"], out["strict_high"] = float(rule.le), False
        elif isinstance(rule, Lt):
            out["high"], out["strict_high"] = float(rule.lt), True
    return out


def _field_metadata(info) -> list:
    """A field's constraints, also when its type is optional (``NonNegative | None``)."""
    out = list(info.metadata)
    for member in typing.get_args(info.annotation):
        for part in typing.get_args(member)[1:]:
            out.extend(getattr(part, "metadata", [part]))
    return out


# Months that must lie inside the horizon (the engine refuses a later one).
_HORIZON_MONTHS = ("start_month", "spread_over_months")


def _element_metadata(annotation) -> list:
    """The constraints on a list's elements (``list[Fraction]`` → ge 0, le 1)."""
    (element,) = typing.get_args(annotation) or (None,)
    out = []
    for part in typing.get_args(element)[1:]:
        out.extend(getattr(part, "metadata", [part]))
    return out


def _choices(owner: BaseModel, field: str) -> tuple[str, ...]:
    """The words a choice field may take here: a hosting model only among the price blocks
    the line has."""
    if field == "model":
        has = {block: getattr(owner, block) is not None for block in ("serverless", "provisioned")}
        options = [m for m in ("serverless", "provisioned") if has[m]]
        return (*options, "cheapest") if len(options) == 2 else tuple(options)
    annotation = type(owner).model_fields[field].annotation
    return tuple(str(a) for a in typing.get_args(annotation))


def _label(owner_label: str, field: str) -> str:
    return f"{owner_label} · {field.replace('_', ' ')}"


def _owner_inputs(case, owner: BaseModel, path: str, label: str) -> list[WorkbookInput]:
    """The inputs of one model (a line item, a price block, the adoption curve)."""
    out: list[WorkbookInput] = []
    for field, info in type(owner).model_fields.items():
        if field in _NOT_INPUTS:
            continue
        value = getattr(owner, field)
        where = f"{path}.{field}" if path else field
        if isinstance(value, BaseModel):
            out += _owner_inputs(case, value, where, f"{label} · {field}")
        elif isinstance(value, dict):  # a licence's model mix: one share and price each
            for k, (model, price) in enumerate(value.items(), start=1):
                out += _owner_inputs(case, price, f"{where}[{k}]", f"{label} · model {model}")
        elif isinstance(value, bool):
            out.append(
                WorkbookInput(where, name_of(where), _label(label, field), value, "yes/no", "bool")
            )
        elif isinstance(value, str):
            options = _choices(owner, field)
            out.append(
                WorkbookInput(
                    where,
                    name_of(where),
                    _label(label, field),
                    value,
                    "choice",
                    "choice",
                    options=options,
                )
            )
        elif isinstance(value, list):
            bounds = _bounds(_element_metadata(info.annotation))
            for k, element in enumerate(value):
                out.append(
                    WorkbookInput(
                        f"{where}[{k}]", name_of(where),
                        f"{_label(label, field)} · {k + 1}", float(element),
                        unit_of(case, where), "number", **bounds,
                    )
                )  # fmt: skip
        elif isinstance(value, int | float):
            bounds = _bounds(_field_metadata(info))
            if field in _HORIZON_MONTHS:
                bounds["high"] = float(12 * case.horizon_years)
            out.append(
                WorkbookInput(
                    where, name_of(where), _label(label, field), value,
                    unit_of(case, where), "whole" if isinstance(value, int) else "number",
                    **bounds,
                )
            )  # fmt: skip
    return out


def case_inputs(case) -> list[WorkbookInput]:
    """Every input of ``case`` in case order: its rates, the adoption curve's parameters,
    then each benefit's and each cost's (risk factors apart: they have rows of their own)."""
    fields = type(case).model_fields
    out = [
        WorkbookInput(field, name_of(field), label, getattr(case, field), "per year (fraction)",
                      "number", **_bounds(_field_metadata(fields[field])))
        for field, label in (("discount_rate", "discount rate (annual)"),
                             ("annual_volume_growth", "annual volume growth"))
    ]  # fmt: skip
    if case.adoption is not None:
        out += _owner_inputs(case, case.adoption, "adoption", f"adoption ({case.adoption.curve})")
    for kind in ("benefits", "costs"):
        for index, item in enumerate(getattr(case, kind)):
            out += _owner_inputs(case, item, f"{kind}[{index}]", item.name)
    return out


# --- Data validation ------------------------------------------------------------------------


def validation_key(item: WorkbookInput) -> tuple[Any, ...]:
    """What decides an input's data validation (inputs with the same rule share one)."""
    return (item.kind, item.low, item.high, item.strict_low, item.strict_high, item.options)


def _custom(kind, low, high, strict_low, strict_high) -> bool:
    """Whether a rule needs a formula: a strict bound, or a whole number beyond Excel's
    whole-number validation."""
    return strict_low or strict_high or (kind == "whole" and (high or 0) > _WHOLE_LIMIT)


def _custom_rules(kind, low, high, strict_low, strict_high, refs) -> list[DataValidation]:
    """One formula rule per cell (a formula rule is relative to its first cell)."""
    out = []
    for ref in refs:
        parts = [f"ISNUMBER({ref})"]
        words = []
        if low is not None:
            parts.append(f"{ref}{'>' if strict_low else '>='}{low!r}")
            words.append(f"{'above' if strict_low else 'at least'} {low:g}")
        if high is not None:
            parts.append(f"{ref}{'<' if strict_high else '<='}{high!r}")
            words.append(f"{'below' if strict_high else 'at most'} {high:g}")
        if kind == "whole":
            parts.append(f"{ref}=INT({ref})")
        rule = DataValidation(type="custom", formula1="AND(" + ",".join(parts) + ")")
        noun = "a whole number" if kind == "whole" else "a number"
        rule.error = f"Expected {noun} " + " and ".join(words) + "."
        rule.errorTitle, rule.showErrorMessage, rule.sqref = "Input", True, ref
        out.append(rule)
    return out


def data_validations(cells: dict[tuple[Any, ...], list[str]]) -> list[DataValidation]:
    """One data validation per rule, over the cells (``B7``) that follow it."""
    out = []
    for (kind, low, high, strict_low, strict_high, options), refs in cells.items():
        if kind in ("number", "whole") and _custom(kind, low, high, strict_low, strict_high):
            out += _custom_rules(kind, low, high, strict_low, strict_high, refs)
            continue
        if kind == "bool":
            rule = DataValidation(type="list", formula1='"TRUE,FALSE"', allow_blank=False)
            text = "TRUE or FALSE"
        elif kind == "choice":
            rule = DataValidation(type="list", formula1='"' + ",".join(options) + '"')
            text = "one of " + ", ".join(options)
        else:
            kind_name = "whole" if kind == "whole" else "decimal"
            if low is not None and high is not None:
                rule = DataValidation(type=kind_name, operator="between",
                                      formula1=repr(low), formula2=repr(high))  # fmt: skip
                text = f"a number from {low:g} to {high:g}"
            elif low is not None:
                rule = DataValidation(
                    type=kind_name, operator="greaterThanOrEqual", formula1=repr(low)
                )
                text = f"a number at least {low:g}"
            else:
                continue
            if kind == "whole":
                text = text.replace("a number", "a whole number")
        rule.error, rule.errorTitle, rule.showErrorMessage = f"Expected {text}.", "Input", True
        rule.sqref = " ".join(refs)
        out.append(rule)
    return out


# --- The Assumptions rows -------------------------------------------------------------------


def input_rows(sheet, case, row: int, evidence) -> tuple[dict[str, str], int]:
    """Every input but the discount rate from ``row``: label, value (styled as an input,
    validated), unit, evidence, source and path. The workbook names they get (a list's name
    covers its cells) with their absolute references, and the next free row."""
    names: dict[str, str] = {}
    spans: dict[str, list[int]] = {}
    rules: dict[tuple[Any, ...], list[str]] = {}
    for item in case_inputs(case):
        if item.path == "discount_rate":
            continue
        tier, source = evidence(case, item.path)
        write_text(sheet.cell(row=row, column=1), item.label)
        cell = sheet.cell(row=row, column=2)
        if isinstance(item.value, str):
            write_text(cell, item.value)
        else:
            cell.value = item.value
        cell.fill, cell.font = INPUT_FILL, INPUT_FONT
        if item.unit in ("fraction", "per year (fraction)"):
            cell.number_format = "0.00%"
        write_text(sheet.cell(row=row, column=3), item.unit)
        write_text(sheet.cell(row=row, column=4), tier)
        write_text(sheet.cell(row=row, column=5), source)
        write_text(sheet.cell(row=row, column=6), item.path)
        write_text(sheet.cell(row=row, column=7), item.name)
        if item.in_list:
            spans.setdefault(item.name, []).append(row)
        else:
            names[item.name] = f"Assumptions!$B${row}"
        rules.setdefault(validation_key(item), []).append(f"B{row}")
        row += 1
    for name, rows in spans.items():
        names[name] = f"Assumptions!$B${rows[0]}:$B${rows[-1]}"
    for rule in data_validations(rules):
        sheet.add_data_validation(rule)
    return names, row
