"""Bounded histories in the hub for any object of a member: one MetricHistory object per (family, subject).

Used wherever a section keeps samples over time (quota usage, probe results, pod usage): the object is
owned by its ManagedCluster (gone with it), holds at most ~300 downsampled points (cloudops.clusters.history
tiers) and each write is the whole truth, so nothing lives in process memory and restarts lose nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kubernetes_asyncio.client import ApiClient

from cloudops.clusters.history import TIERS, record
from cloudops.conditions import now_iso
from cloudops.constants import API_VERSION, GROUP, METRIC_HISTORY
from cloudops.kube.custom_objects import CustomObjects
from cloudops.kube.errors import Conflict, NotFound

__all__ = ["TIERS", "History", "Subject", "append", "histories", "history_name", "prune", "read", "read_all"]

FAMILY_LABEL = f"{GROUP}/history-family"
CLUSTER_LABEL = f"{GROUP}/cluster"
_FAMILY = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
Series = dict[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class Subject:
    """The member object a history is about; namespace empty for cluster-scoped objects."""

    kind: str
    namespace: str
    name: str


@dataclass(frozen=True)
class History:
    """One stored history: its subject, series, the subject's last attributes and when it was last written."""

    subject: Subject
    series: Series
    attributes: dict[str, Any]
    updated: str


def history_name(family: str, cluster: str, subject: Subject) -> str:
    """Deterministic and DNS-safe: readers find a history without listing."""
    if not _FAMILY.fullmatch(family) or len(family) > 40:
        raise ValueError(f"family {family!r}: lower-case DNS label of at most 40 characters")
    digest = hashlib.sha256(f"{cluster}/{subject.kind}/{subject.namespace}/{subject.name}".encode()).hexdigest()
    return f"{family}.{cluster[:150]}.{digest[:16]}"


def _store(api: ApiClient, namespace: str) -> CustomObjects:
    return CustomObjects(api, METRIC_HISTORY, namespace)


async def read(api: ApiClient, namespace: str, family: str, cluster: str, subject: Subject) -> Series:
    """The series by range (`1h`, `24h`, `7d`, `30d`); empty when nothing was recorded yet."""
    try:
        obj = await _store(api, namespace).get(history_name(family, cluster, subject))
    except NotFound:
        return {}
    return dict((obj.get("status") or {}).get("series") or {})


async def read_all(api: ApiClient, namespace: str, family: str, cluster: str) -> list[tuple[Subject, Series]]:
    """Every history of one family for one cluster (one labelled list), e.g. all probed addresses."""
    out = []
    for obj in await _store(api, namespace).list(f"{FAMILY_LABEL}={family},{CLUSTER_LABEL}={cluster}"):
        subject = (obj.get("spec") or {}).get("subject") or {}
        out.append((Subject(str(subject.get("kind", "")), str(subject.get("namespace", "")),
                            str(subject.get("name", ""))), dict((obj.get("status") or {}).get("series") or {})))
    return out


async def histories(api: ApiClient, namespace: str, family: str, cluster: str) -> list[History]:
    """Like read_all, with each subject's attributes (e.g. a pod's node and labels) and last write time."""
    out = []
    for obj in await _store(api, namespace).list(f"{FAMILY_LABEL}={family},{CLUSTER_LABEL}={cluster}"):
        subject = (obj.get("spec") or {}).get("subject") or {}
        status = obj.get("status") or {}
        out.append(History(Subject(str(subject.get("kind", "")), str(subject.get("namespace", "")),
                                   str(subject.get("name", ""))), dict(status.get("series") or {}),
                           dict(status.get("attributes") or {}), str(status.get("updatedTime") or "")))
    return out


async def prune(api: ApiClient, namespace: str, family: str, cluster: str, stale_before: datetime,
                keep: int) -> int:
    """Deletes the family's histories not written since `stale_before`, then the least recently written
    beyond `keep`: subjects come and go (pods), their histories must not pile up. Returns how many went."""
    store = _store(api, namespace)
    found = []
    for obj in await store.list(f"{FAMILY_LABEL}={family},{CLUSTER_LABEL}={cluster}"):
        updated = str((obj.get("status") or {}).get("updatedTime") or obj["metadata"].get("creationTimestamp", ""))
        found.append((updated, obj["metadata"]["name"]))
    found.sort(reverse=True)
    cutoff = stale_before.strftime("%Y-%m-%dT%H:%M:%SZ")
    doomed = [name for i, (updated, name) in enumerate(found) if i >= keep or updated < cutoff]
    for name in doomed:
        try:
            await store.delete(name)
        except NotFound:
            pass
    return len(doomed)


async def append(api: ApiClient, cluster: dict[str, Any], family: str, subject: Subject,
                 sample: dict[str, float], now: datetime, attributes: dict[str, Any] | None = None) -> Series:
    """Folds one sample (numeric fields only) into the history, creating it on first use. `attributes`
    (small JSON, e.g. a pod's node, labels, owner) replace the stored ones, for grouping samples later."""
    meta = cluster["metadata"]
    store = _store(api, meta["namespace"])
    name = history_name(family, meta["name"], subject)
    try:
        current = await store.get(name)
    except NotFound:
        owner = {"apiVersion": API_VERSION, "kind": "ManagedCluster", "name": meta["name"], "uid": meta["uid"],
                 "blockOwnerDeletion": False, "controller": True}
        try:
            current = await store.create({
                "apiVersion": API_VERSION, "kind": METRIC_HISTORY.kind,
                "metadata": {"name": name, "namespace": meta["namespace"], "ownerReferences": [owner],
                             "labels": {FAMILY_LABEL: family, CLUSTER_LABEL: meta["name"]}},
                "spec": {"family": family, "clusterRef": {"name": meta["name"]},
                         "subject": {"kind": subject.kind, "namespace": subject.namespace, "name": subject.name}}})
        except Conflict:
            current = await store.get(name)
    status = current.get("status") or {}
    fields = tuple(sorted(set(status.get("fields") or []) | set(sample)))
    series = record(status.get("series"), sample, now, fields)
    update: dict[str, Any] = {"series": series, "fields": list(fields), "updatedTime": now_iso()}
    if attributes is not None and attributes != status.get("attributes"):
        # A merge patch would merge maps (a removed label would stay): clear, then set.
        if status.get("attributes"):
            await store.patch_status(name, {"attributes": None})
        update["attributes"] = attributes
    await store.patch_status(name, update)
    return series
