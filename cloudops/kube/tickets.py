"""Terminal session tickets, kept in the hub so any replica can accept the WebSocket that redeems one.

Browsers cannot send an Authorization header on a WebSocket, so the session id is the credential: a Secret
named after it holds who may use it for which container. It is single use (redeeming deletes it with a UID
precondition, so of two concurrent redeemers exactly one wins) and expires `ttl` seconds after it was issued;
expired tickets are removed whenever a new one is issued.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from kubernetes_asyncio.client import ApiClient, CoreV1Api, V1DeleteOptions, V1ObjectMeta, V1Preconditions, V1Secret
from kubernetes_asyncio.client.exceptions import ApiException

from cloudops.constants import GROUP
from cloudops.kube.errors import translate

__all__ = ["SESSION_PATTERN", "Ticket", "issue", "redeem"]

SESSION_PATTERN = r"^terminal-[0-9a-f]{32}$"
_SESSION = re.compile(SESSION_PATTERN)
TICKET_LABEL = f"{GROUP}/terminal-ticket"
SECRET_TYPE = f"{GROUP}/terminal-ticket"


@dataclass(frozen=True)
class Ticket:
    session_id: str
    user: str
    groups: list[str]
    cluster: str  # the ManagedCluster's name
    container_id: str  # as the caller wrote it in the path
    container: str  # the container it resolved to
    tty: bool
    stdin: bool
    command: list[str]  # argv, already wrapped for working_dir
    issued_at: str


def _now() -> datetime:
    return datetime.now(UTC)


async def _prune(core: CoreV1Api, namespace: str, ttl: float, now: datetime) -> None:
    found = await core.list_namespaced_secret(namespace, label_selector=f"{TICKET_LABEL}=true")
    for s in found.items:
        created = s.metadata.creation_timestamp
        if created is not None and now - created > timedelta(seconds=ttl + 5):
            try:
                await core.delete_namespaced_secret(s.metadata.name, namespace)
            except ApiException as e:
                if e.status != 404:
                    raise translate(e) from None


async def issue(api: ApiClient, namespace: str, *, user: str, groups: list[str], cluster: str, container_id: str,
                container: str, tty: bool, stdin: bool, command: list[str], ttl: float) -> Ticket:
    core = CoreV1Api(api)
    now = _now()
    ticket = Ticket(f"terminal-{secrets.token_hex(16)}", user, groups, cluster, container_id, container, tty, stdin,
                    command, now.isoformat())
    body = V1Secret(api_version="v1", kind="Secret", type=SECRET_TYPE,
                    metadata=V1ObjectMeta(name=ticket.session_id, namespace=namespace, labels={TICKET_LABEL: "true"}),
                    string_data={"ticket": json.dumps(asdict(ticket))})
    try:
        await _prune(core, namespace, ttl, now)
        await core.create_namespaced_secret(namespace, body)
    except ApiException as e:
        raise translate(e) from None
    return ticket


async def redeem(api: ApiClient, namespace: str, session_id: str, ttl: float) -> Ticket | None:
    """The ticket, consumed; None when unknown, already used or expired (an expired one is deleted too)."""
    if not _SESSION.fullmatch(session_id):
        return None
    core = CoreV1Api(api)
    try:
        secret = await core.read_namespaced_secret(session_id, namespace)
    except ApiException as e:
        if e.status == 404:
            return None
        raise translate(e) from None
    if secret.type != SECRET_TYPE:
        return None
    try:
        await core.delete_namespaced_secret(session_id, namespace, body=V1DeleteOptions(
            preconditions=V1Preconditions(uid=secret.metadata.uid)))
    except ApiException as e:
        if e.status in (404, 409):
            return None  # someone else redeemed it first
        raise translate(e) from None
    try:
        ticket = Ticket(**json.loads(base64.b64decode((secret.data or {}).get("ticket", ""))))
    except (ValueError, TypeError):
        return None
    issued = datetime.fromisoformat(ticket.issued_at)
    if _now() - issued > timedelta(seconds=ttl):
        return None
    return ticket
