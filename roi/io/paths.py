"""The one rule for a path written inside a file (a register's ``case_file``): it names a
file inside the folder the file is read against, wherever it is read (``roi rank``,
``roi db import use-cases``, the dashboard), so that a register cannot make any of them
read, show or store a file from elsewhere.

A written path is refused when it

- is absolute (``/etc/…``, ``//server/share``) or starts with a drive (``C:``);
- holds a backslash (write ``/`` between folders, on every system);
- holds a ``..`` part, even one that would come back inside;
- holds a NUL character or is longer than :data:`MAX_PATH_CHARACTERS`;
- leads outside the folder once symbolic links are followed.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

MAX_PATH_CHARACTERS = 1024
_DRIVE = re.compile(r"^[A-Za-z]:")


class OutsideFolder(ValueError):
    """A written path that the rule refuses; the message says why (to follow "must name a
    file inside the folder: ")."""


def inside(root: Path, written: str) -> Path:
    """The file that ``written`` (a path as a file gives it, ``/`` between folders) names
    inside the folder ``root``, symbolic links followed. Whether the file exists is the
    caller's to check.

    Raises
    ------
    OutsideFolder
        Naming the part of the rule that ``written`` breaks.
    """
    if "\x00" in written:
        raise OutsideFolder("a path must not hold a NUL character")
    if len(written) > MAX_PATH_CHARACTERS:
        raise OutsideFolder(f"a path must have at most {MAX_PATH_CHARACTERS:,} characters")
    if "\\" in written:
        raise OutsideFolder("write / between folders, not a backslash")
    if _DRIVE.match(written):
        raise OutsideFolder("a path relative to the folder, not one on a drive")
    pure = PurePosixPath(written)
    if pure.is_absolute():
        raise OutsideFolder("a path relative to the folder, not an absolute one")
    if ".." in pure.parts:
        raise OutsideFolder("a path must not climb out with '..'")
    base = Path(root).resolve()
    try:
        path = (base / pure).resolve()
    except (OSError, RuntimeError) as error:  # a loop of symbolic links
        raise OutsideFolder(f"the path cannot be followed ({error})") from None
    if not path.is_relative_to(base):
        raise OutsideFolder("a symbolic link leads out of the folder")
    return path
