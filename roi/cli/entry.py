"""Command line: ``python -m roi COMMAND``. Each command parses its options, calls the
engine and prints; problems with input go to stderr with exit code 2, never a traceback.
The parser is assembled from one group of commands per domain module of this package.

Exit codes: 0 done; 1 the reader of the output went away (``| head``: the rest is dropped
quietly, as the Python documentation advises for SIGPIPE) or the database failed; 2 bad
input. Bad input is a :class:`~roi.io.problems.CaseError` (every problem of a file listed)
or, as a last resort, one of :data:`BAD_INPUT_ERRORS` that a reader let through (input
nested or sized beyond what Python can process, text that cannot be decoded, a number too
large to compute with): reported with the files the command was given and the error's own
words. Any other exception is a bug and keeps its traceback."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from roi.cli.adoption import add_adoption_command
from roi.cli.cases import add_case_commands
from roi.cli.common import (
    EXIT_BAD_INPUT,
)
from roi.cli.culture import add_survey_command
from roi.cli.db import add_db_commands
from roi.cli.evidence import add_pilot_commands
from roi.cli.impact import add_impact_command
from roi.cli.portfolio import add_portfolio_commands
from roi.cli.tools import add_tools_commands
from roi.io.problems import CaseError, Problem

EXIT_BROKEN_PIPE = 1
PROG = "python -m roi"
# Exceptions that, escaping a command, mean its input could not be processed (not a bug in
# the command): exit 2 with a message, no traceback.
BAD_INPUT_ERRORS = (RecursionError, MemoryError, UnicodeError, OverflowError)
_NOT_INPUTS = {"command", "run", "csv", "xlsx", "pdf", "database_url", "user"}


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: one group of commands per domain, each registered by its
    own module."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="AI business cases: NPV, IRR, ROI and payback from case files.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_case_commands(commands)
    add_pilot_commands(commands)
    add_portfolio_commands(commands)
    add_adoption_command(commands)
    add_tools_commands(commands)
    add_survey_command(commands)
    add_impact_command(commands)
    add_db_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit code. Output piped into a reader that stops early
    (``| head -1``) ends with exit code 1 and no ``BrokenPipeError`` traceback."""
    try:
        try:
            code = _main(argv)
        finally:
            if sys.stdout is not None:
                sys.stdout.flush()  # a reader that left is found here, not at exit
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    return code


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "max_projects", None) is not None and args.budget is None:
        parser.error("--max-projects needs --budget")
    if args.command == "rank" and (args.survey is None) != (args.survey_items is None):
        parser.error("--survey and --survey-items go together")
    try:
        return args.run(args)
    except CaseError as error:
        print(error.report(), file=sys.stderr)
        return EXIT_BAD_INPUT
    except BAD_INPUT_ERRORS as error:
        print(unprocessable(args, error).report(), file=sys.stderr)
        return EXIT_BAD_INPUT


def unprocessable(args: argparse.Namespace, error: BaseException) -> CaseError:
    """The report of an input that escaped its reader's checks as ``error`` (one of
    :data:`BAD_INPUT_ERRORS`), naming the files the command was given."""
    detail = " ".join(str(error).split())
    kind = type(error).__name__
    if isinstance(error, UnicodeEncodeError):
        encoding = getattr(sys.stdout, "encoding", None) or error.encoding
        message = (
            f"the output cannot be written in this terminal's encoding ({encoding}): set"
            f" PYTHONIOENCODING=utf-8 ({kind}: {detail})"
        )
        return CaseError(f"{PROG} {args.command}", [Problem("", message)])
    if isinstance(error, RecursionError):
        message = f"is nested too deeply to be read ({kind})"
    elif isinstance(error, MemoryError):
        message = f"is too large to be processed in the memory available ({kind})"
    elif isinstance(error, UnicodeError):
        message = f"holds text that cannot be decoded ({kind}: {detail})"
    else:
        message = f"holds a number too large to compute with ({kind}: {detail})"
    files = _input_files(args)
    source = ", ".join(files) if files else f"{PROG} {args.command}"
    return CaseError(source, [Problem("", message)])


def _input_files(args: argparse.Namespace) -> list[str]:
    """The command's arguments that name existing files (its inputs), in order."""
    found = []
    for key, value in vars(args).items():
        if key in _NOT_INPUTS or not isinstance(value, str):
            continue
        try:
            if Path(value).is_file():
                found.append(value)
        except (OSError, ValueError):  # a name too long, a NUL byte: not a file
            continue
    return found


def _silence_stdout() -> None:
    """Point standard output at the null device, so that the interpreter's last flush at
    exit has somewhere to go (https://docs.python.org/3/library/signal.html#note-on-sigpipe)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # captured output has no descriptor
        pass
    finally:
        os.close(devnull)
