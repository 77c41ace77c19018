"""ComplianceReport objects in the hub: the full results of one run, owned by its ComplianceCheck.

Results are stored gzip-compressed (JSON, base64) so a large cluster fits the API server's 1 MiB object
limit; `pack` drops passing results first, then failing ones, until the text fits MAX_RESULTS_BYTES and says
what it dropped. Retention keeps the newest `keep` reports of each check (never fewer than one).
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from pydantic import TypeAdapter

from cloudops.activity import label_value
from cloudops.compliance.views import FixView, ResultView
from cloudops.constants import GROUP
from cloudops.kube.client import ApiClient
from cloudops.kube.errors import NotFound
from cloudops.kube.stores import HubStore
from cloudops.resources.base import ObjectMeta, ObjectRef, OwnerReference
from cloudops.resources.compliance_check import CheckTrigger, ComplianceCheck, ComplianceCheckSpec
from cloudops.resources.compliance_report import ComplianceReport, ComplianceReportSpec, ReportSummary

__all__ = ["CHECK_LABEL", "CLUSTER_LABEL", "ENCODING", "MAX_RESULTS_BYTES", "NewReport", "Packed", "completed_at",
           "expire", "list_reports", "pack", "unpack", "write_report"]

ENCODING: Literal["gzip+base64+json"] = "gzip+base64+json"
MAX_RESULTS_BYTES = 700_000  # base64 text; the rest of the object (fixes, notes) stays well under 1 MiB
MAX_FIXES = 500
CHECK_LABEL = f"{GROUP}/compliance-check"
CLUSTER_LABEL = f"{GROUP}/cluster"
_RESULTS = TypeAdapter(list[ResultView])


@dataclass(frozen=True)
class Packed:
    text: str
    count: int
    truncated: bool
    note: str


def _encode(results: Sequence[ResultView]) -> str:
    raw = json.dumps(list(results), separators=(",", ":"), ensure_ascii=False).encode()
    return base64.b64encode(gzip.compress(raw, compresslevel=6, mtime=0)).decode()


def pack(results: Sequence[ResultView], limit: int = MAX_RESULTS_BYTES) -> Packed:
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


def unpack(text: str) -> list[ResultView]:
    """The stored results, read back into their shape."""
    if not text:
        return []
    data = json.loads(gzip.decompress(base64.b64decode(text)))
    return _RESULTS.validate_python([r for r in data if isinstance(r, dict)] if isinstance(data, list) else [])


def _iso(t: datetime) -> str:
    """Microseconds: two runs in one second (REST runs) must still sort in order."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def completed_at(report: ComplianceReport) -> datetime:
    text = report.spec.completed_at or "1970-01-01T00:00:00Z"
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class NewReport:
    check: ComplianceCheck  # the owner
    cluster_name: str
    cluster_id: int | None
    run_id: str
    trigger: CheckTrigger
    actor: str
    started: datetime
    completed: datetime
    spec: ComplianceCheckSpec  # what the run checked: policies, resource types, namespaces, auto-fix
    summary: ReportSummary
    results: Sequence[ResultView]
    fixes: Sequence[FixView] = field(default_factory=list)
    notes: Sequence[str] = field(default_factory=list)


def _report(new: NewReport, namespace: str) -> ComplianceReport:
    name, packed = new.check.metadata.name or "", pack(new.results)
    notes = [n[:1024] for n in new.notes][:63] + ([packed.note] if packed.truncated else [])
    owner = OwnerReference(api_version=new.check.api_version, kind=new.check.kind, name=name,
                           uid=new.check.metadata.uid or "", controller=True, block_owner_deletion=False)
    spec = ComplianceReportSpec(
        check_ref=ObjectRef(name=name), cluster_ref=ObjectRef(name=new.cluster_name), cluster_id=new.cluster_id,
        run_id=new.run_id, trigger=new.trigger, actor=new.actor[:253], started_at=_iso(new.started),
        completed_at=_iso(new.completed), policies=list(new.spec.policies), resource_types=new.spec.resource_types,
        namespaces=new.spec.namespaces or [], excluded_namespaces=new.spec.excluded_namespaces,
        auto_fix=new.spec.auto_fix, summary=new.summary, results_encoding=ENCODING, results=packed.text,
        result_count=packed.count, results_truncated=packed.truncated,
        truncation_note=packed.note[:1024] if packed.truncated else None,
        fixes=[dict(f) for f in list(new.fixes)[:MAX_FIXES]], notes=notes)
    return ComplianceReport(metadata=ObjectMeta(
        generate_name=f"{name[:200]}-", namespace=namespace, owner_references=[owner],
        labels={CHECK_LABEL: label_value(name), CLUSTER_LABEL: label_value(new.cluster_name)}), spec=spec)


async def write_report(hub: ApiClient, namespace: str, new: NewReport) -> ComplianceReport:
    return await HubStore(hub, ComplianceReport, namespace).create(_report(new, namespace))


async def list_reports(hub: ApiClient, namespace: str, *, check: str | None = None,
                       cluster: str | None = None) -> list[ComplianceReport]:
    """Reports of a check or a cluster, oldest first (by completion time)."""
    selector = [f"{CHECK_LABEL}={label_value(check)}"] if check else []
    selector += [f"{CLUSTER_LABEL}={label_value(cluster)}"] if cluster else []
    found = await HubStore(hub, ComplianceReport, namespace).list(",".join(selector) or None)
    if check:
        found = [r for r in found if r.spec.check_ref.name == check]
    if cluster:
        found = [r for r in found if r.spec.cluster_ref.name == cluster]
    return sorted(found, key=lambda r: (completed_at(r), r.metadata.name or ""))


async def expire(hub: ApiClient, namespace: str, check: str, keep: int) -> tuple[list[str], int]:
    """Deletes all but the newest `keep` (at least 1) reports of `check`; returns (deleted, kept count)."""
    reports = await list_reports(hub, namespace, check=check)
    gone = [r.metadata.name or "" for r in reports[: max(0, len(reports) - max(1, keep))]]
    store = HubStore(hub, ComplianceReport, namespace)
    for name in gone:
        try:
            await store.delete(name)
        except NotFound:
            pass
    return gone, len(reports) - len(gone)
