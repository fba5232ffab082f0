"""The role table: who (by verified e-mail) holds which role, who assigned it and when.
Changing it needs the right to manage roles; every change is an event."""

from __future__ import annotations

from sqlalchemy import insert, select, update

from roi.access import Actor, Right, Role, check_email, require
from roi.io.problems import Problem
from roi.store import schema
from roi.store.imports import StoreInputError
from roi.store.records import NotFound, RoleAssignment, as_utc, lock_key, utc_now


class RoleMethods:
    """The role table: mixed into :class:`~roi.store.core.Store`, whose transactions
    (``_read``, ``_write``) and event log (``_event``) it uses."""

    def roles(self) -> list[RoleAssignment]:
        """The role table, by e-mail."""
        table = schema.roles
        with self._read() as conn:
            return [
                RoleAssignment(r.email, Role(r.role), as_utc(r.assigned_at), r.assigned_by)
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
            lock_key(conn, f"role:{email}")
            now = utc_now()
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
