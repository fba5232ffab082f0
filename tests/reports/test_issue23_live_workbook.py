"""Issue 23: the workbook is the model. Every input is a named, typed cell of the Assumptions
sheet and every monthly amount a formula of them, the engine's driver formula; a Checks
sheet sets the engine's figures beside the workbook's.

Recalculated by the ``formulas`` package (an Excel engine that shares no code with the one
that wrote the workbook) and by LibreOffice headless, the workbook must equal the engine to
the cent, month by month, for the sample cases and for a case with every driver and option;
and an input changed in the workbook must move it as the engine moves with that input
changed."""

from __future__ import annotations

import copy
import csv
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roi import evaluate, load_case
from roi.core.casefile import parse_case
from roi.reports.workbook import workbook_bytes
from roi.reports.workbook_inputs import case_inputs, name_of

sys.path.insert(0, str(Path(__file__).parent))
from test_exports import recompute

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted((ROOT / "sample_data" / "cases").glob("*.yaml"))

LOGISTIC = {"curve": "logistic", "ceiling": 0.8, "midpoint_month": 7, "steepness": 0.6}
CURVES = {
    "logistic": LOGISTIC,
    "linear": {"curve": "linear", "ceiling": 0.7, "months_to_ceiling": 9},
    "steps": {"curve": "steps", "shares_by_year": [0.3, 0.6]},
    "measured": {"curve": "measured", "observed": [0.05, 0.12, 0.2, 0.26],
                 "first_observed_month": -1, "ceiling": 0.75, "midpoint_month": 5,
                 "steepness": 0.5, "source": "telemetry export"},
    "none": None,
}  # fmt: skip
SERVERLESS = {"price_per_million_requests": 0.2, "price_per_gb_second": 0.0000133,
              "memory_gb": 1.0, "seconds_per_request": 0.4, "free_requests_per_month": 1e6,
              "free_gb_seconds_per_month": 400000, "input_tokens_per_request": 800,
              "output_tokens_per_request": 120, "price_per_million_input_tokens": 0.15,
              "price_per_million_output_tokens": 0.6}  # fmt: skip
PROVISIONED = {"hourly_price": 0.09, "capacity_rps_per_instance": 2.0,
               "target_utilization": 0.6, "peak_to_average": 3.0, "min_instances": 1,
               "commitment_discount": 0.2, "fixed_monthly_cost": 150.0}  # fmt: skip


def every_driver(curve: str = "logistic", horizon: int = 3) -> dict:
    """A case with every benefit and cost driver, and each option of each."""
    benefits = [
        {"name": "Time", "type": "time_saved", "eligible_users": 120,
         "tasks_per_user_per_month": 40, "minutes_saved_per_task": 6.5,
         "loaded_hourly_cost": 55, "productivity_recapture": 0.6,
         "annual_cost_escalation": 0.03, "risk": 0.2},
        {"name": "Tickets", "type": "response_time", "volume_per_month": 9000,
         "minutes_saved_per_item": 2.5, "loaded_hourly_cost": 38,
         "annual_cost_escalation": 0.02, "customers": 4000, "churn_reduction": 0.01,
         "annual_revenue_per_customer": 1200, "gross_margin": 0.7, "risk": 0.1},
        {"name": "Leads", "type": "conversion_lift", "leads_per_month": 800,
         "conversion_lift": 0.015, "average_deal_value": 9000, "gross_margin": 0.6},
        {"name": "Avoided", "type": "cost_avoidance", "monthly_amount": 7000,
         "annual_escalation": 0.04},
        {"name": "Study", "type": "explicit", "initial": 1000, "by_year": [24000, 36000],
         "by_month": [500, 700, 900]},
    ]  # fmt: skip
    costs = [
        {"name": "Build", "type": "one_time", "amount": 90000},
        {"name": "Build phase", "type": "one_time", "amount": 60000, "spread_over_months": 5},
        {"name": "Run", "type": "recurring", "monthly_amount": 2500, "annual_escalation": 0.05,
         "start_month": 3},
        {"name": "Seats", "type": "per_seat", "price_per_seat_per_month": 30, "seats": 120,
         "annual_escalation": 0.03},
        {"name": "Seats followed", "type": "per_seat", "price_per_seat_per_month": 19,
         "seats": 97, "follow_adoption": True},
        {"name": "Training", "type": "training", "cost_per_new_user": 150, "eligible_users": 120},
        {"name": "Team", "type": "staff", "fte": 1.5, "loaded_annual_cost": 140000,
         "annual_escalation": 0.03, "start_month": 2},
        {"name": "Other", "type": "explicit", "initial": 5000, "by_year": [12000]},
        {"name": "Hosting", "type": "infrastructure", "model": "cheapest",
         "requests_per_month": 3e6, "cache_hit_rate": 0.2, "serverless": dict(SERVERLESS),
         "provisioned": dict(PROVISIONED)},
        {"name": "Per user hosting", "type": "infrastructure", "model": "provisioned",
         "requests_per_user_per_month": 900, "eligible_users": 120,
         "provisioned": dict(PROVISIONED)},
        {"name": "API", "type": "infrastructure", "model": "serverless",
         "requests_per_month": 5e5, "serverless": dict(SERVERLESS)},
        {"name": "Copilot", "type": "usage_licence", "seats": 80,
         "usage_per_active_user_per_month": 2100, "annual_usage_growth": 0.2,
         "licence": {"price_per_seat_per_month": 19, "included_units_per_seat": 1900,
                     "price_per_unit": 0.01}},
        {"name": "Cursor", "type": "usage_licence", "seats": 40, "follow_adoption": True,
         "usage_per_active_user_per_month": 30, "usage_sd_across_users": 25,
         "annual_escalation": 0.02, "overage_budget_per_month": 400,
         "licence": {"price_per_seat_per_month": 40, "included_units_per_seat": 20,
                     "allowance": "per_user",
                     "models": {"fast": {"share": 0.7, "price_per_unit": 0.5},
                                "deep": {"share": 0.3, "price_per_unit": 2.0}}}},
    ]  # fmt: skip
    for item in benefits + costs:  # amounts by year within the horizon
        if "by_year" in item:
            item["by_year"] = item["by_year"][:horizon]
    return {"name": "Every driver", "start": "2027-01", "horizon_years": horizon,
            "discount_rate": 0.08, "annual_volume_growth": 0.1, "adoption": CURVES[curve],
            "benefits": benefits, "costs": costs}  # fmt: skip


def written(case, folder: Path, stem: str = "case") -> Path:
    path = folder / f"{stem}.xlsx"
    path.write_bytes(workbook_bytes(evaluate(case), uncertainty=False))
    return path


def monthly_values(values: dict, result) -> list[list[float]]:
    """Each line's monthly amounts as the workbook recalculated them (columns E…)."""
    from openpyxl.utils import get_column_letter

    out = []
    for i in range(len(result.lines)):
        letter = get_column_letter(5 + i)
        out.append([values[f"MONTHLY!{letter}{2 + k}"] for k in range(result.timeline.periods)])
    return out


def assert_equal_to_the_engine(values: dict, result) -> None:
    amounts = result.unadjusted.line_amounts
    for i, got in enumerate(monthly_values(values, result)):
        for k, value in enumerate(got):
            assert value == pytest.approx(amounts[i, k], abs=0.005), (result.lines[i].name, k)
    for k in range(result.timeline.periods):
        assert values[f"MONTHLY!D{2 + k}"] == pytest.approx(result.adoption[k], abs=1e-12)
    assert values["SUMMARY!B5"] == pytest.approx(result.risk_adjusted.metrics.npv, abs=0.005)
    assert values["SUMMARY!C5"] == pytest.approx(result.unadjusted.metrics.npv, abs=0.005)
    assert values["CHECKS!B3"] == "the workbook agrees with the engine"


@pytest.mark.parametrize("curve", ["logistic", "measured"])
def test_every_driver_recalculates_in_the_formulas_package(curve, tmp_path):
    """One year (the ``formulas`` package compiles every cell, about 4 ms each); the sample
    cases are recalculated by it in test_exports.py, longer horizons by LibreOffice below."""
    case = parse_case(every_driver(curve, horizon=1))
    assert_equal_to_the_engine(recompute(written(case, tmp_path)), evaluate(case))


def test_volume_growth_changed_in_the_workbook_moves_every_volume(tmp_path):
    """The first thing finance tried: volume growth from 0.1 to 0.5, and nothing moved."""
    data = every_driver(horizon=2)
    case = parse_case(data)
    workbook = written(case, tmp_path)
    set_input(workbook, case, "annual_volume_growth", 0.5)
    moved = evaluate(parse_case(changed_case(data, "annual_volume_growth", 0.5)))
    values = recompute(workbook)
    assert values["SUMMARY!C5"] == pytest.approx(moved.unadjusted.metrics.npv, abs=0.005)
    assert values["SUMMARY!C5"] != pytest.approx(evaluate(case).unadjusted.metrics.npv, abs=1)
    assert values["CHECKS!B3"].endswith("figure(s) differ from the engine")


def test_every_monthly_amount_and_the_adoption_are_formulas(tmp_path):
    case = parse_case(every_driver())
    book = openpyxl.load_workbook(written(case, tmp_path))
    monthly = book["Monthly"]
    for row in monthly.iter_rows(min_row=2, min_col=4, max_col=4 + len(evaluate(case).lines)):
        for cell in row:
            assert isinstance(cell.value, str) and cell.value.startswith("="), cell.coordinate
    assert "Workings" in book.sheetnames and "Checks" in book.sheetnames


def test_every_input_has_a_stable_name_pointing_at_its_value(tmp_path):
    case = parse_case(every_driver("measured"))
    book = openpyxl.load_workbook(written(case, tmp_path))
    names = book.defined_names
    for item in case_inputs(case):
        assert item.name in names, item.path
        sheet, ref = names[item.name].attr_text.split("!")
        cells = book[sheet.strip("'")][ref.replace("$", "")]
        if item.in_list:
            index = int(item.path.rsplit("[", 1)[1].rstrip("]"))
            assert cells[index][0].value == item.value
        else:
            assert cells.value == item.value, item.path
    assert (
        names["BENEFIT1_MINUTES_SAVED_PER_TASK"].attr_text
        == names[name_of("benefits[0].minutes_saved_per_task")].attr_text
    )
    assert "COST13_LICENCE_MODEL2_PRICE_PER_UNIT" in names  # the second model, "deep"
    assert "ADOPTION_OBSERVED" in names and "COST8_BY_YEAR" in names and "BENEFIT1_RISK" in names


def test_the_settings_the_layout_is_built_for_are_marked_fixed_not_inputs(tmp_path):
    """Discounting, currency, start and horizon are shown but cannot be changed in the file:
    the periods, discount factors and annual columns are laid out for them."""
    from roi.reports.workbook_style import INPUT_FILL

    case = parse_case(every_driver())
    book = openpyxl.load_workbook(written(case, tmp_path))
    sheet = book["Assumptions"]
    rows = {sheet.cell(row=r, column=1).value: r for r in range(1, sheet.max_row + 1)}
    for label, value in (("Discounting", "monthly"), ("Currency", "USD"),
                         ("Start", "2027-01"), ("Horizon (years)", 3)):  # fmt: skip
        cell = sheet.cell(row=rows[label], column=2)
        assert cell.value == value
        assert cell.fill.fgColor.rgb != INPUT_FILL.fgColor.rgb, label
        assert cell.font.italic, label
        assert "export again" in sheet.cell(row=rows[label], column=5).value
        assert f"Assumptions!$B${rows[label]}" not in {
            n.attr_text for n in book.defined_names.values()
        }, label
    rate = sheet.cell(row=rows["Discount rate (annual)"], column=2)
    assert rate.fill.fgColor.rgb == INPUT_FILL.fgColor.rgb  # the rate is an input


def test_the_sheets_read_on_paper_print_to_the_page_width(tmp_path):
    """Printed or saved as PDF, a row of Assumptions or Checks is never cut from its figures
    (LibreOffice split the Checks sheet's labels and figures onto separate pages)."""
    book = openpyxl.load_workbook(written(parse_case(every_driver()), tmp_path))
    for name in ("Summary", "Assumptions", "Annual", "Checks"):
        sheet = book[name]
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, name
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0), name
        assert sheet.page_setup.orientation == "landscape", name
    assert "A2:G2" in {str(r) for r in book["Assumptions"].merged_cells.ranges}


def test_checks_of_amounts_beyond_a_cents_precision_are_relative(tmp_path):
    """A trillion a month: a cent is below what two engines' sums of twelve months can agree
    on, so the tolerance is 10^-13 of the amount (methodology: the workbook as the model);
    small amounts keep the cent. Recalculated, the verdict still agrees."""
    case = parse_case({
        "name": "Very large", "start": "2027-01", "horizon_years": 1, "discount_rate": 0.08,
        "benefits": [{"name": "Large", "type": "explicit", "by_month": [1.234567e12] * 12}],
        "costs": [{"name": "Small", "type": "explicit", "by_month": [10.0] * 12}],
    })  # fmt: skip
    result = evaluate(case)
    path = written(case, tmp_path)
    checks = openpyxl.load_workbook(path)["Checks"]
    tolerance = {
        checks.cell(row=r, column=1).value: checks.cell(row=r, column=5).value
        for r in range(6, checks.max_row + 1)
    }
    total = float(result.unadjusted.line_amounts[0].sum())
    assert tolerance["Large · total (unadjusted)"] == pytest.approx(1e-13 * total)
    assert tolerance["Small · total (unadjusted)"] == 0.005
    assert tolerance["NPV (risk-adjusted)"] == pytest.approx(
        1e-13 * abs(result.risk_adjusted.metrics.npv)
    )
    assert tolerance["ROI (risk-adjusted)"] == pytest.approx(
        1e-13 * result.risk_adjusted.metrics.roi
    )  # a benefit 10^11 times its costs
    assert tolerance["Adoption · sum of the monthly shares"] == 1e-6
    assert recompute(path)["CHECKS!B3"] == "the workbook agrees with the engine"


def test_inputs_carry_their_units_and_validation(tmp_path):
    case = parse_case(every_driver())
    sheet = openpyxl.load_workbook(written(case, tmp_path))["Assumptions"]
    rows = {sheet.cell(row=r, column=6).value: r for r in range(1, sheet.max_row + 1)}

    def unit(path):
        return sheet.cell(row=rows[path], column=3).value

    assert unit("benefits[0].tasks_per_user_per_month") == "per month"
    assert unit("benefits[0].annual_cost_escalation") == "per year (fraction)"
    assert unit("benefits[0].productivity_recapture") == "fraction"
    assert unit("costs[8].provisioned.capacity_rps_per_instance") == "requests per second"
    assert unit("costs[8].serverless.memory_gb") == "GB"
    assert unit("costs[8].model") == "choice"
    assert unit("costs[4].follow_adoption") == "yes/no"
    rules = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}
    recapture = f"B{rows['benefits[0].productivity_recapture']}"
    rule = next(dv for ref, dv in rules.items() if recapture in ref.split())
    assert (rule.type, rule.formula1, rule.formula2) == ("decimal", "0.0", "1.0")
    model = f"B{rows['costs[8].model']}"
    rule = next(dv for ref, dv in rules.items() if model in ref.split())
    assert rule.type == "list" and rule.formula1 == '"serverless,provisioned,cheapest"'
    seats = f"B{rows['costs[3].seats']}"  # a whole number beyond Excel's whole rule
    rule = next(dv for ref, dv in rules.items() if seats in ref.split())
    assert rule.type == "custom" and f"{seats}=INT({seats})" in rule.formula1
    utilisation = f"B{rows['costs[8].provisioned.target_utilization']}"  # above 0, at most 1
    rule = next(dv for ref, dv in rules.items() if utilisation in ref.split())
    assert rule.formula1 == f"AND(ISNUMBER({utilisation}),{utilisation}>0.0,{utilisation}<=1.0)"
    budget = f"B{rows['costs[12].overage_budget_per_month']}"  # an optional field
    rule = next(dv for ref, dv in rules.items() if budget in ref.split())
    assert (rule.operator, rule.formula1) == ("between", "0.0")
    start = f"B{rows['costs[2].start_month']}"  # inside the horizon of 3 years
    rule = next(dv for ref, dv in rules.items() if start in ref.split())
    assert (rule.type, rule.formula1, rule.formula2) == ("whole", "1.0", "36.0")


# One input of each driver and option, changed in the workbook, against the engine with it.
CHANGES = [
    ("annual_volume_growth", 0.5), ("adoption.ceiling", 0.55), ("adoption.midpoint_month", 3.0),
    ("benefits[0].minutes_saved_per_task", 9.0), ("benefits[1].churn_reduction", 0.03),
    ("benefits[2].conversion_lift", 0.03), ("benefits[3].annual_escalation", 0.2),
    ("benefits[4].by_year[1]", 50000.0), ("costs[1].spread_over_months", 8),
    ("costs[2].start_month", 6), ("costs[3].seats", 150), ("costs[4].follow_adoption", False),
    ("costs[5].cost_per_new_user", 400.0), ("costs[6].fte", 3.0),
    ("costs[8].model", "serverless"), ("costs[8].provisioned.min_instances", 4),
    ("costs[9].requests_per_user_per_month", 50000.0), ("costs[8].cache_hit_rate", 0.6),
    ("costs[8].provisioned.commitment_discount", 0.5), ("benefits[4].by_month[1]", 9000.0),
    ("costs[11].licence.included_units_per_seat", 500.0),
    ("costs[12].overage_budget_per_month", 50.0),
    ("costs[10].serverless.price_per_million_input_tokens", 3.0),
    ("costs[11].usage_per_active_user_per_month", 4000.0),
    ("costs[12].licence.allowance", "pooled"), ("costs[12].usage_sd_across_users", 60.0),
    ("costs[12].licence.models[fast].price_per_unit", 0.9),
]  # fmt: skip


# Inputs of the other curves: (curve, path, value).
CURVE_CHANGES = [
    ("linear", "adoption.months_to_ceiling", 4), ("steps", "adoption.shares_by_year[1]", 0.9),
    ("measured", "adoption.observed[2]", 0.5), ("measured", "adoption.first_observed_month", 2),
]  # fmt: skip


def changed_case(data: dict, path: str, value) -> dict:
    """``data`` with the input at ``path`` (``models[fast]`` names a licence model) set."""
    out = copy.deepcopy(data)
    parts = path.replace("]", "").replace("[", ".").split(".")
    owner = out
    for part in parts[:-1]:
        owner = owner[int(part)] if part.isdigit() else owner[part]
    last = parts[-1]
    if last.isdigit():
        owner[int(last)] = value
    else:
        owner[last] = value
    return out


def set_input(path: Path, case, case_path: str, value) -> None:
    """Write ``value`` into the Assumptions cell of the input at ``case_path``."""
    book = openpyxl.load_workbook(path)
    sheet = book["Assumptions"]
    workbook_path = case_path.replace("models[fast]", "models[1]")
    for r in range(1, sheet.max_row + 1):
        if sheet.cell(row=r, column=6).value == workbook_path:
            sheet.cell(row=r, column=2).value = value
            break
    else:
        raise AssertionError(f"{case_path} is not on the Assumptions sheet")
    book.save(path)


# --- Generated cases ------------------------------------------------------------------------


@st.composite
def generated_cases(draw) -> dict:
    """A case of every driver with its numbers drawn (bounded), and a drawn curve."""
    data = every_driver(draw(st.sampled_from(list(CURVES))), draw(st.integers(1, 4)))
    data["discount_rate"] = draw(st.floats(0, 0.3))
    data["annual_volume_growth"] = draw(st.floats(-0.5, 1.0))
    data["discounting"] = draw(st.sampled_from(["monthly", "year_end"]))
    for item in data["benefits"] + data["costs"]:
        for key, value in list(item.items()):
            if key in ("risk",):
                item[key] = draw(st.floats(0, 0.9))
            elif (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and key.endswith(("cost", "amount", "price", "_value"))
            ):
                item[key] = draw(st.floats(0, 10 * value + 1))
        if item["type"] in ("per_seat", "usage_licence"):
            item["follow_adoption"] = draw(st.booleans())
            item["seats"] = draw(st.integers(0, 500))
        if item["type"] == "usage_licence":
            item["usage_per_active_user_per_month"] = draw(st.floats(1, 5000))
            item["usage_sd_across_users"] = draw(st.floats(0, 3000))
            item["licence"] = {
                **item["licence"],
                "allowance": draw(st.sampled_from(["pooled", "per_user"])),
            }
        if item["type"] == "infrastructure":
            if item.get("requests_per_month") is not None:
                item["requests_per_month"] = draw(st.floats(0, 5e7))
            item["cache_hit_rate"] = draw(st.floats(0, 1))
    for item in data["costs"]:
        if item.get("spread_over_months"):
            item["spread_over_months"] = draw(st.integers(0, 12 * data["horizon_years"]))
    return data


# --- LibreOffice ----------------------------------------------------------------------------


def libreoffice_sheets(paths: list[Path], folder: Path) -> dict[str, dict[str, list[list[str]]]]:
    """LibreOffice headless recalculates each workbook (they hold no cached values) and
    writes every sheet as CSV, values unformatted; each workbook's rows by sheet."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (libreoffice-calc-nogui) is needed; CI installs it"
    out = folder / "out"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{folder}/profile", "--headless", "--calc",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,false,"
         "false,false,-1", "--outdir", str(out), *map(str, paths)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    sheets: dict[str, dict[str, list[list[str]]]] = {}
    for path in paths:
        sheets[path.stem] = {}
        for sheet in ("Checks", "Summary", "Monthly"):
            with (out / f"{path.stem}-{sheet}.csv").open(encoding="utf-8") as handle:
                sheets[path.stem][sheet] = list(csv.reader(handle))
    return sheets


def number(text: str) -> float:
    """A value as LibreOffice writes it unformatted: full precision, a share with its %."""
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


def by_label(rows: list[list[str]]) -> dict[str, list[str]]:
    return {r[0]: r for r in rows if r}


def assert_libreoffice_equals_the_engine(sheets: dict[str, list[list[str]]], result) -> None:
    """The Monthly sheet month by month, both NPVs and the Checks verdict."""
    monthly = sheets["Monthly"]
    amounts = result.unadjusted.line_amounts
    for k in range(result.timeline.periods):
        row = monthly[1 + k]
        assert number(row[3]) == pytest.approx(result.adoption[k], abs=1e-12), k
        for i in range(len(result.lines)):
            assert number(row[4 + i]) == pytest.approx(amounts[i, k], abs=0.005), (
                result.lines[i].name, k)  # fmt: skip
    summary = by_label(sheets["Summary"])
    assert number(summary["NPV"][1]) == pytest.approx(result.risk_adjusted.metrics.npv, abs=0.005)
    assert number(summary["NPV"][2]) == pytest.approx(result.unadjusted.metrics.npv, abs=0.005)
    assert by_label(sheets["Checks"])["Verdict"][1] == "the workbook agrees with the engine"


@pytest.mark.slow
def test_libreoffice_recalculates_every_driver_under_every_curve_month_by_month(tmp_path):
    cases = {f"curve-{curve}": parse_case(every_driver(curve)) for curve in CURVES}
    cases["steps-beyond-its-years"] = parse_case(every_driver("steps", horizon=4))
    year_end = every_driver("logistic")
    year_end["discounting"] = "year_end"
    cases["year-end"] = parse_case(year_end)
    paths = [written(case, tmp_path, stem) for stem, case in cases.items()]
    sheets = libreoffice_sheets(paths, tmp_path)
    for stem, case in cases.items():
        assert_libreoffice_equals_the_engine(sheets[stem], evaluate(case))


@pytest.mark.slow
def test_libreoffice_recalculates_every_sample_case_to_the_engine(tmp_path):
    """The bundled cases, one LibreOffice run: month by month, both NPVs and the Checks
    sheet's verdict (every line's total and present value, ROI, IRR and paybacks)."""
    cases = {path.stem: load_case(path) for path in CASES}
    paths = [written(case, tmp_path, stem) for stem, case in cases.items()]
    sheets = libreoffice_sheets(paths, tmp_path)
    for stem, case in cases.items():
        assert_libreoffice_equals_the_engine(sheets[stem], evaluate(case))


@pytest.mark.slow
def test_libreoffice_follows_a_change_of_one_input_of_each_driver(tmp_path):
    """Each input of CHANGES written into its Assumptions cell, the workbook recalculated by
    LibreOffice, against ``evaluate`` of the case with that value."""
    paths, moved = [], {}
    changes = [("logistic", path, value) for path, value in CHANGES] + CURVE_CHANGES
    for k, (curve, path, value) in enumerate(changes):
        data = every_driver(curve)
        case = parse_case(data)
        workbook = written(case, tmp_path, f"change-{k}")
        set_input(workbook, case, path, value)
        paths.append(workbook)
        result = evaluate(parse_case(changed_case(data, path, value)))
        before = evaluate(case).unadjusted.metrics.npv
        assert abs(result.unadjusted.metrics.npv - before) > 0.01, f"{path} moves nothing"
        moved[workbook.stem] = (path, result)
    sheets = libreoffice_sheets(paths, tmp_path)
    for stem, (path, result) in moved.items():
        summary = by_label(sheets[stem]["Summary"])
        for column, view in ((1, result.risk_adjusted), (2, result.unadjusted)):
            assert number(summary["NPV"][column]) == pytest.approx(view.metrics.npv, abs=0.005), (
                path)  # fmt: skip


@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=generated_cases())
@pytest.mark.slow
def test_generated_cases_recalculate_in_libreoffice_to_the_engine(data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated")
    case = parse_case(data)
    sheets = libreoffice_sheets([written(case, folder, "generated")], folder)
    assert_libreoffice_equals_the_engine(sheets["generated"], evaluate(case))


def test_the_scenario_on_screen_is_the_workbooks_inputs(tmp_path):
    """The explorer exports the case with its levers applied: the workbook opens on the
    levers' values as its inputs and on the screen's figures."""
    from dataclasses import replace

    from roi.core.scenario import apply_levers, levers_of

    case = load_case(ROOT / "sample_data" / "cases" / "support_draft_replies.yaml")
    levers = replace(levers_of(case), adoption_ceiling=0.42, discount_rate=0.14,
                     minutes_saved_scale=1.5, risk_points=0.05)  # fmt: skip
    scenario = apply_levers(case, levers)
    path = written(scenario, tmp_path)
    book = openpyxl.load_workbook(path)
    sheet, ref = book.defined_names["ADOPTION_CEILING"].attr_text.split("!")
    assert book[sheet.strip("'")][ref.replace("$", "")].value == 0.42
    sheet, ref = book.defined_names["DISCOUNT_RATE"].attr_text.split("!")
    assert book[sheet.strip("'")][ref.replace("$", "")].value == 0.14
    result = evaluate(scenario)
    assert_equal_to_the_engine(recompute(path), result)
