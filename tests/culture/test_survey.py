"""Culture surveys (issue 8): reading, scoring, reliability, anonymity and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roi.cli import main
from roi.culture.anonymity import suppress
from roi.culture.instrument import SurveyError, read_items, read_responses
from roi.culture.reliability import alpha_interval, cronbach_alpha
from roi.culture.report import report_to_dict, survey_report
from roi.culture.scores import ALL_TEAMS, group_scores
from roi.culture.waves import wave_changes

ROOT = Path(__file__).resolve().parents[2]
SURVEY = ROOT / "sample_data" / "survey"
ITEMS = SURVEY / "survey_items.csv"
RESPONSES = SURVEY / "survey_responses.csv"

SMALL_ITEMS = (
    "item,dimension,text,scale,reverse\n"
    "a1,trust,I trust it.,1-5,\n"
    "a2,trust,I worry about it.,1-5,yes\n"
    "adv,advocacy,Recommend?,0-10,\n"
    "rec,recapture,Saved time to valuable work?,0-10,\n"
)


def instrument():
    return read_items(SMALL_ITEMS.encode(), "items.csv")


def responses(rows: list[tuple], header: str = "respondent_id,wave,team,a1,a2,adv,rec"):
    text = header + "\n" + "\n".join(",".join(str(c) for c in row) for row in rows) + "\n"
    return read_responses(text.encode(), "responses.csv", instrument())


def team(name: str, size: int, wave: str = "w1", answer=(4, 2, 9, 5)) -> list[tuple]:
    return [(f"{name}-{i}", wave, name, *answer) for i in range(size)]


# --- reading ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("a,trust,x,1-6,\n", "line 2, column scale", "must be one of 1-5, 1-7, 0-10, got '1-6'"),
        (
            "a,trust,x,1-5,\nb,trust,y,1-7,\n",
            "line 3, column scale",
            "differs from '1-5' on line 2",
        ),
        ("a,trust,x,1-5,\na,trust,y,1-5,\n", "line 3, column item", "repeats 'a' from line 2"),
        ("a,trust,x,1-5,maybe\n", "line 2, column reverse", "must be yes, no or blank"),
        ("a,advocacy,x,1-5,\n", "line 2, column scale", "a advocacy item is on 0-10"),
        ("team,trust,x,1-5,\n", "line 2, column item", "is a respondent column"),
    ],
)
def test_bad_items_are_refused(text, where, message):
    with pytest.raises(SurveyError) as caught:
        read_items(("item,dimension,text,scale,reverse\n" + text).encode(), "items.csv")
    (problem,) = caught.value.problems
    assert problem.where == where and message in problem.message


def test_bad_responses_name_line_column_and_value():
    rows = [("r1", "w1", "t", 6, 2, 9, 5), ("r2", "w1", "t", 3.5, 2, 9, 5),
            ("r1", "w1", "t", 4, 2, 11, 5), ("", "w1", "t", 4, 2, 9, "x")]  # fmt: skip
    with pytest.raises(SurveyError) as caught:
        responses(rows)
    found = [str(p) for p in caught.value.problems]
    assert found == [
        "line 2, column a1: must be a whole number from 1 to 5 or blank, got '6'",
        "line 3, column a1: must be a whole number from 1 to 5 or blank, got '3.5'",
        "line 4, column respondent_id: respondent 'r1' answers wave 'w1' again (first on line 2)",
        "line 4, column adv: must be a whole number from 0 to 10 or blank, got '11'",
        "line 5, column respondent_id: is missing",
        "line 5, column rec: must be a whole number from 0 to 10 or blank, got 'x'",
    ]


def test_unknown_item_columns_are_refused():
    with pytest.raises(SurveyError, match="column 'zz' is not an item of the instrument"):
        responses([("r1", "w1", "t", 4, 2, 9, 5, 1)], "respondent_id,wave,team,a1,a2,adv,rec,zz")


def test_blanks_are_non_response_not_zero():
    frame = responses([("r1", "w1", "t", "", 2, 9, 5)])
    assert np.isnan(frame.loc[0, "a1"]) and frame.loc[0, "a2"] == 2


# --- scoring ---------------------------------------------------------------------------


def test_scores_by_hand():
    """Five people: a1 = 4,4,5,2,3; a2 reversed (2 → 4); advocacy 10,9,7,3,8; recapture 5."""
    rows = [(f"p{i}", "w1", "t", a1, 2, adv, 5)
            for i, (a1, adv) in enumerate([(4, 10), (4, 9), (5, 7), (2, 3), (3, 8)])]  # fmt: skip
    groups = {g.dimension: g for g in group_scores(responses(rows), instrument()) if g.team == "t"}
    trust = groups["trust"]
    # person means: (4+4)/2, (4+4)/2, (5+4)/2, (2+4)/2, (3+4)/2 → mean 3.8
    assert trust.mean == pytest.approx(3.8) and trust.score == pytest.approx(70.0)
    # favourable answers (≥ 4): a1 4,4,5 and every reversed a2 (4) → 8 of 10
    assert trust.favourable == pytest.approx(0.8)
    # advocacy: promoters 10, 9 (2 of 5), detractors 3 (1 of 5)
    assert groups["advocacy"].advocacy == pytest.approx(0.2)
    assert groups["advocacy"].favourable == pytest.approx(0.4)
    assert groups["recapture"].recapture == pytest.approx(0.5)


def test_cronbach_alpha_and_its_interval():
    assert cronbach_alpha(np.array([[1, 2], [2, 3], [3, 4], [4, 4.0]])) == pytest.approx(56 / 59)
    # R statpsych::ci.cronbach(.05, .85, 7, 89) documents 0.7971254 and 0.8931436.
    low, high = alpha_interval(0.85, 89, 7)
    assert (low, high) == pytest.approx((0.7971254, 0.8931436), abs=5e-8)
    # Items that agree perfectly give alpha 1.
    assert cronbach_alpha(np.array([[1, 1], [3, 3], [5, 5.0]])) == pytest.approx(1.0)


def test_the_sample_is_reliable_and_hides_the_small_team():
    report = survey_report(
        read_responses(RESPONSES.read_bytes(), RESPONSES.name, read_items(ITEMS.read_bytes(), "i")),
        read_items(ITEMS.read_bytes(), "i"),
    )
    dims = {d.dimension: d for d in report.dimensions}
    assert all(dims[d].reliable for d in ("awareness", "knowledge", "trust"))
    # legal (3 people) and hr (4) are hidden in every wave (together they are 7, so no
    # third team need hide them): neither is even named.
    assert report.hidden_teams == 2 and len(report.teams) == 11 and "finance" in report.teams
    text = json.dumps(report_to_dict(report))
    assert "legal" not in text and '"hr"' not in text
    with_min_3 = survey_report(
        read_responses(RESPONSES.read_bytes(), RESPONSES.name, read_items(ITEMS.read_bytes(), "i")),
        read_items(ITEMS.read_bytes(), "i"),
        3,
    )
    assert with_min_3.hidden_teams == 0 and "legal" in with_min_3.teams


# --- anonymity -------------------------------------------------------------------------


def scores(rows):
    return group_scores(responses(rows), instrument())


def visible(groups, dimension="trust"):
    return {g.team: g for g in groups if g.dimension == dimension and not g.suppressed}


def test_one_small_team_hides_the_next_smallest_too():
    groups = scores(team("big", 20) + team("mid", 8) + team("tiny", 2))
    shown = visible(groups)
    assert set(shown) == {"big", ALL_TEAMS}  # mid hidden so that tiny = total − big − mid fails


def test_two_small_teams_together_below_the_minimum_hide_another():
    groups = scores(team("big", 20) + team("mid", 9) + team("one", 2) + team("two", 2))
    assert set(visible(groups)) == {"big", ALL_TEAMS}


def test_a_hidden_team_cannot_be_recovered_by_subtraction():
    """The adversary's attack: total × n − Σ visible teams × n over the hidden ones."""
    small = team("tiny", 2, answer=(1, 5, 0, 0))
    groups = scores(team("a", 10) + team("b", 6) + small)
    shown = visible(groups)
    hidden = [g for g in groups if g.dimension == "trust" and g.suppressed]
    assert len(hidden) >= 2
    total = shown[ALL_TEAMS]
    rest = [g for t, g in shown.items() if t != ALL_TEAMS]
    left_n = total.n - sum(g.n for g in rest)
    assert left_n >= 5  # what is left mixes at least the minimum number of people


def test_a_total_below_the_minimum_hides_everything():
    groups = scores(team("a", 2) + team("b", 2))
    assert all(g.suppressed for g in groups)


def test_the_minimum_group_size_is_never_below_three():
    with pytest.raises(ValueError, match="at least 3"):
        group_scores(responses(team("a", 5)), instrument(), min_group=2)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.text("abcdef", min_size=1, max_size=3), st.integers(1, 40), min_size=1, max_size=8
    ),
    st.integers(3, 10),
)
def test_suppression_leaves_nothing_recoverable(counts, min_group):
    hidden = suppress(counts, min_group)
    assert all(n >= min_group for g, n in counts.items() if g not in hidden)
    if hidden:
        # total − visible = the hidden set: it must be two groups or more, of at least
        # min_group people together, unless every group is hidden.
        assert len(hidden) >= 2 or len(hidden) == len(counts)
        assert sum(counts[g] for g in hidden) >= min_group or len(hidden) == len(counts)


def test_changes_skip_hidden_groups_and_holm_never_lowers_p():
    rows = team("a", 20, "w1", (3, 3, 7, 5)) + team("a", 20, "w2", (4, 2, 8, 6))
    rows += (
        team("tiny", 2, "w1") + team("tiny", 2, "w2") + team("b", 10, "w1") + team("b", 10, "w2")
    )
    frame = responses(rows)
    groups = group_scores(frame, instrument())
    changes = wave_changes(frame, instrument(), groups)
    assert {c.team for c in changes} <= {"a", ALL_TEAMS}
    for change in changes:
        if change.p_value is not None:
            assert change.p_adjusted >= change.p_value


def test_welch_change_matches_scipy():
    from scipy import stats

    rng = np.random.default_rng(1)
    first = rng.integers(1, 6, 30)
    second = np.clip(first + rng.integers(0, 2, 30), 1, 5)
    rows = [(f"p{i}", "w1", "t", v, "", "", "") for i, v in enumerate(first)]
    rows += [(f"p{i}", "w2", "t", v, "", "", "") for i, v in enumerate(second)]
    frame = responses(rows)
    (change,) = [c for c in wave_changes(frame, instrument(), group_scores(frame, instrument()))
                 if c.team == "t" and c.dimension == "trust"]  # fmt: skip
    expected = stats.ttest_ind(second, first, equal_var=False)
    assert change.p_value == pytest.approx(expected.pvalue, rel=1e-10)
    assert change.change == pytest.approx(second.mean() - first.mean())


# --- command line ------------------------------------------------------------------------


def test_survey_json_holds_aggregates_only(capsys, tmp_path):
    # Sales answers the last wave with only 3 people: hidden there, shown in the others.
    frame = pd.read_csv(RESPONSES, dtype=str, keep_default_na=False)
    late_sales = frame.index[(frame["team"] == "sales") & (frame["wave"] == "2026-09")]
    thinned = tmp_path / "responses.csv"
    frame.drop(late_sales[3:]).to_csv(thinned, index=False)
    assert main(["survey", str(thinned), "--items", str(ITEMS), "--json"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert {"dimensions", "groups", "waves", "barriers"} <= data.keys()
    assert {"alpha", "alpha_ci", "mean", "favourable", "n"} <= data["dimensions"]["trust"].keys()
    hidden = [g for g in data["groups"] if g["suppressed"]]
    assert {(g["team"], g["wave"]) for g in hidden} >= {("sales", "2026-09")}
    assert all(g["n"] is None and g["mean"] is None for g in hidden)
    ids = pd.read_csv(RESPONSES)["respondent_id"]
    assert not any(respondent in out for respondent in ids)  # no individual appears


def test_survey_bad_files_exit_2(tmp_path, capsys):
    bad = tmp_path / "responses.csv"
    bad.write_text(
        RESPONSES.read_text(encoding="utf-8").replace(
            "supp-000,2026-03,support,3", "supp-000,2026-03,support,9", 1
        )
    )
    assert main(["survey", str(bad), "--items", str(ITEMS)]) == 2
    err = capsys.readouterr().err
    assert "line 2, column aw1: must be a whole number from 1 to 5 or blank, got '9'" in err
    with pytest.raises(SystemExit) as exit_:
        main(["survey", str(RESPONSES), "--items", str(ITEMS), "--min-group", "2"])
    assert exit_.value.code == 2


# --- drivers ---------------------------------------------------------------------------


def test_lmg_shares_add_up_to_r_squared_and_match_squared_correlations_when_orthogonal():
    from roi.culture.drivers import _lmg

    rng = np.random.default_rng(3)
    x = rng.normal(size=(400, 3))
    x -= x.mean(axis=0)
    q, _ = np.linalg.qr(x)  # orthogonal columns
    y = q @ np.array([3.0, 1.0, 0.0]) + rng.normal(0, 0.5, 400)
    shares = _lmg(q, y)
    design = np.column_stack([np.ones(400), q])
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    r2 = 1 - ((y - design @ beta) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    assert shares.sum() == pytest.approx(r2, rel=1e-10)
    correlations = [np.corrcoef(q[:, j], y)[0, 1] ** 2 for j in range(3)]
    assert shares == pytest.approx(correlations, rel=1e-6)


def test_drivers_share_out_r_squared_and_refuse_small_samples():
    from roi.culture.drivers import advocacy_drivers

    items = read_items(ITEMS.read_bytes(), "i")
    frame = read_responses(RESPONSES.read_bytes(), RESPONSES.name, items)
    drivers, note = advocacy_drivers(frame, items)
    assert note is None and drivers.n > 200
    assert sum(d.importance for d in drivers.drivers) == pytest.approx(drivers.r_squared)
    small, note = advocacy_drivers(frame.head(30), items)
    assert small is None and "80 are needed" in note


def test_the_survey_json_has_drivers(capsys):
    assert main(["survey", str(RESPONSES), "--items", str(ITEMS), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["drivers"]["outcome"] == "advocacy" and data["drivers_note"] is None


# --- leaks found in review (issue 8) ---------------------------------------------------


def test_nothing_about_a_survey_of_hidden_groups_leaves_through_alpha_or_counts(capsys, tmp_path):
    rows = team("legal", 4, answer=(5, 1, 10, 5))
    frame = responses(rows)
    report = survey_report(frame, instrument())
    trust = next(d for d in report.dimensions if d.dimension == "trust")
    assert trust.suppressed and trust.alpha is None and trust.alpha_ci is None
    assert trust.alpha_n == 0 and trust.n is None
    assert report.respondents == 0  # the only wave's total is hidden


def test_the_respondent_count_leaves_out_hidden_waves():
    rows = team("a", 20, "w1") + team("legal", 3, "w1") + team("a", 20, "w2") + team("b", 12, "w2")
    rows += team("legal", 3, "w2") + team("c", 3, "w3")
    report = survey_report(responses(rows), instrument())
    assert report.respondents == 20 + 3 + 12  # the people of w1 and w2; w3 (3 people) hidden


def test_counts_do_not_differ_between_dimensions():
    """A hidden team's count cannot be recovered by comparing dimensions where it skipped
    items (total − visible differs by dimension otherwise)."""
    legal = [(f"legal-{i}", "w1", "legal", "", "", 9, 5) for i in range(3)]  # skips trust
    rows = team("a", 20) + team("b", 12) + legal
    groups = scores(rows)
    for dimension in ("trust", "advocacy", "recapture"):
        shown = visible(groups, dimension)
        assert "legal" not in shown and "b" not in shown  # b hides legal in every dimension
        assert shown[ALL_TEAMS].n == 35 and shown["a"].n == 20
    hidden_trust = [g for g in groups if g.dimension == "trust" and g.team == "legal"]
    assert hidden_trust and hidden_trust[0].suppressed  # a record, shown as hidden


def test_the_report_counts_hidden_groups_and_clear_changes():
    rows = [(f"a-{i}", "w1", "a", 2 + i % 2, 4, 5, 5) for i in range(20)]
    rows += [(f"a-{i}", "w2", "a", 4 + i % 2, 2, 9, 5) for i in range(20)]
    rows += team("tiny", 2)
    report = survey_report(responses(rows), instrument())
    assert report.hidden_groups == sum(g.suppressed for g in report.groups) > 0
    clear = {(c.team, c.dimension) for c in report.clear_changes}
    # tiny is hidden, so a is too (complementary); the teams together change clearly.
    assert (ALL_TEAMS, "trust") in clear and all(c.p_adjusted < 0.05 for c in report.clear_changes)
