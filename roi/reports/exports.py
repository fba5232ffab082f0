"""Exports finance can audit: the workbook (:mod:`roi.reports.workbook`) and CSV schedules.

CSV files have a header line, ISO dates and unformatted numbers (full precision, a ``.``
decimal point, no thousands separators). Text that a spreadsheet would read as a formula
(starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written with a
leading apostrophe, the OWASP defence against CSV injection; numbers are never touched.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from roi.core.engine import CaseResult
from roi.reports.tables import MONTHLY_COLUMNS, annual_columns, annual_rows, monthly_rows

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """Text a spreadsheet cannot take for a formula.

    >>> safe_text("=HYPERLINK(\\"http://x\\")"), safe_text("Agents")
    ('\\'=HYPERLINK("http://x")', 'Agents')
    """
    return "'" + value if value.startswith(FORMULA_START) else value


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return "" if value != value else repr(value)  # NaN is a blank cell
    if hasattr(value, "item"):  # numpy scalars
        return _cell(value.item())
    return value


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """Rows as CSV text with a header line (see the module docstring)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else _cell(row.get(c)) for c in columns])
    return out.getvalue()


def schedule_files(result: CaseResult) -> dict[str, str]:
    """The case's schedules as CSV texts by file name: the monthly schedule and the annual
    table, each in the risk-adjusted and the unadjusted view."""
    horizon = result.case.horizon_years
    out = {}
    for adjusted, suffix in ((True, "risk_adjusted"), (False, "unadjusted")):
        out[f"monthly_{suffix}.csv"] = csv_text(monthly_rows(result, adjusted), MONTHLY_COLUMNS)
        out[f"annual_{suffix}.csv"] = csv_text(
            annual_rows(result, adjusted), annual_columns(horizon)
        )
    return out


def write_schedules(result: CaseResult, folder: Path) -> list[Path]:
    """Write :func:`schedule_files` into ``folder`` (made if missing); the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in schedule_files(result).items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def zip_files(files: Mapping[str, str]) -> bytes:
    """Text files (name → text) as the bytes of a zip archive, for one download."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def ranking_csv(ranking) -> str:
    """The quick-wins ranking, one row per use case in rank order, each part and its
    contribution as its own column."""
    from roi.portfolio.quickwins import WEIGHT_KEYS

    columns = [
        "rank", "use_case_id", "name", "business_function", "quadrant", "score", "value",
        "value_source", "npv", "actionability", "p_quick_win", "p_top_k", "estimated_cost",
        "owner", "team", "change_readiness_source",
        *(f"part_{k}" for k in WEIGHT_KEYS), *(f"contribution_{k}" for k in WEIGHT_KEYS),
    ]  # fmt: skip
    rows = []
    for row in ranking.rows:
        record = {c: getattr(row, c, None) for c in columns}
        record |= {f"part_{k}": v for k, v in row.components.items()}
        record |= {f"contribution_{k}": v for k, v in row.contributions.items()}
        rows.append(record)
    return csv_text(rows, columns)


def adoption_csv(report) -> str:
    """The adoption report's series: one row per period and team (and all teams), with
    every figure and ratio; ISO dates. A period's user counts are the sums of its daily
    counts, so they are named for what they are: ``active_user_days``, not
    ``active_users``."""
    frame = report.series.rename(columns=user_days)
    return csv_text(frame.to_dict("records"), list(frame.columns))


def user_days(column: str) -> str:
    """The name of a period's sum of a daily user count: ``eligible_users`` →
    ``eligible_user_days``; other columns unchanged."""
    return column[: -len("users")] + "user_days" if column.endswith("_users") else column


def survey_csv(report) -> str:
    """The survey's group figures — aggregates only, hidden groups with blank figures — one
    row per team (or all teams), wave and dimension."""
    from dataclasses import asdict

    columns = ["team", "wave", "dimension", "n", "suppressed", "mean", "favourable", "score",
               "advocacy", "recapture"]  # fmt: skip
    return csv_text([asdict(g) for g in report.groups], columns)
