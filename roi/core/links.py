"""A page's controls in its address, so that a link reopens what its sender saw: numbers
written with ``repr`` (they round-trip exactly), only those that differ from the page's
defaults, and a link read back within each control's bounds — a value that is not a finite
number or lies outside them is ignored with the reason, so a stale or hand-edited link still
opens on valid figures. The Scenario explorer's levers have their own reader
(:func:`roi.core.scenario.levers_from_query`); the Infrastructure and Quick wins pages use
these.
"""

from __future__ import annotations

import math
from collections.abc import Mapping


def query_of(
    values: Mapping[str, float | None],
    keys: Mapping[str, str],
    defaults: Mapping[str, float | None],
) -> dict[str, str]:
    """Query parameters (``keys[name]`` → text) of the values that differ from their
    defaults.

    >>> query_of({"a": 0.5, "b": 2.0}, {"a": "ceiling", "b": "peak"}, {"a": 0.5, "b": 1.5})
    {'peak': '2.0'}
    """
    return {
        keys[name]: repr(float(value))
        for name, value in values.items()
        if name in keys and value is not None and value != defaults.get(name)
    }


def values_from_query(
    query: Mapping[str, str],
    keys: Mapping[str, str],
    bounds: Mapping[str, tuple[float, float]],
    elsewhere: str = "here",
) -> tuple[dict[str, float], tuple[str, ...]]:
    """The values a link gives (by name) and, for each parameter ignored, why. Parameters
    the page does not know are left alone; a control the page does not show now (its bounds
    are missing) is ignored: it "does not apply" ``elsewhere``.

    >>> values_from_query({"peak": "2", "cache": "x", "volume": "9"},
    ...                   {"b": "peak", "c": "cache", "v": "volume"},
    ...                   {"b": (1.0, 4.0), "c": (0.0, 0.9), "v": (0.25, 4.0)})
    ({'b': 2.0}, ("cache='x' is not a number", 'volume=9 is outside 0.25 to 4'))
    """
    values: dict[str, float] = {}
    ignored = []
    for name, key in keys.items():
        if key not in query:
            continue
        text = query[key]
        try:
            value = float(text)
        except ValueError:
            ignored.append(f"{key}={text!r} is not a number")
            continue
        if name not in bounds:
            ignored.append(f"{key} does not apply {elsewhere}")
            continue
        low, high = bounds[name]
        if not math.isfinite(value) or not low <= value <= high:
            ignored.append(f"{key}={text} is outside {low:g} to {high:g}")
            continue
        values[name] = value
    return values, tuple(ignored)
