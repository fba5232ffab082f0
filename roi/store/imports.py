"""What the store keeps of a file, worked out before anything is written: the file is read
and validated by the same reader the CLI and dashboard use, and any problem raises that
reader's error (listing every problem) so that nothing is stored.

Kept per kind:

- ``pilots``: every observation, as rows of ``pilot_observations``;
- ``adoption``: the export's text (re-read when used; its format and data-quality notes are
  in the report);
- ``survey``: the aggregates only (the scored report, anonymity applied at the threshold in
  force) and the instrument; the answers themselves only when an admin has switched the
  opt-in on, and then never displayed or exported;
- ``use-cases``: the register's text and the text of each case file it names;
- ``case``: the case file's text, and its headline figures for the case's history;
- ``impact``: a measured impact's aggregates only (the report, anonymity applied at the
  threshold in force, as a survey's), never the per-person usage and outcome rows.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

import pandas as pd

from roi.adoption.report import analyse, team_adoption
from roi.adoption.telemetry import read_telemetry
from roi.core.casefile import load_case_text
from roi.core.engine import CaseResult, evaluate
from roi.culture.anonymity import MIN_GROUP_DEFAULT
from roi.culture.instrument import read_invitations, read_items, read_responses
from roi.culture.report import report_record, survey_report
from roi.evidence.pilots import ColumnMapping, read_observations, reading_notes
from roi.impact.files import read_metrics, read_outcomes
from roi.impact.panel import HEAVY_SHARE_DEFAULT, join
from roi.impact.report import impact_record, impact_report
from roi.impact.telemetry import read_usage_source
from roi.io.csvtable import decode
from roi.io.paths import inside
from roi.io.problems import CaseError, Problem
from roi.portfolio.register import read_register

Kind = Literal["pilots", "adoption", "survey", "use-cases", "case", "impact"]
KINDS: tuple[str, ...] = get_args(Kind)

PILOT_COLUMNS = ("line", "use_case_id", "metric", "group", "value", "period", "date", "unit_id")


class StoreInputError(CaseError):
    """A file the store refuses for a reason of its own (an unknown kind, a missing
    companion file); the readers' own errors are raised as they are."""


def sha256_of(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def fingerprint_of(kind: str, raw: bytes, meta: dict, companions: dict) -> str:
    """A dataset's identity: the file, the options it was read with and the files read with
    it (a register's case files, a survey's instrument). The same file read another way,
    or a register whose case files changed, is a new dataset."""
    digest = hashlib.sha256()
    digest.update(kind.encode())
    digest.update(hashlib.sha256(raw).digest())
    digest.update(json.dumps(meta, sort_keys=True, default=str).encode())
    digest.update(json.dumps(companions, sort_keys=True).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Figures:
    """A case's headline figures (risk-adjusted), kept each time it is saved."""

    case_name: str
    currency: str
    npv: float
    pv_benefits: float
    pv_costs: float
    roi: float | None
    payback_months: float | None


def figures_of(result: CaseResult) -> Figures:
    metrics = result.risk_adjusted.metrics
    return Figures(
        case_name=result.case.name,
        currency=result.case.currency,
        npv=float(metrics.npv),
        pv_benefits=float(metrics.pv_benefits),
        pv_costs=float(metrics.pv_costs),
        roi=None if metrics.roi is None else float(metrics.roi),
        payback_months=None if metrics.payback_months is None else float(metrics.payback_months),
    )


@dataclass(frozen=True)
class Prepared:
    """A validated file, ready to be written in one transaction."""

    kind: Kind
    name: str
    source_file: str
    sha256: str
    fingerprint: str
    rows: int
    content: str | None
    meta: dict
    report: dict
    observations: pd.DataFrame | None = None
    answers: pd.DataFrame | None = None
    figures: Figures | None = None
    notes: tuple[str, ...] = field(default=())


def _report(notes: list[str] | tuple[str, ...] = ()) -> dict:
    return {"valid": True, "problems": [], "notes": list(notes)}


def prepare(
    kind: str,
    raw: bytes,
    source: str,
    *,
    mapping: ColumnMapping | None = None,
    team: str | None = None,
    items: tuple[bytes, str] | None = None,
    invitations: tuple[bytes, str] | None = None,
    min_group: int = MIN_GROUP_DEFAULT,
    keep_answers: bool = False,
    case_root: Path | None = None,
    currency: str = "USD",
    adoption: tuple[bytes, str] | None = None,
    outcomes: tuple[bytes, str] | None = None,
    metrics: tuple[bytes, str] | None = None,
    heavy_share: float = HEAVY_SHARE_DEFAULT,
    hash_ids: bool = False,
    more_usage: tuple[tuple[bytes, str], ...] = (),
) -> Prepared:
    """Read and validate ``raw`` (a file called ``source``) as ``kind``.

    ``mapping`` maps another export's columns (pilots); ``team`` names the team of an
    export without one (adoption); ``items`` is the survey's instrument and ``invitations``
    its optional invitation counts and ``adoption`` an adoption export (for the drivers of
    team adoption), as (bytes, name); ``case_root`` is the folder a register's case files
    are relative to (its own folder by default). A register keeps the case files it names,
    which must lie inside that folder, as for every reader of a register. A measured
    impact's ``raw`` is its usage file (a usage.csv, or the first of per-user telemetry
    exports of one source, the others in ``more_usage``), with ``outcomes`` (required) and
    ``metrics`` as (bytes, name), read with ``heavy_share`` and ``hash_ids``.
    """
    if kind not in KINDS:
        expected = ", ".join(KINDS)
        raise StoreInputError(source, [Problem("", f"unknown kind {kind!r}; expected {expected}")])
    name = Path(source).name
    digest = sha256_of(raw)
    if kind == "pilots":
        frame = read_observations(raw, source, mapping)
        observations = frame[list(PILOT_COLUMNS)].copy()
        meta = {} if mapping is None else {"mapping": _mapping_meta(mapping)}
        key = fingerprint_of(kind, raw, meta, {})
        return Prepared(
            "pilots",
            name,
            name,
            digest,
            key,
            len(frame),
            None,
            meta,
            _report(reading_notes(frame)),
            observations,
        )
    if kind == "adoption":
        telemetry = read_telemetry(raw, source, team)
        notes = [str(note) for note in telemetry.data_quality]
        if telemetry.note:
            notes.insert(0, telemetry.note)
        meta = {"format": telemetry.format, "team": team}
        key = fingerprint_of(kind, raw, meta, {})
        rows = len(telemetry.daily)
        return Prepared(
            "adoption", name, name, digest, key, rows, decode(raw), meta, _report(notes)
        )
    if kind == "survey":
        return _survey(
            raw, source, name, digest, items, invitations, adoption, min_group, keep_answers
        )
    if kind == "use-cases":
        return _register(raw, source, name, digest, case_root, currency)
    if kind == "impact":
        return _impact(raw, source, name, digest, outcomes, metrics, heavy_share, hash_ids,
                       min_group, more_usage)  # fmt: skip
    case = load_case_text(raw, source)
    result = evaluate(case)
    rows = len(case.benefits) + len(case.costs)
    return Prepared(
        "case", case.name, name, digest, fingerprint_of(kind, raw, {}, {}), rows, decode(raw),
        {}, _report(), figures=figures_of(result),
    )  # fmt: skip


def _mapping_meta(mapping: ColumnMapping) -> dict:
    from dataclasses import asdict

    return json.loads(json.dumps(asdict(mapping), default=list))


def _survey(
    raw, source, name, digest, items, invitations, adoption, min_group, keep_answers
) -> Prepared:
    if items is None:
        message = "a survey needs its instrument (survey_items.csv) to be scored"
        raise StoreInputError(source, [Problem("", message)])
    instrument = read_items(*items)
    responses = read_responses(raw, source, instrument)
    invited = None if invitations is None else read_invitations(*invitations, responses)
    rates = None
    if adoption is not None:
        rates = team_adoption(analyse(read_telemetry(*adoption)))
    report = survey_report(responses, instrument, min_group, invited, rates)
    content = json.dumps({"items": decode(items[0]), "report": report_record(report)})
    meta = {
        "items_file": Path(items[1]).name,
        "items_sha256": sha256_of(items[0]),
        "invitations_file": None if invitations is None else Path(invitations[1]).name,
        "adoption_file": None if adoption is None else Path(adoption[1]).name,
        "min_group": min_group,
        "answers_kept": keep_answers,
    }
    companions = {
        "items": sha256_of(items[0]),
        "invitations": None if invitations is None else sha256_of(invitations[0]),
        "adoption": None if adoption is None else sha256_of(adoption[0]),
    }
    options = {"min_group": min_group}  # keeping answers is the store's setting, not a reading
    key = fingerprint_of("survey", raw, options, companions)
    answers = None
    if keep_answers:
        names = [item.item for item in instrument.items]
        answers = responses.melt(
            id_vars=["respondent_id", "wave", "team"],
            value_vars=names,
            var_name="item",
            value_name="answer",
        ).dropna(subset=["answer"])
    # The report's own count: the responses of a wave whose totals are hidden are not
    # counted, or the difference would tell the hidden wave's size.
    return Prepared(
        "survey", name, name, digest, key, report.respondents, content, meta, _report(),
        answers=answers,
    )  # fmt: skip


def _register(raw, source, name, digest, case_root, currency) -> Prepared:
    root = Path(source).parent if case_root is None else Path(case_root)
    register = read_register(raw, source, root, currency, confine=True)
    cases = {}
    for use_case in register.use_cases:
        if use_case.case_file is not None:
            # read_register has held the path to the one rule (roi.io.paths.inside)
            path = inside(root, use_case.case_file)
            cases[use_case.case_file] = decode(path.read_bytes())
    content = json.dumps({"register": decode(raw), "cases": cases})
    meta = {"currency": currency}
    key = fingerprint_of("use-cases", raw, meta, cases)
    rows = len(register.use_cases)
    return Prepared("use-cases", name, name, digest, key, rows, content, meta, _report())


def _impact(raw, source, name, digest, outcomes, metrics, heavy_share, hash_ids,
            min_group, more_usage) -> Prepared:  # fmt: skip
    if outcomes is None:
        message = "a measured impact needs its outcomes file (outcomes.csv) beside the usage"
        raise StoreInputError(source, [Problem("", message)])
    outcome_rows = read_outcomes(*outcomes, hash_ids=hash_ids)
    usage = read_usage_source([(raw, source), *more_usage], outcome_rows.attrs["period_kind"],
                              hash_ids)  # fmt: skip
    declared = {} if metrics is None else read_metrics(*metrics)
    panel = join(usage.usage, outcome_rows, heavy_share, usage.covered)
    report = impact_report(panel, declared, min_group=min_group, source_notes=usage.notes)
    content = json.dumps({"report": impact_record(report)})
    meta = {
        "usage_files": [Path(n).name for _, n in ((raw, source), *more_usage)],
        "outcomes_file": Path(outcomes[1]).name,
        "metrics_file": None if metrics is None else Path(metrics[1]).name,
        "heavy_share": heavy_share,
        "hash_ids": hash_ids,
        "min_group": min_group,
    }
    companions = {
        "more_usage": [sha256_of(r) for r, _ in more_usage],
        "outcomes": sha256_of(outcomes[0]),
        "metrics": None if metrics is None else sha256_of(metrics[0]),
    }
    options = {"heavy_share": heavy_share, "hash_ids": hash_ids, "min_group": min_group}
    key = fingerprint_of("impact", raw, options, companions)
    return Prepared("impact", name, name, digest, key, report.people, content, meta, _report())
