"""Anthropic's Claude Code usage report (format ``claude_code_usage``): the JSON of the Admin
API's ``GET https://api.anthropic.com/v1/organizations/usage_report/claude_code`` (one UTC
day per request, ``starting_at=YYYY-MM-DD``, pages of ``limit`` records), ``{"data": [...],
"has_more": ..., "next_page": ...}``, one record per actor and day.

Fields read, per record (Anthropic's names), and what they become in
:attr:`Telemetry.user_days`:

==========================================  ===============================================
``date``                                    the day, an RFC 3339 time (``2025-08-08T00:00:00Z``)
                                            read as the calendar date written
``actor.email_address`` (``user_actor``)    ``user``, compared trimmed and case-folded; an
or ``actor.api_key_name`` (``api_actor``)   API key's name is an actor but not a person
``actor.type``                              ``actor_type`` (text)
``organization_id``                         :attr:`Telemetry.scope` (one per file)
``customer_type``, ``subscription_type``,   text columns of the same names
``terminal_type``
``core_metrics.num_sessions``               ``sessions``
``core_metrics.lines_of_code.added``        ``lines_added``
``core_metrics.lines_of_code.removed``      ``lines_deleted``
``core_metrics.commits_by_claude_code``     ``commits``
``core_metrics.pull_requests_by_claude_``   ``pull_requests_created_by_ai``
``code``
``tool_actions.<tool>.accepted``            ``acceptances`` = Σ accepted over the tools
``tool_actions.<tool>.rejected``            ``suggestions`` = Σ (accepted + rejected)
``model_breakdown[].model``                 ``model``: the model with the most tokens
``model_breakdown[].tokens.input``,         ``tokens`` = Σ of the four over the models;
``.output``, ``.cache_creation``,           ``input_tokens``, ``output_tokens`` kept apart
``.cache_read``
``model_breakdown[].estimated_cost.amount`` ``cost`` = Σ amount ÷ 100: the amount is in
                                            **cents** (186 is 1.86 USD)
``model_breakdown[].estimated_cost.``       :attr:`Telemetry.currency`, one across the file
``currency``
==========================================  ===============================================

``actions`` = accepted tool actions + sessions: an accepted edit is the analogue of an
accepted completion, a session that of a chat conversation. A member is ``active`` on a day
with a session or any token. Missing counts are NaN in their own column and 0 inside a sum;
a missing ``tool_actions`` or ``model_breakdown`` is empty.

The daily table, per date: ``active_users`` (distinct active actors) and the sums of
``sessions``, ``lines_added``, ``lines_deleted``, ``pull_requests_created_by_ai``,
``suggestions``, ``acceptances``, ``tokens``, ``cost`` and ``actions``
(:func:`~roi.adoption.formats.common.daily_from_user_days` of the user-days, as for every
per-user format); ``monthly_active_users`` only where 28 days of files are read together (the
API serves one day per request). There is no licence count: the report lists actors who used
Claude Code, not seats. :attr:`Telemetry.breakdown` has dimension ``model`` (figures
``cost``, ``tokens`` and ``active_users`` per model) and ``tool`` (``acceptances`` and
``suggestions`` per tool). ``has_more: true`` adds a note that the file is one page.

Refused, each with its place: a record that is not an object, a date missing or not a
calendar date, an actor without its e-mail or key name, a count that is not a whole number
from 0 to 1e15, an amount that is not a number of cents from 0 to 1e15, a currency that is
not a three-letter code or not the file's one currency, two organizations in one file, a
section of the wrong type. Kept with a note: a record repeated exactly (a page read twice:
counted once), an actor listed twice on a day with different figures (one record per
terminal, say: added up, the actor counted once), other spellings of an e-mail, a page of a
longer report.
"""

from __future__ import annotations

import itertools
import math
import re
from typing import Any

import numpy as np
import pandas as pd

from roi.adoption.formats.common import (
    QualityNote,
    Telemetry,
    TelemetryError,
    breakdown_table,
    calendar_quality,
    daily_from_user_days,
    daily_table,
    json_where,
    same_names,
    user_day_table,
)
from roi.adoption.formats.github_json import MAX_COUNT, Counts, read_date
from roi.io.problems import Problem

CENTS_PER_UNIT = 100
CURRENCY = re.compile(r"^[A-Z]{3}$")
TOKENS = ("input", "output", "cache_creation", "cache_read")
# Fields that only Claude Code's records have (detection needs two of them).
KEYS = frozenset(
    ("actor", "core_metrics", "tool_actions", "model_breakdown", "terminal_type", "customer_type")
)
TEXTS = ("customer_type", "subscription_type", "terminal_type")
FIGURES = (
    "sessions",
    "lines_added",
    "lines_deleted",
    "pull_requests_created_by_ai",
    "commits",
    "suggestions",
    "acceptances",
    "tokens",
    "input_tokens",
    "output_tokens",
    "cost",
    "actions",
)
SUMMED = (
    "sessions",
    "lines_added",
    "lines_deleted",
    "pull_requests_created_by_ai",
    "suggestions",
    "acceptances",
    "tokens",
    "cost",
    "actions",
)
LABELS = {
    "active_users": "actors with a session or any token on the day",
    "sessions": "Claude Code sessions started (num_sessions)",
    "lines_added": "lines added by Claude Code",
    "lines_deleted": "lines removed by Claude Code",
    "pull_requests_created_by_ai": "pull requests created through Claude Code",
    "suggestions": "tool actions proposed (accepted + rejected edits, writes ...)",
    "acceptances": "tool actions accepted",
    "tokens": "tokens: input + output + cache creation + cache read",
    "cost": "estimated cost reported by Anthropic (estimated_cost.amount in cents ÷ 100)",
    "actions": "accepted tool actions and sessions",
}
# Notes for actors listed twice on a day, one each up to this many, then one for the rest.
MAX_REPEAT_NOTES = 20
EMPTY_NOTE = "the report holds no record: no one used Claude Code on the day (or this page)"


def detect_json(item: dict) -> bool:
    """Whether ``item`` (the first record of a file's data list) is one of Claude Code's."""
    return isinstance(item, dict) and len(KEYS & item.keys()) >= 2


def read_json(
    records: list[tuple[str, Any]], source: str, team: str, envelope: dict | None = None
) -> Telemetry:
    """Read Claude Code's records (``where``, parsed JSON value) for ``team``; ``envelope`` is
    the file's top-level object (``has_more``, ``next_page``), ``None`` for a bare list.

    Raises
    ------
    TelemetryError
        With every bad record, date, actor, count, amount or currency, each with its path.
    """
    problems: list[Problem] = []
    notes: list[QualityNote] = _paging(envelope, problems)
    reader = _Reader(problems, notes)
    rows = [reader.record(item, where) for where, item in records]
    if problems:
        raise TelemetryError(source, problems)
    kept = [row for row in rows if row is not None]
    scope = f"organization {reader.organization[0]}" if reader.organization else None
    currency = reader.currency[0] if reader.currency else None
    if not kept:
        return Telemetry(
            "claude_code_usage",
            source,
            daily_table([]),
            None,
            tuple(notes),
            EMPTY_NOTE,
            labels=LABELS,
            scope=scope,
            currency=currency,
        )
    frame = pd.DataFrame(kept)
    places = frame["at"].map(lambda at: json_where(at, "actor"))
    frame["user"], renamed = same_names(frame["user"], places, "user", "names")
    notes += renamed
    kept_places = set(frame["at"])
    frame, exact = _without_exact_repeats(frame)
    repeats = kept_places - set(frame["at"])
    notes += exact
    frame, repeated = _one_row_per_user_day(frame)
    notes += repeated
    frame["team"] = team
    columns = ["date", "user", "team", "active", *FIGURES, "model", "actor_type", *TEXTS]
    user_days = user_day_table(frame[columns].to_dict("records"))
    for column in FIGURES:
        user_days[column] = user_days[column].astype(float)
    # The rule of every per-user format, so that one file and several combined agree; but
    # the actors listed are people who used Claude Code, not seats: no licence count.
    daily = daily_from_user_days(user_days).assign(licensed_users=np.nan)
    notes += calendar_quality(daily)
    return Telemetry(
        "claude_code_usage",
        source,
        daily,
        None,
        tuple(notes),
        breakdown=breakdown_table(reader.breakdown(team, repeats)),
        user_days=user_days,
        labels=LABELS,
        scope=scope,
        currency=currency,
    )


def _paging(envelope: dict | None, problems: list[Problem]) -> list[QualityNote]:
    if not isinstance(envelope, dict):
        return []
    more = envelope.get("has_more")
    following = envelope.get("next_page")
    if more is not None and not isinstance(more, bool):
        problems.append(Problem("has_more", f"must be true or false, got {more!r}"))
    if following is not None and not isinstance(following, str):
        problems.append(Problem("next_page", f"must be text or null, got {following!r}"))
    if more is not True:
        return []
    page = f" ({following})" if isinstance(following, str) else ""
    message = (
        "this file is one page of the report; the rest is at next_page"
        f"{page}: request it with page=<next_page> and add the pages together, as the"
        " figures here are incomplete"
    )
    return [QualityNote(None, "has_more", message)]


class _Reader:
    """Reads records one by one, collecting problems, notes, the organization and currency
    (each with the place first seen) and the per-model and per-tool figures."""

    def __init__(self, problems: list[Problem], notes: list[QualityNote]):
        self.problems = problems
        self.notes = notes
        self.counts = Counts(problems)
        self.organization: tuple[str, str] | None = None
        self.currency: tuple[str, str] | None = None
        self.models: list[dict] = []
        self.tools: list[dict] = []

    def record(self, item: Any, where: str) -> dict | None:
        """One record as a user-day row (``None`` when refused, with its problems added)."""
        if not isinstance(item, dict):
            message = f"must be an object (an actor's day), got {type(item).__name__}"
            self.problems.append(Problem(where, message))
            return None
        before = len(self.problems)
        date = read_date(item, "date", where, self.problems, self.notes)
        user, actor_type = self._actor(item.get("actor"), json_where(where, "actor"))
        texts = {key: self._text(item, key, where) for key in TEXTS}
        organization = self._text(item, "organization_id", where)
        figures = self._core(item.get("core_metrics"), json_where(where, "core_metrics"))
        tools = self._tools(item, where)
        parts = self._models(item, where)
        if len(self.problems) > before or date is None or user is None:
            return None
        self._one_organization(organization, json_where(where, "organization_id"))
        figures["acceptances"] = float(sum(t["acceptances"] for t in tools))
        figures["suggestions"] = float(sum(t["suggestions"] for t in tools))
        figures["tokens"] = float(sum(p["tokens"] for p in parts))
        figures["input_tokens"] = float(sum(p["input"] for p in parts))
        figures["output_tokens"] = float(sum(p["output"] for p in parts))
        # Cents added up first, then divided once: (186 + 42) / 100 is 2.28 exactly as shown.
        figures["cost"] = float(sum(p["cents"] for p in parts)) / CENTS_PER_UNIT
        figures["actions"] = figures["acceptances"] + np.nan_to_num(figures["sessions"])
        active = bool(np.nan_to_num(figures["sessions"]) > 0 or figures["tokens"] > 0)
        busiest = max(parts, key=lambda p: p["tokens"])["model"] if parts else None
        # Users compared case-folded here too: the per-model count of actors is distinct people.
        self.models += [
            {"date": date, "user": user.casefold(), "at": where, **part} for part in parts
        ]
        self.tools += [{"date": date, "at": where, **tool} for tool in tools]
        return {
            "date": date,
            "user": user,
            "active": active,
            **figures,
            "model": busiest,
            "actor_type": actor_type,
            **texts,
            "at": where,
        }

    def _text(self, node: dict, key: str, where: str) -> str | None:
        value = node.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problems.append(
                Problem(json_where(where, key), f"must be text or null, got {value!r}")
            )
            return None
        return value.strip() or None

    def _actor(self, actor: Any, place: str) -> tuple[str | None, str | None]:
        if actor is None:
            self.problems.append(Problem(place, "is missing"))
            return None, None
        if not isinstance(actor, dict):
            message = (
                "must be an object with email_address (a user) or api_key_name (an API key),"
                f" got {actor!r}"
            )
            self.problems.append(Problem(place, message))
            return None, None
        kind = self._text(actor, "type", place)
        key = {"user_actor": "email_address", "api_actor": "api_key_name"}.get(kind or "")
        if key is None:  # no type, or one this reader does not know: whichever name is given
            key = "email_address" if actor.get("email_address") is not None else "api_key_name"
        name = actor.get(key)
        if name is None or (isinstance(name, str) and not name.strip()):
            what = f"an actor of type {kind!r}" if kind else "an actor"
            self.problems.append(
                Problem(json_where(place, key), f"is missing or blank ({what} is named by it)")
            )
            return None, kind
        if not isinstance(name, str):
            self.problems.append(Problem(json_where(place, key), f"must be text, got {name!r}"))
            return None, kind
        return name.strip(), kind

    def _section(self, node: Any, place: str) -> dict:
        """``node`` as an object (missing or null: empty), with a problem for another type."""
        if node is None:
            return {}
        if not isinstance(node, dict):
            self.problems.append(Problem(place, f"must be an object, got {node!r}"))
            return {}
        return node

    def _core(self, node: Any, place: str) -> dict[str, float]:
        core = self._section(node, place)
        lines = self._section(core.get("lines_of_code"), json_where(place, "lines_of_code"))
        lines_place = json_where(place, "lines_of_code")
        get = self.counts.get
        return {
            "sessions": get(core, "num_sessions", place, missing=np.nan),
            "lines_added": get(lines, "added", lines_place, missing=np.nan),
            "lines_deleted": get(lines, "removed", lines_place, missing=np.nan),
            "commits": get(core, "commits_by_claude_code", place, missing=np.nan),
            "pull_requests_created_by_ai": get(
                core, "pull_requests_by_claude_code", place, missing=np.nan
            ),
        }

    def _tools(self, item: dict, where: str) -> list[dict]:
        """Each tool's accepted and proposed (accepted + rejected) actions."""
        place = json_where(where, "tool_actions")
        tools = self._section(item.get("tool_actions"), place)
        parts = []
        for name, tool in tools.items():
            tool_place = json_where(place, name)
            if not isinstance(tool, dict):
                message = f"must be an object with accepted and rejected, got {tool!r}"
                self.problems.append(Problem(tool_place, message))
                continue
            yes = self.counts.get(tool, "accepted", tool_place)
            no = self.counts.get(tool, "rejected", tool_place)
            parts.append({"tool": name, "acceptances": yes, "suggestions": yes + no})
        return parts

    def _models(self, item: dict, where: str) -> list[dict]:
        """Each model's tokens (the four kinds added up, input and output apart) and cost."""
        place = json_where(where, "model_breakdown")
        breakdown = item.get("model_breakdown")
        if breakdown is not None and not isinstance(breakdown, list):
            self.problems.append(
                Problem(place, f"must be a list of models, got {type(breakdown).__name__}")
            )
            return []
        parts = []
        for m, model in enumerate(breakdown or []):
            model_place = f"{place}[{m}]"
            if not isinstance(model, dict):
                message = f"must be an object (a model's usage), got {type(model).__name__}"
                self.problems.append(Problem(model_place, message))
                continue
            written = model.get("model")
            if written is None or (isinstance(written, str) and not written.strip()):
                place_of_name = json_where(model_place, "model")
                self.problems.append(Problem(place_of_name, "is missing or blank"))
            name = self._text(model, "model", model_place)
            tokens_place = json_where(model_place, "tokens")
            tokens = self._section(model.get("tokens"), tokens_place)
            counted = {key: self.counts.get(tokens, key, tokens_place) for key in TOKENS}
            cost_place = json_where(model_place, "estimated_cost")
            cents = self._cents(model.get("estimated_cost"), cost_place)
            parts.append(
                {
                    "model": name or "",
                    "tokens": sum(counted.values()),
                    "input": counted["input"],
                    "output": counted["output"],
                    "cents": cents,
                }
            )
        return parts

    def _cents(self, node: Any, place: str) -> float:
        cost = self._section(node, place)
        if not cost:
            return 0.0
        amount = cost.get("amount")
        amount_place = json_where(place, "amount")
        valid = (
            isinstance(amount, int | float)
            and not isinstance(amount, bool)
            and math.isfinite(amount)
            and 0 <= amount <= MAX_COUNT
        )
        if amount is None:
            self.problems.append(Problem(amount_place, "is missing"))
        elif not valid:
            shown = "a number above 1e15" if _above(amount) else repr(amount)
            self.problems.append(
                Problem(amount_place, f"must be a number of cents from 0 to 1e15, got {shown}")
            )
        self._one_currency(cost.get("currency"), json_where(place, "currency"))
        return float(amount) if valid else 0.0

    def _one_currency(self, currency: Any, place: str) -> None:
        if currency is None:
            self.problems.append(Problem(place, "is missing (the currency of amount)"))
            return
        if not isinstance(currency, str) or not CURRENCY.match(currency):
            message = f"must be a three-letter currency code such as 'USD', got {currency!r}"
            self.problems.append(Problem(place, message))
            return
        if self.currency is None:
            self.currency = (currency, place)
        elif currency != self.currency[0]:
            first, at = self.currency
            message = (
                f"must be the file's one currency, {first!r} (as at {at}), got {currency!r}:"
                " amounts in two currencies cannot be added up"
            )
            self.problems.append(Problem(place, message))

    def _one_organization(self, organization: str | None, place: str) -> None:
        if organization is None:
            return
        if self.organization is None:
            self.organization = (organization, place)
        elif organization != self.organization[0]:
            first, at = self.organization
            message = (
                f"must be the file's one organization, {first!r} (as at {at}), got"
                f" {organization!r}: export each organization on its own"
            )
            self.problems.append(Problem(place, message))

    def breakdown(self, team: str, repeats: set[str]) -> list[dict]:
        """The breakdown rows: per day and model (cost, tokens, actors using it), per day and
        tool (acceptances, suggestions)."""
        rows: list[dict] = []
        if self.models:
            models = (
                pd.DataFrame([m for m in self.models if m["at"] not in repeats])
                .groupby(["date", "model"], sort=True)
                .agg(
                    cents=("cents", "sum"),
                    tokens=("tokens", "sum"),
                    active_users=("user", "nunique"),
                )
            )
            models.insert(0, "cost", models.pop("cents") / CENTS_PER_UNIT)
            rows += _long(models, "model", team)
        if self.tools:
            kept = pd.DataFrame([t for t in self.tools if t["at"] not in repeats])
            tools = kept.groupby(["date", "tool"], sort=True)
            rows += _long(tools[["acceptances", "suggestions"]].sum(), "tool", team)
        return rows


def _above(amount: Any) -> bool:
    return isinstance(amount, int | float) and not isinstance(amount, bool) and amount > MAX_COUNT


def _long(table: pd.DataFrame, dimension: str, team: str) -> list[dict]:
    return [
        {
            "date": date,
            "team": team,
            "dimension": dimension,
            "key": key,
            "figure": figure,
            "value": float(value),
        }
        for (date, key), values in table.iterrows()
        for figure, value in values.items()
    ]


def _without_exact_repeats(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[QualityNote]]:
    """Records equal in every field read to an earlier one dropped (a page or a file pasted
    twice), with one note; records that differ are added up afterwards."""
    exact = frame.drop(columns="at").duplicated()
    if not exact.any():
        return frame, []
    first = frame.loc[exact, "at"].iloc[0]
    message = (
        f"{int(exact.sum())} record(s) repeat an earlier record in every figure (the first at"
        f" {first}): each is counted once"
    )
    return frame[~exact], [QualityNote(None, "data", message)]


def _one_row_per_user_day(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[QualityNote]]:
    """Records of one actor on one day (one per terminal, say) added up into one row, with a
    note for each (the first :data:`MAX_REPEAT_NOTES`, then one for the rest)."""
    repeated = frame.duplicated(["date", "user"], keep=False)
    if not repeated.any():
        return frame.drop(columns="at"), []
    notes = []
    groups = frame[repeated].groupby(["date", "user"], sort=False)
    for (date, user), group in itertools.islice(groups, MAX_REPEAT_NOTES):
        places = ", ".join(group["at"])
        terminals = ", ".join(sorted({str(t) for t in group["terminal_type"].dropna()}))
        seen = f"; terminal_type {terminals}" if terminals else ""
        notes.append(
            QualityNote(
                date,
                group["at"].iloc[1],
                f"actor {user!r} has {len(group)} records on the day ({places}{seen}); their"
                " figures are added up and the actor counted once",
            )
        )
    if groups.ngroups > MAX_REPEAT_NOTES:
        message = (
            f"and {groups.ngroups - MAX_REPEAT_NOTES} more actor-days with more than one"
            " record, each added up and counted once"
        )
        notes.append(QualityNote(None, "data", message))
    keys = frame.groupby(["date", "user"], sort=False)
    merged = keys.agg(
        active=("active", "any"),
        model=("model", "first"),
        actor_type=("actor_type", "first"),
        **{column: (column, _joined) for column in TEXTS},
    )
    merged = merged.join(keys[list(FIGURES)].sum(min_count=1))
    return merged.reset_index(), notes


def _joined(values: pd.Series) -> str | None:
    """The distinct texts of ``values``, in order, joined (``vscode, iTerm.app``)."""
    return ", ".join(dict.fromkeys(values.dropna().astype(str))) or None
