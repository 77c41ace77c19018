"""Console entry point `cloudops-operator`: kopf against the hub, one namespace, liveness probe on.

With CLOUDOPS_LEADER_LEASE set, replicas elect a leader through that hub Lease (cloudops_operator/leader.py):
the leader runs kopf, the others answer their health probe as standbys and take over when it goes.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

import kopf
from aiohttp import web

import cloudops_operator.handlers  # noqa: F401  (registers handlers)
from cloudops.kube.client import hub_client
from cloudops.kube.leases import holder_identity
from cloudops.logs import setup_logging
from cloudops.settings import Settings
from cloudops_operator.leader import Elector
from cloudops_operator.memo import Memo

__all__ = ["main"]

log = logging.getLogger("cloudops.leader")


async def _operator(settings: Settings, stop: asyncio.Event | None = None) -> None:
    await kopf.operator(
        namespaces=[settings.namespace],
        standalone=True,
        liveness_endpoint=f"http://{settings.listen_host}:{settings.operator_health_port}/healthz",
        memo=Memo(),
        stop_flag=stop,
    )


async def _standby_probe(settings: Settings, elector: Elector) -> web.AppRunner:
    """The health port while standing by: alive and ready (a standby is what a rollout waits for)."""
    async def healthz(_: web.Request) -> web.Response:
        leader = elector.observed.record[0] if elector.observed.record else ""
        return web.json_response({"status": "standby", "leader": leader})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, settings.listen_host, settings.operator_health_port).start()
    return runner


async def _elected(settings: Settings) -> int:
    """Stands by until this replica leads, then runs kopf while it does; 1 when the lead was lost."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    hub = await hub_client(settings.kubeconfig)
    elector = Elector(hub, settings.namespace, settings.leader_lease, holder_identity(),
                      max(2, settings.leader_lease_seconds))
    try:
        probe = await _standby_probe(settings, elector)
        try:
            leading = await elector.acquire(stop)
        finally:
            await probe.cleanup()
        if not leading:
            return 0
        log.warning("leading (Lease %s/%s as %s): starting the operator", settings.namespace,
                    settings.leader_lease, elector.identity)
        kopf_stop = asyncio.Event()
        holding = asyncio.create_task(elector.hold(stop), name="leader-lease")
        holding.add_done_callback(lambda _: kopf_stop.set())
        await _operator(settings, kopf_stop)  # kopf takes SIGTERM and SIGINT over while it runs
        lost = holding.done() and not stop.is_set()
        stop.set()
        await holding
        if lost:
            return 1
        await elector.release()
        return 0
    finally:
        await hub.close()


def main() -> None:
    setup_logging()
    settings = Settings.from_env()
    if settings.leader_lease:
        sys.exit(asyncio.run(_elected(settings)))
    asyncio.run(_operator(settings))


if __name__ == "__main__":
    main()
