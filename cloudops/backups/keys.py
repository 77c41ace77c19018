"""The backup encryption keys: one hub Secret, created on first use, holding every key ever current.

`current` names the key new backups use; older keys stay so older backups still open (rotation: add a
key and point `current` at it). Key bytes never leave this module except into AES-GCM.
"""

from __future__ import annotations

import base64
import os
import secrets

from kubernetes_asyncio.client import ApiClient, CoreV1Api, V1ObjectMeta, V1Secret
from kubernetes_asyncio.client.exceptions import ApiException

from cloudops.kube.errors import translate

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


def _ring(secret: V1Secret) -> KeyRing | None:
    data = {k: base64.b64decode(v) for k, v in (secret.data or {}).items()}
    current = data.pop(CURRENT, b"").decode()
    return KeyRing(data, current) if current in data else None


async def load_keys(api: ApiClient, namespace: str, create: bool = True) -> KeyRing:
    """The key ring; with `create`, a first key is made when there is none (a race is settled by 409)."""
    core = CoreV1Api(api)
    for _ in range(5):
        try:
            ring = _ring(await core.read_namespaced_secret(KEY_SECRET, namespace))
            if ring is not None:
                return ring
            raise RuntimeError(f"Secret {KEY_SECRET} has no usable current key")
        except ApiException as e:
            if e.status != 404 or not create:
                raise translate(e) from None
        key_id = "k" + secrets.token_hex(4)
        body = V1Secret(metadata=V1ObjectMeta(name=KEY_SECRET, namespace=namespace,
                                              labels={"app.kubernetes.io/part-of": "cloudops-k8s"}),
                        type="Opaque", immutable=False,
                        data={CURRENT: base64.b64encode(key_id.encode()).decode(),
                              key_id: base64.b64encode(os.urandom(32)).decode()})
        try:
            await core.create_namespaced_secret(namespace, body)
        except ApiException as e:
            if e.status != 409:
                raise translate(e) from None
    raise RuntimeError(f"Secret {KEY_SECRET} could not be read or created")
