"""Reading pilot observation files: one row per observation (a task, a ticket, a lead, a month
of spend), validated completely before anything is estimated.

Canonical columns: ``use_case_id, metric, group, value`` and optionally ``period``
(``before``/``after``), ``date`` (``YYYY-MM-DD``) and ``unit_id``. Real exports differ, so the
reader accepts ``,`` or ``;`` delimiters, a UTF-8 byte-order mark or Latin-1 text, surrounding
spaces, trailing empty columns and digit grouping (``1,234.5``, ``1 234``), and a column mapping
for other exports. What is ambiguous is rejected: a header with both delimiters, or a number
such as ``1,234`` in a file delimited by ``;`` (a thousand, or one and a quarter?).

Every problem is reported at once with the file, the physical line (the header is line 1),
the column, the bad value and the rule. A rejected file yields nothing.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from roi.casefile import CaseError, Problem
from roi.estimates import (
    Estimate,
    difference_in_differences,
    log_ratio,
    mann_whitney,
    two_proportions,
    welch,
)

# Uploads above this are refused; ROI_MAX_UPLOAD_MB changes it.
MAX_UPLOAD_BYTES = int(float(os.environ.get("ROI_MAX_UPLOAD_MB", "200")) * 1024 * 1024)
METRICS = {
    "task_minutes": "minutes per task",
    "response_minutes": "minutes to respond",
    "converted": "1 if the lead converted, else 0",
    "deal_value": "money per deal",
    "infra_cost": "money per month of spend",
    "requests": "requests in the period",
}
GROUPS = {"baseline": "baseline", "control": "baseline", "pilot": "pilot", "treatment": "pilot"}
PERIODS = ("before", "after")
REQUIRED = ("use_case_id", "metric", "group", "value")
OPTIONAL = ("period", "date", "unit_id")
CANONICAL = REQUIRED + OPTIONAL

_GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")  # 1,234 or 1,234.5
_SPACED = re.compile(r"^-?\d{1,3}([ \u00a0\u202f]\d{3})+([.,]\d+)?$")  # 1 234 or 1 234,5
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")  # 12,5
_DOTTED = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")  # 1.234 or 1.234,5 (in ';' files)
_PLAIN = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


class PilotFileError(CaseError):
    """A pilot file that cannot be used; ``problems`` lists every problem found."""


@dataclass(frozen=True)
class ColumnMapping:
    """How another export maps onto the canonical columns.

    ``columns`` maps a canonical column to the export's column; ``constants`` gives a
    canonical column one value for every row (e.g. ``metric: response_minutes``); ``groups``
    turns an export column into groups: ``{"column": "AI assisted", "pilot": ["yes"],
    "baseline": ["no"]}``.
    """

    columns: Mapping[str, str]
    constants: Mapping[str, str]
    groups: Mapping[str, Any] | None = None


def parse_mapping(data: Any, source: str = "mapping") -> ColumnMapping:
    """Validate a mapping file's content (see :class:`ColumnMapping`)."""
    problems = []
    if not isinstance(data, dict):
        raise PilotFileError(source, [Problem("", "a mapping file must hold a mapping")])
    unknown = set(data) - {"columns", "constants", "groups"}
    for key in sorted(unknown):
        problems.append(Problem(key, "unknown field; valid fields: columns, constants, groups"))
    columns, constants = data.get("columns") or {}, data.get("constants") or {}
    for part, value in (("columns", columns), ("constants", constants)):
        if not isinstance(value, dict):
            problems.append(Problem(part, "must be a mapping of canonical column to value"))
            continue
        for key in value:
            if key not in CANONICAL:
                valid = ", ".join(CANONICAL)
                problems.append(Problem(f"{part}.{key}", f"not a canonical column; valid: {valid}"))
    groups = data.get("groups")
    if groups is not None and (
        not isinstance(groups, dict)
        or not isinstance(groups.get("column"), str)
        or not all(isinstance(groups.get(g), list) for g in ("pilot", "baseline"))
    ):
        problems.append(
            Problem("groups", "needs 'column' and the lists 'pilot' and 'baseline' of values")
        )
    if problems:
        raise PilotFileError(source, problems)
    if groups is not None:
        groups = {"column": groups["column"]} | {
            group: sorted({label for value in groups[group] for label in _labels(value)})
            for group in ("pilot", "baseline")
        }
        both = sorted(set(groups["pilot"]) & set(groups["baseline"]))
        if both:
            labels = ", ".join(repr(label) for label in both)
            raise PilotFileError(
                source, [Problem("groups", f"{labels} is both pilot and baseline")]
            )
    return ColumnMapping(
        {str(k): str(v) for k, v in columns.items()},
        {str(k): str(v) for k, v in constants.items()},
        groups,
    )


def _labels(value: Any) -> set[str]:
    """The cell texts a group value stands for; YAML reads yes/no as true/false."""
    if value is True:
        return {"yes", "y", "true", "on", "1"}
    if value is False:
        return {"no", "n", "false", "off", "0"}
    return {str(value).strip().lower()}


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):  # Windows exports are cp1252, not Latin-1
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")  # every byte decodes


def _delimiter(header: str, source: str) -> str:
    commas, semicolons = header.count(","), header.count(";")
    if commas and semicolons:
        message = "the header has both ',' and ';': cannot tell which one separates the columns"
        raise PilotFileError(source, [Problem("line 1", message)])
    return ";" if semicolons else ","


def parse_number(text: str, delimiter: str) -> float:
    """A number as exports write it; raises ``ValueError`` with the reason.

    >>> parse_number("1,234.5", ","), parse_number("1 234", ";"), parse_number("12,5", ";")
    (1234.5, 1234.0, 12.5)
    """
    value = text.strip()
    if delimiter == ";" and _DOTTED.match(value):
        if "," in value:  # 1.234,5: dots group thousands, the comma is the decimal mark
            return float(value.replace(".", "").replace(",", "."))
        raise ValueError("ambiguous: a thousand separator or a decimal point")
    if _PLAIN.match(value):
        return float(value)
    if _GROUPED.match(value):
        if delimiter == ";" and "." not in value and value.count(",") == 1:
            raise ValueError("ambiguous: a thousand separator or a decimal comma")
        return float(value.replace(",", ""))
    if _SPACED.match(value):
        return float(re.sub(r"[ \u00a0\u202f]", "", value).replace(",", "."))
    if _DECIMAL_COMMA.match(value) and delimiter == ";":
        return float(value.replace(",", "."))
    if value.endswith("%"):
        raise ValueError("a percentage is not a value of this metric")
    raise ValueError("not a number")


def read_observations(
    raw: bytes,
    source: str,
    mapping: ColumnMapping | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> pd.DataFrame:
    """Read and validate a pilot observations file.

    Returns
    -------
    pandas.DataFrame
        Columns ``line`` (physical line), ``use_case_id``, ``metric``, ``group``
        (``baseline``/``pilot``), ``value`` (float), ``period`` (``before``/``after`` or
        empty), ``date``, ``unit_id``.

    Raises
    ------
    PilotFileError
        Listing every problem, each with line, column, value and rule.
    """
    if len(raw) > max_bytes:
        limit = f"{max_bytes / 1024 / 1024:,.0f} MB"
        raise PilotFileError(source, [Problem("", f"is larger than the {limit} limit")])
    if not raw.strip():
        raise PilotFileError(source, [Problem("", "the file is empty")])
    if b"\x00" in raw[:8192]:
        raise PilotFileError(source, [Problem("", "is not a text (CSV) file")])
    text = _decode(raw)
    if not text.strip():
        raise PilotFileError(source, [Problem("", "the file is empty")])
    delimiter = _delimiter(text.split("\n", 1)[0], source)
    frame = _table(text, delimiter, source)
    frame = _apply_mapping(frame, mapping, source)
    problems: list[Problem] = []
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        have = ", ".join(c for c in frame.columns if c != "line")
        message = f"missing column(s) {', '.join(missing)}; the header has: {have}"
        raise PilotFileError(source, [Problem("line 1", message)])
    for column in OPTIONAL:
        if column not in frame.columns:
            frame[column] = ""
    for column in CANONICAL:
        frame[column] = frame[column].astype(str).str.strip()
    blank = (frame[list(CANONICAL)] == "").all(axis=1)
    frame = frame[~blank]
    if frame.empty:
        raise PilotFileError(source, [Problem("", "has no observation rows after the header")])
    frame = frame.copy()
    frame["group"] = frame["group"].str.lower().map(GROUPS).fillna(frame["group"])
    frame["period"] = frame["period"].str.lower()
    frame["metric"] = frame["metric"].str.lower()
    frame["value_text"] = frame["value"]
    frame["value"] = _numbers(frame, delimiter, problems)
    return _validate(frame, source, problems)


def _table(text: str, delimiter: str, source: str) -> pd.DataFrame:
    """The file as text cells under its header, with each row's physical line number.

    Read without a header row so that a row with more fields than the header is an error
    rather than a silent shift of columns.
    """
    try:
        cells = pd.read_csv(
            io.StringIO(text), sep=delimiter, header=None, dtype=str, keep_default_na=False,
            skip_blank_lines=False, skipinitialspace=True, engine="c",
        )  # fmt: skip
    except pd.errors.ParserError as error:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        if found is None:
            raise PilotFileError(
                source, [Problem("", f"cannot be read as CSV ({error})")]
            ) from None
        expected, line, saw = found.groups()
        message = f"has {saw} fields; the header has {expected}"
        raise PilotFileError(source, [Problem(f"line {line}", message)]) from None
    names = [str(name).strip() for name in cells.iloc[0]]
    frame = cells.iloc[1:].reset_index(drop=True)
    problems = []
    lowered = [n.lower() for n in names]
    repeated = sorted({n for n in names if n and lowered.count(n.lower()) > 1})
    for name in repeated:
        problems.append(Problem("line 1", f"column {name!r} appears more than once"))
    keep = []
    for position, name in enumerate(names):
        blank = (frame[position].str.strip() == "").all()
        if name:
            keep.append(position)
        elif not blank:
            problems.append(Problem("line 1", f"column {position + 1} has values but no name"))
    if problems:
        raise PilotFileError(source, problems)
    frame = frame[keep]
    canonical = {name.lower(): name for name in CANONICAL}
    frame.columns = [canonical.get(names[p].lower(), names[p]) for p in keep]
    frame.insert(0, "line", _line_numbers(text, delimiter, len(frame)))
    return frame


def _line_numbers(text: str, delimiter: str, rows: int) -> np.ndarray:
    """Physical line on which each data row starts (the header is line 1). One line per row
    unless a quoted cell spans lines; then the csv module counts them."""
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if lines == rows + 1:
        return np.arange(2, rows + 2)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    starts, previous = [], 0
    for _ in reader:
        starts.append(previous + 1)
        previous = reader.line_num
    return np.asarray(starts[1 : rows + 1])


def _apply_mapping(frame: pd.DataFrame, mapping: ColumnMapping | None, source: str) -> pd.DataFrame:
    if mapping is None:
        return frame
    problems = []
    out = frame[["line"]].copy()
    for canonical in CANONICAL:  # the export's own canonical columns, unless mapped over
        if canonical in frame.columns:
            out[canonical] = frame[canonical]
    for canonical, column in mapping.columns.items():
        if column not in frame.columns:
            problems.append(
                Problem(
                    "line 1", f"mapped column {column!r} (for {canonical}) is not in the header"
                )
            )
        else:
            out[canonical] = frame[column]
    for canonical, value in mapping.constants.items():
        out[canonical] = value
    if mapping.groups is not None:
        column = mapping.groups["column"]
        if column not in frame.columns:
            problems.append(Problem("line 1", f"group column {column!r} is not in the header"))
        else:
            labels = frame[column].astype(str).str.strip()
            lookup = {
                str(v).strip().lower(): g for g in ("pilot", "baseline") for v in mapping.groups[g]
            }
            out["group"] = labels.str.lower().map(lookup).fillna(labels)
    if problems:
        raise PilotFileError(source, problems)
    return out


def _numbers(frame: pd.DataFrame, delimiter: str, problems: list[Problem]) -> pd.Series:
    text = frame["value"]
    values = pd.to_numeric(text, errors="coerce")  # the fast path for plain numbers
    if delimiter == ";":  # 1.234 parses, but in a ';' file it may mean 1234: check it
        values[text.str.match(_DOTTED.pattern)] = np.nan
    for index in values.index[np.isinf(values)]:
        where = f"line {frame.at[index, 'line']}, column value"
        problems.append(Problem(where, f"must be a finite number, got {text[index]!r}"))
        values[index] = 0.0  # reported; keeps the checks below from repeating it
    for index in values.index[values.isna()]:
        cell = text[index]
        if cell == "":
            continue  # reported as a missing value by validation
        try:
            values[index] = parse_number(cell, delimiter)
        except ValueError as error:
            where = f"line {frame.at[index, 'line']}, column value"
            problems.append(Problem(where, f"{error}, got {cell!r}"))
    return values


def _validate(frame: pd.DataFrame, source: str, problems: list[Problem]) -> pd.DataFrame:
    import pandera.pandas as pa

    known = list(METRICS)
    schema = pa.DataFrameSchema(
        {
            "use_case_id": pa.Column(str, pa.Check.str_length(min_value=1), nullable=False),
            "metric": pa.Column(str, pa.Check.isin(known)),
            "group": pa.Column(str, pa.Check.isin(["baseline", "pilot"])),
            "value": pa.Column(float, [pa.Check.ge(0)], nullable=True),
            "period": pa.Column(str, pa.Check.isin(["", *PERIODS])),
            "date": pa.Column(str, pa.Check.str_matches(r"^$|^\d{4}-\d{2}-\d{2}$")),
        },
        checks=[
            pa.Check(
                lambda df: (
                    (df["metric"] != "converted")
                    | df["value"].isin([0.0, 1.0])
                    | df["value"].isna()
                ),
                name="converted_is_0_or_1",
            ),
        ],
        strict=False,
    )
    rules = {
        "use_case_id": "must not be empty",
        "metric": f"must be one of {', '.join(known)} (or map your metric)",
        "group": "must be baseline or pilot (control and treatment are accepted)",
        "value": "must be a number ≥ 0",
        "period": "must be before, after or empty",
        "date": "must be a date written YYYY-MM-DD",
    }
    has_period = frame["period"] != ""
    mixed = has_period.groupby([frame["use_case_id"], frame["metric"]]).transform("nunique") > 1
    for (use_case, metric), rows in frame[mixed & ~has_period].groupby(
        ["use_case_id", "metric"], sort=False
    ):
        first = int(rows["line"].iloc[0])
        message = (
            f"is empty on {len(rows)} row(s) of {use_case} {metric} while others give one;"
            " give every row of a use case and metric a period, or none"
        )
        problems.append(Problem(f"line {first}, column period", message))
    for index in frame.index[frame["value"].isna() & (frame["value_text"] == "")]:
        problems.append(Problem(f"line {frame.at[index, 'line']}, column value", "is missing"))
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        for row in errors.failure_cases.itertuples(index=False):
            if row.index is None or (isinstance(row.index, float) and np.isnan(row.index)):
                continue
            line = frame.at[row.index, "line"]
            if row.check == "converted_is_0_or_1":
                value = frame.at[row.index, "value_text"]
                problems.append(
                    Problem(
                        f"line {line}, column value", f"converted must be 0 or 1, got {value!r}"
                    )
                )
                continue
            column = row.column
            if column == "value" and pd.isna(row.failure_case):
                continue
            shown = frame.at[row.index, "value_text"] if column == "value" else row.failure_case
            problems.append(
                Problem(f"line {line}, column {column}", f"{rules[column]}, got {shown!r}")
            )
    if problems:
        unique = list(dict.fromkeys(problems))  # a row-wide check fails once per column
        unique.sort(key=lambda p: _line_number(p.where))
        raise PilotFileError(source, unique)
    return frame.drop(columns=["value_text"]).reset_index(drop=True)


def _line_number(where: str) -> int:
    match = re.match(r"line (\d+)", where)
    return int(match.group(1)) if match else 0


@dataclass(frozen=True)
class PilotEstimate:
    """The headline estimate of one (use case, metric), its alternatives and a verdict."""

    use_case_id: str
    metric: str
    headline: Estimate
    alternatives: tuple[Estimate, ...]
    verdict: str


def sample_size_to_detect(estimate: Estimate, difference: float) -> int | None:
    """Observations per group needed to detect ``difference`` (in the metric's unit) with
    80 % power at α = 0.05: the MDE shrinks with the square root of the group size, so
    n ≈ n_now · (MDE / difference)², n_now the smaller group. ``None`` without an MDE."""
    if estimate.mde is None or difference == 0:
        return None
    current = min(estimate.n_baseline, estimate.n_pilot)
    return max(2, math.ceil(current * (estimate.mde / abs(difference)) ** 2))


def _verdict(estimate: Estimate) -> str:
    if estimate.p_value is None:
        return f"No test possible: {estimate.note or 'too little data'}"
    effect = estimate.effect
    if estimate.significant:
        return "The difference is statistically significant (p < 0.05)."
    verdict = (
        f"Not significant (p = {estimate.p_value:.2f}): this pilot cannot tell the groups apart."
    )
    if estimate.mde is not None:
        verdict += f" It could only detect a difference of {estimate.mde:,.3g} or more"
        needed = None if effect is None else sample_size_to_detect(estimate, effect)
        if needed is not None and abs(effect) < estimate.mde:
            verdict += (
                f", so it is underpowered for the {abs(effect):,.3g} it observed: detecting"
                f" that with 80% power needs about {needed:,} observations per group"
            )
        verdict += "."
    return verdict


def estimate_pilots(observations: pd.DataFrame) -> list[PilotEstimate]:
    """One headline estimate per (use case, metric), in order of first appearance.

    Headline: the two-proportion z-test for ``converted``; difference-in-differences when
    both groups have both periods; otherwise Welch's t-test (on the *after* period when
    periods are given). Mann–Whitney and the ratio of geometric means are alternatives for
    continuous metrics, and Welch on the after period beside a difference-in-differences.
    """
    out = []
    for (use_case, metric), rows in observations.groupby(["use_case_id", "metric"], sort=False):
        cells = {
            (group, period): rows.loc[
                (rows["group"] == group) & (rows["period"] == period), "value"
            ].to_numpy()
            for group in ("baseline", "pilot")
            for period in ("", *PERIODS)
        }
        both_periods = all(cells[(g, p)].size for g in ("baseline", "pilot") for p in PERIODS)
        use = (
            "after"
            if both_periods or any(cells[(g, "after")].size for g in ("baseline", "pilot"))
            else ""
        )
        baseline = np.concatenate(
            [cells[("baseline", use)]] + ([cells[("baseline", "")]] if use else [])
        )
        pilot = np.concatenate([cells[("pilot", use)]] + ([cells[("pilot", "")]] if use else []))
        if metric == "converted":
            headline, alternatives = two_proportions(baseline, pilot), ()
        else:
            simple = welch(baseline, pilot)
            alternatives = (mann_whitney(baseline, pilot), log_ratio(baseline, pilot))
            if both_periods:
                headline = difference_in_differences(
                    cells[("baseline", "before")],
                    cells[("baseline", "after")],
                    cells[("pilot", "before")],
                    cells[("pilot", "after")],
                )
                alternatives = (simple, *alternatives)
            else:
                headline = simple
        out.append(
            PilotEstimate(str(use_case), str(metric), headline, alternatives, _verdict(headline))
        )
    return out


# Which driver input each pilot metric measures, and the sign that turns the effect
# (pilot − baseline) into that input: a time saving is baseline − pilot.
MEASURED_INPUTS: dict[str, tuple[str, str, int]] = {
    "task_minutes": ("time_saved", "minutes_saved_per_task", -1),
    "response_minutes": ("response_time", "minutes_saved_per_item", -1),
    "converted": ("conversion_lift", "conversion_lift", 1),
}
Basis = Literal["point", "lower_bound"]


@dataclass(frozen=True)
class MeasuredValue:
    """A driver input taken from a pilot estimate: the value, and how it was chosen."""

    field: str
    value: float
    basis: Basis
    note: str


def measured_value(estimate: PilotEstimate, basis: Basis = "lower_bound") -> MeasuredValue:
    """The driver input a pilot estimate supports: the point estimate, or the conservative
    end of its 95 % interval (the smaller saving or lift), never below 0.

    Raises
    ------
    ValueError
        When the metric feeds no driver input, or the interval (for ``lower_bound``) or the
        effect is missing.
    """
    if estimate.metric not in MEASURED_INPUTS:
        valid = ", ".join(MEASURED_INPUTS)
        raise ValueError(f"{estimate.metric!r} feeds no driver input; measured metrics: {valid}")
    _, field, sign = MEASURED_INPUTS[estimate.metric]
    headline = estimate.headline
    if basis == "point":
        chosen = headline.effect
    else:
        ends = (headline.ci_low, headline.ci_high)
        chosen = None if None in ends else min(sign * end for end in ends) * sign
    if chosen is None:
        raise ValueError(f"the {headline.test} estimate has no {basis.replace('_', ' ')}")
    value = max(0.0, sign * chosen)
    what = "point estimate" if basis == "point" else "conservative end of the 95% interval"
    note = (
        f"measured: {what} of {headline.test} on {estimate.use_case_id} {estimate.metric},"
        f" n = {headline.n_baseline} baseline / {headline.n_pilot} pilot"
        + (", clipped at 0" if sign * chosen < 0 else "")
    )
    return MeasuredValue(field, value, basis, note)


def use_measurement(case: Any, line: int, estimate: PilotEstimate, basis: Basis = "lower_bound"):
    """The case with benefit line ``line`` taking its input from ``estimate``: the value,
    evidence ``measured``, the basis recorded in ``note`` and, when the conservative bound is
    used, no flat risk factor on top (the interval already discounts it)."""
    from roi.casefile import parse_case

    driver, _, _ = MEASURED_INPUTS.get(estimate.metric, (None, None, None))
    item = case.benefits[line]
    if item.type != driver:
        raise ValueError(
            f"benefit line {line} is {item.type!r}; {estimate.metric} measures {driver!r}"
        )
    measured = measured_value(estimate, basis)
    data = case.model_dump()
    data["benefits"][line] |= {
        measured.field: measured.value,
        "evidence": "measured",
        "note": measured.note,
        **({"risk": 0.0} if basis == "lower_bound" else {}),
    }
    return parse_case(data, source="measured")


def header_columns(raw: bytes) -> list[str]:
    """The column names of a CSV's first line (for mapping another export's columns)."""
    text = _decode(raw)
    header = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if header.count(";") > header.count(",") else ","
    return [name.strip() for name in header.split(delimiter) if name.strip()]
