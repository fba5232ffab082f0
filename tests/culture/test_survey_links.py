"""The survey's links to the rest of the product (issue 8): participation from invitation
counts, which dimensions go with team adoption, the measured recapture share in a
business case, and teams hidden in every wave left unnamed."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from roi import evaluate, load_case
from roi.adoption.report import analyse, team_adoption
from roi.adoption.telemetry import read_telemetry
from roi.cli import main
from roi.core.casefile import parse_case
from roi.culture.drivers import MIN_TEAMS_FOR_DRIVERS, adoption_drivers
from roi.culture.instrument import SurveyError, read_invitations, read_items, read_responses
from roi.culture.recapture import measured_recapture, use_recapture
from roi.culture.report import report_to_dict, survey_report, team_change_readiness
from roi.culture.scores import ALL_TEAMS, group_scores
from roi.portfolio.quickwins import (
    WEIGHT_KEYS,
    RankSettings,
    _linear_parts,
    rank,
    score_inputs,
    value_anchor,
    with_survey_readiness,
)
from roi.portfolio.register import read_register

ROOT = Path(__file__).resolve().parents[2]
SURVEY = ROOT / "sample_data" / "survey"
ITEMS = SURVEY / "survey_items.csv"
RESPONSES = SURVEY / "survey_responses.csv"
INVITATIONS = SURVEY / "survey_invitations.csv"
ADOPTION = ROOT / "sample_data" / "adoption" / "adoption.csv"
TEAM_ADOPTION = SURVEY / "team_adoption.csv"
CASES = ROOT / "sample_data" / "cases"

TWO_DIMENSIONS = (
    "item,dimension,text,scale,reverse\n"
    "t1,trust,I trust it.,1-5,\n"
    "s1,safety,It is safe to try.,1-5,\n"
    "rec,recapture,Saved time to valuable work?,0-10,\n"
)


def instrument():
    return read_items(TWO_DIMENSIONS.encode(), "items.csv")


def responses(rows: list[tuple]):
    header = "respondent_id,wave,team,t1,s1,rec"
    text = header + "\n" + "\n".join(",".join(str(c) for c in row) for row in rows) + "\n"
    return read_responses(text.encode(), "responses.csv", instrument())


def team(name: str, size: int, wave: str = "w1", answer=(4, 3, 5)) -> list[tuple]:
    return [(f"{name}-{i}", wave, name, *answer) for i in range(size)]


def sample():
    items = read_items(ITEMS.read_bytes(), ITEMS.name)
    return items, read_responses(RESPONSES.read_bytes(), RESPONSES.name, items)


# --- participation ----------------------------------------------------------------------


def test_participation_is_answered_over_invited_and_hidden_with_its_group():
    frame = responses(team("a", 20) + team("b", 12) + team("c", 3))
    invitations = read_invitations(
        b"wave,team,invited\nw1,a,25\nw1,b,24\nw1,c,10\n", "invited.csv", frame
    )
    report = survey_report(frame, instrument(), invitations=invitations)
    rates = {p.team: p for p in report.participation}
    assert rates["a"].rate == pytest.approx(20 / 25) and rates["a"].respondents == 20
    # c (3) is hidden, and b, the next smallest, with it; neither is named at all.
    assert set(rates) == {"a", ALL_TEAMS} and report.hidden_teams == 2
    total = rates[ALL_TEAMS]
    assert (total.invited, total.respondents) == (59, 35)
    assert total.rate == pytest.approx(35 / 59)


def test_participation_of_all_teams_needs_every_answering_team_invited():
    frame = responses(team("a", 20) + team("b", 12))
    invitations = read_invitations(b"wave,team,invited\nw1,a,25\n", "invited.csv", frame)
    rates = {
        p.team: p for p in survey_report(frame, instrument(), invitations=invitations).participation
    }
    assert rates["a"].rate == pytest.approx(0.8)
    assert rates[ALL_TEAMS].invited is None and rates[ALL_TEAMS].rate is None


def test_fewer_invited_than_answered_is_refused_only_where_the_group_is_shown():
    frame = responses(team("a", 20) + team("b", 12) + team("c", 3))
    low = read_invitations(b"wave,team,invited\nw1,a,19\n", "invited.csv", frame)
    with pytest.raises(SurveyError) as caught:
        survey_report(frame, instrument(), invitations=low)
    (problem,) = caught.value.problems
    assert caught.value.source == "invited.csv"
    assert problem.where == "line 2, column invited"
    assert problem.message == "19 invited is fewer than the 20 who answered in wave 'w1', team 'a'"
    # c (3) is hidden: checking it would tell its size, so 1 invited passes unremarked.
    hidden = read_invitations(b"wave,team,invited\nw1,c,1\n", "invited.csv", frame)
    report = survey_report(frame, instrument(), invitations=hidden)
    (total,) = report.participation  # c is not named; all teams lack a count for a and b
    assert total.team == ALL_TEAMS and total.invited is None and total.rate is None


def test_an_unreadable_count_is_one_problem():
    frame = responses(team("a", 20))
    with pytest.raises(SurveyError) as caught:
        read_invitations(b"wave,team,invited\nw1,a,1e400\n", "invited.csv", frame)
    assert len(caught.value.problems) == 1


def test_the_sample_invitations_give_participation_per_wave():
    items, frame = sample()
    invitations = read_invitations(INVITATIONS.read_bytes(), INVITATIONS.name, frame)
    report = survey_report(frame, items, invitations=invitations)
    latest = {p.team: p for p in report.participation if p.wave == "2026-09"}
    assert latest["support"].rate == pytest.approx(40 / 44)
    assert latest["procurement"].suppressed and latest["procurement"].rate is None
    assert "legal" not in latest and "hr" not in latest  # hidden in every wave


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        ("w1,a,\n", "line 2, column invited", "is missing"),
        ("w1,a,many\n", "line 2, column invited", "not a number, got 'many'"),
        ("w1,a,12.5\n", "line 2, column invited", "from 1 to 10,000,000, got '12.5'"),
        ("w1,a,0\n", "line 2, column invited", "from 1 to 10,000,000, got '0'"),
        ("w1,a,1e30\n", "line 2, column invited", "from 1 to 10,000,000, got '1e30'"),
        ("w9,a,30\n", "line 2, column wave", "'w9' is not a wave of the responses"),
        ("w1,A,30\n", "line 2, column team", "'A' is not a team of the responses"),
        (",a,30\n", "line 2, column wave", "is missing"),
        ("w1,,30\n", "line 2, column team", "is missing"),
        ("w1,a,30\nw1,a,31\n", "line 3, column team", "listed again (first on line 2)"),
    ],
)
def test_bad_invitations_are_refused_with_line_and_column(body, where, message):
    frame = responses(team("a", 20))
    with pytest.raises(SurveyError) as caught:
        read_invitations(("wave,team,invited\n" + body).encode(), "invited.csv", frame)
    assert any(p.where == where and message in p.message for p in caught.value.problems), (
        caught.value.problems
    )


# --- drivers of team adoption -------------------------------------------------------------


def many_teams(count: int, seed: int = 5):
    """``count`` teams of 6; a team's trust answers centre on its own level, safety is noise;
    adoption rises 10 points per point of trust, plus noise."""
    rng = np.random.default_rng(seed)
    rows, adoption = [], {}
    for k in range(count):
        level = 1.5 + 3 * k / (count - 1)
        for i in range(6):
            trust = int(np.clip(round(level + rng.normal(0, 0.4)), 1, 5))
            rows.append((f"t{k}-{i}", "w1", f"team{k:02d}", trust, rng.integers(1, 6), 5))
        adoption[f"Team{k:02d}"] = 0.1 + 0.1 * level + rng.normal(0, 0.02)  # case differs
    return responses(rows), adoption


def test_adoption_drivers_match_a_hand_computed_hc3_regression():
    frame, adoption = many_teams(14)
    groups = group_scores(frame, instrument())
    drivers, note = adoption_drivers(groups, instrument(), adoption)
    assert note is None and drivers.unit == "teams" and drivers.n == 14
    trust = next(d for d in drivers.drivers if d.dimension == "trust")
    # By hand: least squares and HC3 (MacKinnon & White 1985) from the textbook formulas,
    # (X'X)^-1 X' diag(e_i^2 / (1 - h_i)^2) X (X'X)^-1, with a t reference on n - 2 dof.
    means = {g.team: g.mean for g in groups if g.dimension == "trust" and g.team != ALL_TEAMS}
    names = sorted(means)
    x = np.column_stack([np.ones(len(names)), [means[t] for t in names]])
    y = np.array([100 * adoption[t.capitalize()] for t in names])
    beta = np.linalg.solve(x.T @ x, x.T @ y)
    bread = np.linalg.inv(x.T @ x)
    leverage = np.einsum("ij,jk,ik->i", x, bread, x)
    resid = y - x @ beta
    meat = x.T @ (x * (resid**2 / (1 - leverage) ** 2)[:, None])
    se = np.sqrt(np.diag(bread @ meat @ bread))
    assert trust.estimate == pytest.approx(beta[1], rel=1e-10)
    assert trust.std_error == pytest.approx(se[1], rel=1e-10)
    half = stats.t.ppf(0.975, len(names) - 2) * se[1]
    assert (trust.ci_low, trust.ci_high) == pytest.approx((beta[1] - half, beta[1] + half))
    assert trust.importance == pytest.approx(np.corrcoef(x[:, 1], y)[0, 1] ** 2)
    # The planted relation is found, the noise dimension is not; Holm keeps p ≥ raw p.
    assert trust.ci_low > 0 and trust.p_adjusted < 0.01
    safety = next(d for d in drivers.drivers if d.dimension == "safety")
    assert safety.p_adjusted >= safety.p_value and safety.importance < trust.importance


def test_adoption_drivers_refuse_too_few_teams_and_say_how_many_are_needed():
    frame, adoption = many_teams(MIN_TEAMS_FOR_DRIVERS - 1)
    drivers, note = adoption_drivers(group_scores(frame, instrument()), instrument(), adoption)
    assert drivers is None
    assert note == (
        f"no adoption drivers: {MIN_TEAMS_FOR_DRIVERS - 1} team(s) have both shown survey"
        f" scores and an adoption rate; {MIN_TEAMS_FOR_DRIVERS} are needed"
    )


def test_hidden_teams_are_not_used_for_adoption_drivers():
    frame, adoption = many_teams(12)
    small = responses(team("tiny", 3, answer=(1, 1, 0)))
    both = pd.concat([frame, small], ignore_index=True)
    groups = group_scores(both, instrument())
    drivers, _ = adoption_drivers(groups, instrument(), adoption | {"tiny": 0.99})
    # tiny (3) is hidden, and with it the smallest visible team: 11 teams are left.
    assert drivers.n == 11


def test_team_adoption_takes_each_teams_latest_month():
    report = analyse(read_telemetry(ADOPTION.read_bytes(), ADOPTION.name))
    rates = team_adoption(report)
    assert set(rates) == {"engineering", "finance", "sales", "support"}
    monthly = report.monthly
    support = monthly[monthly["team"] == "support"].sort_values("period")
    assert rates["support"] == pytest.approx(support["adoption_rate"].iloc[-1])


# --- measured recapture -------------------------------------------------------------------


def test_recapture_is_the_mean_answer_over_ten_with_a_t_interval():
    rows = team("a", 6, answer=(4, 3, 2)) + team("b", 6, answer=(4, 3, 8))
    rows += [("c-0", "w1", "c", 4, 3, 10)] * 1
    frame = responses(rows)
    result = measured_recapture(frame, instrument(), group_scores(frame, instrument()))
    values = np.array([0.2] * 6 + [0.8] * 6 + [1.0])
    low, high = stats.t.interval(0.95, len(values) - 1, values.mean(), stats.sem(values))
    assert (result.n, result.team, result.wave) == (13, ALL_TEAMS, "w1")
    assert result.share == pytest.approx(values.mean())
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high))


def test_recapture_of_a_hidden_group_is_not_given():
    frame = responses(team("a", 20) + team("c", 3))
    groups = group_scores(frame, instrument())
    assert measured_recapture(frame, instrument(), groups, team="c") is None


def test_a_case_takes_the_measured_recapture_with_its_provenance():
    case = load_case(CASES / "document_classification.yaml")
    line = next(i for i, item in enumerate(case.benefits) if item.type == "time_saved")
    items, frame = sample()
    report = survey_report(frame, items)
    updated = use_recapture(case, line, report.recapture, "lower_bound")
    item = updated.benefits[line]
    assert item.productivity_recapture == pytest.approx(report.recapture.ci_low, abs=5e-5)
    assert item.evidence == "measured" and item.risk == case.benefits[line].risk
    # The sample line is measured already (issue 20, item 12): its first history is kept.
    assert "productivity_recapture measured" in item.note and "were measured" in item.note
    # The benefit scales with recapture: the line's value moves by the ratio of the shares.
    data = case.model_dump()
    data["benefits"][line]["productivity_recapture"] = item.productivity_recapture
    by_hand = parse_case(data)
    assert evaluate(updated).risk_adjusted.metrics.npv == pytest.approx(
        evaluate(by_hand).risk_adjusted.metrics.npv, rel=1e-12
    )
    point = use_recapture(case, line, report.recapture, "point")
    assert point.benefits[line].productivity_recapture == pytest.approx(
        report.recapture.share, abs=5e-5
    )
    other = next(i for i, item in enumerate(case.benefits) if item.type != "time_saved")
    with pytest.raises(ValueError, match="recapture applies to time_saved lines"):
        use_recapture(case, other, report.recapture)


# --- command line -----------------------------------------------------------------------


def test_survey_command_adds_participation_adoption_drivers_and_recapture(capsys):
    argv = ["survey", str(RESPONSES), "--items", str(ITEMS), "--invited", str(INVITATIONS)]
    assert main([*argv, "--adoption", str(TEAM_ADOPTION), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["hidden_teams"] == 2 and "legal" not in json.dumps(data)
    support = next(p for p in data["participation"] if p["team"] == "support")
    assert support == {
        "wave": "2026-03", "team": "support", "invited": 44, "respondents": 40,
        "rate": pytest.approx(40 / 44), "suppressed": False,
    }  # fmt: skip
    drivers = data["adoption_drivers"]
    assert drivers["unit"] == "teams" and drivers["n"] == 11  # procurement: its 2026-06 wave
    assert all(d["ci_low"] > 0 for d in drivers["drivers"])  # readier teams adopt more
    assert 0 < data["recapture"]["ci_low"] < data["recapture"]["share"] < 1
    # The Adoption page's sample has four teams: too few, and the reason is given.
    assert main([*argv, "--adoption", str(ADOPTION), "--json"]) == 0
    note = json.loads(capsys.readouterr().out)["adoption_drivers_note"]
    assert "team(s) have both shown survey scores and an adoption rate; 10 are needed" in note
    assert main([*argv, "--adoption", str(TEAM_ADOPTION)]) == 0
    text = capsys.readouterr().out
    assert "Participation" in text and "Recapture (wave 2026-09" in text
    assert "What goes with team adoption" in text


def test_survey_command_rejects_bad_invitations_with_exit_2(tmp_path, capsys):
    bad = tmp_path / "invited.csv"
    bad.write_text("wave,team,invited\n2026-03,support,12\n")
    argv = ["survey", str(RESPONSES), "--items", str(ITEMS), "--invited", str(bad)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "line 2, column invited: 12 invited is fewer than the 40 who answered" in err


def test_report_json_never_names_a_team_hidden_everywhere():
    frame = responses(team("a", 20) + team("b", 12) + team("secret", 2))
    text = json.dumps(report_to_dict(survey_report(frame, instrument())))
    assert "secret" not in text


# --- change readiness into the quick-wins ranking ---------------------------------------

REGISTER = ROOT / "sample_data" / "use_cases.csv"


def test_team_change_readiness_is_the_mean_readiness_score_on_1_to_5():
    frame = responses(team("a", 6, answer=(5, 3, 5)) + team("b", 6, answer=(2, 2, 5)))
    readiness = team_change_readiness(survey_report(frame, instrument()))
    # a: trust 5 → 100, safety 3 → 50; mean 75 → 1 + 75/25 = 4. b: 25 and 25 → 2.
    assert readiness == {"a": (pytest.approx(4.0), "w1"), "b": (pytest.approx(2.0), "w1")}


def test_register_takes_survey_readiness_for_blank_marks_of_shown_teams_only():
    register = read_register(REGISTER.read_bytes(), REGISTER.name, REGISTER.parent)
    items, frame = sample()
    readiness = team_change_readiness(survey_report(frame, items))
    written = REGISTER.read_text().replace(",VP Sales,sales", ",VP Sales,SALES", 1)
    header, *rows = written.splitlines()
    header += ",change_readiness"
    rows = [r + (",5" if r.startswith("UC-11") else ",") for r in rows]
    tweaked = read_register("\n".join([header, *rows]).encode(), "use_cases.csv", REGISTER.parent)
    updated = {u.use_case_id: u for u in with_survey_readiness(tweaked, readiness).use_cases}
    support, _ = readiness["support"]
    assert updated["UC-01"].change_readiness == pytest.approx(support)
    assert updated["UC-02"].change_readiness_source.startswith("survey: sales")  # any case
    assert (
        updated["UC-11"].change_readiness == 5
        and updated["UC-11"].change_readiness_source == "register"
    )
    assert updated["UC-18"].change_readiness is None  # hr is hidden: neutral, not guessed
    assert updated["UC-14"].change_readiness_source is None  # no team
    ranked = rank(with_survey_readiness(register, readiness), RankSettings(draws=0))
    row = ranked.row("UC-01")
    assert row.components["change_readiness"] == pytest.approx((support - 1) * 25)


def test_survey_readiness_is_held_fixed_in_the_robustness_draws():
    register = read_register(REGISTER.read_bytes(), REGISTER.name, REGISTER.parent)
    items, frame = sample()
    measured = with_survey_readiness(register, team_change_readiness(survey_report(frame, items)))
    inputs = score_inputs(measured)
    _, spread = _linear_parts(inputs, RankSettings(), value_anchor(inputs, RankSettings()))
    j = WEIGHT_KEYS.index("change_readiness")
    from_survey = inputs.change_readiness_measured
    assert from_survey.sum() == 16 and np.all(spread[j][from_survey] == 0)
    written = replace(inputs, change_readiness_measured=np.zeros(len(inputs), dtype=bool))
    _, judged = _linear_parts(written, RankSettings(), value_anchor(inputs, RankSettings()))
    assert np.all(judged[j][from_survey] > 0)  # the same marks, judged, would be drawn


def test_rank_command_takes_readiness_from_a_survey(capsys):
    survey = ["--survey", str(RESPONSES), "--survey-items", str(ITEMS)]
    assert main(["rank", str(REGISTER), *survey, "--json", "--draws", "0"]) == 0
    rows = {r["use_case_id"]: r for r in json.loads(capsys.readouterr().out)["ranking"]}
    assert rows["UC-01"]["change_readiness_source"] == "survey: support, wave 2026-09"
    with pytest.raises(SystemExit) as exit_:
        main(["rank", str(REGISTER), "--survey", str(RESPONSES)])
    assert exit_.value.code == 2
    assert "--survey and --survey-items go together" in capsys.readouterr().err


# --- item figures -------------------------------------------------------------------------


def test_item_figures_by_hand_and_hidden_with_their_group():
    rows = team("a", 6, answer=(5, 2, 7)) + team("b", 6, answer=(3, 4, 5))
    rows += [("a-9", "w1", "a", 1, "", 5)]  # one more in a, who skips safety
    frame = responses(rows)
    report = survey_report(frame, instrument())
    items = {(i.team, i.item): i for i in report.items}
    # a on t1: six 5s and one 1 → mean 31/7, favourable (4–5) 6/7, score (mean − 1) × 25.
    assert items[("a", "t1")].mean == pytest.approx(31 / 7)
    assert items[("a", "t1")].favourable == pytest.approx(6 / 7)
    assert items[("a", "t1")].score == pytest.approx((31 / 7 - 1) * 25)
    assert items[("a", "t1")].n == 7 and items[("a", "s1")].n == 7  # the head count, always
    assert items[(ALL_TEAMS, "t1")].mean == pytest.approx((31 + 18) / 13)


def test_an_item_too_few_answered_is_hidden_and_so_is_its_complement():
    # c has 5 people, but only 4 answered s1: c is hidden on s1, and b (the next smallest)
    # with it, or the all-teams mean minus a and b would give c's.
    rows = team("a", 20) + team("b", 8) + team("c", 4) + [("c-9", "w1", "c", 4, "", 5)]
    frame = responses(rows)
    report = survey_report(frame, instrument())
    s1 = {i.team: i for i in report.items if i.item == "s1"}
    t1 = {i.team: i for i in report.items if i.item == "t1"}
    assert s1["c"].suppressed and s1["b"].suppressed and not s1["a"].suppressed
    assert s1["c"].mean is None and s1["c"].n is None
    assert not t1["c"].suppressed and not t1["b"].suppressed


def test_item_figures_never_name_a_team_hidden_everywhere():
    frame = responses(team("a", 20) + team("b", 12) + team("secret", 2))
    data = report_to_dict(survey_report(frame, instrument()))
    assert data["items"] and "secret" not in json.dumps(data)


# --- leaks and collisions found in review ------------------------------------------------


def test_an_all_teams_figure_hides_when_hidden_teams_gave_too_few_answers():
    # a: 20 who all answer recapture 5. b (6) and c (3) are hidden together (9 people), but
    # only one of them answered recapture: the total less a would be that one answer.
    rows = team("a", 20, answer=(4, 3, 5))
    rows += [("b-0", "w1", "b", 4, 3, 0)] + [(f"b-{i}", "w1", "b", 4, 3, "") for i in range(1, 6)]
    rows += [(f"c-{i}", "w1", "c", 4, 3, "") for i in range(3)]
    report = survey_report(responses(rows), instrument())
    total = {g.dimension: g for g in report.groups if g.team == ALL_TEAMS}
    assert total["recapture"].suppressed and total["recapture"].recapture is None
    assert not total["trust"].suppressed  # all nine hidden people answered trust
    assert report.recapture is None
    items = {i.item: i for i in report.items if i.team == ALL_TEAMS}
    assert items["rec"].suppressed and not items["t1"].suppressed


def test_recapture_n_is_the_head_count_not_the_number_who_answered():
    rows = team("a", 20, answer=(4, 3, 5)) + [
        (f"a-{i}", "w1", "a", 4, 3, "") for i in range(20, 26)
    ]
    report = survey_report(responses(rows), instrument())
    assert report.recapture.n == 26


def test_teams_differing_only_in_case_are_matched_exactly_or_not_at_all():
    # Distinct people: ids differing only by case are one person (issue 20, item 10).
    lower = [(f"lower-{person}", *rest) for person, *rest in team("sales", 6, answer=(1, 1, 5))]
    rows = team("Sales", 6, answer=(5, 5, 5)) + lower
    rows += team("ops", 6, answer=(3, 3, 5))
    report = survey_report(responses(rows), instrument())
    readiness = team_change_readiness(report)
    register = read_register(REGISTER.read_bytes(), REGISTER.name, REGISTER.parent)
    register = replace(
        register,
        use_cases=tuple(
            replace(u, team={"UC-01": "Sales", "UC-02": "SALES", "UC-03": "OPS"}.get(u.use_case_id))
            for u in register.use_cases
        ),
    )
    updated = {u.use_case_id: u for u in with_survey_readiness(register, readiness).use_cases}
    assert updated["UC-01"].change_readiness == pytest.approx(5.0)  # the exact spelling
    assert updated["UC-02"].change_readiness is None  # ambiguous: neither is taken
    assert updated["UC-03"].change_readiness_source == "survey: ops, wave w1"


def test_one_adoption_figure_is_never_used_for_two_survey_teams():
    frame, adoption = many_teams(11)
    extra = responses(team("team00", 6, answer=(5, 5, 5)))  # Team00 in the export, twice
    both = pd.concat([frame, extra.assign(team="TEAM00")], ignore_index=True)
    drivers, _ = adoption_drivers(group_scores(both, instrument()), instrument(), adoption)
    assert drivers.n == 10  # team00 and TEAM00 both claim Team00: neither is used


def test_an_export_without_team_shares_says_why_there_are_no_adoption_drivers():
    frame, _ = many_teams(12)
    drivers, note = adoption_drivers(group_scores(frame, instrument()), instrument(), {})
    assert drivers is None and "needs each team's eligible or licensed users" in note


def test_recapture_applied_twice_keeps_the_first_history():
    case = load_case(CASES / "document_classification.yaml")
    line = next(i for i, item in enumerate(case.benefits) if item.type == "time_saved")
    items, frame = sample()
    recapture = survey_report(frame, items).recapture
    once = use_recapture(case, line, recapture)
    twice = use_recapture(once, line, recapture, "point")
    note = twice.benefits[line].note
    assert note.count("productivity_recapture measured") == 1
    # The sample line's recapture is measured already (issue 20, item 12): the history kept
    # is the one its file records, minutes measured from the UC-03 pilot before it.
    assert "the other inputs were measured. Before: measured: conservative end" in note
    assert note.endswith("UC-03 task_minutes, n = 180 baseline / 180 pilot")
    with pytest.raises(ValueError, match="benefit lines 0 to"):
        use_recapture(case, -1, recapture)
