"""Cost allocation and optimization (智能运维 API: cost 1.1–1.2), OpenCost's model over recorded usage; pure.

The I/O around it (prices and histories from the hub, objects from a member) is cloudops.services.cost's
`CostService`: `allocation(cluster, time_range=, group_by=)` -> `views.AllocationReport`, `plan(cluster,
types=, min_hours=, underused_percent=)` -> `views.OptimizationPlan`, `prices(cluster)` -> `pricing.Prices`.
Pure cores:
- `allocation.report(time_range=, now=, group_by=, prices=, cluster=, namespaces=, pods=, namespace=)` over
  `history_store.History` objects; `allocation.allocate(histories, group_by, window)` -> {group: Amount};
  `allocation.cost(amount, prices)` -> `Cost`;
- `optimize.resource(...)`, `optimize.instance(...)`, `optimize.storage(...)` -> `views.Advice` items;
- `pricing.resolve(objects, cluster, provider, region)` -> `pricing.Prices` (CostPricing objects over OpenCost's
  defaults).
Usage histories are recorded by the operator (cloudops.usage_history); time ranges are 1h, 24h, 7d, 30d.
"""
