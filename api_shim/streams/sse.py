"""Server-Sent Events for a followed container log (1.2): `event: log` with id `<timestamp>#<n>` per line,
`: keep-alive` comments, `event: error` when the member fails, and `event: end` with its reason. What goes
out and when is the service's (cloudops/services/containers/follow.py); this only writes it."""

from __future__ import annotations

import contextlib
import json

import aiohttp
from aiohttp import web

from cloudops.services.containers import FollowEvent, KeepAlive, LogEvent, LogFollow, StreamEnd, StreamFailed

__all__ = ["client_gone", "encode", "send_log_stream"]

HEADERS = {"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def client_gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


def encode(event: FollowEvent) -> str:
    """One event (or comment) as the SSE wire format has it."""
    if isinstance(event, LogEvent):
        data = json.dumps(event.entry.model_dump(mode="json"), ensure_ascii=False)
        return (f"id: {event.id}\n" if event.id else "") + f"event: log\ndata: {data}\n\n"
    if isinstance(event, KeepAlive):
        return ": keep-alive\n\n"
    if isinstance(event, StreamFailed):
        data = json.dumps({"code": event.code, "message": event.message}, ensure_ascii=False)
        return f"event: error\ndata: {data}\n\n"
    if isinstance(event, StreamEnd):
        return f"event: end\ndata: {{\"reason\": \"{event.reason}\"}}\n\n"
    raise TypeError(f"not an event: {event!r}")


async def send_log_stream(request: web.Request, follow: LogFollow) -> web.StreamResponse:
    """The stream until the log ends, fails, reaches its maximum duration, or the client leaves."""
    resp = web.StreamResponse(headers=HEADERS)
    await resp.prepare(request)
    await resp.write(f"retry: 2000\n: streaming {follow.banner}\n\n".encode())
    try:
        async with contextlib.aclosing(follow.events(lambda: client_gone(request))) as events:
            async for event in events:
                await resp.write(encode(event).encode())
    except (ConnectionResetError, aiohttp.ClientConnectionResetError):
        pass
    with contextlib.suppress(ConnectionResetError, aiohttp.ClientConnectionResetError):
        await resp.write_eof()
    return resp
