"""Operator lifecycle: credentials, settings, shared clients and the metrics endpoint."""

from __future__ import annotations

import asyncio
from typing import Any

import kopf
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from cloudops.clusters.connect import MemberClients
from cloudops.kube.client import hub_client
from cloudops.members.access import MemberAccess
from cloudops.members.session import DiscoveryCache
from cloudops.settings import Settings
from cloudops_operator.memo import Memo

__all__ = ["close", "configure", "login"]


@kopf.on.login()
def login(**kwargs: Any) -> kopf.ConnectionInfo | None:
    settings = Settings.from_env()
    if settings.kubeconfig:
        return kopf.login_with_kubeconfig(**kwargs)
    return kopf.login_with_service_account(**kwargs)


async def _metrics(request: web.Request) -> web.Response:
    return web.Response(body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})


@kopf.on.startup()
async def configure(settings: kopf.OperatorSettings, memo: Memo, **_: Any) -> None:
    memo.settings = Settings.from_env()
    memo.hub = await hub_client(memo.settings.kubeconfig)
    memo.members = MemberClients()
    memo.probe_slots = asyncio.Semaphore(max(1, memo.settings.probe_concurrency))
    memo.discovery = DiscoveryCache()
    memo.access = MemberAccess(memo.hub, memo.settings.namespace, memo.members,
                               memo.settings.member_timeout_seconds, discovery=memo.discovery)
    settings.persistence.finalizer = "cloudops.io/finalizer"
    settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix="kopf.cloudops.io")
    settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(prefix="kopf.cloudops.io")
    settings.posting.level = 30  # events for warnings and errors only
    settings.watching.server_timeout = 300
    # Prometheus metrics on kopf's own loop, as kopf serves its liveness probe.
    app = web.Application()
    app.router.add_get("/metrics", _metrics)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, memo.settings.listen_host, memo.settings.operator_metrics_port).start()
    memo["_metrics_runner"] = runner


@kopf.on.cleanup()
async def close(memo: Memo, **_: Any) -> None:
    runner = memo.get("_metrics_runner")
    if runner is not None:
        await runner.cleanup()
    if "members" in memo:
        await memo.members.close()
    if "hub" in memo:
        await memo.hub.close()
