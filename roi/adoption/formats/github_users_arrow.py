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

import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

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
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"{[\n")
_OPTIONS = pj.ParseOptions(explicit_schema=SCHEMA, unexpected_field_behavior="ignore")
_READ = pj.ReadOptions(block_size=BLOCK_BYTES, use_threads=False)


def read_user_reports(
    files: Sequence[tuple[bytes, str]], team: str, max_bytes: int
) -> Telemetry | None:
    """The per-user NDJSON ``files`` (bytes, name) read and joined as one export of
    ``team``, as reading each and joining them would; ``None`` when any file needs the
    one-by-one reading (see the module's docstring)."""
    if not files:
        return None
    # pyarrow and numpy let go of the interpreter while they parse and count: one file a
    # processor at a time (each parsed on one thread: a file is a few blocks). Each file's
    # table is dropped once its columns are taken, so that the next one reuses its memory.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        read = list(pool.map(lambda item: _file(*item[1], max_bytes, item[0]), enumerate(files)))
    if any(item is None for item in read):
        return None
    reports = [report for report, _ in read]
    if len({report["scope"] for report in reports} - {None}) > 1:
        return None  # two organisations: refused one by one, each named
    pieces = [piece for _, piece in read]
    rows = sum(len(piece["_id"]) for piece in pieces)
    # The figures are written once, straight into the block the table keeps them in.
    block = np.empty((len(_FIGURES), rows))
    arrays = {"_figures": block}
    for i, figure in enumerate(_FIGURES):
        arrays[figure] = np.concatenate([piece[figure] for piece in pieces], out=block[i])
    for key in pieces[0]:
        if key not in (*_FIGURES, "_login", "_logins", "_day", "_days"):
            arrays[key] = np.concatenate([piece[key] for piece in pieces])
    for name in ("_login", "_day"):
        arrays[name], arrays[name + "s"] = _merged_codes(pieces, name)
    arrays["_part"] = np.repeat(np.arange(len(pieces)), [len(piece["_id"]) for piece in pieces])
    return _telemetry(arrays, reports, [source for _, source in files], team)


def _file(raw: bytes, source: str, max_bytes: int, index: int) -> tuple[dict, dict] | None:
    """One file's report (scope, period, creation) and its rows as arrays."""
    table = _table(raw, source, max_bytes)
    report = None if table is None else _report(table, index)
    piece = None if report is None else _piece(table)
    return None if piece is None else (report, _in_order(piece))


def _in_order(piece: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A file's rows by day and login, the order of the joined table: files of successive
    days are then in order once put together, and a year is not sorted again."""
    day_rank = np.argsort(np.argsort(piece["_days"].astype(str)))
    login_rank = np.argsort(np.argsort(piece["_logins"].astype(str)))
    order = np.lexsort((login_rank[piece["_login"]], day_rank[piece["_day"]]))
    if (order[1:] > order[:-1]).all():
        return piece
    return {
        key: values if key in ("_logins", "_days") else values[order]
        for key, values in piece.items()
    }


def _merged_codes(pieces: list[dict], name: str) -> tuple[np.ndarray, np.ndarray]:
    """The files' codes into their own distinct values (``name``, ``name + "s"``) as codes
    into the distinct values of all files."""
    sizes = [len(piece[name + "s"]) for piece in pieces]
    offsets = np.r_[0, np.cumsum(sizes)[:-1]]
    every, distinct = pd.factorize(np.concatenate([piece[name + "s"] for piece in pieces]))
    codes = np.concatenate(
        [every[piece[name] + offset] for piece, offset in zip(pieces, offsets, strict=True)]
    )
    return codes, np.asarray(distinct, dtype=object)


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
        table = pj.read_json(pa.BufferReader(raw), read_options=_READ, parse_options=_OPTIONS)
    except (pa.ArrowException, UnicodeDecodeError):  # any file pyarrow cannot take
        return None
    lines = raw.count(b"\n") + (not raw.endswith(b"\n"))
    if table.num_rows == 0 or table.num_rows != lines:  # a blank line: read one by one
        return None
    return table


def _too_deep(raw: bytes) -> bool:
    """Whether a line of ``raw`` opens more than :data:`MAX_DEPTH` lists and objects (the
    one-by-one reading then checks how deep they nest): the file with all but brackets and
    line ends deleted, its lines' lengths."""
    brackets = raw.translate(None, _NOT_BRACKETS)
    return len(brackets) > MAX_DEPTH and max(map(len, brackets.split(b"\n"))) > MAX_DEPTH


def _column(table: pa.Table, key: str) -> pa.ChunkedArray:
    return table.column(key)


def _piece(table: pa.Table) -> dict[str, np.ndarray] | None:
    """The rows as numpy arrays: the figures, the flags, ``phase``, and the raw
    ``user_id``, ``user_login`` and ``day``; ``None`` when one needs reading one by one."""
    columns = _columns(table)
    marks = _flags_and_phases(table)
    ids, logins, days = (table.column(key) for key in ("user_id", "user_login", "day"))
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
        **_encoded(logins, "_login"),
        **_encoded(days, "_day"),
    }


def _encoded(values: pa.ChunkedArray, name: str) -> dict[str, np.ndarray]:
    """Text as codes into its distinct values, each value kept once (a year's logins and
    days are a few thousand strings, not a million): ``name`` the codes, ``name + "s"`` the
    values, in the order met."""
    encoded = pc.dictionary_encode(values.combine_chunks())
    return {
        name: encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64),
        name + "s": encoded.dictionary.to_numpy(zero_copy_only=False).astype(object),
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


def _people(
    ids: np.ndarray, logins: np.ndarray, distinct: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Each row's person (``user_id``) as codes, its login's rank in the sorted logins, and
    the sorted logins (``logins``: codes into the ``distinct`` logins); ``None`` for an id
    under two logins or a login of two ids (a renamed login is named one by one)."""
    codes, uniques = pd.factorize(ids)
    pairs = np.unique(codes.astype(np.int64) * len(distinct) + logins)
    if len(pairs) != len(uniques) or len(np.unique(pairs % len(distinct))) != len(pairs):
        return None
    order = np.argsort(distinct.astype(str), kind="stable")
    rank = np.empty(len(distinct), dtype=np.int64)
    rank[order] = np.arange(len(distinct))
    return codes, rank[logins], distinct[order]


def _days(codes: np.ndarray, days: np.ndarray) -> np.ndarray | None:
    read = [date_error(value)[0] for value in days]
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
    people = _people(arrays["_id"], arrays["_login"], arrays["_logins"])
    dates = _days(arrays["_day"], arrays["_days"])
    if people is None or dates is None:
        return None
    codes, ranks, logins = people
    names = logins[ranks]
    part = arrays["_part"]
    columns = {figure: arrays[figure] for figure in _FIGURES}
    flags = {flag: arrays[flag] for flag in USER_FLAGS}
    phases = arrays["phase"]
    if pd.DataFrame({"code": codes, "date": dates}).duplicated().any():
        return None  # a person twice on a day: which copy is kept is said one by one
    order = np.lexsort((ranks, dates))
    if (order[1:] > order[:-1]).all():
        order = slice(None)  # already in order: no copy
    user_days = pd.concat(
        [
            pd.DataFrame(
                {
                    "date": dates[order],
                    "user": names[order],
                    "team": np.full(len(dates), team, dtype=object),
                    "active": np.ones(len(dates), dtype=bool),
                }
            ),
            _block(columns, order)
            if not isinstance(order, slice)
            else pd.DataFrame(arrays["_figures"].T, columns=list(_FIGURES), copy=False),
            _block(flags, order),
            pd.DataFrame({"phase": phases[order]}),
        ],
        axis=1,
    )
    daily = daily_from_user_days(user_days)
    daily["licensed_users"] = np.nan  # GitHub's per-user reports list no seats
    notes = _completion_notes(columns, part, dates, sources) + calendar_quality(daily)
    periods = [r["period"] for r in reports if r["period"] is not None]
    return Telemetry(
        "github_usage_metrics_users",
        f"{len(sources)} files",
        daily,
        _last_activity(codes, ranks, logins, dates, part, reports),
        tuple(notes),
        None,
        breakdown=None,
        user_days=user_days,
        labels=dict(USER_LABELS),
        scope=reports[0]["scope"],
        period=(min(p[0] for p in periods), max(p[1] for p in periods)) if periods else None,
        created=max((r["created"] for r in reports if r["created"]), default=None),
    )


def _block(arrays: dict[str, np.ndarray], order: np.ndarray | slice) -> pd.DataFrame:
    """Columns of one type as one table, each written once in ``order`` into the block
    pandas keeps them in (a million rows: no copy to consolidate them afterwards)."""
    first = next(iter(arrays.values()))
    rows = len(first[order]) if isinstance(order, slice) else len(order)
    block = np.empty((len(arrays), rows), dtype=first.dtype)
    for i, values in enumerate(arrays.values()):
        if isinstance(order, slice):
            block[i] = values
        else:
            np.take(values, order, out=block[i])
    return pd.DataFrame(block.T, columns=list(arrays), copy=False)


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
    codes: np.ndarray,
    ranks: np.ndarray,
    logins: np.ndarray,
    dates: np.ndarray,
    part: np.ndarray,
    reports: list,
) -> pd.DataFrame:
    """``Telemetry.users``: each file's people with their last active day as of the file's
    report end (else its last day), the files taken in the order combine ranks them (made
    later, else ending later, else given later) and a (snapshot, user) kept from the last."""
    frame = pd.DataFrame({"part": part, "code": codes, "name": ranks, "date": dates})
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
            "user": logins[last["name"].to_numpy()],
            "last_activity": last["last_activity"].to_numpy(),
        }
    )
    keep = ~pd.DataFrame(
        {"snapshot": table["snapshot"], "name": last["name"].to_numpy()}
    ).duplicated(keep="last")
    return table[keep.to_numpy()].reset_index(drop=True)
