"""What a backup or schedule request names, and the names the section makes up."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

from cloudops.backups.content import NAMESPACE_NAMES
from cloudops.services.gate import Gate
from cloudops.services.named import Named, name_object

__all__ = ["CAPABILITY", "default_backup_name", "dns_part", "target"]

CAPABILITY = "backups"
_SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def dns_part(text: str, limit: int) -> str:
    """`text` as a DNS label part: lower case, other characters as `-`, at most `limit` long."""
    out = re.sub(r"[^a-z0-9-]+", "-", text.lower())[:limit].strip("-")
    return out or "object"


def default_backup_name(name: str) -> str:
    """`<name>-<YYYYMMDDhhmmss>-<5 random [a-z0-9]>`: concurrent backups of one object get distinct names (36^5
    suffixes per second), and at most 63 characters, so it is also a valid label value (the content Secrets are
    labelled with it)."""
    suffix = "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(5))
    return f"{dns_part(name, 63 - 21)}-{datetime.now(UTC).strftime('%Y%m%d%H%M%S')}-{suffix}"


async def target(gate: Gate, resource_id: str, resource_type: str, cluster_id: str | int | None,
                 namespace: str | None) -> Named:
    """What a create or schedule request names; its type is `namespace` for a whole namespace."""
    named = await name_object(gate, resource_id, "create", CAPABILITY, cluster_id=cluster_id,
                              resource_type=resource_type, namespace=namespace)
    if resource_type.lower() in NAMESPACE_NAMES or named.type in NAMESPACE_NAMES:
        return Named(named.cluster, "namespace", named.namespace, named.name)
    return named
