"""Issue 20, item 10: a respondent id is compared trimmed and case-folded, so the same person
written ``R-07``, ``r-07`` or ``R-07 `` in one wave is refused as answering twice, naming both
lines (the corpus in tests/data/broken_surveys/, each file refused)."""

from __future__ import annotations

from pathlib import Path

import pytest

from roi.culture.instrument import SurveyError, read_items, read_responses

ROOT = Path(__file__).resolve().parents[2]
ITEMS = ROOT / "sample_data" / "survey" / "survey_items.csv"
BROKEN = ROOT / "tests" / "data" / "broken_surveys"
SMALL_ITEMS = b"item,dimension,text,scale\na1,trust,I trust it.,1-5\n"


def read(text: str):
    instrument = read_items(SMALL_ITEMS, "items.csv")
    return read_responses(text.encode(), "responses.csv", instrument)


@pytest.mark.parametrize("again", ["r-07", "R-07 ", '" r-07 "', "R-07\t"])
def test_item10_respondent_id_case_folded(again):
    with pytest.raises(SurveyError) as caught:
        read(f"respondent_id,wave,team,a1\nR-07,w1,t,4\nR-08,w1,t,3\n{again},w1,t,2\n")
    (problem,) = caught.value.problems
    assert problem.where == "line 4, column respondent_id"
    assert "answers wave 'w1' again (first on line 2" in problem.message
    if again.strip(' "\t') != "R-07":
        assert "as 'R-07'; ids are not case-sensitive" in problem.message


def test_item10_the_same_id_in_another_wave_is_the_same_person_answering_again():
    frame = read("respondent_id,wave,team,a1\nR-07,w1,t,4\nr-07,w2,t,3\n")
    assert list(frame["respondent_id"]) == ["R-07", "r-07"]  # kept as written


@pytest.mark.parametrize("path", sorted(BROKEN.glob("*.csv")), ids=lambda p: p.name)
def test_item10_every_broken_survey_is_refused_naming_both_lines(path):
    instrument = read_items(ITEMS.read_bytes(), ITEMS.name)
    with pytest.raises(SurveyError) as caught:
        read_responses(path.read_bytes(), str(path), instrument)
    assert caught.value.problems
    for problem in caught.value.problems:
        assert problem.where.startswith("line ") and problem.where.endswith("respondent_id")
        assert "again (first on line " in problem.message
