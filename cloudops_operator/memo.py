"""What handlers share: kopf's memo, typed. Holds clients and wake-ups, never state (that is in the hub)."""

from __future__ import annotations

import asyncio

import kopf
from kubernetes_asyncio.client import ApiClient

from cloudops.clusters.connect import MemberClients
from cloudops.settings import Settings

__all__ = ["Memo"]


class Memo(kopf.Memo):
    hub: ApiClient
    members: MemberClients
    settings: Settings

    def wakeup(self) -> asyncio.Event:
        """A per-object event (kopf gives each object its own shallow copy of the memo)."""
        event = self.get("_wakeup")
        if event is None:
            event = self["_wakeup"] = asyncio.Event()
        return event
