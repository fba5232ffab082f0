"""The store: datasets with their provenance, named scenarios, the history of each case's
headline figures, settings and the event history, in one SQL database.

Every write is one transaction: a file is validated in full before the transaction starts
(:func:`roi.store.imports.prepare`), and a failure part-way through the writing rolls all of
it back. Each write records who made it in ``events``.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from roi.access import Actor, Right, require
from roi.core.casefile import load_case_text
from roi.culture.report import report_from_record
from roi.impact.report import ImpactReport, impact_from_record
from roi.io.problems import Problem
from roi.portfolio.register import Register, read_register
from roi.store import schema
from roi.store.bulk import write_rows
from roi.store.db import DatabaseFailure, database_url, display_url, make_engine
from roi.store.imports import PILOT_COLUMNS, Prepared, StoreInputError
from roi.store.migrations import LATEST, current_version, migrate
from roi.store.records import (
    ANONYMISED,
    DATASET_COLUMNS,
    BelowThreshold,
    Dataset,
    Event,
    ImportResult,
    NotFound,
    StoredSurvey,
    as_utc,
    check_id,
    dataset_from_row,
    lock_key,
    utc_now,
)
from roi.store.roles import RoleMethods
from roi.store.scenarios import ScenarioMethods
from roi.store.settings import SETTINGS, checked_setting


class Store(ScenarioMethods, RoleMethods):
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
                at=utc_now(), actor=actor, action=action, detail=detail, **ids
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
        if prepared.kind in ANONYMISED:  # refused alike whether or not it was kept before
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
        kind = prepared.kind
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
            raise StoreInputError(kind, problems)

    def _insert(self, conn: Connection, prepared: Prepared, user: str) -> int:
        if prepared.kind in ANONYMISED:
            self._check_survey(conn, prepared)
        now = utc_now()
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
        rows = "" if prepared.kind in ANONYMISED else f" ({prepared.rows:,} rows)"
        detail = f"imported {prepared.kind} {prepared.source_file}{rows}"
        self._event(conn, user, "import", detail, dataset_id=dataset_id)
        return dataset_id

    def _live_by_fingerprint(self, kind: str, fingerprint: str) -> Dataset | None:
        with self._read() as conn:
            row = conn.execute(
                select(*DATASET_COLUMNS).where(
                    schema.datasets.c.kind == kind,
                    schema.datasets.c.fingerprint == fingerprint,
                    schema.datasets.c.deleted_at.is_(None),
                )
            ).first()
        return None if row is None else dataset_from_row(row)

    def datasets(self, kind: str | None = None, include_deleted: bool = False) -> list[Dataset]:
        """Datasets newest first; live ones only unless ``include_deleted``."""
        query = select(*DATASET_COLUMNS).order_by(schema.datasets.c.id.desc())
        if kind is not None:
            query = query.where(schema.datasets.c.kind == kind)
        if not include_deleted:
            query = query.where(schema.datasets.c.deleted_at.is_(None))
        with self._read() as conn:
            return [dataset_from_row(row) for row in conn.execute(query)]

    def dataset(self, dataset_id: int) -> Dataset:
        check_id(dataset_id, "dataset")
        with self._read() as conn:
            row = conn.execute(
                select(*DATASET_COLUMNS).where(schema.datasets.c.id == dataset_id)
            ).first()
        if row is None:
            raise NotFound(f"no dataset {dataset_id}")
        return dataset_from_row(row)

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
        check_id(dataset_id, "dataset")
        table = schema.datasets
        state = table.c.deleted_at.is_(None) if deleting else table.c.deleted_at.is_not(None)
        values = {"deleted_at": utc_now(), "deleted_by": user} if deleting else {
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

    def impact(self, dataset_id: int) -> ImpactReport:
        """A kept measured impact's aggregates. One made with smaller groups than today's
        anonymity threshold is not handed out (:class:`BelowThreshold`)."""
        dataset, content = self._content(dataset_id, "impact")
        threshold = self.min_group()
        if not dataset.shown_at(threshold):
            raise BelowThreshold(
                f"measured impact {dataset_id} was kept with groups of"
                f" {dataset.meta.get('min_group')} or more shown; the anonymity threshold is"
                f" now {threshold}, so it is not shown: save its files again"
            )
        return impact_from_record(json.loads(content)["report"])

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
        value = checked_setting(key, value)
        table = schema.settings
        with self._write() as conn:
            lock_key(conn, f"setting:{key}")  # the first two writers must not both insert
            now = utc_now()
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

    def events(self, limit: int = 200) -> list[Event]:
        table = schema.events
        with self._read() as conn:
            rows = conn.execute(select(table).order_by(table.c.id.desc()).limit(limit))
            return [
                Event(r.id, as_utc(r.at), r.actor, r.action, r.dataset_id, r.scenario_id, r.detail)
                for r in rows
            ]
