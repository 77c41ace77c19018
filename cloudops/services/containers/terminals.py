"""Web terminals (2.2, 2.3): a single-use ticket first, then an interactive exec stream bridged to the browser.

Browsers cannot send an Authorization header on a WebSocket, so opening a terminal issues a ticket
(cloudops.kube.tickets) naming the caller, the container and the command; the socket redeems it once, and the
caller's authorization is checked again then (the shim does that between `redeem` and `connect`: RBAC may have
changed). The session's frames are the shim's business (api_shim/streams/terminal_socket.py); what the
session is, how long it may idle and what is remembered of it are decided here. Every session is recorded in
the `exec` history when it ends.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence

from cloudops import activity
from cloudops.containers.files import workdir_argv
from cloudops.containers.ids import ContainerId
from cloudops.containers.terminal import OutputDecoder
from cloudops.errors import BadRequest, CloudOpsError, Denied, Missing
from cloudops.kube import tickets
from cloudops.kube.errors import NotFound
from cloudops.members.access import ClusterRef
from cloudops.members.exec import STDERR, STDOUT, ExecChannel
from cloudops.services.containers.base import EXEC_STREAM, ContainerService, display, working_dir
from cloudops.services.containers.models import TerminalBody, TerminalData

__all__ = ["TICKET_SECONDS", "TerminalSession", "Terminals", "TicketRefused"]

TICKET_SECONDS = 60.0


class TicketRefused(CloudOpsError):
    """The session id is unknown, already used or expired (401: it is the socket's only credential)."""

    status = 401


class TerminalSession:
    """One terminal, its exec stream open: output decoded as UTF-8 across frames, input passed on, idle time
    kept, and the history entry written when it ends."""

    def __init__(self, service: Terminals, cluster: ClusterRef, ticket: tickets.Ticket, channel: ExecChannel) -> None:
        self.service, self.cluster, self.ticket, self.channel = service, cluster, ticket, channel
        self.cid = ContainerId.parse(ticket.container_id)
        self.idle_seconds = service.deps.settings.terminal_idle_seconds
        self.started = self.last = time.monotonic()
        self._decoders = {STDOUT: OutputDecoder(), STDERR: OutputDecoder()}

    @property
    def stdin(self) -> bool:
        """Whether the session was opened with stdin (else keystrokes are refused)."""
        return self.ticket.stdin

    def touch(self) -> None:
        self.last = time.monotonic()

    def idle(self) -> bool:
        return time.monotonic() - self.last >= self.idle_seconds

    async def output(self) -> AsyncIterator[tuple[str, str]]:
        """("stdout" or "stderr", text) as the command writes, until it ends."""
        async for ch, data in self.channel.frames():
            self.touch()
            if ch in self._decoders and (text := self._decoders[ch].feed(data)):
                yield ("stdout" if ch == STDOUT else "stderr"), text

    def rest(self) -> list[tuple[str, str]]:
        """What the decoders still hold (a character cut off by the end)."""
        return [("stdout" if ch == STDOUT else "stderr", text) for ch, dec in self._decoders.items()
                if (text := dec.flush())]

    async def send_stdin(self, data: bytes) -> None:
        await self.channel.send_stdin(data)

    async def resize(self, cols: int, rows: int) -> None:
        await self.channel.resize(cols, rows)

    def exit_code(self) -> int | None:
        return self.channel.exit_code()

    async def close(self, reason: str, code: int | None) -> None:
        """Closes the stream and records the session (by the ticket's user): `reason` is exited, client closed
        or idle timeout."""
        await self.channel.close()
        await self.service.record(self.cluster, EXEC_STREAM, {
            "type": "terminal", "command": display(self.ticket.command), "session_id": self.ticket.session_id,
            "exit_code": code, "execution_time": round(time.monotonic() - self.started, 3),
            "timed_out": reason == "idle timeout", "end_reason": reason, "container": self.ticket.container},
            activity.Subject("Pod", self.cid.namespace, self.cid.pod), actor=self.ticket.user)


class Terminals(ContainerService):
    async def open(self, cluster: ClusterRef, cid: ContainerId, b: TerminalBody, groups: Sequence[str],
                   socket_url: str) -> TerminalData:
        """A ticket for a terminal in the container; `socket_url` is where the socket that redeems it listens."""
        workdir = working_dir(b.working_dir)
        scope = await self.scope(cluster, cid)
        command = list(b.command or ["sh"])
        argv = workdir_argv(workdir, command) if workdir else command
        ticket = await tickets.issue(self.deps.hub, self.deps.namespace, user=self.deps.actor, groups=list(groups),
                                     cluster=cluster.name, container_id=str(cid), container=scope.container,
                                     tty=b.tty, stdin=b.stdin, command=argv, ttl=TICKET_SECONDS)
        url = f"{socket_url}?session={ticket.session_id}&tty={'true' if b.tty else 'false'}"
        return TerminalData(session_id=ticket.session_id, websocket_url=url, expires_in=int(TICKET_SECONDS),
                            **scope.where())

    async def redeem(self, container_id: str, session_id: str) -> tickets.Ticket:
        """The ticket, consumed (it is single use); 400 for a malformed id, 401 when there is no such ticket."""
        try:
            ContainerId.parse(container_id)
        except ValueError as e:
            raise BadRequest(str(e), field="id") from None
        ticket = await tickets.redeem(self.deps.hub, self.deps.namespace, session_id, TICKET_SECONDS)
        if ticket is None:
            raise TicketRefused("unknown, already used or expired; open a new one with POST .../exec/terminal",
                                field="session", headers={"WWW-Authenticate": 'Ticket realm="cloudops"'})
        return ticket

    async def cluster_of(self, ticket: tickets.Ticket, container_id: str) -> ClusterRef:
        """The cluster the ticket was issued for, when it was issued for this container."""
        if ticket.container_id != container_id:
            raise Denied("issued for another container", field="session")
        try:
            return ClusterRef.of(await self.deps.registry.find(ticket.cluster))
        except NotFound:
            raise Missing(f"cluster {ticket.cluster!r} not found", field="id") from None

    async def connect(self, ticket: tickets.Ticket, cluster: ClusterRef, tty: bool | None) -> TerminalSession:
        """The ticket's command started in its container through the member session (`tty` may only turn the
        ticket's terminal off)."""
        session = await self.deps.member(cluster)
        cid = ContainerId.parse(ticket.container_id)
        channel = await session.open_exec(cid.namespace, cid.pod, ticket.container, ticket.command,
                                          stdin=ticket.stdin, tty=ticket.tty if tty is None else tty and ticket.tty)
        return TerminalSession(self, cluster, ticket, channel)
