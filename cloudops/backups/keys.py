"""The backup encryption keys: one hub Secret, created on first use, holding every key ever current.

`current` names the key new backups use; older keys stay so older backups still open (rotation: add a
key and point `current` at it). Key bytes never leave this module except into AES-GCM.
"""

from __future__ import annotations

import os
import secrets

from cloudops.kube.client import ApiClient
from cloudops.kube.errors import Conflict, NotFound
from cloudops.kube.secrets import Secrets

__all__ = ["KEY_SECRET", "KeyRing", "load_keys"]

KEY_SECRET = "cloudops-backup-keys"
CURRENT = "current"


class KeyRing:
    """Key id -> 32-byte key, and which one seals new backups. Its repr names ids only."""

    def __init__(self, keys: dict[str, bytes], current: str) -> None:
        self._keys, self.current = keys, current

    def __repr__(self) -> str:
        return f"KeyRing(current={self.current!r}, ids={sorted(self._keys)!r})"

    def get(self, key_id: str) -> bytes | None:
        return self._keys.get(key_id)

    def as_mapping(self) -> dict[str, bytes]:
        return dict(self._keys)

    @property
    def current_key(self) -> bytes:
        return self._keys[self.current]


def _ring(values: dict[str, bytes]) -> KeyRing | None:
    data = dict(values)
    current = data.pop(CURRENT, b"").decode()
    return KeyRing(data, current) if current in data else None


async def load_keys(api: ApiClient, namespace: str, create: bool = True) -> KeyRing:
    """The key ring; with `create`, a first key is made when there is none (a race is settled by 409).
    NotFound when there is none and `create` is false."""
    store = Secrets(api, namespace)
    for _ in range(5):
        values = await store.read_bytes(KEY_SECRET)
        if values is not None:
            ring = _ring(values)
            if ring is not None:
                return ring
            raise RuntimeError(f"Secret {KEY_SECRET} has no usable current key")
        if not create:
            raise NotFound(f"secret {KEY_SECRET} not found")
        key_id = "k" + secrets.token_hex(4)
        try:
            await store.create_bytes(KEY_SECRET, {CURRENT: key_id.encode(), key_id: os.urandom(32)},
                                     labels={"app.kubernetes.io/part-of": "cloudops-k8s"})
        except Conflict:
            pass
    raise RuntimeError(f"Secret {KEY_SECRET} could not be read or created")
