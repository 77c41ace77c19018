"""What a failed Kubernetes API call answered, for code that tells failures apart without the client's types."""

from __future__ import annotations

from kubernetes_asyncio.client.exceptions import ApiException

__all__ = ["http_failure"]


def http_failure(exc: BaseException) -> tuple[int, str] | None:
    """(status, reason) when `exc` is an API server's HTTP error answer; None for any other failure
    (transport, TLS, timeout), which the caller names itself."""
    if isinstance(exc, ApiException):
        return int(exc.status or 0), str(exc.reason or "")
    return None
