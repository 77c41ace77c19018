"""Cluster jobs run when due, each bounded, one failing job never stopping the others."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from cloudops.settings import Settings
from cloudops_operator import cluster_jobs
from cloudops_operator.cluster_jobs import ClusterJob, run_due_jobs
from cloudops_operator.memo import Memo
from cloudops_operator.shards import Shards

BODY: Any = {"metadata": {"name": "c1", "namespace": "ns"}}
LOG = logging.getLogger("test")


@pytest.fixture
def jobs(monkeypatch: pytest.MonkeyPatch) -> list[ClusterJob]:
    registered: list[ClusterJob] = []
    monkeypatch.setattr(cluster_jobs, "JOBS", registered)
    return registered


def _memo(owned: bool = True) -> Memo:
    memo = Memo()
    memo.settings = Settings()
    memo.shards = Shards(None, "ns", "me")  # unsharded: all clusters are this replica's once it works
    if owned:
        memo.shards.activate()
    return memo


async def test_due_jobs_run_once_per_period_and_failures_stay_contained(jobs: list[ClusterJob]) -> None:
    calls: list[str] = []
    opened: list[int] = []

    async def ok(body: Any, memo: Memo, session: Any) -> None:
        calls.append("ok")

    async def broken(body: Any, memo: Memo, session: Any) -> None:
        calls.append("broken")
        raise RuntimeError("boom")

    async def session() -> Any:
        opened.append(1)
        return object()

    jobs += [ClusterJob("ok", lambda s: 60, ok, lambda s: True), ClusterJob("broken", lambda s: 30, broken,
                                                                          lambda s: True),
             ClusterJob("off", lambda s: 1, ok, lambda s: False)]
    memo = _memo()
    wait = await run_due_jobs(BODY, memo, LOG, session, 1.0)
    assert sorted(calls) == ["broken", "ok"] and len(opened) == 1
    assert wait is not None and 29 < wait <= 30
    calls.clear()
    assert await run_due_jobs(BODY, memo, LOG, session, 1.0) is not None
    assert calls == [] and len(opened) == 1  # nothing due: no member session opened


async def test_a_slow_job_is_cut_at_its_budget(jobs: list[ClusterJob]) -> None:
    import asyncio

    async def slow(body: Any, memo: Memo, session: Any) -> None:
        await asyncio.Event().wait()

    async def session() -> Any:
        return object()

    jobs.append(ClusterJob("slow", lambda s: 10, slow, lambda s: True))
    assert await run_due_jobs(BODY, _memo(), LOG, session, 0.05) is not None


async def test_no_enabled_job_means_no_wake_ups(jobs: list[ClusterJob]) -> None:
    async def session() -> Any:
        raise AssertionError("no session when nothing runs")

    assert await run_due_jobs(BODY, _memo(), LOG, session, 1.0) is None


async def test_a_cluster_this_replica_does_not_own_runs_no_job(jobs: list[ClusterJob]) -> None:
    calls: list[str] = []

    async def job(body: Any, memo: Memo, session: Any) -> None:
        calls.append("ran")

    async def session() -> Any:
        raise AssertionError("no member session for a cluster of another replica")

    jobs.append(ClusterJob("job", lambda s: 10, job, lambda s: True))
    wait = await run_due_jobs(BODY, _memo(owned=False), LOG, session, 1.0)
    assert calls == [] and wait is not None and wait > 5  # skipped for its period, not retried at once


async def test_a_spread_job_first_runs_at_its_cluster_s_point_of_the_period(jobs: list[ClusterJob]) -> None:
    calls: list[str] = []

    async def prune(body: Any, memo: Memo, session: Any) -> None:
        calls.append(body["metadata"]["name"])

    async def session() -> Any:
        return object()

    jobs.append(ClusterJob("prune", lambda s: 3600, prune, lambda s: True, spread=True))
    waits = {}
    for name in (f"c{i}" for i in range(200)):
        body: Any = {"metadata": {"name": name, "namespace": "ns"}}
        wait = await run_due_jobs(body, _memo(), LOG, session, 1.0)
        assert wait is not None
        waits[name] = wait
        assert abs(wait - cluster_jobs.first_wait(name, "prune", 3600)) < 1  # the same whichever replica runs it
    ran_at_once = [n for n, w in waits.items() if w == 0]
    assert sorted(calls) == sorted(ran_at_once) and len(calls) <= 2  # not the whole fleet in the first minute
    quarters = [sum(1 for w in waits.values() if q * 900 <= w < (q + 1) * 900) for q in range(4)]
    assert min(quarters) >= 30  # spread over the hour (200 clusters: about 50 a quarter)


async def test_a_member_session_that_cannot_be_opened_skips_the_round_without_failing_the_loop(
        jobs: list[ClusterJob]) -> None:
    from cloudops.members.errors import MemberError

    calls: list[str] = []

    async def ok(body: Any, memo: Memo, session: Any) -> None:
        calls.append("ok")

    async def unreachable() -> Any:
        raise MemberError(504, 504, "c1", "the member API server did not answer in time")

    jobs.append(ClusterJob("ok", lambda s: 30, ok, lambda s: True))
    memo = _memo()
    wait = await run_due_jobs(BODY, memo, LOG, unreachable, 1.0)
    assert calls == [] and wait is not None and 29 < wait <= 30  # retried next period, not at once (no busy loop)
