"""Fixtures shared by every test: the store's databases. (This file sits at the root rather
than in tests/: pytest collects tests/ for doctests too, and there a second conftest.py
outside any package would clash with tests/browser/conftest.py.)

Nothing a test does reaches the working copy's ``data/``: ``DATABASE_URL`` points at a
throwaway SQLite file for the whole run. ``database_url`` gives each store test a fresh,
empty database, once on SQLite and once on PostgreSQL. PostgreSQL is the server
``ROI_TEST_POSTGRES_URL`` names (``.ci/run`` starts one), else a throwaway cluster this run
starts on 127.0.0.1 (Debian's ``postgresql``); without either the PostgreSQL runs are
skipped, except under ``CI=true``, where that is a failure.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "devtools"))

import pgcluster  # noqa: E402

_SESSION_DIR = tempfile.mkdtemp(prefix="roi-tests-")
os.environ["DATABASE_URL"] = f"sqlite:///{Path(_SESSION_DIR) / 'app.sqlite3'}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL of a PostgreSQL server's ``roi`` database (for creating test databases)."""
    given = os.environ.get("ROI_TEST_POSTGRES_URL", "").strip()
    if given:
        yield given
        return
    if pgcluster.bin_dir() is None:
        message = "PostgreSQL is not installed (Debian package postgresql): skipping its runs"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    folder = Path(tempfile.mkdtemp(prefix="roi-pg-"))
    try:
        yield pgcluster.start(folder, _free_port())
    finally:
        pgcluster.stop(folder)


def _admin_execute(server_url: str, statement: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    with psycopg.connect(
        host=url.host, port=url.port, user=url.username, password=url.password,
        dbname=url.database, autocommit=True,
    ) as conn:  # fmt: skip
        conn.execute(statement)


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped after the test."""
    from sqlalchemy.engine import make_url

    name = f"t_{uuid.uuid4().hex[:12]}"
    _admin_execute(postgres_server, f"CREATE DATABASE {name}")
    try:
        yield make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
    finally:
        _admin_execute(postgres_server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """A fresh, empty database: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    return request.getfixturevalue("postgres_url")


# Tests that start Chromium (the browser tests, and the exports' PDF through kaleido) or
# LibreOffice share one test worker (``make test`` runs two, ``--dist loadgroup``): two of
# them at once on two cores starve each other into timeouts.
HEAVY = ("tests/browser/", "tests/test_exports.py")


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if item.nodeid.startswith(HEAVY):
            item.add_marker(pytest.mark.xdist_group("browser"))
