"""API keys: shown once at creation, stored only as a SHA-256 hash in a hub Secret, revoked by deletion.

A key reads `cok_<id>_<secret>`; `<id>` names the Secret `cloudops-apikey-<id>`, so checking a key
is one GET, and the secret part (256 random bits) never leaves the caller.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from api_shim.security.identity import User
from cloudops.kube.client import ApiClient
from cloudops.kube.secrets import Secrets

__all__ = ["API_KEY_LABEL", "KeyInfo", "create_api_key", "key_id", "list_api_keys", "secret_name", "store_api_key",
           "verify_api_key"]

API_KEY_LABEL = "cloudops.io/api-key"
_FORMAT = re.compile(r"^cok_([a-f0-9]{16})_([A-Za-z0-9_-]{20,})$")


def secret_name(key_id: str) -> str:
    return f"cloudops-apikey-{key_id}"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_id(key: str) -> str | None:
    """The id part of a well-formed key; None when the key is not one."""
    match = _FORMAT.fullmatch(key)
    return None if match is None else match.group(1)


@dataclass(frozen=True)
class KeyInfo:
    """What `cloudops-apikey list` shows of a key: never its hash."""

    key_id: str
    user: str
    groups: tuple[str, ...]
    created: str


async def store_api_key(api: ApiClient, namespace: str, key: str, user: str, groups: list[str]) -> str:
    """Stores a well-formed key's hash as key `<id>` and returns the id; a Conflict when the id is taken."""
    found = key_id(key)
    if found is None:
        raise ValueError("not an API key: the form is cok_<16 hex digits>_<20 or more of A-Z a-z 0-9 _ ->")
    data = {"sha256": _digest(key), "user": user, "groups": ",".join(groups)}
    await Secrets(api, namespace).create(secret_name(found), data, labels={API_KEY_LABEL: "true"})
    return found


async def is_stored(api: ApiClient, namespace: str, key: str) -> bool:
    """Whether this very key (not only its id) is stored."""
    found = key_id(key)
    secret = None if found is None else await Secrets(api, namespace).read(secret_name(found))
    return secret is not None and hmac.compare_digest(secret.data.get("sha256", ""), _digest(key))


async def create_api_key(api: ApiClient, namespace: str, user: str, groups: list[str]) -> str:
    """Stores the hash and returns the key; the key itself is not stored anywhere."""
    key = f"cok_{secrets.token_hex(8)}_{secrets.token_urlsafe(32)}"
    await store_api_key(api, namespace, key, user, groups)
    return key


async def list_api_keys(api: ApiClient, namespace: str) -> list[KeyInfo]:
    """Every key's id, user, groups and creation time, oldest first."""
    found = await Secrets(api, namespace).list(f"{API_KEY_LABEL}=true")
    keys = [KeyInfo(s.name.removeprefix("cloudops-apikey-"), s.data.get("user", ""),
                    tuple(g for g in s.data.get("groups", "").split(",") if g), s.created) for s in found]
    return sorted(keys, key=lambda k: (k.created, k.key_id))


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
