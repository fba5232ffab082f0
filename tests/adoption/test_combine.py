"""Several exports read as one, NDJSON records, the download-links envelope and the daily
table of a per-user-day table (issue 21)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from roi.adoption.combine import combine
from roi.adoption.formats.common import daily_from_user_days, empty_daily, user_day_table
from roi.adoption.telemetry import Telemetry, TelemetryError, read_telemetry, read_telemetry_files
from roi.cli import main

ROOT = Path(__file__).resolve().parents[2]
METRICS = ROOT / "sample_data" / "adoption" / "github_copilot_metrics.json"


def days(first: int, last: int) -> list[dict]:
    """Days of GitHub's older metrics API, 2026-09-<first> to -<last>, one user each."""
    return [
        {"date": f"2026-09-{day:02d}", "total_active_users": day, "total_engaged_users": 1}
        for day in range(first, last + 1)
    ]


def raw(records) -> bytes:
    return json.dumps(records).encode()


def test_overlapping_files_keep_each_day_once_and_say_which_copy_won():
    # a.json holds 1-10, b.json 6-12 with other figures on its days: the overlap 6-10 is
    # kept from b.json (given later; neither says when it was made): 12 days in all.
    other = [dict(day, total_active_users=100) for day in days(6, 12)]
    telemetry = read_telemetry_files([(raw(days(1, 10)), "a.json"), (raw(other), "b.json")])
    assert len(telemetry.daily) == 12
    active = telemetry.daily.set_index(telemetry.daily["date"].dt.day)["active_users"]
    assert active[5] == 5 and active[6] == 100 and active[12] == 100
    (note,) = [n for n in telemetry.data_quality if n.where == "files"]
    assert note.message == (
        "5 day(s) (2026-09-06 to 2026-09-10) are in both a.json and b.json: b.json's copy is"
        " kept because it was given later and neither file says when it was made; the two"
        " copies differ"
    )


def test_the_later_generated_report_wins_whatever_the_order():
    first = read_telemetry(raw(days(1, 3)), "new.json")
    second = read_telemetry(raw([dict(d, total_active_users=9) for d in days(1, 3)]), "old.json")
    newer = dataclasses.replace(first, created="2026-04-26T03:36:11Z")
    older = dataclasses.replace(second, created="2026-04-20T00:00:00Z")
    joined = combine([newer, older], "2 files")
    assert joined.daily["active_users"].tolist() == [1.0, 2.0, 3.0]
    (note,) = [n for n in joined.data_quality if n.where == "files"]
    assert "new.json's copy is kept because it was generated later (2026-04-26" in note.message
    assert note.message.endswith("the two copies differ")


def test_identical_copies_are_said_to_be_the_same():
    telemetry = read_telemetry_files([(METRICS.read_bytes(), "a.json")] * 2)
    (note,) = [n for n in telemetry.data_quality if n.where == "files"]
    assert note.message.endswith("the two copies are the same")
    # Each file's own notes are kept once, for the copy kept.
    alone = read_telemetry(METRICS.read_bytes(), "a.json")
    assert len(telemetry.data_quality) == len(alone.data_quality) + 1


def test_two_organisations_or_formats_are_never_merged():
    one = read_telemetry(raw(days(1, 2)), "org1.json")
    two = read_telemetry(raw(days(3, 4)), "org2.json")
    with pytest.raises(TelemetryError) as error:
        combine(
            [dataclasses.replace(one, scope="organization 1"),
             dataclasses.replace(two, scope="organization 2")],
            "2 files",
        )  # fmt: skip
    assert "never merged (read each on its own): org1.json: organization 1; org2.json:" in str(
        error.value
    )
    csv = b"date,team,eligible_users,active_users\n2026-09-01,a,10,5\n"
    with pytest.raises(TelemetryError) as error:
        read_telemetry_files([(raw(days(1, 2)), "gh.json"), (csv, "adoption.csv")])
    assert "of different formats" in str(error.value)
    assert "adoption.csv: adoption CSV" in str(error.value)


def test_every_problem_of_every_file_is_listed_and_nothing_is_kept():
    bad = b'[{"date": "2026-09-31", "total_active_users": -1}]'
    with pytest.raises(TelemetryError) as error:
        read_telemetry_files([(raw(days(1, 2)), "good.json"), (bad, "bad.json"), (b"", "e.json")])
    text = str(error.value)
    assert text.startswith("3 files: ")
    assert "bad.json, [0].date: is not a calendar date, got '2026-09-31'" in text
    assert "bad.json, [0].total_active_users: must be a whole number" in text
    assert "e.json" in text


def test_ndjson_records_carry_their_line_and_bad_lines_are_named():
    lines = [json.dumps(day) for day in days(1, 3)]
    telemetry = read_telemetry(("\n".join(lines) + "\n").encode(), "days.ndjson")
    assert len(telemetry.daily) == 3
    # A file whose first line is a whole object and has more lines is NDJSON whatever its name.
    assert len(read_telemetry("\n\n".join(lines).encode(), "days.json").daily) == 3
    broken = "\n".join([lines[0], '{"date": "2026-09-02", ', lines[2], "[" * 100 + "]" * 100])
    with pytest.raises(TelemetryError) as error:
        read_telemetry(broken.encode(), "days.ndjson")
    problems = [str(p) for p in error.value.problems]
    assert problems[0].startswith("line 2, column 24: not valid JSON: Expecting property name")
    assert problems[1] == "line 4: is nested too deeply (more than 64 levels)"
    with pytest.raises(TelemetryError) as error:
        read_telemetry(f'{lines[0]}\n{{"date": "2026-09-31"}}\n'.encode(), "days.ndjson")
    assert [str(p) for p in error.value.problems] == [
        "line 2, date: is not a calendar date, got '2026-09-31'"
    ]


def test_many_bad_lines_are_counted_after_the_first_fifty():
    text = "\n".join(["{"] * 60)
    with pytest.raises(TelemetryError) as error:
        read_telemetry(text.encode(), "bad.ndjson")
    assert len(error.value.problems) == 51
    assert str(error.value.problems[-1]) == "and 10 more lines that are not valid JSON"


def test_the_download_links_envelope_is_recognised():
    # The viewer's mock of the REST answer (github-copilot-resources/copilot-metrics-viewer,
    # public/mock-data/new-api/, MIT): the list of links, not the report.
    envelope = {
        "download_links": ["/mock-data/new-api/organization-28-day-report.json"],
        "report_start_day": "2026-02-04",
        "report_end_day": "2026-03-03",
    }
    with pytest.raises(TelemetryError) as error:
        read_telemetry(raw(envelope), "links.json")
    assert str(error.value.problems[0]) == (
        "download_links: this is GitHub's list of download links for a usage metrics report"
        " (2026-02-04 to 2026-03-03), not the report: download the NDJSON files it names"
        " (/mock-data/new-api/organization-28-day-report.json) and upload those (the links"
        " expire after a short time)"
    )


def test_the_daily_table_of_user_days():
    # Users a (every day), b (days 1, 11, 21, 31), c (listed on day 6, not active), for 40
    # days from 2026-01-01. Monthly active users (trailing 28 days) exist from day 28 on:
    # day 28 (01-28) covers 01-01..01-28: a and b -> 2; day 40 (02-09) covers 01-13..02-09:
    # a, and b on 01-21 and 01-31 -> 2; on day 6 two are active (a, and b? no: b is active
    # on days 1, 11 ...) -> a only, with c listed: 2 listed, 1 active.
    rows = []
    for offset in range(40):
        day = (dt.date(2026, 1, 1) + dt.timedelta(days=offset)).isoformat()
        rows.append({"date": day, "user": "a", "team": "t", "active": True, "acceptances": 1})
        if offset % 10 == 0:
            rows.append(
                {"date": day, "user": "b", "team": "t", "active": True, "acceptances": 2,
                 "used_chat": True}
            )  # fmt: skip
        if offset == 5:
            rows.append({"date": day, "user": "c", "team": "t", "active": False})
    daily = daily_from_user_days(user_day_table(rows)).set_index("date")
    assert daily["monthly_active_users"].iloc[:27].isna().all()
    assert daily.loc["2026-01-28", "monthly_active_users"] == 2
    assert daily.loc["2026-02-09", "monthly_active_users"] == 2
    assert daily.loc["2026-01-06", ["licensed_users", "active_users"]].tolist() == [2, 1]
    assert daily.loc["2026-01-01", ["active_users", "acceptances", "chat_users"]].tolist() == [
        2, 3, 1,
    ]  # fmt: skip
    assert daily.loc["2026-01-02", "chat_users"] == 0


def test_monthly_active_users_count_each_user_once_per_window():
    # One user active on days 1 and 20 and nobody else, a 30-day file: on day 28 (covering
    # 1..28) and day 30 (3..30) one user; never two although two user-days are in the window.
    rows = [
        {"date": f"2026-03-{day:02d}", "user": "x", "team": "t", "active": True} for day in (1, 20)
    ] + [{"date": "2026-03-30", "user": "y", "team": "t", "active": False}]
    daily = daily_from_user_days(user_day_table(rows)).set_index("date")
    assert daily["monthly_active_users"].dropna().tolist() == [1.0]  # the days with a row
    assert daily.loc["2026-03-30", "monthly_active_users"] == 1


def test_the_cli_reads_several_files_and_a_folder(tmp_path, capsys):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.json").write_bytes(raw(days(1, 10)))
    (folder / "b.json").write_bytes(raw(days(8, 14)))
    (folder / "notes.txt").write_text("not an export")
    assert main(["adoption", str(folder), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["summary"]["days"] == 14
    assert out["format_name"].startswith("GitHub Copilot metrics API")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["adoption", str(empty)]) == 2
    assert "holds no export file" in capsys.readouterr().err


def test_an_empty_export_is_still_empty():
    telemetry = read_telemetry(b"[]", "empty.json")
    assert isinstance(telemetry, Telemetry) and telemetry.daily.empty
    pd.testing.assert_frame_equal(telemetry.daily, empty_daily())


USERS = ROOT / "tests" / "data" / "telemetry" / "github_usage_metrics" / "users_1day.ndjson"


def test_a_per_user_report_split_over_several_files_keeps_every_user():
    # GitHub may link one report as several NDJSON files (download_links): alice's record in
    # one, bob's and carol's in the other, all on 2026-05-06. They share the day but no
    # user-day, so all three are kept and no overlap is noted.
    lines = USERS.read_bytes().splitlines(keepends=True)
    whole = read_telemetry(USERS.read_bytes(), "users.ndjson")
    split = read_telemetry_files(
        [(lines[0], "part-1.ndjson"), (b"".join(lines[1:]), "part-2.ndjson")]
    )
    assert sorted(split.user_days["user"]) == sorted(whole.user_days["user"]) == [
        "alice", "bob", "carol"
    ]  # fmt: skip
    assert split.daily["active_users"].tolist() == [3.0]
    assert not [n for n in split.data_quality if "are in both" in n.message]


def test_a_user_day_in_two_files_is_kept_once_and_the_note_counts_user_days():
    lines = USERS.read_bytes().splitlines(keepends=True)
    # The whole day twice, then alice again in a third file given last: bob's and carol's
    # user-days are kept from b (given after a), alice's from c (given last), and each
    # losing copy is named with the copy that won.
    joined = read_telemetry_files(
        [(b"".join(lines), "a.ndjson"), (b"".join(lines), "b.ndjson"), (lines[0], "c.ndjson")]
    )
    assert joined.daily["active_users"].tolist() == [3.0]
    messages = [n.message for n in joined.data_quality if "are in both" in n.message]
    assert messages[0].startswith(
        "2 user-day(s) on 1 day(s) (2026-05-06) are in both a.ndjson and b.ndjson: b.ndjson's"
        " copy is kept because it was given later"
    )
    assert messages[0].endswith("the two copies are the same")
    assert sorted(m.split(":")[0] for m in messages[1:]) == [
        "1 user-day(s) on 1 day(s) (2026-05-06) are in both a.ndjson and c.ndjson",
        "1 user-day(s) on 1 day(s) (2026-05-06) are in both b.ndjson and c.ndjson",
    ]
    assert len(messages) == 3
