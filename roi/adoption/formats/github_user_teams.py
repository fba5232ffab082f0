"""GitHub's Copilot user-teams report (``user-teams-1-day``, organisation or enterprise):
who belongs to which team on a day, joined with the per-user usage reports of the same
days so that their figures are read per team, as GitHub's documentation builds team
metrics (github/docs, ``content/copilot/reference/copilot-usage-metrics/
team-level-metrics.md``: "Inner-join the two reports on (user_id, day, entity_id) ...
Group by team_id (and slug for the team's display name)").

Fields read from each membership record (one per user, team and day): ``day``;
``user_id`` (else ``user_login``) to recognise the person; ``slug`` (else ``team_id``) as
the team's name; ``organization_id`` / ``enterprise_id`` as the report's scope, which must
be the usage report's (two scopes are never merged). A record with usage figures is not a
membership record.

The join (:func:`join`), record by record of a per-user report, on the person and the day:

- a user in several teams that day counts in each (their record is read once per team:
  team figures are each team's members' activity, and summing teams double-counts them, as
  GitHub says);
- a user-day with no membership row (GitHub leaves out teams with fewer than five seated
  Copilot users; a day may lack its user-teams file) is read under :data:`NO_TEAM`, so that
  no activity is lost, with a note counting them; GitHub's inner join would drop them;
- only the 1-day per-user records are joined (top-level records): GitHub warns not to join
  the 28-day per-user report with a day's membership, so records inside a ``day_totals``
  envelope keep their own team, with a note;
- records that already carry ``slug`` or ``team_id`` (joined before upload) are kept as
  they are.

Imports :mod:`roi.io` and the lower formats modules ``common`` and ``github_usage_users``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from roi.adoption.formats.common import QualityNote, TelemetryError, json_where
from roi.adoption.formats.github_usage_users import date_error
from roi.io.problems import Problem

# The team of a user-day with no user-teams row.
NO_TEAM = "(no team)"
# A membership record has one of these and none of the usage report's figures.
TEAM_KEYS = ("slug", "team_id")
PERSON_KEYS = ("user_id", "user_login")
USAGE_HINTS = (
    "user_initiated_interaction_count", "code_generation_activity_count",
    "code_acceptance_activity_count", "loc_added_sum", "totals_by_feature", "used_chat",
    "used_agent", "used_cli", "ai_credits_used", "daily_active_users", "day_totals",
)  # fmt: skip


@dataclass(frozen=True)
class Membership:
    """Teams by (person, day): ``teams[(person, day)]`` the names of the person's teams
    (person: ``id:<user_id>`` or ``login:<user_login>``; day YYYY-MM-DD). ``scope`` as the
    usage reports write theirs (``organization 999``), ``None`` when no row says."""

    teams: dict[tuple[str, str], tuple[str, ...]]
    scope: str | None
    days: frozenset[str]
    sources: tuple[str, ...]


def is_membership(record: Any) -> bool:
    """Whether ``record`` is a user-teams row: a team and a person, and no usage figure."""
    return (
        type(record) is dict
        and any(key in record for key in TEAM_KEYS)
        and any(key in record for key in PERSON_KEYS)
        and not any(key in record for key in USAGE_HINTS)
    )


def person(record: dict) -> str | None:
    """The key of the record's person: its ``user_id`` where given, else its login."""
    uid = record.get("user_id")
    if type(uid) in (int, str) and str(uid).strip():
        return f"id:{str(uid).strip()}"
    login = record.get("user_login")
    if isinstance(login, str) and login.strip():
        return f"login:{login.strip().casefold()}"
    return None


def _team(record: dict) -> str | None:
    slug, team_id = record.get("slug"), record.get("team_id")
    if isinstance(slug, str) and slug.strip():
        return slug.strip()
    if type(team_id) in (int, str) and str(team_id).strip():
        return str(team_id).strip()
    return None


def _scope(record: dict) -> str | None:
    for key, kind in (("organization_id", "organization"), ("enterprise_id", "enterprise")):
        value = record.get(key)
        if type(value) in (int, str) and str(value).strip():
            return f"{kind} {str(value).strip()}"
    return None


def read_membership(records: list[tuple[str, Any]], source: str) -> Membership:
    """The membership rows of one user-teams file (each record with its place).

    Raises
    ------
    TelemetryError
        With every bad record: not a membership row, no day, person or team, or two scopes.
    """
    problems: list[Problem] = []
    teams: dict[tuple[str, str], list[str]] = {}
    scopes: dict[str, str] = {}
    for where, record in records:
        if not is_membership(record):
            message = "must be a user-teams row (user_id, day, team_id or slug, no usage figure)"
            problems.append(Problem(where, message))
            continue
        day, reason = date_error(record.get("day"))
        if day is None:
            shown = "is missing" if record.get("day") is None else str(reason)
            problems.append(Problem(json_where(where, "day"), shown))
        key = person(record)
        if key is None:
            problems.append(
                Problem(json_where(where, "user_id"), "is missing, and so is user_login")
            )
        team = _team(record)
        if team is None:
            shown = f"must be a team's slug (text) or team_id, got {record.get('slug')!r}"
            problems.append(Problem(json_where(where, "slug"), shown))
        scope = _scope(record)
        if scope is not None:
            scopes.setdefault(scope, where)
        if day is not None and key is not None and team is not None:
            found = teams.setdefault((key, day), [])
            if team not in found:
                found.append(team)
    if len(scopes) > 1:
        listed = " and ".join(f"{scope} ({where})" for scope, where in list(scopes.items())[:3])
        problems.append(Problem("", f"holds two scopes, {listed}: read each on its own"))
    if problems:
        raise TelemetryError(source, problems)
    return Membership(
        {key: tuple(names) for key, names in teams.items()},
        next(iter(scopes), None),
        frozenset(day for _, day in teams),
        (source,),
    )


def merged(parts: list[Membership]) -> Membership:
    """Several user-teams files (a month of days) as one membership.

    Raises
    ------
    TelemetryError
        When the files are of two organisations or enterprises.
    """
    scopes = {part.scope for part in parts if part.scope is not None}
    if len(scopes) > 1:
        listed = "; ".join(f"{', '.join(p.sources)}: {p.scope}" for p in parts if p.scope)
        message = f"the user-teams files are of different scopes, never merged: {listed}"
        raise TelemetryError("the user-teams reports", [Problem("", message)])
    teams: dict[tuple[str, str], tuple[str, ...]] = {}
    for part in parts:
        for key, names in part.teams.items():
            teams[key] = tuple(dict.fromkeys((*teams.get(key, ()), *names)))
    return Membership(
        teams,
        next(iter(scopes), None),
        frozenset().union(*(part.days for part in parts)),
        tuple(source for part in parts for source in part.sources),
    )


def join(
    records: list[tuple[str, Any]], membership: Membership
) -> tuple[list[tuple[str, Any]], list[QualityNote]]:
    """The per-user ``records`` of a usage report with each user-day's teams (see the
    module's docstring), and the notes on what could not be joined."""
    out: list[tuple[str, Any]] = []
    alone = enveloped = joined = 0
    days: dict[Any, str | None] = {}
    for where, record in records:
        if type(record) is not dict or not any(key in record for key in PERSON_KEYS):
            enveloped += type(record) is dict and "day_totals" in record
            out.append((where, record))
            continue
        if any(record.get(key) is not None for key in TEAM_KEYS):
            out.append((where, record))  # joined before upload
            continue
        raw_day = record.get("day")
        if raw_day not in days:
            days[raw_day] = date_error(raw_day)[0] if type(raw_day) is str else None
        key, day = person(record), days[raw_day]
        names = membership.teams.get((key, day), ()) if key and day else ()
        if names:
            joined += 1
            out += [(where, {**record, "slug": name}) for name in names]
        else:
            alone += 1
            out.append((where, {**record, "slug": NO_TEAM}))
    return out, _join_notes(alone, joined, enveloped, membership)


def _join_notes(alone: int, joined: int, enveloped: int, membership: Membership) -> list:
    files = ", ".join(membership.sources[:3]) + (
        f" and {len(membership.sources) - 3} more" if len(membership.sources) > 3 else ""
    )
    notes = []
    if alone:
        message = (
            f"{alone} of {alone + joined} user-day(s) have no row in the user-teams report"
            f" ({files}): GitHub leaves out teams with fewer than five seated Copilot users,"
            f" and a day may lack its user-teams file; they are counted under {NO_TEAM!r}"
            " (GitHub's own inner join would drop them)"
        )
        notes.append(QualityNote(None, "user-teams join", message))
    if enveloped:
        message = (
            f"{enveloped} 28-day per-user report(s) are not joined with the user-teams rows:"
            " GitHub warns that one day's membership misattributes 28 days of activity; join"
            " 1-day per-user reports with the same day's user-teams report"
        )
        notes.append(QualityNote(None, "user-teams join", message))
    return notes
