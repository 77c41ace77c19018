"""Bounded histories in the hub for any object of a member: one MetricHistory object per (family, subject).

Used wherever a section keeps samples over time (quota usage, probe results, pod usage): the object is
owned by its ManagedCluster (gone with it), holds at most ~300 downsampled points (cloudops.clusters.history
tiers) and each write is the whole truth, so nothing lives in process memory and restarts lose nothing.

The objects are read as the MetricHistory model except their series, which stay plain points (`Series`):
validating ~300 points per history would cost ten times parsing them, and every reader wants them plain.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cloudops.clusters.history import TIERS, Point, record
from cloudops.clusters.objects import as_cluster, owned_by, wire_name
from cloudops.conditions import now_iso
from cloudops.constants import GROUP
from cloudops.kube.client import ApiClient
from cloudops.kube.errors import Conflict, NotFound
from cloudops.kube.stores import HubStore
from cloudops.kube.types import JsonObject
from cloudops.resources.base import ObjectMeta, ObjectRef, dump, dump_patch
from cloudops.resources.managed_cluster import ManagedCluster
from cloudops.resources.metric_history import HistorySubject, MetricHistory, MetricHistorySpec, MetricHistoryStatus

__all__ = ["TIERS", "History", "Series", "Subject", "append", "histories", "history_name", "prune", "read",
           "read_all"]

FAMILY_LABEL = f"{GROUP}/history-family"
CLUSTER_LABEL = f"{GROUP}/cluster"
_FAMILY = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_SERIES = wire_name(MetricHistoryStatus, "series")
Series = dict[str, list[Point]]  # points by range (1h, 24h, 7d, 30d)


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
    attributes: dict[str, Any]  # free-form, as the sampler recorded them (a pod's node, owner, labels)
    updated: str


def history_name(family: str, cluster: str, subject: Subject) -> str:
    """Deterministic and DNS-safe: readers find a history without listing."""
    if not _FAMILY.fullmatch(family) or len(family) > 40:
        raise ValueError(f"family {family!r}: lower-case DNS label of at most 40 characters")
    digest = hashlib.sha256(f"{cluster}/{subject.kind}/{subject.namespace}/{subject.name}".encode()).hexdigest()
    return f"{family}.{cluster[:150]}.{digest[:16]}"


def _store(api: ApiClient, namespace: str) -> HubStore[MetricHistory]:
    return HubStore(api, MetricHistory, namespace)


def _parts(obj: Mapping[str, object]) -> tuple[MetricHistory, Series]:
    """The object as its model without the series, and the series as stored."""
    status = obj.get("status")
    plain = dict(status) if isinstance(status, dict) else {}
    series = plain.pop(_SERIES, None)
    return MetricHistory.model_validate({**obj, "status": plain}), series if isinstance(series, dict) else {}


def _subject(model: MetricHistory) -> Subject:
    s = model.spec.subject
    return Subject(s.kind, s.namespace or "", s.name)


async def _listed(api: ApiClient, namespace: str, family: str, cluster: str) -> list[tuple[MetricHistory, Series]]:
    found = await _store(api, namespace).raw.list(f"{FAMILY_LABEL}={family},{CLUSTER_LABEL}={cluster}")
    return [_parts(obj) for obj in found]


async def read(api: ApiClient, namespace: str, family: str, cluster: str, subject: Subject) -> Series:
    """The series by range (`1h`, `24h`, `7d`, `30d`); empty when nothing was recorded yet."""
    try:
        obj = await _store(api, namespace).raw.get(history_name(family, cluster, subject))
    except NotFound:
        return {}
    return _parts(obj)[1]


async def read_all(api: ApiClient, namespace: str, family: str, cluster: str) -> list[tuple[Subject, Series]]:
    """Every history of one family for one cluster (one labelled list), e.g. all probed addresses."""
    return [(_subject(model), series) for model, series in await _listed(api, namespace, family, cluster)]


async def histories(api: ApiClient, namespace: str, family: str, cluster: str) -> list[History]:
    """Like read_all, with each subject's attributes (e.g. a pod's node and labels) and last write time."""
    out = []
    for model, series in await _listed(api, namespace, family, cluster):
        status = model.status or MetricHistoryStatus()
        out.append(History(_subject(model), series, dict(status.attributes or {}), status.updated_time or ""))
    return out


async def prune(api: ApiClient, namespace: str, family: str, cluster: str, stale_before: datetime,
                keep: int) -> int:
    """Deletes the family's histories not written since `stale_before`, then the least recently written
    beyond `keep`: subjects come and go (pods), their histories must not pile up. Returns how many went."""
    found = []
    for model, _ in await _listed(api, namespace, family, cluster):
        updated = (model.status.updated_time if model.status else None) or model.metadata.creation_timestamp or ""
        found.append((updated, model.metadata.name or ""))
    found.sort(reverse=True)
    cutoff = stale_before.strftime("%Y-%m-%dT%H:%M:%SZ")
    doomed = [name for i, (updated, name) in enumerate(found) if i >= keep or updated < cutoff]
    store = _store(api, namespace)
    for name in doomed:
        try:
            await store.delete(name)
        except NotFound:
            pass
    return len(doomed)


async def _current(store: HubStore[MetricHistory], cluster: ManagedCluster, family: str, name: str,
                   subject: Subject) -> tuple[MetricHistory, Series]:
    """The history, created on first use."""
    try:
        return _parts(await store.raw.get(name))
    except NotFound:
        pass
    owner = cluster.metadata.name or ""
    new = MetricHistory(
        metadata=ObjectMeta(name=name, namespace=store.namespace, owner_references=[owned_by(cluster)],
                            labels={FAMILY_LABEL: family, CLUSTER_LABEL: owner}),
        spec=MetricHistorySpec(family=family, cluster_ref=ObjectRef(name=owner), subject=HistorySubject(
            kind=subject.kind, namespace=subject.namespace, name=subject.name)))
    try:
        return _parts(await store.raw.create(dump(new)))
    except Conflict:
        return _parts(await store.raw.get(name))


async def append(api: ApiClient, cluster: ManagedCluster | Mapping[str, object], family: str, subject: Subject,
                 sample: dict[str, float], now: datetime, attributes: JsonObject | None = None) -> Series:
    """Folds one sample (numeric fields only) into the history of `cluster` (its hub object), creating it on
    first use. `attributes` (small JSON, e.g. a pod's node, labels, owner) replace the stored ones, for
    grouping samples later."""
    owner = as_cluster(cluster)
    store = _store(api, owner.metadata.namespace or "")
    name = history_name(family, owner.metadata.name or "", subject)
    model, stored = await _current(store, owner, family, name, subject)
    status = model.status or MetricHistoryStatus()
    fields = tuple(sorted(set(status.fields or []) | set(sample)))
    series = record(stored or None, sample, now, fields)
    update = {**dump_patch(MetricHistoryStatus(fields=list(fields), updated_time=now_iso())), _SERIES: series}
    if attributes is not None and attributes != status.attributes:
        # A merge patch would merge maps (a removed label would stay): clear, then set.
        if status.attributes:
            await store.raw.patch_status(name, dump_patch(MetricHistoryStatus(attributes=None)))
        update.update(dump_patch(MetricHistoryStatus(attributes={**attributes})))
    await store.raw.patch_status(name, update)
    return series
