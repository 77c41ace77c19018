"""The self-healing history: one ActivityRecord (stream `self-healing`) per action run or dry-run decision.

Kept per cluster by cloudops.activity's retention (newest CLOUDOPS_SELFHEAL_HISTORY_RECORDS, none older than
CLOUDOPS_SELFHEAL_HISTORY_DAYS), owned by the ManagedCluster. The same records count a rule's actions in the
last hour, so the hourly cap holds across restarts and replicas.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from kubernetes_asyncio.client import ApiClient

from cloudops.activity import Entry, Retention, Subject, append, entries

__all__ = ["STREAM", "Outcome", "actions_since", "read", "record"]

STREAM = "self-healing"


@dataclass(frozen=True)
class Outcome:
    """One action's run (or dry-run decision) as the history keeps it."""

    rule: str
    cluster: str
    kind: str  # pod | node | deployment
    namespace: str
    name: str
    resource: str  # the cooldown key: pod's workload, node, deployment
    condition: str
    action: str
    result: str  # succeeded | failed | dry_run
    started_at: datetime
    finished_at: datetime
    message: str = ""
    error: str = ""

    def data(self) -> dict[str, Any]:
        return {"rule": self.rule, "cluster": self.cluster, "kind": self.kind, "namespace": self.namespace,
                "name": self.name, "resource": self.resource, "condition": self.condition[:1024],
                "action": self.action, "result": self.result, "dryRun": self.result == "dry_run",
                "startedAt": _iso(self.started_at), "finishedAt": _iso(self.finished_at),
                "message": self.message[:1024], "error": self.error[:1024]}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def record(api: ApiClient, cluster: Mapping[str, Any], outcome: Outcome, retention: Retention) -> Entry:
    return await append(api, cluster, STREAM, outcome.data(), actor=f"selfhealingrule/{outcome.rule}",
                        subject=Subject(outcome.kind, outcome.namespace, outcome.name),
                        now=outcome.finished_at, retention=retention)


async def read(api: ApiClient, namespace: str, *, rule: str | None = None, cluster: str | None = None,
               since: datetime | None = None, until: datetime | None = None) -> list[Entry]:
    """Newest first; a rule filter selects by label (cloudops.activity's actor)."""
    return await entries(api, namespace, STREAM, cluster=cluster, since=since, until=until,
                         actor=f"selfhealingrule/{rule}" if rule is not None else None)


async def actions_since(api: ApiClient, namespace: str, rule: str, now: datetime,
                        window: timedelta = timedelta(hours=1)) -> list[Entry]:
    return await read(api, namespace, rule=rule, since=now - window)
