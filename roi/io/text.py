"""The text of an uploaded file, whatever program wrote it: UTF-8 (with or without a
byte-order mark), UTF-16 (Excel's "Unicode Text" and PowerShell's ``>`` write UTF-16LE with a
byte-order mark; recognised without one by its pattern of NUL bytes), else Windows-1252 (what
Excel on Windows writes), else Latin-1, which decodes every byte. Used by every reader of CSV
and JSON uploads (:func:`decode_upload`) and by the store, which keeps the text
(:func:`decode`)."""

from __future__ import annotations

import codecs

_SAMPLE = 4096  # bytes looked at to recognise UTF-16 without a byte-order mark


def utf16_of(raw: bytes) -> str | None:
    """``utf-16`` when ``raw`` starts with a UTF-16 byte-order mark, ``utf-16-le`` or
    ``utf-16-be`` when it has none but the NUL bytes of mostly-ASCII UTF-16 text (every other
    byte NUL, on one side), else ``None``.

    >>> utf16_of("a,b".encode("utf-16")), utf16_of("a,b\\n".encode("utf-16-be"))
    ('utf-16', 'utf-16-be')
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = raw[: _SAMPLE - _SAMPLE % 2]
    sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 2:
        return None
    pairs = len(sample) // 2
    even = sample[0::2].count(0)  # the high bytes of UTF-16BE text
    odd = sample[1::2].count(0)  # the high bytes of UTF-16LE text
    if odd >= 0.9 * pairs and even <= 0.1 * pairs:
        return "utf-16-le"
    if even >= 0.9 * pairs and odd <= 0.1 * pairs:
        return "utf-16-be"
    return None


def decode_upload(raw: bytes) -> str:
    """The text of an upload; raises ``UnicodeDecodeError`` for a file that looks like UTF-16
    but is not (an odd number of bytes, a broken surrogate pair). Files that hold no
    UTF-16 are decoded as UTF-8, else Windows-1252, else Latin-1."""
    encoding = utf16_of(raw)
    if encoding is not None:
        return raw.decode(encoding)
    for candidate in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(candidate)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def decode(raw: bytes) -> str:
    """The text of ``raw`` as :func:`decode_upload` reads it, never failing: a broken UTF-16
    file has its undecodable bytes replaced (it was refused on upload)."""
    try:
        return decode_upload(raw)
    except UnicodeDecodeError:
        return raw.decode(utf16_of(raw) or "utf-8", errors="replace")
