"""Usage sampling (cost allocation, right-sizing): a cluster job folds pod, namespace, node and cluster usage
into bounded histories in the hub (cloudops.usage_history) about every CLOUDOPS_USAGE_SAMPLE_SECONDS; a
second, hourly job deletes the histories of pods, namespaces and nodes that are gone (not written for
CLOUDOPS_USAGE_RETENTION_DAYS) or beyond the bound, so churning pods never pile up objects in the hub."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import kopf

from cloudops import history_store
from cloudops.clusters.objects import as_cluster
from cloudops.members.session import MemberSession
from cloudops.usage_history import NAMESPACE_FAMILY, NODE_FAMILY, POD_FAMILY, sample_usage
from cloudops_operator.cluster_jobs import cluster_job
from cloudops_operator.memo import Memo

__all__ = ["prune_usage", "sample_usage_job"]

LAST = "_usage_sampled_at"
KEEP_FACTOR = 2  # pod histories kept per cluster: twice the pods recorded per round (recent churn)
KEEP_NAMESPACES = 1000


@cluster_job("usage-history", every=lambda s: s.usage_sample_seconds, enabled=lambda s: s.usage_sample_seconds > 0)
async def sample_usage_job(body: kopf.Body, memo: Memo, session: MemberSession) -> int:
    """One round; each sample stands for the time since the previous round (the interval at first, and at
    most three intervals, so an outage is not billed as usage)."""
    s = memo.settings
    now = time.monotonic()
    last = memo.get(LAST)
    seconds = s.usage_sample_seconds if last is None else min(now - last, 3 * s.usage_sample_seconds)
    memo[LAST] = now
    round_ = await sample_usage(memo.hub, as_cluster(body), session, datetime.now(UTC), seconds, s.usage_max_pods,
                                s.usage_max_nodes)
    return len(round_.pods)


@cluster_job("usage-prune", every=lambda s: 3600.0, enabled=lambda s: s.usage_sample_seconds > 0, spread=True)
async def prune_usage(body: kopf.Body, memo: Memo, session: MemberSession) -> int:
    s = memo.settings
    meta = body["metadata"]
    stale = datetime.now(UTC) - timedelta(days=s.usage_retention_days)
    gone = 0
    for family, keep in ((POD_FAMILY, KEEP_FACTOR * s.usage_max_pods), (NAMESPACE_FAMILY, KEEP_NAMESPACES),
                         (NODE_FAMILY, KEEP_FACTOR * s.usage_max_nodes)):
        gone += await history_store.prune(memo.hub, meta["namespace"], family, meta["name"], stale, keep)
    return gone
