"""Pricing presets: named hosting offers whose unit prices, source and date live in a data
file (``sample_data/pricing.yaml`` unless ``ROI_PRICING_FILE`` names another), never in
code. A case's pricing block may name a preset with ``pricing:``; fields the block gives
itself win over the preset's."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

from roi.drivers.infrastructure import ProvisionedPricing, ServerlessPricing

DEFAULT_PRICING_FILE = Path(__file__).resolve().parents[1] / "sample_data" / "pricing.yaml"
BLOCKS = {"serverless": ServerlessPricing, "provisioned": ProvisionedPricing}
Kind = Literal["serverless", "provisioned"]


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
        if kind not in BLOCKS:
            raise PricingFileError(f"{where}: presets.{name}.kind: must be one of {list(BLOCKS)}")
        meta = {key: entry.pop(key, None) for key in ("description", "source", "checked")}
        if not meta["source"] or not meta["checked"]:
            raise PricingFileError(f"{where}: presets.{name}: needs 'source' and 'checked'")
        fields = set(BLOCKS[kind].model_fields) - {"pricing", "source"}
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


def resolve_presets(
    data: dict[str, Any], presets: dict[str, Preset]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Case data with every named preset's prices filled in, and (path, message) problems
    for unknown names or a preset of the wrong kind."""
    problems: list[tuple[str, str]] = []
    costs = data.get("costs")
    if not isinstance(costs, list):
        return data, problems
    resolved = []
    for index, item in enumerate(costs):
        if isinstance(item, dict) and item.get("type") == "infrastructure":
            item = dict(item)
            for block in BLOCKS:
                value = item.get(block)
                if isinstance(value, dict) and isinstance(value.get("pricing"), str):
                    item[block] = _merge(f"costs[{index}].{block}", block, value, presets, problems)
        resolved.append(item)
    return {**data, "costs": resolved}, problems


def _merge(
    path: str,
    block: str,
    value: dict[str, Any],
    presets: dict[str, Preset],
    problems: list[tuple[str, str]],
) -> dict[str, Any]:
    name = value["pricing"]
    preset = presets.get(name)
    valid = [p.name for p in presets.values() if p.kind == block]
    if preset is None or preset.kind != block:
        what = "unknown preset" if preset is None else f"{preset.kind} preset"
        problems.append((f"{path}.pricing", f"{what} {name!r}; valid: {', '.join(valid)}"))
        return value
    source = f"{preset.description}: {preset.source} (checked {preset.checked})"
    return {**preset.prices, "source": source, **value}
