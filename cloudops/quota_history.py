"""Quota usage samples: every ResourceQuota of a member, its numeric status.used folded into its history.

One MetricHistory per quota (family `quota-usage`, cloudops.history_store), owned by the ManagedCluster:
bounded, downsampled, and the whole truth on every write, so the sampler keeps nothing in memory.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cloudops import history_store
from cloudops.kube.client import ApiClient
from cloudops.members.session import MemberSession
from cloudops.quotas import QuotaObject, used_sample

__all__ = ["MAX_QUOTAS", "QUOTA_FAMILY", "sample_quotas"]

QUOTA_FAMILY = "quota-usage"
MAX_QUOTAS = 500  # per cluster and sample; more quotas than this are not sampled (and the count says so)


async def sample_quotas(hub: ApiClient, cluster: dict[str, Any], session: MemberSession, now: datetime) -> int:
    """Appends one sample per quota that has counted usage; returns how many histories were written."""
    rt = await session.resolve("resourcequotas")
    quotas, _ = await session.list_all(rt, max_items=MAX_QUOTAS)
    written = 0
    for quota in map(QuotaObject.model_validate, quotas[:MAX_QUOTAS]):
        sample = used_sample(quota.status.used or {})
        if not sample:
            continue  # the quota controller has not counted it yet
        subject = history_store.Subject("ResourceQuota", quota.metadata.namespace or "", quota.metadata.name or "")
        await history_store.append(hub, cluster, QUOTA_FAMILY, subject, sample, now)
        written += 1
    return written
