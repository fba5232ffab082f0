"""GitHub's Copilot metrics API (format ``github_copilot_metrics``): the JSON of
``GET /orgs/{org}/copilot/metrics`` or ``/orgs/{org}/team/{team}/copilot/metrics``, a list of
days.

Fields read, per day: ``date``, ``total_active_users``, ``total_engaged_users``, and the
nested sections

- ``copilot_ide_code_completions`` → ``editors`` → ``models`` → ``languages``:
  ``total_code_suggestions``, ``total_code_acceptances``, ``total_code_lines_suggested``,
  ``total_code_lines_accepted`` (summed into the day's completions);
- ``copilot_ide_chat`` → ``editors`` → ``models`` and ``copilot_dotcom_chat`` → ``models``:
  ``total_chats``;
- ``copilot_dotcom_pull_requests`` → ``repositories`` → ``models``:
  ``total_pr_summaries_created``;
- each section's ``total_engaged_users`` and its editors', only to check that the breakdown
  adds up.

A day's ``actions`` are its accepted completions, chats and pull request summaries. A
missing section counts 0; a missing day total is NaN.
"""

from __future__ import annotations

import numpy as np

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
    rows = []
    for i, day in enumerate(data):
        path = f"[{i}]"
        if not isinstance(day, dict):
            problems.append(Problem(path, f"must be an object (a day), got {type(day).__name__}"))
            continue
        date = read_date(day, "date", path, problems, notes)
        active = counts.get(day, "total_active_users", path, missing=np.nan)
        engaged = counts.get(day, "total_engaged_users", path, missing=np.nan)
        completions = day.get("copilot_ide_code_completions") or {}
        totals = dict.fromkeys(
            ("suggestions", "acceptances", "lines_suggested", "lines_accepted"), 0.0
        )
        section = f"{path}.copilot_ide_code_completions"
        for e, editor in list_items(completions, "editors"):
            for m, model in list_items(editor, "models"):
                for n, language in list_items(model, "languages"):
                    where = f"{section}.editors[{e}].models[{m}].languages[{n}]"
                    figures = {
                        "suggestions": counts.get(language, "total_code_suggestions", where),
                        "acceptances": counts.get(language, "total_code_acceptances", where),
                        "lines_suggested": counts.get(
                            language, "total_code_lines_suggested", where
                        ),
                        "lines_accepted": counts.get(language, "total_code_lines_accepted", where),
                    }
                    for key, value in figures.items():
                        totals[key] += value
        chats = 0.0
        pull_requests = 0.0
        for e, editor in list_items(day.get("copilot_ide_chat") or {}, "editors"):
            for m, model in list_items(editor, "models"):
                chats += counts.get(
                    model, "total_chats", f"{path}.copilot_ide_chat.editors[{e}].models[{m}]"
                )
        for m, model in list_items(day.get("copilot_dotcom_chat") or {}, "models"):
            chats += counts.get(model, "total_chats", f"{path}.copilot_dotcom_chat.models[{m}]")
        for r, repository in list_items(
            day.get("copilot_dotcom_pull_requests") or {}, "repositories"
        ):
            for m, model in list_items(repository, "models"):
                where = f"{path}.copilot_dotcom_pull_requests.repositories[{r}].models[{m}]"
                pull_requests += counts.get(model, "total_pr_summaries_created", where)
        if date is None:
            continue
        notes += _metrics_quality(day, path, date, active, engaged, totals, counts)
        rows.append(
            {
                "date": date,
                "team": team,
                "active_users": active,
                "engaged_users": engaged,
                "actions": totals["acceptances"] + chats + pull_requests,
                "chats": chats,
                **totals,
            }
        )
    if problems:
        raise TelemetryError(source, problems)
    daily = daily_table(rows)
    notes += calendar_quality(daily)
    return Telemetry("github_copilot_metrics", source, daily, None, tuple(notes))


def _metrics_quality(
    day: dict, path: str, date: str, active: float, engaged: float, totals: dict, counts: Counts
) -> list[QualityNote]:
    notes = []
    if engaged > active:
        notes.append(
            QualityNote(
                date, "total_engaged_users", f"{engaged:g} engaged users but {active:g} active"
            )
        )
    for key in (
        "copilot_ide_code_completions",
        "copilot_ide_chat",
        "copilot_dotcom_chat",
        "copilot_dotcom_pull_requests",
    ):
        section = day.get(key)
        if not isinstance(section, dict):
            continue
        part = counts.get(section, "total_engaged_users", f"{path}.{key}", missing=np.nan)
        if part > engaged:
            notes.append(
                QualityNote(
                    date,
                    f"{key}.total_engaged_users",
                    f"the breakdown does not add up: {part:g} engaged users in this section but"
                    f" {engaged:g} engaged in total",
                )
            )
        editors = list_items(section, "editors")
        if editors:
            in_editors = sum(
                counts.get(e, "total_engaged_users", f"{path}.{key}.editors[{i}]")
                for i, e in editors
            )
            if in_editors < part:
                notes.append(
                    QualityNote(
                        date,
                        f"{key}.editors",
                        f"the breakdown does not add up: the editors count {in_editors:g} engaged"
                        f" users, fewer than the section's {part:g}",
                    )
                )
    notes += completion_quality(date, totals)
    return notes
