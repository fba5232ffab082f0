"""Named scenarios (a kept case and its slider values, with their headline figures) and the
history of each case's figures: saving under a live name replaces the scenario and keeps the
old one, a link to a replaced scenario follows to the live one."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert, select, update

from roi.access import Actor, Right, require
from roi.core.engine import evaluate
from roi.io.problems import Problem
from roi.store import schema
from roi.store.imports import Figures, StoreInputError, figures_of
from roi.store.records import FigureRecord, NotFound, Scenario, as_utc, check_id, lock_key, utc_now


class ScenarioMethods:
    """Named scenarios and the figure history of each case: mixed into
    :class:`~roi.store.core.Store`, whose transactions (``_read``, ``_write``) and event
    log (``_event``) they use."""

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
            lock_key(conn, f"scenario:{name}")  # one writer of this name at a time
            now = utc_now()
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
            created_at=as_utc(row.created_at),
            created_by=row.created_by,
            deleted_at=as_utc(row.deleted_at),
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
        check_id(scenario_id, "scenario")
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
        check_id(scenario_id, "scenario")
        table = schema.scenarios
        with self._write() as conn:
            done = conn.execute(
                update(table)
                .where(table.c.id == scenario_id, table.c.deleted_at.is_(None))
                .values(deleted_at=utc_now(), deleted_by=user)
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
                    recorded_at=as_utc(row.recorded_at),
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
