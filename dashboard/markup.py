"""Text from files, forms, the store or a link, made safe for Streamlit's Markdown: a name
reads as written and never becomes a link, an image fetched from elsewhere, a formula, a
coloured or icon shortcode. Text we write ourselves stays Markdown.

Imports no other dashboard module, so that any of them may use it."""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|$<>~=:/&@^])")
_SHORTCODE = re.compile(r":(?=[\w+-]+:)")  # :smile:, :material_x:, :streamlit:
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)", re.IGNORECASE)  # http://…, www.…
_LINE_BREAK = re.compile(r"\r\n|[\r\n\u2028\u2029]")
WORD_JOINER = "\u2060"


def plain(text: object) -> str:
    """Text from a file, a form, the store or a link, safe inside Markdown (``st.markdown``,
    captions, headers, alerts, widget labels, help tooltips, expander titles): every
    character Markdown would act on is backslash-escaped, so a name reads as written and
    never becomes a link, an image fetched from elsewhere, a typeset formula (``$``), a
    coloured or icon shortcode (``:red[…]``, ``:material/x:``) or an auto-linked address
    (``http://…``, ``www.…``). Streamlit swaps emoji and icon shortcodes and links bare
    addresses in the text *after* parsing, where escapes are gone, so a word joiner
    (invisible) also follows a colon that would open a shortcode, the ``:`` of ``://`` and
    a ``www``. (An e-mail address may still become a ``mailto:`` link: it fetches nothing,
    and user names are e-mail addresses people copy.) Line breaks become spaces."""
    text = _LINE_BREAK.sub(" ", str(text))
    text = _AUTOLINK.sub(WORD_JOINER, _SHORTCODE.sub(":" + WORD_JOINER, text))
    return _MARKDOWN.sub(r"\\\1", text)


def code(text: object) -> str:
    """Text from a file as an inline code span (monospace, shown verbatim): fenced with
    more backticks than any run inside it, so that a backtick cannot end the span early.
    Streamlit rewrites ``:material/`` anywhere in the source, so a word joiner keeps it."""
    text = _LINE_BREAK.sub(" ", str(text)).replace(":material", ":" + WORD_JOINER + "material")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|$<>~=:/&@^])")


def shown(markdown: object) -> str:
    """The characters a reader sees of text escaped by :func:`plain`: the backslashes and
    word joiners taken out (for tests that compare what a page says)."""
    return _ESCAPED.sub(r"\1", str(markdown)).replace(WORD_JOINER, "")
