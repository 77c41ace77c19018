"""Streams from a member's API server on its own client (TLS context, client certificate, bearer token):
the pods/log body, opened the way every other member call is made and refused the same way
(cloudops.members.errors), and the auth headers the pods/exec WebSocket (cloudops.members.exec) shares.
Reading the log is cloudops.containers.logsource's business; MemberSession.exec / open_exec / logs are how
callers get a stream.
"""

from __future__ import annotations

import aiohttp
from kubernetes_asyncio.client import ApiClient

from cloudops.members.errors import from_status, from_transport

__all__ = ["READ_CHUNK", "auth_headers", "log_response"]

READ_CHUNK = 1024 * 1024


async def auth_headers(api: ApiClient, headers: dict[str, str] | None = None) -> dict[str, str]:
    out = dict(headers or {})
    await api.update_params_for_auth(out, [], ["BearerToken"])
    return out


async def log_response(api: ApiClient, cluster: str, server: str, path: str, query: list[tuple[str, str]], *,
                       follow: bool, what: str, connect_seconds: float) -> aiohttp.ClientResponse:
    """The open pods/log response (the caller releases it); MemberError when refused or unreachable."""
    timeout = aiohttp.ClientTimeout(total=None, connect=connect_seconds, sock_connect=connect_seconds,
                                    sock_read=None if follow else max(connect_seconds, 30.0))
    headers = await auth_headers(api, {"Accept": "*/*"})
    try:
        # Straight on the client's session (its TLS context and pool): a read buffer of READ_CHUNK, where the
        # generated client's 64 KiB would pause the socket hundreds of times on a large log.
        resp = await api.rest_client.pool_manager.get(
            f"{api.configuration.host}{path}", params=query, headers=headers, timeout=timeout,
            read_bufsize=READ_CHUNK, proxy=api.configuration.proxy or None)
    except (aiohttp.ClientError, OSError, TimeoutError) as e:
        raise from_transport(cluster, e, server) from None
    if resp.status != 200:
        try:
            text = (await resp.content.read(64 * 1024)).decode("utf-8", "replace")
        finally:
            resp.release()
        raise from_status(cluster, resp.status, text, what)
    return resp
