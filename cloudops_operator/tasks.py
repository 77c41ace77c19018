"""Which tasks of the event loop are kopf's, so that kopf, when it stops, waits for and cancels only those.

kopf, when it stops (a signal, a lost lead), waits 5 s for every task that appeared in the event loop since it
started, then cancels them (kopf.run_tasks): the per-cluster loops, the shard rounds and everything they start,
which run beside kopf and outlive it on a replica that stops leading, would hold every shutdown for 5 s and be
cancelled mid-work. A task factory marks the tasks created while kopf runs in its own context (`kopf_context`),
which every task kopf starts inherits; `Spared` is everything else, given to kopf.run_tasks as `ignored`.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import weakref
from collections.abc import Collection, Coroutine, Iterator
from typing import Any

__all__ = ["Spared", "install", "kopf_context"]

_IN_KOPF: contextvars.ContextVar[bool] = contextvars.ContextVar("cloudops_in_kopf", default=False)
_KOPF: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()


def _factory(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any],
             context: contextvars.Context | None = None) -> asyncio.Task[Any]:
    task = asyncio.Task(coro, loop=loop, context=context)
    if (context.get(_IN_KOPF, False) if context is not None else _IN_KOPF.get()):
        _KOPF.add(task)
    return task


def install() -> None:
    """Marks kopf's tasks from now on in the running loop."""
    asyncio.get_running_loop().set_task_factory(_factory)  # type: ignore[arg-type]


@contextlib.contextmanager
def kopf_context() -> Iterator[None]:
    """Tasks created in here (kopf's, and the tasks they create) are kopf's."""
    token = _IN_KOPF.set(True)
    try:
        yield
    finally:
        _IN_KOPF.reset(token)


class Spared(Collection["asyncio.Task[Any]"]):
    """Every task that is not kopf's: what kopf.run_tasks must neither wait for nor cancel."""

    def __contains__(self, task: object) -> bool:
        return task not in _KOPF

    def __iter__(self) -> Iterator[asyncio.Task[Any]]:
        return iter({t for t in asyncio.all_tasks() if t not in _KOPF})

    def __len__(self) -> int:
        return sum(1 for t in asyncio.all_tasks() if t not in _KOPF)
