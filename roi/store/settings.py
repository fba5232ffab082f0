"""The settings an admin may change (keeping raw survey answers, the anonymity threshold),
their defaults and the values each takes."""

from __future__ import annotations

from roi.culture.anonymity import MIN_GROUP_DEFAULT, MIN_GROUP_FLOOR
from roi.io.problems import Problem
from roi.store.imports import StoreInputError

# Settings an admin may change, with their defaults.
SETTINGS: dict[str, str] = {
    "survey.keep_answers": "off",  # keep raw survey answers (never shown or exported)
    "survey.min_group": str(MIN_GROUP_DEFAULT),  # anonymity threshold: smallest group shown
}


MIN_GROUP_CEILING = 100


def checked_setting(key: str, value: str) -> str:
    """The value as kept; ``StoreInputError`` when it is not one the setting takes."""
    if key == "survey.keep_answers" and value not in ("on", "off"):
        raise StoreInputError("setting", [Problem(key, f"{value!r} is not on or off")])
    if key == "survey.min_group":
        text = str(value).strip()
        if not text.isdigit() or not MIN_GROUP_FLOOR <= int(text) <= MIN_GROUP_CEILING:
            raise StoreInputError(
                "setting",
                [Problem(key, f"{value!r} is not a whole number from {MIN_GROUP_FLOOR} to"
                              f" {MIN_GROUP_CEILING}")],
            )  # fmt: skip
        return str(int(text))
    return value
