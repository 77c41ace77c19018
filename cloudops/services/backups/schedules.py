"""2.5 配置备份策略: a resource's YamlBackupSchedule, created or updated; the operator runs it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cloudops.backups.cron import parse_cron, zone
from cloudops.errors import StateConflict
from cloudops.kube.errors import NotFound
from cloudops.kube.stores import HubStore
from cloudops.members.objects import ObjectId
from cloudops.members.session import MemberSession
from cloudops.resources import YamlBackupSchedule
from cloudops.resources.base import ObjectMeta, ObjectRef
from cloudops.resources.yaml_backup_schedule import YamlBackupScheduleSpec
from cloudops.services.backups.models import ScheduleBody, ScheduleView
from cloudops.services.backups.targets import CAPABILITY, dns_part, target
from cloudops.services.backups.views import schedule_view
from cloudops.services.base import Deps
from cloudops.services.gate import Gate
from cloudops.services.named import Named, scoped

__all__ = ["save_schedule"]


@dataclass(frozen=True)
class _Selection:
    type_name: str
    resource_id: str
    types: list[str]
    namespaces: list[str]
    names: list[str]


async def _selection(session: MemberSession, t: Named) -> _Selection:
    """What the schedule backs up; the object must exist now (404 naming it otherwise)."""
    if t.type == "namespace":
        await session.get(await session.resolve("namespaces"), None, t.name)
        return _Selection("namespace", str(ObjectId(t.cluster.ref, "namespace", "", t.name)), ["namespace"],
                          [t.name], [])
    rt = await session.resolve(t.type)
    namespace = scoped(rt, t.namespace)
    await session.get(rt, namespace or None, t.name)
    types = [f"{rt.plural}.{rt.group}" if rt.group else rt.plural]
    return _Selection(rt.type_name, str(ObjectId(t.cluster.ref, rt.type_name, namespace, t.name)), types,
                      [namespace] if namespace else [], [t.name])


def _spec(b: ScheduleBody, t: Named, s: _Selection) -> YamlBackupScheduleSpec:
    """Every field the request decides is set (a null removes a stored one on update)."""
    return YamlBackupScheduleSpec(
        cluster_ref=ObjectRef(name=t.cluster.name), schedule=b.schedule, time_zone=b.time_zone,
        enabled=b.enabled if b.paused is None else not b.paused, resource_types=s.types, namespaces=s.namespaces,
        resource_names=s.names, encrypt=b.encrypt, retention_days=b.retention_days,
        retention_count=b.retention_count, description=b.description)


async def _existing(store: HubStore[YamlBackupSchedule], name: str) -> YamlBackupSchedule | None:
    try:
        return await store.get(name)
    except NotFound:
        return None


async def save_schedule(deps: Deps, b: ScheduleBody, gate: Gate) -> ScheduleView:
    parse_cron(b.schedule)
    zone(b.time_zone)
    t = await target(gate, b.resource_id, b.resource_type, b.cluster_id, b.namespace)
    s = await _selection(await deps.member(t.cluster), t)
    digest = hashlib.sha256(f"{t.cluster.name}/{s.resource_id}".encode()).hexdigest()[:8]
    name = b.schedule_name or f"{dns_part(f'{s.type_name}-{t.name}', 50)}-{digest}"
    store = deps.store(YamlBackupSchedule)
    existing = await _existing(store, name)
    if existing is None:
        created = YamlBackupSchedule(metadata=ObjectMeta(name=name, namespace=deps.namespace), spec=_spec(b, t, s))
        return schedule_view(await store.create(created), t.cluster, s.resource_id, True)
    if existing.spec.cluster_ref.name != t.cluster.name:
        raise StateConflict(f"{name!r} belongs to another cluster's schedule", field="schedule_name")
    await gate.authorize("update", CAPABILITY, t.cluster.name)
    return schedule_view(await store.patch_spec(name, _spec(b, t, s)), t.cluster, s.resource_id, False)
