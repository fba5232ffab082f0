"""Pricing presets: named hosting offers and licences whose unit prices, source and date live in a
file (``sample_data/pricing.yaml`` unless ``ROI_PRICING_FILE`` names another), never in
code. A case's pricing block may name a preset with ``pricing:``; fields the block gives
itself win over the preset's.

The three kinds of pricing block live here too, beside the presets that fill them: a preset
file is checked against the blocks' fields, and a block is filled from its preset before it
is validated. The infrastructure driver (``roi.core.drivers.infrastructure``) prices a
case's requests with the ``serverless`` and ``provisioned`` blocks; the usage-billed
licence driver (``roi.core.drivers.licences``) prices seats and usage with the ``licence``
block."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from roi.core.model import MODEL_CONFIG, Fraction, NonNegative
from roi.io.problems import CaseError
from roi.io.structured import load_yaml

DEFAULT_PRICING_FILE = Path(__file__).resolve().parents[2] / "sample_data" / "pricing.yaml"
Kind = Literal["serverless", "provisioned", "licence"]
KINDS: tuple[Kind, ...] = ("serverless", "provisioned", "licence")
Allowance = Literal["pooled", "per_user"]
# Terms a preset may give as text rather than as a number: the field and its valid values
# (None: any text).
_TERMS: dict[str, dict[str, tuple[str, ...] | None]] = {
    "licence": {"allowance": ("pooled", "per_user"), "unit": None},
}


def _price_fields(kind: str) -> set[str]:
    block = {
        "serverless": ServerlessPricing,
        "provisioned": ProvisionedPricing,
        "licence": LicencePricing,
    }[kind]
    # A model mix is the case's (its shares are the case's workload), never a preset's.
    return set(block.model_fields) - {"pricing", "source", "models"} - set(_TERMS.get(kind, {}))


@dataclass(frozen=True)
class Preset:
    """One offer's prices (and, for a licence, its text terms such as how the allowance is
    shared), with where and when they were read."""

    name: str
    kind: Kind
    description: str
    source: str
    checked: str
    prices: dict[str, float]
    terms: dict[str, str] = field(default_factory=dict)


class PricingFileError(ValueError):
    """The pricing file itself is malformed (a problem for whoever maintains it)."""


def parse_presets(data: Any, where: str = "pricing file") -> dict[str, Preset]:
    """Validate a pricing file's content: every preset names its kind, source and date, and
    only fields its kind of block has, with non-negative numbers (a licence's ``allowance``
    and ``unit`` as text)."""
    presets = (data or {}).get("presets") if isinstance(data, dict) else None
    if not isinstance(presets, dict) or not presets:
        raise PricingFileError(f"{where}: needs a non-empty 'presets' mapping")
    out = {}
    for name, entry in presets.items():
        if not isinstance(entry, dict):
            raise PricingFileError(f"{where}: presets.{name}: must be a mapping")
        entry = dict(entry)
        kind = entry.pop("kind", None)
        if kind not in KINDS:
            raise PricingFileError(
                f"{where}: presets.{name}.kind: must be serverless, provisioned or licence"
            )
        meta = {key: entry.pop(key, None) for key in ("description", "source", "checked")}
        if not meta["source"] or not meta["checked"]:
            raise PricingFileError(f"{where}: presets.{name}: needs 'source' and 'checked'")
        terms = {key: entry.pop(key) for key in list(entry) if key in _TERMS.get(kind, {})}
        for key, value in terms.items():
            valid = _TERMS[kind][key]
            if not isinstance(value, str) or (valid is not None and value not in valid):
                rule = " or ".join(valid) if valid is not None else "text"
                raise PricingFileError(f"{where}: presets.{name}.{key}: must be {rule}")
        fields = _price_fields(kind)
        for key, value in entry.items():
            if key not in fields:
                raise PricingFileError(f"{where}: presets.{name}.{key}: not a {kind} price field")
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise PricingFileError(f"{where}: presets.{name}.{key}: must be a number ≥ 0")
        out[name] = Preset(
            name, kind, str(meta["description"] or name), str(meta["source"]),
            str(meta["checked"]), {k: float(v) for k, v in entry.items()}, terms,
        )  # fmt: skip
    return out


@cache
def load_presets(path: str | None = None) -> dict[str, Preset]:
    """The presets of a pricing file (default: ``ROI_PRICING_FILE`` or the bundled one)."""
    file = Path(path or os.environ.get("ROI_PRICING_FILE") or DEFAULT_PRICING_FILE)
    try:
        data = load_yaml(file.read_text(encoding="utf-8"), str(file))
    except CaseError as error:  # syntax, nesting, repeated keys: the maintainer's to fix
        raise PricingFileError(error.report()) from None
    return parse_presets(data, str(file))


def apply_preset(kind: Kind, data: dict[str, Any]) -> dict[str, Any]:
    """A pricing block's data with its named preset's prices filled in (the block's own
    fields win) and the preset's source recorded. A licence block that gives its own
    ``models`` (a price per model and its share) does not take the preset's
    ``price_per_unit``: the mix replaces the single price.

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
    prices = dict(preset.prices)
    if data.get("models"):
        prices.pop("price_per_unit", None)
    return {**prices, **preset.terms, "source": source, **data}


HOURS_PER_MONTH = 730.0


SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600.0


def _with_preset(kind: str, data: Any) -> Any:
    """Before validation: fill a block's prices from the preset it names."""
    if not isinstance(data, dict) or not isinstance(data.get("pricing"), str):
        return data
    try:
        return apply_preset(kind, data)  # type: ignore[arg-type]
    except LookupError as error:
        raise PydanticCustomError("unknown_preset", str(error.args[0])) from None
    except (PricingFileError, OSError) as error:
        raise PydanticCustomError(
            "pricing_file", "the pricing file cannot be used: {error}", {"error": str(error)}
        ) from None


_PRICE_FIELDS = (
    "price_per_million_requests", "price_per_gb_second", "memory_gb", "seconds_per_request",
    "free_requests_per_month", "free_gb_seconds_per_month", "input_tokens_per_request",
    "output_tokens_per_request", "price_per_million_input_tokens",
    "price_per_million_output_tokens",
)  # fmt: skip


class ServerlessPricing(BaseModel):
    """Pay-per-use prices and the workload's size per request. Every price defaults to 0,
    so a function service sets the request and GB-second prices and a model API the token
    prices (or both, for a function that calls a model)."""

    model_config = MODEL_CONFIG

    pricing: str | None = None
    price_per_million_requests: NonNegative = 0.0
    price_per_gb_second: NonNegative = 0.0
    memory_gb: NonNegative = 0.0
    seconds_per_request: NonNegative = 0.0
    free_requests_per_month: NonNegative = 0.0
    free_gb_seconds_per_month: NonNegative = 0.0
    input_tokens_per_request: NonNegative = 0.0
    output_tokens_per_request: NonNegative = 0.0
    price_per_million_input_tokens: NonNegative = 0.0
    price_per_million_output_tokens: NonNegative = 0.0
    source: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _preset(cls, data: Any) -> Any:
        return _with_preset("serverless", data)

    def monthly_cost(self, backend_requests: np.ndarray) -> np.ndarray:
        """Cost of the requests that reach the backend (vectorised over months or volumes,
        and over simulation draws when prices are arrays). A part whose price is 0 is
        skipped, not computed as zeros."""
        n = np.asarray(backend_requests, dtype=float)
        if not any(isinstance(getattr(self, f), np.ndarray) for f in _PRICE_FIELDS):
            requests = np.maximum(0.0, n - self.free_requests_per_month)
            compute = np.maximum(0.0, n * self.seconds_per_request * self.memory_gb
                                 - self.free_gb_seconds_per_month)  # fmt: skip
            tokens = n * (
                self.input_tokens_per_request * self.price_per_million_input_tokens
                + self.output_tokens_per_request * self.price_per_million_output_tokens
            )
            return (
                requests * self.price_per_million_requests / 1e6
                + compute * self.price_per_gb_second
                + tokens / 1e6
            )
        # Prices drawn per simulation draw (arrays of shape (draws, 1)): skip the parts
        # that cost nothing rather than compute arrays of zeros.
        out = np.zeros_like(n)  # grows to (draws, months) as parts are added
        if np.any(self.price_per_million_requests):
            requests = np.maximum(n - self.free_requests_per_month, 0.0)
            out = out + requests * (np.asarray(self.price_per_million_requests) / 1e6)
        gb_seconds = np.asarray(self.seconds_per_request) * self.memory_gb
        if np.any(self.price_per_gb_second) and np.any(gb_seconds):
            compute = np.maximum(n * gb_seconds - self.free_gb_seconds_per_month, 0.0)
            out = out + compute * self.price_per_gb_second
        per_request = (
            np.asarray(self.input_tokens_per_request) * self.price_per_million_input_tokens
            + np.asarray(self.output_tokens_per_request) * self.price_per_million_output_tokens
        ) / 1e6
        if np.any(per_request):
            out = out + n * per_request
        return out


class ProvisionedPricing(BaseModel):
    """Capacity billed by the hour whether used or not, sized for the peak."""

    model_config = MODEL_CONFIG

    pricing: str | None = None
    hourly_price: NonNegative
    capacity_rps_per_instance: Annotated[float, Field(ge=1e-6, le=1e9)]
    target_utilization: Annotated[float, Field(gt=0, le=1)] = 0.6
    peak_to_average: Annotated[float, Field(ge=1, le=1000)] = 1.0
    min_instances: Annotated[int, Field(ge=0, le=100_000)] = 1
    commitment_discount: Annotated[float, Field(ge=0, lt=1)] = 0.0
    fixed_monthly_cost: NonNegative = 0.0
    source: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _preset(cls, data: Any) -> Any:
        return _with_preset("provisioned", data)

    @property
    def requests_per_instance(self) -> float:
        """Backend requests a month one instance serves at the target utilisation, given the
        peak-to-average ratio: the width of one instance step."""
        return (
            SECONDS_PER_MONTH
            * self.capacity_rps_per_instance
            * self.target_utilization
            / self.peak_to_average
        )

    @property
    def instance_month_cost(self) -> float:
        return self.hourly_price * HOURS_PER_MONTH * (1.0 - self.commitment_discount)

    def instances(self, backend_requests: np.ndarray) -> np.ndarray:
        """Instances needed for each month's backend requests (whole instances)."""
        load = np.asarray(backend_requests, dtype=float) / self.requests_per_instance
        # The tolerance keeps 3.0000000000000004 instances at 3; any traffic needs one.
        needed = np.ceil(load - 1e-9 * np.maximum(1.0, load)) + 0.0
        needed = np.where(load > 0, np.maximum(needed, 1.0), 0.0)
        return np.maximum(float(self.min_instances), needed)

    def monthly_cost(self, backend_requests: np.ndarray) -> np.ndarray:
        instances = self.instances(backend_requests)
        return instances * self.instance_month_cost + self.fixed_monthly_cost


class ModelPrice(BaseModel):
    """One model of a mix: its share of the units used and its price per unit."""

    model_config = MODEL_CONFIG

    share: Fraction
    price_per_unit: NonNegative


SHARE_TOLERANCE = 1e-6


def _mix_from_text(value: Any) -> Any:
    """A model mix given as YAML text, read (an empty text is an empty mix); anything else
    as it is. Raises :class:`CaseError` for text that is not YAML."""
    if not isinstance(value, str):
        return value
    data = load_yaml(value, "models")
    return {} if data is None else data


class LicencePricing(BaseModel):
    """A usage-billed licence's terms: a price per seat a month, an allowance of units per
    seat a month (AI credits, premium requests, tokens, or money of usage), shared across
    the organisation (``pooled``) or kept by each user (``per_user``), and the price of each
    unit beyond it: one ``price_per_unit``, or ``models`` with a share and a price each,
    whose weighted price Σ share · price is the price per unit.

    The default allowance is ``pooled``, GitHub Copilot Business and Enterprise's rule since
    usage-based billing began on 1 June 2026: "A user's included AI credits are pooled at the
    billing entity level" (docs.github.com/en/copilot/concepts/billing-and-usage/
    organizations-and-enterprises/billing; github/docs, content/copilot/concepts/
    billing-and-usage/organizations-and-enterprises/billing.md). Cursor's Teams plan keeps
    the allowance per user ("Usage is allocated per user based on seat type, does not
    transfer between team members", cursor.com/docs/account/teams/pricing).
    """

    model_config = MODEL_CONFIG

    pricing: str | None = None
    price_per_seat_per_month: NonNegative
    included_units_per_seat: NonNegative = 0.0
    allowance: Allowance = "pooled"
    price_per_unit: NonNegative | None = None
    models: dict[Annotated[str, Field(min_length=1)], ModelPrice] = Field(default_factory=dict)
    unit: str | None = None
    source: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _preset(cls, data: Any) -> Any:
        if isinstance(data, dict) and "models" in data:
            # An empty mix (as the case builder hands back a line without one) is no mix:
            # it must not stop a preset from giving its price per unit.
            try:
                models = _mix_from_text(data["models"])
            except CaseError:
                models = data["models"]  # reported on the field by _models_as_text
            data = {**data, "models": models}
            if models == {}:
                data.pop("models")
        return _with_preset("licence", data)

    @field_validator("models", mode="before")
    @classmethod
    def _models_as_text(cls, value: Any) -> Any:
        """A mix typed as YAML text (``{opus: {share: 0.2, price_per_unit: 0.075}}``), as the
        case builder's table cells hand it back, is read as the mapping it writes."""
        try:
            return _mix_from_text(value)
        except CaseError as error:
            raise PydanticCustomError(
                "licence_models",
                "must be a mapping of models to their share and price_per_unit: {error}",
                {"error": "; ".join(str(p) for p in error.problems)},
            ) from None

    @model_validator(mode="after")
    def _one_price(self) -> LicencePricing:
        if (self.price_per_unit is None) == (not self.models):
            raise PydanticCustomError(
                "licence_price",
                "give exactly one of price_per_unit or models (a share and a price per unit"
                " for each model)",
            )
        total = sum(model.share for model in self.models.values())
        if self.models and abs(total - 1.0) > SHARE_TOLERANCE:
            raise PydanticCustomError(
                "licence_price",
                "the models' shares must add up to 1, got {total}",
                {"total": f"{total:g}"},
            )
        return self

    @property
    def unit_price(self) -> float | np.ndarray:
        """The price of one unit beyond the allowance: ``price_per_unit``, or the models'
        prices weighted by their shares."""
        if self.price_per_unit is not None:
            return self.price_per_unit
        return sum(model.share * model.price_per_unit for model in self.models.values())
