"""Shards of the per-cluster work, owned by operator replicas through Leases in the hub.

Each shard n is a Lease `cloudops-shard-<n>`; each replica also keeps a presence Lease `cloudops-replica-<hash>`,
so a replica that holds nothing yet is counted when the share is computed. Every round (a tenth of the Lease
duration) a replica lists those Leases in one request, renews what it last renewed a third of the duration ago,
hands back its surplus over ceil(shards / live replicas) and takes free or expired shards up to that share
(cloudops.sharding.plan). Every write names the resourceVersion read, so of two replicas taking one shard exactly
one wins. Reading often and writing seldom is what makes failover quick: a dead replica's shards are seen expired
at most a round after their duration, and a record's first sight (from which expiry is judged) lags its renewal
by at most a round too, so they are taken within the duration plus two rounds.

Work follows ownership through listeners: a shard gained starts its objects' loops, a shard lost or handed back
stops them, and a hand-back is written only after its loops stopped, so the next owner never overlaps this one.
A shard this replica could not renew for two thirds of the duration (a hub outage, a paused process) is dropped
locally at once, before any other task can act on it; its Lease still names this replica, which renews it when
it can (nobody else took it) or finds it taken.

`confirm` is the fence before a side effect: the shard is held as of a fresh read of its Lease, and was renewed
within two thirds of the duration by this replica's clock. A replica that was paused past its Lease therefore
never acts after it resumes, whatever the Lease still says.

The rounds run on a thread and event loop of their own (cloudops_operator/lease_thread.py) with their own hub
client, so a main loop saturated by thousands of clusters' syncs never makes a renewal late; gains and losses are
handed to the main loop, where the loops run. `owned` is only ever rebound, never changed in place, so the main
loop reads it without a lock; `confirm` reads the Lease through a client of the main loop's (`fence_api`).

With no shards configured (`CLOUDOPS_SHARDS=0`, as `make run` and most tests start the operator) this replica
owns every cluster and nothing is written.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Counter, Gauge

from cloudops.kube.client import ApiClient
from cloudops.kube.leases import Lease, Observed, delete_lease, list_leases, micro, put_lease, read_lease, write_lease
from cloudops.sharding import fair_share, plan, shard_for
from cloudops_operator.lease_thread import LeaseThread

__all__ = ["ROLE_LABEL", "Fenced", "Shards", "shard_lease_name"]

log = logging.getLogger("cloudops.shards")

ROLE_LABEL = "cloudops.io/operator-lease"  # shard | replica
SHARD_LABEL = "cloudops.io/shard"
STALE_ROUNDS = 30  # a presence Lease unrenewed this many durations is deleted (its pod is long gone)

SHARDS_OWNED = Gauge("cloudops_operator_shards_owned", "Shards this replica holds")
CLUSTERS_OWNED = Gauge("cloudops_operator_clusters_owned", "ManagedClusters in the shards this replica holds")
REPLICAS_SEEN = Gauge("cloudops_operator_replicas_live", "Operator replicas this replica counts as live")
HANDOVERS = Counter("cloudops_operator_shard_handovers_total",
                    "Shards changing hands at this replica: taken, released (handed back), lost (taken by another "
                    "or not renewed in time)", ["kind"])

Lose = Callable[[set[int]], Awaitable[None]]
Gain = Callable[[set[int]], None]


class Fenced(Exception):
    """A side effect refused: the cluster's shard is not this replica's (any more)."""

    def __init__(self, cluster: str) -> None:
        super().__init__(f"the shard of cluster {cluster!r} is not held by this replica")
        self.cluster = cluster


def shard_lease_name(n: int) -> str:
    return f"cloudops-shard-{n}"


def _replica_lease_name(identity: str) -> str:
    return "cloudops-replica-" + hashlib.sha256(identity.encode()).hexdigest()[:16]


@dataclass
class Shards:
    api: ApiClient | None
    namespace: str
    identity: str
    count: int = 0  # 0: unsharded, this replica owns everything
    seconds: int = 15
    clock: Callable[[], float] = time.monotonic
    owned: set[int] = field(default_factory=set)
    renewed: dict[int, float] = field(default_factory=dict)  # shard -> last successful write, by our clock
    written: dict[int, Lease] = field(default_factory=dict)  # shard -> its Lease as this replica last wrote it
    observed: dict[str, Observed] = field(default_factory=dict)
    live: int = 1
    present_at: float | None = None  # the presence Lease's last write, by our clock
    ready: asyncio.Event = field(default_factory=asyncio.Event)  # the first round is done
    accepting: bool = True
    active: bool = False  # unsharded: whether this replica works (it leads, or there is no election)
    labels_of: Callable[[str], Mapping[str, str]] = lambda _: {}  # a cluster's labels, set by the loops' watch
    thread: LeaseThread | None = None  # where the rounds run (`api` is its client); None: on the caller's loop
    fence_api: ApiClient | None = None  # `confirm`'s client, on the main loop; None: `api`
    main: asyncio.AbstractEventLoop | None = None  # the loop the loops run on (set by `run`)
    releasing: frozenset[int] = frozenset()  # being handed back: their work stopping, then their Leases freed
    _background: set[asyncio.Task[None]] = field(default_factory=set)  # hand-backs and losses under way
    _gain: list[Gain] = field(default_factory=list)
    _lose: list[Lose] = field(default_factory=list)

    @property
    def sharded(self) -> bool:
        return self.count > 0 and self.api is not None

    @property
    def round_seconds(self) -> float:
        """How often the Leases are read (one LIST): what bounds the time to see an expiry."""
        return max(0.5, self.seconds / 10)

    @property
    def renew_seconds(self) -> float:
        """How often each held Lease is written: twice within the validity below, so one failed write is not a loss."""
        return self.seconds / 3

    def _due(self, last: float | None) -> bool:
        """Whether a Lease last written at `last` (our clock) is to be renewed this round."""
        return last is None or self.clock() - last >= self.renew_seconds - self.round_seconds

    @property
    def valid_seconds(self) -> float:
        """How long a renewal keeps a shard ours by our own clock: well inside the duration others wait."""
        return self.seconds * 2 / 3

    def activate(self) -> None:
        """Unsharded: this replica now does every cluster's work (it leads)."""
        if not self.sharded and not self.active:
            self.active = True
            self._notify_gain({0})

    async def deactivate(self) -> None:
        """Unsharded: this replica no longer leads, and stops every cluster's work."""
        if not self.sharded and self.active:
            self.active = False
            await self._notify_lose({0})

    def listen(self, gain: Gain, lose: Lose) -> None:
        self._gain.append(gain)
        self._lose.append(lose)

    # -- ownership ----------------------------------------------------------------------------------------

    def shard(self, name: str, labels: Mapping[str, str] | None = None) -> int:
        """The shard of cluster `name`; its labels (the pin) from the ManagedCluster watch unless given."""
        if not self.sharded:
            return 0
        return shard_for(name, self.labels_of(name) if labels is None else labels, self.count)

    def owns(self, name: str, labels: Mapping[str, str] | None = None) -> bool:
        """Whether the cluster `name` is this replica's now (no hub read: for deciding which loops run)."""
        if not self.sharded:
            return self.accepting and self.active
        n = self.shard(name, labels)
        return n in self.owned and self.clock() - self.renewed.get(n, float("-inf")) < self.valid_seconds

    async def confirm(self, name: str, labels: Mapping[str, str] | None = None) -> bool:
        """The fence before a side effect on the cluster `name`: held by our clock and as of a fresh read."""
        if not self.sharded:
            return self.accepting and self.active
        api = self.fence_api or self.api
        if not self.owns(name, labels) or api is None:
            return False
        lease = await read_lease(api, self.namespace, shard_lease_name(self.shard(name, labels)),
                                 seconds=self.valid_seconds)
        return lease is not None and lease.holder == self.identity and self.owns(name, labels)

    async def fence(self, name: str) -> None:
        """`confirm`, raising Fenced when it fails: called right before a side effect on cluster `name`."""
        if not await self.confirm(name):
            raise Fenced(name)

    # -- the loop -----------------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Rounds until `stop` (on the Lease thread when there is one); `shutdown` hands the shards back."""
        self.main = asyncio.get_running_loop()
        if not self.sharded:
            self.ready.set()
            await stop.wait()
            return
        if self.thread is not None:
            await self.thread.run(self._rounds, stop)
        else:
            await self._rounds(stop)

    async def _rounds(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:  # bounded: a hub that hangs (frozen, a dead connection) must not hold the lapse check back
                await asyncio.wait_for(self.round(), timeout=self.seconds)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # the hub unreachable, a TLS reset, a timeout: the next round tries again
                log.warning("shard Leases not read: %s", e.__class__.__name__ if not str(e) else e)
                await self._lapse()
            self._on_main(self.ready.set)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.round_seconds)

    async def round(self) -> None:
        assert self.api is not None
        await self._lapse()
        leases = {lease.name: lease for lease in await list_leases(self.api, self.namespace, ROLE_LABEL,
                                                                   seconds=self.renew_seconds)}
        for name, lease in leases.items():
            self.observed.setdefault(name, Observed(self.clock)).see(lease)
        await self._present(leases.get(_replica_lease_name(self.identity)))
        replicas = {lease.holder for lease in leases.values() if lease.labels.get(ROLE_LABEL) == "replica"
                    and not self.observed[lease.name].expired(lease)} | {self.identity}
        self.live = len(replicas)
        REPLICAS_SEEN.set(self.live)
        await self._collect(leases)
        shard_leases = {n: leases.get(shard_lease_name(n)) for n in range(self.count)}
        held = sorted(n for n, lease in shard_leases.items()
                      if lease is not None and lease.holder == self.identity and n not in self.releasing)
        due = [n for n in held if n not in self.owned or self._due(self.renewed.get(n))]
        renewed = await asyncio.gather(*(self._write(n, shard_leases[n], acquire=False) for n in due))
        back = {n for n, ok in zip(due, renewed, strict=True) if ok and n not in self.owned}
        if back:
            await self._gained(back, "renewed after a lapse")
        taken = {n for n, ok in zip(due, renewed, strict=True) if not ok}
        if taken:
            await self._lost(taken, "taken by another replica")
        held = [n for n in held if n not in taken]
        for n in sorted(self.owned - set(held)):
            await self._lost({n}, "no longer held")
        holders = {n: (lease.holder if lease is not None else "") for n, lease in shard_leases.items()}
        available = {n for n, lease in shard_leases.items()
                     if lease is None or self.observed[lease.name].expired(lease)}
        if self.releasing or not self.accepting:  # the plan again once the hand-back is written
            return
        todo = plan(self.count, self.identity, holders, available, replicas)
        if todo is None:
            return
        if todo.release:  # in the background: stopping its work must not hold back the other shards' renewals
            self._spawn(self.hand_back(set(todo.release), "over the fair share of "
                                       f"{fair_share(self.count, self.live)} with {self.live} replicas"))
        won = await asyncio.gather(*(self._write(n, shard_leases[n], acquire=True) for n in todo.take))
        taken_now = {n for n, ok in zip(todo.take, won, strict=True) if ok}
        if taken_now:
            previous = [shard_leases[n] for n in taken_now]
            owners = sorted({(p.holder if p is not None else "") or "nobody" for p in previous})
            await self._gained(taken_now, f"taken from {', '.join(owners)}")
            HANDOVERS.labels("taken").inc(len(taken_now))

    async def hand_back(self, shards: set[int], why: str) -> None:
        """Stops the shards' work, then writes each Lease free so the next owner takes it at once. Shard by shard:
        a shard whose loops stopped is freed while others' loops still write what they buffered."""
        mine = self._drop(shards)
        if not mine:
            return
        self.releasing = self.releasing | mine

        async def one(n: int) -> None:
            await self._notify_lose({n})
            await self._free(n)

        try:
            failed = [e for e in await asyncio.gather(*(one(n) for n in mine), return_exceptions=True) if e]
            if failed:
                raise failed[0]
        finally:
            self.releasing = self.releasing - mine
        log.warning("handed back shard(s) %s: %s", ", ".join(map(str, sorted(mine))), why)

    async def _free(self, n: int) -> None:
        """Writes shard n's Lease without a holder (if it still names this replica): at the version this replica
        last wrote, without reading it first (one request, not two, for each shard at shutdown), and read only
        when someone else wrote it since."""
        assert self.api is not None
        current = self.written.pop(n, None)
        for _ in range(2):
            if current is None:
                current = await read_lease(self.api, self.namespace, shard_lease_name(n), seconds=5)
            if current is None or current.holder != self.identity:
                break
            spec = {"holderIdentity": None, "leaseDurationSeconds": self.seconds, "renewTime": micro(datetime.now(UTC)),
                    "acquireTime": micro(current.acquired) if current.acquired else None,
                    "leaseTransitions": current.transitions}
            if await write_lease(self.api, self.namespace, shard_lease_name(n), spec, current,
                                 self._metadata("shard", n), seconds=5):
                break
            current = None  # written by someone since: read it, and free it only if it still names us
        self.renewed.pop(n, None)
        HANDOVERS.labels("released").inc()

    async def shutdown(self) -> None:
        """Takes no more work, hands every shard back and withdraws the presence Lease."""
        self.accepting = False
        if not self.sharded:
            await self._notify_lose({0})
        elif self.thread is not None:
            await self.thread.call(self._shutdown())
        else:
            await self._shutdown()

    async def _shutdown(self) -> None:
        await asyncio.gather(*self._background, return_exceptions=True)  # hand-backs under way end first
        try:
            await self.hand_back(set(self.owned), "stopping")
            assert self.api is not None
            presence = await read_lease(self.api, self.namespace, _replica_lease_name(self.identity))
            if presence is not None and presence.holder == self.identity:
                await delete_lease(self.api, self.namespace, presence)
        except Exception as e:  # the hub unreachable: the Leases expire instead
            log.warning("shard Leases not handed back (they expire in %d s): %s", self.seconds, e)
            await self._notify_lose(set(self.owned))

    # -- the main loop's side -----------------------------------------------------------------------------

    def _away(self) -> bool:
        """Whether this runs on the Lease thread rather than the main loop."""
        return self.main is not None and asyncio.get_running_loop() is not self.main

    def _on_main(self, fn: Callable[[], object]) -> None:
        if self._away():
            assert self.main is not None
            self.main.call_soon_threadsafe(fn)
        else:
            fn()

    def _notify_gain(self, shards: set[int]) -> None:
        """Starts the shards' work (on the main loop, without waiting for it)."""
        for gain in self._gain:
            self._on_main(lambda gain=gain: gain(shards))  # type: ignore[misc]

    async def _notify_lose(self, shards: set[int]) -> None:
        """Stops the shards' work on the main loop and waits until it stopped."""
        async def stop_all() -> None:
            await asyncio.gather(*(lose(shards) for lose in self._lose))

        if self._away():
            assert self.main is not None
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(stop_all(), self.main))
        else:
            await stop_all()

    # -- steps --------------------------------------------------------------------------------------------

    async def _lapse(self) -> None:
        """Drops, before anything else runs, the shards not renewed in time by our own clock."""
        now = self.clock()
        lapsed = {n for n in self.owned if now - self.renewed.get(n, float("-inf")) >= self.valid_seconds}
        if lapsed:
            await self._lost(lapsed, f"not renewed for {self.valid_seconds:.0f} s")

    async def _gained(self, shards: set[int], why: str) -> None:
        self.owned = self.owned | shards
        SHARDS_OWNED.set(len(self.owned))
        log.warning("holding shard(s) %s: %s", ", ".join(map(str, sorted(shards))), why)
        self._notify_gain(shards)

    def _drop(self, shards: set[int]) -> set[int]:
        """Those of `shards` this replica held, no longer counted as its own (their work still to stop)."""
        mine = shards & self.owned
        self.owned = self.owned - mine
        SHARDS_OWNED.set(len(self.owned))
        return mine

    async def _lost(self, shards: set[int], why: str) -> None:
        mine = self._drop(shards)
        if not mine:
            return
        HANDOVERS.labels("lost").inc(len(mine))
        log.error("lost shard(s) %s: %s", ", ".join(map(str, sorted(mine))), why)
        # not waited for: they are no longer ours (the loops check), and the rounds must go on renewing the rest
        self._spawn(self._notify_lose(mine))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _metadata(self, role: str, n: int | None = None) -> dict[str, Any]:
        labels = {ROLE_LABEL: role, "app.kubernetes.io/name": "cloudops-operator",
                  "app.kubernetes.io/component": "shard" if role == "shard" else "replica"}
        if n is not None:
            labels[SHARD_LABEL] = str(n)
        return {"labels": labels}

    async def _write(self, n: int, previous: Lease | None, acquire: bool) -> bool:
        """Takes or renews shard n at the resourceVersion read; True when written."""
        assert self.api is not None
        now = datetime.now(UTC)
        took = acquire and (previous is None or previous.holder != self.identity)
        transitions = (previous.transitions if previous else 0) + (1 if took and previous else 0)
        acquired = now if took or previous is None or previous.acquired is None else previous.acquired
        spec = {"holderIdentity": self.identity, "leaseDurationSeconds": self.seconds, "acquireTime": micro(acquired),
                "renewTime": micro(now), "leaseTransitions": transitions}
        started = self.clock()
        written = await put_lease(self.api, self.namespace, shard_lease_name(n), spec, previous,
                                  self._metadata("shard", n), seconds=self.renew_seconds)
        if written is None:
            return False
        self.renewed[n] = started  # from before the write: the Lease cannot be older than that
        self.written[n] = written
        return True

    async def _present(self, lease: Lease | None) -> None:
        assert self.api is not None
        if lease is not None and lease.holder == self.identity and not self._due(self.present_at):
            return
        started, now = self.clock(), micro(datetime.now(UTC))
        spec = {"holderIdentity": self.identity, "leaseDurationSeconds": self.seconds,
                "acquireTime": micro(lease.acquired) if lease is not None and lease.acquired else now,
                "renewTime": now}
        if await write_lease(self.api, self.namespace, _replica_lease_name(self.identity), spec, lease,
                             self._metadata("replica"), seconds=self.renew_seconds):
            self.present_at = started

    async def _collect(self, leases: dict[str, Lease]) -> None:
        """Deletes presence Leases of replicas long gone (every rollout leaves one per pod)."""
        assert self.api is not None
        for name, lease in leases.items():
            if lease.labels.get(ROLE_LABEL) == "replica" and lease.holder != self.identity and \
                    self.observed[name].age() > STALE_ROUNDS * max(1, lease.seconds):
                with contextlib.suppress(Exception):
                    await delete_lease(self.api, self.namespace, lease)
