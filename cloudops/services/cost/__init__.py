"""The cost section's service (智能运维 API: resource cost analysis), also the cost engine's I/O for others."""

from __future__ import annotations

from cloudops.services.cost.service import OPTIMIZATION_TYPES, CostService

__all__ = ["OPTIMIZATION_TYPES", "CostService"]
