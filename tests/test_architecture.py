"""The house rules of the tree (issue #19; STYLE 1 and 7): which package may import which, no
circles between modules, no private name used outside its module, no module over 600 lines
and no function over 120, streamlit only in the dashboard, numpy-financial wrapped once.

Every import counts, at the top of a module or inside a function: an import moved inside a
function to dodge a circle is still a circle. The layers, from the bottom:

    io -> core -> uncertainty -> evidence, adoption, culture -> impact -> portfolio -> reports
       -> access -> store -> cli, dashboard

``ALLOWED`` below is the whole rule, as data: a package may import itself and the packages
its row names, nothing else.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENGINE_FILES = sorted((ROOT / "roi").rglob("*.py"))
DASHBOARD_FILES = sorted((ROOT / "dashboard").rglob("*.py"))
SOURCE_FILES = ENGINE_FILES + DASHBOARD_FILES

MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 120

_BELOW_REPORTS = {
    "io", "core", "uncertainty", "evidence", "adoption", "culture", "impact", "portfolio",
}  # fmt: skip
# package -> the packages it may import (besides itself). "roi" is roi/__init__.py, the curated
# public API; "main" is roi/__main__.py.
ALLOWED: dict[str, set[str]] = {
    "io": set(),
    "core": {"io"},
    "uncertainty": {"io", "core"},
    "evidence": {"io", "core", "uncertainty"},
    "adoption": {"io", "core", "uncertainty"},
    "culture": {"io", "core", "uncertainty"},
    "impact": {"io", "core", "uncertainty", "adoption", "culture"},
    "portfolio": {"io", "core", "uncertainty", "culture"},
    "reports": _BELOW_REPORTS,
    "access": set(),
    "store": _BELOW_REPORTS | {"reports", "access"},
    "roi": {"io", "core", "reports"},
    "cli": _BELOW_REPORTS | {"reports", "access", "store"},
    "main": {"cli"},
    "dashboard": _BELOW_REPORTS | {"reports", "access", "store", "roi"},
}
# Third-party libraries kept to one place: the UI toolkit to the shell; plotly to the shell
# and to the reports package, which draws the PDF's chart; numpy-financial to the one module
# that states its conventions.
LIBRARY_HOMES: dict[str, tuple[str, ...]] = {
    "streamlit": ("dashboard",),
    "plotly": ("dashboard", "roi.reports"),
    "numpy_financial": ("roi.core.finance",),
    "statsmodels": ("roi",),
    "scipy": ("roi",),
    "pyfixest": ("roi.impact.estimates",),
    "sqlalchemy": ("roi.store",),
    "psycopg": ("roi.store",),
    "sqlite3": ("roi.store",),
}


@dataclass(frozen=True)
class Import:
    """One import statement's target, resolved to a module of this project where it is one."""

    source: str  # importing module, dotted
    target: str  # the module imported (the longest project module the name resolves to)
    names: tuple[str, ...]  # the names taken from it by ``from target import ...``
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {module_name(p): p for p in SOURCE_FILES}


def _project_module(name: str) -> str | None:
    parts = name.split(".")
    while parts:
        if ".".join(parts) in MODULES:
            return ".".join(parts)
        parts.pop()
    return None


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _absolute(node: ast.ImportFrom, module: str, path: Path) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(path: Path, tree: ast.Module | None = None) -> Iterator[Import]:
    """Every import in ``path`` (or in ``tree``, parsed from it) of a project module,
    wherever it stands in the file."""
    source = module_name(path)
    for node in ast.walk(tree or _tree(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _project_module(alias.name)
                if target:
                    yield Import(source, target, (), node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, source, path)
            target = _project_module(base)
            if target is None:
                continue
            plain = []
            for alias in node.names:
                sub = _project_module(f"{base}.{alias.name}")
                if sub and sub != target:  # ``from package import module``
                    yield Import(source, sub, (), node.lineno)
                else:
                    plain.append(alias.name)
            if plain or not node.names:
                yield Import(source, target, tuple(plain), node.lineno)


def libraries_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def package_of(module: str) -> str:
    """The layer a module belongs to: ``roi.core.engine`` -> ``core``, ``roi.access`` ->
    ``access``, ``roi`` -> ``roi``, ``dashboard.*`` -> ``dashboard``."""
    parts = module.split(".")
    if parts[0] == "dashboard":
        return "dashboard"
    if len(parts) == 1:
        return "roi"
    return "main" if parts[1] == "__main__" else parts[1]


def _ancestors(module: str) -> set[str]:
    parts = module.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


@cache
def module_graph() -> dict[str, set[str]]:
    """Module -> the project modules importing it runs: the target and the package
    ``__init__`` files above it that are not already running (the importer's own)."""
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        own = _ancestors(name) | {name}
        for imp in imports_of(path):
            for target in (_ancestors(imp.target) | {imp.target}) - own:
                if target in MODULES:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), or a module that
    imports itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _ids(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --- the rules -------------------------------------------------------------------------------


def test_every_package_has_a_row_in_the_table():
    packages = {package_of(name) for name in MODULES}
    assert packages <= set(ALLOWED), sorted(packages - set(ALLOWED))


def wrong_imports(path: Path, tree: ast.Module | None = None) -> list[str]:
    source = module_name(path)
    mine = package_of(source)
    return [
        f"line {imp.line}: {source} ({mine}) imports {imp.target} ({package_of(imp.target)})"
        for imp in imports_of(path, tree)
        if package_of(imp.target) != mine and package_of(imp.target) not in ALLOWED[mine]
    ]


@pytest.mark.parametrize("path", SOURCE_FILES, ids=_ids)
def test_imports_point_one_way(path):
    wrong = wrong_imports(path)
    assert not wrong, "\n".join(wrong)


def test_no_circles_between_modules():
    found = cycles(module_graph())
    assert not found, "\n".join(" <-> ".join(c) for c in found)


@pytest.mark.parametrize("path", SOURCE_FILES, ids=_ids)
def test_no_private_name_is_used_outside_its_module(path):
    source = module_name(path)
    aliases: dict[str, str] = {}  # local name -> project module it is bound to
    wrong = []
    for imp in imports_of(path):
        wrong += [
            f"line {imp.line}: from {imp.target} import {n}"
            for n in imp.names
            if n.startswith("_") and not n.startswith("__") and imp.target != source
        ]
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname and _project_module(alias.name) == alias.name:
                    aliases[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, source, path)
            for alias in node.names:
                if _project_module(f"{base}.{alias.name}") == f"{base}.{alias.name}":
                    aliases[alias.asname or alias.name] = f"{base}.{alias.name}"
    for node in ast.walk(_tree(path)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            wrong.append(f"line {node.lineno}: {aliases[node.value.id]}.{node.attr}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("path", SOURCE_FILES, ids=_ids)
def test_modules_stay_small(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{lines} lines"


@pytest.mark.parametrize("path", SOURCE_FILES, ids=_ids)
def test_functions_stay_short(path):
    long = [
        f"{node.name} (line {node.lineno}): {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, "\n".join(long)


@pytest.mark.parametrize("path", SOURCE_FILES, ids=_ids)
def test_libraries_stay_in_their_homes(path):
    module = module_name(path)
    wrong = [
        f"{library} outside {', '.join(homes)}"
        for library, homes in LIBRARY_HOMES.items()
        if library in libraries_of(path)
        and not any(module == h or module.startswith(f"{h}.") for h in homes)
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("path", DASHBOARD_FILES, ids=_ids)
def test_dashboard_never_imports_numerical_libraries(path):
    # Pages read widgets, call roi and draw: finance and statistics stay in the engine.
    assert not libraries_of(path) & {"numpy_financial", "statsmodels", "scipy", "numpy"}


def test_every_package_says_what_it_owns_and_may_import():
    for init in [*sorted((ROOT / "roi").rglob("__init__.py")), ROOT / "dashboard/__init__.py"]:
        doc = ast.get_docstring(_tree(init))
        assert doc and len(doc.split()) >= 12, f"{_ids(init)}: no docstring saying what it owns"


def test_public_api_is_curated():
    import roi

    assert sorted(roi.__all__) == roi.__all__
    for name in roi.__all__:
        assert getattr(roi, name) is not None


# --- the rule checks itself ------------------------------------------------------------------


def test_the_rule_sees_a_wrong_import_inside_a_function():
    # The engine reaching up into the store, hidden in a function: refused, with its line.
    tree = ast.parse("import math\n\ndef f():\n    from roi.store import Store\n    return Store\n")
    path = ROOT / "roi" / "core" / "engine.py"
    assert wrong_imports(path, tree) == ["line 4: roi.core.engine (core) imports roi.store (store)"]
    assert wrong_imports(path, ast.parse("from roi.io import csvtable\n")) == []


def test_the_rule_sees_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
