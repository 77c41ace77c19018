"""JsonFormatter: one JSON object per record, with messages and tracebacks redacted."""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any

from cloudops.logs import JsonFormatter
from cloudops.redact import REDACTED

PEM = "-----BEGIN PRIVATE KEY-----\nTOPSECRETKEYBYTES\n-----END PRIVATE KEY-----"


def _record(msg: str, *args: object, exc_info: Any = None, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("cloudops.test", logging.WARNING, __file__, 1, msg, args, exc_info)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def _emit(record: logging.LogRecord) -> dict[str, Any]:
    line = JsonFormatter().format(record)
    assert "\n" not in line  # one record, one line
    payload = json.loads(line)
    assert isinstance(payload, dict)
    return payload


def test_record_has_time_level_logger_and_message() -> None:
    payload = _emit(_record("cluster %s connected in %.2fs", "member-1", 0.01))
    assert set(payload) == {"time", "level", "logger", "message"}
    assert payload["level"] == "warning"
    assert payload["logger"] == "cloudops.test"
    assert payload["message"] == "cluster member-1 connected in 0.01s"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", payload["time"])


def test_bearer_token_in_message_is_redacted() -> None:
    payload = _emit(_record("calling %s with Authorization: Bearer abc.def.ghi", "https://127.0.0.1:6443"))
    assert "abc.def.ghi" not in payload["message"]
    assert payload["message"] == f"calling https://127.0.0.1:6443 with Authorization: Bearer {REDACTED}"


def test_exception_text_is_included_and_redacted() -> None:
    try:
        raise ValueError(f"bad key material:\n{PEM}")
    except ValueError:
        exc_info = sys.exc_info()
    payload = _emit(_record("probe failed", exc_info=exc_info))
    assert "TOPSECRETKEYBYTES" not in payload["exception"]
    assert "BEGIN PRIVATE KEY" not in payload["exception"]
    assert "ValueError: bad key material" in payload["exception"]
    assert REDACTED in payload["exception"]
    assert "TOPSECRETKEYBYTES" not in json.dumps(payload)


def test_no_exception_key_without_exc_info() -> None:
    assert "exception" not in _emit(_record("plain"))


def test_known_extras_are_copied_and_others_ignored() -> None:
    payload = _emit(_record("reconciled", event="sync", namespace="cloudops", cluster="member-1",
                            object={"kind": "ManagedCluster"}, unrelated="dropped"))
    assert payload["event"] == "sync"
    assert payload["namespace"] == "cloudops"
    assert payload["cluster"] == "member-1"
    assert payload["object"] == {"kind": "ManagedCluster"}
    assert "unrelated" not in payload


def test_non_ascii_and_non_json_values_are_serialised() -> None:
    payload = _emit(_record("集群 %s 已连接", "member-1", event=frozenset({"x"})))
    assert payload["message"] == "集群 member-1 已连接"
    assert payload["event"] == "frozenset({'x'})"


def test_formatter_works_through_a_logger() -> None:
    lines: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Capture()
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("cloudops.test.json")
    propagate = logger.propagate
    logger.propagate = False
    logger.addHandler(handler)
    try:
        logger.error("token: %s", "SUPERSECRETTOKEN123")
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
    assert len(lines) == 1
    payload = json.loads(lines[0])
    assert payload["level"] == "error"
    assert "SUPERSECRETTOKEN123" not in lines[0]
