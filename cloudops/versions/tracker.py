"""Finds changes to versioned objects in one member and records them: what the operator runs per cluster.

An object is versioned when labelled cloudops.io/versioned=true. Each pass lists the labelled objects of
the tracked types; an object whose normalized content differs from the last seen is compared with its
newest stored version and recorded when it changed. `seen` is a cache of the hub's state (rebuilt after
a restart by reading the hub), never the state itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from cloudops.kube.client import ApiClient
from cloudops.kube.types import JsonObject
from cloudops.members.access import ClusterRef
from cloudops.members.discovery import ResourceType
from cloudops.members.errors import MemberError
from cloudops.members.session import MemberSession
from cloudops.versions.content import VERSIONED_LABEL, fingerprint, last_manager
from cloudops.versions.store import Subject, VersionTooLarge, record

__all__ = ["TRACKED_TYPES", "mark_versioned", "record_write", "scan"]

log = logging.getLogger("cloudops.versions")
# Secrets are never versioned: a version is not encrypted, and their values must not sit in the hub in clear.
TRACKED_TYPES = ("deployments.apps", "statefulsets.apps", "daemonsets.apps", "cronjobs.batch", "services",
                 "configmaps", "ingresses.networking.k8s.io", "horizontalpodautoscalers.autoscaling")


async def scan(hub: ApiClient, namespace: str, session: MemberSession, cluster: ClusterRef, seen: dict[str, str],
               limit: int) -> int:
    """One pass over the member; returns how many versions were recorded."""
    recorded = 0
    for type_name in TRACKED_TYPES:
        try:
            rt = await session.resolve(type_name)
        except MemberError as e:
            if e.status == 404:
                continue
            raise
        # Raw list: the session's verbs drop managedFields, which say who made the change.
        doc = await session.json("GET", rt.collection_path(None), query=[("labelSelector", f"{VERSIONED_LABEL}=true")],
                                 what=f"list versioned {rt.plural}")
        for item in doc.get("items") or []:
            item.setdefault("kind", rt.kind)
            item.setdefault("apiVersion", rt.api_version)
            meta = item.get("metadata") or {}
            subject = Subject(cluster.name, cluster.ref, rt.group, rt.api_version, rt.plural, rt.type_name,
                              meta.get("namespace") or "", meta.get("name", ""))
            digest = fingerprint(item)
            if seen.get(subject.key) == digest:
                continue
            try:
                author = _author_of(item)
                if await record(hub, namespace, subject, item, author, limit=limit):
                    recorded += 1
            except VersionTooLarge as e:
                log.warning("cluster %s: %s", cluster.name, e)
            seen[subject.key] = digest
    return recorded


def _author_of(item: JsonObject) -> Callable[[JsonObject | None], str]:
    return lambda previous: last_manager(item, previous) or "unknown"


def mark_versioned(obj: Mapping[str, Any]) -> JsonObject:
    """A copy labelled to stay tracked (objects written through the REST API: the operator follows their later
    changes too); a Secret is never versioned."""
    if obj.get("kind") == "Secret":
        return dict(obj)
    meta = obj.get("metadata") or {}
    return {**obj, "metadata": {**meta, "labels": {**(meta.get("labels") or {}), VERSIONED_LABEL: "true"}}}


async def record_write(hub: ApiClient, namespace: str, cluster: ClusterRef, rt: ResourceType,
                       written: Mapping[str, Any], user: str, limit: int) -> bool:
    """A version for an object the shim just wrote, attributed to its user; Secrets are never versioned
    (versions are not encrypted) and an object too large for one version is left unversioned, logged."""
    if written.get("kind") == "Secret":
        return False
    meta = written.get("metadata") or {}
    subject = Subject(cluster.name, cluster.ref, rt.group, rt.api_version, rt.plural, rt.type_name,
                      meta.get("namespace") or "", meta.get("name", ""))
    try:
        return await record(hub, namespace, subject, written, user, limit=limit) is not None
    except VersionTooLarge as e:
        log.warning("not versioned: %s", e)
        return False
