"""Version tracking: for each ManagedCluster, records every change to objects labelled
cloudops.io/versioned=true. A cluster job (cloudops_operator.cluster_jobs), run by the cluster's sync
daemon every CLOUDOPS_VERSION_POLL_SECONDS, not a daemon of its own."""

from __future__ import annotations

import kopf

from cloudops.members.access import ClusterRef
from cloudops.members.session import MemberSession
from cloudops.versions.tracker import scan
from cloudops_operator.cluster_jobs import cluster_job
from cloudops_operator.memo import Memo

__all__ = ["track_versions"]


@cluster_job("version-tracking", every=lambda s: s.version_poll_seconds)
async def track_versions(body: kopf.Body, memo: Memo, session: MemberSession) -> int:
    """What was last seen per object is kept in the memo: after a restart the first scan compares with the
    newest stored version instead, so a restart records nothing twice and misses nothing."""
    seen: dict[str, str] = memo.setdefault("_versions_seen", {})
    return await scan(memo.hub, body["metadata"]["namespace"], session, ClusterRef.of(dict(body)), seen,
                      memo.settings.version_limit)
