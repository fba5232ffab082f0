"""Text from files in plotly figures. Plotly draws labels, titles, legend names, tick labels,
annotations and hover text through a small HTML subset (``<a href>``, ``<b>``, ``<br>``,
``<i>``, ``<span style>``, ``<sub>``, ``<sup>``), fills ``%{…}`` in hover templates, and
typesets ``$…$`` when a page has MathJax. A name from a file is text: :func:`chart_text`
turns it into what plotly shows verbatim."""

from __future__ import annotations

from collections.abc import Iterable

_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "$": "&#36;",  # no $…$ formula
    "{": "&#123;",  # no %{…} in a hover template
    "\r": " ",
    "\n": " ",
}
_TABLE = str.maketrans(_ENTITIES)


def chart_text(text: object) -> str:
    """``text`` as plotly shows it verbatim: ``&``, ``<``, ``>``, ``$`` and ``{`` written as
    entities (plotly turns entities back into characters when it draws), line breaks as
    spaces."""
    return str(text).translate(_TABLE)


def chart_texts(texts: Iterable[object]) -> list[str]:
    """:func:`chart_text` of each."""
    return [chart_text(text) for text in texts]
