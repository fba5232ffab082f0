"""What every command group shares: the exit code for bad input (2), option types that turn
a bad value into argparse's usage error, and reading and writing the files a command names
(a problem with one is a :class:`~roi.io.problems.CaseError`, reported without a traceback)."""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from roi.evidence.pilots import parse_mapping
from roi.io.csvtable import parse_number
from roi.io.problems import CaseError, Problem
from roi.io.structured import load_yaml

EXIT_BAD_INPUT = 2


def read_yaml(name: str) -> Any:
    """A YAML file's content (the safe loader's limits; not UTF-8 is a problem)."""
    raw = read_file(name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        message = f"is not UTF-8 text: byte 0x{raw[error.start]:02X} cannot be decoded"
        raise CaseError(name, [Problem("", message)]) from None
    return load_yaml(text, name)


def read_mapping(name: str | None):
    """A pilot column mapping file (YAML), validated; ``None`` when not given."""
    if not name:
        return None
    return parse_mapping(read_yaml(name), name)


def write_text(name: str, text: str) -> None:
    try:
        Path(name).write_text(text, encoding="utf-8")
    except OSError as error:
        raise CaseError(name, [Problem("", f"cannot be written ({error.strerror})")]) from None


def read_file(name: str) -> bytes:
    try:
        return Path(name).read_bytes()
    except OSError as error:
        raise CaseError(name, [Problem("", f"cannot be read ({error.strerror})")]) from None


def parse_share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"must be a share between 0 and 1, got {text!r}") from None
    if not 0 < value < 1:
        raise ValueError(f"must be a share between 0 and 1 (0.8 for 80%), got {text!r}")
    return value


def parse_months(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"must be a number of months, got {text!r}") from None
    if not 0 < value <= 1200:
        raise ValueError(f"must be more than 0 and at most 1,200 months, got {text!r}")
    return value


def as_option(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse type from a parser raising ``ValueError``: the reason becomes the
    usage error (exit 2)."""

    def convert(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return convert


def parse_amount(text: str) -> float:
    try:
        value = parse_number(text, ",")
    except ValueError as error:
        raise ValueError(f"{error}, got {text!r}") from None
    if not (math.isfinite(value) and 0 <= value <= 1e15):
        raise ValueError(f"must be an amount from 0 to 1e15, got {text!r}")
    return value


def parse_positive_amount(text: str) -> float:
    value = parse_amount(text)
    if value <= 0:
        raise ValueError(f"must be an amount > 0, got {text!r}")
    return value


def parse_share_to_one(text: str) -> float:
    """A share above 0 and at most 1 (``0.35``; 1 allowed, unlike :func:`parse_share`)."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"must be a number above 0 and at most 1, got {text!r}") from None
    if not (math.isfinite(value) and 0 < value <= 1):
        raise ValueError(f"must be a number above 0 and at most 1, got {text!r}")
    return value


def count_between(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise ValueError(f"must be a whole number, got {text!r}") from None
        if not low <= value <= high:
            raise ValueError(f"must be from {low:,} to {high:,}, got {value:,}")
        return value

    return parse


def parse_thresholds(text: str) -> tuple[float, float]:
    parts = [p.strip() for p in text.split(",")]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 2 or not all(0 <= v <= 100 for v in values):
        raise ValueError(f"must be VALUE,ACTIONABILITY, each from 0 to 100, got {text!r}")
    return values


def parse_half_life(text: str) -> float:
    value = parse_positive_amount(text)
    if value > 1200:
        raise ValueError(f"must be at most 1200 months, got {text!r}")
    return value


def parse_currency(text: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", text):
        raise ValueError(f"must be a three-letter ISO code such as USD, got {text!r}")
    return text
