"""Failures of cluster operations that callers must tell apart, and member failures a human can act on."""

from __future__ import annotations

import asyncio

import aiohttp

from cloudops.errors import Denied, TimedOut, UpstreamFailed
from cloudops.kube.failures import http_failure

__all__ = ["ConnectError", "QuotaExceeded", "SyncTimeout", "explain"]


class QuotaExceeded(Denied):
    def __init__(self, used: int, limit: int) -> None:
        super().__init__(f"cluster quota exceeded: {used} of {limit} clusters registered")
        self.used, self.limit = used, limit


class SyncTimeout(TimedOut, TimeoutError):
    """The operator did not report a requested sync in time."""


class ConnectError(UpstreamFailed):
    """`reason` is a CamelCase condition reason; `phase` is error (fix config) or disconnected (retry).

    Raised to a caller (a kubeconfig given to `add` that does not answer), it is 502/1001 as for a stored one.
    """

    def __init__(self, reason: str, message: str, phase: str) -> None:
        self.reason, self.phase = reason, phase
        super().__init__(message)
        self.args = (message,)  # str() stays the message, as the operator's conditions show it

    @property
    def detail(self) -> str:
        return f"{self.reason}: {self.message}"


def explain(exc: BaseException, server: str) -> ConnectError:
    """Turns a failure talking to a member into a reason; never includes credentials."""
    if isinstance(exc, ConnectError):
        return exc
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return ConnectError("Timeout", f"{server} did not answer in time", "disconnected")
    if (answered := http_failure(exc)) is not None:
        status, reason = answered
        if status in (401, 403):
            return ConnectError("Unauthorized", f"{server} rejected the kubeconfig's credentials (HTTP {status})",
                                "error")
        return ConnectError("APIError", f"{server} answered HTTP {status} {reason}", "disconnected")
    if isinstance(exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError):
        return ConnectError("TLSError", f"TLS handshake with {server} failed: check certificate-authority-data",
                            "error")
    if isinstance(exc, aiohttp.ClientError | OSError):
        return ConnectError("Unreachable", f"cannot reach {server}: {exc.__class__.__name__}", "disconnected")
    return ConnectError("ProbeFailed", f"probing {server} failed: {exc.__class__.__name__}", "error")
