"""Case-insensitive substring search over a log as it streams, chunk by chunk, without parsing every line.

Searching a large log is dominated by per-line work in Python; here a whole chunk is lower-cased and
scanned with bytes.find (C speed), lines are counted with bytes.count, and only the lines that match are cut
out and returned. A hit inside a line's timestamp does not count (the search is on the message), exactly as
the line-by-line filter decides. ASCII needles only: others use the line-by-line path.
"""

from __future__ import annotations

import re

__all__ = ["ChunkSearch"]

_TS = re.compile(rb"\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:?\d{2}) ")
MAX_PARTIAL = 1024 * 1024
_CRI = re.compile(rb"(?:stdout|stderr) [FP] ")


class ChunkSearch:
    """Feed chunks in order; `hits` holds (line number, line) for matches `offset <= n < offset+limit`,
    `total` counts every matching line, `lines` every line seen."""

    def __init__(self, needle: str, limit: int, offset: int) -> None:
        if not needle.isascii() or not needle:
            raise ValueError("ChunkSearch takes a non-empty ASCII needle")
        self.needle = needle.lower().encode()
        self.limit, self.offset = limit, offset
        self.hits: list[tuple[int, bytes]] = []
        self.total = 0
        self.lines = 0
        self._rest = b""

    @staticmethod
    def _message_start(buf: bytes, start: int, end: int) -> int:
        m = _TS.match(buf, start, end)
        if m is None:
            return start
        pos = m.end()
        c = _CRI.match(buf, pos, end)
        return c.end() if c else pos

    def _scan(self, buf: bytes) -> None:
        """`buf` holds whole lines only (each ending in a newline)."""
        low = buf.lower()
        needle, pos, counted_to, line_no = self.needle, 0, 0, self.lines
        while True:
            hit = low.find(needle, pos)
            if hit < 0:
                break
            start = low.rfind(b"\n", 0, hit) + 1
            end = low.find(b"\n", hit)
            msg = self._message_start(buf, start, end)
            if hit < msg and low.find(needle, msg, end) < 0:
                pos = end + 1
                continue
            line_no += buf.count(b"\n", counted_to, start)
            counted_to = start
            if self.offset <= self.total < self.offset + self.limit:
                self.hits.append((line_no + 1, buf[start:end]))
            self.total += 1
            pos = end + 1
        self.lines += buf.count(b"\n")

    def feed(self, chunk: bytes) -> None:
        buf = self._rest + chunk if self._rest else chunk
        cut = buf.rfind(b"\n") + 1
        self._rest = buf[cut:]
        if len(self._rest) > MAX_PARTIAL:  # an endless line: keep memory bounded, scan what it has so far
            self._rest, cut, buf = b"", len(buf) + 1, buf + b"\n"
        if cut:
            self._scan(buf[:cut])

    def finish(self) -> None:
        if self._rest:
            rest, self._rest = self._rest, b""
            self._scan(rest + b"\n")
