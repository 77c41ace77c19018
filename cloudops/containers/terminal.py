"""The terminal frame protocol between a browser and the shim (JSON text frames, or binary for raw stdin).

Browser to shim:
  {"type": "stdin", "data": "ls\\n"}            keystrokes (a binary frame is raw stdin bytes too)
  {"type": "resize", "cols": 120, "rows": 40}   the terminal size (tty sessions)
  {"type": "ping"}                              answered with {"type": "pong"}
Shim to browser:
  {"type": "stdout", "data": "..."}  {"type": "stderr", "data": "..."}   output, UTF-8 (invalid bytes replaced)
  {"type": "exit", "code": 0, "reason": "exited"}   the command ended (code null when unknown); the socket closes
  {"type": "error", "message": "..."}                a frame the shim did not understand (the session goes on)
"""

from __future__ import annotations

import codecs
import json
from dataclasses import dataclass
from typing import TypeGuard

from cloudops.bounded import DocumentTooComplex, loads_json

__all__ = ["ClientFrame", "OutputDecoder", "encode", "parse_client_frame"]

MAX_SIZE = 10_000


@dataclass(frozen=True)
class ClientFrame:
    type: str  # stdin, resize, ping
    data: bytes = b""
    cols: int = 0
    rows: int = 0


def _is_size(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_SIZE


def parse_client_frame(text: str) -> ClientFrame:
    """One text frame; ValueError saying what is wrong (the shim answers it with an `error` frame)."""
    try:
        doc = loads_json(text, max_depth=8)  # a frame is one flat object
    except DocumentTooComplex:
        raise ValueError("frame: nested too deeply (a frame is one flat JSON object)") from None
    except ValueError:
        raise ValueError("frame: not JSON") from None
    if not isinstance(doc, dict):
        raise ValueError("frame: not a JSON object")
    kind = doc.get("type")
    if kind == "stdin":
        data = doc.get("data")
        if not isinstance(data, str):
            raise ValueError("stdin: data must be a string")
        return ClientFrame("stdin", data.encode("utf-8", "surrogatepass"))
    if kind == "resize":
        cols, rows = doc.get("cols"), doc.get("rows")
        if not _is_size(cols) or not _is_size(rows):
            raise ValueError(f"resize: cols and rows must be integers 1..{MAX_SIZE}")
        return ClientFrame("resize", cols=cols, rows=rows)
    if kind == "ping":
        return ClientFrame("ping")
    raise ValueError(f"type: {str(kind)[:20]!r} is not stdin, resize or ping")


def encode(kind: str, **fields: str | int | None) -> str:
    return json.dumps({"type": kind, **fields}, ensure_ascii=False)


class OutputDecoder:
    """UTF-8 across frame boundaries: a character split over two frames comes out whole."""

    def __init__(self) -> None:
        self._dec = codecs.getincrementaldecoder("utf-8")("replace")

    def feed(self, data: bytes) -> str:
        return self._dec.decode(data)

    def flush(self) -> str:
        return self._dec.decode(b"", final=True)
