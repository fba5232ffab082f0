"""Reading JSON and YAML text (case files, adoption exports, pilot column mappings, pricing
presets) into plain Python values, with the limits every such file is held to:

- **Nesting**: lists and mappings nested more than :data:`MAX_DEPTH` (64) levels deep are
  refused as "is nested too deeply (more than 64 levels)", naming the line and column where
  the 65th level opens. No file this product reads needs more than a dozen levels, and the
  check runs before anything recursive touches the text (a cheap bracket count for JSON, a
  depth count while YAML is composed), so a hostile file ends in a message, never a
  ``RecursionError``.
- **YAML aliases**: an alias that refers to a node containing it (a self-referential
  structure) is refused, and so are aliases that expand the document to more than
  :data:`MAX_EXPANDED_VALUES` values (the "billion laughs" file, a few lines that stand for
  billions of values).
- **Repeated keys** are refused, each named with its line (YAML) or field path (JSON),
  rather than silently keeping the last value (:func:`load_json` can allow them for
  vendors' exports).
- **Numbers** with more digits than Python converts (4,300) and YAML dates that do not
  exist (2027-02-30) are refused with their place, not a traceback.

It also says how identifiers read from any file are compared (:func:`id_key`: trimmed and
case-folded).

YAML is read with PyYAML's safe loader (no Python objects), plus: exponent floats without a
dot or exponent sign (``1e6``, ``1.5e6``) read as numbers, as in YAML 1.2.

Every problem is raised as the caller's :class:`~roi.io.problems.CaseError` subclass.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

import yaml

from roi.io.problems import CaseError, Problem

MAX_DEPTH = 64
MAX_EXPANDED_VALUES = 1_000_000
TOO_DEEP = f"is nested too deeply (more than {MAX_DEPTH} levels)"

# A JSON string (an unterminated one runs to the end, so the scan never backtracks) or a
# bracket outside strings.
_JSON_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\Z)', re.DOTALL)
_JSON_TOKEN = re.compile(rf"{_JSON_STRING.pattern}|[\[\]{{}}]", re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class _Refused(Exception):
    """A limit broken while YAML is composed: carries the problem to report."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def line_and_column(text: str, index: int) -> str:
    """``line L, column C`` (both from 1) of the character at ``index`` of ``text``."""
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"line {line}, column {column}"


# JSON ----------------------------------------------------------------------------------------


def json_depth_problem(text: str) -> Problem | None:
    """The place where ``text`` (JSON) nests lists and objects more than :data:`MAX_DEPTH`
    deep, as a problem; ``None`` when it does not. Brackets inside strings do not count."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    if len(brackets) <= MAX_DEPTH or max(accumulate(map(_STEP.__getitem__, brackets))) <= MAX_DEPTH:
        return None
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        step = _STEP.get(match.group())
        depth += step or 0
        if depth > MAX_DEPTH:
            return Problem(line_and_column(text, match.start()), TOO_DEEP)
    return None  # not reached: the count above found the place


class _JsonObject(dict):
    """A JSON object that remembers which of its keys were given more than once."""

    duplicates: tuple[str, ...] = ()


def _json_object(pairs: list[tuple[str, Any]]) -> _JsonObject:
    out = _JsonObject()
    repeated = []
    for key, value in pairs:
        if key in out:
            repeated.append(key)
        out[key] = value
    out.duplicates = tuple(repeated)
    return out


def _json_duplicates(value: Any, path: str = "") -> list[Problem]:
    """Repeated keys, by field path (``costs[0].monthly_amount``); ``value`` is at most
    :data:`MAX_DEPTH` deep, so the recursion is bounded."""
    problems = []
    if isinstance(value, _JsonObject):
        for key in value.duplicates:
            where = f"{path}.{key}" if path else key
            problems.append(Problem(where, f"duplicate key {key!r}; give each key once"))
        for key, item in value.items():
            problems += _json_duplicates(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problems += _json_duplicates(item, f"{path}[{index}]")
    return problems


def _plain(value: Any) -> Any:
    """``value`` with its objects as plain dicts (bounded by :data:`MAX_DEPTH`)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def load_json(
    text: str,
    source: str,
    *,
    error: type[CaseError] = CaseError,
    duplicate_keys: bool = False,
    invalid: str = "invalid JSON",
) -> Any:
    """Parse JSON ``text`` (from ``source``, for messages) within the limits of this module.

    ``duplicate_keys``: allow repeated keys (the last wins, as in :func:`json.loads`);
    by default each is refused with its field path. ``invalid`` starts the message of a
    syntax error (``invalid JSON: Expecting ',' delimiter``).

    Raises
    ------
    CaseError
        Of class ``error``: a syntax error (with line and column), nesting deeper than
        :data:`MAX_DEPTH`, a number too long to convert, or repeated keys (every one).
    """
    too_deep = json_depth_problem(text)
    if too_deep is not None:
        raise error(source, [too_deep])
    try:
        data = json.loads(text, object_pairs_hook=None if duplicate_keys else _json_object)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise error(source, [Problem(where, f"{invalid}: {exc.msg}")]) from None
    except (ValueError, RecursionError) as exc:  # a 5,000-digit number; depth is checked
        reason = _reason(exc)
        shown = f"a number {reason}" if reason.startswith("has more") else reason
        raise error(source, [Problem("", f"{invalid}: {shown}")]) from None
    if duplicate_keys:
        return data
    duplicates = _json_duplicates(data)
    if duplicates:
        raise error(source, duplicates)
    return _plain(data)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if "integer string conversion" in text:
        return "has more than 4,300 digits"
    return text or type(exc).__name__


# YAML ----------------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, plus: repeated keys are recorded (the file is then refused
    rather than silently keeping the last value), collections are counted while they are
    composed (refused beyond :data:`MAX_DEPTH`, before the composer's recursion can run
    out of stack), and exponent floats read as in YAML 1.2."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicates: list[tuple[tuple[int, int], Problem]] = []  # (line, column)
        self.depth = 0

    def compose_node(self, parent, index):
        opens = self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent)
        if opens:
            self.depth += 1
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise _Refused(Problem(_mark(mark), TOO_DEEP))
        try:
            return super().compose_node(parent, index)
        finally:
            if opens:
                self.depth -= 1


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    first_line: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue  # keys merged in with << may be overridden, as YAML intends
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            seen = first_line.get(key)
        except TypeError:  # an unhashable key; construct_mapping reports it
            continue
        if seen is not None:
            where = f"line {line}, column {key_node.start_mark.column + 1}"
            message = f"duplicate key {key!r} (first given on line {seen}); give each key once"
            loader.duplicates.append(((line, key_node.start_mark.column), Problem(where, message)))
        else:
            first_line[key] = line
    loader.flatten_mapping(node)
    return loader.construct_mapping(node, deep=True)


def _guarded(kind: str):
    """The safe loader's constructor of ``kind`` values, its ``ValueError`` (a date that does
    not exist, a number of 5,000 digits) turned into a problem naming the value's place."""
    construct = yaml.SafeLoader.yaml_constructors[f"tag:yaml.org,2002:{kind}"]
    what = {"int": "a whole number", "float": "a number", "timestamp": "a date"}[kind]

    def guarded(loader: _Loader, node: yaml.ScalarNode) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, OverflowError) as exc:
            shown = node.value if len(node.value) <= 40 else f"{node.value[:37]}..."
            message = f"invalid YAML: {shown!r} cannot be read as {what} ({_reason(exc)})"
            raise _Refused(Problem(_mark(node.start_mark), message)) from None

    return guarded


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
for _kind in ("int", "float", "timestamp"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_kind}", _guarded(_kind))
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def _mark(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_graph(root: yaml.Node) -> None:
    """Refuse a composed document whose aliases nest it beyond :data:`MAX_DEPTH`, refer
    to a node containing them, or expand it beyond :data:`MAX_EXPANDED_VALUES` values.
    Iterative, each node visited once (aliases share nodes)."""
    depth: dict[int, int] = {}
    size: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            children = _children(node)
            own = 1 if isinstance(node, yaml.CollectionNode) else 0
            depth[key] = own + max((depth[id(c)] for c in children), default=0)
            size[key] = min(1 + sum(size[id(c)] for c in children), MAX_EXPANDED_VALUES + 1)
            open_nodes.discard(key)
            if depth[key] > MAX_DEPTH:
                raise _Refused(Problem(_mark(node.start_mark), f"{TOO_DEEP} through aliases"))
            continue
        if key in depth:
            continue
        if key in open_nodes:
            message = "an alias refers to a list or mapping that contains it; write it out"
            raise _Refused(Problem(_mark(node.start_mark), message))
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node))
    if size[id(root)] > MAX_EXPANDED_VALUES:
        message = (
            f"its aliases expand it to more than {MAX_EXPANDED_VALUES:,} values; write the"
            " values out or use fewer aliases"
        )
        raise _Refused(Problem("", message))


def load_yaml(text: str, source: str, *, error: type[CaseError] = CaseError) -> Any:
    """Parse YAML ``text`` (from ``source``, for messages) within the limits of this module:
    one document, read with the safe loader; ``None`` for an empty document.

    Raises
    ------
    CaseError
        Of class ``error``: a syntax error (with line and column, and where an unclosed
        quote or bracket began), a character YAML does not allow, nesting deeper than
        :data:`MAX_DEPTH`, an alias bomb or a self-referring alias, a value that cannot
        be built (a date that does not exist, a 5,000-digit number), or repeated keys
        (every one).
    """
    loader: _Loader | None = None
    try:
        loader = _Loader(text)  # checks for unprintable characters first
        node = loader.get_single_node()
        if node is None:
            return None
        _check_graph(node)
        data = loader.construct_document(node)
    except _Refused as refused:
        raise error(source, [refused.problem]) from None
    except yaml.reader.ReaderError as exc:
        where = line_and_column(text, exc.position)
        message = f"invalid YAML: character U+{exc.character:04X} is not allowed in YAML text"
        raise error(source, [Problem(where, message)]) from None
    except yaml.MarkedYAMLError as exc:
        raise error(source, [_marked_problem(exc)]) from None
    except yaml.YAMLError as exc:
        problem = Problem("", f"invalid YAML: {' '.join(str(exc).split())}")
        raise error(source, [problem]) from None
    except (ValueError, OverflowError, RecursionError) as exc:  # 2027-02-30, 5,000 digits
        problem = Problem("", f"invalid YAML: a value cannot be read ({_reason(exc)})")
        raise error(source, [problem]) from None
    finally:
        if loader is not None:
            loader.dispose()
    if loader.duplicates:
        in_order = sorted(loader.duplicates, key=lambda duplicate: duplicate[0])
        raise error(source, [problem for _, problem in in_order])
    return data


def _marked_problem(exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    message = f"invalid YAML: {exc.problem or exc.context}"
    if exc.context and exc.problem and exc.context_mark is not None:
        start = exc.context_mark
        message += f", {exc.context} that starts at line {start.line + 1},"
        message += f" column {start.column + 1}"
    return Problem(_mark(mark), message)


# Identifiers ---------------------------------------------------------------------------------


def id_key(value: str) -> str:
    """How an identifier read from a file (a respondent, a use case, a user) is compared:
    without surrounding spaces and without regard to case, so that ``UC-01``, ``uc-01`` and
    ``UC-01 `` are one. Readers refuse two rows whose ids share a key where ids must be
    unique, naming both lines."""
    return value.strip().casefold()
