"""Backups in the hub: a YamlBackup object (identity, phase, checksum) and its content in Secrets.

Write order makes a half backup impossible to mistake for a good one: the object is created, marked
InProgress with its part count, the parts are written, and only then is it marked Completed with the
checksum. A crash in between leaves an InProgress (later Failed) backup that restore refuses.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from cloudops.backups.content import Entry, entries_of
from cloudops.backups.keys import load_keys
from cloudops.backups.packing import (
    IntegrityError,
    checksum,
    decode_objects,
    encode_objects,
    join_parts,
    open_blob,
    seal,
    split_parts,
)
from cloudops.conditions import now_iso
from cloudops.constants import GROUP, ID_LABEL, YAML_BACKUP
from cloudops.kube.client import ApiClient
from cloudops.kube.errors import Conflict, NotFound
from cloudops.kube.ids import allocate_id
from cloudops.kube.secrets import Secrets
from cloudops.kube.stores import HubStore
from cloudops.kube.types import OwnerReference
from cloudops.resources import YamlBackup, YamlBackupSchedule
from cloudops.resources.base import Condition, ConditionStatus, ObjectMeta, ObjectRef
from cloudops.resources.base import OwnerReference as OwnerRef
from cloudops.resources.yaml_backup import BackupObject, YamlBackupSpec, YamlBackupStatus

__all__ = [
    "BACKUP_LABEL",
    "CLUSTER_LABEL",
    "MAX_PARTS",
    "PART_BYTES",
    "SCHEDULE_LABEL",
    "NewBackup",
    "backup_id",
    "complete_applied",
    "delete_backup",
    "find_backup",
    "list_backups",
    "mark_failed",
    "part_name",
    "read_content",
    "ready",
    "write_backup",
]

BACKUP_LABEL = f"{GROUP}/backup"
CLUSTER_LABEL = f"{GROUP}/cluster"
SCHEDULE_LABEL = f"{GROUP}/schedule"
# A Secret holds at most 1 MiB; base64 in JSON grows data by 4/3, so parts stay well below it.
PART_BYTES = 512 * 1024
MAX_PARTS = 16
CONTENT_KEY = "content"


@dataclass(frozen=True)
class NewBackup:
    """What a backup is of and who asked; `objects` are the entries content.collect returns."""

    name: str
    cluster_name: str
    cluster_id: int | None
    resource_type: str
    resource_id: str
    namespace: str
    object_name: str
    objects: list[Entry]
    description: str = ""
    encrypt: bool = False
    created_by: str = ""
    schedule: str = ""
    owner: YamlBackupSchedule | None = None  # the schedule that owns the backup


def part_name(backup: str, index: int) -> str:
    return f"{backup}-part-{index}"


def backup_id(backup: YamlBackup) -> int:
    """The backup's integer id (status, else its label)."""
    status = backup.status or YamlBackupStatus()
    label = (backup.metadata.labels or {}).get(ID_LABEL, "")
    return status.id or (int(label) if label.isascii() and label.isdigit() else 0)


def _store(api: ApiClient, namespace: str) -> HubStore[YamlBackup]:
    return HubStore(api, YamlBackup, namespace)


def _context(backup: str) -> bytes:
    return f"cloudops-backup/{backup}".encode()


def _contains_secret(objects: list[Entry]) -> bool:
    return any(e.get("kind") == "Secret" and not e.get("group") for e in objects)


def _object(namespace: str, new: NewBackup, number: int) -> YamlBackup:
    labels = {ID_LABEL: str(number), CLUSTER_LABEL: new.cluster_name}
    owners = None
    if new.schedule:
        labels[SCHEDULE_LABEL] = new.schedule
    if new.owner is not None:
        o = new.owner
        owners = [OwnerRef(api_version=o.api_version, kind=o.kind, name=o.metadata.name or "",
                           uid=o.metadata.uid or "")]
    spec = YamlBackupSpec(cluster_ref=ObjectRef(name=new.cluster_name), cluster_id=new.cluster_id,
                          resource_type=new.resource_type, resource_id=new.resource_id, namespace=new.namespace,
                          name=new.object_name, description=new.description, encrypt=new.encrypt,
                          created_by=new.created_by)
    return YamlBackup(metadata=ObjectMeta(name=new.name, namespace=namespace, labels=labels, owner_references=owners),
                      spec=spec)


async def _seal(api: ApiClient, namespace: str, new: NewBackup, payload: bytes) -> tuple[bytes, str]:
    """The stored blob and the id of the key that sealed it (empty: not encrypted)."""
    if not (new.encrypt or _contains_secret(new.objects)):
        return seal(payload, _context(new.name)), ""
    ring = await load_keys(api, namespace)
    return seal(payload, _context(new.name), ring.current_key, ring.current), ring.current


@dataclass(frozen=True)
class _Packed:
    payload: bytes
    blob: bytes
    parts: list[bytes]
    key_id: str
    encrypted: bool


async def _pack(api: ApiClient, namespace: str, new: NewBackup) -> _Packed:
    """The sealed content in parts; TooLarge before anything is written."""
    payload = encode_objects(new.objects)
    blob, key_id = await _seal(api, namespace, new, payload)
    return _Packed(payload, blob, split_parts(blob, PART_BYTES, MAX_PARTS), key_id,
                   new.encrypt or _contains_secret(new.objects))


def ready(backup: YamlBackup, ok: bool, reason: str, message: str) -> list[Condition]:
    """The backup's conditions with Ready set; its transition time kept while its status does not change."""
    status: ConditionStatus = "True" if ok else "False"
    old = next((c for c in (backup.status.conditions if backup.status else None) or [] if c.type == "Ready"), None)
    since = old.last_transition_time if old is not None and old.status == status else now_iso()
    return [Condition(type="Ready", status=status, reason=reason, message=message[:4000],
                      observed_generation=backup.metadata.generation, last_transition_time=since)]


async def write_backup(api: ApiClient, namespace: str, new: NewBackup) -> YamlBackup:
    """Packs, seals and stores; TooLarge before anything is written, KubeError Conflict for a taken name."""
    packed = await _pack(api, namespace, new)
    store = _store(api, namespace)
    # A taken name is refused before an id is allocated, so a conflict does not use one up (ids are never
    # reused). Only two writers racing for one new name can still cost the loser an id: the id must be on the
    # object from its creation, so that no backup is ever listed without one.
    try:
        await store.get(new.name)
    except NotFound:
        pass
    else:
        raise Conflict(f"backup {new.name!r} already exists")
    number = await allocate_id(api, namespace, YAML_BACKUP.plural)
    created = await store.create(_object(namespace, new, number))
    return await _fill(api, namespace, created, new, number, packed)


async def complete_applied(api: ApiClient, namespace: str, backup: YamlBackup, new: NewBackup,
                           number: int) -> YamlBackup:
    """Stores the content of a backup object created without it (kubectl, GitOps) under id `number`: parts an
    interrupted earlier attempt left are removed first. TooLarge before anything is written."""
    packed = await _pack(api, namespace, new)
    await _delete_parts(api, namespace, backup.metadata.name or "", _parts(backup))
    return await _fill(api, namespace, backup, new, number, packed)


async def _fill(api: ApiClient, namespace: str, backup: YamlBackup, new: NewBackup, number: int,
                packed: _Packed) -> YamlBackup:
    """InProgress with the part count, the parts, then Completed with the checksum (see the module's doc)."""
    store, name = _store(api, namespace), backup.metadata.name or ""
    started = YamlBackupStatus(id=number, cluster_id=new.cluster_id, resource_id=new.resource_id, phase="InProgress",
                               parts=len(packed.parts), encrypted=packed.encrypted, started_at=now_iso(),
                               object_count=len(new.objects), observed_generation=backup.metadata.generation,
                               conditions=ready(backup, False, "InProgress", "the content is being written"),
                               objects=[BackupObject(type=e.get("type", ""), namespace=e.get("namespace", ""),
                                                     name=e.get("name", "")) for e in new.objects[:2000]])
    if packed.key_id:
        started.key_id = packed.key_id
    backup = await store.patch_status(name, started)
    try:
        await _write_parts(api, namespace, backup, packed.parts)
    except BaseException as e:
        await asyncio.shield(_fail(api, namespace, backup, len(packed.parts), e))
        raise
    return await store.patch_status(name, YamlBackupStatus(
        phase="Completed", sha256=checksum(packed.blob), size_bytes=len(packed.blob),
        content_bytes=len(packed.payload), completed_at=now_iso(),
        conditions=ready(backup, True, "Completed", f"{len(new.objects)} object(s) stored")))


async def _write_parts(api: ApiClient, namespace: str, owner: YamlBackup, parts: list[bytes]) -> None:
    name = owner.metadata.name or ""
    ref = OwnerReference(apiVersion=owner.api_version, kind=owner.kind, name=name, uid=owner.metadata.uid or "")
    secrets = Secrets(api, namespace)
    for i, part in enumerate(parts):
        await secrets.create_bytes(part_name(name, i), {CONTENT_KEY: part}, labels={BACKUP_LABEL: name}, owner=ref)


async def _fail(api: ApiClient, namespace: str, backup: YamlBackup, parts: int, exc: BaseException) -> None:
    """Marks the backup Failed and removes whatever parts were written."""
    why = exc.__class__.__name__ + (f": {getattr(exc, 'message', '')}" if getattr(exc, "message", "") else "")
    try:
        await mark_failed(api, namespace, backup, why[:4000], parts=parts)
    except Exception:  # the object may be gone already; Failed is the best effort
        pass


async def _delete_parts(api: ApiClient, namespace: str, name: str, parts: int) -> None:
    secrets = Secrets(api, namespace)
    for i in range(parts):
        await secrets.delete(part_name(name, i))


def _parts(backup: YamlBackup) -> int:
    return (backup.status.parts if backup.status else None) or 0


async def mark_failed(api: ApiClient, namespace: str, backup: YamlBackup, why: str, reason: str = "Failed",
                      parts: int | None = None, number: int | None = None) -> YamlBackup:
    """A backup that will not complete (its writer stopped, or it cannot be taken): Failed, with `reason` and
    `why` in its Ready condition, its parts removed; `number` is its id when it has none in status yet."""
    name = backup.metadata.name or ""
    await _delete_parts(api, namespace, name, _parts(backup) if parts is None else parts)
    status = YamlBackupStatus(phase="Failed", error=why, observed_generation=backup.metadata.generation,
                              conditions=ready(backup, False, reason, why))
    if number is not None:
        status.id = number
    return await _store(api, namespace).patch_status(name, status)


async def find_backup(api: ApiClient, namespace: str, ref: int | str) -> YamlBackup:
    """By integer id (label) or by name; NotFound naming the reference otherwise."""
    store = _store(api, namespace)
    if isinstance(ref, int) or (ref.isascii() and ref.isdigit()):
        items = await store.list(label_selector=f"{ID_LABEL}={int(ref)}")
        if not items:
            raise NotFound(f"backup with id {ref} not found")
        return items[0]
    try:
        return await store.get(ref)
    except NotFound:
        raise NotFound(f"backup {ref!r} not found") from None


async def list_backups(api: ApiClient, namespace: str, label_selector: str | None = None) -> list[YamlBackup]:
    return await _store(api, namespace).list(label_selector=label_selector)


async def _read_parts(api: ApiClient, namespace: str, name: str, count: int) -> list[bytes]:
    secrets = Secrets(api, namespace)
    parts: list[bytes] = []
    for i in range(count):
        values = await secrets.read_bytes(part_name(name, i))
        if values is None:
            raise IntegrityError(f"content part {i} of backup {name!r} is missing")
        parts.append(values.get(CONTENT_KEY, b""))
    return parts


async def read_content(api: ApiClient, namespace: str, backup: YamlBackup) -> list[Entry]:
    """The backup's entries, verified (size, sha256, GCM tag) before decoding; IntegrityError otherwise."""
    status = backup.status or YamlBackupStatus()
    name = backup.metadata.name or ""
    if status.phase != "Completed":
        raise IntegrityError(f"backup {name!r} is {status.phase or 'not started'}, not Completed")
    parts = await _read_parts(api, namespace, name, status.parts or 0)
    blob = join_parts(parts, status.sha256 or "", status.size_bytes or 0)
    keys: dict[str, bytes] = {}
    if status.encrypted:
        try:
            keys = (await load_keys(api, namespace, create=False)).as_mapping()
        except NotFound:
            raise IntegrityError("the backup key Secret is missing; encrypted backups cannot be opened") from None
    return entries_of(decode_objects(open_blob(blob, _context(name), keys, bool(status.encrypted))))


async def delete_backup(api: ApiClient, namespace: str, backup: YamlBackup) -> None:
    """Content Secrets first, then the object (owner references would also collect them)."""
    name = backup.metadata.name or ""
    await _delete_parts(api, namespace, name, _parts(backup))
    try:
        await _store(api, namespace).delete(name)
    except NotFound:
        pass
