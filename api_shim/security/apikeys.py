"""API keys: shown once at creation, stored only as a SHA-256 hash in a hub Secret, revoked by deletion.

A key reads `cok_<id>_<secret>`; `<id>` names the Secret `cloudops-apikey-<id>`, so checking a key
is one GET, and the secret part (256 random bits) never leaves the caller.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from api_shim.security.identity import User
from cloudops.kube.client import ApiClient
from cloudops.kube.secrets import Secrets

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
    await Secrets(api, namespace).create(secret_name(key_id), data, labels={API_KEY_LABEL: "true"})
    return key


async def verify_api_key(api: ApiClient, namespace: str, key: str) -> User | None:
    match = _FORMAT.fullmatch(key)
    if match is None:
        return None
    secret = await Secrets(api, namespace).read(secret_name(match.group(1)))
    if secret is None or secret.labels.get(API_KEY_LABEL) != "true":
        return None
    data = secret.data
    if not hmac.compare_digest(data.get("sha256", ""), _digest(key)):
        return None
    groups = tuple(g for g in data.get("groups", "").split(",") if g)
    return User(name=data.get("user", ""), groups=(*groups, "system:authenticated"), method="api-key")
