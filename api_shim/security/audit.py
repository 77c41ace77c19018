"""One structured audit record per call, with secrets redacted, to a configurable sink."""

from __future__ import annotations

import json
import logging
import queue
import re
import sys
import threading
from dataclasses import asdict, dataclass, field
from typing import IO, Any

from cloudops.redact import REDACTED, redact

__all__ = ["AuditRecord", "AuditSink", "redact_params"]

log = logging.getLogger("cloudops.audit")
# `content`: file contents (container file edits) are never audited, whatever they hold.
_SECRET_KEYS = re.compile(r"(?i)(kubeconfig|token|password|secret|api[-_]?key|credential|private|^content$)")


def redact_params(value: Any) -> Any:
    """Parameters as sent, minus anything that looks like a credential, at any depth."""
    if isinstance(value, dict):
        return {k: REDACTED if _SECRET_KEYS.search(str(k)) else redact_params(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_params(v) for v in value]
    if isinstance(value, str):
        return redact(value)
    return value


@dataclass
class AuditRecord:
    time: str
    user: str
    groups: list[str]
    auth_method: str
    operation: str
    route: str
    resource: dict[str, str]
    client_ip: str
    status: int
    code: int | None
    latency_ms: float
    params: dict[str, Any] = field(default_factory=dict)


class AuditSink:
    """`stdout` (JSON lines, the default), `file:/path` or `none`.

    Records are written by one thread of their own, never on the event loop: a slow disk or a blocked
    stdout pipe must not stall requests. The queue is bounded; records that find it full are counted in
    `dropped` and a warning is logged, so a lost record is never silent.
    """

    def __init__(self, spec: str, capacity: int = 10_000) -> None:
        self.spec = spec
        self.dropped = 0
        self._out: IO[str] | None
        if spec == "none":
            self._out = None
        elif spec.startswith("file:"):
            self._out = open(spec[5:], "a", encoding="utf-8", buffering=1)
        else:
            self._out = sys.stdout
        self._queue: queue.Queue[AuditRecord | None] = queue.Queue(maxsize=capacity)
        self._thread: threading.Thread | None = None
        if self._out is not None:
            self._thread = threading.Thread(target=self._drain, name="audit-writer", daemon=True)
            self._thread.start()

    def write(self, record: AuditRecord) -> None:
        if self._out is None:
            return
        try:
            self._queue.put_nowait(record)
        except queue.Full:
            self.dropped += 1
            log.warning("audit queue full: %d records dropped so far", self.dropped)

    def _drain(self) -> None:
        while True:
            record = self._queue.get()
            try:
                if record is None:
                    return
                if self._out is not None:
                    self._out.write(json.dumps({"audit": asdict(record)}, ensure_ascii=False, default=str) + "\n")
                    self._out.flush()
            except (OSError, ValueError):
                log.exception("audit record could not be written")
            finally:
                self._queue.task_done()

    def flush(self) -> None:
        """Blocks until every queued record is written (tests and shutdown; never call on the event loop)."""
        if self._thread is not None:
            self._queue.join()

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=10)
            self._thread = None
        if self._out is not None and self._out is not sys.stdout:
            self._out.close()
