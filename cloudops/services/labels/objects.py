"""Labels and annotations of objects inside a member (标签管理 1.1–1.5).

Keys and values are checked as Kubernetes checks them (cloudops.labels.selectors), so a bad one is a 400 naming
it before any member is called. Writes are JSON merge patches of metadata; where the caller's view must not
be overtaken (overwrite false, removals) the patch carries the read resourceVersion: a concurrent change is
409/1006.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Literal, TypedDict

from cloudops.errors import CloudOpsError, Unprocessable
from cloudops.labels.selectors import BadLabel, check_keys, check_labels, selector_error
from cloudops.members.access import ClusterRef
from cloudops.members.errors import MemberError
from cloudops.members.objects import ObjectId
from cloudops.members.session import MemberSession
from cloudops.paging import page
from cloudops.resources.base import ObjectMeta
from cloudops.services.base import Service
from cloudops.services.common import BatchSummary
from cloudops.services.labels.models import (
    AddBody,
    BatchBody,
    BatchResult,
    BatchRow,
    BatchTarget,
    ChangedView,
    LabelView,
    RemoveBody,
    Selected,
    SelectQuery,
    SelectResult,
)
from cloudops.services.located import BY_ALIAS, Located, locate

__all__ = ["LabelService", "LabelsHeld"]


class LabelsHeld(CloudOpsError):
    """overwrite false, and keys already hold other values: 409 naming them."""

    status = 409


class MetadataPatch(TypedDict, total=False):
    """The part of metadata a label write changes (a merge patch: None removes a key)."""

    resourceVersion: str | None
    labels: Mapping[str, str | None]
    annotations: Mapping[str, str | None]


def meta_of(obj: Mapping[str, object]) -> ObjectMeta:
    return ObjectMeta.model_validate(obj.get("metadata") or {})


def _view(cluster: ClusterRef, at: Located, meta: ObjectMeta) -> LabelView:
    namespace, name = meta.namespace or "", meta.name or ""
    return LabelView(id=str(ObjectId(cluster.ref, at.rt.type_name, namespace, name)), resource_type=at.rt.type_name,
                     resource_id=name, namespace=namespace, cluster_id=cluster.id, cluster_name=cluster.name,
                     labels=meta.labels or {}, annotations=meta.annotations or {})


def _changed(cluster: ClusterRef, at: Located, meta: ObjectMeta, changed: list[str]) -> ChangedView:
    return ChangedView(**_view(cluster, at, meta).model_dump(), changed=changed)


class LabelService(Service):
    """Reads and writes the labels and annotations of member objects."""

    async def _locate(self, cluster: ClusterRef, oid: ObjectId, type_name: str) -> Located:
        """The object of `{resource_type}/{resource_id}`; a full id of another type than the path's is 422."""
        return await locate(await self.deps.member(cluster), oid, type_name, BY_ALIAS)

    async def _read(self, at: Located) -> ObjectMeta:
        return meta_of(await at.session.get(at.rt, at.namespace, at.name))

    async def _patch(self, at: Located, meta: MetadataPatch) -> ObjectMeta:
        return meta_of(await at.session.patch(at.rt, at.namespace, at.name, {"metadata": meta}))

    async def get(self, cluster: ClusterRef, oid: ObjectId, type_name: str) -> LabelView:
        at = await self._locate(cluster, oid, type_name)
        return _view(cluster, at, await self._read(at))

    async def add(self, cluster: ClusterRef, oid: ObjectId, type_name: str, b: AddBody) -> ChangedView:
        """With overwrite false, the patch carries the read resourceVersion: a concurrent change is 409/1006."""
        check_labels(b.labels, "labels")
        check_keys(b.annotations, "annotations")
        at = await self._locate(cluster, oid, type_name)
        if not b.labels and not b.annotations:
            return _changed(cluster, at, await self._read(at), [])
        patch = MetadataPatch()
        if not b.overwrite:
            current = await self._read(at)
            held = current.labels or {}
            clashes = [f"labels.{k}" for k, v in b.labels.items() if held.get(k, v) != v]
            noted = current.annotations or {}
            clashes += [f"annotations.{k}" for k, v in b.annotations.items() if noted.get(k, v) != v]
            if clashes:
                raise LabelsHeld(f"overwrite is false and these keys hold other values: {', '.join(clashes)}")
            patch["resourceVersion"] = current.resource_version
        if b.labels:
            patch["labels"] = b.labels
        if b.annotations:
            patch["annotations"] = b.annotations
        return _changed(cluster, at, await self._patch(at, patch), sorted([*b.labels, *b.annotations]))

    async def remove(self, cluster: ClusterRef, oid: ObjectId, type_name: str, b: RemoveBody) -> ChangedView:
        """Keys the object does not have are not an error; `changed` lists those that were there."""
        check_labels(b.labels, "labels")
        check_keys(b.annotations, "annotations")
        at = await self._locate(cluster, oid, type_name)
        current = await self._read(at)
        labels = [k for k in b.labels if k in (current.labels or {})]
        annotations = [k for k in b.annotations if k in (current.annotations or {})]
        if not labels and not annotations:
            return _changed(cluster, at, current, [])
        patch = MetadataPatch(resourceVersion=current.resource_version)
        if labels:
            patch["labels"] = dict.fromkeys(labels)
        if annotations:
            patch["annotations"] = dict.fromkeys(annotations)
        return _changed(cluster, at, await self._patch(at, patch), sorted([*labels, *annotations]))

    async def batch(self, cluster: ClusterRef, b: BatchBody) -> BatchResult:
        """One result per resource, run concurrently; a failed resource never fails the others."""
        if b.operation != "remove" and not isinstance(b.labels, dict):
            raise Unprocessable(f"{b.operation} needs a map of key -> value, not a list of keys", field="labels")
        keys: dict[str, str] | list[str] = list(b.labels) if b.operation == "remove" else b.labels
        check_labels(keys, "labels")
        session = await self.deps.member(cluster)
        rows = list(await asyncio.gather(*(_batch_one(session, cluster, t, b.operation, keys) for t in b.resources)))
        done = sum(1 for r in rows if r.success)
        status: Literal["success", "partial", "failed"] = (
            "success" if done == len(rows) else "failed" if done == 0 else "partial")
        return BatchResult(operation=b.operation, status=status, results=rows,
                           summary=BatchSummary(total=len(rows), succeeded=done, failed=len(rows) - done))

    async def select(self, cluster: ClusterRef, q: SelectQuery) -> SelectResult:
        """The selector goes to the member as is (equality and set-based); a malformed one is 400 first."""
        if err := selector_error(q.label_selector):
            raise BadLabel(err, field="label_selector")
        session = await self.deps.member(cluster)
        rt = await session.resolve(q.resource_type)
        items, _ = await session.list_all(rt, q.namespace if rt.namespaced else None,
                                          label_selector=q.label_selector or None, metadata_only=True)
        rows = []
        for meta in map(meta_of, items):
            ns, name = meta.namespace or "", meta.name or ""
            rows.append(Selected(id=str(ObjectId(cluster.ref, rt.type_name, ns, name)), type=rt.type_name, name=name,
                                 namespace=ns, labels=meta.labels or {}, created_at=meta.creation_timestamp))
        rows.sort(key=lambda r: (r.namespace, r.name))
        listed = page(rows, q.limit, q.offset)
        return SelectResult(resources=listed.pop("items"), **listed)


async def _batch_one(session: MemberSession, cluster: ClusterRef, target: BatchTarget, operation: str,
                     labels: dict[str, str] | list[str]) -> BatchRow:
    type_name, namespace = target.type, target.namespace or ""
    where = f"{cluster.ref}:{type_name}:{namespace}:{target.name}"
    try:
        rt = await session.resolve(target.type)
        ns = (target.namespace or "default") if rt.namespaced else None
        type_name, namespace = rt.type_name, ns or ""
        where = str(ObjectId(cluster.ref, type_name, namespace, target.name))
        if operation == "replace":
            assert isinstance(labels, dict)
            replace = [{"op": "add", "path": "/metadata/labels", "value": labels}]
            obj = await session.patch(rt, ns, target.name, replace, patch_type="json")
        else:
            values: Mapping[str, str | None] = (
                labels if isinstance(labels, dict) and operation != "remove" else dict.fromkeys(labels))
            obj = await session.patch(rt, ns, target.name, {"metadata": MetadataPatch(labels=values)})
    except MemberError as e:
        return BatchRow(id=where, type=type_name, name=target.name, namespace=namespace, success=False,
                        status=e.status, code=e.business_code, error=e.detail)
    return BatchRow(id=where, type=type_name, name=target.name, namespace=namespace, success=True, status=200,
                    code=200, labels=meta_of(obj).labels or {})
