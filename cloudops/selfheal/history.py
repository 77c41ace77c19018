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

from cloudops.activity import Entry, Retention, Subject, append, entries
from cloudops.kube.client import ApiClient
from cloudops.kube.types import JsonObject
from cloudops.resources.base import ResourceModel

__all__ = ["STREAM", "HealingRecord", "Outcome", "actions_since", "read", "record"]

STREAM = "self-healing"


class HealingRecord(ResourceModel):
    """What one history record holds (the ActivityRecord's data, in wire names)."""

    rule: str = ""
    cluster: str = ""
    kind: str = ""  # pod | node | deployment
    namespace: str = ""
    name: str = ""
    resource: str = ""  # the cooldown key
    condition: str = ""
    action: str = ""
    result: str = ""  # succeeded | failed | dry_run
    dry_run: bool = False
    started_at: str = ""
    finished_at: str = ""
    message: str = ""
    error: str = ""


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

    def data(self) -> JsonObject:
        return HealingRecord(
            rule=self.rule, cluster=self.cluster, kind=self.kind, namespace=self.namespace, name=self.name,
            resource=self.resource, condition=self.condition[:1024], action=self.action, result=self.result,
            dry_run=self.result == "dry_run", started_at=_iso(self.started_at), finished_at=_iso(self.finished_at),
            message=self.message[:1024], error=self.error[:1024]).model_dump(by_alias=True)


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
