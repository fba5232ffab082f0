"""The column-wise road for many per-user GitHub reports (roi.adoption.formats.
github_users_arrow): on every file it takes it gives exactly what reading each file and
joining them gives, and it hands every file that needs a message or a choice back to that
reading (issue 21, the year-of-reports benchmark)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roi.adoption.combine import combine
from roi.adoption.formats.github_users_arrow import read_user_reports
from roi.adoption.telemetry import TelemetryError, read_telemetry, read_telemetry_files

LIMIT = 10**9


def record(rng: np.random.Generator, day: str, user: int, excess: bool = False) -> dict:
    """A per-user record with GitHub's field names (github/docs example-schema.md), its
    optional parts left out or null at random."""
    generated = int(rng.integers(0, 40))
    accepted = int(rng.integers(0, generated + 1)) + (40 if excess else 0)
    item = {
        "day": day, "organization_id": "4242", "user_id": 100 + user,
        "user_login": f"dev-{(user * 7919) % 1000:03d}",  # not in the order of the ids
        "user_initiated_interaction_count": int(rng.integers(0, 20)),
        "loc_added_sum": int(rng.integers(0, 90)), "loc_deleted_sum": int(rng.integers(0, 9)),
        "used_chat": bool(rng.random() < 0.5), "used_agent": bool(rng.random() < 0.2),
        "totals_by_ide": [{"ide": "vscode", "loc_added_sum": 1}],
    }  # fmt: skip
    roll = rng.random()
    if roll < 0.7:
        item["totals_by_feature"] = [
            {"feature": "chat_panel_ask_mode", "code_generation_activity_count": 3},
            {"feature": "code_completion", "code_generation_activity_count": generated,
             "code_acceptance_activity_count": accepted,
             "loc_suggested_to_add_sum": generated * 2, "loc_added_sum": accepted * 2},
        ]  # fmt: skip
    elif roll < 0.8:
        item["totals_by_feature"] = []
    elif roll < 0.9:
        item["totals_by_feature"] = [{"feature": "agent_edit", "loc_added_sum": 5}]
    if rng.random() < 0.3:
        item["used_cli"] = True
        item["totals_by_cli"] = {
            "session_count": int(rng.integers(1, 4)), "request_count": int(rng.integers(1, 9)),
            "prompt_count": None if rng.random() < 0.2 else 2,
            "token_usage": {"prompt_tokens_sum": 1500, "output_tokens_sum": 300},
        }  # fmt: skip
    if rng.random() < 0.8:
        item["ai_credits_used"] = round(float(rng.random()) * 4, 2)
    phase = rng.random()
    if phase < 0.3:
        item["ai_adoption_phase"] = {"phase_number": 2, "phase": "Exploring", "version": "1"}
    elif phase < 0.4:
        item["ai_adoption_phase"] = {"phase_number": 3}
    elif phase < 0.5:
        item["used_chat"] = None
    return item


def reports(seed: int, days: int = 9, users: int = 40, per_file: int = 1) -> list:
    """``days`` days of per-user NDJSON reports, ``per_file`` days to a file; some files
    say their period, a day is missing (a gap), and on the first day more completions are
    accepted than suggested (a note)."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2026-03-02")
    dates = [start + pd.Timedelta(days=d) for d in range(days) if d != 4]  # a gap
    files = []
    for first in range(0, len(dates), per_file):
        chunk = dates[first : first + per_file]
        lines = [
            json.dumps(record(rng, day.date().isoformat(), int(u), excess=day == start))
            for day in chunk
            for u in np.flatnonzero(rng.random(users) < 0.6)
        ]
        if first % 2 == 0:
            period = {"report_start_day": chunk[0].date().isoformat(),
                      "report_end_day": chunk[-1].date().isoformat()}  # fmt: skip
            lines = [json.dumps({**json.loads(line), **period}) for line in lines]
        files.append((("\n".join(lines) + "\n").encode(), f"users-{first}.ndjson"))
    return files


def one_by_one(files: list) -> object:
    return combine([read_telemetry(raw, name) for raw, name in files], f"{len(files)} files")


def assert_same(fast, slow) -> None:
    for field in ("daily", "users", "user_days"):
        pd.testing.assert_frame_equal(getattr(fast, field), getattr(slow, field))
    for field in ("format", "source", "data_quality", "labels", "scope", "period", "created",
                  "note", "currency", "breakdown", "medians"):  # fmt: skip
        assert getattr(fast, field) == getattr(slow, field), field


@pytest.mark.parametrize(
    "seed,per_file,backwards", [(1, 1, False), (2, 1, True), (3, 3, False), (4, 7, True)]
)
def test_the_columnwise_road_gives_what_reading_each_file_gives(seed, per_file, backwards):
    files = reports(seed, per_file=per_file)
    if backwards:  # the last day's file first: the joined rows must be put in order
        files = files[::-1]
    fast = read_user_reports(files, "all", LIMIT)
    assert fast is not None
    assert_same(fast, one_by_one(files))
    # The data exercise what they should: gaps, odd completions, CLI use, phases, credits.
    assert any("acceptances exceed" in note.message for note in fast.data_quality)
    assert any(note.where.startswith("users-") for note in fast.data_quality)
    assert fast.user_days["tokens"].gt(0).any() and fast.user_days["credits"].isna().any()
    assert set(fast.user_days["phase"].dropna()) == {"Exploring", "Phase 3"}
    assert fast.user_days["suggestions"].isna().any()  # records without totals_by_feature
    assert read_telemetry_files(files).source == f"{len(files)} files"


def lines_of(files: list) -> list[bytes]:
    return files[0][0].splitlines(keepends=True)


def edited(files: list, change) -> list:
    """The files with the first file's second line replaced by ``change(record)``."""
    lines = lines_of(files)
    lines[1] = (json.dumps(change(json.loads(lines[1]))) + "\n").encode()
    return [(b"".join(lines), files[0][1]), *files[1:]]


CASES = {
    "a user twice on a day": lambda f: [*f, (lines_of(f)[0], "again.ndjson")],
    "a renamed login": lambda f: edited(f, lambda r: {**r, "user_login": "renamed"}),
    "a negative count": lambda f: edited(f, lambda r: {**r, "loc_added_sum": -1}),
    "a count written as text": lambda f: edited(f, lambda r: {**r, "loc_added_sum": "3"}),
    "a day that is no date": lambda f: edited(f, lambda r: {**r, "day": "2026-02-30"}),
    "a team": lambda f: edited(f, lambda r: {**r, "slug": "web"}),
    "another organisation": lambda f: edited(f, lambda r: {**r, "organization_id": "9"}),
    "a text phase": lambda f: edited(f, lambda r: {**r, "ai_adoption_phase": "Exploring"}),
    "a feature that is no object": lambda f: edited(f, lambda r: {**r, "totals_by_feature": [1]}),
    "credits not a number": lambda f: edited(f, lambda r: {**r, "ai_credits_used": True}),
    "a line nested too deep": lambda f: edited(f, lambda r: {**r, "x": [[[[[[[[[[[]]]]]]]]]]] * 7}),
    "a blank line": lambda f: [(f[0][0].replace(b"\n", b"\n\n", 1), f[0][1]), *f[1:]],
    "a byte-order mark": lambda f: [(b"\xef\xbb\xbf" + f[0][0], f[0][1]), *f[1:]],
    "a JSON file": lambda f: [(f[0][0], "users.json"), *f[1:]],
    "an aggregate report": lambda f: [
        *f, (b'{"day": "2026-03-02", "daily_active_users": 3}\n', "org.ndjson")
    ],
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_files_that_need_a_message_or_a_choice_are_read_one_by_one(case):
    files = CASES[case](reports(5, days=3, users=6))
    if case == "a line nested too deep":  # 7 lists of 11 levels: 77 brackets on the line
        assert files[0][0].splitlines()[1].count(b"[") > 64
    assert read_user_reports(files, "all", LIMIT) is None
    try:
        expected = one_by_one(files)
    except TelemetryError:
        with pytest.raises(TelemetryError):  # each problem named by the one-by-one reading
            read_telemetry_files(files)
        return
    assert_same(read_telemetry_files(files), expected)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_damaged_file_is_read_or_refused_never_a_crash(data):
    files = reports(6, days=2, users=5)
    raw, name = files[0]
    start = data.draw(st.integers(0, len(raw) - 1))
    length = data.draw(st.integers(1, 40))
    junk = data.draw(st.binary(min_size=0, max_size=40))
    damaged = [(raw[:start] + junk + raw[start + length :], name), *files[1:]]
    try:
        telemetry = read_telemetry_files(damaged)
    except TelemetryError as error:
        assert error.problems  # refused with its reasons
    else:
        assert telemetry.format == "github_usage_metrics_users"
