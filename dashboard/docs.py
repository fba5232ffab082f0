"""The methodology text, taken from the manual's ``docs/methodology.md`` so that the app and
the docs site can never say different things (tests check that page against the engine)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

METHODOLOGY = Path(__file__).resolve().parents[1] / "docs" / "methodology.md"

# A link to another section or page of the manual: "#payback", "file-formats.md#case-files",
# "verification.md". Links with a scheme (https:, mailto:) are kept.
_INTERNAL_LINK = re.compile(r"\[([^\]]+)\]\((?![a-z][a-z0-9+.-]*:)[^)\s]*\)")


@cache
def methodology_markdown() -> str:
    """The manual's *Methodology* page, without its own ``# Methodology`` title."""
    text = METHODOLOGY.read_text(encoding="utf-8")
    match = re.match(r"\s*# Methodology\s*$(.*)", text, flags=re.M | re.S)
    if match is None:
        raise LookupError(f"{METHODOLOGY} does not open with '# Methodology'")
    # Other sections and pages of the manual do not exist in the app: keep their text only.
    return _INTERNAL_LINK.sub(r"\1", match.group(1)).strip()
