"""The store's tables, as of the newest migration (:mod:`roi.store.migrations` builds them
step by step; a test checks that the two agree).

Every kept thing carries its provenance: who wrote it, when, and (for datasets) the source
file's name and SHA-256 and the validation report. Nothing is ever deleted by the app:
``deleted_at``/``deleted_by`` mark a soft delete, which ``restore`` undoes.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

metadata = MetaData()

LIVE = text("deleted_at IS NULL")

migrations_table = Table(
    "schema_migrations",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

datasets = Table(
    "datasets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("name", Text, nullable=False),
    Column("source_file", Text, nullable=False),
    Column("sha256", String(64), nullable=False),  # of the file's bytes (provenance)
    # Of the file, its companion files and the options it was read with: its identity.
    Column("fingerprint", String(64), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", Text, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("report", Text, nullable=False),  # validation report (JSON)
    Column("content", Text),  # source text, or aggregates for a survey (JSON)
    Column("meta", Text, nullable=False),  # options the file was read with (JSON)
    Column("deleted_at", DateTime(timezone=True)),
    Column("deleted_by", Text),
    # The same file read the same way is kept once while live.
    Index(
        "datasets_live_fingerprint",
        "kind",
        "fingerprint",
        unique=True,
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    ),
)

# Row tables of big files carry ``dataset_id`` without a foreign-key constraint: the
# constraint's check on each of a million rows would triple the import's time, and rows are
# only ever written in the same transaction as their dataset (and never deleted alone).
pilot_observations = Table(
    "pilot_observations",
    metadata,
    Column("dataset_id", Integer, nullable=False, index=True),
    Column("line", Integer, nullable=False),
    Column("use_case_id", Text, nullable=False),
    Column("metric", Text, nullable=False),
    Column("group", Text, nullable=False),
    Column("value", Float, nullable=False),
    Column("period", Text, nullable=False),
    Column("date", Text, nullable=False),
    Column("unit_id", Text, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", String(40), nullable=False),
    Column("dataset_id", Integer, ForeignKey("datasets.id")),
    Column("scenario_id", Integer),
    Column("detail", Text, nullable=False),
)

# Migration 2.
scenarios = Table(
    "scenarios",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("case_id", Integer, ForeignKey("datasets.id"), nullable=False),
    Column("levers", Text, nullable=False),  # slider values (JSON)
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Text, nullable=False),
    Column("deleted_at", DateTime(timezone=True)),
    Column("deleted_by", Text),
    Index("scenarios_live_name", "name", unique=True, sqlite_where=LIVE, postgresql_where=LIVE),
)

figures = Table(
    "figures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_name", Text, nullable=False, index=True),
    Column("case_id", Integer, ForeignKey("datasets.id"), nullable=False),
    Column("scenario_id", Integer, ForeignKey("scenarios.id")),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("recorded_by", Text, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("npv", Float, nullable=False),
    Column("pv_benefits", Float, nullable=False),
    Column("pv_costs", Float, nullable=False),
    Column("roi", Float),
    Column("payback_months", Float),
)

settings = Table(
    "settings",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("changed_by", Text, nullable=False),
)

roles = Table(
    "roles",
    metadata,
    Column("email", String(320), primary_key=True),  # lower-case
    Column("role", String(20), nullable=False),
    Column("assigned_at", DateTime(timezone=True), nullable=False),
    Column("assigned_by", Text, nullable=False),
)

survey_answers = Table(
    "survey_answers",
    metadata,
    Column("dataset_id", Integer, nullable=False, index=True),  # see pilot_observations
    Column("respondent_id", Text, nullable=False),
    Column("wave", Text, nullable=False),
    Column("team", Text, nullable=False),
    Column("item", Text, nullable=False),
    Column("answer", Float, nullable=False),
)
