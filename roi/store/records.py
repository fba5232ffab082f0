"""What the store gives back: frozen records of datasets, imports, scenarios, figure history,
events, role assignments and kept surveys, the store's not-found errors, and the id, time
and locking conventions every table follows (ids are 32-bit, every time is UTC)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, text

from roi.access import Role
from roi.culture.report import SurveyReport
from roi.store import schema

# Kinds kept as aggregates with an anonymity threshold (their figures shown only at it).
ANONYMISED = ("survey", "impact")


class NotFound(LookupError):
    """No such dataset or scenario (or not in the state the action needs)."""


class BelowThreshold(NotFound):
    """A kept survey scored with smaller groups than the anonymity threshold now in force."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """Every time kept is UTC: SQLite gives back naive datetimes, PostgreSQL aware ones in
    the session's time zone."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


def check_id(value: int, what: str) -> int:
    if not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise NotFound(f"no {what} {value}")
    return value


def lock_key(conn: Connection, key: str) -> None:
    """Serialise writers of one key (a scenario name, a setting) until the transaction ends:
    PostgreSQL's advisory lock; SQLite's write transactions are serial already."""
    if conn.dialect.name == "postgresql":
        number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": number})


@dataclass(frozen=True)
class Dataset:
    id: int
    kind: str
    name: str
    source_file: str
    sha256: str
    fingerprint: str
    imported_at: datetime
    imported_by: str
    rows: int
    report: dict
    meta: dict
    deleted_at: datetime | None
    deleted_by: str | None

    @property
    def live(self) -> bool:
        return self.deleted_at is None

    def shown_at(self, threshold: int) -> bool:
        """Whether its figures and row count may be shown under the anonymity threshold
        ``threshold``: a survey or measured impact only when made with groups no smaller
        (beside another save of it, a count at a lower threshold could give away a group
        now hidden)."""
        return self.kind not in ANONYMISED or self.meta.get("min_group", 0) >= threshold

    def to_dict(self) -> dict[str, Any]:
        """The ``db list --json`` record."""
        return {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "source_file": self.source_file,
            "sha256": self.sha256,
            "imported_at": self.imported_at.isoformat(),
            "imported_by": self.imported_by,
            "rows": self.rows,
        }


@dataclass(frozen=True)
class ImportResult:
    dataset: Dataset
    created: bool  # False when the same file was already kept


@dataclass(frozen=True)
class Scenario:
    id: int
    name: str
    case_id: int
    case_name: str
    levers: dict[str, Any]
    created_at: datetime
    created_by: str
    deleted_at: datetime | None
    deleted_by: str | None


@dataclass(frozen=True)
class FigureRecord:
    recorded_at: datetime
    recorded_by: str
    case_id: int
    scenario_id: int | None
    scenario_name: str | None
    currency: str
    npv: float
    pv_benefits: float
    pv_costs: float
    roi: float | None
    payback_months: float | None


@dataclass(frozen=True)
class Event:
    id: int
    at: datetime
    actor: str
    action: str
    dataset_id: int | None
    scenario_id: int | None
    detail: str


@dataclass(frozen=True)
class RoleAssignment:
    email: str
    role: Role
    assigned_at: datetime
    assigned_by: str


@dataclass(frozen=True)
class StoredSurvey:
    """A kept survey: its aggregates and instrument; the answers are never handed out."""

    report: SurveyReport
    items_csv: str
    answers_kept: bool


def dataset_from_row(row) -> Dataset:
    return Dataset(
        id=row.id,
        kind=row.kind,
        name=row.name,
        source_file=row.source_file,
        sha256=row.sha256,
        fingerprint=row.fingerprint,
        imported_at=as_utc(row.imported_at),
        imported_by=row.imported_by,
        rows=row.rows,
        report=json.loads(row.report),
        meta=json.loads(row.meta),
        deleted_at=as_utc(row.deleted_at),
        deleted_by=row.deleted_by,
    )


DATASET_COLUMNS = [c for c in schema.datasets.c if c.name != "content"]
