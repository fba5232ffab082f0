"""Connecting to the store's database: SQLite under ``data/`` unless ``DATABASE_URL`` names
another (any SQLAlchemy URL, e.g. ``postgresql+psycopg://user@host:5432/roi``).

SQLite is set up for several sessions of one app at once: WAL journal (readers never wait
for the writer), a 60 s busy timeout, and write transactions that take the write lock when
they begin (``BEGIN IMMEDIATE``), so that two writers queue instead of one of them failing
with "database is locked" when it upgrades a read lock. PostgreSQL sessions run in UTC and
give up connecting after 10 s.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

DEFAULT_SQLITE_FILE = Path("data") / "roi.sqlite3"
BUSY_TIMEOUT_MS = 60_000
CONNECT_TIMEOUT_S = 10


class DatabaseFailure(Exception):
    """The database cannot be used: an unusable URL, a missing driver, a folder that cannot
    be created, a schema newer than this code, or an error the driver raised while rows
    were written. The message says which, without the password."""


DATABASE_ERRORS = (SQLAlchemyError, DatabaseFailure)
"""Every failure of the database itself (``except DATABASE_ERRORS``), as opposed to a
file's problems, which raise the readers' own errors."""


def database_url(url: str | None = None) -> str:
    """The URL given, else ``DATABASE_URL``, else the SQLite file ``data/roi.sqlite3`` under
    the working directory."""
    chosen = url or os.environ.get("DATABASE_URL", "").strip()
    if chosen:
        return chosen
    return f"sqlite:///{DEFAULT_SQLITE_FILE.as_posix()}"


def failure_message(error: BaseException, url: str | None = None) -> str:
    """ "the database X failed: why", or just why when the URL itself is the problem."""
    where = display_url(database_url(url))
    reason = failure_reason(error, url)
    if where == UNREADABLE:
        return reason
    return f"the database {where} failed: {reason}"


UNREADABLE = "an unreadable database URL"


def display_url(url: str) -> str:
    """Where the database is, for messages and pages: the driver, host, port and database
    (or SQLite file) only; the user, password and query are never shown.

    >>> display_url("postgresql+psycopg://roi:s3cret@db.internal:5432/roi?password=x")
    'postgresql+psycopg://db.internal:5432/roi'
    >>> display_url("sqlite:///data/roi.sqlite3")
    'sqlite:///data/roi.sqlite3'
    >>> display_url("not a url")
    'an unreadable database URL'
    """
    try:
        parsed = make_url(url)
        port = f":{parsed.port}" if parsed.port else ""
    except (SQLAlchemyError, ValueError):
        return UNREADABLE
    if parsed.get_backend_name() == "sqlite":
        return f"{parsed.drivername}:///{parsed.database or ':memory:'}"
    # A password with an unescaped "@" ends up in the host: keep what follows the last "@".
    host = (parsed.host or "").rsplit("@", 1)[-1]
    return f"{parsed.drivername}://{host}{port}/{parsed.database or ''}"


def _secrets(url: str | None) -> list[str]:
    """Parts of ``url`` no message may show: the password, and whatever an unescaped "@"
    pushed into the host."""
    if not url:
        return []
    try:
        parsed = make_url(url)
    except (SQLAlchemyError, ValueError):
        return [url]
    found = [str(parsed.password)] if parsed.password else []
    if parsed.host and "@" in parsed.host:
        found.append(parsed.host.rsplit("@", 1)[0])
    found.extend(str(v) for k, v in parsed.query.items() if "pass" in k.lower())
    return [s for s in found if s]


def failure_reason(error: BaseException, url: str | None = None) -> str:
    """One line saying why the database failed, without the secrets of ``url`` (the one in
    use by default)."""
    if isinstance(error, DatabaseFailure):
        return str(error)
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    reason = lines[0] if lines else type(original).__name__
    for secret in _secrets(database_url(url)):
        reason = reason.replace(secret, "***")
    return reason


def make_engine(url: str) -> Engine:
    """An engine for ``url``; for a SQLite file, its folder is created if missing. Raises
    :class:`DatabaseFailure` for a URL that cannot be used."""
    try:
        parsed = make_url(url)
    except (SQLAlchemyError, ValueError):
        raise DatabaseFailure(
            "the database URL cannot be read (expected e.g. sqlite:///data/roi.sqlite3 or"
            " postgresql+psycopg://user@host:5432/roi)"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise DatabaseFailure(
            f"{backend} databases are not supported; use SQLite or PostgreSQL"
            " (postgresql+psycopg://...)"
        )
    try:
        if backend == "postgresql":
            # Defaults only: what the URL's query sets (options, a timeout) is kept.
            defaults = {"connect_timeout": CONNECT_TIMEOUT_S, "client_encoding": "utf8"}
            given = {key: value for key, value in defaults.items() if key not in parsed.query}
            engine = create_engine(parsed, pool_pre_ping=True, connect_args=given)

            @event.listens_for(engine, "connect")
            def _utc_session(dbapi_connection, _record) -> None:
                with dbapi_connection.cursor() as cursor:
                    cursor.execute("SET TIME ZONE 'UTC'")
                dbapi_connection.commit()

            return engine
        if not parsed.database or parsed.database == ":memory:":
            raise DatabaseFailure(
                "an in-memory SQLite database keeps nothing; give a file (sqlite:///path)"
            )
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    except (ImportError, OSError, SQLAlchemyError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        if isinstance(error, ImportError):
            reason = f"its driver is not installed ({error.name})"
        raise DatabaseFailure(f"cannot be opened: {reason}") from None

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
