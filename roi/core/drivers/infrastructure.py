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

from typing import Literal

import numpy as np
from pydantic import model_validator
from pydantic_core import PydanticCustomError

from roi.core.drivers.base import DriverContext, LineItemBase
from roi.core.model import Fraction, NonNegative
from roi.core.pricing import ProvisionedPricing, ServerlessPricing

HostingModel = Literal["serverless", "provisioned", "cheapest"]


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
