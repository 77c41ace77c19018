"""What handlers share: kopf's memo, typed. Holds clients and wake-ups, never state (that is in the hub)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import kopf

from cloudops.clusters.connect import MemberClients
from cloudops.kube.client import ApiClient
from cloudops.kube.informer import Informer
from cloudops.members.access import MemberAccess
from cloudops.members.session import DiscoveryCache
from cloudops.settings import Settings
from cloudops_operator.oldest_first import OldestFirst
from cloudops_operator.shards import Shards

__all__ = ["Memo"]


class Memo(kopf.Memo):
    hub: ApiClient
    secrets: Informer[dict[str, Any]]  # the namespace's Secrets, metadata only: kubeconfig versions for `members`
    members: MemberClients  # the process's member client pool (only `access` opens sessions from it)
    access: MemberAccess  # the one place a ManagedCluster becomes a MemberSession
    settings: Settings
    probe_slots: OldestFirst  # shared by every cluster's loop, the stalest served first
    discovery: DiscoveryCache  # member discovery, shared by the cluster jobs of all clusters
    shards: Shards  # which clusters' work is this replica's (and the fence before a side effect)

    def wakeup(self) -> asyncio.Event:
        """A per-object event (kopf gives each object its own shallow copy of the memo)."""
        event = self.get("_wakeup")
        if event is None:
            event = self["_wakeup"] = asyncio.Event()
        return event

    def pending_samples(self) -> list[tuple[dict[str, float], datetime]]:
        """History samples of this object not yet written: at most `history_batch - 1` are ever at risk."""
        pending: list[tuple[dict[str, float], datetime]] | None = self.get("_pending")
        if pending is None:
            pending = self["_pending"] = []
        return pending
