"""Exec into a member pod over the API server's WebSocket (pods/exec), v5.channel.k8s.io or v4.

The socket is opened on the member's own ApiClient session (its TLS context, client certificate and bearer
token, the headers built by cloudops.members.streams), so exec reaches members exactly the way every other call
does, and is refused the same way (cloudops.members.errors); callers go through MemberSession.exec / open_exec.
Frames carry one channel byte: 0 stdin, 1 stdout, 2 stderr, 3 error (a Status, sent once at the end),
4 resize; v5 adds 255 (close a channel), which is how stdin end-of-file travels. `run` is the one-shot form
with output caps and a timeout that returns what came so far.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import aiohttp

from cloudops.containers.exitcodes import exit_code_of, missing_executable, status_message, unrunnable
from cloudops.errors import UpstreamFailed
from cloudops.kube.client import ApiClient
from cloudops.kube.types import JsonObject
from cloudops.members.errors import MemberError, from_status, from_transport
from cloudops.members.streams import auth_headers

__all__ = ["PROTOCOLS", "STDERR", "STDOUT", "ExecChannel", "ExecFailure", "ExecResult", "ExecTarget", "exec_socket",
           "open_exec", "run"]

PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255
CHUNK = 32 * 1024
Sink = Callable[[bytes], Awaitable[None]]


class ExecFailure(UpstreamFailed):
    """The command did not run to an exit: `missing` when its executable is not in the container, `unrunnable`
    when what it names may not be executed (a directory, no permission).

    `message` is the member's own words (scrub it before showing it); callers word the refusal for theirs."""

    def __init__(self, message: str, missing: bool = False, unrunnable: bool = False) -> None:
        super().__init__(message)
        self.missing = missing
        self.unrunnable = unrunnable


@dataclass(frozen=True)
class ExecTarget:
    """A container of a member: built by MemberSession from its own client (callers pass it on, never build it)."""

    api: ApiClient
    cluster: str
    server: str
    namespace: str
    pod: str
    container: str


@dataclass
class ExecResult:
    stdout: bytes = b""
    stderr: bytes = b""
    exit_code: int | None = None
    truncated: bool = False
    timed_out: bool = False
    seconds: float = 0.0
    protocol: str = ""
    status: JsonObject = field(default_factory=dict)


class ExecChannel:
    """One open exec stream: frames out as (channel, bytes), stdin and resize in."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, target: ExecTarget) -> None:
        self.ws, self.target = ws, target
        self.protocol = ws.protocol or ""
        self.status: JsonObject | None = None

    async def frames(self) -> AsyncIterator[tuple[int, bytes]]:
        """Output frames until the stream ends; the error channel's Status is kept in `status`."""
        async for msg in self.ws:
            if msg.type == aiohttp.WSMsgType.BINARY:
                data: bytes = msg.data
            elif msg.type == aiohttp.WSMsgType.TEXT:  # base64 protocols are never asked for; tolerate text
                data = str(msg.data).encode()
            else:
                break
            if not data:
                continue
            channel, payload = data[0], data[1:]
            if channel == ERROR:
                try:
                    parsed = json.loads(payload or b"{}")
                except ValueError:
                    parsed = {"status": "Failure", "message": payload.decode("utf-8", "replace")[:500]}
                self.status = parsed if isinstance(parsed, dict) else {}
                continue
            if payload:
                yield channel, payload

    async def send_stdin(self, data: bytes) -> None:
        for i in range(0, len(data), CHUNK):
            await self.ws.send_bytes(bytes([STDIN]) + data[i:i + CHUNK])

    async def resize(self, width: int, height: int) -> None:
        await self.ws.send_bytes(bytes([RESIZE]) + json.dumps({"Width": width, "Height": height}).encode())

    async def close_stdin(self) -> bool:
        """Half-close stdin (v5 only; False on v4, where end-of-file cannot be sent)."""
        if self.protocol.startswith("v5."):
            await self.ws.send_bytes(bytes([CLOSE, STDIN]))
            return True
        return False

    async def close(self) -> None:
        if not self.ws.closed:
            await self.ws.close()

    def exit_code(self) -> int | None:
        return exit_code_of(self.status) if self.status is not None else None


async def exec_socket(api: ApiClient, cluster: str, server: str, path: str, query: list[tuple[str, str]], *,
                      what: str, connect_seconds: float = 10.0) -> aiohttp.ClientWebSocketResponse:
    """The exec WebSocket (v5 or v4 channel protocol); MemberError when the member refuses or is unreachable."""
    try:
        return await asyncio.wait_for(api.rest_client.pool_manager.ws_connect(
            f"{api.configuration.host}{path}", params=query, protocols=PROTOCOLS, headers=await auth_headers(api),
            heartbeat=None, timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=5.0), max_msg_size=0,
            proxy=api.configuration.proxy or None, autoping=True), timeout=connect_seconds)
    except aiohttp.WSServerHandshakeError as e:
        raise from_status(cluster, e.status, json.dumps({"message": e.message}), what) from None
    except (aiohttp.ClientError, OSError, TimeoutError) as e:
        raise from_transport(cluster, e, server) from None


async def open_exec(target: ExecTarget, argv: Sequence[str], *, stdin: bool = False, tty: bool = False,
                    connect_seconds: float = 10.0) -> ExecChannel:
    """Opens the stream; MemberError (mapped like any member call) when the member refuses or is unreachable."""
    query: list[tuple[str, str]] = [("container", target.container), ("stdout", "true")]
    query.append(("stderr", "false" if tty else "true"))
    if stdin:
        query.append(("stdin", "true"))
    if tty:
        query.append(("tty", "true"))
    query.extend(("command", part) for part in argv)
    ws = await exec_socket(target.api, target.cluster, target.server,
                           f"/api/v1/namespaces/{target.namespace}/pods/{target.pod}/exec", query,
                           what=f"exec in pod {target.namespace}/{target.pod}", connect_seconds=connect_seconds)
    return ExecChannel(ws, target)


def _failure(status: JsonObject) -> ExecFailure:
    return ExecFailure(status_message(status)[:500] or "the command did not run", missing_executable(status),
                       unrunnable(status))


class _Output:
    """stdout and stderr as they come, each kept to `cap` bytes (`truncated` past it); stdout goes to `sink`
    instead of the buffer when one is given."""

    def __init__(self, cap: int, sink: Sink | None) -> None:
        self.cap, self.sink = cap, sink
        self.out, self.err = bytearray(), bytearray()
        self.sent = 0
        self.truncated = False

    def _room(self, data: bytes, used: int) -> bytes:
        room = self.cap - used
        if len(data) > room:
            self.truncated = True
            return data[:max(room, 0)]
        return data

    async def stdout(self, data: bytes) -> None:
        if self.sink is None:
            self.out.extend(self._room(data, len(self.out)))
            return
        data = self._room(data, self.sent)
        if data:
            self.sent += len(data)
            await self.sink(data)

    def stderr(self, data: bytes) -> None:
        self.err.extend(self._room(data, len(self.err)))


async def _pump(channel: ExecChannel, output: _Output, stdin: bytes | None) -> None:
    if stdin is not None:
        try:
            await channel.send_stdin(stdin)
            await channel.close_stdin()
        except ConnectionResetError:  # aiohttp's ClientConnectionResetError: "cannot write to closing transport"
            pass  # the command ended before taking all its stdin and the stream closed: its Status is read below
    async for ch, data in channel.frames():
        if ch == STDOUT:
            await output.stdout(data)
            if output.truncated:
                break
        elif ch == STDERR:
            output.stderr(data)


async def run(target: ExecTarget, argv: Sequence[str], *, seconds: float, cap: int, stdin: bytes | None = None,
              on_stdout: Sink | None = None) -> ExecResult:
    """Runs `argv` to its end or for `seconds` (then closes the stream: `timed_out`, output so far).

    stdout and stderr keep at most `cap` bytes each (`truncated`). `stdin` is sent whole and never relies on
    end-of-file reaching the process (kwok drops it). `on_stdout(bytes)`, when given, receives stdout
    instead of the buffer (downloads stream it out), still bounded by `cap`. Raises ExecFailure when the
    command did not run to an exit.
    """
    start = time.monotonic()
    result = ExecResult()
    channel = await open_exec(target, argv, stdin=stdin is not None)
    result.protocol = channel.protocol
    output = _Output(cap, on_stdout)
    try:
        await asyncio.wait_for(_pump(channel, output, stdin), timeout=seconds)
    except TimeoutError:
        result.timed_out = True
    except (aiohttp.ClientError, OSError) as e:
        raise from_transport(target.cluster, e, target.server) from None
    finally:
        await channel.close()
    result.stdout, result.stderr, result.truncated = bytes(output.out), bytes(output.err), output.truncated
    result.seconds = time.monotonic() - start
    if channel.status is not None:
        result.status = channel.status
        result.exit_code = exit_code_of(channel.status)
        if result.exit_code is None:
            raise _failure(channel.status)
    elif not result.timed_out and not result.truncated:
        # The stream ended without a Status: the connection was cut.
        raise MemberError(502, 1001, target.cluster, "the exec stream ended without an exit status")
    return result
