"""The methodology text, taken from the README so that the app and the repository can never
say different things (tests check the README against the engine)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


@cache
def methodology_markdown() -> str:
    """The README's *Methodology* section, without its own heading."""
    text = README.read_text(encoding="utf-8")
    match = re.search(r"^## Methodology\s*$(.*?)(?=^## )", text, flags=re.M | re.S)
    if match is None:
        raise LookupError("README.md has no '## Methodology' section")
    # Links to other README sections do not exist on the page: keep their text only.
    return re.sub(r"\[([^\]]+)\]\(#[^)]+\)", r"\1", match.group(1)).strip()
