"""The AI tools side by side: per tool its active people over a trailing window, its licences,
its spend and its cost per active person, and the people who use more than one tool
(:func:`compare_tools`).

Definitions (each said again in the result's ``basis`` fields and notes):

- A tool's exports are read together (a month of Claude Code's one-day files, two Cursor
  exports): a user-day given in two files is counted once.
- **Active people** over the trailing ``window_days`` days up to the tool's last date:
  distinct users with an active user-day in that window where the exports list user-days
  (Cursor, Claude Code, GitHub's per-user reports); else, from a per-user snapshot (Microsoft
  365 Copilot's user detail report), the users of the latest snapshot whose last activity is
  in the window; else the daily table's own figure on the last date, summed over its teams:
  ``monthly_active_users`` (the export's own window, which may not be ``window_days``), or
  failing that ``active_users`` of that one day, which is no window count.
- **Listed people**: distinct users with a record in the window (user-days) or in the latest
  snapshot; ``None`` for aggregate exports, which name no one.
- **Licensed**: the seats given for the tool, else the daily table's ``licensed_users`` on the
  last date (for Cursor, the members listed; its label says what it counts).
- **Reported spend**: the vendor's reported ``cost`` summed over the window (from the
  user-days where they carry it, else the daily table), in the exports' one currency.
- **Licence spend** for the window: licensed × the monthly seat price × ``window_days`` ÷
  30.4375 (an average month, 365.25 ÷ 12); the seat price is taken to be in the currency of
  the reported spend.
- **Cost per active person**: (licence spend + reported spend) ÷ active people, over the
  window; only where the active count is one over a window.
- **People in several tools**: identities active in the windows of two or more tools,
  compared trimmed and case-folded (``Dev@x.com`` in Cursor and ``dev@x.com`` in Claude Code
  are one person). GitHub names people by login, not e-mail: a login matches another tool's
  e-mail only when it is the same string. Each tool's window ends on its own last date.
- **Licences per person**: Σ licensed over the tools that also name their users ÷ distinct
  people listed by those tools (above 1: people hold several tools' licences).

May import :mod:`roi.adoption.formats.common`, :mod:`roi.io` and pandas.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from roi.adoption.formats.common import Telemetry

AVERAGE_MONTH_DAYS = 365.25 / 12  # 30.4375
MAX_WINDOW_DAYS = 366
IDENTITY_NOTE = (
    "people are matched across tools by user name compared trimmed and case-folded: an e-mail"
    " in Cursor and the same e-mail in Claude Code are one person; GitHub's reports name people"
    " by GitHub login, which is not an e-mail and matches another tool's user only when it is"
    " the same string; Claude Code's API-key actors are keys, not people"
)


@dataclass(frozen=True)
class ToolUse:
    """One tool's figures over its window (``window``: first and last day, YYYY-MM-DD).
    ``active_basis`` and ``licensed_basis`` say where the counts come from; spends are in
    ``currency`` (the reported spend's; ``None`` when no export states one)."""

    tool: str
    formats: tuple[str, ...]
    window: tuple[str, str] | None
    active_users: int | None
    active_basis: str
    listed_users: int | None
    licensed_users: int | None
    licensed_basis: str
    reported_spend: float | None
    currency: str | None
    licence_spend: float | None
    cost_per_active_user: float | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Overlap:
    """People active in both ``tools`` (each over its own window)."""

    tools: tuple[str, str]
    people: int


@dataclass(frozen=True)
class ToolComparison:
    """The tools side by side (:func:`compare_tools`). Counts of people are ``None`` where
    fewer tools than needed name their users; ``shared_people`` are the identities active in
    more than one tool, as first written."""

    window_days: int
    tools: tuple[ToolUse, ...]
    people_listed: int | None
    people_active: int | None
    people_in_several_tools: int | None
    shared_people: tuple[str, ...]
    overlaps: tuple[Overlap, ...]
    licences: int | None
    licences_per_person: float | None
    notes: tuple[str, ...]

    def table(self) -> pd.DataFrame:
        """One row per tool: its window, counts, spends and their bases."""
        rows = [
            {
                "tool": use.tool,
                "window_start": use.window[0] if use.window else None,
                "window_end": use.window[1] if use.window else None,
                "active_users": use.active_users,
                "active_basis": use.active_basis,
                "listed_users": use.listed_users,
                "licensed_users": use.licensed_users,
                "licensed_basis": use.licensed_basis,
                "reported_spend": use.reported_spend,
                "licence_spend": use.licence_spend,
                "currency": use.currency,
                "cost_per_active_user": use.cost_per_active_user,
            }
            for use in self.tools
        ]
        return pd.DataFrame(rows, columns=list(_TABLE_COLUMNS))


_TABLE_COLUMNS = (
    "tool",
    "window_start",
    "window_end",
    "active_users",
    "active_basis",
    "listed_users",
    "licensed_users",
    "licensed_basis",
    "reported_spend",
    "licence_spend",
    "currency",
    "cost_per_active_user",
)


@dataclass(frozen=True)
class _People:
    """A tool's identities: key (trimmed, case-folded) → as first written."""

    listed: dict[str, str]
    active: dict[str, str]


def compare_tools(
    telemetries: Sequence[Telemetry],
    seats: Mapping[str, int] | None = None,
    seat_prices: Mapping[str, float] | None = None,
    window_days: int = 28,
) -> ToolComparison:
    """The tools of ``telemetries`` side by side (see the module's docstring).

    Parameters
    ----------
    telemetries
        Exports read by :func:`roi.adoption.telemetry.read_telemetry`, of one or several tools
        (several exports of one tool are read together).
    seats
        Licences per tool (``{"Cursor": 40}``), matched to :attr:`Telemetry.tool` without
        regard to case; a tool without seats uses its export's licence count, if any.
    seat_prices
        Price of one seat per month per tool, in the currency of its reported spend.
    window_days
        The trailing window for active people and spend, 1 to 366 days.

    Raises
    ------
    ValueError
        For a window outside 1 to 366 days, a seat count that is not a whole number from 0,
        or a price that is not a finite number from 0.
    """
    seats_by_tool = _checked(seats or {}, "seats", whole=True)
    prices_by_tool = _checked(seat_prices or {}, "seat_prices", whole=False)
    if isinstance(window_days, bool) or not isinstance(window_days, int):
        raise ValueError(f"window_days must be a whole number of days, got {window_days!r}")
    if not 1 <= window_days <= MAX_WINDOW_DAYS:
        raise ValueError(f"window_days must be from 1 to {MAX_WINDOW_DAYS}, got {window_days}")
    by_tool: dict[str, list[Telemetry]] = {}
    for telemetry in telemetries:
        by_tool.setdefault(telemetry.tool, []).append(telemetry)
    notes = [IDENTITY_NOTE]
    measured = {t.casefold() for t in by_tool}
    for given, what in ((seats or {}, "seats"), (seat_prices or {}, "seat prices")):
        for name in given:
            if str(name).strip().casefold() not in measured:
                notes.append(f"{what} are given for {name!r}, which no export measures")
    uses, people = [], {}
    for tool, parts in by_tool.items():
        use, found = _tool_use(
            tool, parts, seats_by_tool.get(tool.casefold()), prices_by_tool.get(tool.casefold()),
            window_days,
        )  # fmt: skip
        uses.append(use)
        if found is not None:
            people[tool] = found
    return _with_people(window_days, tuple(uses), people, notes)


def _checked(values: Mapping[str, float], name: str, whole: bool) -> dict[str, float]:
    out = {}
    for tool, value in values.items():
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if whole:
            number = number and float(value).is_integer()
        if not number or not math.isfinite(value) or value < 0:
            kind = "a whole number from 0" if whole else "a finite number from 0"
            raise ValueError(f"{name}[{tool!r}] must be {kind}, got {value!r}")
        out[str(tool).strip().casefold()] = int(value) if whole else float(value)
    return out


def _key(user: object) -> str:
    return str(user).strip().casefold()


def _tool_use(
    tool: str,
    parts: list[Telemetry],
    seats: float | None,
    price: float | None,
    window_days: int,
) -> tuple[ToolUse, _People | None]:
    notes: list[str] = []
    scopes = sorted({p.scope for p in parts if p.scope})
    if len(scopes) > 1:
        notes.append(f"exports of {len(scopes)} scopes read together: {', '.join(scopes)}")
    user_days = _user_days(parts, notes)
    snapshot = _snapshot(parts) if user_days is None else None
    dailies = [p.daily for p in parts if not p.daily.empty]
    daily = pd.concat(dailies, ignore_index=True) if dailies else parts[0].daily
    last = _last_date(user_days, snapshot, daily)
    if last is None:
        empty = ToolUse(
            tool, _formats(parts), None, None, "no dated record in the exports", None, None,
            "no licence count", None, None, None, None, (*notes, "the exports hold no day"),
        )  # fmt: skip
        return empty, None
    start = last - pd.Timedelta(days=window_days - 1)
    window = (start.date().isoformat(), last.date().isoformat())
    found, basis = _people(user_days, snapshot, start, last, window_days, notes)
    if found is not None:
        active, windowed = len(found.active), True
    else:
        active, basis, windowed = _daily_active(daily, last, parts)
    licensed, licensed_basis = _licensed(seats, daily, last, parts)
    spend, currency = _reported_spend(parts, user_days, daily, start, last, notes)
    licence_spend = None
    if price is not None:
        if licensed is None:
            notes.append("a seat price is given but no licence count: no licence spend")
        else:
            licence_spend = licensed * price * window_days / AVERAGE_MONTH_DAYS
    per_person = None
    if licence_spend is not None or spend is not None:
        if not windowed:
            notes.append("no cost per active person: the active count is not one over a window")
        elif active:
            per_person = ((licence_spend or 0.0) + (spend or 0.0)) / active
    use = ToolUse(
        tool=tool,
        formats=_formats(parts),
        window=window,
        active_users=active,
        active_basis=basis,
        listed_users=len(found.listed) if found is not None else None,
        licensed_users=licensed,
        licensed_basis=licensed_basis,
        reported_spend=spend,
        currency=currency,
        licence_spend=licence_spend,
        cost_per_active_user=per_person,
        notes=tuple(notes),
    )
    return use, found


def _formats(parts: list[Telemetry]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.format for p in parts))


def _user_days(parts: list[Telemetry], notes: list[str]) -> pd.DataFrame | None:
    """The tool's user-days from all its exports, a (date, user) given twice kept once."""
    frames = [p.user_days for p in parts if p.user_days is not None and not p.user_days.empty]
    if not frames:
        return None
    joined = pd.concat(frames, ignore_index=True)
    joined = joined[joined["user"].notna()].copy()
    joined["key"] = joined["user"].map(_key)
    repeated = joined.duplicated(["date", "key"])
    if repeated.any():
        notes.append(
            f"{int(repeated.sum())} user-day(s) are in more than one export; each is counted once"
        )
    return joined[~repeated]


def _snapshot(parts: list[Telemetry]) -> pd.DataFrame | None:
    """The latest per-user snapshot of the tool's exports (``None`` without one)."""
    frames = [p.users for p in parts if p.users is not None and not p.users.empty]
    if not frames:
        return None
    users = pd.concat(frames, ignore_index=True)
    latest = users[users["snapshot"] == users["snapshot"].max()].copy()
    latest["key"] = latest["user"].map(_key)
    return latest.drop_duplicates("key")


def _last_date(
    user_days: pd.DataFrame | None, snapshot: pd.DataFrame | None, daily: pd.DataFrame
) -> pd.Timestamp | None:
    if user_days is not None:
        return pd.Timestamp(user_days["date"].max())
    if snapshot is not None:
        return pd.Timestamp(snapshot["snapshot"].max())
    if daily.empty:
        return None
    return pd.Timestamp(daily["date"].max())


def _people(
    user_days: pd.DataFrame | None,
    snapshot: pd.DataFrame | None,
    start: pd.Timestamp,
    last: pd.Timestamp,
    window_days: int,
    notes: list[str],
) -> tuple[_People | None, str]:
    """The identities listed and active in the window, and the basis of the count."""
    day = last.date().isoformat()
    if user_days is not None:
        inside = user_days[(user_days["date"] >= start) & (user_days["date"] <= last)]
        first = pd.Timestamp(user_days["date"].min())
        if first > start:
            covered = (last - first).days + 1
            notes.append(
                f"the exports cover {covered} of the {window_days} days of the window: people"
                " active only before them are not counted"
            )
        listed = _first_spelling(inside)
        active = _first_spelling(inside[inside["active"].astype(bool)])
        basis = f"distinct people active in the {window_days} days up to {day} (user-days)"
        return _People(listed, active), basis
    if snapshot is not None:
        recent = snapshot["last_activity"] >= start
        basis = (
            f"people of the {day} snapshot whose last activity is in the {window_days} days up"
            " to it"
        )
        return _People(_first_spelling(snapshot), _first_spelling(snapshot[recent])), basis
    return None, ""


def _first_spelling(frame: pd.DataFrame) -> dict[str, str]:
    first = frame.drop_duplicates("key")
    return dict(zip(first["key"], first["user"].astype(str).str.strip(), strict=True))


def _latest_rows(daily: pd.DataFrame, last: pd.Timestamp) -> pd.DataFrame:
    """The daily rows of ``last``, one per team (the last export's where files overlap)."""
    rows = daily[daily["date"] == last]
    return rows.drop_duplicates("team", keep="last")


def _daily_active(
    daily: pd.DataFrame, last: pd.Timestamp, parts: list[Telemetry]
) -> tuple[int | None, str, bool]:
    """Active people from the daily table's last date: the count, its basis and whether it
    is a count over a window."""
    rows = _latest_rows(daily, last)
    day = last.date().isoformat()
    if rows["monthly_active_users"].notna().any():
        label = parts[0].label("monthly_active_users")
        basis = f"the export's monthly active users on {day} ({label})"
        return int(rows["monthly_active_users"].sum()), basis, True
    if rows["active_users"].notna().any():
        basis = f"people active on {day} alone: the export has no count over a window"
        return int(rows["active_users"].sum()), basis, False
    return None, "no activity figure in the exports", False


def _licensed(
    seats: float | None, daily: pd.DataFrame, last: pd.Timestamp, parts: list[Telemetry]
) -> tuple[int | None, str]:
    if seats is not None:
        return int(seats), "seats given"
    rows = _latest_rows(daily, last)
    if rows["licensed_users"].notna().any():
        label = parts[0].label("licensed_users")
        return int(
            rows["licensed_users"].sum()
        ), f"the export's licensed users on the last day ({label})"
    return None, "no licence count (give the seats)"


def _reported_spend(
    parts: list[Telemetry],
    user_days: pd.DataFrame | None,
    daily: pd.DataFrame,
    start: pd.Timestamp,
    last: pd.Timestamp,
    notes: list[str],
) -> tuple[float | None, str | None]:
    currencies = sorted({p.currency for p in parts if p.currency})
    if user_days is not None and "cost" in user_days and user_days["cost"].notna().any():
        inside = (user_days["date"] >= start) & (user_days["date"] <= last)
        spend = float(user_days.loc[inside, "cost"].sum())
    elif daily["cost"].notna().any():
        rows = daily[(daily["date"] >= start) & (daily["date"] <= last)]
        spend = float(rows.drop_duplicates(["date", "team"], keep="last")["cost"].sum())
    else:
        return None, currencies[0] if len(currencies) == 1 else None
    if len(currencies) > 1:
        notes.append(
            f"spend reported in {', '.join(currencies)}: amounts in two currencies are not added"
        )
        return None, None
    if not currencies:
        notes.append("the exports report spend without naming its currency")
        return spend, None
    return spend, currencies[0]


def _with_people(
    window_days: int,
    uses: tuple[ToolUse, ...],
    people: dict[str, _People],
    notes: list[str],
) -> ToolComparison:
    named = [u.tool for u in uses if u.tool in people]
    for use in uses:
        if use.tool not in people and use.window is not None:
            notes.append(
                f"{use.tool}'s exports do not name their users: it is left out of the overlap"
            )
    if not people:
        return ToolComparison(window_days, uses, None, None, None, (), (), None, None, tuple(notes))
    listed: dict[str, str] = {}
    active: dict[str, str] = {}
    for tool in named:
        listed = people[tool].listed | listed
        active = people[tool].active | active
    tools_of = {key: [t for t in named if key in people[t].active] for key in active}
    shared = sorted(active[key] for key, tools in tools_of.items() if len(tools) > 1)
    overlaps = tuple(
        Overlap((a, b), len(people[a].active.keys() & people[b].active.keys()))
        for a, b in itertools.combinations(named, 2)
    )
    several = len(shared) if len(named) > 1 else None
    if len(named) < 2:
        notes.append("only one tool names its users: no overlap between tools can be counted")
    counted = [u for u in uses if u.tool in people and u.licensed_users is not None]
    for use in uses:
        if use.tool not in people and use.licensed_users is not None:
            notes.append(
                f"{use.tool}'s licences are left out of licences per person: its exports do not"
                " name their users"
            )
    licences = sum(u.licensed_users or 0 for u in counted) if counted else None
    holders: set[str] = set()
    for use in counted:
        holders |= people[use.tool].listed.keys()
    per_person = licences / len(holders) if licences is not None and holders else None
    return ToolComparison(
        window_days=window_days,
        tools=uses,
        people_listed=len(listed),
        people_active=len(active),
        people_in_several_tools=several,
        shared_people=tuple(shared) if several is not None else (),
        overlaps=overlaps,
        licences=licences,
        licences_per_person=per_person,
        notes=tuple(notes),
    )
