"""Uncertain inputs of a business case: where an input is (its *path*), what is known about
it (a distribution), how inputs move together (rank correlations), and named scenarios.

Paths name one number of a case:

- ``discount_rate``, ``annual_volume_growth``;
- ``adoption.<field>``: ``ceiling``, ``midpoint_month``, ``steepness``,
  ``months_to_ceiling``;
- ``benefits[i].<field>`` and ``costs[i].<field>``, ``i`` counting from 0 in file order,
  e.g. ``benefits[0].minutes_saved_per_task``; the pricing blocks of an infrastructure line
  one level down, e.g. ``costs[2].serverless.price_per_million_input_tokens``.

Timing (start months, spreads), risk factors, the adoption steps and explicit amounts by year
or month are not inputs: they are structure, not quantities to draw.

Distributions are given by what people know: ``normal`` (mean, sd), ``t`` (mean, sd — a
standard error — and df, for a measured estimate), ``triangular`` and ``pert`` (min, mode,
max, for a judgement), ``lognormal`` (low and high, its 5th and 95th percentiles, for prices
and volumes that cannot go below 0 and may run high), ``uniform`` (min, max). Draws are kept
within the input's own bounds (a share within 0–1, an amount at least 0) by clipping.
"""

from __future__ import annotations

import math
import re
import typing
from collections.abc import Mapping
from functools import lru_cache
from typing import Annotated, Any, Literal

import annotated_types
import numpy as np
from pydantic import BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError

from roi.core.model import MODEL_CONFIG

_PATH = re.compile(
    r"^(?:(?P<case>discount_rate|annual_volume_growth)"
    r"|adoption\.(?P<adoption>[a-z_]+)"
    r"|(?P<kind>benefits|costs)\[(?P<index>\d+)\]\.(?P<field>[a-z_]+)(?:\.(?P<sub>[a-z_]+))?)$"
)
NOT_INPUTS = {
    "risk", "start_month", "spread_over_months", "min_instances", "follow_adoption",
    "first_observed_month", "initial",
}  # fmt: skip
Z95 = 1.6448536269514722  # the standard normal's 95th percentile
_HAIR = 1e-9  # how far inside an open bound (> 0, < 1) draws and searches stay
_GRID = np.linspace(-8.0, 8.0, 8001)


# --- distributions -----------------------------------------------------------------------


@lru_cache(maxsize=256)
def _table(distribution: _Distribution) -> np.ndarray:
    """ppf(Φ(z)) on :data:`_GRID`, made once per distribution (they are frozen)."""
    from scipy.special import ndtr

    table = distribution.ppf(np.clip(ndtr(_GRID), 1e-15, 1 - 1e-15))
    table.flags.writeable = False
    return table


class _Distribution(BaseModel):
    model_config = MODEL_CONFIG

    input: Annotated[str, Field(min_length=1)]

    def ppf(self, u: np.ndarray) -> np.ndarray:  # pragma: no cover - every subclass has one
        raise NotImplementedError

    def percentile(self, q: float) -> float:
        return float(self.ppf(np.array([q]))[0])

    def from_scores(self, z: np.ndarray) -> np.ndarray:
        """Values for standard normal scores ``z``: ppf(Φ(z)), the copula's last step."""
        from scipy.special import ndtr

        return self.ppf(np.clip(ndtr(z), 1e-15, 1 - 1e-15))

    def _tabulated(self, z: np.ndarray) -> np.ndarray:
        """ppf(Φ(z)) read off a fine table in z (smooth there, unlike in u near 0 and 1):
        for distributions whose quantile function is slow (beta, t). The table's spacing of
        0.002 keeps the error of linear interpolation far below the sampling error."""
        return np.interp(np.clip(z, _GRID[0], _GRID[-1]), _GRID, _table(self))


class Normal(_Distribution):
    """Normal with ``mean`` and standard deviation ``sd``."""

    distribution: Literal["normal"]
    mean: float
    sd: Annotated[float, Field(gt=0)]

    def ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy import stats

        return stats.norm.ppf(u, loc=self.mean, scale=self.sd)

    def from_scores(self, z: np.ndarray) -> np.ndarray:
        return self.mean + self.sd * z


class StudentT(_Distribution):
    """Student's t centred on ``mean``, scaled by ``sd`` (a standard error), ``df`` degrees
    of freedom: what a measured estimate with a small sample supports."""

    distribution: Literal["t"]
    mean: float
    sd: Annotated[float, Field(gt=0)]
    df: Annotated[float, Field(gt=0)]

    def ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy import stats

        return stats.t.ppf(u, self.df, loc=self.mean, scale=self.sd)

    def from_scores(self, z: np.ndarray) -> np.ndarray:
        return self._tabulated(z)


class _ThreePoint(_Distribution):
    min: float
    mode: float
    max: float

    @model_validator(mode="after")
    def _ordered(self) -> _ThreePoint:
        if not (self.min <= self.mode <= self.max and self.min < self.max):
            raise PydanticCustomError("three_point", "needs min ≤ mode ≤ max with min < max")
        return self


class Triangular(_ThreePoint):
    """Triangular on [min, max] peaking at ``mode``."""

    distribution: Literal["triangular"]

    def ppf(self, u: np.ndarray) -> np.ndarray:
        a, c, b = self.min, self.mode, self.max
        split = (c - a) / (b - a)
        low = a + np.sqrt(u * (b - a) * (c - a))
        high = b - np.sqrt((1 - u) * (b - a) * (b - c))
        return np.where(u < split, low, high)


class Pert(_ThreePoint):
    """PERT: a beta distribution on [min, max] with mean (min + 4·mode + max) / 6, the
    usual three-point estimate (shape λ = 4)."""

    distribution: Literal["pert"]

    def ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy import stats

        span = self.max - self.min
        alpha = 1 + 4 * (self.mode - self.min) / span
        beta = 1 + 4 * (self.max - self.mode) / span
        return self.min + span * stats.beta.ppf(u, alpha, beta)

    def from_scores(self, z: np.ndarray) -> np.ndarray:
        return self._tabulated(z)


class LogNormal(_Distribution):
    """Lognormal whose 5th and 95th percentiles are ``low`` and ``high``: median
    √(low·high), σ = ln(high/low) / (2 · 1.645)."""

    distribution: Literal["lognormal"]
    low: Annotated[float, Field(gt=0)]
    high: Annotated[float, Field(gt=0)]

    @model_validator(mode="after")
    def _ordered(self) -> LogNormal:
        if not self.low < self.high:
            raise PydanticCustomError(
                "lognormal", "needs low < high (its 5th and 95th percentiles)"
            )
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy import stats

        mu = 0.5 * (math.log(self.low) + math.log(self.high))
        sigma = (math.log(self.high) - math.log(self.low)) / (2 * Z95)
        return np.exp(mu + sigma * stats.norm.ppf(u))

    def from_scores(self, z: np.ndarray) -> np.ndarray:
        mu = 0.5 * (math.log(self.low) + math.log(self.high))
        sigma = (math.log(self.high) - math.log(self.low)) / (2 * Z95)
        return np.exp(mu + sigma * z)


class Uniform(_Distribution):
    """Uniform on [min, max]."""

    distribution: Literal["uniform"]
    min: float
    max: float

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.min < self.max:
            raise PydanticCustomError("uniform", "needs min < max")
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return self.min + (self.max - self.min) * u


UncertainInput = Annotated[
    Normal | StudentT | Triangular | Pert | LogNormal | Uniform,
    Field(discriminator="distribution"),
]
DISTRIBUTIONS = ("normal", "t", "triangular", "pert", "lognormal", "uniform")


class Correlation(BaseModel):
    """A rank (Spearman) correlation between two uncertain inputs."""

    model_config = MODEL_CONFIG

    between: Annotated[list[str], Field(min_length=2, max_length=2)]
    rank_correlation: Annotated[float, Field(gt=-1, lt=1)]


class Scenario(BaseModel):
    """A named set of input values; inputs not named keep the case's values."""

    model_config = MODEL_CONFIG

    name: Annotated[str, Field(min_length=1, max_length=60, pattern=r"\S")]
    values: dict[str, float]


# --- paths -------------------------------------------------------------------------------


def parse_path(path: str) -> tuple[str, ...]:
    """The parts of an input path; raises ``ValueError`` with what a path looks like.

    >>> parse_path("benefits[0].minutes_saved_per_task")
    ('benefits', '0', 'minutes_saved_per_task')
    """
    match = _PATH.match(path.strip())
    if not match:
        raise ValueError(
            f"{path!r} is not an input path (e.g. discount_rate, adoption.ceiling,"
            " benefits[0].minutes_saved_per_task, costs[1].serverless.price_per_gb_second)"
        )
    if match["case"]:
        return (match["case"],)
    if match["adoption"]:
        return ("adoption", match["adoption"])
    parts = (match["kind"], match["index"], match["field"])
    return (*parts, match["sub"]) if match["sub"] else parts


def _owner(case: Any, parts: tuple[str, ...]) -> tuple[Any, str]:
    """The model holding the input and the input's field name; ``ValueError`` if absent."""
    if len(parts) == 1:
        return case, parts[0]
    if parts[0] == "adoption":
        if case.adoption is None:
            raise ValueError("the case has no adoption curve")
        return case.adoption, parts[1]
    items = getattr(case, parts[0])
    index = int(parts[1])
    if index >= len(items):
        raise ValueError(f"the case has {len(items)} {parts[0]} line(s); [{index}] is not one")
    owner, name = items[index], parts[2]
    if len(parts) == 4:
        block = getattr(owner, name, None)
        if not isinstance(block, BaseModel):
            raise ValueError(f"{parts[0]}[{index}] has no price block {name!r}")
        owner, name = block, parts[3]
    return owner, name


def _is_number_field(owner: BaseModel, name: str) -> bool:
    info = type(owner).model_fields.get(name)
    if info is None or name in NOT_INPUTS:
        return False
    value = getattr(owner, name)
    return isinstance(value, int | float) and not isinstance(value, bool)


def value_at(case: Any, path: str) -> float:
    """The case's value of an input; ``ValueError`` when the path names no number."""
    parts = parse_path(path)
    owner, name = _owner(case, parts)
    if not _is_number_field(owner, name):
        raise ValueError(f"{path!r} is not a number the case can vary")
    return float(getattr(owner, name))


def _rules(annotation: Any) -> list:
    """Every constraint in a field's annotation, looking inside ``Annotated`` and unions
    (``NonNegative | None`` keeps its bounds inside the union)."""
    found = []
    for metadata in getattr(annotation, "__metadata__", ()):
        found += list(getattr(metadata, "metadata", [metadata]))
    for arg in typing.get_args(annotation):
        if arg is not type(None):
            found += _rules(arg)
    return found


def bounds_of(case: Any, path: str) -> tuple[float, float]:
    """The closed range the input's field allows, as (low, high): its validation rules,
    with an open end (``> 0``, ``< 1``) moved a hair inside so every value in range is
    valid."""
    owner, name = _owner(case, parse_path(path))
    info = type(owner).model_fields[name]
    rules = list(info.metadata) + _rules(info.annotation)
    low, high = -math.inf, math.inf
    for rule in rules:
        if isinstance(rule, annotated_types.Ge):
            low = max(low, float(rule.ge))
        elif isinstance(rule, annotated_types.Gt):
            low = max(low, float(rule.gt) + _HAIR * max(1.0, abs(float(rule.gt))))
        elif isinstance(rule, annotated_types.Le):
            high = min(high, float(rule.le))
        elif isinstance(rule, annotated_types.Lt):
            high = min(high, float(rule.lt) - _HAIR * max(1.0, abs(float(rule.lt))))
    return low, high


def value_problem(case: Any, path: str, value: float) -> str | None:
    """Why ``value`` cannot be the input's (out of its bounds, or not whole), or ``None``."""
    low, high = bounds_of(case, path)
    if not math.isfinite(value) or not low <= value <= high:
        return f"{value:g} is outside the range {path} allows ({low:g} to {high:g})"
    if is_integer_input(case, path) and value != int(value):
        return f"{path} is a whole number, got {value:g}"
    return None


def is_integer_input(case: Any, path: str) -> bool:
    owner, name = _owner(case, parse_path(path))
    annotation = type(owner).model_fields[name].annotation
    return annotation is int or int in typing.get_args(annotation)


def numeric_inputs(case: Any) -> list[str]:
    """Every input path of the case, in case order: the case's rates, the adoption curve's
    parameters, then each line's numbers (and its price blocks')."""
    paths = ["discount_rate", "annual_volume_growth"]
    if case.adoption is not None:
        for name in ("ceiling", "midpoint_month", "steepness", "months_to_ceiling"):
            if _is_number_field(case.adoption, name):
                paths.append(f"adoption.{name}")
    for kind in ("benefits", "costs"):
        for index, item in enumerate(getattr(case, kind)):
            for name in type(item).model_fields:
                value = getattr(item, name)
                if isinstance(value, BaseModel):
                    for sub in type(value).model_fields:
                        if _is_number_field(value, sub):
                            paths.append(f"{kind}[{index}].{name}.{sub}")
                elif _is_number_field(item, name):
                    paths.append(f"{kind}[{index}].{name}")
    return paths


def describe(case: Any, path: str) -> str:
    """A path in words for tables: ``Agent handling time saved · minutes saved per item``."""
    parts = parse_path(path)
    field = parts[-1].replace("_", " ")
    if len(parts) == 1:
        return field
    if parts[0] == "adoption":
        return f"adoption · {field}"
    item = getattr(case, parts[0])[int(parts[1])]
    middle = f" · {parts[2].replace('_', ' ')}" if len(parts) == 4 else ""
    return f"{item.name}{middle} · {field}"


def with_values(case: Any, values: Mapping[str, Any]) -> Any:
    """A copy of the case with inputs set to ``values`` (numbers, or arrays of draws for
    :mod:`roi.uncertainty.simulation`), without validation: the caller keeps values in bounds."""
    updates: dict[tuple, dict[str, Any]] = {}
    for path, value in values.items():
        parts = parse_path(path)
        if len(parts) == 1:
            updates.setdefault((), {})[parts[0]] = value
        elif parts[0] == "adoption":
            updates.setdefault(("adoption",), {})[parts[1]] = value
        elif len(parts) == 3:
            updates.setdefault((parts[0], int(parts[1])), {})[parts[2]] = value
        else:
            updates.setdefault((parts[0], int(parts[1]), parts[2]), {})[parts[3]] = value
    top = dict(updates.pop((), {}))
    if ("adoption",) in updates:
        top["adoption"] = case.adoption.model_copy(update=updates.pop(("adoption",)))
    for kind in ("benefits", "costs"):
        items = list(getattr(case, kind))
        changed = False
        for index, item in enumerate(items):
            own = updates.get((kind, index), {})
            blocks = {
                key[2]: getattr(item, key[2]).model_copy(update=change)
                for key, change in updates.items()
                if len(key) == 3 and key[:2] == (kind, index)
            }
            if own or blocks:
                items[index] = item.model_copy(update={**own, **blocks})
                changed = True
        if changed:
            top[kind] = items
    return case.model_copy(update=top)


def uncertainty_problems(case: Any) -> list[tuple[str, str]]:
    """(path, message) for uncertain inputs, correlations and scenarios that do not fit the
    case: unknown paths, an input declared twice, a correlation of an undeclared input or
    one that cannot hold with the others."""
    problems: list[tuple[str, str]] = []
    declared: dict[str, int] = {}
    for i, entry in enumerate(case.uncertainty):
        try:
            value_at(case, entry.input)
        except ValueError as error:
            problems.append((f"uncertainty[{i}].input", str(error)))
            continue
        if entry.input in declared:
            problems.append(
                (
                    f"uncertainty[{i}].input",
                    f"{entry.input!r} is declared again (first at"
                    f" uncertainty[{declared[entry.input]}])",
                )
            )
        declared.setdefault(entry.input, i)
    seen_pairs: dict[frozenset, int] = {}
    for i, pair in enumerate(case.correlations):
        for name in pair.between:
            if name not in declared:
                problems.append(
                    (f"correlations[{i}].between", f"{name!r} has no distribution in 'uncertainty'")
                )
        if pair.between[0] == pair.between[1]:
            problems.append((f"correlations[{i}].between", "names the same input twice"))
        key = frozenset(pair.between)
        if key in seen_pairs:
            problems.append(
                (
                    f"correlations[{i}].between",
                    f"this pair is correlated already at correlations[{seen_pairs[key]}]",
                )
            )
        seen_pairs.setdefault(key, i)
    if not problems and case.correlations:
        try:
            correlation_matrix(case)
        except ValueError as error:
            problems.append(("correlations", str(error)))
    for i, scenario in enumerate(case.scenarios):
        for path, value in scenario.values.items():
            try:
                value_at(case, path)
            except ValueError as error:
                problems.append((f"scenarios[{i}].values", str(error)))
                continue
            problem = value_problem(case, path, value)
            if problem:
                problems.append((f"scenarios[{i}].values", problem))
    names = [s.name for s in case.scenarios]
    for i, name in enumerate(names):
        if name in names[:i]:
            problems.append((f"scenarios[{i}].name", f"{name!r} is used by an earlier scenario"))
    return problems


def correlation_matrix(case: Any) -> np.ndarray:
    """The Pearson correlation of the normal scores behind the draws, in ``uncertainty``
    order: each rank correlation ρs becomes 2·sin(π·ρs/6), which gives normal scores (and so
    the inputs) that rank correlation. ``ValueError`` when they cannot all hold at once."""
    order = {entry.input: i for i, entry in enumerate(case.uncertainty)}
    matrix = np.eye(len(order))
    for pair in case.correlations:
        i, j = order[pair.between[0]], order[pair.between[1]]
        matrix[i, j] = matrix[j, i] = 2 * math.sin(math.pi * pair.rank_correlation / 6)
    if len(order) and np.linalg.eigvalsh(matrix).min() <= 1e-10:
        raise ValueError(
            "these rank correlations cannot all hold at once (their matrix is not positive"
            " definite); loosen one of them"
        )
    return matrix


def replace_uncertainty(
    data: dict, entries: list[dict], correlations: list[dict] | None = None
) -> dict:
    """A case's data (``model_dump`` form) with ``entries`` as the distributions of their
    inputs: earlier entries for those inputs, and correlations involving them, are dropped;
    ``correlations`` are added."""
    paths = {entry["input"] for entry in entries}
    kept = [u for u in data.get("uncertainty", []) if u["input"] not in paths]
    pairs = [c for c in data.get("correlations", []) if not paths & set(c["between"])]
    return data | {
        "uncertainty": kept + entries,
        "correlations": pairs + list(correlations or []),
    }


def rank_from_pearson(rho: float) -> float:
    """The rank correlation of two normal variables with correlation ``rho``:
    (6/π)·asin(ρ/2), the inverse of :func:`correlation_matrix`'s mapping."""
    return 6 / math.pi * math.asin(rho / 2)


_SCALED = {
    "normal": ("mean", "sd"),
    "t": ("mean", "sd"),
    "triangular": ("min", "mode", "max"),
    "pert": ("min", "mode", "max"),
    "lognormal": ("low", "high"),
    "uniform": ("min", "max"),
}


def follow_values(planned: Any, changed: Any) -> Any:
    """``changed`` (the case after a scenario's levers) with each declared distribution
    moved with its input. An amount (no upper bound below 100) is scaled by the ratio of its
    new value to its planned one, so a lever that sets volume 20 % lower moves the whole
    distribution 20 % lower; a share or rate (bounded within 100: adoption ceiling, recapture,
    discount rate) is shifted by the difference, keeping its spread. An amount whose planned
    value is 0, or that a lever sets to 0, is dropped from the draws (its new value holds)."""
    entries = []
    dropped = set()
    for entry in changed.uncertainty:
        before, after = value_at(planned, entry.input), value_at(changed, entry.input)
        names = _SCALED[entry.distribution]
        if before == after:
            entries.append(entry)
            continue
        if bounds_of(changed, entry.input)[1] <= 100:  # a share or rate: shift
            shift = after - before
            fields = {
                name: getattr(entry, name) + (0.0 if name == "sd" else shift) for name in names
            }
            if entry.distribution == "lognormal":  # multiplicative by nature: scale it
                fields = {name: getattr(entry, name) * after / before for name in names}
            entries.append(entry.model_copy(update=fields))
        elif before == 0 or after == 0:
            dropped.add(entry.input)
        else:
            ratio = after / before
            fields = {name: getattr(entry, name) * ratio for name in names}
            if entry.distribution in ("normal", "t"):
                fields["sd"] = abs(fields["sd"])
            entries.append(entry.model_copy(update=fields))
    pairs = [c for c in changed.correlations if not dropped & set(c.between)]
    return changed.model_copy(update={"uncertainty": entries, "correlations": pairs})
