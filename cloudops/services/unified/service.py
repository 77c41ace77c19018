"""Objects of any type across member clusters (多云集群 API 2.1–2.7): query, CRUD, batch operations and compare.

The caller resolved and authorized the clusters (`missing`: names in cluster_ids that are not registered);
queries fan out over them concurrently and a failing member is an entry in `errors`, never a failed answer.
Writes are dry-run on the member first, so a bad object is refused with its own field errors.
"""

from __future__ import annotations

import asyncio
from typing import Literal

from cloudops.errors import BadRequest, BusinessCode, CloudOpsError, Missing
from cloudops.kube.types import KubeObject
from cloudops.members.access import ClusterRef, FanOutError
from cloudops.members.errors import MemberError
from cloudops.members.objects import ObjectId, as_object
from cloudops.members.session import MemberSession
from cloudops.members.unified import (
    BatchItem,
    check_selectors,
    compare_objects,
    operate,
    prepare_object,
    update_object,
)
from cloudops.services.base import Service
from cloudops.services.common import BatchSummary, ClusterError, MemberObject, MemberObjectDetail
from cloudops.services.gate import Gate
from cloudops.services.located import Located
from cloudops.services.unified.models import (
    BatchBody,
    BatchResult,
    BatchRow,
    ComparedCluster,
    CompareQuery,
    CompareResult,
    CompareSummary,
    ComparisonRow,
    CreateBody,
    Deleted,
    ListQuery,
    Propagation,
    UnifiedList,
    UpdateBody,
)
from cloudops.services.unified.views import member_object, member_object_detail

__all__ = ["UnifiedService"]

MAX_ITEMS = 5000  # items one cluster contributes to a query; more are cut, and a note says so


def _missing(missing: tuple[str, ...]) -> list[FanOutError]:
    return [FanOutError(None, ref, 404, BusinessCode.RESOURCE_NOT_FOUND, f"cluster {ref!r} not found")
            for ref in missing]


def _errors(errors: list[FanOutError]) -> list[ClusterError]:
    return [ClusterError(cluster_id=e.cluster_id, cluster_name=e.cluster_name, status=e.status, code=e.code,
                         error=e.error) for e in errors]


def _sort_key(item: MemberObject) -> tuple[int, str, str, str]:
    cid = item.cluster_id
    return (cid if isinstance(cid, int) else 1 << 62, item.cluster_name, item.namespace, item.name)


def _failed_rows(cluster_id: int | None, cluster_name: str, ref: str, status: int, code: int, error: str,
                 items: list[BatchItem]) -> list[BatchRow]:
    return [BatchRow(id=f"{ref}:{it.type}:{it.namespace}:{it.name}", cluster_id=cluster_id, cluster_name=cluster_name,
                     type=it.type, namespace=it.namespace, name=it.name, success=False, status=status, code=code,
                     error=error) for it in items]


def _agrees(cluster: ClusterRef, at: Located, b: UpdateBody) -> None:
    """The create call's fields in an update body say what `{id}` says, or the update is refused (400 naming the
    first field that disagrees): the body never moves the write to another cluster, type or namespace."""
    oid, rt = at.object_id(cluster), at.rt
    if b.cluster_id is not None and str(b.cluster_id) not in (cluster.ref, cluster.name):
        raise BadRequest(f"{str(b.cluster_id)[:63]!r} is not the cluster of {oid} ({cluster.name})", field="cluster_id")
    names = {rt.plural, rt.singular, rt.kind.lower(), *rt.short_names} - {""}
    if b.resource_type is not None and b.resource_type.lower() not in names | {f"{n}.{rt.group}" for n in names}:
        raise BadRequest(f"{b.resource_type!r} is not the type of {oid} ({rt.kind})", field="resource_type")
    if b.namespace is not None and b.namespace != (at.namespace or ""):
        where = f"namespace {at.namespace!r}" if at.namespace else f"no namespace ({rt.kind} is cluster-scoped)"
        raise BadRequest(f"{b.namespace!r} differs from {oid}, which is in {where}", field="namespace")


class UnifiedService(Service):
    async def list(self, clusters: tuple[ClusterRef, ...], missing: tuple[str, ...], q: ListQuery) -> UnifiedList:
        """Items of one type from every cluster, sorted by cluster, namespace and name; failures per cluster."""
        check_selectors(q.label_selector, q.field_selector)
        if q.continue_ is not None:
            return await self._member_page(clusters, q)

        async def one(c: ClusterRef, s: MemberSession) -> tuple[list[MemberObject], bool]:
            rt = await s.resolve(q.resource_type)
            objs, truncated = await s.list_all(rt, q.namespace if rt.namespaced else None,
                                               label_selector=q.label_selector, field_selector=q.field_selector,
                                               max_items=MAX_ITEMS)
            return [member_object(c, rt.type_name, as_object(o)) for o in objs], truncated

        done, errors = await self.deps.access.fan_out(list(clusters), one)
        items = sorted((item for _, (views, _) in done for item in views), key=_sort_key)
        notes = [f"cluster {c.name!r}: more than {MAX_ITEMS} items; only the first {MAX_ITEMS} were read"
                 for c, (_, truncated) in done if truncated]
        return UnifiedList(resources=items[q.offset:q.offset + q.limit], total=len(items), limit=q.limit,
                           offset=q.offset, errors=_errors([*_missing(missing), *errors]), notes=notes)

    async def _member_page(self, clusters: tuple[ClusterRef, ...], q: ListQuery) -> UnifiedList:
        """Paging by the member's own token: one cluster, `limit` items a page, `offset` must stay 0."""
        if len(clusters) != 1 or q.offset:
            raise BadRequest("pages by the member's token for exactly one cluster (cluster_ids) and offset 0",
                             field="continue")
        cluster = clusters[0]
        session = await self.deps.member(cluster)
        rt = await session.resolve(q.resource_type)
        got = await session.list_page(rt, q.namespace if rt.namespaced else None, label_selector=q.label_selector,
                                      field_selector=q.field_selector, limit=q.limit,
                                      continue_token=q.continue_ or None)
        views = [member_object(cluster, rt.type_name, as_object(o)) for o in got.items]
        total = len(views) + got.remaining if got.remaining is not None else (
            len(views) if not got.continue_token else None)
        return UnifiedList(resources=views, total=total, limit=q.limit, offset=0, errors=[], notes=[],
                           **{"continue": got.continue_token})

    async def _located(self, cluster: ClusterRef, oid: ObjectId) -> Located:
        session = await self.deps.member(cluster)
        rt = await session.resolve(oid.type)
        if not rt.namespaced and oid.namespace:  # a well-formed id of nothing: no namespace holds a Namespace
            raise Missing(f"no {rt.kind} lives in namespace {oid.namespace!r}: {rt.kind} is cluster-scoped, its id "
                          "has an empty namespace part", field="id")
        return Located(session, rt, (oid.namespace or "default") if rt.namespaced else None, oid.name)

    async def get(self, cluster: ClusterRef, oid: ObjectId, reveal: bool, gate: Gate) -> MemberObjectDetail:
        """With `reveal`, a Secret's values too: the caller needs the `secrets` capability for that."""
        at = await self._located(cluster, oid)
        if reveal:
            await gate.authorize("get", "secrets", cluster.name)
        obj = as_object(await at.session.get(at.rt, at.namespace, at.name, reveal=reveal))
        return member_object_detail(cluster, at.rt.type_name, obj)

    async def create(self, cluster: ClusterRef, b: CreateBody) -> MemberObjectDetail:
        """The member's server-side dry run first: a bad object is 422 naming the field, and nothing is written."""
        resource = b.resource.model_dump(exclude_none=True)
        type_name = b.resource_type or resource.get("kind")
        if not type_name:
            raise BadRequest("required when resource.kind is absent", field="resource_type")
        session = await self.deps.member(cluster)
        rt = await session.resolve(str(type_name))
        obj, namespace = prepare_object(rt, resource, b.namespace)
        await session.create(rt, namespace, dict(obj), dry_run=True)
        created = await session.create(rt, namespace, dict(obj))  # versioned by the request's write observer
        return member_object_detail(cluster, rt.type_name, as_object(created))

    async def update(self, cluster: ClusterRef, oid: ObjectId, b: UpdateBody) -> MemberObjectDetail:
        """Replaces the object; a stale metadata.resourceVersion is 409/1006 and changes nothing. The create call's
        body is accepted: its cluster_id, resource_type and namespace must agree with `{id}`."""
        at = await self._located(cluster, oid)
        _agrees(cluster, at, b)
        manifest = b.resource.model_dump(exclude_none=True)
        updated = await update_object(at.session, at.rt, at.namespace, at.name, manifest)
        return member_object_detail(cluster, at.rt.type_name, updated)

    async def delete(self, cluster: ClusterRef, oid: ObjectId, propagation: Propagation) -> Deleted:
        at = await self._located(cluster, oid)
        await at.session.delete(at.rt, at.namespace, at.name, propagation=propagation)
        return Deleted(id=at.object_id(cluster), deleted=True, propagation_policy=propagation)

    async def batch(self, clusters: tuple[ClusterRef, ...], missing: tuple[str, ...], b: BatchBody,
                    gate: Gate) -> BatchResult:
        """A result per cluster and resource; partial success is `status: partial`, never a whole-request error."""
        if b.operation == "delete":
            for c in clusters:
                await gate.authorize("delete", "resources", c.name)
        items = [BatchItem(r.type, r.namespace, r.name, r.parameters) for r in b.resources]

        async def per_cluster(c: ClusterRef, s: MemberSession) -> list[BatchRow]:
            outcomes = await asyncio.gather(*(operate(s, b.operation, it) for it in items), return_exceptions=True)
            return [_row(c, it, out) for it, out in zip(items, outcomes, strict=True)]

        done, errors = await self.deps.access.fan_out(list(clusters), per_cluster)
        rows = [row for _, cluster_rows in done for row in cluster_rows]
        for e in errors:
            ref = str(e.cluster_id) if e.cluster_id is not None else e.cluster_name
            rows += _failed_rows(e.cluster_id, e.cluster_name, ref, e.status, e.code, e.error, items)
        order = {c.name: i for i, c in enumerate(clusters)}
        rows.sort(key=lambda r: order.get(r.cluster_name, 0))
        for e in _missing(missing):
            rows += _failed_rows(None, e.cluster_name, e.cluster_name, e.status, e.code, e.error, items)
        succeeded = sum(1 for r in rows if r.success)
        status: Literal["success", "partial", "failed"] = (
            "success" if succeeded == len(rows) else "failed" if succeeded == 0 else "partial")
        return BatchResult(operation=b.operation, status=status, results=rows,
                           summary=BatchSummary(total=len(rows), succeeded=succeeded, failed=len(rows) - succeeded))

    async def compare(self, clusters: tuple[ClusterRef, ...], missing: tuple[str, ...],
                      q: CompareQuery) -> CompareResult:
        check_selectors(q.label_selector)
        if len(clusters) < 2:
            raise BadRequest(f"comparing needs at least two clusters you may read ({len(clusters)} found)",
                             field="cluster_ids")

        done, errors = await self.deps.access.fan_out(list(clusters), lambda _, s: _same_named(s, q))
        names = sorted({n for _, objs in done for n in objs})
        rows = [ComparisonRow.model_validate(compare_objects([(c, objs.get(n)) for c, objs in done],
                                                             q.include_metadata)) for n in names]
        failed = {e.cluster_name for e in errors}
        compared = [c for c in clusters if c.name not in failed]
        identical = sum(1 for r in rows if r.identical)
        return CompareResult(
            comparison=rows, errors=_errors([*_missing(missing), *errors]),
            clusters=[ComparedCluster(key=f"cluster_{i}", cluster_id=c.id, cluster_name=c.name)
                      for i, c in enumerate(compared, start=1)],
            summary=CompareSummary(resources=len(rows), identical=identical, different=len(rows) - identical))


def _row(c: ClusterRef, it: BatchItem, out: object) -> BatchRow:
    """One cluster's result for one resource: what changed, or the error with its code."""
    row: dict[str, object] = {"id": f"{c.ref}:{it.type}:{it.namespace}:{it.name}", "cluster_id": c.id,
                              "cluster_name": c.name, "type": it.type, "namespace": it.namespace, "name": it.name}
    if isinstance(out, CloudOpsError):
        row.update(success=False, status=out.status, code=out.business_code, error=out.detail)
    elif isinstance(out, ValueError):
        row.update(success=False, status=400, code=400, error=str(out))
    elif isinstance(out, BaseException):
        raise out
    else:
        row.update(success=True, status=200, code=200, result=out)
    return BatchRow.model_validate(row)


def _key(obj: KubeObject, qualified: bool) -> str:
    meta = obj.get("metadata") or {}
    return f"{meta.get('namespace', '')}/{meta.get('name', '')}" if qualified else str(meta.get("name", ""))


async def _same_named(s: MemberSession, q: CompareQuery) -> dict[str, KubeObject]:
    """One cluster's objects to compare, by name (across namespaces `namespace/name` is what must match)."""
    rt = await s.resolve(q.resource_type)
    ns = q.namespace if rt.namespaced else None
    qualified = rt.namespaced and ns is None
    if q.name:
        try:
            return {_key(o, qualified): o for o in [as_object(await s.get(rt, ns or "default", q.name))]}
        except MemberError as e:
            if e.status == 404:
                return {}
            raise
    objs, _ = await s.list_all(rt, ns, label_selector=q.label_selector, max_items=2000)
    return {_key(o, qualified): o for o in map(as_object, objs)}
