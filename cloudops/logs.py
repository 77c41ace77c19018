"""Structured JSON logs with credentials scrubbed from every record, tracebacks included."""

from __future__ import annotations

import json
import logging
import sys

from cloudops.conditions import now_iso
from cloudops.redact import redact

__all__ = ["JsonFormatter", "setup_logging"]


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "time": now_iso(), "level": record.levelname.lower(), "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key in ("event", "object", "namespace", "cluster"):
            if hasattr(record, key):
                payload[key] = getattr(record, key)
        if record.exc_info:
            payload["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(payload, ensure_ascii=False, default=str)


def setup_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
