"""Failures of calls to member clusters, mapped once to the API's HTTP status and business code.

Hub failures stay `cloudops.kube.errors.KubeError`; a member failure is always a `MemberError` that names
its cluster, so one can never be mistaken for the other. Messages are capped and scrubbed: a member's
Status text is shown to callers, and must never carry secret material.
"""

from __future__ import annotations

import asyncio
import json

import aiohttp

from cloudops.clusters.connect import ConnectError
from cloudops.errors import CloudOpsError
from cloudops.redact import scrub

__all__ = ["MemberError", "from_connect_error", "from_status", "from_transport"]


class MemberError(CloudOpsError):
    """A member's failure, named by its cluster; `status` and `code` are what the API answers for it."""

    def __init__(self, status: int, code: int, cluster: str, detail: str, *,
                 retry_after: str | None = None) -> None:
        super().__init__(f"cluster {cluster!r}: {scrub(detail)}", status=status, code=code,
                         headers={"Retry-After": retry_after} if retry_after else None)
        self.cluster, self.retry_after = cluster, retry_after


def _field_causes(body: dict[str, object]) -> str:
    details = body.get("details")
    causes = details.get("causes") if isinstance(details, dict) else None
    if not isinstance(causes, list):
        return ""
    parts = []
    for c in causes[:5]:
        if isinstance(c, dict):
            field, msg = c.get("field") or "", c.get("message") or c.get("reason") or ""
            parts.append(f"{field}: {msg}" if field else str(msg))
    return "; ".join(parts)


# Member 4xx answers without a mapping of their own above, passed on with the member's status and reason.
_REFUSED = {
    406: "the member cannot answer in an acceptable format",
    411: "the member requires a request length",
    413: "the member refused the request as too large",
    414: "the member refused the request URI as too long",
    415: "the member does not accept the request's media type",
    431: "the member refused the request headers as too large",
}


def from_status(cluster: str, status: int, text: str, what: str, retry_after: str | None = None) -> MemberError:
    """An HTTP error answer of a member API server, as the API's error (see the README's table)."""
    message = text
    body: dict[str, object] = {}
    try:
        parsed = json.loads(text)
        if isinstance(parsed, dict):
            body = parsed
            message = str(parsed.get("message") or text)
    except ValueError:
        pass
    if status == 404:
        return MemberError(404, 1002, cluster, f"{what}: not found" if not body else message)
    if status == 409:
        return MemberError(409, 1006, cluster, message)
    if status in (400, 422):
        causes = _field_causes(body)
        return MemberError(422, 422, cluster, f"{message}" + (f" [{causes}]" if causes and causes not in message
                                                               else ""))
    if status == 403:
        return MemberError(403, 1003, cluster, f"the member's RBAC denies {what}: {message}")
    if status == 401:
        return MemberError(502, 1001, cluster, "the member rejected the stored credentials (HTTP 401)")
    if status == 429:
        return MemberError(503, 503, cluster, f"the member is throttling requests: {message}",
                           retry_after=retry_after or "1")
    if status == 405:
        return MemberError(405, 405, cluster, f"{what}: the member does not allow this method")
    if status == 410:
        return MemberError(400, 400, cluster, "continue: the paging token expired; start the listing again")
    if status == 504:
        return MemberError(504, 1004, cluster, f"{what}: the member timed out")
    if status == 408:  # the member gave up reading what the shim sent: a timeout, not the caller's error
        return MemberError(504, 1004, cluster, f"{what}: the member timed out reading the request: {message}")
    if 400 <= status <= 499:
        # Any other refusal is the caller's request (too large, not acceptable, ...): the same status, not 502.
        refused = _REFUSED.get(status, f"the member refused the request (HTTP {status})")
        return MemberError(status, status, cluster, f"{refused}: {message}" if message.strip() else refused)
    return MemberError(502, 1001, cluster, f"{what}: the member answered HTTP {status}: {message}")


def from_transport(cluster: str, exc: BaseException, server: str = "") -> MemberError:
    """No HTTP answer at all: timed out (504/1004) or unreachable (502/1001)."""
    where = server or "the member API server"
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return MemberError(504, 1004, cluster, f"{where} did not answer in time")
    if isinstance(exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError):
        return MemberError(502, 1001, cluster, f"TLS handshake with {where} failed")
    return MemberError(502, 1001, cluster, f"cannot reach {where}: {exc.__class__.__name__}")


def from_connect_error(cluster: str, err: ConnectError) -> MemberError:
    """The member could not even be opened (Secret missing, kubeconfig invalid, unreachable, timed out)."""
    if err.reason == "Timeout":
        return MemberError(504, 1004, cluster, f"{err.reason}: {err.message}")
    return MemberError(502, 1001, cluster, f"{err.reason}: {err.message}")
