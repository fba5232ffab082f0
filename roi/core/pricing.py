"""Pricing presets: named hosting offers whose unit prices, source and date live in a data
file (``sample_data/pricing.yaml`` unless ``ROI_PRICING_FILE`` names another), never in
code. A case's pricing block may name a preset with ``pricing:``; fields the block gives
itself win over the preset's."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

DEFAULT_PRICING_FILE = Path(__file__).resolve().parents[2] / "sample_data" / "pricing.yaml"
Kind = Literal["serverless", "provisioned"]


def _price_fields(kind: str) -> set[str]:
    from roi.core.drivers.infrastructure import ProvisionedPricing, ServerlessPricing

    block = {"serverless": ServerlessPricing, "provisioned": ProvisionedPricing}[kind]
    return set(block.model_fields) - {"pricing", "source"}


@dataclass(frozen=True)
class Preset:
    """One hosting offer's prices, with where and when they were read."""

    name: str
    kind: Kind
    description: str
    source: str
    checked: str
    prices: dict[str, float]


class PricingFileError(ValueError):
    """The pricing file itself is malformed (a problem for whoever maintains it)."""


def parse_presets(data: Any, where: str = "pricing file") -> dict[str, Preset]:
    """Validate a pricing file's content: every preset names its kind, source and date, and
    only fields its kind of block has, with non-negative numbers."""
    presets = (data or {}).get("presets") if isinstance(data, dict) else None
    if not isinstance(presets, dict) or not presets:
        raise PricingFileError(f"{where}: needs a non-empty 'presets' mapping")
    out = {}
    for name, entry in presets.items():
        if not isinstance(entry, dict):
            raise PricingFileError(f"{where}: presets.{name}: must be a mapping")
        entry = dict(entry)
        kind = entry.pop("kind", None)
        if kind not in ("serverless", "provisioned"):
            raise PricingFileError(
                f"{where}: presets.{name}.kind: must be serverless or provisioned"
            )
        meta = {key: entry.pop(key, None) for key in ("description", "source", "checked")}
        if not meta["source"] or not meta["checked"]:
            raise PricingFileError(f"{where}: presets.{name}: needs 'source' and 'checked'")
        fields = _price_fields(kind)
        for key, value in entry.items():
            if key not in fields:
                raise PricingFileError(f"{where}: presets.{name}.{key}: not a {kind} price field")
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise PricingFileError(f"{where}: presets.{name}.{key}: must be a number ≥ 0")
        out[name] = Preset(
            name, kind, str(meta["description"] or name), str(meta["source"]),
            str(meta["checked"]), {k: float(v) for k, v in entry.items()},
        )  # fmt: skip
    return out


@cache
def load_presets(path: str | None = None) -> dict[str, Preset]:
    """The presets of a pricing file (default: ``ROI_PRICING_FILE`` or the bundled one)."""
    file = Path(path or os.environ.get("ROI_PRICING_FILE") or DEFAULT_PRICING_FILE)
    return parse_presets(yaml.safe_load(file.read_text(encoding="utf-8")), str(file))


def apply_preset(kind: Kind, data: dict[str, Any]) -> dict[str, Any]:
    """A pricing block's data with its named preset's prices filled in (the block's own
    fields win) and the preset's source recorded.

    Raises
    ------
    LookupError
        For an unknown name or a preset of the other kind; the message lists the valid ones.
    PricingFileError, OSError
        When the pricing file cannot be read.
    """
    name = data["pricing"]
    presets = load_presets()
    preset = presets.get(name)
    if preset is None or preset.kind != kind:
        valid = [p.name for p in presets.values() if p.kind == kind]
        close = difflib.get_close_matches(name, valid, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        what = "unknown preset" if preset is None else f"{preset.kind} preset"
        raise LookupError(f"{what} {name!r}; {hint}valid: {', '.join(valid)}")
    source = f"{preset.description}: {preset.source} (checked {preset.checked})"
    return {**preset.prices, "source": source, **data}
