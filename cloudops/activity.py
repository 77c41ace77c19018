"""Bounded activity histories in the hub: one ActivityRecord object per entry, in named streams.

Every section that must remember what happened (commands run in containers, terminal sessions, log exports,
self-healing actions, compliance fixes) appends here instead of keeping its own list: entries survive
restarts and are shared by replicas, and each append enforces the stream's retention (newest `max_records`
per stream and cluster, none older than `max_age`), so a history never grows without bound. Records are
owned by their ManagedCluster and go with it. Entries hold fields a caller chose to keep, never secrets.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cloudops.clusters.objects import as_cluster, owned_by
from cloudops.constants import GROUP
from cloudops.kube.client import ApiClient
from cloudops.kube.errors import NotFound
from cloudops.kube.stores import HubStore
from cloudops.kube.types import JsonObject
from cloudops.resources.activity_record import ActivityRecord, ActivityRecordSpec, ActivitySubject
from cloudops.resources.base import ObjectMeta, ObjectRef
from cloudops.resources.managed_cluster import ManagedCluster

__all__ = ["Entry", "Retention", "Subject", "append", "entries", "label_value", "prune"]

STREAM_LABEL = f"{GROUP}/activity-stream"
CLUSTER_LABEL = f"{GROUP}/cluster"
SUBJECT_LABEL = f"{GROUP}/activity-subject"
ACTOR_LABEL = f"{GROUP}/activity-actor"
_STREAM = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_LABEL_SAFE = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")


@dataclass(frozen=True)
class Subject:
    """The member object an entry is about (namespace empty when cluster-scoped; part e.g. a container)."""

    kind: str
    namespace: str
    name: str
    part: str = ""

    def key(self) -> str:
        return f"{self.kind}/{self.namespace}/{self.name}/{self.part}"


@dataclass(frozen=True)
class Retention:
    """How much of a stream is kept, per cluster."""

    max_records: int = 1000
    max_age: timedelta = timedelta(days=30)


@dataclass(frozen=True)
class Entry:
    """One record as readers see it."""

    name: str
    stream: str
    cluster: str
    subject: Subject | None
    actor: str
    occurred_at: datetime
    data: dict[str, Any]  # the stream's own fields, free-form


def label_value(text: str) -> str:
    """A label value that selects exactly `text`: itself when label-safe, else a stable digest."""
    if _LABEL_SAFE.fullmatch(text):
        return text
    return "h-" + hashlib.sha256(text.encode()).hexdigest()[:40]


def _store(api: ApiClient, namespace: str) -> HubStore[ActivityRecord]:
    return HubStore(api, ActivityRecord, namespace)


def _check_stream(stream: str) -> None:
    if not _STREAM.fullmatch(stream) or len(stream) > 40:
        raise ValueError(f"stream {stream!r}: lower-case DNS label of at most 40 characters")


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _entry(record: ActivityRecord) -> Entry:
    spec, raw = record.spec, record.spec.subject
    subject = Subject(raw.kind or "", raw.namespace or "", raw.name or "", raw.part or "") if raw else None
    return Entry(name=record.metadata.name or "", stream=spec.stream, cluster=spec.cluster_ref.name,
                 subject=subject, actor=spec.actor or "", occurred_at=_parse_time(spec.occurred_at),
                 data=dict(spec.data or {}))


def _record(cluster: ManagedCluster, stream: str, data: JsonObject, actor: str, subject: Subject | None,
            moment: datetime) -> ActivityRecord:
    name = cluster.metadata.name or ""
    labels = {STREAM_LABEL: stream, CLUSTER_LABEL: label_value(name)}
    if subject is not None:
        labels[SUBJECT_LABEL] = label_value(subject.key())
    if actor:
        labels[ACTOR_LABEL] = label_value(actor)
    about = (ActivitySubject(kind=subject.kind, namespace=subject.namespace, name=subject.name, part=subject.part)
             if subject is not None else None)
    return ActivityRecord(
        metadata=ObjectMeta(generate_name=f"{stream}-", namespace=cluster.metadata.namespace, labels=labels,
                            owner_references=[owned_by(cluster)]),
        spec=ActivityRecordSpec(stream=stream, cluster_ref=ObjectRef(name=name), actor=actor[:253],
                                occurred_at=_iso(moment), data={**data}, subject=about))


async def append(api: ApiClient, cluster: ManagedCluster | Mapping[str, object], stream: str, data: JsonObject, *,
                 actor: str = "", subject: Subject | None = None, now: datetime | None = None,
                 retention: Retention | None = None) -> Entry:
    """Records one entry for the ManagedCluster `cluster` (its model or hub object), then applies `retention`."""
    _check_stream(stream)
    owner = as_cluster(cluster)
    moment = now or datetime.now(UTC)
    namespace = owner.metadata.namespace or ""
    created = await _store(api, namespace).create(_record(owner, stream, data, actor, subject, moment))
    await prune(api, namespace, stream, owner.metadata.name or "", retention or Retention(), moment)
    return _entry(created)


async def _list(api: ApiClient, namespace: str, stream: str, cluster: str | None,
                subject: Subject | None, actor: str | None) -> list[Entry]:
    selector = [f"{STREAM_LABEL}={stream}"]
    if cluster is not None:
        selector.append(f"{CLUSTER_LABEL}={label_value(cluster)}")
    if subject is not None:
        selector.append(f"{SUBJECT_LABEL}={label_value(subject.key())}")
    if actor is not None:
        selector.append(f"{ACTOR_LABEL}={label_value(actor)}")
    out = [_entry(record) for record in await _store(api, namespace).list(",".join(selector))]
    # Labels select by digest; the spec is the truth (a digest collision must not leak another's entries).
    out = [e for e in out if (cluster is None or e.cluster == cluster) and (subject is None or e.subject == subject)
           and (actor is None or e.actor == actor[:253])]
    out.sort(key=lambda e: (e.occurred_at, e.name), reverse=True)
    return out


async def entries(api: ApiClient, namespace: str, stream: str, *, cluster: str | None = None,
                  subject: Subject | None = None, actor: str | None = None, since: datetime | None = None,
                  until: datetime | None = None) -> list[Entry]:
    """A stream's entries, newest first, filtered; page them with cloudops.paging."""
    _check_stream(stream)
    out = await _list(api, namespace, stream, cluster, subject, actor)
    return [e for e in out if (since is None or e.occurred_at >= since) and (until is None or e.occurred_at <= until)]


async def prune(api: ApiClient, namespace: str, stream: str, cluster: str, retention: Retention,
                now: datetime) -> list[str]:
    """Deletes a cluster's entries of `stream` past the count or the age; returns their names."""
    out = await _list(api, namespace, stream, cluster, None, None)
    cutoff = now - retention.max_age
    doomed = [e.name for i, e in enumerate(out) if i >= retention.max_records or e.occurred_at < cutoff]
    store = _store(api, namespace)
    for name in doomed:
        try:
            await store.delete(name)
        except NotFound:
            pass  # another replica pruned it first
    return doomed
