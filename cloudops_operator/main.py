"""Console entry point `cloudops-operator`.

Every replica runs the per-cluster loops and the self-healing watches of the clusters in the shards it owns
(cloudops_operator/shards.py, loops.py and self_healing.py); one replica, the holder of the leader Lease
(cloudops_operator/leader.py), also runs kopf with the change handlers (ids, deletions, label policies) that are
not per cluster. Without shards and a leader Lease (`make run`, most tests) the one replica does all of it.

On SIGTERM a replica takes no more work, stops its loops (they write what they buffered) and hands its shards
back while kopf stops (given KOPF_STOP_SECONDS, then cancelled), then hands the leader Lease back, so that the
next owners take over at once, and exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import time
import tracemalloc
from datetime import UTC, datetime

import kopf
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

import cloudops_operator.handlers  # noqa: F401  (registers handlers and loops)
from cloudops.constants import MANAGED_CLUSTER
from cloudops.kube.client import hub_client, shrink_tls_buffers
from cloudops.kube.leases import holder_identity
from cloudops.logs import setup_logging
from cloudops.native_memory import limit_arenas, trim
from cloudops.settings import Settings
from cloudops_operator.handlers.startup import build_memo, close_memo
from cloudops_operator.leader import Elector
from cloudops_operator.lease_thread import LeaseThread
from cloudops_operator.loops import Loops
from cloudops_operator.memo import Memo
from cloudops_operator.self_healing import SelfHealing
from cloudops_operator.shards import Shards
from cloudops_operator.tasks import Spared, install, kopf_context

__all__ = ["main"]

log = logging.getLogger("cloudops.operator")
DEFAULT_LEADER_LEASE = "cloudops-operator-leader"
SHUTDOWN_SECONDS = 8  # sync loops stop within 4 s (others 5 s and a second), then the hand-back: inside 10 s
KOPF_STOP_SECONDS = 2.0  # after a signal, kopf's own stop (in parallel with the hand-back) before it is cancelled
TRIM_SECONDS = 30.0


async def _kopf(settings: Settings, memo: Memo, stop: asyncio.Event, signalled: asyncio.Event) -> None:
    """kopf.operator, stopped by `stop` only: SIGTERM and SIGINT stay the process's (they set `signalled`, which
    stops everything), and kopf, when it stops, waits for and cancels only its own tasks
    (cloudops_operator/tasks.py)."""
    with kopf_context():
        tasks = await kopf.spawn_tasks(namespaces=[settings.namespace], standalone=True, memo=memo,
                                       stop_flag=stop)
        _on_signals(signalled)  # kopf took them over in spawn_tasks
        running = asyncio.ensure_future(kopf.run_tasks(tasks, ignored=Spared()))
        waiting = asyncio.ensure_future(signalled.wait())
        await asyncio.wait({running, waiting}, return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        if not running.done():  # signalled: kopf stops by its flag; a leader that just resumed a thousand objects
            # takes seconds to drain its queues, and its handlers resume on the next leader anyway
            done, _ = await asyncio.wait({running}, timeout=KOPF_STOP_SECONDS)
            if not done:
                log.warning("kopf did not stop within %.0f s of the signal: cancelled", KOPF_STOP_SECONDS)
                running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


async def _serve(settings: Settings, memo: Memo, elector: Elector | None,
                 leading: asyncio.Event) -> list[web.AppRunner]:
    """The health port (alive, and what this replica does) and the Prometheus metrics port."""
    async def healthz(_: web.Request) -> web.Response:
        shards = memo.shards
        role = "leader" if leading.is_set() else "standby" if elector is not None else "single"
        body = {"status": role, "leader": elector.observed.record[0] if elector and elector.observed.record else "",
                "shards": sorted(shards.owned) if shards.sharded else None, "replicas": shards.live}
        return web.json_response(body)

    async def metrics(_: web.Request) -> web.Response:
        return web.Response(body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})

    runners = []
    for port, path, handler in ((settings.operator_health_port, "/healthz", healthz),
                                (settings.operator_metrics_port, "/metrics", metrics)):
        app = web.Application()
        app.router.add_get(path, handler)
        runner = web.AppRunner(app, handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, settings.listen_host, port).start()
        runners.append(runner)
    return runners


def _memory_profile(path: str) -> None:
    """CLOUDOPS_TRACEMALLOC=<file>: trace allocations; each SIGUSR2 writes the 40 largest sites and 25 largest files
    to the file (`python -m bench.memory` does it for a seeded fleet)."""
    tracemalloc.start(1)

    def dump() -> None:
        snapshot = tracemalloc.take_snapshot()
        stats = snapshot.statistics("lineno")
        lines = [f"{s.size / 1e6:9.2f} MB {s.count:9d} {s.traceback}" for s in stats[:40]]
        files = [f"{s.size / 1e6:9.2f} MB {s.count:9d} {s.traceback}" for s in snapshot.statistics("filename")[:25]]
        total = sum(s.size for s in stats)
        with open(path, "a", encoding="utf-8") as out:
            out.write(f"# {datetime.now(UTC).isoformat()} traced {total / 1e6:.1f} MB\n" + "\n".join(lines) +
                      "\n## by file\n" + "\n".join(files) + "\n")

    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR2, dump)


def _on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)


async def _lead(settings: Settings, memo: Memo, elector: Elector | None, leading: asyncio.Event,
                stop: asyncio.Event) -> None:
    """Runs kopf while this replica leads (always, without election), until told to stop. A lead lost (a hub
    outage past two thirds of the Lease) stops kopf and the unsharded loops, and this replica stands by again."""
    if elector is None:
        leading.set()
        memo.shards.activate()
        await _kopf(settings, memo, stop, stop)
        return
    while not stop.is_set():
        if not await elector.acquire(stop):
            return
        log.warning("leading (Lease %s/%s as %s): starting the operator", settings.namespace, elector.name,
                    elector.identity)
        leading.set()
        memo.shards.activate()
        kopf_stop = asyncio.Event()
        holding = asyncio.create_task(elector.hold(stop), name="leader-lease")
        holding.add_done_callback(lambda _, flag=kopf_stop: flag.set())  # type: ignore[misc]
        await _kopf(settings, memo, kopf_stop, stop)
        lost = holding.done() and not stop.is_set()
        leading.clear()
        if not lost:  # told to stop (a signal): holding returned, which stopped kopf
            await holding
            await elector.release()
            return
        await memo.shards.deactivate()
        log.error("lost the lead: the operator stopped; standing by again")


async def _run(settings: Settings) -> int:
    install()  # kopf's tasks told apart from the loops' (cloudops_operator/tasks.py)
    stop = asyncio.Event()
    _on_signals(stop)
    if settings.tracemalloc_file:
        _memory_profile(settings.tracemalloc_file)
    memo = await build_memo(settings)
    identity = holder_identity()
    # Leases renewed on a thread, event loop and hub client of their own: never late behind the clusters' work.
    lease_thread = LeaseThread()
    leases = await lease_thread.start(settings.kubeconfig)
    fences = await hub_client(settings.kubeconfig, connections=4)  # the fence's reads, on this loop
    memo.shards = Shards(leases if settings.shards > 0 else None, settings.namespace, identity, settings.shards,
                         max(2, settings.shard_lease_seconds), thread=lease_thread, fence_api=fences)
    lease = settings.leader_lease or (DEFAULT_LEADER_LEASE if settings.shards > 0 else "")
    elector = Elector(leases, settings.namespace, lease, identity, max(2, settings.leader_lease_seconds),
                      thread=lease_thread) if lease else None
    leading = asyncio.Event()
    runners = await _serve(settings, memo, elector, leading)
    loops = Loops(memo, memo.shards)
    loops.start()
    # self-healing in every replica, on the clusters of the shards it owns (cloudops_operator/self_healing.py)
    healing = SelfHealing(memo, memo.shards, loops.informers[MANAGED_CLUSTER.plural].get)
    healing.start()
    owning = asyncio.create_task(memo.shards.run(stop), name="shards")
    trimming = asyncio.create_task(_trim_memory(stop), name="trim-memory")
    # from the signal on, while kopf stops (seconds, for a leader that just resumed a thousand objects)
    handing_back = asyncio.create_task(_hand_back_on_stop(stop, memo.shards, owning, trimming), name="hand-back")
    try:
        await _lead(settings, memo, elector, leading, stop)
    finally:
        stop.set()
        started = await handing_back
        await loops.stop()
        await healing.stop()
        for runner in runners:
            await runner.cleanup()
        await close_memo(memo)
        await fences.close()
        await lease_thread.close()
        log.warning("stopped: work and Leases handed back in %.1f s", time.monotonic() - started)
    return 0


async def _hand_back_on_stop(stop: asyncio.Event, shards: Shards, *tasks: asyncio.Task[None]) -> float:
    """Once `stop` is set: ends the Lease rounds (and `tasks`), stops the loops and hands every shard back, in
    parallel with kopf stopping; returns when it started (monotonic)."""
    await stop.wait()
    started = time.monotonic()
    for task in tasks:
        task.cancel()  # a round waiting on an unreachable hub must not hold the exit
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    try:  # bounded: with the hub unreachable the Leases expire instead, and the loops are cancelled at exit
        await asyncio.wait_for(shards.shutdown(), SHUTDOWN_SECONDS)
    except TimeoutError:
        log.warning("shards not handed back within %d s; they expire", SHUTDOWN_SECONDS)
    return started


async def _trim_memory(stop: asyncio.Event) -> None:
    """Gives freed heap pages back every TRIM_SECONDS (cloudops.native_memory): after a burst of syncs RSS falls
    back instead of keeping its high-water mark."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), TRIM_SECONDS)
        await asyncio.to_thread(trim)


def main() -> None:
    setup_logging()
    shrink_tls_buffers()
    limit_arenas()
    sys.exit(asyncio.run(_run(Settings.from_env())))


if __name__ == "__main__":
    main()
