"""容器运维 2.2 and 2.3: web terminals. Opening one issues a single-use ticket (a Secret in the hub,
cloudops/kube/tickets.py); the WebSocket redeems it, since browsers send no headers on a WebSocket, checks
the caller's right to exec again, and bridges the terminal (api_shim/streams/terminal_socket.py). Capability
`exec` (create)."""

from __future__ import annotations

from aiohttp import web

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from api_shim.streams.terminal_socket import open_session, serve, socket_url
from cloudops.services.containers import Terminals
from cloudops.services.containers.models import ExecData, TerminalBody, TerminalData, WsQuery

__all__ = ["section"]

section = Section(tag="containers", resource="managedclusters")
BASE = "/api/k8s/containers/{id}"


@section.route("POST", f"{BASE}/exec/terminal", "打开终端会话", verb="create", subresource="exec",
               body=TerminalBody, data=TerminalData, cluster="container")
async def open_terminal(call: Call) -> web.Response:
    return ok(await call.service(Terminals).open(call.cluster, call.container_id, call.body, call.groups,
                                                 socket_url(call.request)))


@section.route("WS", f"{BASE}/exec/ws", "WebSocket 终端连接", verb="create", subresource="exec", query=WsQuery,
               data=ExecData, cluster="container", ticket=True)
async def terminal_socket(call: Call) -> web.StreamResponse:
    """The terminal bridge; frames in cloudops/containers/terminal.py. Authenticated by the single-use ticket."""
    return await serve(call.request, await open_session(call))
