"""GitHub's Copilot usage metrics, per-user reports (format ``github_usage_metrics_users``):
the NDJSON of ``users-1-day`` and ``users-28-day`` (organisation or enterprise), one record
per user and day with activity, read column by column so that a year of a large enterprise
(a million records) reads in seconds. :mod:`.github_usage_metrics` finds the records,
checks the report's scope and period and calls :func:`read_users`.

Fields read from each record, and the column each becomes in ``Telemetry.user_days`` (one
row per user, day and team; ``active`` is always true: GitHub writes a record only for a
user active that day):

- ``day`` → ``date``; ``user_login`` → ``user`` (``user_id`` without a login); a person is
  recognised by ``user_id`` where given, so a renamed login stays one person, named by the
  login of their latest record (with a note);
- ``slug`` (else ``team_id``), on records joined with GitHub's user-teams report → ``team``
  (a user counts in each of their teams); else the caller's team;
- ``user_initiated_interaction_count`` → ``interactions``; ``loc_added_sum`` /
  ``loc_deleted_sum`` → ``lines_added`` / ``lines_deleted``;
- the ``totals_by_feature`` entry whose ``feature`` is ``code_completion``:
  ``code_generation_activity_count`` / ``code_acceptance_activity_count`` → ``suggestions``
  / ``acceptances``, ``loc_suggested_to_add_sum`` / ``loc_added_sum`` → ``lines_suggested``
  / ``lines_accepted`` (0 without such an entry, NaN without the list);
- ``actions`` = ``interactions`` + ``acceptances``;
- ``totals_by_cli``: ``prompt_count`` → ``prompts``, ``session_count`` → ``sessions``,
  ``request_count`` → ``requests``, ``token_usage.prompt_tokens_sum`` +
  ``token_usage.output_tokens_sum`` → ``tokens`` (0 without the block: GitHub leaves it out
  for a day without CLI use); outside every IDE figure;
- ``ai_credits_used`` → ``credits`` (a fraction allowed; NaN where absent);
- the flags :data:`USER_FLAGS` → bool columns of the same name (false where absent);
- ``ai_adoption_phase`` (``{phase_number, phase, version}``, or text) → text column
  ``phase``.

Fields not read are not checked: the top-level ``code_generation_activity_count`` and
``code_acceptance_activity_count`` (completions mixed with chat and agent output) and the
other breakdown arrays, which the aggregate report holds for the whole organisation (summed
per user they would cost more than the rest of the file).

The daily table sums the per-user figures per day and team, and counts people:
``active_users`` = users with a record that day; ``weekly_active_users`` /
``monthly_active_users`` = distinct users over the trailing 7 / 28 days, only where the file
has 7 / 28 days of data up to the day (NaN before); ``chat_users`` / ``agent_users`` /
``cli_users`` = users with ``used_chat`` / ``used_agent`` / ``used_cli`` that day.
``Telemetry.users``: each person's last active day as of ``report_end_day`` (else the last
day of the file), for the idle-licence and cohort views.

Imports :mod:`roi.io` and the lower formats modules ``common`` and ``github_json``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from roi.adoption.formats.common import (
    FIGURES,
    QualityNote,
    Telemetry,
    TelemetryError,
    calendar_quality,
    json_where,
)
from roi.adoption.formats.github_json import completion_quality
from roi.io.dates import read_date as read_written_date
from roi.io.problems import Problem

MAX_COUNT = 10**15
WHOLE = "must be a whole number from 0 to 1e15"
# fmt: off
USER_FLAGS = (
    "used_chat", "used_agent", "used_cli", "used_copilot_coding_agent",
    "used_copilot_cloud_agent", "used_copilot_code_review_active",
    "used_copilot_code_review_passive",
)
FLAG_FIGURES = {"chat_users": "used_chat", "agent_users": "used_agent", "cli_users": "used_cli"}
USER_LABELS = {
    "active_users": "users with a per-user record on the day (one for each user active that day)",
    "weekly_active_users": "distinct users in the trailing 7 days (blank before 7 days of data)",
    "monthly_active_users": "distinct users in the trailing 28 days (blank before 28 days of data)",
    "chat_users": "users who used IDE chat on the day (used_chat)",
    "agent_users": "users who used agent mode in the IDE on the day (used_agent)",
    "cli_users": "users who used Copilot CLI on the day (used_cli), outside the IDE counts",
    "actions": "user-initiated interactions plus accepted code completions",
    "suggestions": "code completions shown (the code_completion feature's generations)",
    "acceptances": "code completions accepted (the code_completion feature's acceptances)",
    "lines_suggested": "lines suggested by code completion",
    "lines_accepted": "lines added by accepted code completions",
    "lines_added": "lines added with Copilot in the IDE (completions, chat, agent edits)",
    "lines_deleted": "lines deleted with Copilot in the IDE (agent edits)",
    "prompts": "Copilot CLI prompts (outside the IDE counts)",
    "sessions": "Copilot CLI sessions (outside the IDE counts)",
    "requests": "Copilot CLI requests, agent follow-ups included (outside the IDE counts)",
    "tokens": "Copilot CLI prompt and output tokens (outside the IDE counts)",
    "credits": "AI credits consumed (ai_credits_used: a metrics signal, not the billed total)",
}
# What a report says about itself, on an envelope or on each of its records.
REPORT_KEYS = (
    "organization_id", "enterprise_id", "report_start_day", "report_end_day", "created_at",
)
# Every field read from a per-user record, fetched in one pass (see fields()).
USER_KEYS = (
    "day", "user_id", "user_login", "slug", "team_id", "user_initiated_interaction_count",
    "loc_added_sum", "loc_deleted_sum", "totals_by_feature", "totals_by_cli",
    "ai_credits_used", "ai_adoption_phase", *USER_FLAGS, *REPORT_KEYS,
)
_COMPLETIONS = ("suggestions", "acceptances", "lines_suggested", "lines_accepted")
_COMPLETION_KEYS = (
    "code_generation_activity_count", "code_acceptance_activity_count",
    "loc_suggested_to_add_sum", "loc_added_sum",
)
# fmt: on


@dataclass(frozen=True)
class Report:
    """What a report says about itself, read once for the whole file: ``scope``
    (``organization 100000001``), ``period`` (``report_start_day``, ``report_end_day``) and
    ``created`` (``created_at``), each ``None`` where the file does not say."""

    scope: str | None
    period: tuple[str, str] | None
    created: str | None


def count_error(value: Any) -> str | None:
    """Why ``value`` (parsed JSON) is not a count (a whole number from 0 to 1e15), or
    ``None`` when it is one. ``None`` itself (a null) is the caller's business."""
    if type(value) is int and 0 <= value <= MAX_COUNT:
        return None
    if type(value) is float and value.is_integer() and 0 <= value <= MAX_COUNT:
        return None
    big = type(value) in (int, float) and value > MAX_COUNT
    return f"{WHOLE}, got {'a number above 1e15' if big else repr(value)}"


def amount_error(value: Any) -> str | None:
    """Why ``value`` is not an amount (a number from 0 to 1e15, fractions allowed: AI
    credits, median minutes), or ``None`` when it is one."""
    if type(value) in (int, float) and 0 <= value <= MAX_COUNT and math.isfinite(value):
        return None
    big = type(value) in (int, float) and value > MAX_COUNT
    return f"must be a number from 0 to 1e15, got {'a number above 1e15' if big else repr(value)}"


def date_error(value: Any) -> tuple[str | None, str | None]:
    """The calendar day ``value`` writes (YYYY-MM-DD, a time after it dropped) and ``None``,
    or ``None`` and why it is not one."""
    if not isinstance(value, str):
        return None, f"must be a date written YYYY-MM-DD, got {value!r}"
    try:
        return read_written_date(value).date.isoformat(), None
    except ValueError as reason:
        return None, f"{reason}, got {value!r}"


def fields(records: list[dict], keys: tuple[str, ...]) -> dict[str, list]:
    """Each of ``keys`` of every record (``None`` where absent), in one pass over the
    records: a record's fields are fetched while it is in the processor's cache, two to
    three times faster on a million records than one pass per field."""
    columns: dict[str, list] = {key: [] for key in keys}
    pairs = [(key, columns[key].append) for key in keys]
    for record in records:
        get = record.get
        for key, append in pairs:
            append(get(key))
    return columns


class _Columns:
    """The records' fields as columns (from :func:`fields`), each checked with one pass over
    its values and only looked at one by one when that pass finds something wrong."""

    def __init__(self, places: list[str], values: dict[str, list]):
        self.places = places
        self.values = values
        self.found: list[tuple[int, Problem]] = []

    def problem(self, i: int, path: str, message: str) -> None:
        self.found.append((i, Problem(json_where(self.places[i], path), message)))

    def problems(self) -> list[Problem]:
        """Every problem found, record by record (a record's in the order of its fields)."""
        return [problem for _, problem in sorted(self.found, key=lambda found: found[0])]

    def numbers(
        self,
        values: list,
        path: Callable[[int], str] | str,
        missing: float = np.nan,
        whole: bool = True,
    ) -> np.ndarray:
        """``values`` as floats, null as ``missing``; a problem for each that is not a count
        (``whole``) or an amount (a fraction allowed: AI credits)."""
        kinds = {int, type(None)} if whole else {int, float, type(None)}
        try:  # fast: one pass over types, one conversion (null becomes NaN)
            array = np.array(values, dtype=np.float64) if set(map(type, values)) <= kinds else None
        except OverflowError:  # an integer beyond float: the slow path names it
            array = None
        if array is not None:
            nulls = np.isnan(array)
            known = array[~nulls]
            fits = known.min(initial=0) >= 0 and known.max(initial=0) <= MAX_COUNT
            if fits and nulls.sum() == values.count(None):  # no NaN written in the file
                array[nulls] = missing
                return array
        check = count_error if whole else amount_error
        array = np.full(len(values), np.nan)
        for i, value in enumerate(values):
            error = None if value is None else check(value)
            if error is None:
                array[i] = missing if value is None else float(value)
            else:
                self.problem(i, path if isinstance(path, str) else path(i), error)
        return array

    def flags(self, key: str) -> np.ndarray:
        values = self.values[key]
        if set(map(type, values)) <= {bool, type(None)}:
            return np.array(values, dtype=bool)  # null is false
        for i, value in enumerate(values):
            if value is not None and type(value) is not bool:
                self.problem(i, key, f"must be true or false, got {value!r}")
        return np.array([value is True for value in values], dtype=bool)

    def dates(self) -> np.ndarray:
        """Each record's ``day``, each distinct value read once."""
        values = list(self.values["day"])
        if not set(map(type, values)) <= {str}:
            for i, value in enumerate(values):
                if not isinstance(value, str):
                    shown = f"must be a date written YYYY-MM-DD, got {value!r}"
                    self.problem(i, "day", "is missing" if value is None else shown)
                    values[i] = "1970-01-01"  # a stand-in: the file is refused
        codes, uniques = pd.factorize(np.array(values, dtype=object))
        read = [date_error(value) for value in uniques]
        bad = [code for code, (date, _) in enumerate(read) if date is None]
        for i in np.flatnonzero(np.isin(codes, bad)) if bad else ():
            self.problem(int(i), "day", str(read[codes[i]][1]))
        days = np.array([date or "1970-01-01" for date, _ in read], dtype="datetime64[D]")
        return days[codes]

    def users(self) -> tuple[np.ndarray, list]:
        """Each record's person (``user_id`` where given, else ``user_login``) as codes, and
        its login (``user_id`` as text without one)."""
        ids, logins = self.values["user_id"], self.values["user_login"]
        id_types = set(map(type, ids))
        usual = id_types <= {int, str, type(None)} and set(map(type, logins)) <= {str}
        if usual and "" not in logins:  # every record has its login
            keys = ids if type(None) not in id_types else _or(ids, logins)
            return pd.factorize(np.array(keys, dtype=object))[0], logins
        names: list = []
        for i, (uid, login) in enumerate(zip(ids, logins, strict=True)):
            if uid is not None and type(uid) not in (int, str):
                self.problem(i, "user_id", f"must be a number or text, got {uid!r}")
            if login is not None and not isinstance(login, str):
                self.problem(i, "user_login", f"must be text, got {login!r}")
            elif not login and uid is None:
                self.problem(i, "user_login", "is missing, and so is user_id")
            names.append(login or (str(uid) if uid is not None else ""))
        ids = [uid if type(uid) in (int, str) else None for uid in ids]
        return pd.factorize(np.array(_or(ids, names), dtype=object))[0], names

    def teams(self, team: str) -> np.ndarray | None:
        """``slug`` (else ``team_id``) of records joined with the user-teams report, ``None``
        when no record has one."""
        slugs, team_ids = self.values["slug"], self.values["team_id"]
        if slugs.count(None) == len(slugs) and team_ids.count(None) == len(team_ids):
            return None
        out = []
        for i, (slug, team_id) in enumerate(zip(slugs, team_ids, strict=True)):
            if isinstance(slug, str) and slug.strip():
                out.append(slug.strip())
            elif type(team_id) in (int, str) and str(team_id).strip():
                out.append(str(team_id).strip())
            elif slug is None and team_id is None:
                out.append(team)
            else:
                self.problem(i, "slug", f"must be a team's slug (text), got {slug!r}")
                out.append(team)
        return np.array(out, dtype=object)

    def nested(
        self, objects: list, keys: tuple[str, ...], inner: Callable[[int], str]
    ) -> dict[str, np.ndarray]:
        """The counts ``keys`` of each record's nested object (``None``: none; a missing or
        null count is 0), fetched in one pass over the objects there are."""
        if set(map(type, objects)) <= {dict}:  # every record has one
            rows, found = None, fields(objects, keys)
        else:
            rows = [i for i, node in enumerate(objects) if node is not None]
            found = fields([objects[i] for i in rows], keys)
        out = {}
        for key in keys:

            def path(j: int, key: str = key) -> str:
                return f"{inner(j if rows is None else rows[j])}.{key}"

            counts = self.numbers(found[key], path, 0.0)
            if rows is None:
                out[key] = counts
            else:
                out[key] = np.zeros(len(objects))
                out[key][rows] = counts
        return out

    def completions(self) -> dict[str, np.ndarray]:
        """The ``code_completion`` entry of each record's ``totals_by_feature``, its counts
        fetched as it is found (the entry is in the processor's cache then)."""
        features = self.values["totals_by_feature"]
        columns: list[list] = [[], [], [], []]
        add_generated, add_accepted, add_suggested, add_added = (c.append for c in columns)
        odd = []  # no list, or a list with something else than objects in it
        for i, value in enumerate(features):
            entry = None
            if type(value) is list:
                for item in value:
                    if type(item) is not dict:
                        odd.append(i)
                        break
                    if entry is None and item.get("feature") == "code_completion":
                        entry = item
            else:
                odd.append(i)
            if entry is None:
                add_generated(0), add_accepted(0), add_suggested(0), add_added(0)
            else:
                get = entry.get
                add_generated(get("code_generation_activity_count"))
                add_accepted(get("code_acceptance_activity_count"))
                add_suggested(get("loc_suggested_to_add_sum"))
                add_added(get("loc_added_sum"))
        for i in odd:
            value = features[i]
            if value is not None and not isinstance(value, list):
                self.problem(i, "totals_by_feature", f"must be a list, got {value!r}")
            for j, item in enumerate(value if isinstance(value, list) else ()):
                if type(item) is not dict:
                    self.problem(i, f"totals_by_feature[{j}]", f"must be an object, got {item!r}")
        out = {}
        for name, key, values in zip(_COMPLETIONS, _COMPLETION_KEYS, columns, strict=True):

            def path(i: int, key: str = key) -> str:
                return f"totals_by_feature[{_completion_index(features[i])}].{key}"

            out[name] = self.numbers(values, path, 0.0)
            out[name][odd] = np.nan  # no list of features: completions unknown, not none
        return out

    def cli(self) -> dict[str, np.ndarray]:
        """``totals_by_cli``'s counts (0 without it: GitHub leaves it out without CLI use)."""
        blocks = list(self.values["totals_by_cli"])
        for i in [i for i, b in enumerate(blocks) if b is not None and type(b) is not dict]:
            self.problem(i, "totals_by_cli", f"must be an object, got {blocks[i]!r}")
            blocks[i] = None
        keys = ("prompt_count", "session_count", "request_count")
        found = self.nested(blocks, keys, lambda i: "totals_by_cli")
        usage = [b.get("token_usage") if b is not None else None for b in blocks]
        for i in [i for i, u in enumerate(usage) if u is not None and type(u) is not dict]:
            self.problem(i, "totals_by_cli.token_usage", f"must be an object, got {usage[i]!r}")
            usage[i] = None
        tokens = self.nested(
            usage, ("prompt_tokens_sum", "output_tokens_sum"), lambda i: "totals_by_cli.token_usage"
        )
        return {
            "prompts": found["prompt_count"],
            "sessions": found["session_count"],
            "requests": found["request_count"],
            "tokens": tokens["prompt_tokens_sum"] + tokens["output_tokens_sum"],
        }

    def phases(self) -> np.ndarray:
        """``ai_adoption_phase``'s ``phase`` (GitHub writes an object; text is taken as is)."""
        values = self.values["ai_adoption_phase"]
        if set(map(type, values)) <= {dict, type(None)}:
            out = [value.get("phase") if value is not None else None for value in values]
            if set(map(type, out)) <= {str} or (
                set(map(type, out)) <= {str, type(None)} and out.count(None) == values.count(None)
            ):  # every object names its phase (else "Phase <phase_number>" below)
                return np.array(out, dtype=object)
        out = [None] * len(values)
        for i, value in enumerate(values):
            if value is None or isinstance(value, str):
                out[i] = value
            elif type(value) is dict and isinstance(value.get("phase"), str):
                out[i] = value["phase"]
            elif type(value) is dict and type(value.get("phase_number")) is int:
                out[i] = f"Phase {value['phase_number']}"
            else:
                shown = f"must be an object with a phase (text), got {value!r}"
                self.problem(i, "ai_adoption_phase", shown)
        return np.array(out, dtype=object)


def _or(first: list, second: list) -> list:
    """``first``'s values, ``second``'s where ``first`` has none."""
    return [a if a is not None else b for a, b in zip(first, second, strict=True)]


def _completion_index(features: list) -> int:
    return next(j for j, e in enumerate(features) if e.get("feature") == "code_completion")


def read_users(
    places: list[str],
    values: dict[str, list],
    source: str,
    team: str,
    report: Report,
    problems: list[Problem],
    notes: list[QualityNote],
) -> Telemetry:
    """Read per-user records: their places (as :func:`.json_where` takes them) and their
    :data:`USER_KEYS` (from :func:`fields`), after the ``problems`` and ``notes`` the caller
    found in the rest of the file.

    Raises
    ------
    TelemetryError
        With ``problems`` and every bad field of every record (place, value and rule).
    """
    columns = _Columns(places, values)
    dates = columns.dates()
    keys, names = columns.users()
    teams = columns.teams(team)
    counted = {
        figure: columns.numbers(columns.values[key], key)
        for figure, key in (
            ("interactions", "user_initiated_interaction_count"),
            ("lines_added", "loc_added_sum"),
            ("lines_deleted", "loc_deleted_sum"),
        )
    }
    counted.update(columns.completions())
    counted["actions"] = np.where(
        np.isnan(counted["interactions"]) & np.isnan(counted["acceptances"]),
        np.nan,
        np.nan_to_num(counted["interactions"]) + np.nan_to_num(counted["acceptances"]),
    )
    counted.update(columns.cli())
    credits = columns.values["ai_credits_used"]
    counted["credits"] = columns.numbers(credits, "ai_credits_used", whole=False)
    flags = {flag: columns.flags(flag) for flag in USER_FLAGS}
    phases = columns.phases()
    problems = [*problems, *columns.problems()]
    if problems:
        raise TelemetryError(source, problems)
    team_codes, team_names = (
        pd.factorize(teams, sort=True)
        if teams is not None
        else (np.zeros(len(keys), np.intp), [team])
    )
    work = pd.DataFrame(
        {"date": dates.astype("datetime64[ns]"), "key": keys, "team_code": team_codes}
    )
    keep, repeated = _later_wins(work, names, places)
    notes += repeated
    work = work[keep]
    users, renamed = _latest_names(work, np.array(names, dtype=object)[keep])
    notes += renamed
    order = np.lexsort((pd.factorize(users, sort=True)[0], work["date"].to_numpy()))
    work = work.iloc[order].reset_index(drop=True)
    rows = np.flatnonzero(keep)[order]
    user_days = pd.DataFrame(
        {
            "date": work["date"],
            "user": users[order],
            "team": np.asarray(team_names, dtype=object)[work["team_code"].to_numpy()],
            "active": np.ones(len(work), dtype=bool),
            **{figure: array[rows] for figure, array in counted.items()},
            **{flag: array[rows] for flag, array in flags.items()},
            "phase": phases[rows],
        }
    )
    daily = _daily(user_days, work, report, np.asarray(team_names, dtype=object))
    notes += calendar_quality(daily)
    for row in daily[["date", *_COMPLETIONS]].to_dict("records"):  # summed over users
        notes += completion_quality(row["date"].date().isoformat(), row)
    return Telemetry(
        "github_usage_metrics_users",
        source,
        daily,
        _last_activity(user_days, work, report),
        tuple(notes),
        None if len(work) else "the report holds no user record",
        breakdown=None,
        user_days=user_days,
        labels=dict(USER_LABELS),
        scope=report.scope,
        period=report.period,
        created=report.created,
    )


def _later_wins(
    work: pd.DataFrame, names: list, places: list[str]
) -> tuple[np.ndarray, list[QualityNote]]:
    """Which records to keep: one per person, day and team, the later in the file."""
    repeated = work.duplicated(["key", "date", "team_code"], keep="last").to_numpy()
    if not repeated.any():
        return ~repeated, []
    i = int(np.flatnonzero(repeated)[0])
    key, date, team = work.iloc[i][["key", "date", "team_code"]]
    same = (work["key"] == key) & (work["date"] == date) & (work["team_code"] == team)
    winner = places[int(np.flatnonzero(same.to_numpy())[-1])]
    message = (
        f"{int(repeated.sum())} user-day record(s) appear more than once; the later record is"
        f" read (for instance {names[i]} on {work['date'].iloc[i].date().isoformat()}:"
        f" {places[i] or 'the file'} is replaced by {winner})"
    )
    return ~repeated, [QualityNote(None, "per-user records", message)]


def _latest_names(work: pd.DataFrame, names: np.ndarray) -> tuple[np.ndarray, list]:
    """Each record's person named by the login of their latest record (a renamed login
    keeps one person), with a note for each other login."""
    keys = work["key"].to_numpy()
    if not len(keys):
        return names, []
    latest = np.argsort(work["date"].to_numpy(), kind="stable")[::-1]
    found, first = np.unique(keys[latest], return_index=True)
    name_of = np.empty(int(keys.max()) + 1, dtype=object)
    name_of[found] = names[latest[first]]
    users = name_of[keys]
    notes = []
    for old in dict.fromkeys(names[users != names]):
        new = users[np.flatnonzero(names == old)[0]]
        message = f"user {old!r} is read as {new!r}, the login of the same user_id's latest record"
        notes.append(QualityNote(None, "user_login", message))
    return users, notes


def _last_activity(user_days: pd.DataFrame, work: pd.DataFrame, report: Report) -> pd.DataFrame:
    """``Telemetry.users``: each person's last active day, as of the report's last day."""
    snapshot = pd.Timestamp(report.period[1]) if report.period else user_days["date"].max()
    by_person = user_days.groupby(work["key"].to_numpy(), sort=False)
    last = by_person.agg(user=("user", "last"), last_activity=("date", "max"))
    last.insert(0, "snapshot", pd.Series(snapshot, index=last.index, dtype="datetime64[ns]"))
    return last.sort_values("user", kind="stable").reset_index(drop=True)


def _daily(
    user_days: pd.DataFrame, work: pd.DataFrame, report: Report, teams: np.ndarray
) -> pd.DataFrame:
    """The daily table: per-user figures summed, people counted (see the docstring)."""
    sums = [f for f in FIGURES if f in user_days.columns]
    grouped = user_days.groupby([work["date"], work["team_code"]], sort=True)
    daily = grouped[sums].sum(min_count=1)
    daily["active_users"] = grouped.size()
    for figure, flag in FLAG_FIGURES.items():
        daily[figure] = grouped[flag].sum().astype(float)
    first = work["date"].min()
    if report.period is not None and len(work):
        first = min(first, pd.Timestamp(report.period[0]))
    for figure, window in (("weekly_active_users", 7), ("monthly_active_users", 28)):
        daily[figure] = _trailing_users(work, daily.index, window, first)
    daily = daily.reset_index()
    daily["team"] = teams[daily["team_code"].to_numpy()]
    for figure in FIGURES:
        daily[figure] = daily[figure].astype(float) if figure in daily else np.nan
    return daily[["date", "team", *FIGURES]]


def _trailing_users(
    work: pd.DataFrame, index: pd.MultiIndex, window: int, first: pd.Timestamp
) -> np.ndarray:
    """Distinct people of each team active in the ``window`` days up to each (date, team)
    of ``index``; NaN where the file's data (from ``first``) covers fewer days. Each
    person's active days become runs of covered days (a day covers itself and the
    ``window - 1`` days after it), counted with one cumulative sum per team."""
    if not len(index):
        return np.array([], dtype=float)
    origin = work["date"].min()
    day = (work["date"] - origin).dt.days.to_numpy()
    team, key = work["team_code"].to_numpy(), work["key"].to_numpy()
    order = np.lexsort((day, key, team))
    day, team, key = day[order], team[order], key[order]
    new_run = np.ones(len(day), dtype=bool)
    other = (team[1:] != team[:-1]) | (key[1:] != key[:-1])
    new_run[1:] = other | (np.diff(day) > window)
    run = np.cumsum(new_run) - 1
    ends = np.zeros(run[-1] + 1, dtype=np.int64)
    np.maximum.at(ends, run, day)
    delta = np.zeros((int(team.max()) + 1, int(day.max()) + window + 2), dtype=np.int64)
    np.add.at(delta, (team[new_run], day[new_run]), 1)
    np.add.at(delta, (team[new_run], ends + window), -1)
    covered = np.cumsum(delta, axis=1)
    dates = index.get_level_values(0)
    offsets = (dates - origin).days.to_numpy()
    values = covered[index.get_level_values(1).to_numpy(), offsets].astype(float)
    values[(dates - first).days.to_numpy() < window - 1] = np.nan
    return values
