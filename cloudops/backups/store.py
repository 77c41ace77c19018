"""Backups in the hub: a YamlBackup object (identity, phase, checksum) and its content in Secrets.

Write order makes a half backup impossible to mistake for a good one: the object is created, marked
InProgress with its part count, the parts are written, and only then is it marked Completed with the
checksum. A crash in between leaves an InProgress (later Failed) backup that restore refuses.
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass
from typing import Any

from kubernetes_asyncio.client import ApiClient, CoreV1Api, V1ObjectMeta, V1OwnerReference, V1Secret
from kubernetes_asyncio.client.exceptions import ApiException

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
from cloudops.constants import API_VERSION, GROUP, ID_LABEL, YAML_BACKUP
from cloudops.ids import allocate_id
from cloudops.kube.custom_objects import CustomObjects
from cloudops.kube.errors import Conflict, NotFound, translate

__all__ = [
    "BACKUP_LABEL",
    "CLUSTER_LABEL",
    "MAX_PARTS",
    "PART_BYTES",
    "SCHEDULE_LABEL",
    "NewBackup",
    "delete_backup",
    "find_backup",
    "list_backups",
    "mark_failed",
    "part_name",
    "read_content",
    "write_backup",
]

Json = dict[str, Any]
BACKUP_LABEL = f"{GROUP}/backup"
CLUSTER_LABEL = f"{GROUP}/cluster"
SCHEDULE_LABEL = f"{GROUP}/schedule"
# A Secret holds at most 1 MiB; base64 in JSON grows data by 4/3, so parts stay well below it.
PART_BYTES = 512 * 1024
MAX_PARTS = 16


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
    objects: list[Json]
    description: str = ""
    encrypt: bool = False
    created_by: str = ""
    schedule: str = ""
    owner: Json | None = None  # an object (the schedule) that owns the backup


def part_name(backup: str, index: int) -> str:
    return f"{backup}-part-{index}"


def _store(api: ApiClient, namespace: str) -> CustomObjects:
    return CustomObjects(api, YAML_BACKUP, namespace)


def _context(backup: str) -> bytes:
    return f"cloudops-backup/{backup}".encode()


def _contains_secret(objects: list[Json]) -> bool:
    return any(e.get("kind") == "Secret" and not e.get("group") for e in objects)


async def write_backup(api: ApiClient, namespace: str, new: NewBackup) -> Json:
    """Packs, seals and stores; TooLarge before anything is written, KubeError Conflict for a taken name."""
    payload = encode_objects(new.objects)
    encrypted = new.encrypt or _contains_secret(new.objects)
    key_id = ""
    if encrypted:
        ring = await load_keys(api, namespace)
        key_id = ring.current
        blob = seal(payload, _context(new.name), ring.current_key, key_id)
    else:
        blob = seal(payload, _context(new.name))
    parts = split_parts(blob, PART_BYTES, MAX_PARTS)
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
    backup_id = await allocate_id(api, namespace, YAML_BACKUP.plural)
    labels = {ID_LABEL: str(backup_id), CLUSTER_LABEL: new.cluster_name}
    meta: Json = {"name": new.name, "namespace": namespace, "labels": labels}
    if new.schedule:
        labels[SCHEDULE_LABEL] = new.schedule
    if new.owner is not None:
        o = new.owner
        meta["ownerReferences"] = [{"apiVersion": o["apiVersion"], "kind": o["kind"], "name": o["metadata"]["name"],
                                    "uid": o["metadata"]["uid"]}]
    spec: Json = {"clusterRef": {"name": new.cluster_name}, "resourceType": new.resource_type,
                  "resourceId": new.resource_id, "namespace": new.namespace, "name": new.object_name,
                  "description": new.description, "encrypt": new.encrypt, "createdBy": new.created_by}
    if new.cluster_id is not None:
        spec["clusterId"] = new.cluster_id
    created = await store.create({"apiVersion": API_VERSION, "kind": YAML_BACKUP.kind, "metadata": meta,
                                  "spec": spec})
    base = {"id": backup_id, "phase": "InProgress", "parts": len(parts), "encrypted": encrypted,
            "startedAt": now_iso(), "objectCount": len(new.objects),
            "objects": [{"type": e.get("type", ""), "namespace": e.get("namespace", ""), "name": e.get("name", "")}
                        for e in new.objects[:2000]]}
    if key_id:
        base["keyId"] = key_id
    await store.patch_status(new.name, base)
    try:
        await _write_parts(api, namespace, created, parts)
    except BaseException as e:
        await asyncio.shield(_fail(api, namespace, new.name, len(parts), e))
        raise
    return await store.patch_status(new.name, {
        "phase": "Completed", "sha256": checksum(blob), "sizeBytes": len(blob),
        "contentBytes": len(payload), "completedAt": now_iso()})


async def _write_parts(api: ApiClient, namespace: str, owner: Json, parts: list[bytes]) -> None:
    core = CoreV1Api(api)
    meta = owner["metadata"]
    ref = V1OwnerReference(api_version=API_VERSION, kind=YAML_BACKUP.kind, name=meta["name"], uid=meta["uid"])
    for i, part in enumerate(parts):
        body = V1Secret(metadata=V1ObjectMeta(name=part_name(meta["name"], i), namespace=namespace,
                                              labels={BACKUP_LABEL: meta["name"]}, owner_references=[ref]),
                        type="Opaque", data={"content": base64.b64encode(part).decode()})
        try:
            await core.create_namespaced_secret(namespace, body)
        except ApiException as e:
            raise translate(e) from None


async def _fail(api: ApiClient, namespace: str, name: str, parts: int, exc: BaseException) -> None:
    """Marks the backup Failed and removes whatever parts were written."""
    await _delete_parts(api, namespace, name, parts)
    why = exc.__class__.__name__ + (f": {getattr(exc, 'message', '')}" if getattr(exc, "message", "") else "")
    try:
        await _store(api, namespace).patch_status(name, {"phase": "Failed", "error": why[:4000]})
    except Exception:  # the object may be gone already; Failed is the best effort
        pass


async def _delete_parts(api: ApiClient, namespace: str, name: str, parts: int) -> None:
    core = CoreV1Api(api)
    for i in range(parts):
        try:
            await core.delete_namespaced_secret(part_name(name, i), namespace)
        except ApiException as e:
            if e.status != 404:
                raise translate(e) from None


async def mark_failed(api: ApiClient, namespace: str, backup: Json, why: str) -> None:
    """An InProgress backup nobody will finish (its writer stopped): Failed, parts removed."""
    status = backup.get("status") or {}
    name = backup["metadata"]["name"]
    await _delete_parts(api, namespace, name, int(status.get("parts") or 0))
    await _store(api, namespace).patch_status(name, {"phase": "Failed", "error": why})


async def find_backup(api: ApiClient, namespace: str, ref: int | str) -> Json:
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


async def list_backups(api: ApiClient, namespace: str, label_selector: str | None = None) -> list[Json]:
    return await _store(api, namespace).list(label_selector=label_selector)


async def read_content(api: ApiClient, namespace: str, backup: Json) -> list[Json]:
    """The backup's entries, verified (size, sha256, GCM tag) before decoding; IntegrityError otherwise."""
    status = backup.get("status") or {}
    name = backup["metadata"]["name"]
    if status.get("phase") != "Completed":
        raise IntegrityError(f"backup {name!r} is {status.get('phase') or 'not started'}, not Completed")
    core = CoreV1Api(api)
    parts: list[bytes] = []
    for i in range(int(status.get("parts") or 0)):
        try:
            secret = await core.read_namespaced_secret(part_name(name, i), namespace)
        except ApiException as e:
            if e.status == 404:
                raise IntegrityError(f"content part {i} of backup {name!r} is missing") from None
            raise translate(e) from None
        parts.append(base64.b64decode((secret.data or {}).get("content", "")))
    blob = join_parts(parts, str(status.get("sha256") or ""), int(status.get("sizeBytes") or 0))
    keys: dict[str, bytes] = {}
    if status.get("encrypted"):
        try:
            keys = (await load_keys(api, namespace, create=False)).as_mapping()
        except NotFound:
            raise IntegrityError("the backup key Secret is missing; encrypted backups cannot be opened") from None
    return decode_objects(open_blob(blob, _context(name), keys, bool(status.get("encrypted"))))


async def delete_backup(api: ApiClient, namespace: str, backup: Json) -> None:
    """Content Secrets first, then the object (owner references would also collect them)."""
    name = backup["metadata"]["name"]
    await _delete_parts(api, namespace, name, int((backup.get("status") or {}).get("parts") or 0))
    try:
        await _store(api, namespace).delete(name)
    except NotFound:
        pass
