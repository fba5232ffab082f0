"""Infrastructure cost: pay-per-use (serverless functions, model APIs) against provisioned
capacity (instances billed by the hour), for the requests a use case sends each month.

Formulas (per month, N requests of which a share h hit a cache and never reach the backend,
N' = N · (1 − h)):

* serverless = max(0, N' − free requests) · price per million / 10⁶
  + max(0, N' · seconds · GB − free GB-s) · price per GB-s
  + N' · (input tokens · price in + output tokens · price out) / 10⁶
* provisioned = instances · hourly price · 730 · (1 − commitment discount) + fixed monthly cost,
  instances = max(min instances, ⌈peak rps / (capacity rps · target utilisation)⌉),
  peak rps = N' / (730 · 3600) · peak-to-average.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError

from roi.core.drivers.base import DriverContext, LineItemBase
from roi.core.model import MODEL_CONFIG, Fraction, NonNegative

HOURS_PER_MONTH = 730.0
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600.0
HostingModel = Literal["serverless", "provisioned", "cheapest"]


def _with_preset(kind: str, data: Any) -> Any:
    """Before validation: fill a block's prices from the preset it names (roi.core.pricing)."""
    if not isinstance(data, dict) or not isinstance(data.get("pricing"), str):
        return data
    from roi.core.pricing import PricingFileError, apply_preset

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


class Infrastructure(LineItemBase):
    """Hosting cost of the use case's requests under ``model``: ``serverless``,
    ``provisioned``, or ``cheapest`` (the lower of the two each month)."""

    type: Literal["infrastructure"]
    model: HostingModel
    requests_per_month: NonNegative | None = None
    requests_per_user_per_month: NonNegative | None = None
    eligible_users: NonNegative | None = None
    cache_hit_rate: Fraction = 0.0
    serverless: ServerlessPricing | None = None
    provisioned: ProvisionedPricing | None = None

    @model_validator(mode="after")
    def _complete(self) -> Infrastructure:
        fixed, per_user = self.requests_per_month is not None, self.requests_per_user_per_month
        if fixed == (per_user is not None):
            raise PydanticCustomError(
                "infrastructure_volume",
                "give exactly one of requests_per_month or requests_per_user_per_month",
            )
        if per_user is None and self.eligible_users is not None:
            raise PydanticCustomError(
                "infrastructure_volume",
                "eligible_users only applies with requests_per_user_per_month",
            )
        if per_user is not None and self.eligible_users is None:
            raise PydanticCustomError(
                "infrastructure_volume",
                "requests_per_user_per_month needs eligible_users",
            )
        needed = {
            "serverless": ("serverless",),
            "provisioned": ("provisioned",),
            "cheapest": ("serverless", "provisioned"),
        }[self.model]
        missing = [block for block in needed if getattr(self, block) is None]
        if missing:
            raise PydanticCustomError(
                "infrastructure_prices",
                "model '{model}' needs prices in {missing}",
                {"model": self.model, "missing": " and ".join(f"'{m}'" for m in missing)},
            )
        return self

    def requests(self, context: DriverContext) -> np.ndarray:
        """Requests per period (0 in period 0): a fixed volume growing with the case's
        volume growth, or requests per user × eligible users × adoption."""
        if self.requests_per_month is not None:
            out = self.requests_per_month * context.volume_growth
        else:
            users = 0.0 if self.eligible_users is None else self.eligible_users
            out = self.requests_per_user_per_month * users * context.adoption
        out = np.array(out, dtype=float)
        out[..., 0] = 0.0
        return out

    def backend(self, requests: np.ndarray) -> np.ndarray:
        return np.asarray(requests, dtype=float) * (1.0 - self.cache_hit_rate)

    def costs_by_model(self, context: DriverContext) -> tuple[np.ndarray, np.ndarray]:
        """Serverless and provisioned cost per period (NaN-free; zeros where a model has no
        prices), both 0 in period 0."""
        backend = self.backend(self.requests(context))
        periods = context.timeline.periods
        serverless = self.serverless.monthly_cost(backend) if self.serverless else np.zeros(periods)
        provisioned = (
            self.provisioned.monthly_cost(backend) if self.provisioned else np.zeros(periods)
        )
        serverless, provisioned = np.broadcast_arrays(serverless, provisioned)
        serverless, provisioned = serverless.copy(), provisioned.copy()
        serverless[..., 0] = provisioned[..., 0] = 0.0
        return serverless, provisioned

    def monthly_amounts(self, context: DriverContext) -> np.ndarray:
        serverless, provisioned = self.costs_by_model(context)
        if self.model == "serverless":
            return serverless
        if self.model == "provisioned":
            return provisioned
        return np.minimum(serverless, provisioned)
