"""Several exports of one source read as one (a month of GitHub's 1-day reports, a folder of
28-day reports that overlap): :func:`combine`.

Rules, each said in the result's notes:

- one format and one scope: two formats, or two organisations or enterprises, are refused
  (never merged: their users and days are not the same people);
- a (date, team) in more than one file (for reports of one record per user and day, a
  (date, team, user): the parts of one report, split over several files as GitHub's
  ``download_links`` are, share days and are all kept) is kept once, from the file
  generated last (its ``created_at``), else the one whose report ends last (later reports
  include late-arriving data), else the one given last; a note names the days, both files
  and why the copy won, and whether the two copies differed;
- the daily table of per-user reports is rebuilt from the joined user-day table, so that
  monthly active users are distinct users over the trailing 28 days across files (a 1-day
  file alone has none);
- each file's own notes are kept (prefixed with its name) for the days whose copy is kept,
  except its calendar notes, which are recomputed on the joined table (a gap in one file
  may be filled by another).
"""

from __future__ import annotations

import pandas as pd

from roi.adoption.formats.common import (
    QualityNote,
    Telemetry,
    TelemetryError,
    calendar_quality,
    daily_from_user_days,
)
from roi.io.problems import Problem

DAY_KEYS = ["date", "team"]
# Formats whose daily table is built from their user-day table (and so is rebuilt).
PER_USER = ("github_usage_metrics_users", "cursor_daily_usage", "claude_code_usage")


def combine(parts: list[Telemetry], name: str) -> Telemetry:
    """``parts`` (each read from one file) as one export called ``name``.

    Raises
    ------
    TelemetryError
        When the parts are of different formats or scopes.
    """
    _check_joinable(parts, name)
    ranks = _ranks(parts)
    daily = pd.concat(
        [part.daily.assign(_part=i) for i, part in enumerate(parts)], ignore_index=True
    )
    fmt = parts[0].format
    per_user = fmt in PER_USER and all(part.user_days is not None for part in parts)
    if per_user:
        # A user-day is the unit: the files of one report split in parts (GitHub's several
        # download_links) share days but no user-day, and are all kept.
        every = pd.concat(
            [part.user_days.assign(_part=i) for i, part in enumerate(parts)], ignore_index=True
        )
        user_keys = ["date", "team", "user"]
        user_winners = _winners(every, ranks, user_keys)
        notes = _overlap_notes(every, user_winners, parts, ranks, user_keys)
        user_days = _kept(every, user_winners, user_keys)
        user_days = user_days.sort_values(["date", "user", "team"], kind="stable")
        user_days = user_days.reset_index(drop=True)
        winners = user_winners[["date", "team", "_part"]].drop_duplicates()
    else:
        winners = _winners(daily, ranks)
        notes = _overlap_notes(daily, winners, parts, ranks)
        user_days = _joined(parts, "user_days", winners)
    kept_daily = _kept(daily, winners)
    if per_user:
        rebuilt = daily_from_user_days(user_days)
        for figure in ("licensed_users",):
            # A figure no file gives (Claude Code lists users, not seats) stays unknown.
            if all(part.daily[figure].isna().all() for part in parts):
                rebuilt[figure] = float("nan")
        kept_daily = rebuilt
    for i, part in enumerate(parts):
        own_calendar = set(calendar_quality(part.daily))
        won = {d.date().isoformat() for d in winners.loc[winners["_part"] == i, "date"]}
        notes += [
            QualityNote(note.date, f"{part.source}: {note.where}", note.message)
            for note in part.data_quality
            if note not in own_calendar and (note.date is None or note.date in won)
        ]
    notes += calendar_quality(kept_daily)
    first = parts[0]
    periods = [part.period for part in parts if part.period is not None]
    return Telemetry(
        format=fmt,
        source=name,
        daily=kept_daily,
        users=_users(parts, ranks),
        data_quality=tuple(notes),
        note=None if not kept_daily.empty else first.note,
        breakdown=_joined(parts, "breakdown", winners),
        user_days=user_days,
        labels={key: value for part in parts for key, value in part.labels.items()},
        scope=first.scope,
        period=(min(p[0] for p in periods), max(p[1] for p in periods)) if periods else None,
        created=max((part.created for part in parts if part.created), default=None),
        currency=first.currency,
        medians=_joined(parts, "medians", winners),
    )


def _check_joinable(parts: list[Telemetry], name: str) -> None:
    problems = []
    formats = {part.format for part in parts}
    if len(formats) > 1:
        listed = "; ".join(f"{part.source}: {part.format_name}" for part in parts)
        problems.append(
            Problem(
                "",
                f"the files are of different formats and are read one source at a time: {listed}",
            )
        )
    scopes = {part.scope for part in parts if part.scope is not None}
    if len(scopes) > 1:
        listed = "; ".join(f"{part.source}: {part.scope}" for part in parts if part.scope)
        problems.append(
            Problem(
                "",
                f"the files are of different organisations or enterprises, which are"
                f" never merged (read each on its own): {listed}",
            )
        )
    currencies = {part.currency for part in parts if part.currency is not None}
    if len(currencies) > 1:
        problems.append(
            Problem(
                "",
                f"the files report spend in different currencies: {', '.join(sorted(currencies))}",
            )
        )
    if problems:
        raise TelemetryError(name, problems)


def _ranks(parts: list[Telemetry]) -> list[tuple[str, str, int]]:
    """Each part's precedence: generated later, else ending later, else given later."""
    return [
        (part.created or "", part.period[1] if part.period else "", i)
        for i, part in enumerate(parts)
    ]


def _winners(
    daily: pd.DataFrame, ranks: list[tuple[str, str, int]], keys: list[str] = DAY_KEYS
) -> pd.DataFrame:
    """For each of ``keys`` (a date and team, or a user-day), the part whose copy is kept
    (column ``_part``)."""
    order = {
        i: position for position, i in enumerate(sorted(range(len(ranks)), key=ranks.__getitem__))
    }
    keyed = daily[[*keys, "_part"]].drop_duplicates()
    keyed = keyed.assign(_order=keyed["_part"].map(order))
    best = keyed.sort_values("_order", kind="stable").drop_duplicates(keys, keep="last")
    return best[[*keys, "_part"]]


def _kept(frame: pd.DataFrame, winners: pd.DataFrame, keys: list[str] = DAY_KEYS) -> pd.DataFrame:
    kept = frame.merge(winners, on=[*keys, "_part"], how="inner")
    kept = kept.drop(columns="_part").sort_values(["team", "date"], kind="stable")
    return kept.reset_index(drop=True)


def _joined(parts: list[Telemetry], field: str, winners: pd.DataFrame) -> pd.DataFrame | None:
    """The parts' ``field`` tables joined, each (date, team) from its winning part."""
    tables = [
        getattr(part, field).assign(_part=i)
        for i, part in enumerate(parts)
        if getattr(part, field) is not None
    ]
    if not tables:
        return None
    return _kept(pd.concat(tables, ignore_index=True), winners)


def _users(parts: list[Telemetry], ranks: list[tuple[str, str, int]]) -> pd.DataFrame | None:
    """The per-user snapshots joined; a user in one snapshot of two files kept once, from the
    file that wins."""
    tables = [(ranks[i], part.users) for i, part in enumerate(parts) if part.users is not None]
    if not tables:
        return None
    ordered = [table for _, table in sorted(tables, key=lambda item: item[0])]
    joined = pd.concat(ordered, ignore_index=True)
    return joined.drop_duplicates(["snapshot", "user"], keep="last").reset_index(drop=True)


def _overlap_notes(
    daily: pd.DataFrame,
    winners: pd.DataFrame,
    parts: list[Telemetry],
    ranks: list[tuple[str, str, int]],
    keys: list[str] = DAY_KEYS,
) -> list[QualityNote]:
    """One note per pair of files that share days (or user-days): which, which copy won and
    why, and whether the copies differed."""
    keyed = daily.merge(winners.rename(columns={"_part": "_winner"}), on=keys)
    losers = keyed[keyed["_part"] != keyed["_winner"]]
    notes = []
    for (loser, winner), group in losers.groupby(["_part", "_winner"], sort=True):
        shared = group[keys].drop_duplicates()
        dates = shared["date"].drop_duplicates().sort_values()
        kept = keyed[keyed["_part"] == winner].merge(shared, on=keys)
        figures = [c for c in daily.columns if c not in (*keys, "_part")]
        same = _same(group, kept, figures, keys)
        span = dates.iloc[0].date().isoformat()
        if len(dates) > 1:
            span += f" to {dates.iloc[-1].date().isoformat()}"
        what = f"{len(dates)} day(s) ({span})"
        if "user" in keys:
            what = f"{len(shared)} user-day(s) on {what}"
        message = (
            f"{what} are in both {parts[loser].source} and"
            f" {parts[winner].source}: {parts[winner].source}'s copy is kept because"
            f" {_why(ranks[winner], ranks[loser])}; "
            + ("the two copies are the same" if same else "the two copies differ")
        )
        notes.append(QualityNote(None, "files", message))
    return notes


def _same(
    lost: pd.DataFrame, kept: pd.DataFrame, figures: list[str], keys: list[str] = DAY_KEYS
) -> bool:
    left = lost.sort_values(keys)[figures].reset_index(drop=True)
    right = kept.sort_values(keys)[figures].reset_index(drop=True)
    return left.shape == right.shape and left.equals(right)


def _why(winner: tuple[str, str, int], loser: tuple[str, str, int]) -> str:
    if winner[0] != loser[0] and winner[0]:
        return f"it was generated later ({winner[0]}, the other {loser[0] or 'not dated'})"
    if winner[1] != loser[1] and winner[1]:
        return (
            f"its report ends later ({winner[1]}, the other {loser[1] or 'without an end day'});"
            " later reports include data that arrived late"
        )
    return "it was given later and neither file says when it was made"
