"""Who hears about writes to members: one observer per request, so every write is versioned in one place.

The shim sets an observer for the request it serves (the caller, the hub, the version limit); every create,
replace and patch a MemberSession completes inside that request reports the written object to it. Routes
therefore never remember to record a version: writing through the layer is enough (YAML 版本管理: "every
resource written through the shim is tracked"). Code that records a version itself, with its own change
log (a rollback), runs under `unobserved()`. Outside a request (the operator) nothing is observed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

from cloudops.members.discovery import ResourceType

__all__ = ["WriteObserver", "current", "observe", "unobserved"]


class WriteObserver(Protocol):
    def prepare(self, rt: ResourceType, body: dict[str, Any]) -> dict[str, Any]:
        """The body of a create or replace, before it is sent (e.g. labelled to stay tracked)."""

    async def written(self, cluster: str, rt: ResourceType, obj: dict[str, Any]) -> None:
        """Called after a write the member accepted (never for a dry run); must not raise."""


_observer: ContextVar[WriteObserver | None] = ContextVar("member_write_observer", default=None)


def current() -> WriteObserver | None:
    return _observer.get()


def observe(observer: WriteObserver | None) -> None:
    """For the rest of the current task (a request): aiohttp serves each request in its own task."""
    _observer.set(observer)


@contextmanager
def unobserved() -> Iterator[None]:
    token = _observer.set(None)
    try:
        yield
    finally:
        _observer.reset(token)
