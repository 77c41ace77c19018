"""A member's CustomResourceDefinitions (1.1–1.3) and their custom resources (2.1–2.4).

Custom resources are written through the member's live API, so its CRD's structural schema, CEL rules and
defaults decide what is valid (422 naming the field), exactly as kubectl would see them.
"""

from __future__ import annotations

import re
from typing import Literal

from cloudops.errors import BadRequest, Missing
from cloudops.kube.types import KubeObject
from cloudops.members.access import ClusterRef
from cloudops.members.crds import (
    crd_spec,
    crd_status,
    get_crd,
    list_crds,
    resource_type_of,
    schema_of,
    storage_version,
)
from cloudops.members.discovery import ResourceType
from cloudops.members.objects import ObjectId, as_object, locate
from cloudops.members.session import MemberSession
from cloudops.members.unified import check_selectors, prepare_object, update_object
from cloudops.services.base import Service
from cloudops.services.common import MemberObjectDetail, ObjectManifest
from cloudops.services.crds.models import (
    CRD_NAME,
    CrdCondition,
    CrdDetail,
    CrdList,
    CrdListQuery,
    CrdSchema,
    CrdSummary,
    CrdVersion,
    CustomResourceList,
    Deleted,
    DeleteQuery,
    PrinterColumn,
    ResourcesQuery,
)
from cloudops.services.unified.views import member_object_detail

__all__ = ["CrdService", "crd_detail", "crd_summary"]


def _state(crd: KubeObject) -> Literal["established", "not_established", "terminating"]:
    if (crd.get("metadata") or {}).get("deletionTimestamp"):
        return "terminating"
    established = next((c for c in crd_status(crd).get("conditions") or [] if c.get("type") == "Established"), None)
    return "established" if established and established.get("status") == "True" else "not_established"


def crd_summary(crd: KubeObject) -> CrdSummary:
    spec, meta = crd_spec(crd), crd.get("metadata") or {}
    names = spec.get("names") or {}
    return CrdSummary(
        name=meta.get("name", ""), group=spec.get("group", ""), version=storage_version(crd).get("name", ""),
        kind=names.get("kind", ""), plural=names.get("plural", ""),
        singular=names.get("singular") or names.get("kind", "").lower(), scope=spec.get("scope", ""),
        short_names=names.get("shortNames") or [],
        served_versions=[v["name"] for v in spec.get("versions") or [] if v.get("served")],
        schema=schema_of(crd) or {}, status=_state(crd), created_at=meta.get("creationTimestamp"))


def crd_detail(crd: KubeObject) -> CrdDetail:
    spec, status = crd_spec(crd), crd_status(crd)
    versions = [CrdVersion(
        name=v.get("name"), served=bool(v.get("served")), storage=bool(v.get("storage")),
        deprecated=bool(v.get("deprecated")), deprecation_warning=v.get("deprecationWarning"),
        subresources=sorted((v.get("subresources") or {}).keys()),
        printer_columns=[PrinterColumn(name=c.get("name"), type=c.get("type"), json_path=c.get("jsonPath"),
                                       description=c.get("description"), priority=c.get("priority", 0))
                         for c in v.get("additionalPrinterColumns") or []],
        schema=(v.get("schema") or {}).get("openAPIV3Schema") or {}) for v in spec.get("versions") or []]
    conditions = [CrdCondition(type=c.get("type"), status=c.get("status"), reason=c.get("reason"),
                               message=c.get("message"), last_transition_time=c.get("lastTransitionTime"))
                  for c in status.get("conditions") or []]
    return CrdDetail(**crd_summary(crd).model_dump(by_alias=True),
                     categories=(spec.get("names") or {}).get("categories") or [],
                     conversion=(spec.get("conversion") or {}).get("strategy", "None"),
                     stored_versions=status.get("storedVersions") or [], versions=versions, conditions=conditions)


class CrdService(Service):
    async def _crd(self, cluster: ClusterRef, name: str) -> tuple[MemberSession, KubeObject, ResourceType]:
        """The member's CRD `name` (404/1002 naming it when absent) and the type of its custom resources."""
        session = await self.deps.member(cluster)
        if len(name) > 253 or not re.fullmatch(CRD_NAME, name):
            raise BadRequest(f"{name[:80]!r} is not a CRD name (<plural>.<group>)", field="name")
        crd = await get_crd(session, name)
        return session, crd, resource_type_of(crd)

    async def list(self, cluster: ClusterRef, q: CrdListQuery) -> CrdList:
        session = await self.deps.member(cluster)
        found = [crd_summary(c) for c in await list_crds(session, q.group, q.version, q.scope)]
        return CrdList(crds=found[q.offset:q.offset + q.limit], total=len(found), limit=q.limit, offset=q.offset,
                       cluster_id=cluster.id)

    async def detail(self, cluster: ClusterRef, name: str) -> CrdDetail:
        _, crd, _ = await self._crd(cluster, name)
        return crd_detail(crd)

    async def schema(self, cluster: ClusterRef, name: str, version: str | None) -> CrdSchema:
        _, crd, _ = await self._crd(cluster, name)
        schema = schema_of(crd, version)
        if schema is None:
            versions = [v.get("name") for v in crd_spec(crd).get("versions") or []]
            raise Missing(f"{version!r} is not a version of {crd['metadata']['name']} (versions: {versions})",
                          field="version")
        summary = crd_summary(crd)
        return CrdSchema(name=summary.name, version=version or summary.version, kind=summary.kind, schema=schema)

    async def resources(self, cluster: ClusterRef, name: str, q: ResourcesQuery) -> CustomResourceList:
        check_selectors(q.label_selector, q.field_selector)
        session, crd, rt = await self._crd(cluster, name)
        objs, _ = await session.list_all(rt, q.namespace if rt.namespaced else None, label_selector=q.label_selector,
                                         field_selector=q.field_selector)
        views = sorted((member_object_detail(cluster, rt.type_name, as_object(o)) for o in objs),
                       key=lambda v: (v.namespace, v.name))
        return CustomResourceList(crd=crd["metadata"]["name"], resources=views[q.offset:q.offset + q.limit],
                                  total=len(views), limit=q.limit, offset=q.offset)

    async def create(self, cluster: ClusterRef, name: str, namespace: str | None,
                     manifest: ObjectManifest) -> MemberObjectDetail:
        """Validated by the member against the CRD's live schema: a bad field is 422 naming it."""
        session, _, rt = await self._crd(cluster, name)
        obj, ns = prepare_object(rt, manifest.model_dump(exclude_none=True), namespace)
        return member_object_detail(cluster, rt.type_name, as_object(await session.create(rt, ns, dict(obj))))

    async def update(self, cluster: ClusterRef, name: str, resource: str, namespace: str | None,
                     manifest: ObjectManifest) -> MemberObjectDetail:
        session, _, rt = await self._crd(cluster, name)
        ns, resource_name = _where(rt, resource, namespace)
        updated = await update_object(session, rt, ns, resource_name, manifest.model_dump(exclude_none=True))
        return member_object_detail(cluster, rt.type_name, updated)

    async def delete(self, cluster: ClusterRef, name: str, resource: str, q: DeleteQuery) -> Deleted:
        session, _, rt = await self._crd(cluster, name)
        ns, resource_name = _where(rt, resource, q.namespace)
        await session.delete(rt, ns, resource_name, propagation=q.propagation_policy)
        return Deleted(id=str(ObjectId(cluster.ref, rt.type_name, ns or "", resource_name)), deleted=True)


def _where(rt: ResourceType, resource: str, namespace: str | None) -> tuple[str | None, str]:
    """`{resource_name}` is the name, or an object id whose namespace wins over the query's."""
    ns, name = locate(resource, "resource_name", namespace)
    return ((ns or "default") if rt.namespaced else None), name
