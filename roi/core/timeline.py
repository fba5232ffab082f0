"""The case's calendar: period 0 (*Initial*) and months 1..12·H."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

_START = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
FIRST_YEAR, LAST_YEAR = 1900, 2199
START_RULE = (
    f"must be a month written YYYY-MM between {FIRST_YEAR}-01 and {LAST_YEAR}-12, e.g. 2027-01"
)


def parse_start(text: str) -> tuple[int, int]:
    """Parse a ``YYYY-MM`` start month into ``(year, month)``.

    >>> parse_start("2027-01")
    (2027, 1)
    """
    match = _START.fullmatch(text)
    if match is None or not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        raise ValueError(f"{START_RULE}, got {text!r}")
    return int(match.group(1)), int(match.group(2))


@dataclass(frozen=True)
class Timeline:
    """Periods of a case: 0 is *Initial* (dated the first day of the start month, never
    discounted), then months 1..12·H, each dated the last day of its month.

    Attributes
    ----------
    start_year, start_month : int
        The calendar month in which the case starts.
    horizon_years : int
        H, the number of years after the initial period.
    """

    start_year: int
    start_month: int
    horizon_years: int

    @property
    def horizon_months(self) -> int:
        return 12 * self.horizon_years

    @property
    def periods(self) -> int:
        """Number of periods including period 0: 12·H + 1."""
        return self.horizon_months + 1

    @cached_property
    def year_of_period(self) -> np.ndarray:
        """Year index (1..H) of each period; 0 for period 0 (read-only)."""
        years = np.concatenate(([0], np.repeat(np.arange(1, self.horizon_years + 1), 12)))
        years.flags.writeable = False
        return years

    @cached_property
    def period_index(self) -> np.ndarray:
        """0, 1, …, 12·H (read-only)."""
        index = np.arange(self.periods)
        index.flags.writeable = False
        return index

    def dates(self) -> list[dt.date]:
        """Date of each period: the start for period 0, month ends after."""
        out = [dt.date(self.start_year, self.start_month, 1)]
        for m in range(self.horizon_months):
            index = self.start_month - 1 + m
            year, month = self.start_year + index // 12, index % 12 + 1
            out.append(dt.date(year, month, calendar.monthrange(year, month)[1]))
        return out
