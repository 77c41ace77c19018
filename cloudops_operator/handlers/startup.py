"""Operator lifecycle: credentials, kopf's settings, and the memo every handler and loop shares.

The memo (hub and member clients, settings) is built once per process by `build_memo`, before kopf runs: the
per-cluster loops (cloudops_operator.loops) run in every replica, kopf only in the leader, and both use it.
"""

from __future__ import annotations

import functools
from typing import Any

import kopf

from cloudops.clusters.cache import secret_version, secret_watch
from cloudops.clusters.connect import MemberClients
from cloudops.kube.client import hub_client
from cloudops.members.access import MemberAccess
from cloudops.members.session import DiscoveryCache
from cloudops.settings import Settings
from cloudops_operator.memo import Memo
from cloudops_operator.oldest_first import OldestFirst

__all__ = ["build_memo", "close_memo", "configure", "login"]


@kopf.on.login()
def login(**kwargs: Any) -> kopf.ConnectionInfo | None:
    settings = Settings.from_env()
    if settings.kubeconfig:
        return kopf.login_with_kubeconfig(**kwargs)
    return kopf.login_with_service_account(**kwargs)


async def build_memo(settings: Settings) -> Memo:
    memo = Memo()
    memo.settings = settings
    memo.hub = await hub_client(settings.kubeconfig)
    # Kubeconfig Secrets' versions from a metadata watch: a sync reuses its member client without a Secret GET
    # (at 3,000 clusters those GETs were 36 a second on the hub).
    memo.secrets = secret_watch(memo.hub, settings.namespace)
    memo.secrets.start()
    memo.members = MemberClients(versions=functools.partial(secret_version, memo.secrets))
    memo.probe_slots = OldestFirst(settings.probe_concurrency)
    memo.discovery = DiscoveryCache()
    memo.access = MemberAccess(memo.hub, settings.namespace, memo.members, settings.member_timeout_seconds,
                               discovery=memo.discovery)
    return memo


async def close_memo(memo: Memo) -> None:
    if "secrets" in memo:
        await memo.secrets.stop()
    if "members" in memo:
        await memo.members.close()
    if "hub" in memo:
        await memo.hub.close()


@kopf.on.startup()
async def configure(settings: kopf.OperatorSettings, **_: Any) -> None:
    settings.persistence.finalizer = "cloudops.io/finalizer"
    settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix="kopf.cloudops.io")
    settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(prefix="kopf.cloudops.io")
    settings.posting.level = 30  # events for warnings and errors only
    settings.watching.server_timeout = 300
