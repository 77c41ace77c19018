"""A cluster named inside a request's data (a resource id, a backup's source), resolved and authorized.

For endpoints whose cluster is not where the request context looks (`{id}`, `cluster_id`): the YAML
version and backup routes find it in `{resource_id}`, in a body's resource_id, or in a stored backup.
"""

from __future__ import annotations

from aiohttp import web

from api_shim.context import authorize, cluster_ref_error
from api_shim.envelope import ApiError, BusinessCode
from api_shim.state import REGISTRY
from cloudops.kube.errors import NotFound
from cloudops.members.access import ClusterRef

__all__ = ["resolve_cluster"]


async def resolve_cluster(request: web.Request, ref: str | int | None, verb: str, capability: str,
                          where: str) -> ClusterRef:
    """The cluster `ref` names (the only one when None), authorized for `verb` on `capability`; 400 naming
    `where` for a bad or missing reference, 404 for an unknown cluster only after RBAC allowed the verb."""
    registry = request.app[REGISTRY]
    if ref is None:
        clusters = await registry.clusters.list()
        if len(clusters) != 1:
            await authorize(request, verb, capability, "")
            raise ApiError(400, f"{where}: required when {len(clusters)} clusters are registered")
        cluster = ClusterRef.of(clusters[0])
    else:
        if err := cluster_ref_error(str(ref)):
            raise ApiError(400, f"{where}: {err}")
        try:
            cluster = ClusterRef.of(await registry.find(str(ref)))
        except NotFound:
            await authorize(request, verb, capability, "")
            raise ApiError(404, f"{where}: cluster {str(ref)!r} not found", BusinessCode.RESOURCE_NOT_FOUND) from None
    await authorize(request, verb, capability, cluster.name)
    return cluster
