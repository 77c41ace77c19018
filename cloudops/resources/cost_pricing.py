"""CostPricing (crds/costpricings.yaml): unit prices for cost allocation, per provider/region or one cluster."""

from __future__ import annotations

from typing import ClassVar, Literal

from cloudops.constants import COST_PRICING, Kind
from cloudops.resources.base import CustomResource, FreeForm, ObjectRef, ResourceModel

__all__ = ["CostPricing", "CostPricingSpec"]


class CostPricingSpec(ResourceModel):
    """Prices left unset fall back to a less specific CostPricing, then to OpenCost's defaults."""

    provider: str | None = None
    region: str | None = None
    """Needs provider (or clusterRef)."""
    cluster_ref: ObjectRef | None = None
    currency: str | None = None
    """ISO 4217 code."""
    cpu: float | None = None
    """Per vCPU-hour."""
    memory: float | None = None
    """Per GiB-hour."""
    storage: float | None = None
    """Per GiB-hour of requested PVC capacity."""
    gpu: float | None = None
    """Per GPU-hour."""
    description: str | None = None


class CostPricing(CustomResource):
    KIND: ClassVar[Kind] = COST_PRICING

    kind: Literal["CostPricing"] = "CostPricing"
    spec: CostPricingSpec
    status: FreeForm | None = None
    """The CRD keeps a free-form status (x-kubernetes-preserve-unknown-fields); nothing writes it today."""
