"""Issue 24: usage per person and period from the per-user telemetry the Adoption page
reads: GitHub's per-user usage metrics report (its documentation's mock, in
tests/data/telemetry), a Viva Insights person query (the vivainsights package's sample),
refused for Microsoft 365's user detail report with the reason; people an export does not
list in a period it covers are read as periods without use, and counted."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from roi.adoption.telemetry import read_telemetry
from roi.cli import main
from roi.impact.files import ImpactFileError, read_outcomes
from roi.impact.panel import join
from roi.impact.report import impact_report
from roi.impact.telemetry import usage_from_telemetry

TELEMETRY = Path(__file__).parents[1] / "data" / "telemetry"
GITHUB = TELEMETRY / "github_usage_metrics" / "gh_org_users_28day__viewer_mock.json"
VIVA = TELEMETRY / "viva" / "viva_pq_data_3_orgs_2_weeks.csv"
M365 = TELEMETRY / "m365" / "m365_user_detail_v1__graph_docs_example.csv"


def exported(path: Path):
    return read_telemetry(path.read_bytes(), path.name)


def test_github_per_user_days_become_active_days_per_iso_week():
    """Distinct days with a record per login and ISO week; every login in every week the
    report covers (29 March to 25 April 2026: the weeks of 23 March to 20 April)."""
    read = usage_from_telemetry(exported(GITHUB))
    usage = read.usage
    assert usage["person"].nunique() == 8 and usage["period"].nunique() == 5
    assert len(usage) == 8 * 5  # zero-filled
    days = exported(GITHUB).user_days
    alice = days[(days["user"] == "alicechen") & days["active"]]
    week = pd.Timestamp("2026-03-30")
    expected = alice[(alice["date"] >= week) & (alice["date"] < week + pd.Timedelta(days=7))]
    row = usage[(usage["person"] == "alicechen") & (usage["period"] == week)].iloc[0]
    assert row["active_days"] == expected["date"].nunique() == 5
    assert (usage["active_days"] <= 7).all()
    assert read.covered == (pd.Timestamp("2026-03-23"), pd.Timestamp("2026-04-20"))
    assert any("covered in part" in note for note in read.notes)


def test_viva_weeks_start_on_sunday_and_are_read_as_the_iso_week_of_their_monday():
    read = usage_from_telemetry(exported(VIVA))
    assert sorted(read.usage["period"].unique()) == [pd.Timestamp("2024-04-01"),
                                                     pd.Timestamp("2024-04-08")]  # fmt: skip
    raw = pd.read_csv(VIVA)
    first = raw.iloc[0]
    row = read.usage[(read.usage["person"] == first["PersonId"].lower())
                     & (read.usage["period"] == pd.Timestamp(first["MetricDate"])
                        + pd.Timedelta(days=1))].iloc[0]  # fmt: skip
    assert row["active_days"] == first["Total_Copilot_active_days"]
    assert any("start on Sunday" in note for note in read.notes)


def test_the_m365_user_detail_report_is_refused_with_the_reason():
    with pytest.raises(ImpactFileError, match="last activity date, not active days per period"):
        usage_from_telemetry(exported(M365))


def outcomes_for(people: list[str]) -> bytes:
    weeks = ["2026-W13", "2026-W14", "2026-W15", "2026-W16", "2026-W17"]
    rows = [f"{p},{w},prs,{k % 4}" for k, p in enumerate(people) for w in weeks]
    return ("person_id,period,metric,value\n" + "\n".join(rows) + "\n").encode()


def test_people_the_export_does_not_list_are_non_users_and_counted(tmp_path, capsys):
    logins = sorted(exported(GITHUB).user_days["user"].unique())
    others = [f"dev{k}" for k in range(6)]
    (tmp_path / "outcomes.csv").write_bytes(outcomes_for([*logins, *others]))
    read = usage_from_telemetry(exported(GITHUB))
    outcomes = read_outcomes((tmp_path / "outcomes.csv").read_bytes(), "outcomes.csv")
    panel = join(read.usage, outcomes, covered=read.covered)
    assert panel.read_as_non_users == 6 * 5 and panel.unmatched_outcomes == 0
    assert set(panel.rows.loc[panel.rows["person"].isin(others), "tier"]) == {"non-user"}
    report = impact_report(panel, {}, source_notes=read.notes)
    assert any("30 person-periods" in note for note in report.notes)
    code = main(["impact", "--telemetry", str(GITHUB), "--outcomes",
                 str(tmp_path / "outcomes.csv"), "--json"])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["people"] == 14 and out["read_as_non_users"] == 30
    assert out["unmatched"] == {"usage": 0, "outcomes": 0}
    code = main(["impact", "--telemetry", str(M365), "--outcomes", str(tmp_path / "outcomes.csv")])
    assert code == 2 and "last activity date" in capsys.readouterr().err
