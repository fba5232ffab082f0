"""Many of GitHub's per-user usage metrics reports (``users-1-day`` or ``users-28-day``
NDJSON, a year of them) read at once, column by column with pyarrow's JSON reader:
:func:`read_user_reports`.

This is a faster road to the same result, not another reading. It gives exactly what
reading each file with :mod:`.github_usage_users` and joining them
(:func:`roi.adoption.combine.combine`) gives, and only for the files it can read that way
without a doubt: it answers ``None`` (read them one by one) as soon as anything needs a
message or a choice — a value of another type, a count out of range, a day that is not a
date, a line nested too deep, a person twice on one day (in one file or two), a renamed
login, a team column, two scopes or periods in a file, a byte-order mark, a blank file.
The one-by-one road then names each problem with its file, line, field and value.

Fields read: those of :mod:`.github_usage_users` (``day``, ``user_id``, ``user_login``,
the counts, ``totals_by_feature``'s ``code_completion`` entry, ``totals_by_cli``,
``ai_credits_used``, the ``used_*`` flags, ``ai_adoption_phase``) and the report's
``organization_id``, ``enterprise_id``, ``report_start_day``, ``report_end_day`` and
``created_at``; every other field is skipped unread.

Imports :mod:`roi.io` and the lower formats modules ``common``, ``github_json`` and
``github_usage_users``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from roi.adoption.formats.common import (
    QualityNote,
    Telemetry,
    calendar_quality,
    daily_from_user_days,
)
from roi.adoption.formats.github_json import completion_quality
from roi.adoption.formats.github_usage_users import (
    MAX_COUNT,
    USER_FLAGS,
    USER_LABELS,
    date_error,
)
from roi.io.structured import MAX_DEPTH

NDJSON_SUFFIXES = (".ndjson", ".jsonl")
BLOCK_BYTES = 1 << 20  # pyarrow's block: 1 MB was the fastest of 1, 4 and 16 MB
_COUNT = pa.int64()
_COMPLETION_KEYS = (
    "code_generation_activity_count", "code_acceptance_activity_count",
    "loc_suggested_to_add_sum", "loc_added_sum",
)  # fmt: skip
_COMPLETIONS = ("suggestions", "acceptances", "lines_suggested", "lines_accepted")
_CLI_KEYS = ("prompt_count", "session_count", "request_count")
_TOKEN_KEYS = ("prompt_tokens_sum", "output_tokens_sum")
# The figures of a row, in the order of the per-user table's columns.
_FIGURES = (
    "interactions", "lines_added", "lines_deleted", "suggestions", "acceptances",
    "lines_suggested", "lines_accepted", "actions", "prompts", "sessions", "requests",
    "tokens", "credits",
)  # fmt: skip
_REPORT_TEXT = ("organization_id", "enterprise_id", "report_start_day", "report_end_day")
# A field typed null here makes any value of it a parse error, and so a read one by one.
SCHEMA = pa.schema(
    [
        ("day", pa.string()),
        ("user_id", pa.int64()),
        ("user_login", pa.string()),
        *[(key, pa.string()) for key in _REPORT_TEXT],
        ("created_at", pa.string()),
        ("user_initiated_interaction_count", _COUNT),
        ("loc_added_sum", _COUNT),
        ("loc_deleted_sum", _COUNT),
        (
            "totals_by_feature",
            pa.list_(
                pa.struct([("feature", pa.string()), *[(k, _COUNT) for k in _COMPLETION_KEYS]])
            ),
        ),
        (
            "totals_by_cli",
            pa.struct(
                [
                    *[(key, _COUNT) for key in _CLI_KEYS],
                    ("token_usage", pa.struct([(key, _COUNT) for key in _TOKEN_KEYS])),
                ]
            ),
        ),
        ("ai_credits_used", pa.float64()),
        *[(flag, pa.bool_()) for flag in USER_FLAGS],
        (
            "ai_adoption_phase",
            pa.struct([("phase", pa.string()), ("phase_number", pa.int64())]),
        ),
        ("slug", pa.null()),
        ("team_id", pa.null()),
        ("day_totals", pa.null()),
        ("download_links", pa.null()),
    ]
)
_OPTIONS = pj.ParseOptions(explicit_schema=SCHEMA, unexpected_field_behavior="ignore")
_READ = pj.ReadOptions(block_size=BLOCK_BYTES)


def read_user_reports(
    files: Sequence[tuple[bytes, str]], team: str, max_bytes: int
) -> Telemetry | None:
    """The per-user NDJSON ``files`` (bytes, name) read and joined as one export of
    ``team``, as reading each and joining them would; ``None`` when any file needs the
    one-by-one reading (see the module's docstring)."""
    tables, reports = [], []
    for raw, source in files:
        table = _table(raw, source, max_bytes)
        report = None if table is None else _report(table, len(tables))
        if report is None:
            return None
        tables.append(table)
        reports.append(report)
    if len({report["scope"] for report in reports} - {None}) > 1:
        return None  # two organisations: refused one by one, each named
    pieces = []
    for table in tables:
        for batch in table.to_batches():  # arrays as parsed: no copy into one
            piece = _piece(batch)
            if piece is None:
                return None
            pieces.append(piece)
    arrays = {key: np.concatenate([piece[key] for piece in pieces]) for key in pieces[0]}
    arrays["_part"] = np.repeat(np.arange(len(tables)), [table.num_rows for table in tables])
    return _telemetry(arrays, reports, [source for _, source in files], team)


def _table(raw: bytes, source: str, max_bytes: int) -> pa.Table | None:
    """One file's table, or ``None`` when it needs the one-by-one reading."""
    if len(raw) > max_bytes or not source.lower().endswith(NDJSON_SUFFIXES):
        return None
    if raw[:3] == b"\xef\xbb\xbf" or raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw:
        return None
    first = raw.split(b"\n", 1)[0]
    try:
        record = json.loads(first)
    except (ValueError, RecursionError):
        return None
    if type(record) is not dict or "day" not in record or "user_login" not in record:
        return None
    if _too_deep(raw):
        return None
    try:
        table = pj.read_json(io.BytesIO(raw), read_options=_READ, parse_options=_OPTIONS)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError):
        return None
    lines = raw.count(b"\n") + (not raw.endswith(b"\n"))
    if table.num_rows == 0 or table.num_rows != lines:  # a blank line: read one by one
        return None
    return table


def _too_deep(raw: bytes) -> bool:
    """Whether a line of ``raw`` opens more than :data:`MAX_DEPTH` lists and objects (the
    one-by-one reading then checks how deep they nest)."""
    data = np.frombuffer(raw, dtype=np.uint8)
    opens = np.flatnonzero((data == ord("{")) | (data == ord("[")))
    if len(opens) <= MAX_DEPTH:
        return False
    line = np.searchsorted(np.flatnonzero(data == ord("\n")), opens)
    return bool(np.bincount(line).max() > MAX_DEPTH)


def _column(batch: pa.RecordBatch, key: str) -> pa.Array:
    return batch.column(key)


def _piece(batch: pa.RecordBatch) -> dict[str, np.ndarray] | None:
    """A batch of rows as numpy arrays: the figures, the flags, ``phase``, and the raw
    ``user_id``, ``user_login`` and ``day``; ``None`` when one needs reading one by one."""
    columns = _columns(batch)
    marks = _flags_and_phases(batch)
    ids, logins, days = (batch.column(key) for key in ("user_id", "user_login", "day"))
    if columns is None or marks is None or ids.null_count or logins.null_count:
        return None
    if days.null_count or pc.any(pc.equal(logins, "")).as_py():
        return None
    flags, phases = marks
    return {
        **columns,
        **flags,
        "phase": phases,
        "_id": ids.to_numpy(),
        "_login": logins.to_numpy(zero_copy_only=False),
        "_day": days.to_numpy(zero_copy_only=False),
    }


def _counts(array: pa.Array, missing: float) -> np.ndarray | None:
    """A count column as floats (null as ``missing``); ``None`` when one is out of range."""
    if array.null_count < len(array):
        low, high = pc.min_max(array).values()
        if low.as_py() < 0 or high.as_py() > MAX_COUNT:
            return None
    return pc.fill_null(array.cast(pa.float64()), missing).to_numpy(zero_copy_only=False)


def _field(struct: pa.Array, name: str) -> pa.Array:
    """A struct column's field, null where the struct itself is null."""
    return pc.struct_field(struct, name)


def _columns(table: pa.Table) -> dict[str, np.ndarray] | None:
    """Every figure of the per-user rows, as :mod:`.github_usage_users` reads them."""
    out: dict[str, np.ndarray] = {}
    for name, key in (
        ("interactions", "user_initiated_interaction_count"),
        ("lines_added", "loc_added_sum"),
        ("lines_deleted", "loc_deleted_sum"),
    ):
        values = _counts(_column(table, key), np.nan)
        if values is None:
            return None
        out[name] = values
    completions = _completions(_column(table, "totals_by_feature"))
    if completions is None:
        return None
    out.update(completions)
    out["actions"] = np.where(
        np.isnan(out["interactions"]) & np.isnan(out["acceptances"]),
        np.nan,
        np.nan_to_num(out["interactions"]) + np.nan_to_num(out["acceptances"]),
    )
    cli = _column(table, "totals_by_cli")
    for name, key in zip(("prompts", "sessions", "requests"), _CLI_KEYS, strict=True):
        values = _counts(_field(cli, key), 0.0)
        if values is None:
            return None
        out[name] = values
    usage = _field(cli, "token_usage")
    tokens = [_counts(_field(usage, key), 0.0) for key in _TOKEN_KEYS]
    if tokens[0] is None or tokens[1] is None:
        return None
    out["tokens"] = tokens[0] + tokens[1]
    credits = _column(table, "ai_credits_used")
    if credits.null_count < len(credits):
        low, high = pc.min_max(credits).values()
        if (
            not (low.as_py() >= 0 and high.as_py() <= MAX_COUNT)
            or pc.any(pc.is_nan(credits)).as_py()
        ):
            return None
    out["credits"] = pc.fill_null(credits, np.nan).to_numpy(zero_copy_only=False)
    return out


def _completions(features: pa.Array) -> dict[str, np.ndarray] | None:
    """Each row's ``code_completion`` entry of ``totals_by_feature``: its four counts (0
    without an entry, or for a count left out; NaN without the list)."""
    rows = len(features)
    parents = pc.list_parent_indices(features).to_numpy()
    items = pc.list_flatten(features)
    if items.null_count:  # a null in the list: "must be an object"
        return None
    chosen = pc.equal(_field(items, "feature"), "code_completion")
    chosen = pc.fill_null(chosen, False).to_numpy(zero_copy_only=False)
    hit = np.flatnonzero(chosen)
    first_hit = hit[np.unique(parents[hit], return_index=True)[1]] if len(hit) else hit
    out = {}
    no_list = features.is_null().to_numpy(zero_copy_only=False)
    for name, key in zip(_COMPLETIONS, _COMPLETION_KEYS, strict=True):
        values = _counts(_field(items, key), 0.0)
        if values is None:
            return None
        column = np.zeros(rows)
        column[parents[first_hit]] = values[first_hit]
        column[no_list] = np.nan
        out[name] = column
    return out


def _report(table: pa.Table, index: int) -> dict | None:
    """A file's scope, period and creation time; ``None`` for two of one in the file."""
    report = {}
    for key in (*_REPORT_TEXT, "created_at"):
        values = pc.unique(table[key]).drop_null().to_pylist()
        if len(values) > 1 or any(not value.strip() for value in values):
            return None
        report[key] = values[0].strip() if values else None
    for key in ("report_start_day", "report_end_day"):
        if report[key] is not None:
            report[key] = date_error(report[key])[0]
            if report[key] is None:
                return None
    scope = None
    if report["organization_id"]:
        scope = f"organization {report['organization_id']}"
    elif report["enterprise_id"]:
        scope = f"enterprise {report['enterprise_id']}"
    start, end = report["report_start_day"], report["report_end_day"]
    return {
        "index": index,
        "scope": scope,
        "period": (start, end) if start and end else None,
        "created": report["created_at"],
    }


def _people(ids: np.ndarray, logins: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Each row's person (``user_id``) as codes, and its login; ``None`` for an id under two
    logins or a login of two ids (a renamed login is named one by one)."""
    codes, uniques = pd.factorize(ids)
    pairs = pd.DataFrame({"code": codes, "name": logins}).drop_duplicates()
    if len(pairs) != len(uniques) or pairs["name"].nunique() != len(pairs):
        return None
    return codes, logins


def _days(days: np.ndarray) -> np.ndarray | None:
    codes, uniques = pd.factorize(days)
    read = [date_error(value)[0] for value in uniques]
    if any(day is None for day in read):
        return None
    return np.array(read, dtype="datetime64[D]")[codes].astype("datetime64[ns]")


def _flags_and_phases(table: pa.Table) -> tuple[dict[str, np.ndarray], np.ndarray] | None:
    flags = {
        flag: pc.fill_null(_column(table, flag), False).to_numpy(zero_copy_only=False)
        for flag in USER_FLAGS
    }
    phase = _column(table, "ai_adoption_phase")
    text = _field(phase, "phase")
    number = _field(phase, "phase_number")
    named = pc.if_else(
        pc.is_null(text),
        pc.binary_join_element_wise("Phase ", pc.cast(number, pa.string()), ""),
        text,
    )
    unnamed = pc.and_(pc.is_valid(phase), pc.is_null(named))
    if pc.any(unnamed).as_py():
        return None
    return flags, named.to_numpy(zero_copy_only=False).astype(object)


def _telemetry(
    arrays: dict[str, np.ndarray], reports: list[dict], sources: list[str], team: str
) -> Telemetry | None:
    """The joined export, as :func:`roi.adoption.combine.combine` makes it of the files."""
    people = _people(arrays["_id"], arrays["_login"])
    dates = _days(arrays["_day"])
    if people is None or dates is None:
        return None
    codes, names = people
    part = arrays["_part"]
    columns = {figure: arrays[figure] for figure in _FIGURES}
    flags = {flag: arrays[flag] for flag in USER_FLAGS}
    phases = arrays["phase"]
    if pd.DataFrame({"code": codes, "date": dates}).duplicated().any():
        return None  # a person twice on a day: which copy is kept is said one by one
    order = np.lexsort((pd.factorize(names, sort=True)[0], dates))
    if (order[1:] > order[:-1]).all():
        order = slice(None)  # already in order: no copy
    user_days = pd.DataFrame(
        {
            "date": dates[order],
            "user": names[order],
            "team": np.full(len(dates), team, dtype=object),
            "active": np.ones(len(dates), dtype=bool),
            **{figure: values[order] for figure, values in columns.items()},
            **{flag: values[order] for flag, values in flags.items()},
            "phase": phases[order],
        }
    )
    daily = daily_from_user_days(user_days)
    daily["licensed_users"] = np.nan  # GitHub's per-user reports list no seats
    notes = _completion_notes(columns, part, dates, sources) + calendar_quality(daily)
    periods = [r["period"] for r in reports if r["period"] is not None]
    return Telemetry(
        "github_usage_metrics_users",
        f"{len(sources)} files",
        daily,
        _last_activity(codes, names, dates, part, reports),
        tuple(notes),
        None,
        breakdown=None,
        user_days=user_days,
        labels=dict(USER_LABELS),
        scope=reports[0]["scope"],
        period=(min(p[0] for p in periods), max(p[1] for p in periods)) if periods else None,
        created=max((r["created"] for r in reports if r["created"]), default=None),
    )


def _completion_notes(
    columns: dict[str, np.ndarray], part: np.ndarray, dates: np.ndarray, sources: list[str]
) -> list[QualityNote]:
    """Each file's days whose completions accept more than was suggested (summed over its
    users), named by the file, in the order of the files and their days."""
    frame = pd.DataFrame({"_part": part, "date": dates} | {c: columns[c] for c in _COMPLETIONS})
    sums = frame.groupby(["_part", "date"], sort=True)[list(_COMPLETIONS)].sum(min_count=1)
    odd = (
        ((sums["acceptances"] > 0) & (sums["suggestions"] == 0))
        | (sums["acceptances"] > sums["suggestions"])
        | (sums["lines_accepted"] > sums["lines_suggested"])
    )
    notes = []
    for (i, date), row in sums[odd].iterrows():
        for note in completion_quality(date.date().isoformat(), row.to_dict()):
            notes.append(QualityNote(note.date, f"{sources[i]}: {note.where}", note.message))
    return notes


def _last_activity(
    codes: np.ndarray, names: np.ndarray, dates: np.ndarray, part: np.ndarray, reports: list
) -> pd.DataFrame:
    """``Telemetry.users``: each file's people with their last active day as of the file's
    report end (else its last day), the files taken in the order combine ranks them (made
    later, else ending later, else given later) and a (snapshot, user) kept from the last."""
    name_codes, sorted_names = pd.factorize(names, sort=True)
    frame = pd.DataFrame({"part": part, "code": codes, "name": name_codes, "date": dates})
    last = frame.groupby(["part", "code"], sort=False).agg(
        name=("name", "last"), last_activity=("date", "max")
    )
    last = last.reset_index()
    ends = frame.groupby("part")["date"].max()
    snapshots = np.array(
        [np.datetime64(r["period"][1]) if r["period"] else ends[r["index"]] for r in reports],
        dtype="datetime64[ns]",
    )
    rank = [
        (r["created"] or "", r["period"][1] if r["period"] else "", r["index"]) for r in reports
    ]
    position = np.empty(len(reports), dtype=np.int64)
    position[sorted(range(len(reports)), key=rank.__getitem__)] = np.arange(len(reports))
    order = np.lexsort((last["name"].to_numpy(), position[last["part"].to_numpy()]))
    last = last.iloc[order]
    table = pd.DataFrame(
        {
            "snapshot": snapshots[last["part"].to_numpy()],
            "user": np.asarray(sorted_names, dtype=object)[last["name"].to_numpy()],
            "last_activity": last["last_activity"].to_numpy(),
        }
    )
    keep = ~pd.DataFrame(
        {"snapshot": table["snapshot"], "name": last["name"].to_numpy()}
    ).duplicated(keep="last")
    return table[keep.to_numpy()].reset_index(drop=True)
