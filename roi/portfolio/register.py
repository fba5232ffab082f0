"""The use-case register: one row per candidate AI use case (``use_cases.csv``), read and
validated completely, with the business case of each row that names one loaded and evaluated.

Columns (names are matched case-insensitively):

=========================  ========  =====================================================
column                     required  meaning
=========================  ========  =====================================================
``use_case_id``            yes       unique identifier
``name``                   yes       what the use case does
``business_function``      yes       customer_support, sales_marketing, data_analysis,
                                     operations_hr or other
``value_score``            yes [1]_  1–5, 5 = most valuable; used when there is no case
``technical_complexity``   yes       1–5, 5 = hardest
``data_readiness``         yes       1–5, 5 = best
``stakeholder_buy_in``     yes       1–5, 5 = best
``strategic_alignment``    yes       1–5, 5 = best
``time_to_value_months``   yes       months until the first benefit, 0–120
``change_readiness``       no        1–5, 5 = best; blank is neutral (3)
``risk``                   no        1–5, 5 = riskiest; blank is neutral (3)
``estimated_cost``         no        what the use case draws from a budget, register currency
``case_file``              no        path of its business case, inside the case root [2]_
``exchange_rate``          no        register currency per unit of the case's currency
``npv_low``, ``npv_high``  no        an interval for the case's risk-adjusted NPV, in the
                                     case's currency
``owner``                  no        who answers for it
``team``                   no        the team that will use it, as the culture survey
                                     names it: a blank change readiness takes that team's
                                     survey readiness when a survey is given
=========================  ========  =====================================================

.. [1] The column must be present; a cell may be blank when the row names a ``case_file``.
.. [2] Relative to the case root (the register's folder), ``/`` between folders, and inside
   it: no ``..``, no absolute path or drive, no backslash, no symbolic link leading out
   (the one rule of :mod:`roi.io.paths`, for every reader).

A rejected register yields nothing: every problem of the table and of the case files it
names is reported at once, each with its line, column, value and rule.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from roi.core.casefile import CASE_FILE_SUFFIXES, load_case
from roi.core.engine import CaseResult, evaluate
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
from roi.io.paths import OutsideFolder, inside
from roi.io.problems import CaseError, Problem
from roi.io.structured import id_key

BUSINESS_FUNCTIONS = (
    "customer_support",
    "sales_marketing",
    "data_analysis",
    "operations_hr",
    "other",
)
# 1–5 judgement scores; for each, whether 5 is the best mark.
SCORES: dict[str, bool] = {
    "value_score": True,
    "technical_complexity": False,
    "data_readiness": True,
    "stakeholder_buy_in": True,
    "strategic_alignment": True,
    "change_readiness": True,
    "risk": False,
}
REQUIRED = (
    "use_case_id",
    "name",
    "business_function",
    "value_score",
    "technical_complexity",
    "data_readiness",
    "stakeholder_buy_in",
    "strategic_alignment",
    "time_to_value_months",
)
OPTIONAL = (
    "change_readiness",
    "risk",
    "estimated_cost",
    "case_file",
    "exchange_rate",
    "npv_low",
    "npv_high",
    "owner",
    "team",
)
COLUMNS = REQUIRED + OPTIONAL
NUMBERS = (
    *SCORES,
    "time_to_value_months",
    "estimated_cost",
    "exchange_rate",
    "npv_low",
    "npv_high",
)
MAX_TIME_TO_VALUE_MONTHS = 120
NEUTRAL_SCORE = 3.0


class RegisterError(TableError):
    """A register that cannot be used; ``problems`` lists every problem found."""


@dataclass(frozen=True)
class UseCase:
    """One row of the register. Scores are 1–5 as written; blanks are ``None``."""

    line: int
    use_case_id: str
    name: str
    business_function: str
    value_score: float | None
    technical_complexity: float
    data_readiness: float
    stakeholder_buy_in: float
    strategic_alignment: float
    time_to_value_months: float
    change_readiness: float | None = None
    risk: float | None = None
    estimated_cost: float | None = None
    case_file: str | None = None
    exchange_rate: float | None = None
    npv_low: float | None = None
    npv_high: float | None = None
    owner: str | None = None
    team: str | None = None
    # Where change readiness came from when not as written: "survey: TEAM, wave W", or
    # why the survey could not give it.
    change_readiness_source: str | None = None


@dataclass(frozen=True)
class Register:
    """Validated use cases in file order, with the evaluated business case of each row that
    names one (by ``use_case_id``). Money is reported in ``currency``."""

    source: str
    currency: str
    use_cases: tuple[UseCase, ...]
    cases: Mapping[str, CaseResult]

    def rate(self, use_case_id: str) -> float:
        """Register currency per unit of the use case's case currency (1 when the same)."""
        use_case = next(u for u in self.use_cases if u.use_case_id == use_case_id)
        return 1.0 if use_case.exchange_rate is None else use_case.exchange_rate

    def npv(self, use_case_id: str) -> float | None:
        """Risk-adjusted NPV of the use case's business case, in the register currency."""
        result = self.cases.get(use_case_id)
        if result is None:
            return None
        return result.risk_adjusted.metrics.npv * self.rate(use_case_id)


def read_register(
    raw: bytes,
    source: str,
    case_root: Path,
    currency: str = "USD",
    confine: bool = False,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> Register:
    """Read and validate a use-case register and the business cases it names.

    Parameters
    ----------
    raw
        The file's bytes (CSV, ``,`` or ``;`` delimited).
    source
        The file's name, used in messages.
    case_root
        Folder that ``case_file`` paths are relative to (the CLI uses the register's folder).
    currency
        ISO code the register reports money in; a case in another currency needs the row's
        ``exchange_rate`` (register currency per unit of the case's).
    confine
        Kept for callers written when only some readers confined case files: every reader
        now refuses a ``case_file`` outside ``case_root`` (``..``, an absolute path, a
        drive, a backslash, a symbolic link leading out; :func:`roi.io.paths.inside`),
        whatever this says.

    Raises
    ------
    RegisterError
        Listing every problem, each with line, column, value and rule; nothing is returned
        from a register with any problem.
    """
    text = check_raw(raw, source, RegisterError, max_bytes)
    delimiter = delimiter_of(text.split("\n", 1)[0], source, RegisterError)
    frame = read_table(text, delimiter, source, COLUMNS, RegisterError)
    frame = canonical_table(frame, REQUIRED, OPTIONAL, source, RegisterError, "use case rows")
    problems: list[Problem] = _misspelled_columns(frame.columns)
    texts = frame[[*NUMBERS, "business_function"]].copy()
    frame["business_function"] = frame["business_function"].str.lower()
    for column in NUMBERS:
        frame[column] = parse_numbers(frame, column, delimiter, problems)
    _validate(frame, texts, problems)
    use_cases = [_use_case(row) for row in frame.to_dict("records")]
    unreadable_rates = {
        int(line)
        for line, given, value in zip(
            frame["line"], texts["exchange_rate"], frame["exchange_rate"], strict=True
        )
        if given and not value > 0
    }
    cases = _load_cases(use_cases, case_root, currency, unreadable_rates, problems)
    if problems:
        raise RegisterError(source, sorted_problems(problems, COLUMNS))
    return Register(source, currency, tuple(use_cases), cases)


def _misspelled_columns(columns) -> list[Problem]:
    """Extra columns are allowed (notes, links) and ignored, but one that is a near miss of
    a register column would silently lose its values: it is refused."""
    problems = []
    for name in columns:
        if name == "line" or name in COLUMNS:
            continue
        close = difflib.get_close_matches(name.lower(), COLUMNS, n=1, cutoff=0.8)
        if close:
            message = f"column {name!r} is not a register column; did you mean {close[0]!r}?"
            problems.append(Problem("line 1", message))
    return problems


def _validate(frame: pd.DataFrame, texts: pd.DataFrame, problems: list[Problem]) -> None:
    import pandera.pandas as pa

    score = [pa.Check.in_range(1, 5)]
    schema = pa.DataFrameSchema(
        {
            "use_case_id": pa.Column(str, pa.Check.str_length(min_value=1)),
            "name": pa.Column(str, pa.Check.str_length(min_value=1)),
            "business_function": pa.Column(str, pa.Check.isin(BUSINESS_FUNCTIONS)),
            **{column: pa.Column(float, score, nullable=True) for column in SCORES},
            "time_to_value_months": pa.Column(
                float, pa.Check.in_range(0, MAX_TIME_TO_VALUE_MONTHS), nullable=True
            ),
            "estimated_cost": pa.Column(float, pa.Check.in_range(0, 1e15), nullable=True),
            "exchange_rate": pa.Column(
                float, pa.Check.in_range(0, 1e6, include_min=False), nullable=True
            ),
            "npv_low": pa.Column(float, pa.Check.in_range(-1e15, 1e15), nullable=True),
            "npv_high": pa.Column(float, pa.Check.in_range(-1e15, 1e15), nullable=True),
        },
        strict=False,
    )
    rules = {
        "use_case_id": "must not be empty",
        "name": "must not be empty",
        "business_function": f"must be one of {', '.join(BUSINESS_FUNCTIONS)}",
        **{column: "must be a score from 1 to 5" for column in SCORES},
        "time_to_value_months": f"must be from 0 to {MAX_TIME_TO_VALUE_MONTHS} months",
        "estimated_cost": "must be an amount ≥ 0",
        "exchange_rate": "must be a rate > 0",
        "npv_low": "must be an amount within ±1e15",
        "npv_high": "must be an amount within ±1e15",
    }
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        for row in errors.failure_cases.itertuples(index=False):
            if row.index is None or (isinstance(row.index, float) and math.isnan(row.index)):
                continue
            if row.column in NUMBERS and pd.isna(row.failure_case):
                continue
            shown = texts.at[row.index, row.column] if row.column in texts else row.failure_case
            where = f"line {frame.at[row.index, 'line']}, column {row.column}"
            problems.append(Problem(where, f"{rules[row.column]}, got {shown!r}"))
    # Rules across cells, checked column by column (a per-cell loop is slow on big files);
    # each problem is then listed in file order by sorted_problems.
    given = texts[list(NUMBERS)] != ""
    has_case = frame["case_file"] != ""

    def report(mask: pd.Series, column: str, message) -> None:
        for index in frame.index[mask]:
            text = message(index) if callable(message) else message
            problems.append(Problem(f"line {frame.at[index, 'line']}, column {column}", text))

    for column in REQUIRED[3:]:
        if column == "value_score":
            report(
                ~given[column] & ~has_case, column, "is missing (needed when there is no case_file)"
            )
        else:
            report(~given[column], column, "is missing")
    for column in ("exchange_rate", "npv_low", "npv_high"):
        report(given[column] & ~has_case, column, "applies only to a row with a case_file")
    message = "is missing: an interval needs both npv_low and npv_high"
    report(given["npv_low"] & ~given["npv_high"], "npv_high", message)
    report(~given["npv_low"] & given["npv_high"], "npv_low", message)
    report(
        frame["npv_low"] > frame["npv_high"],  # False where either is NaN
        "npv_low",
        lambda i: (
            f"must not exceed npv_high ({texts.at[i, 'npv_high']}), got {texts.at[i, 'npv_low']!r}"
        ),
    )
    first_line: dict[str, tuple[int, str]] = {}
    for line, use_case_id in zip(frame["line"], frame["use_case_id"], strict=True):
        if not use_case_id:
            continue
        key = id_key(use_case_id)  # UC-07 and uc-07 would join the same pilot rows
        if key in first_line:
            earlier, written = first_line[key]
            message = f"repeats {written!r} from line {earlier}"
            if written != use_case_id:
                message += " (identifiers are not case-sensitive)"
            problems.append(Problem(f"line {line}, column use_case_id", message))
        else:
            first_line[key] = (int(line), use_case_id)


def _use_case(row: dict) -> UseCase:
    def number(column: str) -> float | None:
        value = row[column]
        return None if pd.isna(value) else float(value)

    def text(column: str) -> str | None:
        return row[column] or None

    return UseCase(
        line=int(row["line"]),
        use_case_id=row["use_case_id"],
        name=row["name"],
        business_function=row["business_function"],
        value_score=number("value_score"),
        technical_complexity=number("technical_complexity") or 0.0,
        data_readiness=number("data_readiness") or 0.0,
        stakeholder_buy_in=number("stakeholder_buy_in") or 0.0,
        strategic_alignment=number("strategic_alignment") or 0.0,
        time_to_value_months=number("time_to_value_months") or 0.0,
        change_readiness=number("change_readiness"),
        risk=number("risk"),
        estimated_cost=number("estimated_cost"),
        case_file=text("case_file"),
        exchange_rate=number("exchange_rate"),
        npv_low=number("npv_low"),
        npv_high=number("npv_high"),
        owner=text("owner"),
        team=text("team"),
    )


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long for the file system
        return False


def _load_cases(
    use_cases: list[UseCase],
    case_root: Path,
    currency: str,
    unreadable_rates: set[int],
    problems: list[Problem],
) -> dict[str, CaseResult]:
    """Load and evaluate each named case file, which must lie inside ``case_root`` (the
    rule of :func:`roi.io.paths.inside`); its problems become the register's. Rows in
    ``unreadable_rates`` gave an exchange rate that is already reported as bad."""
    root = case_root.resolve()
    cases: dict[str, CaseResult] = {}
    used: dict[Path, int] = {}
    for use_case in use_cases:
        if use_case.case_file is None:
            continue
        where = f"line {use_case.line}, column case_file"
        written = use_case.case_file
        try:
            path = inside(root, written)
        except OutsideFolder as reason:
            message = f"must name a case file inside the case folder ({reason}), got {written!r}"
            problems.append(Problem(where, message))
            continue
        if Path(written).suffix.lower() not in CASE_FILE_SUFFIXES:
            problems.append(
                Problem(where, f"must name a .yaml, .yml or .json file, got {written!r}")
            )
            continue
        if not _is_file(path):
            problems.append(Problem(where, f"no such case file, got {written!r}"))
            continue
        if path in used:
            message = (
                f"{written!r} is already the case of line {used[path]};"
                " a business case belongs to one use case"
            )
            problems.append(Problem(where, message))
            continue
        used[path] = use_case.line
        try:
            case = load_case(path)
        except CaseError as error:
            for problem in error.problems:
                problems.append(Problem(where, f"{written}: {problem}"))
            continue
        if case.use_case_id is not None and id_key(case.use_case_id) != id_key(
            use_case.use_case_id
        ):
            message = (
                f"{written!r} is the business case of {case.use_case_id}, not of"
                f" {use_case.use_case_id} (its use_case_id)"
            )
            problems.append(Problem(where, message))
            continue
        result = evaluate(case)
        npv = result.risk_adjusted.metrics.npv
        low, high = use_case.npv_low, use_case.npv_high
        if low is not None and high is not None and low <= high and not low <= npv <= high:
            message = (
                f"the interval {low:,.0f} to {high:,.0f} must contain the case's"
                f" risk-adjusted NPV, {npv:,.0f} {case.currency}"
            )
            problems.append(Problem(f"line {use_case.line}, column npv_low", message))
        rate_where = f"line {use_case.line}, column exchange_rate"
        if use_case.line in unreadable_rates:
            continue
        if case.currency != currency and use_case.exchange_rate is None:
            message = (
                f"is needed: the case is in {case.currency} and the register reports in"
                f" {currency} (give {currency} per {case.currency})"
            )
            problems.append(Problem(rate_where, message))
            continue
        if case.currency == currency and use_case.exchange_rate not in (None, 1.0):
            message = (
                f"must be 1 or blank: the case is already in {currency},"
                f" got {use_case.exchange_rate:g}"
            )
            problems.append(Problem(rate_where, message))
            continue
        cases[use_case.use_case_id] = result
    return cases
