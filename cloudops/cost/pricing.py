"""Unit prices for cost allocation: CostPricing objects in the hub, most specific wins, OpenCost's defaults
underneath (https://www.opencost.io/docs: CPU 0.031611 per vCPU-hour, RAM 0.004237 per GiB-hour, storage
0.00005479452 per GiB-hour (0.04 per GiB-month), GPU 0.95 per GPU-hour, USD).

Specificity: no selector (everywhere) < provider < provider + region < clusterRef. Each price field is taken
from the most specific matching object that sets it, so an override may change one price only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final

from cloudops.cost.views import PricingSource
from cloudops.resources.cost_pricing import CostPricing, CostPricingSpec

__all__ = ["DEFAULT_SOURCE", "HOURS_PER_MONTH", "OPENCOST_DEFAULTS", "Prices", "resolve"]

HOURS_PER_MONTH = 730.0
DEFAULT_SOURCE: Final = "opencost-defaults"


@dataclass(frozen=True)
class Prices:
    currency: str = "USD"
    cpu: float = 0.031611  # per vCPU-hour
    memory: float = 0.004237  # per GiB-hour
    storage: float = 0.00005479452  # per GiB-hour of requested PVC capacity
    gpu: float = 0.95  # per GPU-hour
    objects: tuple[str, ...] = ()  # CostPricing objects applied, least specific first

    def view(self) -> PricingSource:
        """What every cost response states as `pricing_source`."""
        return PricingSource(source="costpricing" if self.objects else DEFAULT_SOURCE, objects=list(self.objects),
                             currency=self.currency, cpu_per_core_hour=self.cpu, memory_per_gib_hour=self.memory,
                             storage_per_gib_hour=self.storage, gpu_per_hour=self.gpu,
                             defaults="OpenCost published defaults" if not self.objects else
                             "OpenCost published defaults for any price the objects do not set")

    def over(self, name: str, spec: CostPricingSpec) -> Prices:
        """These prices with what `spec` sets (the CostPricing `name`) on top."""
        return replace(self, objects=(*self.objects, name), currency=spec.currency or self.currency,
                       cpu=self.cpu if spec.cpu is None else spec.cpu,
                       memory=self.memory if spec.memory is None else spec.memory,
                       storage=self.storage if spec.storage is None else spec.storage,
                       gpu=self.gpu if spec.gpu is None else spec.gpu)


OPENCOST_DEFAULTS = Prices()


def _rank(spec: CostPricingSpec, cluster: str, provider: str, region: str) -> int | None:
    """How specific a matching object is (0 everywhere .. 3 this cluster); None when it does not match."""
    if spec.cluster_ref and spec.cluster_ref.name:
        return 3 if spec.cluster_ref.name == cluster else None
    want_provider, want_region = spec.provider, spec.region
    if want_region and (want_region != region or (want_provider and want_provider != provider)):
        return None
    if want_provider and want_provider != provider:
        return None
    return 2 if want_region else 1 if want_provider else 0


def resolve(objects: Sequence[CostPricing | Mapping[str, object]], cluster: str, provider: str,
            region: str) -> Prices:
    """The prices for one cluster from the CostPricing objects (pure; JSON objects are read as CostPricing)."""
    matching = []
    for obj in objects:
        pricing = obj if isinstance(obj, CostPricing) else CostPricing.model_validate(obj)
        rank = _rank(pricing.spec, cluster, provider, region)
        if rank is not None:
            matching.append((rank, pricing.metadata.name or "", pricing.spec))
    prices = OPENCOST_DEFAULTS
    for _, name, spec in sorted(matching, key=lambda m: (m[0], m[1])):
        prices = prices.over(name, spec)
    return prices
