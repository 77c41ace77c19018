"""YAML version history of member objects: list, diff, compare, rollback and tags (1.1–1.5).

Versions are recorded by the operator for objects labelled cloudops.io/versioned=true in members, and here
after a rollback. The resource id is an object id (or a bare name with cluster_id, resource_type and
namespace); its cluster is resolved and authorized (capability `versions`) through the caller's Gate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cloudops.conditions import now_iso
from cloudops.diff import diff, normalize, summarize
from cloudops.errors import Missing, Unprocessable
from cloudops.kube.types import JsonObject
from cloudops.members.discovery import ResourceType
from cloudops.members.errors import MemberError
from cloudops.members.session import MemberSession
from cloudops.paging import page
from cloudops.resources import YamlVersion
from cloudops.services.base import Service
from cloudops.services.gate import Gate
from cloudops.services.named import name_object, scoped
from cloudops.services.versions.models import (
    CompareBody,
    DiffEntry,
    DiffQuery,
    DiffResult,
    DiffSummary,
    ListQuery,
    RollbackBody,
    RollbackResult,
    TagBody,
    TagResult,
    VersionItem,
    VersionList,
    VersionRef,
    Where,
)
from cloudops.versions.content import fingerprint
from cloudops.versions.store import Subject, VersionTooLarge, content_of, history, record, set_tag

__all__ = ["VersionService"]

CAPABILITY = "versions"


@dataclass(frozen=True)
class _Object:
    """The object a request names, in its member."""

    subject: Subject
    session: MemberSession
    rt: ResourceType

    async def live(self) -> Mapping[str, Any] | None:
        try:
            return await self.session.get(self.rt, self.subject.namespace or None, self.subject.name)
        except MemberError as e:
            if e.status == 404:
                return None
            raise

    async def digest(self) -> str | None:
        """The live object's fingerprint: the version it matches is the current one."""
        live = await self.live()
        return fingerprint(live) if live is not None else None


def _find(versions: list[YamlVersion], ref: VersionRef, field: str) -> YamlVersion:
    text = str(ref)
    for v in versions:
        if text == str(v.spec.number) or text == v.spec.version or text in (v.spec.tags or []):
            return v
    raise Missing(f"no version {text!r} of this resource", field=field)


def _stored(v: YamlVersion, field: str) -> JsonObject:
    """A version's object; a damaged one (edited in the hub) is 422 naming the field, never a 500."""
    try:
        return content_of(v)
    except (ValueError, OSError, EOFError):
        raise Unprocessable(f"version {v.spec.version} is stored damaged and cannot be read", field=field) from None


def _item(v: YamlVersion, live_digest: str | None) -> VersionItem:
    spec = v.spec
    return VersionItem(id=spec.number, version=spec.version or f"v{spec.number}", change_log=spec.change_log or "",
                       created_by=spec.created_by or "", created_at=v.metadata.creation_timestamp,
                       tags=list(spec.tags or []), is_current=live_digest is not None and spec.sha256 == live_digest,
                       branch=spec.branch or "main")


async def _content(o: _Object, versions: list[YamlVersion], ref: VersionRef,
                   field: str) -> tuple[str, Mapping[str, Any]]:
    if str(ref) == "current":
        live = await o.live()
        if live is None:
            raise Missing("the resource no longer exists", field=field)
        return "current", normalize(live)
    v = _find(versions, ref, field)
    return str(v.spec.version), _stored(v, field)


async def _notify(session: MemberSession, obj: Mapping[str, Any], rt: ResourceType, message: str) -> None:
    meta = obj.get("metadata") or {}
    now, namespace = now_iso(), meta.get("namespace") or "default"
    event = {"apiVersion": "v1", "kind": "Event",
             "metadata": {"generateName": f"{meta.get('name', 'object')[:200]}.rollback-",
                          "namespace": namespace},
             "involvedObject": {"apiVersion": rt.api_version, "kind": rt.kind, "name": meta.get("name"),
                                "namespace": meta.get("namespace"), "uid": meta.get("uid")},
             "reason": "Rollback", "message": message[:1024], "type": "Normal", "count": 1,
             "firstTimestamp": now, "lastTimestamp": now, "source": {"component": "cloudops"}}
    await session.create(await session.resolve("events"), namespace, event)


async def _write_back(o: _Object, body: JsonObject) -> Mapping[str, Any]:
    """The member's server-side dry run first (422 with its message, nothing changed), then the write."""
    session, rt, ns = o.session, o.rt, o.subject.namespace or None
    live = await o.live()
    if live is None:
        await session.create(rt, ns, body, dry_run=True)
        return await session.create(rt, ns, body)
    meta = body.get("metadata")
    if not isinstance(meta, dict):
        meta = body["metadata"] = {}
    meta["resourceVersion"] = (live.get("metadata") or {}).get("resourceVersion")
    await session.replace(rt, ns, o.subject.name, body, dry_run=True)
    return await session.replace(rt, ns, o.subject.name, body)


class VersionService(Service):
    async def _object(self, gate: Gate, raw: str, where: Where, verb: str) -> _Object:
        named = await name_object(gate, raw, verb, CAPABILITY, cluster_id=where.cluster_id,
                                  resource_type=where.resource_type or "deployment", namespace=where.namespace)
        session = await self.deps.member(named.cluster)
        rt = await session.resolve(named.type)
        subject = Subject(named.cluster.name, named.cluster.ref, rt.group, rt.api_version, rt.plural, rt.type_name,
                          scoped(rt, named.namespace), named.name)
        return _Object(subject, session, rt)

    async def _history(self, subject: Subject) -> list[YamlVersion]:
        return await history(self.deps.hub, self.deps.namespace, subject)

    async def list(self, raw: str, q: ListQuery, gate: Gate) -> VersionList:
        """Newest first; is_current marks the version the live object matches."""
        o = await self._object(gate, raw, q, "list")
        versions = await self._history(o.subject)
        digest = await o.digest()
        items = [_item(v, digest) for v in reversed(versions) if q.branch is None or v.spec.branch == q.branch]
        listed = page(items, q.limit, q.offset)
        return VersionList(resource_id=o.subject.resource_id, versions=listed.pop("items"), **listed)

    async def diff(self, raw: str, q: DiffQuery, gate: Gate) -> DiffResult:
        return await self._difference(raw, q, gate, q.version1, q.version2, True, q.include_objects)

    async def compare(self, raw: str, b: CompareBody, gate: Gate) -> DiffResult:
        return await self._difference(raw, b, gate, b.version1, b.version2, b.include_metadata, b.include_objects)

    async def _difference(self, raw: str, where: Where, gate: Gate, ref1: VersionRef, ref2: VersionRef,
                          include_metadata: bool, include_objects: bool = False) -> DiffResult:
        o = await self._object(gate, raw, where, "get")
        if include_objects and o.rt.kind == "Secret":
            raise Unprocessable("a Secret's contents are never shown through versions", field="include_objects")
        versions = await self._history(o.subject)
        name1, old = await _content(o, versions, ref1, "version1")
        name2, new = await _content(o, versions, ref2, "version2")
        changes = diff(normalize(old, include_metadata=include_metadata),
                       normalize(new, include_metadata=include_metadata))
        counts = summarize(changes)
        return DiffResult(resource_id=o.subject.resource_id, version1=name1, version2=name2,
                          diff=[DiffEntry(type=c.kind, path=c.path, old_value=c.old_value, new_value=c.new_value)
                                for c in changes],
                          summary=DiffSummary(added=counts["added"], modified=counts["modified"],
                                              deleted=counts["deleted"]),
                          object1=dict(normalize(old, include_metadata=include_metadata)) if include_objects else None,
                          object2=dict(normalize(new, include_metadata=include_metadata)) if include_objects else None)

    async def rollback(self, raw: str, b: RollbackBody, gate: Gate) -> RollbackResult:
        """The member's server-side dry run first (422 with its message, nothing changed), then the write; the
        result is a new version. notify_users get a Kubernetes Event on the object (and the audit log)."""
        o = await self._object(gate, raw, b, "update")
        target = _find(await self._history(o.subject), b.version_id, "version_id")
        written = await _write_back(o, _stored(target, "version_id"))
        user, label, why = self.deps.actor, target.spec.version, f": {b.reason}" if b.reason else ""
        try:
            new = await record(self.deps.hub, self.deps.namespace, o.subject, written, user,
                               f"Rollback to {label}{why}", self.deps.settings.version_limit)
        except VersionTooLarge as e:
            raise VersionTooLarge(f"rolled back, but the new version cannot be stored: {e.message}",
                                  field="version_id") from None
        if b.notify_users:
            await _notify(o.session, written, o.rt,
                          f"{user} rolled back to {label}{why}; notify: {', '.join(b.notify_users)}")
        digest = fingerprint(written)
        return RollbackResult(resource_id=o.subject.resource_id, rolled_back_to=_item(target, digest),
                              new_version=_item(new, digest) if new else None, notified_users=b.notify_users)

    async def tag(self, raw: str, b: TagBody, gate: Gate) -> TagResult:
        """A tag is unique per resource: 409 when another version holds it. Tagged versions outlive retention."""
        o = await self._object(gate, raw, b, "create")
        versions = await self._history(o.subject)
        target = _find(versions, b.version_id, "version_id")
        tagged = await set_tag(self.deps.hub, self.deps.namespace, versions, target, b.tag, b.description)
        item = _item(tagged, await o.digest())
        return TagResult(**item.model_dump(), tag_descriptions=dict(tagged.spec.tag_descriptions or {}))
