"""YAML backups of member objects kept in the hub (2.1–2.5).

A backup's cluster comes from its resource id or the backup itself, so each operation resolves and authorizes
it (capability `backups`) through the caller's Gate; the endpoint's own check is the capability in general.
"""

from __future__ import annotations

from dataclasses import dataclass

from cloudops.backups.content import (
    Entry,
    RestoreRefused,
    collect_namespace,
    collect_object,
    prepare_restore,
    restore,
)
from cloudops.backups.ids import canonical
from cloudops.backups.store import (
    CLUSTER_LABEL,
    NewBackup,
    delete_backup,
    find_backup,
    list_backups,
    read_content,
    write_backup,
)
from cloudops.errors import BadRequest, Missing
from cloudops.kube.errors import NotFound
from cloudops.members.access import ClusterRef
from cloudops.members.objects import ObjectId, valid_name
from cloudops.members.session import MemberSession
from cloudops.paging import page
from cloudops.resources import YamlBackup, YamlBackupSchedule
from cloudops.services.backups.models import (
    BackupList,
    BackupView,
    CreateBody,
    Deleted,
    ListQuery,
    RestoreBody,
    RestoredItem,
    RestoreResult,
    ScheduleBody,
    ScheduleList,
    ScheduleListQuery,
    ScheduleView,
)
from cloudops.services.backups.schedules import save_schedule
from cloudops.services.backups.targets import CAPABILITY, default_backup_name, target
from cloudops.services.backups.views import backup_view, schedule_item, scheduled_object
from cloudops.services.base import Service
from cloudops.services.gate import Gate, allowed
from cloudops.services.named import Named, scoped

__all__ = ["BackupService"]


@dataclass(frozen=True)
class _Collected:
    type_name: str
    namespace: str
    resource_id: str
    objects: list[Entry]


async def _collect(session: MemberSession, t: Named) -> _Collected:
    if t.type == "namespace":
        objects = await collect_namespace(session, t.name)
        return _Collected("namespace", t.name, str(ObjectId(t.cluster.ref, "namespace", "", t.name)), objects)
    rt = await session.resolve(t.type)
    namespace = scoped(rt, t.namespace)
    objects = await collect_object(session, rt, namespace or None, t.name)
    return _Collected(rt.type_name, namespace, str(ObjectId(t.cluster.ref, rt.type_name, namespace, t.name)), objects)


async def _id_filter(gate: Gate, raw: str | None) -> str | None:
    """A resource_id filter as backups answer ids (the cluster's integer id), so that either form of an id
    (`member-1:deployment:default:web`, `1:deployment:default:web`) finds the same backups; a bare name as given."""
    if not raw or not ObjectId.looks_like(raw):
        return raw
    try:
        cluster = await gate.resolve(ObjectId.parse(raw).cluster, "list", CAPABILITY, "resource_id")
        return str(canonical(raw, cluster))
    except ValueError as e:
        raise BadRequest(str(e), field="resource_id") from None


def _wanted(v: BackupView, q: ListQuery, resource_id: str | None) -> bool:
    if resource_id and resource_id not in (v.resource_id, v.name):
        return False
    if q.resource_type and q.resource_type.lower() not in (v.resource_type, v.resource_type + "s"):
        return False
    return not (q.status and v.status != q.status)


def _restore_namespace(backup: YamlBackup, b: RestoreBody) -> tuple[bool, str | None]:
    """(a namespace backup?, the target namespace): for a namespace backup restore_name names it too."""
    is_namespace = backup.spec.resource_type == "namespace"
    if is_namespace and b.restore_name and b.namespace and b.restore_name != b.namespace:
        raise RestoreRefused("for a namespace backup it is the target namespace; it differs from namespace",
                             field="restore_name")
    return is_namespace, (b.restore_name or b.namespace) if is_namespace else b.namespace


class BackupService(Service):
    async def create(self, b: CreateBody, gate: Gate) -> BackupView:
        t = await target(gate, b.resource_id, b.resource_type, b.cluster_id, b.namespace)
        got = await _collect(await self.deps.member(t.cluster), t)
        new = NewBackup(name=b.backup_name or default_backup_name(t.name), cluster_name=t.cluster.name,
                        cluster_id=t.cluster.id, resource_type=got.type_name, resource_id=got.resource_id,
                        namespace=got.namespace, object_name=t.name, objects=got.objects,
                        description=b.description, encrypt=b.encrypt, created_by=self.deps.actor)
        # A taken name is a hub Conflict: 409/1006, with no id used up.
        return backup_view(await write_backup(self.deps.hub, self.deps.namespace, new))

    async def list(self, q: ListQuery, gate: Gate) -> BackupList:
        """Backups of the clusters the caller may list backups of, newest first."""
        selector = None
        if q.cluster_id is not None:
            selector = f"{CLUSTER_LABEL}={(await gate.resolve(q.cluster_id, 'list', CAPABILITY, 'cluster_id')).name}"
        resource_id = await _id_filter(gate, q.resource_id)
        views = [v for v in map(backup_view, await list_backups(self.deps.hub, self.deps.namespace, selector))
                 if _wanted(v, q, resource_id)]
        names = dict.fromkeys(v.cluster_name for v in views)
        may = {name: await allowed(gate, "list", CAPABILITY, name) for name in names}
        listed = page(sorted((v for v in views if may[v.cluster_name]), key=lambda v: -v.id), q.limit, q.offset)
        return BackupList(backups=listed.pop("items"), **listed)

    async def _backup(self, gate: Gate, ref: int | str, verb: str) -> tuple[YamlBackup, ClusterRef | None]:
        """The backup `ref` names and its source cluster (None once unregistered), authorized for `verb`."""
        if isinstance(ref, str) and not (ref.isascii() and ref.isdigit()) and not valid_name(ref):
            raise BadRequest("neither an id nor a backup name", field="backup_id")
        try:
            backup = await find_backup(self.deps.hub, self.deps.namespace, ref)
        except NotFound as e:
            await gate.authorize(verb, CAPABILITY, "")
            raise Missing(e.message, field="backup_id") from None
        name = backup.spec.cluster_ref.name
        await gate.authorize(verb, CAPABILITY, name)
        try:
            return backup, ClusterRef.of(await self.deps.registry.find(name))
        except NotFound:
            return backup, None

    async def _restore_target(self, gate: Gate, cluster_id: str | int | None, source: ClusterRef | None) -> ClusterRef:
        if cluster_id is not None:
            return await gate.resolve(cluster_id, "create", CAPABILITY, "cluster_id")
        if source is None:
            raise BadRequest("the backup's cluster is no longer registered; name a target cluster", field="cluster_id")
        await gate.authorize("create", CAPABILITY, source.name)
        return source

    async def restore(self, b: RestoreBody, gate: Gate) -> RestoreResult:
        """Verifies size, checksum and encryption tag before any write; a bad backup is 1008 and nothing changes."""
        backup, source = await self._backup(gate, b.backup_id, "get")
        cluster = await self._restore_target(gate, b.cluster_id, source)
        entries = await read_content(self.deps.hub, self.deps.namespace, backup)
        is_namespace, namespace = _restore_namespace(backup, b)
        plan = prepare_restore(entries, namespace, None if is_namespace else b.restore_name)
        done = await restore(await self.deps.member(cluster), plan, b.overwrite)
        view = backup_view(backup)
        return RestoreResult(backup_id=view.id, backup_name=view.backup_name, cluster_id=cluster.id,
                             cluster_name=cluster.name, restored=[
                                 RestoredItem(id=str(ObjectId(cluster.ref, r.type, r.namespace, r.name)), type=r.type,
                                              namespace=r.namespace, name=r.name, action=r.action) for r in done])

    async def delete(self, ref: str, gate: Gate) -> Deleted:
        backup, _ = await self._backup(gate, ref, "delete")
        await delete_backup(self.deps.hub, self.deps.namespace, backup)
        view = backup_view(backup)
        return Deleted(id=view.id, backup_name=view.backup_name, deleted=True)

    async def schedule(self, b: ScheduleBody, gate: Gate) -> ScheduleView:
        """Creates, or updates, the resource's YamlBackupSchedule; the operator runs it."""
        return await save_schedule(self.deps, b, gate)

    async def schedules(self, q: ScheduleListQuery, gate: Gate) -> ScheduleList:
        """The YamlBackupSchedules (made through REST or applied with kubectl) of the clusters the caller may list
        backups of, by name, with what the operator last recorded of their runs."""
        only = None if q.cluster_id is None else \
            (await gate.resolve(q.cluster_id, "list", CAPABILITY, "cluster_id")).name
        crs = [cr for cr in await self.deps.store(YamlBackupSchedule).list()
               if only is None or cr.spec.cluster_ref.name == only]
        names = dict.fromkeys(cr.spec.cluster_ref.name for cr in crs)
        may = {name: await allowed(gate, "list", CAPABILITY, name) for name in names}
        clusters = {name: await self._cluster(name) for name in names if may[name]}
        items = [schedule_item(cr, clusters[n], scheduled_object(cr, clusters[n]))
                 for cr in sorted(crs, key=lambda c: c.metadata.name or "")
                 if may[n := cr.spec.cluster_ref.name]]
        listed = page(items, q.limit, q.offset)
        return ScheduleList(schedules=listed.pop("items"), **listed)

    async def _cluster(self, name: str) -> ClusterRef:
        """The registered cluster of that name, or a reference by name alone once it is unregistered."""
        try:
            return ClusterRef.of(await self.deps.registry.find(name))
        except NotFound:
            return ClusterRef(None, name, {})
