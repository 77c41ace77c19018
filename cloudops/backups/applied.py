"""Backups applied as objects (kubectl, GitOps) instead of made through REST or a schedule: the operator takes them.

Such an object has only its spec: no id label, no status, no content. Taking it resolves its cluster and its
resource id (either form, `member-1:pod:demo:web` or `1:pod:demo:web`: cloudops.backups.ids), reads the object from
the member and stores it as a REST backup is stored (cloudops.backups.store), with the id and cluster id in its
status and labels. What may still become possible (the cluster not registered or reachable yet) is `Waiting`;
what never will (a malformed id, a missing object) is `Refused`, and the backup ends Failed with that reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from cloudops.backups.content import NAMESPACE_NAMES, Entry, collect_namespace, collect_object
from cloudops.backups.ids import canonical
from cloudops.backups.packing import TooLarge
from cloudops.backups.store import CLUSTER_LABEL, SCHEDULE_LABEL, NewBackup, complete_applied, mark_failed, ready
from cloudops.constants import ID_LABEL, MANAGED_CLUSTER, YAML_BACKUP
from cloudops.errors import CloudOpsError
from cloudops.kube.client import ApiClient
from cloudops.kube.custom_objects import CustomObjects
from cloudops.kube.errors import NotFound
from cloudops.kube.ids import allocate_id
from cloudops.kube.stores import HubStore
from cloudops.members.access import ClusterRef, MemberAccess
from cloudops.members.errors import MemberError
from cloudops.members.objects import ObjectId
from cloudops.members.session import MemberSession
from cloudops.resources import YamlBackup
from cloudops.resources.yaml_backup import YamlBackupStatus

__all__ = ["Refused", "Waiting", "applied", "fail_applied", "take_applied", "wait_applied"]


class Waiting(Exception):
    """Not possible yet but may become so (the cluster is not registered, has no id or cannot be reached)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason, self.message = reason, message


class Refused(Exception):
    """Never possible as written: the backup fails with this reason."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason, self.message = reason, message


def applied(labels: dict[str, str] | None) -> bool:
    """Created without the product: every REST or scheduled backup carries its id label from its creation."""
    labels = labels or {}
    return ID_LABEL not in labels and SCHEDULE_LABEL not in labels


async def _cluster(hub: ApiClient, namespace: str, name: str) -> ClusterRef:
    try:
        cluster = ClusterRef.of(await CustomObjects(hub, MANAGED_CLUSTER, namespace).get(name))
    except NotFound:
        raise Waiting("ClusterNotFound", f"ManagedCluster {name!r} does not exist (yet)") from None
    if cluster.id is None:
        raise Waiting("ClusterIdPending", f"ManagedCluster {name!r} has no id yet")
    return cluster


def _member(e: MemberError) -> Exception:
    """A member's refusal is final; its unavailability (5xx) may pass."""
    if e.status >= 500:
        return Waiting("MemberUnreachable", e.message)
    return Refused("ObjectNotFound" if e.status == 404 else "MemberRefused", e.message)


@dataclass(frozen=True)
class _Target:
    oid: ObjectId  # canonical, its type the singular kind
    objects: list[Entry]


def _check_spec(backup: YamlBackup, oid: ObjectId) -> None:
    """The spec's own namespace and name, when given, must be the id's."""
    spec = backup.spec
    if spec.name and spec.name != oid.name:
        raise Refused("ResourceIdMismatch", f"spec.name {spec.name!r} is not the name in resourceId ({oid.name!r})")
    if spec.namespace and oid.type not in NAMESPACE_NAMES and spec.namespace != oid.namespace:
        raise Refused("ResourceIdMismatch",
                      f"spec.namespace {spec.namespace!r} is not the namespace in resourceId ({oid.namespace!r})")


async def _collect(session: MemberSession, backup: YamlBackup, oid: ObjectId) -> _Target:
    """The objects the id names, read from the member; the type must be the spec's resourceType."""
    spec = backup.spec
    if oid.type in NAMESPACE_NAMES or spec.resource_type in NAMESPACE_NAMES:
        if oid.type not in NAMESPACE_NAMES or spec.resource_type not in NAMESPACE_NAMES:
            raise Refused("ResourceIdMismatch", f"resourceType {spec.resource_type!r} and resourceId type "
                                                f"{oid.type!r} do not name the same kind")
        named = ObjectId(oid.cluster, "namespace", "", oid.name)
        return _Target(named, await collect_namespace(session, named.name))
    rt = await session.resolve(oid.type)
    written = await session.resolve(spec.resource_type)
    if (written.group, written.plural) != (rt.group, rt.plural):
        raise Refused("ResourceIdMismatch", f"resourceType {spec.resource_type!r} is not the type of resourceId "
                                            f"({oid.type!r})")
    namespace = oid.namespace if rt.namespaced else ""
    if rt.namespaced and not namespace:
        raise Refused("InvalidResourceId", f"{rt.kind} is namespaced; resourceId must name its namespace")
    named = ObjectId(oid.cluster, rt.type_name, namespace, oid.name)
    return _Target(named, await collect_object(session, rt, namespace or None, oid.name))


async def _read(namespace: str, access: MemberAccess, backup: YamlBackup, cluster: ClusterRef) -> _Target:
    raw = backup.spec.resource_id
    try:
        ObjectId.parse(raw)
    except ValueError as e:
        raise Refused("InvalidResourceId", f"resourceId: {e}") from None
    try:
        oid = canonical(raw, cluster)
    except ValueError as e:  # an id of another cluster than clusterRef
        raise Refused("ResourceIdMismatch", f"resourceId: {e}") from None
    _check_spec(backup, oid)
    try:
        return await _collect(await access.session(cluster, namespace=namespace), backup, oid)
    except MemberError as e:
        raise _member(e) from None
    except CloudOpsError as e:  # too many objects, or too large: the selection's fault
        raise Refused("BackupFailed", e.message) from None


async def _label(hub: ApiClient, namespace: str, backup: YamlBackup, number: int) -> YamlBackup:
    """The labels every product-made backup has (id, cluster): found by id, listed by cluster, and no longer
    taken again. Written last, so an interrupted take is retried."""
    labels = {ID_LABEL: str(number), CLUSTER_LABEL: backup.spec.cluster_ref.name}
    store = HubStore(hub, YamlBackup, namespace)
    return await store.patch(backup.metadata.name or "", {"metadata": {"labels": labels}})


async def _number(hub: ApiClient, namespace: str, backup: YamlBackup) -> int:
    """The backup's id: the one an interrupted earlier attempt recorded, else a new one."""
    known = backup.status.id if backup.status else None
    return known or await allocate_id(hub, namespace, YAML_BACKUP.plural)


async def take_applied(hub: ApiClient, namespace: str, access: MemberAccess, backup: YamlBackup) -> YamlBackup:
    """Completes an applied backup (see the module's doc); Waiting or Refused say why it cannot, and nothing of
    the backup is changed then. A backup already Completed or Failed is only labelled."""
    phase = backup.status.phase if backup.status else None
    if phase in ("Completed", "Failed"):
        return await _label(hub, namespace, backup, await _number(hub, namespace, backup))
    cluster = await _cluster(hub, namespace, backup.spec.cluster_ref.name)
    target = await _read(namespace, access, backup, cluster)
    spec, oid = backup.spec, target.oid
    new = NewBackup(name=backup.metadata.name or "", cluster_name=cluster.name, cluster_id=cluster.id,
                    resource_type=oid.type, resource_id=str(oid),
                    namespace=oid.name if oid.type == "namespace" else oid.namespace, object_name=oid.name,
                    objects=target.objects, description=spec.description or "", encrypt=bool(spec.encrypt),
                    created_by=spec.created_by or "")
    number = await _number(hub, namespace, backup)
    try:
        done = await complete_applied(hub, namespace, backup, new, number)
    except TooLarge as e:  # raised before anything is written
        raise Refused("BackupFailed", e.message) from None
    return await _label(hub, namespace, done, number)


async def fail_applied(hub: ApiClient, namespace: str, backup: YamlBackup, reason: str, message: str) -> YamlBackup:
    """Failed with `reason` and `message` in status (its Ready condition and error), then labelled with an id."""
    number = await _number(hub, namespace, backup)
    failed = await mark_failed(hub, namespace, backup, message[:4000], reason=reason, number=number)
    return await _label(hub, namespace, failed, number)


async def wait_applied(hub: ApiClient, namespace: str, backup: YamlBackup, reason: str, message: str) -> None:
    """Says in status why the backup is not taken yet (Ready False with the reason), without a phase."""
    if backup.status is not None and backup.status.conditions and any(
            c.type == "Ready" and c.reason == reason and c.message == message for c in backup.status.conditions):
        return
    await HubStore(hub, YamlBackup, namespace).patch_status(backup.metadata.name or "", YamlBackupStatus(
        observed_generation=backup.metadata.generation, conditions=ready(backup, False, reason, message)))
