"""Ad-hoc checks: what a REST run (合规性管理 1.1) leaves in the hub, kept bounded.

A REST run is a run, not a new standing check: it runs the ComplianceCheck of its caller and parameters
(`rest-<cluster>-<digest of caller and parameters>`, created on first use, re-run after), so repeating a request
adds a report to that check and nothing else. Those checks expire: a caller keeps at most MAX_PER_CALLER (the
most recently run), and one not run for TTL is removed whoever runs next (the shim) or by the operator's daemon
of that check. A removed check's ComplianceReports go with it (owned: the hub's garbage collector deletes them);
its PolicyReports live in the member and are deleted explicitly (remove).

Pure selection (expired, to_remove) and one removal; callers supply the member session.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from cloudops.activity import label_value
from cloudops.compliance.policyreport import delete_policy_reports
from cloudops.compliance.reports import CLUSTER_LABEL
from cloudops.constants import GROUP
from cloudops.kube.errors import NotFound
from cloudops.kube.stores import HubStore
from cloudops.members.errors import MemberError
from cloudops.members.session import MemberSession
from cloudops.resources.base import ObjectMeta, dump
from cloudops.resources.compliance_check import ComplianceCheck, ComplianceCheckSpec

__all__ = ["ADHOC_LABEL", "ADHOC_VALUE", "MAX_PER_CALLER", "REQUESTER_LABEL", "TTL", "adhoc_check", "expires_at",
           "is_adhoc", "remove", "to_remove"]

log = logging.getLogger("cloudops.compliance")
ADHOC_LABEL, ADHOC_VALUE = f"{GROUP}/created-by", "rest"
REQUESTER_LABEL = f"{GROUP}/requested-by"  # label_value of the caller; the annotation holds the caller as given
MAX_PER_CALLER = 10
TTL = timedelta(hours=24)


def _parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def adhoc_check(cluster: str, actor: str, spec: ComplianceCheckSpec, claim: dict[str, str]) -> ComplianceCheck:
    """The ad-hoc ComplianceCheck of `actor` for `spec` on `cluster`: the same name for the same caller and
    parameters (`claim`: annotations the caller adds, e.g. the REST run's generation claim)."""
    digest = hashlib.sha256(json.dumps({"actor": actor, "spec": dump(spec)}, sort_keys=True).encode()).hexdigest()
    meta = ObjectMeta(name=f"rest-{cluster[:200]}-{digest[:10]}",
                      annotations={**claim, REQUESTER_LABEL: actor[:1024]},
                      labels={ADHOC_LABEL: ADHOC_VALUE, CLUSTER_LABEL: label_value(cluster),
                              REQUESTER_LABEL: label_value(actor)})
    described = spec.model_copy(update={
        "description": f"ad-hoc: REST runs (POST /api/k8s/compliance/check) by {actor}"[:1024]})
    return ComplianceCheck(metadata=meta, spec=described)


def is_adhoc(check: ComplianceCheck) -> bool:
    return (check.metadata.labels or {}).get(ADHOC_LABEL) == ADHOC_VALUE


def _last_active(check: ComplianceCheck) -> datetime:
    s = check.status
    when = (s.last_completion_time or s.last_run_time) if s else None
    return _parse(when or check.metadata.creation_timestamp) or datetime.now(UTC)


def expires_at(check: ComplianceCheck) -> datetime | None:
    """When an ad-hoc check not run again is removed; None for any other check."""
    return _last_active(check) + TTL if is_adhoc(check) else None


def to_remove(checks: Sequence[ComplianceCheck], actor: str, keep: str, now: datetime) -> list[ComplianceCheck]:
    """The ad-hoc checks to remove after `actor` ran `keep`: every expired one, and `actor`'s beyond the
    MAX_PER_CALLER most recently run (`keep` counted among them, never removed) (pure)."""
    adhoc = [c for c in checks if is_adhoc(c) and c.metadata.name != keep]
    gone = {c.metadata.name for c in adhoc if (expires_at(c) or now) <= now}
    mine = sorted((c for c in adhoc if (c.metadata.labels or {}).get(REQUESTER_LABEL) == label_value(actor)),
                  key=_last_active, reverse=True)
    gone |= {c.metadata.name for c in mine[MAX_PER_CALLER - 1:]}
    return [c for c in adhoc if c.metadata.name in gone]


async def remove(store: HubStore[ComplianceCheck], check: ComplianceCheck, session: MemberSession | None,
                 hub_namespace: str) -> None:
    """Deletes the check's PolicyReports in its member (best effort: an unreachable member does not keep the
    check; the operator's delete handler tries again), then the check (its reports go with it)."""
    name = check.metadata.name or ""
    if session is not None:
        try:
            await delete_policy_reports(session, name, hub_namespace)
        except MemberError as e:
            log.warning("compliance check %s: its PolicyReports in %s were not deleted: %s", name,
                        check.spec.cluster_ref.name, e.detail)
    try:
        await store.delete(name)
    except NotFound:
        pass
