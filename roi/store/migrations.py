"""A small versioned-migration runner.

Each migration has a version (1, 2, ...), a name and a function that changes the schema
through a SQLAlchemy connection. :func:`migrate` applies, in order and each in its own
transaction, those newer than the database's version, recording each in
``schema_migrations``; a migration that fails leaves the database at the version before it.
Two processes starting at once take turns: PostgreSQL through an advisory lock, SQLite
through its write lock (``BEGIN IMMEDIATE``), and the second finds nothing left to do.

Adding a migration: append to :data:`MIGRATIONS`, never edit one that has shipped. A
migration that changes a table created by an earlier one must leave the earlier function's
table as it was (give the earlier migration a frozen copy of the table first).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, select

from roi.store import schema

# Any constant; it names this application's lock among PostgreSQL's advisory locks.
_ADVISORY_LOCK = 7_202_611


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[Connection], None]


def _create(*tables):
    def apply(conn: Connection) -> None:
        for table in tables:
            table.create(conn)

    return apply


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "datasets, pilot observations and the event history",
        _create(schema.datasets, schema.pilot_observations, schema.events),
    ),
    Migration(
        2,
        "named scenarios, headline-figure history, settings and opt-in survey answers",
        _create(schema.scenarios, schema.figures, schema.settings, schema.survey_answers),
    ),
    Migration(3, "role assignments by e-mail", _create(schema.roles)),
)

LATEST = MIGRATIONS[-1].version


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_ADVISORY_LOCK})")


def current_version(engine: Engine) -> int:
    """The newest migration applied, 0 for an empty database."""
    with engine.connect() as conn:
        if not conn.dialect.has_table(conn, schema.migrations_table.name):
            return 0
        versions = conn.execute(select(schema.migrations_table.c.version)).scalars().all()
    return max(versions, default=0)


def migrate(engine: Engine, migrations: tuple[Migration, ...] = MIGRATIONS) -> list[Migration]:
    """Bring the database up to the newest migration; returns those applied now (none
    when it was up to date)."""
    applied: list[Migration] = []
    # Up to date (every start but the first): a read, which never waits for a writer.
    if current_version(engine) >= max(m.version for m in migrations):
        return applied
    with engine.connect().execution_options(roi_write=True) as conn, conn.begin():
        _lock(conn)
        schema.migrations_table.create(conn, checkfirst=True)
    for migration in migrations:
        with engine.connect().execution_options(roi_write=True) as conn, conn.begin():
            _lock(conn)
            done = conn.execute(
                select(schema.migrations_table.c.version).where(
                    schema.migrations_table.c.version == migration.version
                )
            ).first()
            if done is not None:
                continue
            migration.apply(conn)
            conn.execute(
                schema.migrations_table.insert().values(
                    version=migration.version,
                    name=migration.name,
                    applied_at=datetime.now(UTC),
                )
            )
        applied.append(migration)
    return applied
