"""Issue 20, item 9: JSON and YAML are read within limits (roi.io.structured): nesting up to
64 levels and no deeper, no alias bomb or self-referring alias, repeated keys refused,
values Python cannot build refused with their place; and the one rule for paths written in
files (roi.io.paths), item 10."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from roi.core.casefile import load_case_text
from roi.core.pricing import PricingFileError, load_presets
from roi.io.paths import OutsideFolder, inside
from roi.io.problems import CaseError
from roi.io.structured import MAX_DEPTH, id_key, json_depth_problem, load_json, load_yaml

TOO_DEEP = "is nested too deeply (more than 64 levels)"


def nested_json(levels: int) -> str:
    return "[" * levels + "]" * levels


def nested_yaml(levels: int) -> str:
    return "\n".join("  " * depth + "a:" for depth in range(levels)) + " 1\n"


def test_item9_sixty_four_levels_are_read_and_sixty_five_refused():
    assert MAX_DEPTH == 64
    assert load_json(nested_json(64), "j") is not None
    with pytest.raises(CaseError) as caught:
        load_json(nested_json(65), "j")
    assert [str(p) for p in caught.value.problems] == [f"line 1, column 65: {TOO_DEEP}"]
    assert load_yaml(nested_yaml(64), "y") is not None
    with pytest.raises(CaseError) as caught:
        load_yaml(nested_yaml(65), "y")
    assert [str(p) for p in caught.value.problems] == [f"line 65, column 129: {TOO_DEEP}"]


def test_item9_brackets_inside_json_strings_do_not_count():
    text = '{"a": "' + "[" * 500 + '\\"' + "{" * 500 + '", "b": [1]}'
    assert json_depth_problem(text) is None
    assert load_json(text, "j")["b"] == [1]


def test_item9_the_json_scan_is_linear_even_for_an_unterminated_string():
    text = '"' + '\\"' * 500_000  # each escaped quote could start a string: no rescanning
    started = time.perf_counter()
    assert json_depth_problem(text) is None
    assert time.perf_counter() - started < 2
    with pytest.raises(CaseError, match="invalid JSON: Unterminated string"):
        load_json(text, "j")


def test_item9_a_deep_json_case_is_refused_before_the_decoder_recurses():
    raw = ('{"name": "x", "start": "2027-01", "benefits": ' + "[" * 200_000).encode()
    with pytest.raises(CaseError) as caught:
        load_case_text(raw, "deep.json")
    assert [str(p) for p in caught.value.problems] == [f"line 1, column 110: {TOO_DEEP}"]


def test_item9_yaml_aliases_within_reason_and_merge_keys_still_read():
    text = (
        "base: &base {a: 1, b: 2}\n"
        "one: {<<: *base, b: 3}\n"
        "list: &list [1, 2, 3]\n"
        "again: [*list, *list]\n"
    )
    data = load_yaml(text, "y")
    assert data["one"] == {"a": 1, "b": 3}
    assert data["again"] == [[1, 2, 3], [1, 2, 3]]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &a [1, *a]\n", "an alias refers to a list or mapping that contains it"),
        ("a: &a {b: *a}\n", "an alias refers to a list or mapping that contains it"),
        (
            "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(f"l{k}: &l{k} [{', '.join([f'*l{k - 1}'] * 10)}]\n" for k in range(1, 7)),
            "its aliases expand it to more than 1,000,000 values",
        ),
        (
            "c0: &c0 [1]\n" + "".join(f"c{k}: &c{k} [*c{k - 1}]\n" for k in range(1, 70)),
            f"{TOO_DEEP} through aliases",
        ),
    ],
    ids=["list-loop", "mapping-loop", "bomb", "deep-through-aliases"],
)
def test_item9_yaml_alias_tricks_are_refused(text, message):
    started = time.perf_counter()
    with pytest.raises(CaseError) as caught:
        load_yaml(text, "y")
    assert time.perf_counter() - started < 5
    (problem,) = caught.value.problems
    assert message in problem.message


def test_item9_repeated_keys_are_refused_with_their_lines_and_paths():
    with pytest.raises(CaseError) as caught:
        load_yaml("a: 1\nb: {c: 1, c: 2}\na: 3\n", "y")
    assert [p.where for p in caught.value.problems] == ["line 2, column 11", "line 3, column 1"]
    with pytest.raises(CaseError) as caught:
        load_json('{"a": 1, "b": {"c": 1, "c": 2}, "a": 3}', "j")
    assert sorted(p.where for p in caught.value.problems) == ["a", "b.c"]
    assert load_json('{"a": 1, "a": 2}', "j", duplicate_keys=True) == {"a": 2}


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("d: 2027-02-30\n", "line 1, column 4", "'2027-02-30' cannot be read as a date"),
        ("n: " + "9" * 5000 + "\n", "line 1, column 4", "has more than 4,300 digits"),
    ],
    ids=["date", "digits"],
)
def test_item9_yaml_values_python_cannot_build_are_refused(text, where, message):
    with pytest.raises(CaseError) as caught:
        load_yaml(text, "y")
    (problem,) = caught.value.problems
    assert problem.where == where and message in problem.message, problem


def test_item9_the_error_class_is_the_callers():
    class MappingError(CaseError):
        pass

    with pytest.raises(MappingError):
        load_yaml("[" * 100, "m", error=MappingError)
    with pytest.raises(MappingError):
        load_json("[" * 100, "m", error=MappingError)


def test_item9_a_pricing_file_nested_too_deeply_is_the_maintainers_error(tmp_path):
    path = tmp_path / "pricing.yaml"
    path.write_text("presets: " + "[" * 1000 + "\n", encoding="utf-8")
    with pytest.raises(PricingFileError, match="nested too deeply"):
        load_presets(str(path))


def test_item10_ids_compare_trimmed_and_case_folded():
    assert id_key("UC-01") == id_key("uc-01 ") == id_key(" Uc-01\t")
    assert id_key("Straße") == id_key("STRASSE")
    assert id_key("UC-01") != id_key("UC-1")


def test_item10_the_path_rule(tmp_path):
    root = tmp_path / "register"
    (root / "cases").mkdir(parents=True)
    assert inside(root, "cases/a.yaml") == (root / "cases" / "a.yaml").resolve()
    assert inside(root, "./cases/a.yaml") == (root / "cases" / "a.yaml").resolve()
    for written, reason in [
        ("cases/../../a.yaml", "'..'"),
        ("cases/../a.yaml", "'..'"),
        ("/etc/passwd.yaml", "absolute"),
        ("cases\\a.yaml", "backslash"),
        ("D:a.yaml", "drive"),
        ("cases/a\x00.yaml", "NUL"),
    ]:
        with pytest.raises(OutsideFolder, match=reason):
            inside(root, written)
    (root / "out").symlink_to(tmp_path)
    with pytest.raises(OutsideFolder, match="symbolic link"):
        inside(root, "out/a.yaml")
    (root / "loop").symlink_to(root / "loop")
    with pytest.raises(OutsideFolder):
        inside(Path(root), "loop/a.yaml")
