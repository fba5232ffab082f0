"""Usage per person and period from a per-user telemetry export (issue 24), in the shape of
:func:`roi.impact.files.read_usage`, so that a measured impact can start from what the
Adoption page reads instead of a ``usage.csv``.

Read from :attr:`roi.adoption.formats.common.Telemetry.user_days`:

- **per-day sources** (GitHub's per-user usage metrics reports, Cursor's and Claude Code's
  usage reports): a person's active days in a period are the distinct days with a record
  marked active (GitHub writes a record only for a day of use); ``actions`` is the sum of the
  source's actions;
- **Viva Insights person query**, by week: ``Total_Copilot_active_days`` as written;
  Viva's weeks start on Sunday (``MetricDate``), and a week is taken as the ISO week of its
  Monday (the Sunday belongs to the week before in ISO terms: a note says so); by day, as a
  per-day source.

Every person the export lists has a row in every period it covers (0 active days where it has
no record): a per-user report lists people on their days of use only. The first and last
periods may be covered in part (a report starting on a Wednesday); a note says so. A
person's team is the team of most of their records. Microsoft 365 Copilot's user detail
report gives each person's last activity date per app, not active days per period, and is
refused with that reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from roi.adoption.formats.common import Telemetry
from roi.adoption.telemetry import read_telemetry_files
from roi.impact.files import ImpactFileError, PeriodKind, person_key, read_usage
from roi.io.problems import Problem


@dataclass(frozen=True)
class TelemetryUsage:
    """The usage table and what the reading noticed."""

    usage: pd.DataFrame  # as read_usage: line (0), person, period, active_days, actions, team
    # The first and last period the export covers (None for a usage.csv, which lists
    # every person's periods itself).
    covered: tuple[pd.Timestamp, pd.Timestamp] | None
    notes: tuple[str, ...]


def _period_start(dates: pd.Series, kind: PeriodKind) -> pd.Series:
    if kind == "month":
        return dates.dt.to_period("M").dt.start_time
    return (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.normalize()


def _last_working_day(period: pd.Timestamp, kind: PeriodKind) -> pd.Timestamp:
    """The period's last Monday-to-Friday day."""
    end = period + (pd.offsets.MonthEnd(0) if kind == "month" else pd.Timedelta(days=6))
    return end - pd.Timedelta(days=max(0, end.weekday() - 4))


def usage_from_telemetry(
    telemetry: Telemetry, kind: PeriodKind = "week", hash_ids: bool = False
) -> TelemetryUsage:
    """The usage table of a per-user export (see the module).

    Raises
    ------
    ImpactFileError
        When the export has no per-person figures by day or week.
    """
    days = telemetry.user_days
    if days is None or days.empty:
        why = (
            "gives each person's last activity date, not active days per period: use a Viva"
            " Insights person query or a usage.csv"
            if telemetry.format == "m365_copilot_usage"
            else "has no figures per person and day or week"
        )
        raise ImpactFileError(telemetry.source, [Problem("", f"{telemetry.format_name} {why}")])
    notes: list[str] = []
    frame = days[["date", "user", "team", "active"]].copy()
    frame["actions"] = days["actions"] if "actions" in days else float("nan")
    weekly = telemetry.format == "viva_insights_person_query" and bool(
        (frame["date"].dt.day_of_week == 6).all() and frame["date"].nunique() > 0
    ) and "active_days" in days  # fmt: skip
    if weekly:
        frame["date"] = frame["date"] + pd.Timedelta(days=1)
        notes.append(
            "Viva Insights weeks start on Sunday; each is read as the ISO week of its Monday"
            " (its Sunday belongs to the ISO week before)"
            + (", and counted in the month of that Monday." if kind == "month" else ".")
        )
        frame["days"] = days["active_days"].fillna(0).astype(float)
    frame["period"] = _period_start(frame["date"], kind)
    frame["person"] = person_key(frame["user"].astype(str), hash_ids)
    if weekly:
        per_week = frame.drop_duplicates(["person", "period", "date"])
        active = per_week.groupby(["person", "period"])["days"].sum()
    else:
        on = frame[frame["active"]].drop_duplicates(["person", "date"])
        active = on.groupby(["person", "period"])["date"].nunique()
    actions = (
        frame.drop_duplicates(["person", "date"])
        .groupby(["person", "period"])["actions"]
        .sum(min_count=1)
    )
    team = (
        frame.groupby(["person", "team"]).size().rename("n").reset_index()
        .sort_values(["person", "n", "team"], ascending=[True, False, True])
        .drop_duplicates("person").set_index("person")["team"]
    )  # fmt: skip
    # The report's first and last day, where it states them (Viva's weeks: as read above).
    span = None if weekly else telemetry.period
    start = pd.Timestamp(span[0]) if span else frame["date"].min()
    end = pd.Timestamp(span[1]) if span else frame["date"].max()
    first = _period_start(pd.Series([start]), kind).iloc[0]
    last = _period_start(pd.Series([end]), kind).iloc[0]
    step = pd.offsets.MonthBegin(1) if kind == "month" else pd.Timedelta(days=7)
    periods = pd.date_range(first, last, freq=step)
    if not weekly and (start > first or end < _last_working_day(last, kind)):
        notes.append(
            f"The export covers {start:%Y-%m-%d} to {end:%Y-%m-%d}: its first or last {kind}"
            " is covered in part, so active days there may be undercounted."
        )
    grid = pd.MultiIndex.from_product([sorted(frame["person"].unique()), periods],
                                      names=["person", "period"])  # fmt: skip
    out = pd.DataFrame(index=grid).reset_index()
    keys = pd.MultiIndex.from_frame(out[["person", "period"]])
    out["active_days"] = active.reindex(keys).fillna(0).astype(int).to_numpy()
    out["actions"] = actions.reindex(keys).to_numpy()
    out["team"] = out["person"].map(team).fillna("")
    out.insert(0, "line", 0)
    out.attrs["period_kind"] = kind
    return TelemetryUsage(out, (periods[0], periods[-1]), tuple(notes))


def telemetry_usage(
    files: list[tuple[bytes, str]], kind: PeriodKind = "week", hash_ids: bool = False
) -> TelemetryUsage:
    """:func:`usage_from_telemetry` of one export or several of one source (a month of
    GitHub's 1-day reports), each file (bytes, name), read as the Adoption page reads them.

    Raises
    ------
    TelemetryError, ImpactFileError
        Listing every problem of the files, or why the export gives no usage per person.
    """
    return usage_from_telemetry(read_telemetry_files(files), kind, hash_ids)


def is_usage_csv(raw: bytes) -> bool:
    """Whether a file is a ``usage.csv`` (its header names ``person_id`` and
    ``active_days``) rather than a telemetry export."""
    head = raw[:4096].decode("utf-8-sig", errors="replace").split("\n", 2)
    names = {n.strip().strip('"').lower() for line in head[:2]
             for n in line.replace(";", ",").replace("\t", ",").split(",")}  # fmt: skip
    return {"person_id", "active_days"} <= names


def read_usage_source(
    files: list[tuple[bytes, str]], kind: PeriodKind, hash_ids: bool = False
) -> TelemetryUsage:
    """The usage of one ``usage.csv`` or of per-user telemetry exports of one source, each
    file (bytes, name); ``kind``: the outcomes' periods (a telemetry export is read in
    them).

    Raises
    ------
    ImpactFileError, TelemetryError
        Listing every problem of the files.
    """
    if len(files) == 1 and is_usage_csv(files[0][0]):
        return TelemetryUsage(read_usage(*files[0], hash_ids=hash_ids), None, ())
    return telemetry_usage(files, kind, hash_ids)
