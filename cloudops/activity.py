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

from kubernetes_asyncio.client import ApiClient

from cloudops.constants import ACTIVITY_RECORD, API_VERSION, GROUP
from cloudops.kube.custom_objects import CustomObjects
from cloudops.kube.errors import NotFound

__all__ = ["Entry", "Retention", "Subject", "append", "entries", "label_value", "prune"]

Json = dict[str, Any]
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
    data: Json


def label_value(text: str) -> str:
    """A label value that selects exactly `text`: itself when label-safe, else a stable digest."""
    if _LABEL_SAFE.fullmatch(text):
        return text
    return "h-" + hashlib.sha256(text.encode()).hexdigest()[:40]


def _store(api: ApiClient, namespace: str) -> CustomObjects:
    return CustomObjects(api, ACTIVITY_RECORD, namespace)


def _check_stream(stream: str) -> None:
    if not _STREAM.fullmatch(stream) or len(stream) > 40:
        raise ValueError(f"stream {stream!r}: lower-case DNS label of at most 40 characters")


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _entry(obj: Json) -> Entry:
    spec = obj.get("spec") or {}
    raw = spec.get("subject")
    subject = (Subject(str(raw.get("kind", "")), str(raw.get("namespace", "")), str(raw.get("name", "")),
                       str(raw.get("part", ""))) if raw else None)
    return Entry(name=obj["metadata"]["name"], stream=str(spec.get("stream", "")),
                 cluster=str((spec.get("clusterRef") or {}).get("name", "")), subject=subject,
                 actor=str(spec.get("actor", "")), occurred_at=_parse_time(str(spec["occurredAt"])),
                 data=dict(spec.get("data") or {}))


async def append(api: ApiClient, cluster: Mapping[str, Any], stream: str, data: Json, *, actor: str = "",
                 subject: Subject | None = None, now: datetime | None = None,
                 retention: Retention | None = None) -> Entry:
    """Records one entry for the ManagedCluster `cluster` (its hub object), then applies `retention`."""
    _check_stream(stream)
    meta = cluster["metadata"]
    moment = now or datetime.now(UTC)
    labels = {STREAM_LABEL: stream, CLUSTER_LABEL: label_value(meta["name"])}
    if subject is not None:
        labels[SUBJECT_LABEL] = label_value(subject.key())
    if actor:
        labels[ACTOR_LABEL] = label_value(actor)
    owner = {"apiVersion": API_VERSION, "kind": "ManagedCluster", "name": meta["name"], "uid": meta["uid"],
             "blockOwnerDeletion": False, "controller": True}
    spec: Json = {"stream": stream, "clusterRef": {"name": meta["name"]}, "actor": actor[:253],
                  "occurredAt": _iso(moment), "data": data}
    if subject is not None:
        spec["subject"] = {"kind": subject.kind, "namespace": subject.namespace, "name": subject.name,
                           "part": subject.part}
    created = await _store(api, meta["namespace"]).create({
        "apiVersion": API_VERSION, "kind": ACTIVITY_RECORD.kind,
        "metadata": {"generateName": f"{stream}-", "namespace": meta["namespace"], "labels": labels,
                     "ownerReferences": [owner]},
        "spec": spec})
    await prune(api, meta["namespace"], stream, meta["name"], retention or Retention(), moment)
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
    out = [_entry(obj) for obj in await _store(api, namespace).list(",".join(selector))]
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
