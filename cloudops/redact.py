"""Scrubs credentials out of text bound for logs or error messages."""

from __future__ import annotations

import re

__all__ = ["REDACTED", "redact", "scrub"]

REDACTED = "[REDACTED]"

_PATTERNS = [
    re.compile(r"-----BEGIN [A-Z ]+-----.*?-----END [A-Z ]+-----", re.S),  # PEM blocks
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),  # Authorization values
    re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"),  # JWTs
    re.compile(r"(?i)((?:client-key-data|client-certificate-data|certificate-authority-data|token|password|"
               r"secret|api[-_]?key)[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+"),
    re.compile(r"[A-Za-z0-9+/]{64,}={0,2}"),  # long base64 runs (embedded keys, kubeconfigs)
    re.compile(r"\b(cok_[a-f0-9]{16}_)[A-Za-z0-9_-]{8,}"),  # our API keys: the id stays, the secret part goes
    re.compile(r"\b(terminal-[0-9a-f]{8})[0-9a-f]{24}\b"),  # terminal tickets (single-use bearer credentials)
    # kubectl's Secret sources: the value (or file) after `--from-literal=key=`, however quoted
    re.compile(r"""(--from-(?:literal|file|env-file)[= ](['"])?(?:[^=\s'"]*=)?)(?(2)[^'"]*|(?:'[^']*'|"[^"]*"|\S+))"""),
]


def redact(text: str) -> str:
    for pat in _PATTERNS:
        text = pat.sub(lambda m: (m.group(1) if m.groups() else "") + REDACTED, text)
    return text


def scrub(text: str, limit: int = 400) -> str:
    """An API server's message made fit to show a caller: one line, credentials redacted, capped in length."""
    text = redact(" ".join(text.split()))
    return text if len(text) <= limit else text[:limit - 1] + "…"
