"""Every engine call the pages make, cached here and only here.

Cached functions take plain, hashable arguments (ids, tuples of lever values, case JSON)
and never read widgets. Sizes are bounded with ``max_entries``.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from dashboard.database import open_store, store, unavailable
from roi import BusinessCase, CaseResult, evaluate, load_case
from roi.adoption.forecast import AdoptionForecast
from roi.adoption.formats.common import Telemetry
from roi.adoption.report import AdoptionReport, analyse, team_adoption, team_forecast
from roi.adoption.telemetry import (
    read_telemetry,
    read_telemetry_files,
    read_tool_files,
    team_attributes,
)
from roi.adoption.tools import ToolComparison, compare_tools
from roi.core.casefile import CASE_FILE_SUFFIXES
from roi.core.distributions import follow_values
from roi.core.hosting import (
    HostingLevers,
    InfrastructureReport,
    apply_hosting_levers,
    cost_curve,
    curve_volumes,
    infrastructure_reports,
)
from roi.core.scenario import Levers, apply_levers
from roi.core.totals import PortfolioRow, PortfolioTotals, portfolio_rows, portfolio_totals
from roi.culture.anonymity import MIN_GROUP_DEFAULT
from roi.culture.instrument import read_invitations, read_items, read_responses
from roi.culture.report import SurveyReport, survey_report, team_change_readiness
from roi.impact.files import read_metrics, read_outcomes
from roi.impact.panel import join
from roi.impact.report import ImpactReport, impact_report
from roi.impact.telemetry import read_usage_source
from roi.portfolio.budget import BudgetPortfolio, default_budget, select_portfolio
from roi.portfolio.quickwins import Ranking, RankSettings, rank, with_survey_readiness
from roi.portfolio.register import Register, read_register
from roi.reports.exports import ranking_csv, schedule_files, zip_files
from roi.reports.onepager import one_pager
from roi.reports.workbook import ranking_workbook_bytes, workbook_bytes
from roi.uncertainty.sensitivity import (
    BreakEven,
    ScenarioResult,
    TornadoRow,
    break_evens,
    scenario_results,
    tornado,
    two_way,
)
from roi.uncertainty.simulation import Simulation, simulate

ROOT = Path(__file__).resolve().parents[1]
CASES_DIR = Path(os.environ.get("ROI_CASES_DIR", ROOT / "sample_data" / "cases"))
REFERENCE_CASE = ROOT / "sample_data" / "reference" / "tei_salesloft.yaml"
PAYBACK_TARGET_MONTHS = 12.0  # the break-even table's payback target
SAMPLE_PILOTS = ROOT / "sample_data" / "pilot_observations.csv"
SAMPLE_ADOPTION = ROOT / "sample_data" / "adoption" / "adoption.csv"
SAMPLE_SURVEY_ITEMS = ROOT / "sample_data" / "survey" / "survey_items.csv"
SAMPLE_SURVEY_RESPONSES = ROOT / "sample_data" / "survey" / "survey_responses.csv"
SAMPLE_SURVEY_INVITATIONS = ROOT / "sample_data" / "survey" / "survey_invitations.csv"
SAMPLE_SURVEY_ADOPTION = ROOT / "sample_data" / "survey" / "team_adoption.csv"
SAMPLE_IMPACT = ROOT / "sample_data" / "impact"
# The bundled register; its folder is where every register's case_file paths are read from.
BUNDLED_REGISTER = ROOT / "sample_data" / "use_cases.csv"
SAMPLE_REGISTER = Path(os.environ.get("ROI_REGISTER_FILE", ROOT / "sample_data" / "use_cases.csv"))


@st.cache_data(max_entries=4, show_spinner=False)
def sample_cases(folder: str = str(CASES_DIR)) -> dict[str, BusinessCase]:
    """The portfolio's cases by id (file name without suffix), sorted by id."""
    paths = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in CASE_FILE_SUFFIXES)
    return {path.stem: load_case(path) for path in paths}


SAVED_PREFIX = "saved-"


def saved_case_id(dataset_id: int, fingerprint: str) -> str:
    """The id of a saved case: its dataset id and the start of its fingerprint, so that a
    cached result can never belong to another database's dataset of the same number."""
    return f"{SAVED_PREFIX}{dataset_id}-{fingerprint[:12]}"


def dataset_of(case_id: str) -> int | None:
    """The dataset id in a saved case's id; ``None`` for a bundled case."""
    if not case_id.startswith(SAVED_PREFIX):
        return None
    return int(case_id[len(SAVED_PREFIX) :].split("-", 1)[0])


@st.cache_data(max_entries=64, show_spinner=False)
def stored_case(url: str, dataset_id: int, fingerprint: str) -> BusinessCase:
    """A saved case (datasets never change once kept); ``fingerprint`` (its start is
    enough) makes sure it is the dataset meant."""
    kept = open_store(url)
    if not kept.dataset(dataset_id).fingerprint.startswith(fingerprint):
        raise KeyError(f"saved case {dataset_id} is not the one this link meant")
    return kept.case(dataset_id)


def bundled_path(case_id: str, folder: str = str(CASES_DIR)) -> Path:
    """The file of a bundled case."""
    for path in Path(folder).iterdir():
        if path.stem == case_id and path.suffix.lower() in CASE_FILE_SUFFIXES:
            return path
    raise KeyError(case_id)


def case_by_id(case_id: str, folder: str = str(CASES_DIR)) -> BusinessCase:
    """A bundled case by its file name, or a saved one by :func:`saved_case_id`."""
    dataset_id = dataset_of(case_id)
    if dataset_id is None:
        return sample_cases(folder)[case_id]
    from roi.store.db import database_url

    return stored_case(database_url(), dataset_id, case_id.rsplit("-", 1)[1])


@st.cache_data(max_entries=4, show_spinner=False)
def bundled_hashes(folder: str = str(CASES_DIR)) -> dict[str, str]:
    """SHA-256 of each bundled case file → its id: a saved copy of a bundled case is shown
    as the bundled case, not twice."""
    from roi.store import sha256_of

    paths = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in CASE_FILE_SUFFIXES)
    return {sha256_of(path.read_bytes()): path.stem for path in paths}


def case_key(dataset) -> str:
    """The id a saved case dataset is shown under."""
    return bundled_hashes().get(dataset.sha256) or saved_case_id(dataset.id, dataset.fingerprint)


def all_cases(folder: str = str(CASES_DIR)) -> dict[str, BusinessCase]:
    """The bundled cases, then the saved ones (newest first)."""
    from roi.store import DATABASE_ERRORS
    from roi.store.db import database_url

    cases = dict(sample_cases(folder))
    kept = store()
    if kept is None:
        return cases
    try:
        for dataset in kept.datasets("case"):
            key = case_key(dataset)
            if key not in cases:
                cases[key] = stored_case(database_url(), dataset.id, dataset.fingerprint)
    except DATABASE_ERRORS as error:
        unavailable(error)
    return cases


def case_labels(cases: dict[str, BusinessCase]) -> dict[str, str]:
    """What a case picker shows for each case: its name and where it comes from (the bundled
    sample, or saved dataset #N), so that a saved version never looks like the bundled case
    of the same name, two saved versions stay apart, and every label is unique (a picker
    that shows the same label twice cannot tell its options apart)."""
    labels: dict[str, str] = {}
    for case_id, case in cases.items():
        dataset_id = dataset_of(case_id)
        origin = "bundled sample" if dataset_id is None else f"saved #{dataset_id}"
        labels[case_id] = f"{case.name} · {origin}"
    counts: dict[str, int] = {}
    for label in labels.values():
        counts[label] = counts.get(label, 0) + 1
    return {
        case_id: label if counts[label] == 1 else f"{label} ({case_id})"
        for case_id, label in labels.items()
    }


# Saved datasets are read once per (database URL, id, fingerprint): a dataset never changes
# once kept, and the fingerprint keeps another database's dataset of the same id apart.


@st.cache_data(max_entries=2, show_spinner=False)
def stored_observations(saved: tuple[str, int, str]):
    """A saved pilot dataset's observations."""
    return open_store(saved[0]).observations(saved[1])


@st.cache_data(max_entries=16, show_spinner=False)
def stored_text(saved: tuple[str, int, str], kind: str) -> str:
    """The kept text of a saved adoption export or case file."""
    return open_store(saved[0]).source_text(saved[1], kind)


@st.cache_data(max_entries=8, show_spinner=False)
def stored_survey(saved: tuple[str, int, str]):
    """A saved survey's aggregates."""
    return open_store(saved[0]).survey(saved[1])


@st.cache_data(max_entries=8, show_spinner=False)
def stored_impact(saved: tuple[str, int, str]) -> ImpactReport:
    """A saved measured impact's aggregates."""
    return open_store(saved[0]).impact(saved[1])


@st.cache_data(max_entries=4, show_spinner=False)
def portfolio(
    folder: str = str(CASES_DIR),
) -> tuple[list[PortfolioRow], list[PortfolioTotals], list[PortfolioTotals]]:
    """Rows (risk-adjusted) and totals per currency, risk-adjusted and unadjusted."""
    cases = sample_cases(folder)
    results = [evaluate(case) for case in cases.values()]
    return (
        portfolio_rows(results, list(cases)),
        portfolio_totals(results, risk_adjusted=True),
        portfolio_totals(results, risk_adjusted=False),
    )


@st.cache_data(max_entries=256, show_spinner=False)
def scenario(case_id: str, levers: Levers, folder: str = str(CASES_DIR)) -> CaseResult:
    """A sample case evaluated under a scenario's levers."""
    return evaluate(apply_levers(case_by_id(case_id, folder), levers))


def _levered(case_id: str, levers: Levers, folder: str) -> BusinessCase:
    """A sample case under a scenario's levers, its distributions moved with its inputs."""
    planned = case_by_id(case_id, folder)
    return follow_values(planned, apply_levers(planned, levers))


@st.cache_data(max_entries=16, show_spinner=False)
def workbook(case_id: str, levers: Levers, folder: str = str(CASES_DIR)) -> bytes:
    """The Excel workbook of a sample case under a scenario's levers (its distributions
    moved with the sliders, as on the page)."""
    return workbook_bytes(evaluate(_levered(case_id, levers, folder)))


@st.cache_data(max_entries=16, show_spinner=False)
def schedules_zip(case_id: str, levers: Levers, folder: str = str(CASES_DIR)) -> bytes:
    """The CSV schedules of a sample case under a scenario's levers, zipped."""
    return zip_files(schedule_files(scenario(case_id, levers, folder)))


@st.cache_data(max_entries=4, show_spinner=False)
def ranking_workbook(raw: bytes, name: str, currency: str = "USD") -> bytes:
    """The register's ranking (default settings) as a workbook."""
    return ranking_workbook_bytes(ranking(raw, name, currency, RankSettings()))


@st.cache_data(max_entries=4, show_spinner=False)
def ranking_csv_text(raw: bytes, name: str, currency: str = "USD") -> str:
    """The register's ranking (default settings) as CSV."""
    return ranking_csv(ranking(raw, name, currency, RankSettings()))


@st.cache_data(max_entries=8, show_spinner=False)
def onepager_pdf(
    case_id: str, levers: Levers, paper: str = "A4", folder: str = str(CASES_DIR)
) -> bytes:
    """The PDF one-pager of a sample case under a scenario's levers."""
    from roi.reports.pdf import pdf_bytes

    return pdf_bytes(one_pager(evaluate(_levered(case_id, levers, folder))), paper)


@st.cache_data(max_entries=32, show_spinner=False)
def simulation(
    case_id: str, levers: Levers, draws: int, seed: int, folder: str = str(CASES_DIR)
) -> Simulation:
    """Monte Carlo of a sample case under a scenario's levers."""
    return simulate(_levered(case_id, levers, folder), draws, seed)


@st.cache_data(max_entries=32, show_spinner=False)
def sensitivity(
    case_id: str, levers: Levers, top: int = 8, folder: str = str(CASES_DIR)
) -> tuple[list[TornadoRow], list[BreakEven], list[ScenarioResult]]:
    """Tornado, break-even values of the ``top`` inputs by swing (NPV = 0, and payback at
    :data:`PAYBACK_TARGET_MONTHS`) and the scenarios of a levered case."""
    case = _levered(case_id, levers, folder)
    rows = tornado(case)
    evens = break_evens(case, [r.input for r in rows[:top]], PAYBACK_TARGET_MONTHS)
    return rows, evens, scenario_results(case)


@st.cache_data(max_entries=32, show_spinner=False)
def two_way_grid(
    case_id: str, levers: Levers, first: str, second: str, folder: str = str(CASES_DIR)
):
    """NPV over an 11 × 11 grid of two inputs of a levered case."""
    return two_way(_levered(case_id, levers, folder), first, second)


@st.cache_data(max_entries=64, show_spinner=False)
def evaluate_json(case_json: str) -> CaseResult:
    """A case given as JSON (from the builder), evaluated."""
    return evaluate(BusinessCase.model_validate_json(case_json))


@st.cache_data(max_entries=1, show_spinner=False)
def reference_case() -> CaseResult:
    """The published TEI study entered as a case (the Methodology page's worked example)."""
    return evaluate(load_case(REFERENCE_CASE))


@st.cache_data(max_entries=128, show_spinner=False)
def hosting(
    case_id: str, index: int, levers: HostingLevers, folder: str = str(CASES_DIR)
) -> tuple[InfrastructureReport, dict, tuple[float, float]]:
    """One infrastructure line of a sample case under the page's levers: its report, its
    cost-against-volume curve and the horizon's lowest and highest monthly volume."""
    case = apply_hosting_levers(case_by_id(case_id, folder), index, levers)
    report = next(r for r in infrastructure_reports(case) if r.index == index)
    curve = cost_curve(case.costs[index], curve_volumes(case.costs[index], report))
    volumes = (float(report.requests.min()), float(report.requests.max()))
    return report, curve, volumes


@st.cache_data(max_entries=8, show_spinner=False)
def register(
    raw: bytes, name: str, currency: str, stored: tuple[str, int, str] | None = None
) -> Register:
    """A use-case register (the bundled one or an upload), validated, its cases evaluated.
    Case files are read from the bundled register's folder and never from outside it;
    a saved register (``stored``: database URL, dataset id and fingerprint) with its own
    saved cases."""
    if stored is not None:
        return open_store(stored[0]).register(stored[1], currency=currency)
    return read_register(raw, name, SAMPLE_REGISTER.parent, currency, confine=True)


@st.cache_data(max_entries=64, show_spinner=False)
def ranking(
    raw: bytes,
    name: str,
    currency: str,
    settings: RankSettings,
    readiness: tuple[tuple[str, float, str], ...] | None = None,
    stored: tuple[str, int, str] | None = None,
) -> Ranking:
    """The register ranked under the page's weights and thresholds, with its draws;
    ``readiness`` (team, 1–5 readiness, wave) fills blank change readiness by team."""
    chosen = register(raw, name, currency, stored)
    if readiness is not None:
        chosen = with_survey_readiness(chosen, {t: (v, w) for t, v, w in readiness})
    return rank(chosen, settings)


@st.cache_data(max_entries=8, show_spinner=False)
def team_readiness(
    items: tuple[bytes, str], responses_file: tuple[bytes, str], min_group: int = MIN_GROUP_DEFAULT
) -> tuple[tuple[str, float, str], ...]:
    """Each shown team's change readiness (1–5) and its wave, from a culture survey scored
    at the anonymity threshold ``min_group``."""
    report = survey(items, responses_file, min_group)
    return tuple((t, v, w) for t, (v, w) in team_change_readiness(report).items())


@st.cache_data(max_entries=64, show_spinner=False)
def budget_portfolio(
    raw: bytes,
    name: str,
    currency: str,
    budget: float,
    max_projects: int | None,
    stored: tuple[str, int, str] | None = None,
) -> BudgetPortfolio:
    """The most valuable set of the register's use cases within the budget."""
    return select_portfolio(register(raw, name, currency, stored), budget, max_projects)


@st.cache_data(max_entries=8, show_spinner=False)
def suggested_budget(
    raw: bytes, name: str, currency: str, stored: tuple[str, int, str] | None = None
) -> float | None:
    """A starting budget for the register (half its candidates' total estimated cost)."""
    return default_budget(register(raw, name, currency, stored))


@st.cache_data(max_entries=16, show_spinner=False)
def adoption(
    raw: bytes,
    name: str,
    team: str | None,
    eligible: float | None,
    target: float,
    licence_price: float | None,
) -> AdoptionReport:
    """An adoption export read (format detected) and analysed."""
    return analyse(read_telemetry(raw, name, team), eligible, target, "month", licence_price)


Files = tuple[tuple[bytes, str], ...]  # each upload's bytes and name


@st.cache_data(max_entries=16, show_spinner=False)
def adoption_tools(
    files: Files, team: str | None, team_by: str | None = None
) -> tuple[Telemetry, ...]:
    """Exports of one or several tools read, one :class:`Telemetry` per format and scope
    (:func:`roi.adoption.telemetry.read_tool_files`), in the order each was first given."""
    return read_tool_files(files, team, team_by=team_by)


@st.cache_data(max_entries=16, show_spinner=False)
def viva_attributes(files: Files) -> tuple[str, ...]:
    """The HR attributes that the first Viva Insights person query among ``files`` can take
    as its team (:func:`roi.adoption.telemetry.team_attributes`); none without one."""
    return team_attributes(files)


@st.cache_data(max_entries=16, show_spinner=False)
def tool_comparison(
    files: Files,
    team: str | None,
    team_by: str | None,
    seats: tuple[tuple[str, int], ...],
    seat_prices: tuple[tuple[str, float], ...],
    window_days: int = 28,
) -> ToolComparison:
    """The tools of ``files`` side by side (:func:`roi.adoption.tools.compare_tools`), with
    the seats and monthly seat prices given per tool."""
    return compare_tools(
        adoption_tools(files, team, team_by), dict(seats), dict(seat_prices), window_days
    )


@st.cache_data(max_entries=16, show_spinner=False)
def adoption_files(
    files: Files,
    team: str | None,
    eligible: float | None,
    target: float,
    licence_price: float | None,
    team_by: str | None = None,
    group: int | None = None,
) -> AdoptionReport:
    """One or several exports of one source read (format detected, joined) and analysed;
    with ``group``, that tool of :func:`adoption_tools` (the files of several tools)."""
    if group is None:
        telemetry = read_telemetry_files(files, team, team_by=team_by)
    else:
        telemetry = adoption_tools(files, team, team_by)[group]
    return analyse(telemetry, eligible, target, "month", licence_price)


@st.cache_data(max_entries=64, show_spinner=False)
def adoption_team(
    files: Files,
    team_label: str | None,
    eligible: float | None,
    target: float,
    licence_price: float | None,
    team: str,
    team_by: str | None = None,
    group: int | None = None,
) -> AdoptionForecast | None:
    """One team's forecast with its Holt cross-check."""
    report = adoption_files(files, team_label, eligible, target, licence_price, team_by, group)
    return team_forecast(report, team)


@st.cache_data(max_entries=8, show_spinner=False)
def survey(
    items: tuple[bytes, str],
    responses_file: tuple[bytes, str],
    min_group: int,
    invitations_file: tuple[bytes, str] | None = None,
    adoption_file: tuple[bytes, str] | None = None,
) -> SurveyReport:
    """A survey's aggregates (no individual answer leaves the engine); each file is its
    (bytes, name). Invitations add participation; an adoption export adds its drivers."""
    instrument = read_items(*items)
    responses = read_responses(*responses_file, instrument)
    invitations = (
        None if invitations_file is None else read_invitations(*invitations_file, responses)
    )
    adoption_rates = None
    if adoption_file is not None:
        adoption_rates = team_adoption(analyse(read_telemetry(*adoption_file)))
    return survey_report(responses, instrument, min_group, invitations, adoption_rates)


@st.cache_data(max_entries=8, show_spinner=False)
def impact(
    usage_files: tuple[tuple[bytes, str], ...],
    outcomes_file: tuple[bytes, str],
    metrics_file: tuple[bytes, str] | None,
    heavy_share: float,
    hash_ids: bool,
    min_group: int,
) -> ImpactReport:
    """A measured-impact report (aggregates only); each file is its (bytes, name). The
    usage is one usage.csv or per-user telemetry exports of one source."""
    outcomes = read_outcomes(*outcomes_file, hash_ids=hash_ids)
    usage = read_usage_source(list(usage_files), outcomes.attrs["period_kind"], hash_ids)
    metrics = {} if metrics_file is None else read_metrics(*metrics_file)
    panel = join(usage.usage, outcomes, heavy_share, usage.covered)
    return impact_report(panel, metrics, min_group=min_group, source_notes=usage.notes)
