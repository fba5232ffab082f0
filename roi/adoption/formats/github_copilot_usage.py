"""GitHub's older Copilot usage API (format ``github_copilot_usage``): the JSON of
``GET /orgs/{org}/copilot/usage`` (or a team's), a list of days.

Fields read, per day (all required but the chats): ``day``, ``total_suggestions_count``,
``total_acceptances_count``, ``total_lines_suggested``, ``total_lines_accepted``,
``total_active_users`` and ``total_chat_turns``; and, in each item of ``breakdown`` (by
language and editor), ``suggestions_count``, ``acceptances_count``, ``lines_suggested``,
``lines_accepted`` and ``active_users``, only to check that the breakdown adds up (the day's
totals are used).

A day's ``actions`` are its acceptances and chat turns.
"""

from __future__ import annotations

from roi.adoption.formats.common import (
    QualityNote,
    Telemetry,
    TelemetryError,
    calendar_quality,
    daily_table,
)
from roi.adoption.formats.github_json import Counts, completion_quality, list_items, read_date
from roi.io.problems import Problem


def read(data: list, source: str, team: str) -> Telemetry:
    """Read the API's list of days (already parsed from JSON) for ``team``.

    Raises
    ------
    TelemetryError
        With every bad day, date or count found, each with its JSON path.
    """
    problems: list[Problem] = []
    notes: list[QualityNote] = []
    counts = Counts(problems)
    pairs = {
        "suggestions": ("total_suggestions_count", "suggestions_count"),
        "acceptances": ("total_acceptances_count", "acceptances_count"),
        "lines_suggested": ("total_lines_suggested", "lines_suggested"),
        "lines_accepted": ("total_lines_accepted", "lines_accepted"),
    }
    rows = []
    for i, day in enumerate(data):
        path = f"[{i}]"
        if not isinstance(day, dict):
            problems.append(Problem(path, f"must be an object (a day), got {type(day).__name__}"))
            continue
        date = read_date(day, "day", path, problems, notes)
        totals = {
            key: counts.get(day, total, path, required=True) for key, (total, _) in pairs.items()
        }
        active = counts.get(day, "total_active_users", path, required=True)
        chats = counts.get(day, "total_chat_turns", path)
        parts = list_items(day, "breakdown")
        sums = dict.fromkeys(pairs, 0.0)
        for b, part in parts:
            for key, (_, field) in pairs.items():
                sums[key] += counts.get(part, field, f"{path}.breakdown[{b}]")
            part_active = counts.get(part, "active_users", f"{path}.breakdown[{b}]")
            if date and part_active > active:
                notes.append(
                    QualityNote(
                        date,
                        f"breakdown[{b}].active_users",
                        f"{part_active:g} active users in one breakdown but {active:g} in total",
                    )
                )
        if date is None:
            continue
        if parts:
            for key, (total, _) in pairs.items():
                if sums[key] != totals[key]:
                    notes.append(
                        QualityNote(
                            date,
                            total,
                            f"the breakdown does not add up: it sums to {sums[key]:g}, the total"
                            f" says {totals[key]:g}; the total is used",
                        )
                    )
        notes += completion_quality(date, totals)
        rows.append(
            {
                "date": date,
                "team": team,
                "active_users": active,
                "actions": totals["acceptances"] + chats,
                "chats": chats,
                **totals,
            }
        )
    if problems:
        raise TelemetryError(source, problems)
    daily = daily_table(rows)
    notes += calendar_quality(daily)
    return Telemetry("github_copilot_usage", source, daily, None, tuple(notes))
