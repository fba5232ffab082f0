"""The problem type every reader reports with: a :class:`Problem` says where (a field path,
``line N``, or ``line N, column C``) and what, and a :class:`CaseError` (the base of every
input-file error: case files, CSV tables, pilot files, registers, telemetry, surveys) lists
every problem of one source in one message. Nothing from a rejected file is kept, and the
CLI turns these into exit code 2 with no traceback."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in a case: where (a field path, or ``line N`` for syntax) and what."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class CaseError(Exception):
    """A case that cannot be used; ``problems`` lists every problem found."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        super().__init__(self.report())

    def report(self) -> str:
        """One message listing each problem, one line each, prefixed with the source."""
        count = len(self.problems)
        head = f"{self.source}: {count} problem{'s' if count != 1 else ''}"
        return "\n".join([head, *(f"  {self.source}: {problem}" for problem in self.problems)])
