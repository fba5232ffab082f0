"""Read case files (YAML or JSON) into validated :class:`BusinessCase` objects.

Every problem is reported at once as ``path: message``, the path written as in the file
(``benefits[2].minutes_saved_per_task``, indexes from 0), e.g.
``benefits[2].minutes_saved_per_task: must be ≥ 0, got -3``.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from roi.core.case import BusinessCase
from roi.core.curves import ADOPTION_CURVES
from roi.core.distributions import with_values
from roi.core.drivers.benefits import BENEFIT_DRIVERS
from roi.core.drivers.costs import COST_DRIVERS
from roi.io.problems import CaseError, Problem
from roi.io.structured import line_and_column, load_json, load_yaml

_TAGGED_LISTS: dict[str, dict[str, type[BaseModel]]] = {
    "benefits": BENEFIT_DRIVERS,
    "costs": COST_DRIVERS,
}
CASE_FILE_SUFFIXES = (".yaml", ".yml", ".json")


def _number(value: Any) -> str:
    """A number as typed: 3 not 3.0, 0.25 as is, huge values in exponent form (1e+15)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e9:
        return str(int(value))
    if isinstance(value, float) and abs(value) >= 1e9:
        return f"{value:.6g}"
    return str(value)


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    return _number(value)


def _nested_model(model: type[BaseModel], field: str) -> type[BaseModel] | None:
    """The model a field holds (e.g. a pricing block), if it holds one."""
    info = model.model_fields.get(field)
    if info is None:
        return None
    for candidate in (info.annotation, *typing.get_args(info.annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _path_and_model(loc: tuple[Any, ...]) -> tuple[str, type[BaseModel]]:
    """Readable path for a pydantic location, without union tags, and the model that holds
    the last field (for suggestions on unknown fields)."""
    model: type[BaseModel] = BusinessCase
    parts: list[str] = []
    rest = list(loc)
    while rest:
        key = rest.pop(0)
        if isinstance(key, int):
            parts.append(f"[{key}]")
            continue
        parts.append(f".{key}" if parts else str(key))
        nested = _nested_model(model, key)
        if nested is not None:
            model = nested
        registry = _TAGGED_LISTS.get(key) if len(parts) == 1 else None
        if registry is not None and len(rest) >= 2 and isinstance(rest[0], int):
            parts.append(f"[{rest.pop(0)}]")
            if rest[0] in registry:
                model = registry[rest.pop(0)]
        elif key == "adoption" and len(parts) == 1 and rest and rest[0] in ADOPTION_CURVES:
            model = ADOPTION_CURVES[rest.pop(0)]
    return "".join(parts), model


def _message(error: dict[str, Any], model: type[BaseModel], path: str) -> str:
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    got = f", got {_shown(value)}"
    bounds = {
        "greater_than_equal": ("≥", "ge"),
        "greater_than": (">", "gt"),
        "less_than_equal": ("≤", "le"),
        "less_than": ("<", "lt"),
    }
    if kind in bounds:
        symbol, key = bounds[kind]
        return f"must be {symbol} {_number(ctx[key])}{got}"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        field = path.rsplit(".", 1)[-1]
        known = list(model.model_fields)
        close = difflib.get_close_matches(field, known, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return f"unknown field; {hint}valid fields: {', '.join(known)}"
    if kind in ("float_type", "float_parsing", "finite_number"):
        if isinstance(value, str) and value.strip().endswith("%"):
            return f"must be a number; write shares and rates as fractions (0.12 for 12%){got}"
        if isinstance(value, bool):
            return f"must be a number{got} (YAML reads yes/no/on/off as true/false)"
        return f"must be a finite number{got}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        if isinstance(value, float) and value.is_integer():
            return f"must be a whole number written without a decimal point or exponent{got}"
        return f"must be a whole number{got}"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false{got}"
    if kind in ("string_type",):
        return f"must be text{got}"
    if kind == "string_pattern_mismatch" and path == "currency":
        return f"must be a three-letter ISO 4217 code such as USD or EUR{got}"
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return f"must not be empty{got}"
    if kind == "string_pattern_mismatch" and path.endswith("name"):
        return f"must not be blank{got}"
    if kind in ("string_too_short", "string_too_long"):
        limit = ctx.get("min_length", ctx.get("max_length"))
        word = "at least" if kind == "string_too_short" else "at most"
        return f"must have {word} {limit} characters{got}"
    if kind in ("too_short", "too_long"):
        limit = ctx.get("min_length", ctx.get("max_length"))
        word = "at least" if kind == "too_short" else "at most"
        items = "item" if limit == 1 else "items"
        return f"must have {word} {limit} {items}, got {ctx.get('actual_length')}"
    if kind == "literal_error":
        return f"must be one of {ctx['expected']}{got}"
    if kind in ("list_type",):
        return f"must be a list{got}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"must be a mapping of fields{got}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        field = ctx["discriminator"].strip("'")
        valid = ctx.get("expected_tags") or ", ".join(
            repr(tag) for tag in _TAGGED_LISTS.get(path.split("[")[0], ADOPTION_CURVES)
        )
        if kind == "union_tag_not_found":
            return f"missing {field!r}; valid: {valid}"
        tag, kind_name = ctx["tag"], path.split("[")[0]
        other = {"benefits": "costs", "costs": "benefits"}.get(kind_name)
        if other and tag in _TAGGED_LISTS[other]:
            driver = "cost" if other == "costs" else "benefit"
            return f"{tag!r} is a {driver} driver: move this line under {other}"
        return f"unknown {field} {tag!r}; valid: {valid}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return error["msg"]


def problems_from_validation_error(error: ValidationError) -> list[Problem]:
    """Turn pydantic's errors into :class:`Problem` lines with file-style paths."""
    problems: list[Problem] = []
    for item in error.errors():
        loc = tuple(item["loc"])
        if item["type"] == "invalid_key":
            parent, model = _path_and_model(loc[:-1])
            path = f"{parent}.{loc[-1]}" if parent else str(loc[-1])
            fields = ", ".join(model.model_fields)
            message = f"field names must be text, not numbers; valid fields: {fields}"
            problems.append(Problem(path, message))
            continue
        path, model = _path_and_model(loc)
        message = _message(item, model, path)
        if item["type"] == "benchmark_source":
            path += ".source"
        elif item["type"] == "unknown_preset":
            path += ".pricing"
        if not path and item["type"] == "value_error":
            # Cross-field rules report "path: message" lines (see roi.core.case.case_problems).
            for line in message.splitlines():
                where, _, text = line.partition(": ")
                problems.append(Problem(where, text))
        else:
            problems.append(Problem(path, message))
    return problems


def parse_case(data: Any, source: str = "case") -> BusinessCase:
    """Validate already-parsed case data (a mapping) into a :class:`BusinessCase`.

    Raises
    ------
    CaseError
        Listing every problem, each with its field path.
    """
    if not isinstance(data, dict):
        raise CaseError(source, [Problem("", "a case file must hold a mapping of fields")])
    try:
        return BusinessCase.model_validate(data)
    except ValidationError as error:
        raise CaseError(source, problems_from_validation_error(error)) from None


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CaseError(str(path), [Problem("", "file not found")]) from None
    except IsADirectoryError:
        raise CaseError(str(path), [Problem("", "is a directory, not a case file")]) from None
    except OSError as error:
        raise CaseError(str(path), [Problem("", f"cannot be read ({error.strerror})")]) from None


def _decode(source: str, raw: bytes) -> str:
    if b"\x00" in raw:
        where = line_and_column(raw.decode("utf-8-sig", errors="replace"), raw.index(b"\x00"))
        raise CaseError(source, [Problem(where, "holds a NUL byte: not a text file")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        where = line_and_column(raw.decode("utf-8-sig", errors="replace"), _char_index(raw, error))
        byte = raw[error.start]
        problem = Problem(where, f"is not UTF-8 text: byte 0x{byte:02X} cannot be decoded")
        raise CaseError(source, [problem]) from None


def _char_index(raw: bytes, error: UnicodeDecodeError) -> int:
    """Index, in the text decoded with replacements, of the first undecodable byte."""
    return len(raw[: error.start].decode("utf-8-sig", errors="replace"))


def load_case(path: str | Path) -> BusinessCase:
    """Read and validate a case file: ``.yaml``/``.yml`` (YAML) or ``.json``.

    Raises
    ------
    CaseError
        When the file is missing, unreadable, not valid YAML/JSON or not a valid case; the
        error lists every problem, syntax errors with their line and column.
    """
    path = Path(path)
    _check_suffix(str(path), path.name)
    return load_case_text(_read_bytes(path), str(path))


def _check_suffix(source: str, name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in CASE_FILE_SUFFIXES:
        problem = Problem("", f"unknown file type {suffix!r}; valid: .yaml, .yml, .json")
        raise CaseError(source, [problem])
    return suffix


def load_case_text(raw: bytes, name: str) -> BusinessCase:
    """Validate the bytes of a case file called ``name`` (its suffix picks YAML or JSON),
    e.g. an upload. Raises :class:`CaseError` as :func:`load_case` does."""
    suffix = _check_suffix(name, name)
    text = _decode(name, raw)
    data = load_json(text, name) if suffix == ".json" else load_yaml(text, name)
    if data is None:
        raise CaseError(name, [Problem("", "the file is empty")])
    return parse_case(data, name)


def dump_case(case: BusinessCase) -> str:
    """The case as YAML, fields in model order, defaults left out."""
    data = case.model_dump(mode="json", exclude_defaults=True)
    # Line items and curves need their tag even though it is the only value of its Literal.
    for kind in ("benefits", "costs"):
        for item, model in zip(data.get(kind, []), getattr(case, kind), strict=True):
            item["type"] = model.type
    if case.adoption is not None:
        data["adoption"]["curve"] = case.adoption.curve
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def validated(case: Any, values: Mapping[str, float]) -> Any:
    """The case with inputs set to ``values``, validated like a case file (so a value out of
    its bounds is refused with the field's own message)."""
    from roi.core.casefile import parse_case

    return parse_case(with_values(case, values).model_dump(), source="scenario")
