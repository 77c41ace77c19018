"""Unit prices for cost allocation: CostPricing objects in the hub, most specific wins, OpenCost's defaults
underneath (https://www.opencost.io/docs: CPU 0.031611 per vCPU-hour, RAM 0.004237 per GiB-hour, storage
0.00005479452 per GiB-hour (0.04 per GiB-month), GPU 0.95 per GPU-hour, USD).

Specificity: no selector (everywhere) < provider < provider + region < clusterRef. Each price field is taken
from the most specific matching object that sets it, so an override may change one price only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

__all__ = ["DEFAULT_SOURCE", "HOURS_PER_MONTH", "OPENCOST_DEFAULTS", "PRICE_FIELDS", "Prices", "resolve"]

HOURS_PER_MONTH = 730.0
DEFAULT_SOURCE = "opencost-defaults"
PRICE_FIELDS = ("cpu", "memory", "storage", "gpu")

Json = dict[str, Any]


@dataclass(frozen=True)
class Prices:
    currency: str = "USD"
    cpu: float = 0.031611  # per vCPU-hour
    memory: float = 0.004237  # per GiB-hour
    storage: float = 0.00005479452  # per GiB-hour of requested PVC capacity
    gpu: float = 0.95  # per GPU-hour
    objects: tuple[str, ...] = ()  # CostPricing objects applied, least specific first

    def view(self) -> Json:
        """What every cost response states as `pricing_source`."""
        return {"source": "costpricing" if self.objects else DEFAULT_SOURCE, "objects": list(self.objects),
                "currency": self.currency, "cpu_per_core_hour": self.cpu, "memory_per_gib_hour": self.memory,
                "storage_per_gib_hour": self.storage, "gpu_per_hour": self.gpu,
                "defaults": "OpenCost published defaults" if not self.objects else
                "OpenCost published defaults for any price the objects do not set"}


OPENCOST_DEFAULTS = Prices()


def _rank(spec: Json, cluster: str, provider: str, region: str) -> int | None:
    """How specific a matching object is (0 everywhere .. 3 this cluster); None when it does not match."""
    ref = (spec.get("clusterRef") or {}).get("name")
    if ref:
        return 3 if ref == cluster else None
    want_provider, want_region = spec.get("provider"), spec.get("region")
    if want_region and (want_region != region or (want_provider and want_provider != provider)):
        return None
    if want_provider and want_provider != provider:
        return None
    return 2 if want_region else 1 if want_provider else 0


def resolve(objects: list[Json], cluster: str, provider: str, region: str) -> Prices:
    """The prices for one cluster from the CostPricing objects (pure)."""
    matching = []
    for obj in objects:
        spec = obj.get("spec") or {}
        rank = _rank(spec, cluster, provider, region)
        if rank is not None:
            matching.append((rank, str((obj.get("metadata") or {}).get("name", "")), spec))
    prices = OPENCOST_DEFAULTS
    for _, name, spec in sorted(matching, key=lambda m: (m[0], m[1])):
        changes: Json = {f: float(spec[f]) for f in PRICE_FIELDS if isinstance(spec.get(f), int | float)}
        if spec.get("currency"):
            changes["currency"] = str(spec["currency"])
        prices = replace(prices, objects=(*prices.objects, name), **changes)
    return prices
