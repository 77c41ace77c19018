"""ComplianceReport objects in the hub: the full results of one run, owned by its ComplianceCheck.

Results are stored gzip-compressed (JSON, base64) so a large cluster fits the API server's 1 MiB object
limit; `pack` drops passing results first, then failing ones, until the text fits MAX_RESULTS_BYTES and says
what it dropped. Retention keeps the newest `keep` reports of each check (never fewer than one).
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kubernetes_asyncio.client import ApiClient

from cloudops.activity import label_value
from cloudops.constants import API_VERSION, COMPLIANCE_CHECK, COMPLIANCE_REPORT, GROUP
from cloudops.kube.custom_objects import CustomObjects
from cloudops.kube.errors import NotFound

__all__ = ["CHECK_LABEL", "CLUSTER_LABEL", "ENCODING", "MAX_RESULTS_BYTES", "NewReport", "Packed", "completed_at",
           "expire", "list_reports", "pack", "report_view", "unpack", "write_report"]

Json = dict[str, Any]
ENCODING = "gzip+base64+json"
MAX_RESULTS_BYTES = 700_000  # base64 text; the rest of the object (fixes, notes) stays well under 1 MiB
MAX_FIXES = 500
CHECK_LABEL = f"{GROUP}/compliance-check"
CLUSTER_LABEL = f"{GROUP}/cluster"


@dataclass(frozen=True)
class Packed:
    text: str
    count: int
    truncated: bool
    note: str


def _encode(results: Sequence[Json]) -> str:
    raw = json.dumps(list(results), separators=(",", ":"), ensure_ascii=False).encode()
    return base64.b64encode(gzip.compress(raw, compresslevel=6, mtime=0)).decode()


def pack(results: Sequence[Json], limit: int = MAX_RESULTS_BYTES) -> Packed:
    """All results if they fit; else failing ones first, halving until they do (pure)."""
    text = _encode(results)
    if len(text) <= limit:
        return Packed(text, len(results), False, "")
    kept = [r for r in results if r.get("status") != "passed"]
    while True:
        text = _encode(kept)
        if len(text) <= limit or not kept:
            break
        kept = kept[: len(kept) // 2]
    dropped = len(results) - len(kept)
    note = (f"{dropped} of {len(results)} results not stored (compressed results over {limit} bytes): passing "
            f"results dropped first{', then failing ones' if len(kept) < sum(1 for r in results if r.get('status') != 'passed') else ''}; "  # noqa: E501
            "the summary counts every result")
    return Packed(text, len(kept), True, note)


def unpack(text: str) -> list[Json]:
    if not text:
        return []
    data = json.loads(gzip.decompress(base64.b64decode(text)))
    return [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []


def _iso(t: datetime) -> str:
    """Microseconds: two runs in one second (REST runs) must still sort in order."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def completed_at(report: Mapping[str, Any]) -> datetime:
    text = str((report.get("spec") or {}).get("completedAt") or "1970-01-01T00:00:00Z")
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class NewReport:
    check: Mapping[str, Any]  # the ComplianceCheck object (owner)
    cluster_name: str
    cluster_id: int | None
    run_id: str
    trigger: str
    actor: str
    started: datetime
    completed: datetime
    spec: Json  # policies, resourceTypes, namespaces, excludedNamespaces, autoFix
    summary: Json  # total, passed, failed, fixed, complianceScore
    results: Sequence[Json]
    fixes: Sequence[Json] = field(default_factory=list)
    notes: Sequence[str] = field(default_factory=list)


async def write_report(hub: ApiClient, namespace: str, new: NewReport) -> Json:
    meta = new.check["metadata"]
    packed = pack(new.results)
    owner = {"apiVersion": API_VERSION, "kind": COMPLIANCE_CHECK.kind, "name": meta["name"], "uid": meta["uid"],
             "controller": True, "blockOwnerDeletion": False}
    notes = [n[:1024] for n in new.notes][:63] + ([packed.note] if packed.truncated else [])
    spec: Json = {
        "checkRef": {"name": meta["name"]}, "clusterRef": {"name": new.cluster_name}, "runId": new.run_id,
        "trigger": new.trigger, "actor": new.actor[:253], "startedAt": _iso(new.started),
        "completedAt": _iso(new.completed), **new.spec, "summary": new.summary, "resultsEncoding": ENCODING,
        "results": packed.text, "resultCount": packed.count, "resultsTruncated": packed.truncated,
        "fixes": list(new.fixes)[:MAX_FIXES], "notes": notes}
    if packed.truncated:
        spec["truncationNote"] = packed.note[:1024]
    if new.cluster_id is not None:
        spec["clusterId"] = new.cluster_id
    return await CustomObjects(hub, COMPLIANCE_REPORT, namespace).create({
        "apiVersion": API_VERSION, "kind": COMPLIANCE_REPORT.kind,
        "metadata": {"generateName": f"{meta['name'][:200]}-", "namespace": namespace, "ownerReferences": [owner],
                     "labels": {CHECK_LABEL: label_value(meta["name"]), CLUSTER_LABEL: label_value(new.cluster_name)}},
        "spec": spec})


async def list_reports(hub: ApiClient, namespace: str, *, check: str | None = None,
                       cluster: str | None = None) -> list[Json]:
    """Reports of a check or a cluster, oldest first (by completion time)."""
    selector = [f"{CHECK_LABEL}={label_value(check)}"] if check else []
    selector += [f"{CLUSTER_LABEL}={label_value(cluster)}"] if cluster else []
    found = await CustomObjects(hub, COMPLIANCE_REPORT, namespace).list(",".join(selector) or None)
    if check:
        found = [r for r in found if (r.get("spec") or {}).get("checkRef", {}).get("name") == check]
    if cluster:
        found = [r for r in found if (r.get("spec") or {}).get("clusterRef", {}).get("name") == cluster]
    return sorted(found, key=lambda r: (completed_at(r), r["metadata"]["name"]))


async def expire(hub: ApiClient, namespace: str, check: str, keep: int) -> tuple[list[str], int]:
    """Deletes all but the newest `keep` (at least 1) reports of `check`; returns (deleted, kept count)."""
    reports = await list_reports(hub, namespace, check=check)
    gone = reports[: max(0, len(reports) - max(1, keep))]
    store = CustomObjects(hub, COMPLIANCE_REPORT, namespace)
    deleted = []
    for r in gone:
        try:
            await store.delete(r["metadata"]["name"])
        except NotFound:
            pass
        deleted.append(r["metadata"]["name"])
    return deleted, len(reports) - len(gone)


def report_view(report: Mapping[str, Any]) -> Json:
    """A stored report with its results decoded."""
    spec = dict(report.get("spec") or {})
    results = unpack(str(spec.pop("results", "")))
    return {"name": report["metadata"]["name"], **spec, "results": results}
