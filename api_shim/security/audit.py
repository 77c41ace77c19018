"""One structured audit record per call, with secrets redacted, to a configurable sink."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import asdict, dataclass, field
from typing import IO, Any

from cloudops.redact import REDACTED, redact

__all__ = ["AuditRecord", "AuditSink", "redact_params"]

_SECRET_KEYS = re.compile(r"(?i)(kubeconfig|token|password|secret|api[-_]?key|credential|private)")


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
    """`stdout` (JSON lines, the default), `file:/path` or `none`."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self._out: IO[str] | None
        if spec == "none":
            self._out = None
        elif spec.startswith("file:"):
            self._out = open(spec[5:], "a", encoding="utf-8", buffering=1)
        else:
            self._out = sys.stdout

    def write(self, record: AuditRecord) -> None:
        if self._out is None:
            return
        self._out.write(json.dumps({"audit": asdict(record)}, ensure_ascii=False, default=str) + "\n")
        self._out.flush()

    def close(self) -> None:
        if self._out is not None and self._out is not sys.stdout:
            self._out.close()
