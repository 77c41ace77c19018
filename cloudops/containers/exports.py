"""Log export formats (json, csv, txt), written one line at a time, and the names and sizes shown for them."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping

__all__ = ["EXTENSIONS", "MEDIA", "ExportWriter", "human_size", "safe_filename"]

# A JSON export is a file (a JSON array), not an API answer: served as a download like any file.
MEDIA = {"json": "application/octet-stream", "csv": "text/csv", "txt": "text/plain"}
EXTENSIONS = {"json": "json", "csv": "csv", "txt": "log"}
CSV_FIELDS = ("timestamp", "level", "namespace", "pod_name", "container_name", "message")


def safe_filename(*parts: str, ext: str) -> str:
    """ASCII letters, digits, `.`, `_` and `-` only: safe in Content-Disposition on every browser."""
    stem = "_".join(re.sub(r"[^A-Za-z0-9._-]+", "-", p).strip(".-") for p in parts if p)
    return f"{stem[:150] or 'download'}.{ext}"


def human_size(size: int) -> str:
    """`1.2MB` as the reference shows sizes (powers of 1024)."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)}B" if unit == "B" else f"{value:.1f}{unit}"
        value /= 1024
    return f"{size}B"


class ExportWriter:
    """Turns entries into the bytes of one export, piece by piece: head, one line each, tail."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.count = 0

    def head(self) -> bytes:
        if self.fmt == "json":
            return b"["
        if self.fmt == "csv":
            return self._csv(CSV_FIELDS)
        return b""

    def line(self, entry: Mapping[str, str | None]) -> bytes:
        self.count += 1
        if self.fmt == "json":
            return ((b"\n" if self.count == 1 else b",\n")
                    + json.dumps(entry, ensure_ascii=False, allow_nan=False).encode())
        if self.fmt == "csv":
            return self._csv(tuple(str(entry.get(k) or "") for k in CSV_FIELDS))
        level = str(entry.get("level", "unknown")).upper()
        return f"{entry.get('timestamp') or '-'} [{level}] {entry.get('message', '')}\n".encode()

    def tail(self) -> bytes:
        return b"\n]\n" if self.fmt == "json" and self.count else (b"]\n" if self.fmt == "json" else b"")

    @staticmethod
    def _csv(row: tuple[str, ...]) -> bytes:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(row)
        return buf.getvalue().encode()
