"""What a service may use, built once per call by whoever calls it (the shim's request context, the operator).

A service is a plain class taking `Deps`: no aiohttp, no kopf. The hub is reached through stores, members
through `member()` (the one MemberAccess of the process), so each "one place" rule holds by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

from cloudops.clusters.registry import Registry
from cloudops.constants import Kind
from cloudops.kube.client import ApiClient
from cloudops.kube.custom_objects import CustomObjects
from cloudops.members.access import ClusterRef, MemberAccess
from cloudops.members.session import MemberSession
from cloudops.settings import Settings

__all__ = ["Deps", "Service"]


@dataclass(frozen=True)
class Deps:
    hub: ApiClient
    settings: Settings
    registry: Registry
    access: MemberAccess
    actor: str = "unknown"  # who asked: recorded in events, audit fields and history

    @property
    def namespace(self) -> str:
        """The hub namespace holding the product's objects."""
        return self.settings.namespace

    async def member(self, cluster: ClusterRef) -> MemberSession:
        return await self.access.session(cluster)

    def store(self, kind: Kind) -> CustomObjects:
        return CustomObjects(self.hub, kind, self.namespace)


class Service:
    """Base of the section services: holds the Deps."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
