"""The one place a ManagedCluster becomes a MemberSession, and fan-out over many members.

Fan-out runs concurrently under a semaphore, each member under its own timeout, and a member that fails
becomes an entry in `errors`: a dead member costs its timeout, never the whole answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypedDict, TypeVar

from kubernetes_asyncio.client import ApiClient

from cloudops.clusters.connect import ConnectError, MemberClients
from cloudops.constants import ID_LABEL
from cloudops.kube.errors import KubeError
from cloudops.members.errors import MemberError, from_connect_error, from_transport
from cloudops.members.session import DiscoveryCache, MemberSession

__all__ = ["ClusterRef", "FanOutError", "MemberAccess"]

T = TypeVar("T")
log = logging.getLogger("cloudops.members")


@dataclass(frozen=True)
class ClusterRef:
    """A resolved cluster: its integer id (None until the operator assigned one), name and CR."""

    id: int | None
    name: str
    cr: dict[str, Any]

    @classmethod
    def of(cls, cr: dict[str, Any]) -> ClusterRef:
        meta = cr.get("metadata") or {}
        status_id = (cr.get("status") or {}).get("id")
        label = (meta.get("labels") or {}).get(ID_LABEL, "")
        cid = status_id if isinstance(status_id, int) else (int(label) if label.isascii() and label.isdigit()
                                                            else None)
        return cls(cid, meta.get("name", ""), cr)

    @property
    def ref(self) -> str:
        """What object ids carry for this cluster: the id, or the name while it has none."""
        return str(self.id) if self.id is not None else self.name


class FanOutErrorFields(TypedDict):
    cluster_id: int | None
    cluster_name: str
    status: int
    code: int
    error: str


@dataclass
class FanOutError:
    cluster_id: int | None
    cluster_name: str
    status: int
    code: int
    error: str

    def as_dict(self) -> FanOutErrorFields:
        return {"cluster_id": self.cluster_id, "cluster_name": self.cluster_name, "status": self.status,
                "code": self.code, "error": self.error}


class MemberAccess:
    def __init__(self, hub: ApiClient, namespace: str, clients: MemberClients, timeout: float,
                 concurrency: int = 32, discovery: DiscoveryCache | None = None) -> None:
        self.hub, self.namespace, self.clients, self.timeout = hub, namespace, clients, timeout
        self._sem = asyncio.Semaphore(max(1, concurrency))
        self._discovery = discovery or DiscoveryCache()

    async def session(self, cluster: ClusterRef, seconds: float | None = None,
                      namespace: str | None = None) -> MemberSession:
        """A session with the member; `namespace` is where its kubeconfig Secret lives (the CR's own)."""
        limit = seconds if seconds is not None else self.timeout
        if (cluster.cr.get("metadata") or {}).get("deletionTimestamp"):  # its Secret may already be gone
            raise MemberError(409, 1006, cluster.name, "the cluster is being deleted")
        try:
            api, server = await asyncio.wait_for(
                self.clients.get(self.hub, namespace or self.namespace, cluster.cr.get("spec") or {}), timeout=limit)
        except ConnectError as e:
            raise from_connect_error(cluster.name, e) from None
        except KubeError as e:
            raise MemberError(502, 1001, cluster.name, f"its kubeconfig Secret cannot be read: {e.message}") from None
        except (TimeoutError, OSError) as e:
            raise from_transport(cluster.name, e) from None
        return MemberSession(api, cluster.name, server, limit, self._discovery)

    async def fan_out(self, clusters: list[ClusterRef], work: Callable[[ClusterRef, MemberSession], Awaitable[T]],
                      seconds: float | None = None) -> tuple[list[tuple[ClusterRef, T]], list[FanOutError]]:
        """`work` on every cluster at once; results in the clusters' order, failures as FanOutErrors."""
        limit = seconds if seconds is not None else self.timeout

        async def one(c: ClusterRef) -> T:
            async with self._sem:
                session = await self.session(c, limit)
                try:
                    return await asyncio.wait_for(work(c, session), timeout=limit * 2)
                except TimeoutError:
                    raise from_transport(c.name, TimeoutError()) from None

        outcomes = await asyncio.gather(*(one(c) for c in clusters), return_exceptions=True)
        done: list[tuple[ClusterRef, T]] = []
        errors: list[FanOutError] = []
        for c, out in zip(clusters, outcomes, strict=True):
            if isinstance(out, MemberError):
                errors.append(FanOutError(c.id, c.name, out.status, out.business_code, out.detail))
            elif isinstance(out, asyncio.CancelledError):
                raise out
            elif isinstance(out, BaseException):
                log.error("fan-out to %s failed unexpectedly", c.name, exc_info=out)
                errors.append(FanOutError(c.id, c.name, 500, 500, f"cluster {c.name!r}: {out.__class__.__name__}"))
            else:
                done.append((c, out))
        return done, errors
