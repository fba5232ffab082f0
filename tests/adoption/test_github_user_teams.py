"""GitHub's user-teams report joined with the per-user report of the same day (issue 21):
the example of github/docs ``content/copilot/reference/copilot-usage-metrics/
team-level-metrics.md`` read to its published result, and the join's edges."""

from __future__ import annotations

from pathlib import Path

import pytest

from roi.adoption.formats.github_user_teams import NO_TEAM
from roi.adoption.telemetry import TelemetryError, read_telemetry_files, read_tool_files

DATA = Path(__file__).parents[1] / "data" / "telemetry" / "github_usage_metrics"
TEAMS = DATA / "user_teams_1day_docs_example.ndjson"
USERS = DATA / "users_1day_docs_example.ndjson"


def files(*paths: Path) -> list[tuple[bytes, str]]:
    return [(path.read_bytes(), path.name) for path in paths]


def by_team(telemetry) -> dict:
    return telemetry.daily.set_index("team").to_dict("index")


def test_the_docs_example_joined_gives_the_published_team_figures():
    # The page's result: frontend (alice and bob) active_users 2, loc_added_sum 88 + 24 = 112;
    # backend (alice) 1 and 88. Interactions: frontend 50 + 30 = 80, backend 50. Carol (added
    # here, in no team's row) is counted under "(no team)", not lost: 5 interactions, 3 lines.
    for given in (files(TEAMS, USERS), files(USERS, TEAMS)):  # in either order
        telemetry = read_telemetry_files(given)
        teams = by_team(telemetry)
        assert sorted(teams) == sorted(["backend", "frontend", NO_TEAM])
        assert (teams["frontend"]["active_users"], teams["frontend"]["lines_added"]) == (2, 112)
        assert (teams["backend"]["active_users"], teams["backend"]["lines_added"]) == (1, 88)
        assert teams["frontend"]["interactions"] == 80 and teams["backend"]["interactions"] == 50
        assert (teams[NO_TEAM]["active_users"], teams[NO_TEAM]["interactions"]) == (1, 5)
        # alice counts in both of her teams: four user-day rows for three people.
        assert sorted(telemetry.user_days["user"]) == ["alice", "alice", "bob", "carol"]
        (note,) = [n for n in telemetry.data_quality if n.where == "user-teams join"]
        assert note.message.startswith(
            "1 of 3 user-day(s) have no row in the user-teams report"
            " (user_teams_1day_docs_example.ndjson): GitHub leaves out teams with fewer than"
            " five seated Copilot users"
        )
        assert telemetry.scope == "organization 999"


def test_the_user_teams_report_alone_is_still_refused_with_the_recipe():
    with pytest.raises(TelemetryError) as refused:
        read_telemetry_files(files(TEAMS, TEAMS))
    assert "user-teams report (team membership, no usage): join it" in str(refused.value)


def test_a_user_teams_report_of_another_organisation_is_refused():
    other = TEAMS.read_text().replace('"999"', '"1000"').encode()
    with pytest.raises(TelemetryError) as refused:
        read_telemetry_files([(other, "teams.ndjson"), *files(USERS)])
    (problem,) = refused.value.problems
    assert problem.where == "users_1day_docs_example.ndjson"
    assert problem.message == (
        "is of organization 999, and the user-teams report (teams.ndjson) of organization"
        " 1000: two scopes are never merged"
    )


def test_bad_membership_rows_are_named_by_file_line_and_field():
    bad = (
        b'{"user_id": 1001, "user_login": "alice", "day": "2026-05-32", "slug": "frontend"}\n'
        b'{"user_login": "bob", "day": "2026-05-07", "slug": ""}\n'
        b'{"user_id": 1003, "day": "2026-05-07", "team_id": 7, "loc_added_sum": 4}\n'
    )
    with pytest.raises(TelemetryError) as refused:
        read_telemetry_files([(bad, "teams.ndjson"), *files(USERS)])
    problems = [(p.where, p.message) for p in refused.value.problems]
    assert problems == [
        ("teams.ndjson, line 1, day", "must be a date written YYYY-MM-DD, got '2026-05-32'"),
        ("teams.ndjson, line 2, slug", "must be a team's slug (text) or team_id, got ''"),
        ("teams.ndjson, line 3",
         "must be a user-teams row (user_id, day, team_id or slug, no usage figure)"),
    ]  # fmt: skip


def test_records_joined_before_upload_keep_their_teams_and_tools_group_the_join():
    joined = DATA / "users_teams_docs_example.ndjson"
    telemetry = read_telemetry_files(files(joined, TEAMS))
    assert sorted(by_team(telemetry)) == ["backend", "frontend"]
    (group,) = read_tool_files(files(TEAMS, USERS))
    assert NO_TEAM in set(group.daily["team"])
