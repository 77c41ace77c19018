"""Failures of cluster operations that callers must tell apart."""

from __future__ import annotations

from cloudops.errors import Denied, TimedOut

__all__ = ["QuotaExceeded", "SyncTimeout"]


class QuotaExceeded(Denied):
    def __init__(self, used: int, limit: int) -> None:
        super().__init__(f"cluster quota exceeded: {used} of {limit} clusters registered")
        self.used, self.limit = used, limit


class SyncTimeout(TimedOut, TimeoutError):
    """The operator did not report a requested sync in time."""
