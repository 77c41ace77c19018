"""Versions in the hub: one YamlVersion object per version, labelled by cluster, object and number.

Numbers come from the object's own history (the newest + 1); two recorders racing for one number meet
at the object name, and the loser re-reads and retries, so numbers stay unique and increasing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kubernetes_asyncio.client import ApiClient

from cloudops.constants import API_VERSION, GROUP, YAML_VERSION
from cloudops.kube.custom_objects import CustomObjects
from cloudops.kube.errors import Conflict, NotFound
from cloudops.members.objects import ObjectId
from cloudops.versions.content import branch_of, change_log, decode, encode, fingerprint, resource_key

__all__ = ["MAX_CONTENT", "RESOURCE_LABEL", "Subject", "VersionTooLarge", "content_of", "history", "prune",
           "record", "set_tag"]

Json = dict[str, Any]
RESOURCE_LABEL = f"{GROUP}/resource"
CLUSTER_LABEL = f"{GROUP}/cluster"
NUMBER_LABEL = f"{GROUP}/version"
# The API server refuses objects over 1 MiB (etcd's request limit); leave room for the rest of the object.
MAX_CONTENT = 900 * 1024


class VersionTooLarge(ValueError):
    """The object is too large to be kept as one version; nothing was written."""


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


def _store(api: ApiClient, namespace: str) -> CustomObjects:
    return CustomObjects(api, YAML_VERSION, namespace)


async def history(api: ApiClient, namespace: str, subject: Subject) -> list[Json]:
    """Every stored version of the object, oldest first."""
    items = await _store(api, namespace).list(label_selector=f"{RESOURCE_LABEL}={subject.key}")
    return sorted(items, key=lambda v: int(v["spec"]["number"]))


def content_of(version: Json) -> Json:
    return decode(str(version["spec"]["content"]))


async def record(api: ApiClient, namespace: str, subject: Subject, obj: Json, created_by: str, reason: str = "",
                 limit: int = 50) -> Json | None:
    """A new version when the normalized object differs from the newest stored one; None when it does not."""
    content = encode(obj)
    if len(content) > MAX_CONTENT:
        raise VersionTooLarge(f"{subject.type} {subject.name}: {len(content)} bytes compressed; a version holds at "
                              f"most {MAX_CONTENT}")
    digest = fingerprint(obj)
    store = _store(api, namespace)
    for _ in range(5):
        versions = await history(api, namespace, subject)
        latest = versions[-1] if versions else None
        if latest is not None and latest["spec"].get("sha256") == digest:
            return None
        number = int(latest["spec"]["number"]) + 1 if latest else 1
        previous = content_of(latest) if latest else None
        body = {"apiVersion": API_VERSION, "kind": YAML_VERSION.kind,
                "metadata": {"name": f"v-{subject.key}-{number}", "namespace": namespace,
                             "labels": {RESOURCE_LABEL: subject.key, CLUSTER_LABEL: subject.cluster,
                                        NUMBER_LABEL: str(number)}},
                "spec": {"clusterRef": {"name": subject.cluster}, "resourceId": subject.resource_id,
                         "group": subject.group, "apiVersion": subject.api_version, "plural": subject.plural,
                         "type": subject.type, "namespace": subject.namespace, "name": subject.name,
                         "number": number, "version": f"v{number}",
                         "changeLog": change_log(previous, obj, reason)[:4096], "createdBy": created_by[:253],
                         "branch": branch_of(obj)[:253], "tags": [], "sha256": digest, "content": content}}
        try:
            created = await store.create(body)
        except Conflict:
            continue  # another recorder took this number: look again
        await prune(api, namespace, [*versions, created], limit)
        return created
    raise Conflict(f"could not record a version of {subject.type} {subject.name}: numbers kept changing")


async def prune(api: ApiClient, namespace: str, versions: list[Json], limit: int) -> list[str]:
    """Deletes the oldest untagged versions beyond `limit`; tagged ones and the newest always stay."""
    store = _store(api, namespace)
    untagged = [v for v in versions[:-1] if not v["spec"].get("tags")]
    excess = len(versions) - max(1, limit)
    gone = []
    for v in untagged[:max(0, excess)]:
        try:
            await store.delete(v["metadata"]["name"])
        except NotFound:
            pass
        gone.append(v["metadata"]["name"])
    return gone


async def set_tag(api: ApiClient, namespace: str, versions: list[Json], target: Json, tag: str,
                  description: str) -> Json:
    """Adds `tag` to `target`; Conflict when another version of the object holds it."""
    for v in versions:
        if tag in (v["spec"].get("tags") or []) and v["metadata"]["name"] != target["metadata"]["name"]:
            raise Conflict(f"tag {tag!r} is held by {v['spec'].get('version')} of this resource")
    tags = sorted({*(target["spec"].get("tags") or []), tag})
    descriptions = {**(target["spec"].get("tagDescriptions") or {}), tag: description}
    return await _store(api, namespace).patch(target["metadata"]["name"],
                                              {"spec": {"tags": tags, "tagDescriptions": descriptions}})
