"""Reading a container's log from its member: lines as they stream, never the whole log in memory.

`open_log` asks the API server (pods/log, `timestamps=true`) and maps refusals like every member call;
`lines` cuts the body into lines chunk by chunk, capping an endless line at MAX_LINE bytes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
from kubernetes_asyncio.client import ApiClient

from cloudops.members.errors import from_status, from_transport

__all__ = ["MAX_LINE", "LogRequest", "lines", "open_log"]

MAX_LINE = 64 * 1024
READ_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class LogRequest:
    namespace: str
    pod: str
    container: str
    follow: bool = False
    previous: bool = False
    since_seconds: int | None = None  # whole seconds back, for the API server to skip early lines
    since_time: str | None = None  # RFC3339 (second precision), the same purpose
    tail_lines: int | None = None

    def query(self) -> list[tuple[str, str]]:
        q = [("container", self.container), ("timestamps", "true")]
        if self.follow:
            q.append(("follow", "true"))
        if self.previous:
            q.append(("previous", "true"))
        if self.since_time:
            q.append(("sinceTime", self.since_time))
        elif self.since_seconds is not None:
            q.append(("sinceSeconds", str(max(1, self.since_seconds))))
        if self.tail_lines is not None:
            q.append(("tailLines", str(self.tail_lines)))
        return q


async def open_log(api: ApiClient, cluster: str, server: str, req: LogRequest,
                   connect_seconds: float) -> aiohttp.ClientResponse:
    """The open response (the caller releases it); MemberError when refused or unreachable."""
    path = f"/api/v1/namespaces/{req.namespace}/pods/{req.pod}/log"
    timeout = aiohttp.ClientTimeout(total=None, connect=connect_seconds, sock_connect=connect_seconds,
                                    sock_read=None if req.follow else max(connect_seconds, 30.0))
    headers = {"Accept": "*/*"}
    await api.update_params_for_auth(headers, [], ["BearerToken"])
    try:
        # Straight on the client's session (its TLS context and pool): a read buffer of READ_CHUNK, where the
        # generated client's 64 KiB would pause the socket hundreds of times on a large log.
        resp = await api.rest_client.pool_manager.get(
            f"{api.configuration.host}{path}", params=req.query(), headers=headers, timeout=timeout,
            read_bufsize=READ_CHUNK, proxy=api.configuration.proxy or None)
    except (aiohttp.ClientError, OSError, TimeoutError) as e:
        raise from_transport(cluster, e, server) from None
    if resp.status != 200:
        try:
            text = (await resp.content.read(64 * 1024)).decode("utf-8", "replace")
        finally:
            resp.release()
        raise from_status(cluster, resp.status, text, f"logs of {req.namespace}/{req.pod} ({req.container})")
    return resp


async def lines(resp: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
    """The body's lines without their newline; a line past MAX_LINE is cut there (the rest dropped)."""
    rest = b""
    dropping = False
    async for chunk in resp.content.iter_chunked(READ_CHUNK):
        buf = rest + chunk if rest else chunk
        start = 0
        while True:
            nl = buf.find(b"\n", start)
            if nl < 0:
                break
            if dropping:
                dropping = False
            else:
                yield buf[start:nl]
            start = nl + 1
        rest = buf[start:]
        if len(rest) > MAX_LINE:
            if not dropping:
                yield rest[:MAX_LINE]
            dropping, rest = True, b""
    if rest and not dropping:
        yield rest
