"""The store: datasets with their provenance, named scenarios, the history of each case's
headline figures, settings and the event history, in one SQL database.

Every write is one transaction: a file is validated in full before the transaction starts
(:func:`roi.store.imports.prepare`), and a failure part-way through the writing rolls all of
it back. Each write records who made it in ``events``.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from roi.access import Actor, Right, Role, check_email, require
from roi.core.casefile import Problem, load_case_text
from roi.core.engine import evaluate
from roi.culture.scores import MIN_GROUP_DEFAULT, MIN_GROUP_FLOOR, SurveyReport, report_from_record
from roi.portfolio.register import Register, read_register
from roi.store import schema
from roi.store.db import DatabaseFailure, database_url, display_url, make_engine
from roi.store.imports import PILOT_COLUMNS, Figures, Prepared, StoreInputError, figures_of
from roi.store.migrations import LATEST, current_version, migrate

# Settings an admin may change, with their defaults.
SETTINGS: dict[str, str] = {
    "survey.keep_answers": "off",  # keep raw survey answers (never shown or exported)
    "survey.min_group": str(MIN_GROUP_DEFAULT),  # anonymity threshold: smallest group shown
}
MIN_GROUP_CEILING = 100


def _check_setting(key: str, value: str) -> str:
    """The value as kept; ``StoreInputError`` when it is not one the setting takes."""
    if key == "survey.keep_answers" and value not in ("on", "off"):
        raise StoreInputError("setting", [Problem(key, f"{value!r} is not on or off")])
    if key == "survey.min_group":
        text = str(value).strip()
        if not text.isdigit() or not MIN_GROUP_FLOOR <= int(text) <= MIN_GROUP_CEILING:
            raise StoreInputError(
                "setting",
                [Problem(key, f"{value!r} is not a whole number from {MIN_GROUP_FLOOR} to"
                              f" {MIN_GROUP_CEILING}")],
            )  # fmt: skip
        return str(int(text))
    return value


_CHUNK_ROWS = 100_000


class NotFound(LookupError):
    """No such dataset or scenario (or not in the state the action needs)."""


class BelowThreshold(NotFound):
    """A kept survey scored with smaller groups than the anonymity threshold now in force."""


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime | None) -> datetime | None:
    """Every time kept is UTC: SQLite gives back naive datetimes, PostgreSQL aware ones in
    the session's time zone."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


def _check_id(value: int, what: str) -> int:
    if not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise NotFound(f"no {what} {value}")
    return value


def _lock_key(conn: Connection, key: str) -> None:
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
        ``threshold``: a survey only when scored with groups no smaller (beside another
        save of it, a count at a lower threshold could give away a group now hidden)."""
        return self.kind != "survey" or self.meta.get("min_group", 0) >= threshold

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


def _dataset(row) -> Dataset:
    return Dataset(
        id=row.id,
        kind=row.kind,
        name=row.name,
        source_file=row.source_file,
        sha256=row.sha256,
        fingerprint=row.fingerprint,
        imported_at=_utc(row.imported_at),
        imported_by=row.imported_by,
        rows=row.rows,
        report=json.loads(row.report),
        meta=json.loads(row.meta),
        deleted_at=_utc(row.deleted_at),
        deleted_by=row.deleted_by,
    )


_DATASET_COLUMNS = [c for c in schema.datasets.c if c.name != "content"]


class Store:
    """One database. ``Store()`` opens ``DATABASE_URL`` (or the SQLite file under ``data/``)
    and applies any pending migration."""

    def __init__(self, url: str | None = None, *, engine: Engine | None = None, migrate_now=True):
        self.url = database_url(url)
        self.engine = engine if engine is not None else make_engine(self.url)
        if self.engine.dialect.name == "postgresql":
            self._check_encoding()
        if migrate_now:
            migrate(self.engine)
            version = self.version()
            if version > LATEST:
                raise DatabaseFailure(
                    f"its schema version {version} is newer than this version of the app"
                    f" knows ({LATEST}); upgrade the app"
                )

    def _check_encoding(self) -> None:
        with self.engine.connect() as conn:
            encoding = conn.exec_driver_sql("SHOW server_encoding").scalar_one()
        if encoding.upper() not in ("UTF8", "UTF-8"):
            raise DatabaseFailure(
                f"it is encoded {encoding}; the store needs a UTF8 database"
                " (CREATE DATABASE ... ENCODING 'UTF8')"
            )

    @property
    def location(self) -> str:
        return display_url(self.url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def version(self) -> int:
        return current_version(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(roi_write=True) as conn, conn.begin():
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @staticmethod
    def _event(conn: Connection, actor: str, action: str, detail: str, **ids) -> None:
        conn.execute(
            insert(schema.events).values(
                at=_now(), actor=actor, action=action, detail=detail, **ids
            )
        )

    # Datasets ---------------------------------------------------------------------------

    def add(self, prepared: Prepared, actor: Actor) -> ImportResult:
        """Keep a validated file, all of it or (on any failure) none of it. The same file
        read the same way (kind and fingerprint) already kept and live is not kept again.
        Needs the right to save; a survey must be scored with groups no smaller than the
        anonymity threshold in force."""
        require(actor, Right.SAVE)
        user = actor.name
        if prepared.kind == "survey":  # refused alike whether or not it was kept before
            with self._read() as conn:
                self._check_survey(conn, prepared)
        existing = self._live_by_fingerprint(prepared.kind, prepared.fingerprint)
        if existing is not None:
            return ImportResult(existing, created=False)
        try:
            with self._write() as conn:
                dataset_id = self._insert(conn, prepared, user)
        except IntegrityError:
            # Another session kept the same file between the check and the write.
            existing = self._live_by_fingerprint(prepared.kind, prepared.fingerprint)
            if existing is None:
                raise
            return ImportResult(existing, created=False)
        return ImportResult(self.dataset(dataset_id), created=True)

    @staticmethod
    def _setting_in(conn: Connection, key: str) -> str:
        value = conn.execute(
            select(schema.settings.c.value).where(schema.settings.c.key == key)
        ).scalar_one_or_none()
        return SETTINGS[key] if value is None else value

    def _check_survey(self, conn: Connection, prepared: Prepared) -> None:
        """A survey is kept only as the settings in force allow, checked in the writing
        transaction: scored (by the report itself, not what it says of itself elsewhere)
        with groups no smaller than the anonymity threshold, and with raw answers only when
        keeping them is switched on."""
        threshold = int(self._setting_in(conn, "survey.min_group"))
        scored = json.loads(prepared.content or "{}").get("report", {}).get("min_group")
        problems = []
        if (
            not isinstance(scored, int)
            or scored < threshold
            or prepared.meta.get("min_group") != scored
        ):
            problems.append(
                Problem("min_group", f"scored with groups of {scored}; the anonymity threshold"
                        f" in force is {threshold}")
            )  # fmt: skip
        answers = prepared.answers is not None and len(prepared.answers) > 0
        if answers and self._setting_in(conn, "survey.keep_answers") != "on":
            problems.append(
                Problem("answers", "raw answers are kept only when an admin has switched"
                        " keeping them on")
            )  # fmt: skip
        if problems:
            raise StoreInputError("survey", problems)

    def _insert(self, conn: Connection, prepared: Prepared, user: str) -> int:
        if prepared.kind == "survey":
            self._check_survey(conn, prepared)
        now = _now()
        dataset_id = conn.execute(
            insert(schema.datasets)
            .values(
                kind=prepared.kind,
                name=prepared.name,
                source_file=prepared.source_file,
                sha256=prepared.sha256,
                fingerprint=prepared.fingerprint,
                imported_at=now,
                imported_by=user,
                rows=prepared.rows,
                report=json.dumps(prepared.report),
                content=prepared.content,
                meta=json.dumps(prepared.meta),
            )
            .returning(schema.datasets.c.id)
        ).scalar_one()
        if prepared.observations is not None:
            write_rows(conn, schema.pilot_observations, prepared.observations, dataset_id)
        if prepared.answers is not None:
            write_rows(conn, schema.survey_answers, prepared.answers, dataset_id)
        if prepared.figures is not None:
            self._record_figures(conn, prepared.figures, dataset_id, None, user, now)
        # A survey's count of respondents is not written into the history: beside another
        # save of it, it could give away the size of a group hidden by a later threshold.
        rows = "" if prepared.kind == "survey" else f" ({prepared.rows:,} rows)"
        detail = f"imported {prepared.kind} {prepared.source_file}{rows}"
        self._event(conn, user, "import", detail, dataset_id=dataset_id)
        return dataset_id

    def _live_by_fingerprint(self, kind: str, fingerprint: str) -> Dataset | None:
        with self._read() as conn:
            row = conn.execute(
                select(*_DATASET_COLUMNS).where(
                    schema.datasets.c.kind == kind,
                    schema.datasets.c.fingerprint == fingerprint,
                    schema.datasets.c.deleted_at.is_(None),
                )
            ).first()
        return None if row is None else _dataset(row)

    def datasets(self, kind: str | None = None, include_deleted: bool = False) -> list[Dataset]:
        """Datasets newest first; live ones only unless ``include_deleted``."""
        query = select(*_DATASET_COLUMNS).order_by(schema.datasets.c.id.desc())
        if kind is not None:
            query = query.where(schema.datasets.c.kind == kind)
        if not include_deleted:
            query = query.where(schema.datasets.c.deleted_at.is_(None))
        with self._read() as conn:
            return [_dataset(row) for row in conn.execute(query)]

    def dataset(self, dataset_id: int) -> Dataset:
        _check_id(dataset_id, "dataset")
        with self._read() as conn:
            row = conn.execute(
                select(*_DATASET_COLUMNS).where(schema.datasets.c.id == dataset_id)
            ).first()
        if row is None:
            raise NotFound(f"no dataset {dataset_id}")
        return _dataset(row)

    def delete(self, dataset_id: int, actor: Actor) -> Dataset:
        """Soft-delete a live dataset (kept, hidden from lists; :meth:`restore` undoes).
        Needs the right to delete."""
        require(actor, Right.DELETE)
        return self._mark(dataset_id, actor.name, deleting=True)

    def restore(self, dataset_id: int, actor: Actor) -> Dataset:
        """Bring back a deleted dataset; refused when the same file has been kept again
        since (it would be there twice). Needs the right to restore (admins)."""
        require(actor, Right.RESTORE)
        return self._mark(dataset_id, actor.name, deleting=False)

    def _mark(self, dataset_id: int, user: str, deleting: bool) -> Dataset:
        _check_id(dataset_id, "dataset")
        table = schema.datasets
        state = table.c.deleted_at.is_(None) if deleting else table.c.deleted_at.is_not(None)
        values = {"deleted_at": _now(), "deleted_by": user} if deleting else {
            "deleted_at": None,
            "deleted_by": None,
        }  # fmt: skip
        try:
            with self._write() as conn:
                done = conn.execute(
                    update(table).where(table.c.id == dataset_id, state).values(**values)
                ).rowcount
                if not done:
                    exists = conn.execute(select(table.c.id).where(table.c.id == dataset_id))
                    if exists.first() is None:
                        raise NotFound(f"no dataset {dataset_id}")
                    already = "already deleted" if deleting else "not deleted"
                    raise NotFound(f"dataset {dataset_id} is {already}")
                action = "delete" if deleting else "restore"
                self._event(
                    conn, user, action, f"{action}d dataset {dataset_id}", dataset_id=dataset_id
                )
        except IntegrityError:
            raise NotFound(
                f"dataset {dataset_id} cannot be restored: the same file, read the same way, is"
                " kept again as a live dataset"
            ) from None
        return self.dataset(dataset_id)

    def _content(self, dataset_id: int, kind: str) -> tuple[Dataset, str]:
        dataset = self.dataset(dataset_id)
        if dataset.kind != kind:
            raise NotFound(f"dataset {dataset_id} is {dataset.kind}, not {kind}")
        with self._read() as conn:
            content = conn.execute(
                select(schema.datasets.c.content).where(schema.datasets.c.id == dataset_id)
            ).scalar_one()
        return dataset, content

    def observations(self, dataset_id: int) -> pd.DataFrame:
        """A pilot dataset's observations, as :func:`roi.evidence.pilots.read_observations` gave
        them."""
        self._content(dataset_id, "pilots")
        table = schema.pilot_observations
        query = (
            select(*(table.c[name] for name in PILOT_COLUMNS))
            .where(table.c.dataset_id == dataset_id)
            .order_by(table.c.line)
        )
        with self._read() as conn:
            # The driver's own cursor: a million rows through SQLAlchemy's result rows (what
            # pandas.read_sql uses) takes twice as long.
            compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
            cursor = conn.connection.dbapi_connection.cursor()
            try:
                cursor.execute(str(compiled))
                frame = pd.DataFrame.from_records(cursor.fetchall(), columns=list(PILOT_COLUMNS))
            finally:
                cursor.close()
        frame["line"] = frame["line"].astype("int64")
        frame["value"] = frame["value"].astype("float64")
        for column in PILOT_COLUMNS:
            if column not in ("line", "value"):
                frame[column] = frame[column].astype(str)
        return frame

    def source_text(self, dataset_id: int, kind: str) -> str:
        """The kept text of an adoption export or a case file."""
        if kind not in ("adoption", "case"):
            raise NotFound(f"a {kind} dataset keeps no source text")
        return self._content(dataset_id, kind)[1]

    def case(self, dataset_id: int):
        """A kept business case, validated again."""
        dataset, text = self._content(dataset_id, "case")
        return load_case_text(text.encode("utf-8"), dataset.source_file)

    def register(self, dataset_id: int, currency: str | None = None) -> Register:
        """A kept use-case register with the case files it named, in ``currency`` (the one
        it was imported in by default)."""
        dataset, content = self._content(dataset_id, "use-cases")
        data = json.loads(content)
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            for relative, text in data["cases"].items():
                path = root / relative
                if not path.resolve().is_relative_to(root.resolve()):
                    continue  # kept from a CLI import outside the folder; not re-read
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            raw = data["register"].encode("utf-8")
            chosen = currency or dataset.meta["currency"]
            return read_register(raw, dataset.source_file, root, chosen, confine=True)

    def survey(self, dataset_id: int) -> StoredSurvey:
        """A kept survey's aggregates (never its answers). One scored with smaller groups
        than today's anonymity threshold is not handed out (:class:`BelowThreshold`)."""
        dataset, content = self._content(dataset_id, "survey")
        data = json.loads(content)
        threshold = self.min_group()
        if not dataset.shown_at(threshold):  # its meta's min_group is its report's (add)
            raise BelowThreshold(
                f"survey {dataset_id} was kept with groups of {data['report']['min_group']}"
                f" or more shown; the anonymity threshold is now {threshold}, so it is not"
                " shown: save its files again to score them at today's threshold"
            )
        return StoredSurvey(
            report_from_record(data["report"]),
            data["items"],
            bool(dataset.meta.get("answers_kept")),
        )

    def count_answers(self, dataset_id: int) -> int:
        """How many raw answers are kept for a survey (0 unless the opt-in was on)."""
        with self._read() as conn:
            return conn.execute(
                select(func.count())
                .select_from(schema.survey_answers)
                .where(schema.survey_answers.c.dataset_id == dataset_id)
            ).scalar_one()

    def delete_answers(self, dataset_id: int, actor: Actor) -> int:
        """Erase a survey's raw answers for good (the aggregates stay); returns how many.
        Admins only."""
        require(actor, Right.ERASE_ANSWERS)
        user = actor.name
        self._content(dataset_id, "survey")
        table = schema.survey_answers
        with self._write() as conn:
            count = conn.execute(table.delete().where(table.c.dataset_id == dataset_id)).rowcount
            meta = json.loads(
                conn.execute(
                    select(schema.datasets.c.meta).where(schema.datasets.c.id == dataset_id)
                ).scalar_one()
            )
            meta["answers_kept"] = False
            conn.execute(
                update(schema.datasets)
                .where(schema.datasets.c.id == dataset_id)
                .values(meta=json.dumps(meta))
            )
            self._event(
                conn, user, "delete_answers", f"erased {count:,} raw survey answers",
                dataset_id=dataset_id,
            )  # fmt: skip
        return count

    # Scenarios and history --------------------------------------------------------------

    def save_scenario(
        self, name: str, case_id: int, levers: dict[str, Any], figures: Figures, actor: Actor
    ) -> Scenario:
        """Keep a named scenario (a kept case and its slider values) with its headline
        figures; saving under a live scenario's name replaces it (the old one is kept as
        deleted, so the history keeps both). Needs the right to save."""
        require(actor, Right.SAVE)
        user = actor.name
        name = name.strip()
        if not name:
            raise StoreInputError("scenario", [Problem("name", "must not be blank")])
        if any(ord(c) < 32 or ord(c) == 127 for c in name):
            raise StoreInputError("scenario", [Problem("name", "must not hold control characters")])
        if len(name) > 200:
            raise StoreInputError("scenario", [Problem("name", "must be at most 200 characters")])
        case, _ = self._content(case_id, "case")
        if not case.live:
            raise NotFound(f"dataset {case_id} ({case.name}) is deleted; restore it first")
        table = schema.scenarios
        with self._write() as conn:
            _lock_key(conn, f"scenario:{name}")  # one writer of this name at a time
            now = _now()
            replaced = (
                conn.execute(
                    update(table)
                    .where(table.c.name == name, table.c.deleted_at.is_(None))
                    .values(deleted_at=now, deleted_by=user)
                    .returning(table.c.id)
                )
                .scalars()
                .all()
            )
            scenario_id = conn.execute(
                insert(table)
                .values(
                    name=name,
                    case_id=case_id,
                    levers=json.dumps(levers, sort_keys=True),
                    created_at=now,
                    created_by=user,
                )
                .returning(table.c.id)
            ).scalar_one()
            self._record_figures(conn, figures, case_id, scenario_id, user, now)
            detail = f"saved scenario {name!r}" + (
                f" (replacing {', '.join(map(str, replaced))})" if replaced else ""
            )
            self._event(conn, user, "save_scenario", detail, scenario_id=scenario_id)
        return self.scenario(scenario_id)

    @staticmethod
    def _record_figures(conn, figures: Figures, case_id, scenario_id, user, now) -> None:
        conn.execute(
            insert(schema.figures).values(
                case_name=figures.case_name,
                case_id=case_id,
                scenario_id=scenario_id,
                recorded_at=now,
                recorded_by=user,
                currency=figures.currency,
                npv=figures.npv,
                pv_benefits=figures.pv_benefits,
                pv_costs=figures.pv_costs,
                roi=figures.roi,
                payback_months=figures.payback_months,
            )
        )

    def _scenario_query(self):
        table = schema.scenarios
        return select(table, schema.datasets.c.name.label("case_name")).join(
            schema.datasets, schema.datasets.c.id == table.c.case_id
        )

    @staticmethod
    def _scenario(row) -> Scenario:
        return Scenario(
            id=row.id,
            name=row.name,
            case_id=row.case_id,
            case_name=row.case_name,
            levers=json.loads(row.levers),
            created_at=_utc(row.created_at),
            created_by=row.created_by,
            deleted_at=_utc(row.deleted_at),
            deleted_by=row.deleted_by,
        )

    def scenarios(self, include_deleted: bool = False) -> list[Scenario]:
        """Named scenarios, newest first; those whose case is deleted are left out."""
        query = self._scenario_query().where(schema.datasets.c.deleted_at.is_(None))
        if not include_deleted:
            query = query.where(schema.scenarios.c.deleted_at.is_(None))
        with self._read() as conn:
            rows = conn.execute(query.order_by(schema.scenarios.c.id.desc()))
            return [self._scenario(row) for row in rows]

    def scenario(self, scenario_id: int) -> Scenario:
        _check_id(scenario_id, "scenario")
        with self._read() as conn:
            row = conn.execute(
                self._scenario_query().where(schema.scenarios.c.id == scenario_id)
            ).first()
        if row is None:
            raise NotFound(f"no scenario {scenario_id}")
        return self._scenario(row)

    def current_scenario(self, scenario_id: int) -> Scenario | None:
        """The scenario itself if live; the one that replaced it (saved under its name, in
        the same transaction that retired it), followed to the live one; ``None`` when it
        was deleted rather than replaced."""
        table = schema.scenarios
        scenario = self.scenario(scenario_id)
        while scenario.deleted_at is not None:
            retired = select(table.c.deleted_at).where(table.c.id == scenario.id)
            with self._read() as conn:
                successor = conn.execute(
                    select(table.c.id).where(
                        table.c.name == scenario.name,
                        table.c.created_at == retired.scalar_subquery(),
                        table.c.id != scenario.id,
                    )
                ).scalar_one_or_none()
            if successor is None:
                return None
            scenario = self.scenario(successor)
        return scenario

    def delete_scenario(self, scenario_id: int, actor: Actor) -> None:
        """Retire a live scenario (it stays in the history). Needs the right to delete."""
        require(actor, Right.DELETE)
        user = actor.name
        _check_id(scenario_id, "scenario")
        table = schema.scenarios
        with self._write() as conn:
            done = conn.execute(
                update(table)
                .where(table.c.id == scenario_id, table.c.deleted_at.is_(None))
                .values(deleted_at=_now(), deleted_by=user)
            ).rowcount
            if not done:
                raise NotFound(f"no live scenario {scenario_id}")
            self._event(
                conn, user, "delete_scenario", f"deleted scenario {scenario_id}",
                scenario_id=scenario_id,
            )  # fmt: skip

    def history(self, case_name: str) -> list[FigureRecord]:
        """The headline figures recorded for a case (by name), oldest first: each version
        of the case imported and each scenario saved on it."""
        table = schema.figures
        query = (
            select(table, schema.scenarios.c.name.label("scenario_name"))
            .outerjoin(schema.scenarios, schema.scenarios.c.id == table.c.scenario_id)
            .where(table.c.case_name == case_name)
            .order_by(table.c.recorded_at, table.c.id)
        )
        with self._read() as conn:
            return [
                FigureRecord(
                    recorded_at=_utc(row.recorded_at),
                    recorded_by=row.recorded_by,
                    case_id=row.case_id,
                    scenario_id=row.scenario_id,
                    scenario_name=row.scenario_name,
                    currency=row.currency,
                    npv=row.npv,
                    pv_benefits=row.pv_benefits,
                    pv_costs=row.pv_costs,
                    roi=row.roi,
                    payback_months=row.payback_months,
                )
                for row in conn.execute(query)
            ]

    def case_figures(self, case_id: int) -> Figures:
        return figures_of(evaluate(self.case(case_id)))

    # Settings and events ----------------------------------------------------------------

    def setting(self, key: str) -> str:
        if key not in SETTINGS:
            raise NotFound(f"no setting {key!r}")
        with self._read() as conn:
            value = conn.execute(
                select(schema.settings.c.value).where(schema.settings.c.key == key)
            ).scalar_one_or_none()
        return SETTINGS[key] if value is None else value

    def set_setting(self, key: str, value: str, actor: Actor) -> None:
        """Change a setting (admins only)."""
        require(actor, Right.CHANGE_SETTINGS)
        user = actor.name
        if key not in SETTINGS:
            raise NotFound(f"no setting {key!r}")
        value = _check_setting(key, value)
        table = schema.settings
        with self._write() as conn:
            _lock_key(conn, f"setting:{key}")  # the first two writers must not both insert
            now = _now()
            done = conn.execute(
                update(table)
                .where(table.c.key == key)
                .values(value=value, changed_at=now, changed_by=user)
            ).rowcount
            if not done:
                conn.execute(
                    insert(table).values(key=key, value=value, changed_at=now, changed_by=user)
                )
            self._event(conn, user, "setting", f"{key} = {value}")

    def keep_answers(self) -> bool:
        return self.setting("survey.keep_answers") == "on"

    def min_group(self) -> int:
        """The anonymity threshold: no survey figure for a group smaller than this."""
        return int(self.setting("survey.min_group"))

    # Roles ------------------------------------------------------------------------------

    def roles(self) -> list[RoleAssignment]:
        """The role table, by e-mail."""
        table = schema.roles
        with self._read() as conn:
            return [
                RoleAssignment(r.email, Role(r.role), _utc(r.assigned_at), r.assigned_by)
                for r in conn.execute(select(table).order_by(table.c.email))
            ]

    def assigned_role(self, email: str | None) -> Role | None:
        """The role the table gives ``email`` (any case), or ``None``."""
        if not email:
            return None
        table = schema.roles
        with self._read() as conn:
            role = conn.execute(
                select(table.c.role).where(table.c.email == email.strip().lower())
            ).scalar_one_or_none()
        return None if role is None else Role(role)

    @staticmethod
    def _email(email: str) -> str:
        try:
            return check_email(email)
        except ValueError as error:
            raise StoreInputError("role", [Problem("email", str(error))]) from None

    def assign_role(self, email: str, role: Role | str, actor: Actor) -> RoleAssignment:
        """Give ``email`` a role, replacing any it had (admins only)."""
        require(actor, Right.MANAGE_ROLES)
        email = self._email(email)
        try:
            role = Role(role)
        except ValueError:
            raise StoreInputError(
                "role", [Problem("role", f"{role!r} is not viewer, editor or admin")]
            ) from None
        table = schema.roles
        with self._write() as conn:
            _lock_key(conn, f"role:{email}")
            now = _now()
            values = {"role": role.value, "assigned_at": now, "assigned_by": actor.name}
            done = conn.execute(update(table).where(table.c.email == email).values(**values))
            if not done.rowcount:
                conn.execute(insert(table).values(email=email, **values))
            self._event(conn, actor.name, "role", f"{email} is {role.value}")
        return RoleAssignment(email, role, now, actor.name)

    def remove_role(self, email: str, actor: Actor) -> None:
        """Take ``email`` out of the role table (admins only)."""
        require(actor, Right.MANAGE_ROLES)
        email = self._email(email)
        table = schema.roles
        with self._write() as conn:
            done = conn.execute(table.delete().where(table.c.email == email)).rowcount
            if not done:
                raise NotFound(f"{email} has no role in the table")
            self._event(conn, actor.name, "role", f"{email} removed from the role table")

    def events(self, limit: int = 200) -> list[Event]:
        table = schema.events
        with self._read() as conn:
            rows = conn.execute(select(table).order_by(table.c.id.desc()).limit(limit))
            return [
                Event(r.id, _utc(r.at), r.actor, r.action, r.dataset_id, r.scenario_id, r.detail)
                for r in rows
            ]


def _copy_text(frame: pd.DataFrame) -> pd.Series:
    """Each row as a line of PostgreSQL's COPY text format: tab-separated, with backslash,
    tab, newline and carriage return escaped in text, and floats in their shortest exact
    form (read back to the same double). Built column by column, not row by row."""
    parts = []
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_float_dtype(column):
            text = pd.Series([repr(float(v)) for v in column.to_numpy()], index=column.index)
        elif pd.api.types.is_integer_dtype(column):
            text = column.astype("int64").astype(str)
        elif not column.astype(str).str.contains(r"[\\\t\n\r]", regex=True).any():
            text = column.astype(str)
        else:
            text = (
                column.astype(str)
                .str.replace("\\", "\\\\", regex=False)
                .str.replace("\t", "\\t", regex=False)
                .str.replace("\n", "\\n", regex=False)
                .str.replace("\r", "\\r", regex=False)
            )
        parts.append(text)
    line = parts[0]
    for part in parts[1:]:
        line = line + "\t" + part
    return line


def write_rows(conn: Connection, table, frame: pd.DataFrame, dataset_id: int) -> None:
    """Insert a frame's rows into ``table`` for one dataset, inside the caller's transaction:
    PostgreSQL's ``COPY`` (bulk load) in blocks of rows, else the driver's batched
    ``executemany``."""
    try:
        _write_rows(conn, table, frame, dataset_id)
    except conn.dialect.dbapi.Error as error:
        # The driver's own cursor raises the driver's errors: say what failed, in one line.
        lines = str(error).strip().splitlines()
        reason = lines[0] if lines else type(error).__name__
        raise DatabaseFailure(f"the rows could not be written ({reason})") from error


def _write_rows(conn: Connection, table, frame: pd.DataFrame, dataset_id: int) -> None:
    columns = ["dataset_id", *frame.columns]
    names = ", ".join(f'"{c}"' for c in columns)
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        dbapi = conn.connection.dbapi_connection
        sql = f"COPY {table.name} ({names}) FROM STDIN"
        prefix = f"{int(dataset_id)}\t"
        with dbapi.cursor() as cursor, cursor.copy(sql) as copy:
            for start in range(0, len(frame), _CHUNK_ROWS):
                lines = _copy_text(frame.iloc[start : start + _CHUNK_ROWS])
                copy.write(prefix + ("\n" + prefix).join(lines.tolist()) + "\n")
        return
    placeholders = ", ".join("?" if conn.dialect.paramstyle == "qmark" else "%s" for _ in columns)
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({placeholders})"
    if conn.dialect.paramstyle not in ("qmark", "format"):
        rows = frame.to_dict("records")
        statement = insert(table)
        for begin in range(0, len(rows), _CHUNK_ROWS):
            chunk = rows[begin : begin + _CHUNK_ROWS]
            conn.execute(statement, [{"dataset_id": dataset_id, **row} for row in chunk])
        return
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        for begin in range(0, len(frame), _CHUNK_ROWS):
            chunk = frame.iloc[begin : begin + _CHUNK_ROWS]
            # Whole columns to Python lists: iterating Arrow-backed rows one by one is slow.
            values = [chunk[name].tolist() for name in chunk.columns]
            cursor.executemany(sql, zip(repeat(dataset_id), *values, strict=False))
    finally:
        cursor.close()
