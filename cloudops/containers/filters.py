"""Filters applied while a log streams past: time window, levels, substring or regular expression.

Every filter looks at one line at a time, so memory stays bounded whatever the log size; the cheap tests
(time, then text) run before level detection, which may parse JSON.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from cloudops.containers.logparse import LEVELS, LogLine, parse_time_ns

__all__ = ["EventIds", "LogFilter", "Resume", "Tail", "compile_search", "parse_levels"]

MAX_PATTERN = 1024
T = TypeVar("T")


def compile_search(text: str | None, regex: bool) -> re.Pattern[str] | None:
    """The search as a case-insensitive pattern; ValueError (saying why) for an invalid regex."""
    if not text:
        return None
    if len(text) > MAX_PATTERN:
        raise ValueError(f"longer than {MAX_PATTERN} characters")
    if not regex:
        return None
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error as e:
        raise ValueError(f"invalid regular expression: {e.msg} at position {e.pos}") from None


def parse_levels(values: Iterable[str]) -> frozenset[str] | None:
    """Level names (any case, `warning` for warn) to the canonical set; None when empty; ValueError naming a
    bad one."""
    out = set()
    for raw in values:
        for part in raw.split(","):
            word = part.strip().lower()
            if not word:
                continue
            word = {"warning": "warn", "err": "error", "fatal": "error", "trace": "debug"}.get(word, word)
            if word not in LEVELS:
                raise ValueError(f"{part.strip()[:40]!r} is not one of {', '.join(LEVELS)}")
            out.add(word)
    return frozenset(out) or None


@dataclass
class LogFilter:
    """A line passes when it is inside [since, until] (nanoseconds, inclusive), at one of `levels`, and
    contains `search` (case-insensitive) or matches `pattern`. Lines without a timestamp pass the window."""

    since: int | None = None
    until: int | None = None
    levels: frozenset[str] | None = None
    search: str | None = None
    pattern: re.Pattern[str] | None = None
    _needle: str = field(default="", init=False, repr=False)

    def __post_init__(self) -> None:
        self._needle = (self.search or "").lower() if self.pattern is None else ""

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.since, self.until, self.levels, self.pattern)) or bool(self._needle)

    def text_matches(self, message: str) -> bool:
        if self.pattern is not None:
            return self.pattern.search(message) is not None
        return not self._needle or self._needle in message.lower()

    def in_window(self, ts: int | None) -> bool:
        if ts is None:
            return True
        return (self.since is None or ts >= self.since) and (self.until is None or ts <= self.until)

    def past_window(self, ts: int | None) -> bool:
        """True once a line is later than `until`: logs are in time order, so reading can stop."""
        return ts is not None and self.until is not None and ts > self.until

    def matches(self, line: LogLine) -> bool:
        return (self.in_window(line.ts) and self.text_matches(line.message)
                and (self.levels is None or line.level in self.levels))


@dataclass
class Resume:
    """Where an SSE client left off: event id `<timestamp>#<n>` = the n-th line (from 1) at that timestamp.

    Lines at or before it are skipped, so a resumed stream neither repeats nor loses lines that share a
    timestamp."""

    ts: int
    seen: int
    _at_ts: int = field(default=0, init=False)

    @classmethod
    def parse(cls, event_id: str) -> Resume:
        stamp, _, count = event_id.strip().partition("#")
        n = int(count) if count.isdigit() and len(count) < 10 else 0
        return cls(parse_time_ns(stamp), max(n, 1) if count else 0)

    def skip(self, ts: int | None) -> bool:
        if ts is None:
            return False
        if ts < self.ts:
            return True
        if ts == self.ts:
            self._at_ts += 1
            return self._at_ts <= self.seen if self.seen else True
        return False


class EventIds:
    """Event ids for consecutive lines: `<stamp>#<n>` counting lines that share a timestamp."""

    def __init__(self, last_ts: int | None = None, last_n: int = 0) -> None:
        self._ts, self._n = last_ts, last_n

    def next(self, line: LogLine) -> str:
        if line.ts is None:
            return ""
        self._n = self._n + 1 if line.ts == self._ts else 1
        self._ts = line.ts
        return f"{line.stamp}#{self._n}"


class Tail(Generic[T]):
    """The last `size` items offered, and how many were offered in all: O(size) memory."""

    def __init__(self, size: int) -> None:
        self.items: deque[T] = deque(maxlen=max(size, 0))
        self.total = 0

    def offer(self, item: T) -> None:
        self.total += 1
        if self.items.maxlen:
            self.items.append(item)
