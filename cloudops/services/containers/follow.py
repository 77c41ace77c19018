"""Following a container's log (1.2): the lines as events, ids to resume from, keep-alives and the end.

The service decides what goes out and when; the shim only writes the events (api_shim/streams/sse.py). The
member's log is read in a task of its own, opened once the caller's stream has started: a member may send no
headers before the first line (kwok with tail 0), and keep-alives and the maximum duration must hold meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass

from cloudops.containers.filters import EventIds, LogFilter, Resume, Tail
from cloudops.containers.logparse import LogLine, format_ns, parse_line
from cloudops.containers.logsource import LogRequest, LogStream
from cloudops.members.errors import MemberError
from cloudops.services.containers.base import ContainerScope
from cloudops.services.containers.models import LogEntry
from cloudops.settings import Settings

__all__ = ["FollowEvent", "KeepAlive", "LogEvent", "LogFollow", "StreamEnd", "StreamFailed", "log_entry",
           "parsed_lines", "shown_level"]


@dataclass(frozen=True)
class LogEvent:
    id: str  # `<timestamp>#<n>`; empty for a line without a timestamp
    entry: LogEntry


@dataclass(frozen=True)
class KeepAlive:
    pass


@dataclass(frozen=True)
class StreamEnd:
    reason: str  # eof, max_duration or error


@dataclass(frozen=True)
class StreamFailed:
    code: int | None
    message: str


FollowEvent = LogEvent | KeepAlive | StreamEnd | StreamFailed


def shown_level(line: LogLine) -> str:
    """The line's level in the reference's case (`INFO`); filters take any case."""
    return line.level.upper()


def log_entry(line: LogLine, scope: ContainerScope) -> LogEntry:
    return LogEntry(timestamp=format_ns(line.ts) if line.ts is not None else None, level=shown_level(line),
                    message=line.message, **scope.where())


async def parsed_lines(log: LogStream) -> AsyncIterator[LogLine]:
    async for raw in log.lines():
        yield parse_line(raw.decode("utf-8", "replace"))


class LogFollow:
    """One follow of a container's log. History first: the last `tail` matches stamped before the request
    are held until the log goes quiet (or a newer line comes), then live lines follow. A resumed stream has no
    such history: everything after the resume point goes out, nothing at or before it again."""

    def __init__(self, scope: ContainerScope, req: LogRequest, flt: LogFilter, resume: Resume | None, tail: int,
                 settings: Settings) -> None:
        self.scope, self.req, self.flt, self.resume = scope, req, flt, resume
        self.ids = EventIds(resume.ts, resume.seen) if resume else EventIds()
        self.backlog: Tail[tuple[str, LogLine]] | None = None if resume else Tail(tail)
        self.max_seconds, self.heartbeat = settings.log_stream_max_seconds, settings.log_heartbeat_seconds
        self.started = 0  # when the caller's stream started: lines stamped before it are history

    @property
    def banner(self) -> str:
        return f"{self.scope.cid.pod}/{self.scope.container}"

    async def _read(self, queue: asyncio.Queue[LogLine | MemberError | None]) -> None:
        try:
            async with self.scope.session.logs(self.req) as log:
                async for line in parsed_lines(log):
                    await queue.put(line)
        except MemberError as e:
            await queue.put(e)
            return
        await queue.put(None)

    def _flush(self) -> list[LogEvent]:
        """The held history, once."""
        held, self.backlog = self.backlog, None
        return [LogEvent(event_id, log_entry(line, self.scope)) for event_id, line in (held.items if held else ())]

    def _event(self, line: LogLine) -> LogEvent | None:
        """The line's event, or None when it is skipped, filtered out or held as history."""
        if self.resume is not None and self.resume.skip(line.ts):
            return None
        event_id = self.ids.next(line)  # counted on every line, so ids stay exact whatever is filtered
        if not self.flt.matches(line):
            return None
        if self.backlog is not None and line.ts is not None and line.ts < self.started:
            self.backlog.offer((event_id, line))
            return None
        return LogEvent(event_id, log_entry(line, self.scope))

    async def events(self, gone: Callable[[], bool]) -> AsyncGenerator[FollowEvent, None]:
        """Events until the log ends (follow=false), fails, or reaches the maximum duration (then StreamEnd),
        or until `gone()` says the caller left (then nothing more)."""
        queue: asyncio.Queue[LogLine | MemberError | None] = asyncio.Queue(maxsize=1000)
        reader = asyncio.create_task(self._read(queue))
        self.started = time.time_ns()
        try:
            async for event in self._pump(queue, gone):
                yield event
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader

    async def _pump(self, queue: asyncio.Queue[LogLine | MemberError | None],
                    gone: Callable[[], bool]) -> AsyncIterator[FollowEvent]:
        deadline = time.monotonic() + self.max_seconds
        beat = time.monotonic() + self.heartbeat
        reason = "eof"
        while True:
            now = time.monotonic()
            if gone():
                return
            if now >= deadline:
                reason = "max_duration"
                break
            if now >= beat:
                yield KeepAlive()
                beat = now + self.heartbeat
            try:
                item = await asyncio.wait_for(queue.get(), timeout=max(0.05, min(1.0, beat - now, deadline - now)))
            except TimeoutError:
                for held in self._flush():  # quiet: the history is over
                    yield held
                continue
            if item is None:
                break
            if isinstance(item, MemberError):
                reason = "error"
                yield StreamFailed(item.code, item.detail)
                break
            if (event := self._event(item)) is not None:
                for held in self._flush():
                    yield held
                yield event
                beat = time.monotonic() + self.heartbeat
        for held in self._flush():
            yield held
        yield StreamEnd(reason)
