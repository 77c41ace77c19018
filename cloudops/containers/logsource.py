"""Reading a container's log from its member: lines as they stream, never the whole log in memory.

MemberSession.logs asks the API server (pods/log, `timestamps=true`, cloudops.members.streams) with a
`LogRequest` and maps refusals like every member call; `LogStream.lines` cuts the body into lines chunk by
chunk, capping an endless line at MAX_LINE bytes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp

from cloudops.members.streams import READ_CHUNK

__all__ = ["MAX_LINE", "READ_CHUNK", "LogRequest", "LogStream"]

MAX_LINE = 64 * 1024


@dataclass(frozen=True)
class LogRequest:
    namespace: str
    pod: str
    container: str
    follow: bool = False
    previous: bool = False
    since_time: str | None = None  # RFC3339 (second precision), for the API server to skip early lines
    tail_lines: int | None = None

    @property
    def path(self) -> str:
        return f"/api/v1/namespaces/{self.namespace}/pods/{self.pod}/log"

    @property
    def what(self) -> str:
        """How refusals name it."""
        return f"logs of {self.namespace}/{self.pod} ({self.container})"

    def query(self) -> list[tuple[str, str]]:
        q = [("container", self.container), ("timestamps", "true")]
        if self.follow:
            q.append(("follow", "true"))
        if self.previous:
            q.append(("previous", "true"))
        if self.since_time:
            q.append(("sinceTime", self.since_time))
        if self.tail_lines is not None:
            q.append(("tailLines", str(self.tail_lines)))
        return q


class LogStream:
    """One open log body: read it as chunks or as lines, once."""

    def __init__(self, resp: aiohttp.ClientResponse) -> None:
        self._resp = resp

    def chunks(self) -> AsyncIterator[bytes]:
        return self._resp.content.iter_chunked(READ_CHUNK)

    async def lines(self) -> AsyncIterator[bytes]:
        """The body's lines without their newline; a line past MAX_LINE is cut there (the rest dropped)."""
        rest = b""
        dropping = False
        async for chunk in self.chunks():
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

    def close(self) -> None:
        self._resp.close()
