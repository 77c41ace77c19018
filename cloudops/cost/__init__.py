"""Cost allocation and optimization (智能运维 API: cost 1.1–1.2), OpenCost's model over recorded usage.

API for other callers (REST shim, MCP tools):
- `await service.report(hub, hub_namespace, cluster_cr, time_range="24h", group_by="namespace", now=now,
  only_namespace=None)` -> the report dict (total_cost, currency, period, breakdown, trend, coverage,
  pricing_source); pure core: `allocation.report(time_range=, now=, group_by=, prices=, cluster=,
  namespaces=, pods=, namespace=)` over `history_store.History` objects.
- `await service.optimize(hub, hub_namespace, cluster_cr, member_session, types=("resource", "instance",
  "storage"), min_hours=24, underused_percent=30)` -> {suggestions, skipped, total_estimated_monthly_saving,
  currency, pricing_source}; pure cores: `optimize.resource(...)`, `optimize.instance(...)`,
  `optimize.storage(...)`.
- `await service.prices_for(hub, hub_namespace, cluster_cr)` -> `pricing.Prices` (CostPricing objects over
  OpenCost's defaults); `pricing.resolve(objects, cluster, provider, region)` is the pure rule.
- `allocation.allocate(histories, group_by, window)` -> {group: Amount}; `allocation.cost(amount, prices)`.
Usage histories are recorded by the operator (cloudops.usage_history); time ranges are 1h, 24h, 7d, 30d.
"""
