"""What the Ingress and NetworkPolicy services do alike: a sorted page of views, a replace that keeps what the
caller left out, a delete by name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Protocol, TypeVar

from cloudops.members.access import ClusterRef
from cloudops.members.discovery import ResourceType
from cloudops.members.session import MemberSession
from cloudops.network import kinds
from cloudops.services.base import Service
from cloudops.services.network.checks import check_selector, metadata_changes
from cloudops.services.network.models.network_params import Deleted, ListQuery
from cloudops.services.network.names import Named

__all__ = ["NetworkObjects"]

S = TypeVar("S")


class _View(Protocol):
    @property
    def namespace(self) -> str: ...

    @property
    def name(self) -> str: ...


V = TypeVar("V", bound=_View)


class NetworkObjects(Service):
    resource: ClassVar[str]  # as MemberSession.resolve takes it

    async def _page(self, cluster: ClusterRef, q: ListQuery, shape: type[S],
                    view: Callable[[ClusterRef, S], V]) -> tuple[list[V], int]:
        """The `q.offset`/`q.limit` page of the views sorted by namespace and name, and how many there are."""
        check_selector(q.label_selector)
        member = await self.deps.member(cluster)
        objs, _ = await member.list_all(await member.resolve(self.resource), q.namespace,
                                        label_selector=q.label_selector)
        views = sorted((view(cluster, o) for o in kinds.parse_all(shape, objs)), key=lambda v: (v.namespace, v.name))
        return views[q.offset:q.offset + q.limit], len(views)

    @staticmethod
    async def _replace(member: MemberSession, rt: ResourceType, ref: Named, current: Mapping[str, Any],
                       spec: Mapping[str, object], labels: dict[str, str] | None,
                       annotations: dict[str, str] | None) -> object:
        """PUT `current` with `spec` and the labels and annotations given (left out: kept)."""
        metadata = {**current["metadata"], **metadata_changes(labels, annotations)}
        return await member.replace(rt, ref.namespace, ref.name, {**current, "metadata": metadata, "spec": spec})

    async def delete(self, cluster: ClusterRef, ref: Named) -> Deleted:
        member = await self.deps.member(cluster)
        await member.delete(await member.resolve(self.resource), ref.namespace, ref.name)
        return Deleted(id=ref.id, name=ref.name, namespace=ref.namespace, deleted=True)
