"""Endpoint monitoring: a cluster job (run by the cluster's sync daemon) probes the endpoints of the
member's Services labelled `cloudops.io/monitor: "true"` every CLOUDOPS_PROBE_INTERVAL seconds and folds
each round into bounded histories in the hub (cloudops.network.monitor). Probes stay inside
CLOUDOPS_PROBE_CIDRS; with none configured the job is off: nothing is contacted and nothing recorded."""

from __future__ import annotations

from datetime import UTC, datetime

import kopf

from cloudops.members.session import MemberSession
from cloudops.network.monitor import monitor_cluster
from cloudops.network.probes import ProbeConfigError, ProbeScope
from cloudops.settings import Settings
from cloudops_operator.cluster_jobs import cluster_job
from cloudops_operator.memo import Memo

__all__ = ["monitor_endpoints"]

PROBE_SECONDS = 3.0  # per address and attempt; a round never takes longer, however many addresses


def _scope(settings: Settings) -> ProbeScope | None:
    try:
        scope = ProbeScope.parse(settings.endpoint_probe_cidrs, settings.endpoint_probe_map)
    except ProbeConfigError:
        return None  # a bad setting is reported by the shim's health-check route, which parses it too
    return scope if scope.allowed else None


@cluster_job("endpoint-monitor", every=lambda s: s.endpoint_monitor_seconds,
             enabled=lambda s: _scope(s) is not None)
async def monitor_endpoints(body: kopf.Body, memo: Memo, session: MemberSession) -> int:
    scope = _scope(memo.settings)
    assert scope is not None
    return await monitor_cluster(memo.hub, dict(body), session, scope, PROBE_SECONDS,
                                 memo.settings.endpoint_probe_concurrency, datetime.now(UTC))
