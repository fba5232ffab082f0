"""Import rules that keep the functional core separate from its shells (STYLE: the engine
never imports streamlit; numpy-financial is wrapped once, in roi/finance.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENGINE_FILES = sorted((ROOT / "roi").rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", ENGINE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_engine_never_imports_ui_libraries(path):
    assert not imported_modules(path) & {"streamlit", "plotly"}


@pytest.mark.parametrize("path", ENGINE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_numpy_financial_is_wrapped_only_in_the_finance_module(path):
    if path.name != "finance.py":
        assert "numpy_financial" not in imported_modules(path)


def test_public_api_is_curated():
    import roi

    assert sorted(roi.__all__) == roi.__all__
    for name in roi.__all__:
        assert getattr(roi, name) is not None


DASHBOARD_FILES = sorted((ROOT / "dashboard").rglob("*.py"))


@pytest.mark.parametrize("path", DASHBOARD_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_dashboard_never_imports_numerical_libraries(path):
    # Pages read widgets, call roi and draw: finance and statistics stay in the engine.
    assert not imported_modules(path) & {"numpy_financial", "statsmodels", "scipy", "numpy"}


@pytest.mark.parametrize("path", DASHBOARD_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_dashboard_reaches_the_database_only_through_the_store(path):
    # Saved work is read and written by roi.store, where the rules on it are kept.
    assert not imported_modules(path) & {"sqlalchemy", "psycopg", "sqlite3"}


def test_tooltip_links_point_at_methodology_headings():
    import re

    from dashboard.ui import HELP

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Methodology", 1)[1].split("\n## ", 1)[0]
    anchors = {
        re.sub(r"[^a-z0-9 -]", "", heading.lower()).strip().replace(" ", "-")
        for heading in re.findall(r"^### (.+)$", section, flags=re.M)
    }
    for metric, (_, anchor) in HELP.items():
        assert anchor in anchors, f"{metric}: no methodology heading for #{anchor}"
