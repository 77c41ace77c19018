"""A stopped loop gets its grace, then is cancelled; a cleanup that hangs after that (a history write to a hub
that does not answer) is cancelled again, so a shard's hand-back is never held past grace + FINALLY_SECONDS."""

from __future__ import annotations

import asyncio
import time

import kopf
import pytest

from cloudops_operator import loops as loops_module
from cloudops_operator.loops import Loops, StopFlag, _Running
from cloudops_operator.memo import Memo
from cloudops_operator.shards import Shards


def _loops() -> Loops:
    return Loops(Memo(), Shards(None, "ns", "me"), loops=[])


async def _stop_one(loops: Loops, run: asyncio.Task[None], stopped: StopFlag, grace: float) -> float:
    loops.running[("sync", "c1")] = _Running(run, stopped, kopf.Body({}), Memo(), (), 0)  # type: ignore[arg-type]
    started = time.monotonic()
    await loops._stop("sync", "c1", grace)
    assert run.done()
    return time.monotonic() - started


async def test_a_loop_that_sees_its_flag_finishes_its_cleanup() -> None:
    stopped, cleaned = StopFlag(), []

    async def loop() -> None:
        try:
            await stopped.wait()
        finally:
            await asyncio.sleep(0.05)  # writes what it buffered
            cleaned.append(True)

    took = await _stop_one(_loops(), asyncio.create_task(loop()), stopped, grace=1)
    assert cleaned == [True] and took < 1


async def test_a_hanging_cleanup_is_given_up_after_grace_and_finally_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    stopped = StopFlag()
    monkeypatch.setattr(loops_module, "FINALLY_SECONDS", 0.2)

    async def loop() -> None:
        try:
            await asyncio.Event().wait()  # stuck in a call that ignores the flag
        finally:
            await asyncio.Event().wait()  # and a cleanup write that never returns

    took = await _stop_one(_loops(), asyncio.create_task(loop()), stopped, grace=0.2)
    assert 0.35 < took < 1.0
