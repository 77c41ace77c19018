"""One structured audit record per call, with secrets redacted, to a configurable sink."""

from __future__ import annotations

import json
import logging
import queue
import re
import sys
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import IO, Any, overload

from api_shim.security.identity import User
from cloudops.redact import REDACTED, redact

__all__ = ["SECRET_MANIFEST", "AuditRecord", "AuditSink", "caller", "is_secret_type", "redact_params"]

log = logging.getLogger("cloudops.audit")
# `content`: file contents (container file edits) are never audited, whatever they hold.
_SECRET_KEYS = re.compile(r"(?i)(kubeconfig|token|password|secret|api[-_]?key|credential|private|^content$)")
_TYPE_KEYS = ("kind", "resource_type", "resourceType", "resource")
_VALUE_KEYS = ("data", "stringData", "binaryData")
# A manifest in a text field (YAML or JSON) that declares a Secret: its values cannot be picked out safely.
_SECRET_MANIFEST = re.compile(r"""(?i)(?:^|[\s{,])["']?kind["']?\s*:\s*["']?secrets?\b""")
SECRET_MANIFEST = f"{REDACTED} (text holding a Secret manifest)"
_MAX_DEPTH = 128  # bodies are bounded before this (cloudops.bounded); a record is never worth a RecursionError


def is_secret_type(value: object) -> bool:
    """`secret`, `secrets`, `Secret`, `v1/secrets`, `secrets.v1.`: a type or kind naming core Secrets."""
    if not isinstance(value, str):
        return False
    name = value.strip().rsplit("/", 1)[-1].split(".", 1)[0].lower()
    return name in ("secret", "secrets")


def _names_secret(d: Mapping[object, object]) -> bool:
    return "stringData" in d or any(is_secret_type(d.get(k)) for k in _TYPE_KEYS)


@overload
def redact_params(value: Mapping[str, object], *, secret: bool = False) -> dict[str, object]: ...


@overload
def redact_params(value: object, *, secret: bool = False) -> object: ...


def redact_params(value: object, *, secret: bool = False) -> object:
    """Parameters as sent, minus anything that looks like a credential, at any depth.

    Credentials are found by key name (`token`, `password`, ...) and by form (JWTs, our API keys, PEM
    blocks: cloudops.redact). Secret values are found by kind and field, whatever their keys are called:
    every value under `data`/`stringData`/`binaryData` of an object that is a Secret (`kind: Secret`, a
    `resource_type` naming secrets, anything with `stringData`), or of any object in a request that names
    Secrets (`secret=True`: the caller saw it in the path or query). Text holding a Secret manifest goes whole.
    """
    return _redacted(value, secret, 0)


def _redacted(value: object, secret: bool, depth: int) -> object:
    if depth > _MAX_DEPTH:
        return REDACTED
    if isinstance(value, Mapping):
        secret = secret or _names_secret(value)
        out: dict[object, object] = {}
        for k, v in value.items():
            if _SECRET_KEYS.search(str(k)):
                out[k] = REDACTED
            elif secret and k in _VALUE_KEYS:
                out[k] = {kk: REDACTED for kk in v} if isinstance(v, Mapping) else REDACTED
            else:
                out[k] = _redacted(v, secret, depth + 1)
        return out
    if isinstance(value, list):
        return [_redacted(v, secret, depth + 1) for v in value]
    if isinstance(value, str):
        return SECRET_MANIFEST if _SECRET_MANIFEST.search(value) else redact(value)
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
    params: Mapping[str, object] = field(default_factory=dict)  # redacted (redact_params); str() if not JSON
    issuer: str = ""  # OIDC: the token's issuer and subject (the stable id; `user` is the mapped name)
    subject: str = ""


def caller(user: User | None) -> dict[str, Any]:
    """The identity fields of a record: the same for every kind of record (REST, MCP, files, auto-fix)."""
    if user is None:
        return {"user": "", "groups": [], "auth_method": "", "issuer": "", "subject": ""}
    return {"user": user.name, "groups": list(user.groups), "auth_method": user.method, "issuer": user.issuer,
            "subject": user.uid if user.issuer else ""}


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
