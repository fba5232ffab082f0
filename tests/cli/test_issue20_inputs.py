"""Issue 20, items 9 and 10, on the command line: inputs that crashed it or slipped through.

- Deeply nested JSON and YAML (case files, adoption exports, pilot column mappings), alias
  bombs and self-referring aliases are refused with a message and exit 2, never a
  ``RecursionError`` traceback, and ``db import`` stores nothing of them (corpus:
  ``tests/data/broken_cases/``, ``broken_adoption_nesting/``, ``broken_mappings/``).
- Output piped into a reader that stops early (``| head -1``) ends quietly with exit 1.
- The exceptions a reader may let through on bad input (RecursionError, MemoryError,
  UnicodeError, OverflowError) exit 2 with a message; any other exception is a bug and
  keeps its traceback.
- A respondent id repeated in a wave by case or spaces is refused naming both lines
  (``broken_surveys/``); ``roi rank`` refuses a case file outside the register's folder, as
  ``db import use-cases`` and the dashboard do.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from roi.cli import EXIT_BAD_INPUT, entry, main
from roi.store import Store

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
DATA = ROOT / "tests" / "data"
ITEMS = SAMPLE / "survey" / "survey_items.csv"
PILOTS = SAMPLE / "pilot_observations.csv"
ADOPTION_CSV = SAMPLE / "adoption" / "adoption.csv"
TOO_DEEP = "is nested too deeply (more than 64 levels)"

NESTED_CASES = sorted(
    p for p in (DATA / "broken_cases").iterdir() if p.name.startswith(("nested_", "alias_"))
)
ADOPTION = sorted((DATA / "broken_adoption_nesting").iterdir())
MAPPINGS = sorted((DATA / "broken_mappings").iterdir())
SURVEYS = sorted((DATA / "broken_surveys").iterdir())
OUTSIDE_REGISTERS = sorted(
    p
    for p in (DATA / "broken_registers").glob("*.csv")
    if p.name.startswith(("case_file_outside", "case_file_backslash", "case_file_drive"))
)


def python_m_roi(*args: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "roi", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
        **options,
    )


def refused(capsys, args: list[str], source: Path) -> str:
    code = main(args)
    out, err = capsys.readouterr()
    assert code == EXIT_BAD_INPUT, (source, out, err)
    assert err.startswith(str(source)), err
    assert "Traceback" not in err
    return err


def import_refused(
    capsys, tmp_path, kind: str, source: Path, *extra: str, named: Path | None = None
) -> None:
    """``db import`` exits 2 naming the file (or ``named``, the companion file at fault)
    and stores nothing, not even an event."""
    url = f"sqlite:///{tmp_path / 'throwaway.sqlite3'}"
    args = ["db", "import", kind, str(source), *extra, "--database-url", url, "--user", "ana"]
    refused(capsys, args, named or source)
    store = Store(url)
    try:
        assert store.datasets() == [] and store.events() == []
    finally:
        store.close()


# Item 9: nesting -----------------------------------------------------------------------------


def test_item9_the_corpus_holds_every_kind_of_nesting():
    names = {p.name for p in NESTED_CASES}
    assert {"nested_too_deep.json", "nested_very_deep.json", "nested_too_deep.yaml"} <= names
    assert {"alias_bomb.yaml", "alias_self_reference.yaml"} <= names
    assert len(ADOPTION) >= 3 and len(MAPPINGS) >= 5


def test_item9_nested_json_case_refused(capsys):
    source = DATA / "broken_cases" / "nested_very_deep.json"
    err = refused(capsys, ["evaluate", str(source)], source)
    assert f"line 1, column 73: {TOO_DEEP}" in err


def test_item9_nested_yaml_case_refused_by_the_real_process():
    source = DATA / "broken_cases" / "nested_flow_very_deep.yaml"
    done = python_m_roi("evaluate", "--json", str(source))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"{source}: 1 problem\n  {source}: line 3, column 74: {TOO_DEEP}\n"


@pytest.mark.parametrize("source", NESTED_CASES, ids=lambda p: p.name)
def test_item9_nested_case_files_are_refused_by_every_command_and_not_stored(
    source, capsys, tmp_path
):
    for command in ("evaluate", "simulate", "sensitivity", "infra"):
        refused(capsys, [command, str(source)], source)
    import_refused(capsys, tmp_path, "case", source)


@pytest.mark.parametrize("source", ADOPTION, ids=lambda p: p.name)
def test_item9_nested_adoption_export_refused_and_not_stored(source, capsys, tmp_path):
    err = refused(capsys, ["adoption", str(source), "--json"], source)
    expected = "4,300 digits" if "digits" in source.name else "nested too deeply"
    assert expected in err
    import_refused(capsys, tmp_path, "adoption", source)


@pytest.mark.parametrize("source", MAPPINGS, ids=lambda p: p.name)
def test_item9_broken_mapping_yaml_refused_and_not_stored(source, capsys, tmp_path):
    refused(capsys, ["pilots", str(PILOTS), "--mapping", str(source)], source)
    import_refused(capsys, tmp_path, "pilots", PILOTS, "--mapping", str(source), named=source)


def test_item9_a_mapping_repeating_a_key_is_refused_not_silently_overridden(capsys):
    source = DATA / "broken_mappings" / "duplicate_key.yaml"
    err = refused(capsys, ["pilots", str(PILOTS), "--mapping", str(source)], source)
    assert "line 3, column 1: duplicate key 'columns' (first given on line 1)" in err


def test_item9_alias_bomb_refused_quickly(capsys):
    source = DATA / "broken_mappings" / "alias_bomb.yaml"
    err = refused(capsys, ["pilots", str(PILOTS), "--mapping", str(source)], source)
    assert "aliases expand it to more than 1,000,000 values" in err


# Item 9: a reader that goes away -------------------------------------------------------------


def test_item9_broken_pipe():
    """stdout is a pipe whose reader has already gone: the first write fails (EPIPE)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "roi",
                "adoption",
                "sample_data/adoption/adoption.csv",
                "--json",
            ],
            cwd=ROOT,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.returncode == entry.EXIT_BROKEN_PIPE == 1
    assert done.stderr == ""  # no BrokenPipeError, no "Exception ignored" at exit


def test_item9_broken_pipe_into_head_as_the_issue_shows():
    """The issue's own command: 100 kB of JSON into ``head -1``, which stops after a line."""
    command = f"{sys.executable} -m roi adoption sample_data/adoption/adoption.csv --json | head -1"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stdout == "{\n"
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
    assert done.returncode in (0, 1)  # 0 only if every byte fitted the pipe before head left


def test_item9_help_into_a_closed_pipe_is_quiet():
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "roi", "--help"],
            cwd=ROOT,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


# Item 9: the last resort for bad input -------------------------------------------------------


def _raising(error: BaseException):
    def run(args):
        raise error

    return run


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (RecursionError("maximum recursion depth exceeded"), "is nested too deeply to be read"),
        (MemoryError(), "is too large to be processed in the memory available"),
        (
            UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
            "holds text that cannot be decoded (UnicodeDecodeError",
        ),
        (OverflowError("math range error"), "holds a number too large to compute with"),
    ],
    ids=["recursion", "memory", "unicode", "overflow"],
)
def test_item9_bad_input_errors_exit_2_naming_the_file(error, message, monkeypatch, capsys):
    source = SAMPLE / "cases" / "lead_scoring.yaml"
    parser = entry.build_parser()
    real = parser.parse_args

    def parse(argv=None, namespace=None):
        args = real(argv, namespace)
        args.run = _raising(error)
        return args

    monkeypatch.setattr(parser, "parse_args", parse)
    monkeypatch.setattr(entry, "build_parser", lambda: parser)
    code = main(["evaluate", str(source)])
    out, err = capsys.readouterr()
    assert code == EXIT_BAD_INPUT and out == ""
    assert err.startswith(f"{source}: 1 problem\n  {source}: {message}"), err
    assert "Traceback" not in err


def test_item9_a_genuine_bug_still_surfaces(monkeypatch):
    parser = entry.build_parser()
    real = parser.parse_args

    def parse(argv=None, namespace=None):
        args = real(argv, namespace)
        args.run = _raising(KeyError("a bug"))
        return args

    monkeypatch.setattr(parser, "parse_args", parse)
    monkeypatch.setattr(entry, "build_parser", lambda: parser)
    with pytest.raises(KeyError, match="a bug"):
        main(["evaluate", str(SAMPLE / "cases" / "lead_scoring.yaml")])


def test_item9_output_a_terminal_cannot_encode_exits_2_with_advice():
    env = {**os.environ, "PYTHONIOENCODING": "ascii:strict"}
    done = python_m_roi("rank", "sample_data/use_cases.csv", "--draws", "0", env=env)
    if done.returncode == 0:
        pytest.skip("the ranking's text happens to be ASCII")
    assert done.returncode == 2
    assert "PYTHONIOENCODING=utf-8" in done.stderr and "Traceback" not in done.stderr


# Item 10 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", SURVEYS, ids=lambda p: p.name)
def test_item10_respondent_id_case_folded(source, capsys, tmp_path):
    err = refused(capsys, ["survey", str(source), "--items", str(ITEMS)], source)
    assert "answers wave '2026-03' again (first on line 2" in err
    import_refused(capsys, tmp_path, "survey", source, "--items", str(ITEMS))


def test_item10_respondent_id_differing_by_case_names_both_lines(capsys):
    source = DATA / "broken_surveys" / "respondent_id_differing_case.csv"
    err = refused(capsys, ["survey", str(source), "--items", str(ITEMS)], source)
    assert (
        "line 5, column respondent_id: respondent 'SUPP-000' answers wave '2026-03' again"
        " (first on line 2 as 'supp-000'; ids are not case-sensitive)"
    ) in err


@pytest.mark.parametrize("source", OUTSIDE_REGISTERS, ids=lambda p: p.name)
def test_item10_rank_refuses_path_outside_folder(source, capsys, tmp_path):
    err = refused(capsys, ["rank", str(source), "--draws", "0"], source)
    assert "line 2, column case_file: must name a case file inside the case folder" in err
    import_refused(capsys, tmp_path, "use-cases", source)


def test_item10_rank_refuses_a_symbolic_link_leading_out(capsys, tmp_path):
    folder = tmp_path / "register"
    folder.mkdir()
    (folder / "cases").symlink_to(SAMPLE / "cases")
    source = folder / "use_cases.csv"
    source.write_text((SAMPLE / "use_cases.csv").read_text(encoding="utf-8"), encoding="utf-8")
    err = refused(capsys, ["rank", str(source), "--draws", "0"], source)
    assert "a symbolic link leads out of the folder" in err
    import_refused(capsys, tmp_path, "use-cases", source)
