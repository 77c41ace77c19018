"""Active/standby operator replicas: one leader Lease in the hub decides which replica runs kopf.

kopf's own peering pauses lower-priority peers but notices a dead leader only when its record expires (60 s),
and two peers of equal priority both pause. Here a standby takes the Lease over once its holder stopped
renewing it for the Lease's duration (15 s by default), and a leader that stops on SIGTERM releases it, so the
next replica takes over at once. Expiry is judged by this replica's own monotonic clock from the moment it
first saw the holder's last renewal, as client-go's leader election does: clocks of different nodes are never
compared. Every write names the resourceVersion read, so of two standbys exactly one takes over.

A leader that cannot renew for two thirds of the duration (a hub outage) stops kopf and stands by again, so it
leads again, or another replica does, without a restart. The per-cluster work is not the leader's: it is split
over all replicas by shard Leases (cloudops_operator/shards.py). Given a LeaseThread, the Lease is read and written
on its loop (`api` is then that thread's client), so a busy main loop never makes a renewal late.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cloudops.kube.client import ApiClient
from cloudops.kube.leases import Lease, Observed, micro, read_lease, write_lease
from cloudops_operator.lease_thread import LeaseThread

__all__ = ["Elector", "Observed"]

log = logging.getLogger("cloudops.leader")


@dataclass
class Elector:
    api: ApiClient
    namespace: str
    name: str
    identity: str
    seconds: int = 15
    observed: Observed = field(default_factory=Observed)
    thread: LeaseThread | None = None  # where the Lease is read and written; None: on the caller's loop

    @property
    def retry_every(self) -> float:
        return max(0.5, self.seconds / 5)

    async def _write(self, previous: Lease | None, acquire: bool) -> bool:
        now = datetime.now(UTC)
        transitions = (previous.transitions if previous else 0) + (1 if acquire and previous else 0)
        acquired = micro(now) if acquire or previous is None or previous.acquired is None else micro(previous.acquired)
        spec = {"holderIdentity": self.identity, "leaseDurationSeconds": self.seconds, "acquireTime": acquired,
                "renewTime": micro(now), "leaseTransitions": transitions}
        labels = {"app.kubernetes.io/name": "cloudops-operator", "app.kubernetes.io/component": "leader-election"}
        return await write_lease(self.api, self.namespace, self.name, spec, previous, {"labels": labels},
                                 seconds=self.retry_every * 2)

    async def try_once(self) -> bool:
        """One round: True when this replica holds the Lease after it (acquired or renewed)."""
        lease = await read_lease(self.api, self.namespace, self.name, seconds=self.retry_every * 2)
        if lease is None:
            return await self._write(None, acquire=True)
        self.observed.see(lease)
        if lease.holder == self.identity:
            return await self._write(lease, acquire=False)
        if self.observed.expired(lease):
            won = await self._write(lease, acquire=True)
            if won:
                log.warning("took over the leader Lease %s/%s from %s", self.namespace, self.name,
                            lease.holder or "nobody")
            return won
        return False

    async def acquire(self, stop: asyncio.Event) -> bool:
        """Waits as a standby until this replica leads (True) or `stop` is set (False)."""
        if self.thread is not None:
            return await self.thread.run(self._acquire, stop)
        return await self._acquire(stop)

    async def _acquire(self, stop: asyncio.Event) -> bool:
        waiting_for = ""
        while not stop.is_set():
            try:
                if await self.try_once():
                    return True
                holder = self.observed.record[0] if self.observed.record else ""
                if holder != waiting_for:
                    log.info("standing by: %s leads (Lease %s/%s)", holder, self.namespace, self.name)
                    waiting_for = holder
            except Exception as e:  # the hub unreachable, a TLS reset, a timeout: tried again
                log.warning("leader Lease %s/%s not readable: %s", self.namespace, self.name,
                            str(e) or e.__class__.__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.retry_every)
        return False

    async def hold(self, stop: asyncio.Event) -> None:
        """Renews until `stop`; returns early when the lead is lost (another holder, or no renewal for two thirds
        of the duration), so that kopf is stopped before another replica may take over."""
        if self.thread is not None:
            return await self.thread.run(self._hold, stop)
        return await self._hold(stop)

    async def _hold(self, stop: asyncio.Event) -> None:
        renewed = time.monotonic()
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.retry_every)
            if stop.is_set():
                return
            try:
                if await self.try_once():
                    renewed = time.monotonic()
                    continue
                holder = self.observed.record[0] if self.observed.record else ""
                if holder != self.identity:
                    log.error("lost the leader Lease %s/%s to %s", self.namespace, self.name,
                              holder or "nobody")
                    return
            except Exception as e:  # the hub unreachable, a TLS reset, a timeout: tried again
                log.warning("leader Lease %s/%s not renewed: %s", self.namespace, self.name,
                            str(e) or e.__class__.__name__)
            if time.monotonic() - renewed > self.seconds * 2 / 3:
                log.error("leader Lease %s/%s not renewed for %.0f s: stepping down", self.namespace, self.name,
                          time.monotonic() - renewed)
                return

    async def release(self) -> None:
        """Hands the Lease back (no holder), so a standby takes over without waiting for it to expire."""
        if self.thread is not None:
            return await self.thread.call(self._release())
        return await self._release()

    async def _release(self) -> None:
        try:
            lease = await read_lease(self.api, self.namespace, self.name)
            if lease is None or lease.holder != self.identity:
                return
            spec = {"holderIdentity": None, "leaseDurationSeconds": 1, "renewTime": micro(datetime.now(UTC)),
                    "acquireTime": micro(lease.acquired) if lease.acquired else None,
                    "leaseTransitions": lease.transitions}
            if await write_lease(self.api, self.namespace, self.name, spec, lease, seconds=5):
                log.warning("released the leader Lease %s/%s", self.namespace, self.name)
        except Exception as e:  # the hub unreachable, a TLS reset, a timeout: tried again
            log.warning("leader Lease %s/%s not released (it expires in %d s): %s", self.namespace, self.name,
                        self.seconds, e)
