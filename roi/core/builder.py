"""Editing a case as tables: one table of line items per driver, and back to a case.

The case builder shows each driver's line items as a table whose columns come from the
driver's model (so they cannot drift from the case-file format), lets people edit cells, and
rebuilds the case with :func:`build_case`, which maps every validation problem back to the
table, row and column it belongs to.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from roi.core.case import BusinessCase
from roi.core.casefile import parse_case
from roi.core.drivers.base import LineItemBase
from roi.core.drivers.benefits import BENEFIT_DRIVERS
from roi.core.drivers.costs import COST_DRIVERS
from roi.io.problems import CaseError

ListKind = Literal["benefits", "costs"]
TableKey = tuple[ListKind, str]
DRIVERS: dict[ListKind, dict[str, type[BaseModel]]] = {
    "benefits": BENEFIT_DRIVERS,
    "costs": COST_DRIVERS,
}
ColumnKind = Literal["text", "number", "integer", "boolean", "choice", "numbers"]


@dataclass(frozen=True)
class Column:
    """One editable column of a driver table."""

    name: str
    kind: ColumnKind
    required: bool
    default: Any
    choices: tuple[str, ...] = ()


def _kind(annotation: Any) -> tuple[ColumnKind, tuple[str, ...]]:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _kind(args[0])
    if origin in (typing.Union, types.UnionType):
        return _kind(next(arg for arg in args if arg is not type(None)))
    if origin is Literal:
        return "choice", tuple(str(arg) for arg in args)
    if origin is list:
        return "numbers", ()
    if annotation is bool:
        return "boolean", ()
    if annotation is int:
        return "integer", ()
    if annotation is float:
        return "number", ()
    return "text", ()


def driver_columns(kind: ListKind, driver: str) -> list[Column]:
    """The columns of a driver's table: ``name``, the driver's own inputs in model order,
    then risk, evidence, source and note (never ``type``)."""
    model = DRIVERS[kind][driver]
    common = [name for name in LineItemBase.model_fields if name != "name"]
    order = [name for name in model.model_fields if name not in common] + common
    columns = []
    for name in order:
        info = model.model_fields[name]
        if name == "type":
            continue
        block = _block_model(info.annotation)
        if block is not None:  # a nested block (e.g. prices): one column per field
            for sub, sub_info in block.model_fields.items():
                column_kind, choices = _kind(sub_info.annotation)
                default = (
                    None
                    if sub_info.is_required()
                    else sub_info.get_default(call_default_factory=True)
                )
                columns.append(Column(f"{name}.{sub}", column_kind, False, default, choices))
            continue
        column_kind, choices = _kind(info.annotation)
        default = None if info.is_required() else info.get_default(call_default_factory=True)
        columns.append(Column(name, column_kind, info.is_required(), default, choices))
    return columns


def _block_model(annotation: Any) -> type[BaseModel] | None:
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def format_numbers(values: Sequence[float]) -> str:
    """A list of amounts as text for one cell: ``1200, 2400``."""
    return ", ".join(f"{value:g}" if abs(value) < 1e15 else repr(value) for value in values)


def parse_numbers(text: str) -> list[float]:
    """Amounts typed in one cell, separated by commas or semicolons (spaces ignored).

    >>> parse_numbers("1200, 2400; 3e3")
    [1200.0, 2400.0, 3000.0]
    """
    parts = [part.strip() for part in text.replace(";", ",").split(",")]
    return [float(part) for part in parts if part]


def case_tables(case: BusinessCase) -> dict[TableKey, list[dict[str, Any]]]:
    """Line items grouped into one table per driver, in the case's order."""
    tables: dict[TableKey, list[dict[str, Any]]] = {}
    for kind in ("benefits", "costs"):
        for item in getattr(case, kind):
            data = item.model_dump()
            driver = data.pop("type")
            row = {}
            for column in driver_columns(kind, driver):
                block, _, sub = column.name.partition(".")
                value = (data.get(block) or {}).get(sub) if sub else data[column.name]
                if column.kind == "numbers" and value is not None:
                    value = format_numbers(value)
                row[column.name] = value
            tables.setdefault((kind, driver), []).append(row)
    return tables


def case_settings(case: BusinessCase) -> dict[str, Any]:
    """Everything in a case but its line items."""
    return case.model_dump(exclude={"benefits", "costs"})


@dataclass(frozen=True)
class CellProblem:
    """A problem located in the builder: ``table`` and ``row`` (0-based) for a line item,
    ``column`` for its field; all ``None`` for a problem of the case settings, whose field
    is then in ``field``."""

    table: TableKey | None
    row: int | None
    column: str | None
    field: str | None
    message: str


@dataclass(frozen=True)
class BuildResult:
    """The rebuilt case, or ``None`` with every problem found."""

    case: BusinessCase | None
    problems: tuple[CellProblem, ...]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def _plain(value: Any) -> Any:
    """numpy and pandas scalars as plain Python values (strict validation wants them)."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _clean_row(
    key: TableKey, index: int, row: Mapping[str, Any], problems: list[CellProblem]
) -> dict[str, Any] | None:
    """A table row as case-file data; ``None`` for a row left entirely empty."""
    columns = {column.name: column for column in driver_columns(*key)}
    values = {name: _plain(value) for name, value in row.items() if name in columns}
    if all(_blank(value) for value in values.values()):
        return None
    out: dict[str, Any] = {"type": key[1]}
    for name, value in values.items():
        if _blank(value):
            continue  # a blank cell takes the default, or is reported as required
        column = columns[name]
        if column.kind == "numbers" and isinstance(value, str):
            try:
                value = parse_numbers(value)
            except ValueError:
                message = f"must be numbers separated by commas, e.g. 1200, 2400; got {value!r}"
                problems.append(CellProblem(key, index, name, None, message))
                continue
        elif column.kind == "integer" and isinstance(value, float) and value.is_integer():
            value = int(value)
        block, _, sub = name.partition(".")
        if sub:  # a field of a nested block; a block left blank stays absent
            out.setdefault(block, {})[sub] = value
        else:
            out[name] = value
    return out


def build_case(
    settings: Mapping[str, Any], tables: Mapping[TableKey, Sequence[Mapping[str, Any]]]
) -> BuildResult:
    """Rebuild a case from its settings and driver tables, locating every problem.

    Line items are ordered table by table in the order of ``tables``; rows left entirely
    empty (a new row not filled in yet) are skipped.
    """
    problems: list[CellProblem] = []
    data: dict[str, Any] = {k: _plain(v) for k, v in settings.items() if not _blank(v)}
    places: dict[str, list[tuple[TableKey, int]]] = {"benefits": [], "costs": []}
    data["benefits"], data["costs"] = [], []
    for key, rows in tables.items():
        for index, row in enumerate(rows):
            item = _clean_row(key, index, row, problems)
            if item is not None:
                data[key[0]].append(item)
                places[key[0]].append((key, index))
    if problems:
        return BuildResult(None, tuple(problems))
    try:
        return BuildResult(parse_case(data, source="builder"), ())
    except CaseError as error:
        return BuildResult(None, tuple(_locate(p.where, p.message, places) for p in error.problems))


def _locate(
    where: str, message: str, places: Mapping[str, list[tuple[TableKey, int]]]
) -> CellProblem:
    for kind in ("benefits", "costs"):
        prefix = f"{kind}["
        if where.startswith(prefix):
            index_text, _, rest = where[len(prefix) :].partition("]")
            key, row = places[kind][int(index_text)]
            column = rest.lstrip(".").split("[")[0] or None
            return CellProblem(key, row, column, None, message)
    return CellProblem(None, None, None, where or None, message)
