"""What a service may use, built once per call by whoever calls it (the shim's request context, the operator).

A service is a plain class taking `Deps`: no aiohttp, no kopf. The hub is reached through stores, members
through `member()` (the one MemberAccess of the process), so each "one place" rule holds by construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from cloudops.clusters.registry import Registry
from cloudops.kube.client import ApiClient
from cloudops.kube.stores import HubStore
from cloudops.members.access import ClusterRef, MemberAccess
from cloudops.members.session import MemberSession
from cloudops.resources.base import CustomResource
from cloudops.settings import Settings

__all__ = ["Deps", "Service"]

M = TypeVar("M", bound=CustomResource)


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

    def store(self, model: type[M]) -> HubStore[M]:
        """The typed hub store of one of our kinds, in the product's namespace."""
        return HubStore(self.hub, model, self.namespace)


class Service:
    """Base of the section services: holds the Deps."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
