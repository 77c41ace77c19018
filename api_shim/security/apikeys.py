"""API keys: shown once at creation, stored only as a SHA-256 hash in a hub Secret, revoked by deletion.

A key reads `cok_<id>_<secret>`; `<id>` names the Secret `cloudops-apikey-<id>`, so checking a key
is one GET, and the secret part (256 random bits) never leaves the caller.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from kubernetes_asyncio.client import ApiClient, CoreV1Api, V1ObjectMeta, V1Secret
from kubernetes_asyncio.client.exceptions import ApiException

from api_shim.security.identity import User
from cloudops.kube.errors import translate

__all__ = ["API_KEY_LABEL", "create_api_key", "secret_name", "verify_api_key"]

API_KEY_LABEL = "cloudops.io/api-key"
_FORMAT = re.compile(r"^cok_([a-f0-9]{16})_([A-Za-z0-9_-]{20,})$")


def secret_name(key_id: str) -> str:
    return f"cloudops-apikey-{key_id}"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create_api_key(api: ApiClient, namespace: str, user: str, groups: list[str]) -> str:
    """Stores the hash and returns the key; the key itself is not stored anywhere."""
    key_id = secrets.token_hex(8)
    key = f"cok_{key_id}_{secrets.token_urlsafe(32)}"
    data = {"sha256": _digest(key), "user": user, "groups": ",".join(groups)}
    body = V1Secret(
        metadata=V1ObjectMeta(name=secret_name(key_id), namespace=namespace, labels={API_KEY_LABEL: "true"}),
        type="Opaque", data={k: base64.b64encode(v.encode()).decode() for k, v in data.items()})
    try:
        await CoreV1Api(api).create_namespaced_secret(namespace, body)
    except ApiException as e:
        raise translate(e) from None
    return key


async def verify_api_key(api: ApiClient, namespace: str, key: str) -> User | None:
    match = _FORMAT.fullmatch(key)
    if match is None:
        return None
    try:
        secret = await CoreV1Api(api).read_namespaced_secret(secret_name(match.group(1)), namespace)
    except ApiException as e:
        if e.status == 404:
            return None
        raise translate(e) from None
    if (secret.metadata.labels or {}).get(API_KEY_LABEL) != "true":
        return None
    data = {k: base64.b64decode(v).decode() for k, v in (secret.data or {}).items()}
    if not hmac.compare_digest(data.get("sha256", ""), _digest(key)):
        return None
    groups = tuple(g for g in data.get("groups", "").split(",") if g)
    return User(name=data.get("user", ""), groups=(*groups, "system:authenticated"), method="api-key")
