"""Adoption telemetry (issue 7): format detection, importers, data quality, metrics as ratios
of sums, the S-curve forecast and `python -m roi adoption`."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from roi.adoption.forecast import fit_logistic, forecast_team
from roi.adoption.report import analyse, report_to_dict
from roi.adoption.telemetry import EMPTY_TEAM_NOTE, TelemetryError, read_telemetry
from roi.adoption.usage import cohorts, idle_licences, series, summarise, with_eligible
from roi.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_data" / "adoption"
DATA = Path(__file__).parents[1] / "data" / "telemetry"


def read(path: Path, **options):
    return read_telemetry(path.read_bytes(), path.name, **options)


# --- detection ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (SAMPLES / "github_copilot_metrics.json", "github_copilot_metrics"),
        (SAMPLES / "github_copilot_usage.json", "github_copilot_usage"),
        (SAMPLES / "m365_copilot_usage.csv", "m365_copilot_usage"),
        (SAMPLES / "adoption.csv", "adoption_csv"),
        (DATA / "github_metrics_one_day.json", "github_copilot_metrics"),
        (DATA / "github_usage_two_days.json", "github_copilot_usage"),
        (DATA / "m365_concealed_names.csv", "m365_copilot_usage"),
    ],
)
def test_the_format_is_detected(path, expected):
    assert read(path).format == expected


# file, where, message (substring): every problem of each rejected file.
REJECTED = [
    ("unknown.json", "", "not a known adoption export: expected GitHub's Copilot metrics"),
    ("unknown.csv", "line 1", "the header has station, timestamp"),
    ("github_metrics_not_found.json", "", "is GitHub's error response ('Not Found')"),
    ("github_metrics_truncated.json", "line 174, column 7", "not valid JSON"),
    ("github_metrics_missing_date.json", "[1].date", "is missing"),
    ("github_metrics_bad_counts.json",
     "[0].copilot_ide_code_completions.editors[0].models[0].languages[0].total_code_suggestions",
     "must be a whole number from 0 to 1e15, got -42"),
    ("github_metrics_bad_counts.json", "[0].copilot_ide_chat.editors[0].models[0].total_chats",
     "must be a whole number from 0 to 1e15, got '54'"),
    ("m365_missing_columns.csv", "line 1", "missing column 'Last Activity Date'"),
    ("m365_bad_date.csv", "line 5, column Word Copilot Last Activity Date",
     "must be a date written YYYY-MM-DD or blank, got '2026-02-30'"),
    ("adoption_bad_date.csv", "line 3, column date",
     "must be a date written YYYY-MM-DD, got '2026-13-02'"),
    ("adoption_active_above_eligible.csv", "line 3, column active_users",
     "must not exceed eligible_users (20), got '23'"),
    ("adoption_active_above_eligible.csv", "line 3, column active_users",
     "must not exceed licensed_users (18), got '23'"),
]  # fmt: skip


@pytest.mark.parametrize("name", sorted({row[0] for row in REJECTED}))
def test_rejected_exports_name_every_problem(name):
    expected = [(where, message) for file, where, message in REJECTED if file == name]
    with pytest.raises(TelemetryError) as caught:
        read(DATA / name)
    found = caught.value.problems
    assert len(found) == len(expected), [str(p) for p in found]
    for (where, message), problem in zip(expected, found, strict=True):
        assert problem.where == where and message in problem.message, str(problem)


def test_every_test_file_is_used():
    used = {row[0] for row in REJECTED} | {
        "github_metrics_one_day.json", "github_usage_two_days.json", "m365_concealed_names.csv",
        "github_metrics_team_empty.json", "adoption_missing_column.csv",
    }  # fmt: skip
    assert {p.name for p in DATA.iterdir() if p.is_file()} == used


def test_a_missing_canonical_column_is_named(tmp_path):
    bad = tmp_path / "a.csv"
    bad.write_text("date,team,active_users\n2026-01-05,support,3\n", encoding="utf-8")
    with pytest.raises(TelemetryError, match="missing column\\(s\\) eligible_users"):
        read(bad)


def test_an_empty_team_export_says_why_instead_of_showing_zero():
    telemetry = read(DATA / "github_metrics_team_empty.json")
    assert telemetry.daily.empty and telemetry.note == EMPTY_TEAM_NOTE
    report = report_to_dict(analyse(telemetry))
    assert report["summary"]["active_users_latest"] is None
    assert report["forecast"] is None and "holds no day" in report["forecast_note"]


# --- GitHub Copilot metrics -------------------------------------------------------------


def github_day(date: str, active: int, engaged: int, languages, chats: int = 0) -> dict:
    return {
        "date": date,
        "total_active_users": active,
        "total_engaged_users": engaged,
        "copilot_ide_code_completions": {
            "total_engaged_users": engaged,
            "editors": [{"name": "vscode", "total_engaged_users": engaged, "models": [
                {"name": "default", "total_engaged_users": engaged, "languages": [
                    {"name": name, "total_engaged_users": 1, "total_code_suggestions": s,
                     "total_code_acceptances": a, "total_code_lines_suggested": ls,
                     "total_code_lines_accepted": la}
                    for name, (s, a, ls, la) in languages.items()
                ]}]}],
        },
        "copilot_ide_chat": {"total_engaged_users": 1, "editors": [
            {"name": "vscode", "total_engaged_users": 1,
             "models": [{"name": "default", "total_chats": chats}]}]},
    }  # fmt: skip


def test_github_totals_sum_every_language_and_rates_are_ratios_of_sums():
    days = [
        github_day("2026-03-02", 10, 8, {"python": (100, 40, 200, 60), "go": (50, 5, 80, 8)}, 7),
        github_day("2026-03-03", 12, 9, {"python": (10, 9, 20, 18)}, 3),
    ]
    telemetry = read_telemetry(json.dumps(days).encode(), "m.json", team="platform")
    daily = telemetry.daily
    assert list(daily["team"]) == ["platform", "platform"]
    assert list(daily["suggestions"]) == [150, 10] and list(daily["acceptances"]) == [45, 9]
    assert list(daily["actions"]) == [45 + 7, 9 + 3]  # acceptances + chats
    summary = summarise(daily)
    assert summary.acceptance_rate == pytest.approx(54 / 160)  # not (0.3 + 0.9) / 2
    assert summary.lines_acceptance_rate == pytest.approx(86 / 300)
    assert summary.active_users_latest == 12 and summary.adoption_rate_latest is None
    assert summary.engaged_share == pytest.approx(17 / 22)
    assert summary.intensity == pytest.approx((52 + 12) / 22)
    eligible = summarise(with_eligible(telemetry, 20))
    assert eligible.adoption_rate_latest == pytest.approx(12 / 20)


def test_github_data_quality_is_listed_and_figures_kept_as_reported():
    broken = github_day("2026-03-04", 10, 4, {"python": (0, 12, 0, 30)})
    broken["copilot_ide_code_completions"]["total_engaged_users"] = 6  # more than the day's 4
    days = [
        github_day("2026-03-01", 10, 8, {"python": (10, 2, 10, 2)}),
        github_day("2026-03-02", 10, 8, {"python": (10, 2, 10, 2)}),
        broken,
    ]
    telemetry = read_telemetry(json.dumps(days).encode(), "m.json")
    assert telemetry.daily["acceptances"].tolist() == [2, 2, 12]  # nothing dropped or corrected
    notes = [str(n) for n in telemetry.data_quality]
    assert any("2026-03-04 copilot_ide_code_completions.total_engaged_users: the breakdown"
               " does not add up: 6 engaged users" in n for n in notes)  # fmt: skip
    assert any("12 acceptances but 0 suggestions" in n for n in notes)
    assert any("2026-03-03 team all: 1 day(s) missing" in n for n in notes)


def test_the_samples_deliberate_problems_are_reported():
    notes = [str(n) for n in read(SAMPLES / "github_copilot_metrics.json").data_quality]
    assert any("acceptances but 0 suggestions" in n for n in notes)
    assert any("does not add up" in n for n in notes)


def test_usage_api_breakdowns_that_do_not_add_up_are_noted():
    days = json.loads((DATA / "github_usage_two_days.json").read_text(encoding="utf-8"))
    assert not read_telemetry(json.dumps(days).encode(), "u.json").data_quality
    days[0]["breakdown"][0]["suggestions_count"] += 5
    notes = read_telemetry(json.dumps(days).encode(), "u.json").data_quality
    assert len(notes) == 1 and "the breakdown does not add up" in notes[0].message


# --- Microsoft 365 ----------------------------------------------------------------------


M365 = (
    "Report Refresh Date,User Principal Name,Display Name,Last Activity Date,"
    "Word Copilot Last Activity Date,Report Period\n"
    "2026-10-31,a@x.com,A,2026-10-30,2026-10-30,30\n"
    "2026-10-31,b@x.com,B,2026-10-02,,30\n"
    "2026-10-31,c@x.com,C,2026-10-01,,30\n"
    "2026-10-31,d@x.com,D,,,30\n"
)


def test_m365_active_users_idle_licences_and_their_cost():
    telemetry = read_telemetry(M365.encode(), "m365.csv")
    (row,) = telemetry.daily.to_dict("records")
    # Active in the 30 days up to 2026-10-31 means on or after 2026-10-02.
    assert (row["licensed_users"], row["active_users"]) == (4, 2)
    idle = idle_licences(telemetry, 30.0)
    assert (idle.licensed, idle.idle, idle.monthly_cost) == (4, 2, 60.0)
    assert idle.users == ("c@x.com", "d@x.com")
    assert summarise(telemetry.daily).adoption_rate_latest == pytest.approx(2 / 4)  # licensed


def test_cohorts_need_two_reports_and_count_each_flow():
    first = M365
    second = M365.replace("2026-10-31", "2026-11-30").replace(
        "2026-10-30,2026-10-30", "2026-11-29,"
    )
    second = second.replace("c@x.com,C,2026-10-01", "c@x.com,C,2026-11-20")
    assert cohorts(read_telemetry(first.encode(), "m.csv")) is None
    both = first + "\n".join(second.splitlines()[1:]) + "\n"
    flows = cohorts(read_telemetry(both.encode(), "m.csv"))
    assert [(f.active, f.new, f.retained, f.reactivated, f.lapsed) for f in flows] == [
        (2, 2, 0, 0, 0),  # a, b
        (2, 1, 1, 0, 1),  # a retained, c new, b lapsed
    ]


# --- canonical CSV and series -----------------------------------------------------------


def test_series_ratios_are_ratios_of_sums_by_team_and_overall():
    csv = (
        "date,team,eligible_users,active_users,engaged_users,actions\n"
        "2026-01-05,a,10,1,1,2\n2026-01-06,a,10,9,3,18\n"
        "2026-01-05,b,100,50,10,100\n2026-01-06,b,100,50,20,100\n"
    )
    monthly = series(read_telemetry(csv.encode(), "a.csv").daily, "month")
    by_team = monthly.set_index("team")
    assert by_team.loc["a", "adoption_rate"] == pytest.approx(10 / 20)
    assert by_team.loc["(all teams)", "adoption_rate"] == pytest.approx(110 / 220)  # not mean
    assert by_team.loc["(all teams)", "engaged_share"] == pytest.approx(34 / 110)
    assert by_team.loc["b", "intensity"] == pytest.approx(2.0)
    assert by_team.loc["a", "days"] == 2 and by_team.loc["a", "adoption_basis"] == "eligible"
    weekly = series(read_telemetry(csv.encode(), "a.csv").daily, "week")
    assert weekly["period"].dt.day_of_week.eq(0).all()


# --- forecast ---------------------------------------------------------------------------


def test_logistic_fit_recovers_a_known_curve_and_the_target_month():
    months = np.arange(18.0)
    share = 0.8 / (1 + np.exp(-0.6 * (months - 7)))
    fit = fit_logistic(months, share)
    assert (fit.ceiling.estimate, fit.midpoint.estimate, fit.growth.estimate) == pytest.approx(
        (0.8, 7.0, 0.6), rel=1e-6
    )
    # share(t) = 0.6 at t = 7 − ln(0.8/0.6 − 1)/0.6 = 7 + ln 3 / 0.6 ≈ 8.83
    assert fit.month_reaching(0.6) == pytest.approx(7 + math.log(3) / 0.6, rel=1e-6)
    assert fit.month_reaching(0.8) is None


def test_the_band_covers_the_truth_and_the_holt_cross_check_agrees():
    rng = np.random.default_rng(3)
    months = pd.Series(pd.date_range("2025-01-01", periods=20, freq="MS"))
    truth = 0.7 / (1 + np.exp(-0.5 * (np.arange(20) - 8)))
    forecast = forecast_team("t", months, pd.Series(truth + rng.normal(0, 0.01, 20)), 0.6)
    fit = forecast.fit
    assert fit.ceiling.low < 0.7 < fit.ceiling.high and fit.midpoint.low < 8 < fit.midpoint.high
    assert all(
        lo <= f <= hi
        for lo, f, hi in zip(forecast.band_low, forecast.fitted, forecast.band_high, strict=True)
    )
    # 0.6 is reached at t ≈ 11.5: month 11 (December 2025) is still below it, month 12
    # (January 2026) is the first whole month at or above it.
    assert forecast.target_month == "2026-01"
    assert (
        forecast.fit.share(np.array([11.0, 12.0])).tolist()[0]
        < 0.6
        <= forecast.fit.share(np.array([12.0]))[0]
    )
    assert abs(forecast.holt[0] - forecast.fitted[20]) < 0.05


def test_too_few_periods_give_no_forecast_with_the_reason():
    report = report_to_dict(analyse(read(DATA / "github_metrics_one_day.json"), eligible_users=60))
    assert report["forecast"] is None
    assert report["forecast_note"].startswith("no forecast: 1 month(s) of data")


def test_the_sample_adoption_file_forecasts_every_team():
    report = report_to_dict(analyse(read(SAMPLES / "adoption.csv")))
    teams = {item["team"] for item in report["forecast"]}
    assert teams == {"(all teams)", "engineering", "finance", "sales", "support"}
    for item in report["forecast"]:
        assert 0 < item["ceiling"]["estimate"] <= 1
        assert item["target_month"] or item["target_note"]


# --- command line -----------------------------------------------------------------------


def test_adoption_json_has_the_documented_keys(capsys):
    path = SAMPLES / "github_copilot_metrics.json"
    assert main(["adoption", str(path), "--json", "--eligible", "150"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "github_copilot_metrics"
    for key in ("acceptance_rate", "suggestions", "acceptances", "lines_suggested",
                "lines_accepted", "active_users_latest", "adoption_rate_latest"):  # fmt: skip
        assert key in data["summary"]
    assert {"series", "data_quality", "forecast", "forecast_note"} <= data.keys()
    assert data["series"][0]["team"] == "all"
    assert data["data_quality"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "80"], "argument --target: must be a share between 0 and 1"),
        (["--eligible", "-1"], "argument --eligible: must be an amount from 0 to 1e15"),
        (["--period", "year"], "argument --period: invalid choice"),
    ],
)
def test_adoption_bad_options_exit_2(capsys, args, message):
    with pytest.raises(SystemExit) as exit_:
        main(["adoption", str(SAMPLES / "adoption.csv"), *args])
    assert exit_.value.code == 2 and message in capsys.readouterr().err


def test_adoption_bad_files_exit_2_without_a_traceback(capsys):
    assert main(["adoption", str(DATA / "unknown.json")]) == 2
    err = capsys.readouterr().err
    assert "not a known adoption export" in err and "Traceback" not in err
    assert main(["adoption", str(SAMPLES / "github_copilot_metrics.json"), "--eligible", "5"]) == 2
    assert "fewer than the" in capsys.readouterr().err


# --- a measured adoption curve in a business case ---------------------------------------


def support_forecast():
    report = analyse(read(SAMPLES / "adoption.csv"))
    return next(item for item in report.forecasts if item.team == "support")


def test_a_measured_curve_uses_observations_then_the_fitted_curve():
    from roi.adoption.forecast import measured_adoption

    forecast = support_forecast()
    # The telemetry starts 2025-07; a case starting 2025-09 sees observations from month 1
    # (September) on, and the fitted curve after the last observed month.
    curve = measured_adoption(forecast, "2025-09", "adoption.csv, team support")
    assert curve.first_observed_month == -1  # July is case month -1, August month 0
    shares = curve.shares(36)
    observed = forecast.observed
    assert shares[0] == pytest.approx(observed[2]) and shares[13] == pytest.approx(observed[15])
    months_observed = len(observed) - 2
    fitted = forecast.fit.share(np.arange(40.0) + 2)  # case month m is telemetry month m + 1
    assert shares[months_observed:] == pytest.approx(fitted[months_observed:36])


def test_a_case_takes_the_measured_curve_and_keeps_its_tier():
    from roi import evaluate, load_case
    from roi.adoption.forecast import measured_adoption, with_adoption
    from roi.core.casefile import dump_case, load_case_text

    case = load_case(ROOT / "sample_data" / "cases" / "support_draft_replies.yaml")
    curve = measured_adoption(support_forecast(), case.start, "adoption.csv, team support")
    measured = with_adoption(case, curve)
    assert measured.adoption.curve == "measured" and measured.adoption.source
    again = load_case_text(dump_case(measured).encode(), "case.yaml")  # survives a round trip
    assert again.adoption == measured.adoption
    assert evaluate(measured).risk_adjusted.metrics.npv != evaluate(case).risk_adjusted.metrics.npv


def test_scenario_levers_move_only_the_forecast_part_of_a_measured_curve():
    from dataclasses import replace

    from roi import load_case
    from roi.adoption.forecast import measured_adoption, with_adoption
    from roi.core.scenario import apply_levers, levers_of

    case = load_case(ROOT / "sample_data" / "cases" / "support_draft_replies.yaml")
    curve = measured_adoption(support_forecast(), "2026-06", "adoption.csv, team support")
    measured = with_adoption(case.model_copy(update={"start": "2026-06"}), curve)
    plan = levers_of(measured)
    assert plan.adoption_ceiling == pytest.approx(curve.ceiling)
    lower = apply_levers(measured, replace(plan, adoption_ceiling=0.5))
    before, after = measured.adoption.shares(36), lower.adoption.shares(36)
    observed_months = curve.first_observed_month + len(curve.observed) - 1
    assert after[:observed_months] == pytest.approx(before[:observed_months])
    assert after[-1] == pytest.approx(0.5, abs=0.01)


def test_observations_past_the_horizon_are_refused():
    from roi.core.casefile import parse_case
    from roi.io.problems import CaseError

    data = {
        "name": "x", "start": "2027-01", "horizon_years": 1,
        "adoption": {"curve": "measured", "observed": [0.1] * 13, "ceiling": 0.8,
                     "midpoint_month": 3, "steepness": 0.5, "source": "test"},
        "benefits": [{"type": "explicit", "name": "b", "by_year": [1000]}],
    }  # fmt: skip
    with pytest.raises(CaseError, match=r"adoption\.observed: runs to month 13"):
        parse_case(data, "case.yaml")


@pytest.mark.parametrize(
    ("share", "reason"),
    [
        (np.linspace(0.6, 0.1, 12), "does not follow an S-curve"),  # falling
        (np.full(12, 0.4), "does not follow an S-curve"),  # flat
    ],
)
def test_series_that_are_no_s_curve_get_no_forecast(share, reason):
    months = pd.Series(pd.date_range("2025-01-01", periods=share.size, freq="MS"))
    forecast = forecast_team("t", months, pd.Series(share), 0.3)
    assert forecast.fit is None and reason in forecast.note and forecast.target_month is None


def test_ratios_use_only_rows_that_have_both_figures():
    """A team that does not report a figure drops out of that ratio instead of diluting it."""
    csv = (
        "date,team,eligible_users,active_users,engaged_users,monthly_active_users\n"
        "2026-01-05,a,100,10,10,50\n"
        "2026-01-05,b,100,30,,\n"
    )
    daily = read_telemetry(csv.encode(), "a.csv").daily
    overall = series(daily, "month").set_index("team").loc["(all teams)"]
    assert overall["engaged_share"] == pytest.approx(10 / 10)
    assert overall["stickiness"] == pytest.approx(10 / 50)
    # adoption: a's monthly active 50 and b's active 30 over 200 eligible
    assert overall["adoption_rate"] == pytest.approx((50 + 30) / 200)
    summary = summarise(daily)
    assert summary.engaged_share == pytest.approx(1.0) and summary.stickiness == pytest.approx(0.2)


def test_latest_figures_add_each_teams_own_last_day():
    csv = (
        "date,team,eligible_users,active_users\n"
        "2026-01-01,a,100,5\n2026-01-02,a,100,10\n2026-01-01,b,100,90\n"
    )
    summary = summarise(read_telemetry(csv.encode(), "a.csv").daily)
    assert summary.active_users_latest == 100 and summary.adoption_rate_latest == pytest.approx(0.5)


def test_json_exports_may_start_with_blank_lines_and_csv_headers_may_be_quoted():
    raw = b"\n\n" + (DATA / "github_metrics_one_day.json").read_bytes()
    assert read_telemetry(raw, "m.json").format == "github_copilot_metrics"
    quoted = b'"date","team","eligible_users","active_users"\n2026-01-05,a,10,3\n'
    assert read_telemetry(quoted, "q.csv").format == "adoption_csv"


def test_null_day_totals_are_missing_not_zero():
    day = github_day("2026-03-02", 10, 8, {"python": (10, 2, 10, 2)})
    day["total_active_users"] = None
    telemetry = read_telemetry(json.dumps([day]).encode(), "m.json")
    assert math.isnan(telemetry.daily["active_users"].iloc[0])
    assert not any("engaged users but" in n.message for n in telemetry.data_quality)
    assert summarise(telemetry.daily).engaged_share is None


def test_m365_uses_the_latest_app_date_and_the_reports_own_period():
    csv = (
        "Report Refresh Date,User Principal Name,Last Activity Date,"
        "Word Copilot Last Activity Date,Report Period\n"
        "2026-10-31,a@x.com,,2026-10-20,180\n"
        "2026-10-31,b@x.com,2026-06-01,,180\n"
    )
    telemetry = read_telemetry(csv.encode(), "m.csv")
    # Active users are counted over the report's own period, as Microsoft counts them (this
    # expectation was 1 under the old rule of 30 days whatever the period): the 180 days up
    # to 2026-10-31 start on 2026-10-31 - 179 days = 2026-05-05, so a (Word, 2026-10-20) and
    # b (2026-06-01) are both active.
    assert telemetry.daily["active_users"].iloc[0] == 2
    assert telemetry.labels["active_users"] == "active in the report's 180 days (D180)"
    assert "the latest app date is used" in telemetry.data_quality[0].message
    # Idle licences stay a 30-day rule (roi.adoption.usage): b, idle since June, is idle.
    assert idle_licences(telemetry, None).users == ("b@x.com",)


def test_monthly_active_above_eligible_is_refused(tmp_path):
    bad = tmp_path / "a.csv"
    bad.write_text(
        "date,team,eligible_users,active_users,monthly_active_users\n2026-01-05,a,10,5,50\n"
    )
    with pytest.raises(TelemetryError, match="must not exceed eligible_users"):
        read(bad)


def test_huge_numbers_are_refused_not_crashed_on(capsys):
    day = github_day("2026-03-02", 10, 8, {"python": (10**400, 2, 10, 2)})
    with pytest.raises(TelemetryError, match="from 0 to 1e15, got a number above 1e15"):
        read_telemetry(json.dumps([day]).encode(), "m.json")
    m365 = SAMPLES / "m365_copilot_usage.csv"
    with pytest.raises(SystemExit):
        main(["adoption", str(m365), "--licence-price", "1e308"])
    assert "from 0 to 1e15" in capsys.readouterr().err
