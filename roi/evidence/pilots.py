"""Reading pilot observation files: one row per observation (a task, a ticket, a lead, a month
of spend), validated completely before anything is estimated.

Canonical columns: ``use_case_id, metric, group, value`` and optionally ``period``
(``before``/``after``), ``date`` (``YYYY-MM-DD``, with a time or not) and ``unit_id``. Real
exports differ, so the reader accepts what :mod:`roi.io.csvtable` accepts (``,``, ``;`` or tab
delimiters, Excel's ``sep=`` line, UTF-8, UTF-16 or Windows-1252 text, surrounding spaces,
trailing empty columns, blank lines, digit grouping) and a column mapping for other exports.
What is ambiguous is rejected: a header with both delimiters, a number such as ``1,234`` in a
file delimited by ``;`` (a thousand, or one and a quarter?), a date such as ``03/04/2026``.
Values are bounded per metric (:data:`BOUNDS`): a value no real export holds (``1e308``
minutes) is refused here rather than breaking an estimate later.

Every problem is reported at once with the file, the physical line (the header is line 1),
the column, the bad value and the rule. A rejected file yields nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from roi.evidence.estimates import (
    Estimate,
    difference_in_differences,
    log_ratio,
    mann_whitney,
    two_proportions,
    welch,
)
from roi.io.csvtable import (
    MAX_UPLOAD_BYTES,
    TableError,
    canonical_table,
    check_raw,
    delimiter_of,
    header_where,
    out_of_bounds,
    parse_numbers,
    read_table,
    sorted_problems,
    without_blank_rows,
)
from roi.io.dates import as_iso, moved_note, read_dates
from roi.io.problems import Problem

METRICS = {
    "task_minutes": "minutes per task",
    "response_minutes": "minutes to respond",
    "converted": "1 if the lead converted, else 0",
    "deal_value": "money per deal",
    "infra_cost": "money per month of spend",
    "requests": "requests in the period",
}
# The largest value of each metric a real export can hold, and how a refusal states it: a
# task or a reply of more than a million minutes (694 days) is a typing or unit error; money
# and counts share the bound of a case's amounts (1e15).
BOUNDS = {
    "task_minutes": (1e6, "a number of minutes from 0 to 1,000,000"),
    "response_minutes": (1e6, "a number of minutes from 0 to 1,000,000"),
    "deal_value": (1e15, "an amount from 0 to 1e15"),
    "infra_cost": (1e15, "an amount from 0 to 1e15"),
    "requests": (1e15, "a count from 0 to 1e15"),
}
GROUPS = {"baseline": "baseline", "control": "baseline", "pilot": "pilot", "treatment": "pilot"}
PERIODS = ("before", "after")
REQUIRED = ("use_case_id", "metric", "group", "value")
OPTIONAL = ("period", "date", "unit_id")
CANONICAL = REQUIRED + OPTIONAL


class PilotFileError(TableError):
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
        empty), ``date`` (``YYYY-MM-DD`` as written, a time dropped, or empty), ``unit_id``;
        what the reader noticed but kept (a date a time zone puts on another day in UTC) is
        in :func:`reading_notes`.

    Raises
    ------
    PilotFileError
        Listing every problem, each with line, column, value and rule.
    """
    text = check_raw(raw, source, PilotFileError, max_bytes)
    delimiter = delimiter_of(text.split("\n", 1)[0], source, PilotFileError)
    frame = read_table(text, delimiter, source, CANONICAL, PilotFileError)
    # Blank rows go first: a mapping's constants would give them values (issue 20, item 6).
    frame = _apply_mapping(without_blank_rows(frame), mapping, source)
    try:
        return _checked(frame, source, delimiter)
    except PilotFileError as error:  # name the user's columns, not the canonical ones
        if mapping is None:
            raise
        named = [in_their_words(problem, mapping) for problem in error.problems]
        raise PilotFileError(source, named) from None


def in_their_words(problem: Problem, mapping: ColumnMapping) -> Problem:
    """A problem found after ``mapping`` was applied, naming the export's own column
    ("column 'AI assisted'") where it names a mapped canonical one ("column group"), and
    saying so where the value came from one of the mapping's constants."""
    match = re.search(r"column (\w+)$", problem.where)
    if match is None:
        return problem
    canonical = match.group(1)
    if mapping.groups is not None and canonical == "group":
        theirs = f"column {mapping.groups['column']!r}"
    elif canonical in mapping.columns:
        theirs = f"column {mapping.columns[canonical]!r}"
    elif canonical in mapping.constants:
        theirs = f"column {canonical} (the mapping's constant)"
    else:
        return problem
    return Problem(problem.where[: match.start()] + theirs, problem.message)


def _checked(frame: pd.DataFrame, source: str, delimiter: str) -> pd.DataFrame:
    """The canonical table's values parsed and validated (see :func:`read_observations`)."""
    problems: list[Problem] = []
    frame = canonical_table(frame, REQUIRED, OPTIONAL, source, PilotFileError, "observation rows")
    frame["group"] = frame["group"].str.lower().map(GROUPS).fillna(frame["group"])
    frame["period"] = frame["period"].str.lower()
    frame["metric"] = frame["metric"].str.lower()
    frame["value_text"] = frame["value"]
    values = parse_numbers(frame, "value", delimiter, problems)
    for metric, (high, expected) in BOUNDS.items():
        rows = frame["metric"] == metric
        values[rows] = out_of_bounds(frame[rows], "value", values[rows], high, expected, problems)
    frame["value"] = values
    notes = _read_dates(frame, problems)
    frame = _validate(frame, source, problems)
    frame.attrs["notes"] = notes
    return frame


def reading_notes(observations: pd.DataFrame) -> list[str]:
    """What :func:`read_observations` noticed in a valid file and kept as written (a date a
    time zone puts on another day in UTC), for the validation report."""
    return list(observations.attrs.get("notes", []))


def _read_dates(frame: pd.DataFrame, problems: list[Problem]) -> list[str]:
    """The ``date`` column made ``YYYY-MM-DD`` (a time dropped, the date as written kept), a
    problem for each date refused, and the note for dates a time zone moves in UTC."""
    column = read_dates(frame["date"])
    for index, reason in column.errors.items():
        where = f"line {frame.at[index, 'line']}, column date"
        problems.append(Problem(where, f"{reason}, got {frame.at[index, 'date']!r}"))
    notes = []
    if column.moved:
        moved = list(column.moved)
        lines = [int(frame.at[i, "line"]) for i in moved]
        written = [frame.at[i, "date"] for i in moved]
        notes.append(f"column date: {moved_note(lines, written, list(column.moved.values()))}")
    frame["date"] = as_iso(column.dates)
    return notes


def _apply_mapping(frame: pd.DataFrame, mapping: ColumnMapping | None, source: str) -> pd.DataFrame:
    if mapping is None:
        return frame
    problems = []
    header = header_where(frame)
    out = frame[["line"]].copy()
    out.attrs = dict(frame.attrs)
    for canonical in CANONICAL:  # the export's own canonical columns, unless mapped over
        if canonical in frame.columns:
            out[canonical] = frame[canonical]
    for canonical, column in mapping.columns.items():
        if column not in frame.columns:
            problems.append(
                Problem(header, f"mapped column {column!r} (for {canonical}) is not in the header")
            )
        else:
            out[canonical] = frame[column]
    for canonical, value in mapping.constants.items():
        out[canonical] = value
    if mapping.groups is not None:
        column = mapping.groups["column"]
        if column not in frame.columns:
            problems.append(Problem(header, f"group column {column!r} is not in the header"))
        else:
            labels = frame[column].astype(str).str.strip()
            lookup = {
                str(v).strip().lower(): g for g in ("pilot", "baseline") for v in mapping.groups[g]
            }
            out["group"] = labels.str.lower().map(lookup).fillna(labels)
    if problems:
        raise PilotFileError(source, problems)
    return out


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
        # A row-wide check fails once per column: sorted_problems drops the repeats.
        raise PilotFileError(source, sorted_problems(problems))
    return frame.drop(columns=["value_text"]).reset_index(drop=True)


@dataclass(frozen=True)
class PilotEstimate:
    """The headline estimate of one (use case, metric), its alternatives and a verdict."""

    use_case_id: str
    metric: str
    headline: Estimate
    alternatives: tuple[Estimate, ...]
    verdict: str

    @property
    def finite(self) -> bool:
        """Whether the headline has an effect and a 95 % interval, all finite numbers (what
        a case may take a value from)."""
        figures = (self.headline.effect, self.headline.ci_low, self.headline.ci_high)
        return all(f is not None and math.isfinite(f) for f in figures)


def sample_size_to_detect(estimate: Estimate, difference: float) -> int | None:
    """Observations per group needed to detect ``difference`` (in the metric's unit) with
    80 % power at α = 0.05: the MDE shrinks with the square root of the group size, so
    n ≈ n_now · (MDE / difference)², n_now the smaller group. ``None`` without an MDE, and
    when either figure is not a finite number or the size would be (so a file of extreme
    values never breaks the page that plans from it)."""
    mde = estimate.mde
    if mde is None or difference == 0 or not (math.isfinite(mde) and math.isfinite(difference)):
        return None
    current = min(estimate.n_baseline, estimate.n_pilot)
    needed = current * (mde / abs(difference)) ** 2
    return max(2, math.ceil(needed)) if math.isfinite(needed) else None


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
    "converted": ("conversion_lift", "conversion_lift", 1),
}
# Metrics that measure a service level, not work: they feed no driver input, and why.
SERVICE_LEVELS: dict[str, str] = {
    "response_minutes": (
        "Response time is how long a customer waited for a first reply: a service level, not"
        " agent time. Shorter waits are worth money only through what they change (churn,"
        " CSAT, repeat contacts), so this estimate is not priced as labour. To value it, state"
        " that effect on a line of your own (for instance `churn_reduction` on a"
        " response_time line, evidence `assumed`) and cite this estimate in its `source`;"
        " agent handling time saved is measured as `task_minutes`."
    ),
}
Basis = Literal["point", "lower_bound"]


@dataclass(frozen=True)
class MeasuredValue:
    """A driver input taken from a pilot estimate: the value, and how it was chosen."""

    field: str
    value: float
    basis: Basis
    note: str
    warning: str | None = None


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
        why = SERVICE_LEVELS.get(estimate.metric, "")
        raise ValueError(
            f"{estimate.metric!r} feeds no driver input; measured metrics: {valid}. {why}"
        )
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
    return MeasuredValue(field, value, basis, note, significance_warning(estimate, basis))


def significance_warning(estimate: PilotEstimate, basis: Basis) -> str | None:
    """Why a value taken at the point estimate of a result that is not statistically
    significant (p ≥ 0.05) cannot be relied on; ``None`` otherwise. The conservative end
    of the interval needs no warning: it already allows for chance."""
    headline = estimate.headline
    if basis != "point" or headline.significant:
        return None
    if headline.p_value is None:
        return (
            f"{estimate.use_case_id} {estimate.metric}: the point estimate of a result no test"
            f" could be run on ({headline.note or 'too little data'}); nothing shows the effect"
            " is not chance"
        )
    return (
        f"{estimate.use_case_id} {estimate.metric}: the point estimate of a result that is not"
        f" statistically significant (p = {headline.p_value:.3f}, {headline.test}); the pilot"
        " cannot tell this effect from chance, so the value may be zero"
    )


def use_measurement(case: Any, line: int, estimate: PilotEstimate, basis: Basis = "lower_bound"):
    """The case with benefit line ``line`` taking its input from ``estimate``: the value,
    evidence ``measured``, the basis recorded in ``note`` and, when the conservative bound is
    used, no flat risk factor on top (the interval already discounts it). The estimate's
    uncertainty becomes the input's distribution (:func:`measured_distribution`)."""
    from roi.core.casefile import parse_case
    from roi.core.distributions import replace_uncertainty

    measured = measured_value(estimate, basis)  # refuses a metric that feeds no input
    driver = MEASURED_INPUTS[estimate.metric][0]
    item = case.benefits[line]
    if item.type != driver:
        raise ValueError(
            f"benefit line {line} is {item.type!r}; {estimate.metric} measures {driver!r}"
        )
    data = case.model_dump()
    data["benefits"][line] |= {
        measured.field: measured.value,
        "evidence": "measured",
        "note": measured.note,
        "warning": measured.warning,
        **({"risk": 0.0} if basis == "lower_bound" else {}),
    }
    spread = measured_distribution(estimate, f"benefits[{line}].{measured.field}")
    if spread is not None:
        data = replace_uncertainty(data, [spread])
    return parse_case(data, source="measured")


def measured_distribution(estimate: PilotEstimate, path: str) -> dict | None:
    """The uncertainty a pilot estimate puts on the input at ``path``: Student's t centred
    on the point estimate (as the driver reads it), scaled by the estimate's standard error
    — the 95 % interval's half-width over t(0.975, df) — with df = the smaller group's size
    less one (Welch's degrees of freedom are at least that). ``None`` without an interval."""
    from scipy import stats

    _, _, sign = MEASURED_INPUTS[estimate.metric]
    headline = estimate.headline
    if None in (headline.effect, headline.ci_low, headline.ci_high):
        return None
    df = max(1, min(headline.n_baseline, headline.n_pilot) - 1)
    se = (headline.ci_high - headline.ci_low) / (2 * stats.t.ppf(0.975, df))
    if not se > 0:
        return None
    return {
        "input": path, "distribution": "t", "mean": sign * headline.effect, "sd": se,
        "df": float(df),
    }  # fmt: skip
