"""Quota usage sampling: a cluster job (run by the cluster's sync daemon after a successful probe) folds
every ResourceQuota's status.used into its bounded history in the hub (cloudops.quota_history), about every
CLOUDOPS_QUOTA_SAMPLE_SECONDS."""

from __future__ import annotations

from datetime import UTC, datetime

import kopf

from cloudops.members.session import MemberSession
from cloudops.quota_history import sample_quotas
from cloudops_operator.cluster_jobs import cluster_job
from cloudops_operator.memo import Memo

__all__ = ["sample_quota_usage"]


@cluster_job("quota-usage", every=lambda s: s.quota_sample_seconds)
async def sample_quota_usage(body: kopf.Body, memo: Memo, session: MemberSession) -> int:
    return await sample_quotas(memo.hub, dict(body), session, datetime.now(UTC))
