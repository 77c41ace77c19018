"""The web terminal's WebSocket (2.3): the single-use ticket redeemed, then frames bridged both ways.

Frames are cloudops/containers/terminal.py's; the session (its exec stream, idle time, history entry) is the
service's (cloudops/services/containers/terminals.py). The socket ends when the command exits, the browser
leaves or nothing moved for CLOUDOPS_TERMINAL_IDLE_SECONDS; the session is recorded before the browser's
socket closes, since the server may cancel the handler once it has.
"""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import quote

import aiohttp
from aiohttp import web

from api_shim.context import Call
from api_shim.envelope import ApiError
from api_shim.security.identity import USER, User
from api_shim.state import PROXIES
from cloudops.containers.terminal import encode, parse_client_frame
from cloudops.services.containers import Terminals, TerminalSession

__all__ = ["open_session", "serve", "socket_url", "ws_base"]


def ws_base(request: web.Request) -> str:
    """ws(s)://host as the browser reached us: forwarded host and proto only from trusted proxies."""
    secure = request.secure
    host = request.host
    if request.remote and request.app[PROXIES].trusted(request.remote):
        proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
        secure = proto == "https" if proto in ("http", "https") else secure
        forwarded = request.headers.get("X-Forwarded-Host", "").split(",")[0].strip()
        if forwarded and all(c.isalnum() or c in "-.:[]" for c in forwarded):
            host = forwarded
    return f"{'wss' if secure else 'ws'}://{host}"


def socket_url(request: web.Request) -> str:
    """Where the browser connects for a terminal in the request's container (the session id goes after it)."""
    return f"{ws_base(request)}/api/k8s/containers/{quote(request.match_info['id'], safe=':')}/exec/ws"


async def open_session(call: Call) -> TerminalSession:
    """The ticket redeemed (the caller becomes its user), the caller's right to exec checked again (RBAC may have
    changed since it was issued), and the ticket's command started."""
    if call.request.headers.get("Upgrade", "").lower() != "websocket":
        raise ApiError(426, "session: this is a WebSocket endpoint; connect with a WebSocket client "
                            "(Upgrade: websocket) and the session id from POST .../exec/terminal",
                       headers={"Upgrade": "websocket"})  # 426 Upgrade Required (RFC 9110 15.5.22)
    terminals = call.service(Terminals)
    ticket = await terminals.redeem(call.path("id"), call.query.session)
    call.request[USER] = User(ticket.user, tuple(ticket.groups), method="terminal-ticket")
    cluster = await terminals.cluster_of(ticket, call.path("id"))
    await call.authorize("create", "exec", cluster.name)
    return await terminals.connect(ticket, cluster, call.query.tty)


async def _from_pod(ws: web.WebSocketResponse, term: TerminalSession) -> None:
    async for kind, text in term.output():
        await ws.send_str(encode(kind, data=text))


async def _from_browser(ws: web.WebSocketResponse, term: TerminalSession) -> None:
    async for msg in ws:
        term.touch()
        if msg.type == aiohttp.WSMsgType.BINARY and term.stdin:
            await term.send_stdin(msg.data)
            continue
        if msg.type != aiohttp.WSMsgType.TEXT:
            await ws.send_str(encode("error", message="frame: stdin needs a session opened with stdin"))
            continue
        try:
            frame = parse_client_frame(msg.data)
        except ValueError as e:
            await ws.send_str(encode("error", message=str(e)))
            continue
        if frame.type == "stdin" and term.stdin:
            await term.send_stdin(frame.data)
        elif frame.type == "resize":
            await term.resize(frame.cols, frame.rows)
        elif frame.type == "ping":
            await ws.send_str(encode("pong"))
        else:
            await ws.send_str(encode("error", message="stdin: the session was opened without stdin"))


async def _idle(term: TerminalSession) -> None:
    while True:
        await asyncio.sleep(min(5.0, term.idle_seconds / 4))
        if term.idle():
            return


async def _bridge(ws: web.WebSocketResponse, term: TerminalSession, tasks: dict[asyncio.Task[None], str]) -> str:
    """Runs until one side ends; why it ended (exited, client closed or idle timeout)."""
    tasks.update({asyncio.create_task(_from_pod(ws, term)): "exited",
                  asyncio.create_task(_from_browser(ws, term)): "client closed",
                  asyncio.create_task(_idle(term)): "idle timeout"})
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    for task in (*done, *pending):
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    return tasks[next(iter(done))]


async def serve(request: web.Request, term: TerminalSession) -> web.WebSocketResponse:
    """The terminal over this request's WebSocket; ends with an `exit` frame (its code, why it ended)."""
    ws = web.WebSocketResponse(heartbeat=20.0, max_msg_size=1 << 20)
    code: int | None = None
    reason = "exited"
    tasks: dict[asyncio.Task[None], str] = {}
    try:
        await ws.prepare(request)
        reason = await _bridge(ws, term, tasks)
        code = term.exit_code()
        if not ws.closed:
            for kind, text in term.rest():
                await ws.send_str(encode(kind, data=text))
            await ws.send_str(encode("exit", code=code, reason=reason))
    except (ConnectionResetError, aiohttp.ClientConnectionResetError):
        reason = "client closed"
    finally:
        for task in tasks:
            task.cancel()
        await term.close(reason, code)
        await ws.close()
    return ws
