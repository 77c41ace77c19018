"""What the suite hands out that must never be logged (keys, tokens, Secret values) and where its logs go.

Fixtures and tests register both as they go; `tests/test_no_secret_in_logs.py` runs last and greps every
registered log (audit files, operator and shim process logs, the in-process shim's log records) for every
registered value, its base64 form, and anything in the form of our keys and tokens.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import yaml

__all__ = ["FORMS", "LOGS", "SECRETS", "kubeconfig_secrets", "log_file", "secret"]

SECRETS: set[str] = set()
LOGS: set[Path] = set()
# Forms that are a credential whatever created them: an API key with its secret part, a JWT, a terminal ticket.
FORMS = {
    "API key": re.compile(r"cok_[a-f0-9]{16}_[A-Za-z0-9_-]{20,}"),
    "JWT": re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}"),
    "terminal ticket": re.compile(r"terminal-[0-9a-f]{32}"),
}


def secret(value: str) -> str:
    """Remember `value` (and its base64 form) as one that no log may hold; returns it."""
    if len(value) >= 8:  # shorter values would match by chance
        SECRETS.add(value)
        SECRETS.add(base64.b64encode(value.encode()).decode().rstrip("="))
    return value


def log_file(path: Path) -> Path:
    LOGS.add(path)
    return path


def kubeconfig_secrets(path: Path) -> None:
    """The credentials of every user in a kubeconfig."""
    cfg = yaml.safe_load(path.read_text()) or {}
    for user in cfg.get("users") or []:
        for key in ("token", "client-key-data", "password"):
            value = (user.get("user") or {}).get(key)
            if isinstance(value, str):
                SECRETS.add(value[:64])
