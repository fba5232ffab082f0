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

import math
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
    parse_numbers,
    read_table,
    sorted_problems,
)
from roi.io.problems import Problem

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
        empty), ``date``, ``unit_id``.

    Raises
    ------
    PilotFileError
        Listing every problem, each with line, column, value and rule.
    """
    text = check_raw(raw, source, PilotFileError, max_bytes)
    delimiter = delimiter_of(text.split("\n", 1)[0], source, PilotFileError)
    frame = read_table(text, delimiter, source, CANONICAL, PilotFileError)
    frame = _apply_mapping(frame, mapping, source)
    problems: list[Problem] = []
    frame = canonical_table(frame, REQUIRED, OPTIONAL, source, PilotFileError, "observation rows")
    frame["group"] = frame["group"].str.lower().map(GROUPS).fillna(frame["group"])
    frame["period"] = frame["period"].str.lower()
    frame["metric"] = frame["metric"].str.lower()
    frame["value_text"] = frame["value"]
    frame["value"] = parse_numbers(frame, "value", delimiter, problems)
    return _validate(frame, source, problems)


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
    used, no flat risk factor on top (the interval already discounts it). The estimate's
    uncertainty becomes the input's distribution (:func:`measured_distribution`)."""
    from roi.core.casefile import parse_case
    from roi.core.distributions import replace_uncertainty

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
