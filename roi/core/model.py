"""Shared pieces of the case-file models: configuration and constrained number types."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field

# Strict: YAML `yes` or "12" must not silently become a number; extra keys are errors.
MODEL_CONFIG = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)

MAX_AMOUNT = 1e15
NonNegative = Annotated[float, Field(ge=0, le=MAX_AMOUNT)]
"""A money amount or count, ≥ 0 and at most 10^15 (so products of inputs stay finite)."""

Fraction = Annotated[float, Field(ge=0, le=1)]
"""A share as a fraction in [0, 1] (0.25 is 25 %)."""

AnnualChange = Annotated[float, Field(ge=-0.9, le=10)]
"""A yearly growth or escalation rate as a fraction (0.03 is +3 % a year)."""

Month = Annotated[int, Field(ge=1, le=1200)]
"""A month of the horizon, 1-based (month 1 is the first month after the start)."""
