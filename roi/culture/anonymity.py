"""The anonymity rule of the culture survey: which group figures are hidden. Every figure
the package shows passes through here, so this module is the rule to audit.

Conventions:

- No figure, not even the count, for a group with fewer respondents than the minimum group
  size (:data:`MIN_GROUP_DEFAULT` unless set; never below :data:`MIN_GROUP_FLOOR`).
- **Complementary suppression**: within each wave and dimension, when the hidden teams could
  be recovered from the total (one hidden team, or hidden teams with fewer respondents
  together than the minimum), the smallest visible teams are hidden too until they cannot
  (:func:`suppress`); the same holds for waves within the whole-survey figures.
- A team shown in a wave but with fewer answers than the minimum on one dimension (or item)
  is hidden on it, and the complementary rule runs again from there (:func:`hide_sparse`).
- A total is hidden when fewer than the minimum answered, or when the total less the shown
  teams would give the hidden teams' answers for fewer than the minimum
  (:func:`total_hidden`).
- Individual answers never leave the package: the report holds aggregates only.
"""

from __future__ import annotations

MIN_GROUP_DEFAULT = 5
MIN_GROUP_FLOOR = 3


def check_min_group(min_group: int) -> None:
    """Refuse a minimum group size below :data:`MIN_GROUP_FLOOR`.

    Raises
    ------
    ValueError
        When ``min_group`` is below the floor.
    """
    if min_group < MIN_GROUP_FLOOR:
        raise ValueError(f"the minimum group size is at least {MIN_GROUP_FLOOR}, got {min_group}")


def suppress(counts: dict[str, int], min_group: int, start: set[str] | None = None) -> set[str]:
    """Groups to hide among parts of a visible total: those below ``min_group``, then the
    smallest others until the hidden set is empty or has at least two groups holding at
    least ``min_group`` respondents together (so that total − visible parts reveals no
    group and no group of fewer than ``min_group``).

    >>> sorted(suppress({"a": 40, "b": 12, "legal": 3}, 5))
    ['b', 'legal']
    >>> sorted(suppress({"a": 40, "b": 12}, 5))
    []
    """
    hidden = {group for group, n in counts.items() if n < min_group} | (
        (start or set()) & set(counts)
    )
    visible = sorted((n, group) for group, n in counts.items() if group not in hidden)
    while hidden and visible and (len(hidden) < 2 or sum(counts[g] for g in hidden) < min_group):
        hidden.add(visible.pop(0)[1])
    return hidden


def hide_sparse(
    counts: dict[str, int], answered: dict[str, int], hidden: set[str], min_group: int
) -> set[str]:
    """The groups to hide on one figure (a dimension or an item): ``hidden`` (already hidden
    by head count), and, when a group not among them has fewer than ``min_group`` answers
    on the figure, that group too, with :func:`suppress` run again on the head ``counts``.

    >>> sorted(hide_sparse({"a": 40, "b": 12, "c": 9}, {"a": 40, "b": 12, "c": 4}, set(), 5))
    ['b', 'c']
    >>> sorted(hide_sparse({"a": 40, "b": 12}, {"a": 40, "b": 12}, set(), 5))
    []
    """
    low = {group for group, n in answered.items() if n < min_group and group not in hidden}
    return suppress(counts, min_group, hidden | low) if low else hidden


def total_hidden(total_answered: float, hidden_answered: float, min_group: int) -> bool:
    """Whether a total over teams is hidden: fewer than ``min_group`` answered it, or the
    total less the shown teams (the hidden teams' answers) is neither none nor at least
    ``min_group`` answers (head counts alone do not say).

    >>> total_hidden(60, 0, 5), total_hidden(60, 3, 5), total_hidden(4, 0, 5)
    (False, True, True)
    """
    return total_answered < min_group or 0 < hidden_answered < min_group
