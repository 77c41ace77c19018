"""Versions in the hub: one YamlVersion object per version, labelled by cluster, object and number.

Numbers come from the object's own history (the newest + 1); two recorders racing for one number meet
at the object name, and the loser re-reads and retries, so numbers stay unique and increasing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cloudops.constants import GROUP
from cloudops.errors import StateConflict, Unprocessable
from cloudops.kube.client import ApiClient
from cloudops.kube.errors import Conflict, NotFound
from cloudops.kube.stores import HubStore
from cloudops.kube.types import JsonObject
from cloudops.members.objects import ObjectId
from cloudops.resources import YamlVersion
from cloudops.resources.base import ObjectMeta, ObjectRef
from cloudops.resources.yaml_version import YamlVersionSpec
from cloudops.versions.content import branch_of, change_log, decode, encode, fingerprint, resource_key

__all__ = ["MAX_CONTENT", "RESOURCE_LABEL", "Subject", "TagTaken", "VersionTooLarge", "content_of", "history",
           "prune", "record", "set_tag"]

RESOURCE_LABEL = f"{GROUP}/resource"
CLUSTER_LABEL = f"{GROUP}/cluster"
NUMBER_LABEL = f"{GROUP}/version"
# The API server refuses objects over 1 MiB (etcd's request limit); leave room for the rest of the object.
MAX_CONTENT = 900 * 1024


class VersionTooLarge(Unprocessable, ValueError):
    """The object is too large to be kept as one version (422); nothing was written."""


class TagTaken(StateConflict):
    """Another version of the object holds the tag (409/1006)."""

    def __init__(self, message: str, *, field: str = "tag") -> None:
        super().__init__(message, field=field)


@dataclass(frozen=True)
class Subject:
    """One object in one cluster."""

    cluster: str  # the cluster's name
    cluster_ref: str  # what object ids carry (id, or name while it has none)
    group: str
    api_version: str
    plural: str
    type: str
    namespace: str
    name: str

    @property
    def key(self) -> str:
        return resource_key(self.cluster, self.group, self.plural, self.namespace, self.name)

    @property
    def resource_id(self) -> str:
        return str(ObjectId(self.cluster_ref, self.type, self.namespace, self.name))


def _store(api: ApiClient, namespace: str) -> HubStore[YamlVersion]:
    return HubStore(api, YamlVersion, namespace)


async def history(api: ApiClient, namespace: str, subject: Subject) -> list[YamlVersion]:
    """Every stored version of the object, oldest first."""
    items = await _store(api, namespace).list(label_selector=f"{RESOURCE_LABEL}={subject.key}")
    return sorted(items, key=lambda v: v.spec.number)


def content_of(version: YamlVersion) -> JsonObject:
    return decode(version.spec.content)


def _version(namespace: str, subject: Subject, number: int, previous: JsonObject | None, obj: Mapping[str, Any],
             created_by: str, reason: str, content: str) -> YamlVersion:
    meta = ObjectMeta(name=f"v-{subject.key}-{number}", namespace=namespace,
                      labels={RESOURCE_LABEL: subject.key, CLUSTER_LABEL: subject.cluster, NUMBER_LABEL: str(number)})
    return YamlVersion(metadata=meta, spec=YamlVersionSpec(
        cluster_ref=ObjectRef(name=subject.cluster), resource_id=subject.resource_id, group=subject.group,
        api_version=subject.api_version, plural=subject.plural, type=subject.type, namespace=subject.namespace,
        name=subject.name, number=number, version=f"v{number}", change_log=change_log(previous, obj, reason)[:4096],
        created_by=created_by[:253], branch=branch_of(obj)[:253], tags=[], sha256=fingerprint(obj), content=content))


async def record(api: ApiClient, namespace: str, subject: Subject, obj: Mapping[str, Any],
                 created_by: str | Callable[[JsonObject | None], str], reason: str = "",
                 limit: int = 50) -> YamlVersion | None:
    """A new version when the normalized object differs from the newest stored one; None when it does not.
    `created_by` may be a function of the newest stored content: who made a change depends on what changed."""
    content = encode(obj)
    if len(content) > MAX_CONTENT:
        raise VersionTooLarge(f"{subject.type} {subject.name}: {len(content)} bytes compressed; a version holds at "
                              f"most {MAX_CONTENT}")
    digest = fingerprint(obj)
    store = _store(api, namespace)
    for _ in range(5):
        versions = await history(api, namespace, subject)
        latest = versions[-1] if versions else None
        if latest is not None and latest.spec.sha256 == digest:
            return None
        number = latest.spec.number + 1 if latest else 1
        previous = content_of(latest) if latest else None
        author = created_by(previous) if callable(created_by) else created_by
        try:
            created = await store.create(_version(namespace, subject, number, previous, obj, author, reason, content))
        except Conflict:
            continue  # another recorder took this number: look again
        await prune(api, namespace, [*versions, created], limit)
        return created
    raise Conflict(f"could not record a version of {subject.type} {subject.name}: numbers kept changing")


async def prune(api: ApiClient, namespace: str, versions: list[YamlVersion], limit: int) -> list[str]:
    """Deletes the oldest untagged versions beyond `limit`; tagged ones and the newest always stay."""
    store = _store(api, namespace)
    untagged = [v for v in versions[:-1] if not v.spec.tags]
    excess = len(versions) - max(1, limit)
    gone = []
    for v in untagged[:max(0, excess)]:
        name = v.metadata.name or ""
        try:
            await store.delete(name)
        except NotFound:
            pass
        gone.append(name)
    return gone


async def set_tag(api: ApiClient, namespace: str, versions: list[YamlVersion], target: YamlVersion, tag: str,
                  description: str) -> YamlVersion:
    """Adds `tag` to `target`; TagTaken when another version of the object holds it."""
    for v in versions:
        if tag in (v.spec.tags or []) and v.metadata.name != target.metadata.name:
            raise TagTaken(f"tag {tag!r} is held by {v.spec.version} of this resource")
    changes = YamlVersionSpec.model_construct(tags=sorted({*(target.spec.tags or []), tag}),
                                              tag_descriptions={**(target.spec.tag_descriptions or {}),
                                                                tag: description})
    return await _store(api, namespace).patch_spec(target.metadata.name or "", changes)
