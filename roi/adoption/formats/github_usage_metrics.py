"""GitHub's Copilot usage metrics reports (formats ``github_usage_metrics`` and
``github_usage_metrics_users``), which replace the closed ``/copilot/metrics`` and
``/copilot/usage`` APIs: the NDJSON files that ``GET /orgs/{org}/...`` or
``/enterprises/{enterprise}/copilot/metrics/reports/<kind>`` link to in ``download_links``.
Kinds: ``organization-1-day`` / ``enterprise-1-day`` (one flat aggregate day);
``organization-28-day/latest`` / ``enterprise-28-day/latest`` (an envelope with
``report_start_day``, ``report_end_day``, the ids, ``created_at`` and ``day_totals[]`` of
such days); ``users-1-day`` / ``users-28-day/latest`` (one record per user and active day,
read by :mod:`.github_usage_users`; an envelope of user records reads the same);
``user-teams-1-day`` (membership, ``team_id`` and ``slug``, to join with ``users-1-day``:
refused alone, read where joined). :func:`detect_json` recognises a record of any kind,
:func:`read_json` reads a file's records; a file mixing aggregate and per-user records, or
holding two organisations or two enterprises, is refused (never merged).

Fields read from an aggregate day (GitHub's names) and the figure each becomes:

- ``day`` → ``date``; ``daily_active_users`` → ``active_users``; ``weekly_active_users``;
  ``monthly_active_users`` (trailing 28 days); ``monthly_active_chat_users`` /
  ``monthly_active_agent_users`` → ``chat_users`` / ``agent_users`` (trailing 28 days);
  ``daily_active_cli_users`` → ``cli_users`` (0 where absent: GitHub leaves it out for a
  day without CLI use; CLI users are outside the IDE counts);
- ``user_initiated_interaction_count`` → ``interactions``; ``loc_added_sum`` /
  ``loc_deleted_sum`` → ``lines_added`` / ``lines_deleted``;
- the ``totals_by_feature`` entry whose ``feature`` is ``code_completion``:
  ``code_generation_activity_count`` / ``code_acceptance_activity_count`` → ``suggestions``
  / ``acceptances``, ``loc_suggested_to_add_sum`` / ``loc_added_sum`` → ``lines_suggested``
  / ``lines_accepted`` (0 without such an entry, NaN without the list). The top-level
  ``code_generation_activity_count`` / ``code_acceptance_activity_count`` also count chat
  code blocks and agent edits, so they are checked against the breakdowns, not read;
- ``actions`` = ``interactions`` + ``acceptances``;
- ``totals_by_cli``: ``prompt_count`` → ``prompts``, ``session_count`` → ``sessions``,
  ``request_count`` → ``requests``, ``token_usage.prompt_tokens_sum`` +
  ``token_usage.output_tokens_sum`` → ``tokens`` (0 where absent; outside the IDE counts);
- ``pull_requests``: ``total_created`` / ``total_merged`` / ``total_reviewed`` /
  ``total_created_by_copilot`` / ``total_merged_created_by_copilot`` → ``pull_requests_created``
  / ``_merged`` / ``_reviewed`` / ``_created_by_ai`` / ``_merged_created_by_ai`` (NaN without
  the block); the medians of :data:`MEDIANS` (``median_minutes_to_merge`` ...) →
  ``Telemetry.medians``, weighted by their counts; the block's other counts are checked only;
- ``ai_credits_used`` → ``credits`` where present.

``Telemetry.breakdown`` (figures per day, ``dimension`` and ``key``): ``feature``
(``totals_by_feature``, key ``feature``), ``ide`` (``totals_by_ide``, key ``ide``),
``language_feature``, ``model_feature``, ``language_model`` (keys ``language / feature``,
``model / feature``, ``language / model``), each entry's
``user_initiated_interaction_count`` → ``interactions``, ``code_generation_activity_count``
→ ``suggestions``, ``code_acceptance_activity_count`` → ``acceptances``,
``loc_suggested_to_add_sum`` → ``lines_suggested``, ``loc_added_sum`` → ``lines_added``,
``loc_deleted_sum`` → ``lines_deleted`` (where the entry has them); ``cli`` (key ``cli``:
``prompts``, ``sessions``, ``requests``, ``tokens``); ``surface`` (keys
``copilot_cloud_agent``, ``copilot_code_review``, ``copilot_code_review_passive``:
``daily_`` / ``weekly_`` / ``monthly_active_copilot_cloud_agent_users`` ... →
``active_users`` / ``weekly_active_users`` / ``monthly_active_users``).

``scope`` = ``organization <organization_id>``, else ``enterprise <enterprise_id>``;
``period`` = (``report_start_day``, ``report_end_day``); ``created`` = ``created_at``.
Days are sorted (GitHub's are not); a day given twice keeps the later record, with a note,
as do missing days, daily above weekly above monthly users, breakdowns summing to more than
the day's total and completions accepted beyond those suggested. Not read:
``loc_suggested_to_delete_sum`` (not yet filled by GitHub), ``totals_by_ai_adoption_phase``
(averages per phase, not counts), ``last_known_*`` versions and ``etl_id`` /
``*_partition`` bookkeeping.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from roi.adoption.formats.common import (
    QualityNote,
    Telemetry,
    TelemetryError,
    breakdown_table,
    calendar_quality,
    daily_table,
    json_where,
)
from roi.adoption.formats.github_json import completion_quality
from roi.adoption.formats.github_usage_users import (
    REPORT_KEYS,
    USER_KEYS,
    USER_LABELS,
    Report,
    amount_error,
    count_error,
    date_error,
    fields,
    read_users,
)
from roi.io.problems import Problem

# A day-level record has "day" and at least one of these.
# fmt: off
USAGE_KEYS = frozenset((
    "daily_active_users", "weekly_active_users", "monthly_active_users",
    "user_initiated_interaction_count", "code_generation_activity_count",
    "code_acceptance_activity_count", "loc_added_sum", "loc_suggested_to_add_sum",
    "totals_by_feature", "totals_by_ide", "totals_by_cli", "pull_requests", "used_chat",
    "used_agent", "used_cli", "ai_credits_used",
))
ENTRY_FIGURES = (
    ("interactions", "user_initiated_interaction_count"),
    ("suggestions", "code_generation_activity_count"),
    ("acceptances", "code_acceptance_activity_count"),
    ("lines_suggested", "loc_suggested_to_add_sum"),
    ("lines_added", "loc_added_sum"), ("lines_deleted", "loc_deleted_sum"),
)
BREAKDOWNS = (
    ("feature", "totals_by_feature", ("feature",)), ("ide", "totals_by_ide", ("ide",)),
    ("language_feature", "totals_by_language_feature", ("language", "feature")),
    ("model_feature", "totals_by_model_feature", ("model", "feature")),
    ("language_model", "totals_by_language_model", ("language", "model")),
)
SURFACES = {
    "copilot_cloud_agent": "active_copilot_cloud_agent_users",
    "copilot_code_review": "active_copilot_code_review_users",
    "copilot_code_review_passive": "passive_copilot_code_review_users",
}
PULL_REQUESTS = {
    "pull_requests_created": "total_created", "pull_requests_merged": "total_merged",
    "pull_requests_reviewed": "total_reviewed",
    "pull_requests_created_by_ai": "total_created_by_copilot",
    "pull_requests_merged_created_by_ai": "total_merged_created_by_copilot",
}
PULL_REQUEST_CHECKED = (
    "total_reviewed_by_copilot", "total_merged_reviewed_by_copilot", "total_suggestions",
    "total_applied_suggestions", "total_copilot_suggestions",
    "total_copilot_applied_suggestions",
)
MEDIANS = {  # median -> the count it is the median of (its weight)
    "median_minutes_to_merge": "total_merged",
    "median_minutes_to_merge_copilot_authored": "total_merged_created_by_copilot",
    "median_minutes_to_merge_copilot_reviewed": "total_merged_reviewed_by_copilot",
}
# fmt: on
LABELS = USER_LABELS | {
    "active_users": "people active in the IDE on the day (GitHub's daily active users)",
    "weekly_active_users": "active in the trailing 7 days (GitHub's weekly active users)",
    "monthly_active_users": "active in the trailing 28 days (GitHub's monthly active users)",
    "chat_users": "people who used IDE chat in the trailing 28 days (monthly_active_chat_users)",
    "agent_users": "people who used agent mode in the IDE in the trailing 28 days"
    " (monthly_active_agent_users)",
    "cli_users": "people who used Copilot CLI on the day (daily_active_cli_users); CLI use is"
    " outside the IDE counts",
    "pull_requests_created_by_ai": "pull requests created by Copilot",
    "pull_requests_merged_created_by_ai": "merged pull requests created by Copilot",
}


def detect_json(item: dict) -> bool:
    """Whether ``item`` (a top-level record of a JSON or NDJSON file) is a usage metrics
    record of any kind: a 28-day envelope, an aggregate or per-user day, a user-teams row,
    or the REST response that links to them (refused by :func:`read_json`, with the fix)."""
    if not isinstance(item, dict):
        return False
    if "day_totals" in item:
        return True
    if "download_links" in item:
        return bool({"report_day", "report_start_day", "report_end_day"} & item.keys())
    if "day" not in item:
        return False
    return bool(USAGE_KEYS & item.keys()) or (
        "team_id" in item and ("user_id" in item or "user_login" in item)
    )


def read_json(
    records: list[tuple[str, Any]], source: str, team: str, envelope: dict | None = None
) -> Telemetry:
    """Read a usage metrics file's top-level ``records``, each with its place (``line 7``,
    ``[3]``, or ``""`` for a whole-file object), for ``team`` where the report names none.
    ``envelope`` is unused (GitHub's reports carry their own) and kept for the dispatcher.

    Raises
    ------
    TelemetryError
        With every problem found, each with its place, value and rule.
    """
    del envelope
    problems: list[Problem] = []
    notes: list[QualityNote] = []
    users, aggregate, headers = _flatten(records, problems)
    if users and aggregate:
        problems.append(Problem("", _mixed_message(aggregate, users)))
        raise TelemetryError(source, problems)
    found = users or aggregate
    values = fields([record for _, record in found], USER_KEYS if users else REPORT_KEYS)
    teams_only = [i for i in _teamed(values) if _membership(users[i][1])] if users else []
    if teams_only:
        message = _teams_message(len(teams_only), len(users))
        problems.append(Problem(users[teams_only[0]][0], message))
        raise TelemetryError(source, problems)
    places = [where for where, _ in found]
    report = _report(headers, places, values, problems, notes)
    if users:
        return read_users(places, values, source, team, report, problems, notes)
    return _read_aggregate(aggregate, source, team, report, problems, notes)


def _flatten(
    records: list[tuple[str, Any]], problems: list[Problem]
) -> tuple[list[tuple[str, dict]], list[tuple[str, dict]], list[tuple[str, dict]]]:
    """The day-level records, per-user and aggregate (a 28-day envelope's ``day_totals``
    items, or the records themselves), and the envelopes, each with its place."""
    users: list[tuple[str, dict]] = []
    aggregate: list[tuple[str, dict]] = []
    headers: list[tuple[str, dict]] = []
    for pair in records:
        record = pair[1]
        if type(record) is dict and "day_totals" not in record and "download_links" not in record:
            # the caller's pair: no new object for each of a million records
            (users if "user_login" in record or "user_id" in record else aggregate).append(pair)
        elif type(record) is not dict:
            shown = type(record).__name__
            problems.append(Problem(pair[0], f"must be an object (a report record), got {shown}"))
        elif "day_totals" not in record:
            problems.append(Problem(pair[0], _LINKS))
        else:
            headers.append(pair)
            days = record["day_totals"]
            if not isinstance(days, list):
                message = f"must be a list of days, got {days!r}"
                problems.append(Problem(json_where(pair[0], "day_totals"), message))
                continue
            for i, day in enumerate(days):
                place = json_where(pair[0], f"day_totals[{i}]")
                if type(day) is not dict:
                    problems.append(Problem(place, f"must be an object (a day), got {day!r}"))
                elif "user_login" in day or "user_id" in day:
                    users.append((place, day))
                else:
                    aggregate.append((place, day))
    return users, aggregate, headers


_LINKS = (
    "is the REST API's answer (download_links), not the report: download the NDJSON file at"
    " each of its download_links (they expire soon) and read those files"
)


def _teamed(values: dict[str, list]) -> list[int]:
    """The per-user records with a team (``team_id`` or ``slug``)."""
    slugs, team_ids = values["slug"], values["team_id"]
    if slugs.count(None) == len(slugs) and team_ids.count(None) == len(team_ids):
        return []
    return [i for i, pair in enumerate(zip(slugs, team_ids, strict=True)) if pair != (None, None)]


def _membership(record: dict) -> bool:
    return ("team_id" in record or "slug" in record) and not (USAGE_KEYS & record.keys())


def _teams_message(rows: int, users: int) -> str:
    what = "the file is" if rows == users else f"{rows} record(s) are"
    return (
        f"{what} GitHub's user-teams report (team membership, no usage): join it with the"
        " users-1-day report of the same day on user_id and day (one record per user and"
        " team, with the team's slug) and read the joined records, or read users-1-day alone"
    )


def _mixed_message(aggregate: list[tuple[str, dict]], users: list[tuple[str, dict]]) -> str:
    def places(found: list[tuple[str, dict]]) -> str:
        more = f" and {len(found) - 3} more" if len(found) > 3 else ""
        return ", ".join(where or "the file" for where, _ in found[:3]) + more

    return (
        f"mixes aggregate records (an organisation's or enterprise's days: {places(aggregate)})"
        f" with per-user records ({places(users)}): read each report on its own"
    )


def _report(
    headers: list[tuple[str, dict]],
    places: list[str],
    values: dict[str, list],
    problems: list[Problem],
    notes: list[QualityNote],
) -> Report:
    """Scope, period and creation time, from the envelopes (``headers``) and the
    :data:`REPORT_KEYS` ``values`` of the day-level records at ``places``."""
    every = [where for where, _ in headers] + places

    def distinct(key: str, valid, what: str) -> dict:
        column = [record.get(key) for _, record in headers] + values[key]
        return _distinct(every, column, key, problems, valid, what)

    scopes = {}
    for key, kind in (("organization_id", "organizations"), ("enterprise_id", "enterprises")):
        ids = distinct(key, lambda v: str(v).strip() != "", "an id")
        named = {str(value).strip(): where for value, where in ids.items()}
        if len(named) > 1:
            listed = " and ".join(f"{i} ({w or 'the file'})" for i, w in list(named.items())[:5])
            message = (
                f"holds {len(named)} {kind}: {listed}; read each {kind[:-1]}'s report on its"
                " own (two scopes are never merged)"
            )
            problems.append(Problem("", message))
        scopes[key] = next(iter(named), None)
    kinds = (("organization_id", "organization"), ("enterprise_id", "enterprise"))
    scope = next((f"{kind} {scopes[key]}" for key, kind in kinds if scopes[key]), None)
    bounds = []
    for key in ("report_start_day", "report_end_day"):
        days = distinct(key, lambda v: date_error(v)[0] is not None, "a date written YYYY-MM-DD")
        bounds.append(sorted({str(date_error(value)[0]) for value in days}))
    period = None
    if bounds[0] and bounds[1]:
        period = (bounds[0][0], bounds[1][-1])
        if len(bounds[0]) > 1 or len(bounds[1]) > 1:
            message = (
                f"the file holds {max(len(bounds[0]), len(bounds[1]))} report periods; read as"
                f" one period, {period[0]} to {period[1]}"
            )
            notes.append(QualityNote(None, "report_start_day", message))
    created = distinct("created_at", lambda v: type(v) is str, "text")
    return Report(scope, period, max(created) if created else None)


def _distinct(
    places: list[str], values: list, key: str, problems: list[Problem], valid, what: str
) -> dict:
    """The distinct ``values`` (of field ``key``) that are ``valid``, each with its first
    place; a problem at the first place of each other value."""
    first: dict = {}
    distinct = set(values) if set(map(type, values)) <= {str, int, type(None)} else None
    if distinct is not None and len(distinct) <= 100:
        first = {value: places[values.index(value)] for value in distinct - {None}}
    else:
        for where, value in zip(places, values, strict=True):
            if value is None:
                continue
            if type(value) in (str, int):
                first.setdefault(value, where)
            else:  # bool, float, list, object: no id, date or text
                problems.append(Problem(json_where(where, key), f"must be {what}, got {value!r}"))
    good = {}
    for value, where in first.items():
        if valid(value):
            good[value] = where
        else:
            problems.append(Problem(json_where(where, key), f"must be {what}, got {value!r}"))
    return dict(sorted(good.items(), key=lambda item: str(item[0])))


def _read_aggregate(
    items: list[tuple[str, dict]],
    source: str,
    team: str,
    report: Report,
    problems: list[Problem],
    notes: list[QualityNote],
) -> Telemetry:
    days: dict[str, tuple[str, dict, list, list, list]] = {}
    for where, day in items:
        read = _Day(where, problems).read(day, team)
        if read is None:
            continue
        date = read[0]["date"]
        if date in days:
            earlier = days[date][0] or "the file"
            message = (
                f"the day is given more than once ({earlier} and {where or 'the file'}); the"
                f" later record ({where or 'the file'}) is read"
            )
            notes.append(QualityNote(date, where or "the file", message))
        days[date] = (where, *read)
    if problems:
        raise TelemetryError(source, problems)
    ordered = [days[date] for date in sorted(days)]
    daily = daily_table([row for _, row, _, _, _ in ordered])
    parts = [part for _, _, day_parts, _, _ in ordered for part in day_parts]
    medians = [median for _, _, _, day_medians, _ in ordered for median in day_medians]
    notes += [note for _, _, _, _, day_notes in ordered for note in day_notes]
    notes += calendar_quality(daily) + _coverage(report, list(days))
    median_frame = None
    if medians:
        median_frame = pd.DataFrame(medians, columns=["date", "team", "figure", "value", "weight"])
        median_frame["date"] = pd.to_datetime(median_frame["date"])
    return Telemetry(
        "github_usage_metrics",
        source,
        daily,
        None,
        tuple(notes),
        None if ordered else "the report holds no day",
        breakdown=breakdown_table(parts) if parts else None,
        labels=dict(LABELS),
        scope=report.scope,
        period=report.period,
        created=report.created,
        medians=median_frame,
    )


def _coverage(report: Report, dates: list[str]) -> list[QualityNote]:
    """A note when the report's period has days without a record."""
    first, last = report.period or ("", "")
    length = (pd.Timestamp(last) - pd.Timestamp(first)).days + 1 if first else 0
    held = sum(first <= date <= last for date in dates)  # YYYY-MM-DD sort as dates do
    if held >= length:
        return []
    message = (
        f"the report covers {first} to {last} ({length} days) but holds {held} of them: a"
        " day without a record is missing data, not zero use"
    )
    return [QualityNote(None, "report_start_day", message)]


class _Day:
    """One aggregate day read: its daily row, breakdown rows, medians and notes."""

    def __init__(self, where: str, problems: list[Problem]):
        self.where = where
        self.problems = problems

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(json_where(self.where, path), message))

    def number(
        self, node: dict, key: str, inner: str = "", missing: float = np.nan, whole: bool = True
    ) -> float:
        """The count (``whole``) or amount at ``node[key]``; ``missing`` when absent or null."""
        value = node.get(key)
        error = None if value is None else (count_error if whole else amount_error)(value)
        if error is not None:
            self.problem(f"{inner}.{key}" if inner else key, error)
        return missing if value is None else np.nan if error else float(value)

    def block(self, node: dict, key: str, inner: str = "") -> dict | None:
        value = node.get(key)
        if value is not None and type(value) is not dict:
            self.problem(f"{inner}.{key}" if inner else key, f"must be an object, got {value!r}")
            return None
        return value

    def entries(self, day: dict, key: str) -> Iterator[tuple[int, dict]]:
        """The objects of list ``key`` (none without the list), a problem for each other."""
        value = day.get(key)
        if value is not None and not isinstance(value, list):
            self.problem(key, f"must be a list, got {value!r}")
        for j, entry in enumerate(value if isinstance(value, list) else ()):
            if type(entry) is dict:
                yield j, entry
            else:
                self.problem(f"{key}[{j}]", f"must be an object, got {entry!r}")

    def read(self, day: dict, team: str) -> tuple[dict, list, list, list] | None:
        date, error = date_error(day.get("day"))
        if date is None:
            self.problem("day", "is missing" if day.get("day") is None else str(error))
        row: dict[str, Any] = {
            "date": date,
            "team": team,
            "active_users": self.number(day, "daily_active_users"),
            "weekly_active_users": self.number(day, "weekly_active_users"),
            "monthly_active_users": self.number(day, "monthly_active_users"),
            "chat_users": self.number(day, "monthly_active_chat_users"),
            "agent_users": self.number(day, "monthly_active_agent_users"),
            "cli_users": self.number(day, "daily_active_cli_users", missing=0.0),
            "interactions": self.number(day, "user_initiated_interaction_count"),
            "lines_added": self.number(day, "loc_added_sum"),
            "lines_deleted": self.number(day, "loc_deleted_sum"),
        }
        row["credits"] = self.number(day, "ai_credits_used", whole=False)
        totals = {
            "suggestions": self.number(day, "code_generation_activity_count"),
            "acceptances": self.number(day, "code_acceptance_activity_count"),
            "interactions": row["interactions"],
            "lines_added": row["lines_added"],
            "lines_deleted": row["lines_deleted"],
        }
        parts, sums = self.breakdowns(day, str(date), team, row)
        parts += self.cli(day, str(date), team, row)
        parts += self.surfaces(day, str(date), team)
        medians = self.pull_requests(day, str(date), team, row)
        both = [row["interactions"], row["acceptances"]]
        row["actions"] = np.nan if np.isnan(both).all() else np.nansum(both)
        if date is None:
            return None
        return row, parts, medians, _day_notes(str(date), row, totals, sums)

    def breakdowns(self, day: dict, date: str, team: str, row: dict) -> tuple[list, dict]:
        """The breakdown rows, the code_completion figures (into ``row``) and, for the
        notes, the sums of the ``feature`` and ``ide`` entries."""
        parts: list[dict] = []
        sums: dict[str, dict[str, float]] = {"feature": {}, "ide": {}}
        # No code_completion entry: no completions that day; no totals_by_feature: unknown.
        none = 0.0 if day.get("totals_by_feature") is not None else np.nan
        completion = dict.fromkeys(("suggestions", "acceptances", "lines_suggested"), none)
        completion["lines_added"] = none
        for dimension, key, names in BREAKDOWNS:
            for j, entry in self.entries(day, key):
                labels = [entry.get(name) for name in names]
                for name, label in zip(names, labels, strict=True):
                    if not isinstance(label, str) or not label.strip():
                        self.problem(f"{key}[{j}].{name}", f"must be text, got {label!r}")
                figures = {
                    figure: self.number(entry, field, f"{key}[{j}]")
                    for figure, field in ENTRY_FIGURES
                    if field in entry
                }
                label = " / ".join(str(label).strip() for label in labels)
                base = {"date": date, "team": team, "dimension": dimension, "key": label}
                parts += [base | {"figure": f, "value": v} for f, v in figures.items()]
                for figure, value in figures.items() if dimension in sums else ():
                    total = sums[dimension].get(figure, 0.0)
                    sums[dimension][figure] = total + (0.0 if np.isnan(value) else value)
                if dimension == "feature" and label == "code_completion":
                    completion = {f: figures.get(f, 0.0) for f in completion}
        row["suggestions"] = completion["suggestions"]
        row["acceptances"] = completion["acceptances"]
        row["lines_suggested"] = completion["lines_suggested"]
        row["lines_accepted"] = completion["lines_added"]
        return parts, sums

    def cli(self, day: dict, date: str, team: str, row: dict) -> list[dict]:
        block = self.block(day, "totals_by_cli")
        node = block or {}
        figures = {
            "prompts": self.number(node, "prompt_count", "totals_by_cli", missing=0.0),
            "sessions": self.number(node, "session_count", "totals_by_cli", missing=0.0),
            "requests": self.number(node, "request_count", "totals_by_cli", missing=0.0),
        }
        usage = self.block(node, "token_usage", "totals_by_cli") or {}
        inner = "totals_by_cli.token_usage"
        figures["tokens"] = self.number(usage, "prompt_tokens_sum", inner, 0.0) + self.number(
            usage, "output_tokens_sum", inner, 0.0
        )
        row.update(figures)
        if block is None:
            return []
        base = {"date": date, "team": team, "dimension": "cli", "key": "cli"}
        return [base | {"figure": f, "value": v} for f, v in figures.items()]

    def surfaces(self, day: dict, date: str, team: str) -> list[dict]:
        parts = []
        for key, field in SURFACES.items():
            base = {"date": date, "team": team, "dimension": "surface", "key": key}
            for window, figure in (
                ("daily", "active_users"),
                ("weekly", "weekly_active_users"),
                ("monthly", "monthly_active_users"),
            ):
                value = self.number(day, f"{window}_{field}")
                if not np.isnan(value):
                    parts.append(base | {"figure": figure, "value": value})
        return parts

    def pull_requests(self, day: dict, date: str, team: str, row: dict) -> list[tuple]:
        block = self.block(day, "pull_requests")
        node = block or {}
        counts = {
            field: self.number(node, field, "pull_requests")
            for field in (*PULL_REQUESTS.values(), *PULL_REQUEST_CHECKED)
        }
        for figure, field in PULL_REQUESTS.items():
            row[figure] = counts[field]
        medians = []
        for field, weight in MEDIANS.items():
            value = self.number(node, field, "pull_requests", whole=False)
            if not np.isnan(value):
                medians.append((date, team, field, value, counts[weight]))
        return medians


def _day_notes(date: str, row: dict, totals: dict, sums: dict) -> list[QualityNote]:
    """A day's figures that contradict each other, kept as reported."""
    notes = []
    for smaller, larger, what in (
        ("active_users", "weekly_active_users", "daily active users exceed weekly"),
        ("weekly_active_users", "monthly_active_users", "weekly active users exceed monthly"),
        ("chat_users", "monthly_active_users", "monthly chat users exceed monthly active users"),
        ("agent_users", "monthly_active_users", "monthly agent users exceed monthly active"),
    ):
        if row[smaller] > row[larger]:
            message = f"{what}: {row[smaller]:g} > {row[larger]:g}; kept as reported"
            notes.append(QualityNote(date, smaller, message))
    names = dict(ENTRY_FIGURES)
    for dimension, key in (("feature", "totals_by_feature"), ("ide", "totals_by_ide")):
        over = [
            f"{names[figure]} ({total:g} > {totals[figure]:g})"
            for figure, total in sums[dimension].items()
            if figure in totals and total > totals[figure]
        ]
        if over:
            message = (
                "the breakdown does not add up: its entries sum to more than the day's total"
                f" for {', '.join(over)}; kept as reported"
            )
            notes.append(QualityNote(date, key, message))
    notes += completion_quality(date, row)
    return notes
