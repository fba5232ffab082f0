"""Connecting to the store's database: SQLite under ``data/`` unless ``DATABASE_URL`` names
another (any SQLAlchemy URL, e.g. ``postgresql+psycopg://user@host:5432/roi``).

SQLite is set up for several sessions of one app at once: WAL journal (readers never wait
for the writer), a 30 s busy timeout, and write transactions that take the write lock when
they begin (``BEGIN IMMEDIATE``), so that two writers queue instead of one of them failing
with "database is locked" when it upgrades a read lock.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

DEFAULT_SQLITE_FILE = Path("data") / "roi.sqlite3"
BUSY_TIMEOUT_MS = 30_000


def database_url(url: str | None = None) -> str:
    """The URL given, else ``DATABASE_URL``, else the SQLite file ``data/roi.sqlite3`` under
    the working directory."""
    chosen = url or os.environ.get("DATABASE_URL", "").strip()
    if chosen:
        return chosen
    return f"sqlite:///{DEFAULT_SQLITE_FILE.as_posix()}"


def display_url(url: str) -> str:
    """The URL with any password hidden, for messages and the Data page."""
    return make_url(url).render_as_string(hide_password=True)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; for a SQLite file, its folder is created if missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN, not the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        write = conn.get_execution_options().get("roi_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
