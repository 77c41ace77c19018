"""Periodic work per member cluster, run by the cluster's one sync daemon instead of a daemon of its own.

Every kopf daemon per ManagedCluster costs a task, its memo copy and its own pace of member calls; with
1,000 clusters one daemon per section multiplies all of it. Sections register a job here (what to do,
how often, whether configured at all); the ManagedCluster sync loop runs the jobs that are due right
after a successful probe, with one member session, concurrently and each under a time bound, and
wakes up again when the next job is due. A job's failure is logged and never stops the others.
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import kopf

from cloudops.kube.errors import KubeError
from cloudops.members.errors import MemberError
from cloudops.members.session import MemberSession
from cloudops.settings import Settings
from cloudops_operator.memo import Memo

__all__ = ["JOBS", "ClusterJob", "cluster_job", "first_wait", "run_due_jobs"]

Run = Callable[[kopf.Body, Memo, MemberSession], Awaitable[Any]]


@dataclass(frozen=True)
class ClusterJob:
    name: str
    every: Callable[[Settings], float]
    run: Run
    enabled: Callable[[Settings], bool]
    spread: bool = False  # first run at a point of its period fixed by the cluster's name, not at once


JOBS: list[ClusterJob] = []


def cluster_job(name: str, every: Callable[[Settings], float], enabled: Callable[[Settings], bool] | None = None,
                spread: bool = False) -> Callable[[Run], Run]:
    """Registers `run(body, memo, session)` to run about every `every(settings)` seconds per cluster. `spread`:
    upkeep (hourly pruning) whose first run may wait; a replica that starts or takes over thousands of clusters
    would otherwise run it for all of them in its first minutes, competing with their first syncs."""
    def register(run: Run) -> Run:
        JOBS.append(ClusterJob(name, every, run, enabled or (lambda _: True), spread))
        return run
    return register


def first_wait(cluster: str, job: str, every: float) -> float:
    """Seconds before a spread job's first run on `cluster`: in [0, every), the same for the cluster whichever
    replica runs it, and spread evenly over a fleet."""
    return every * (zlib.crc32(f"{cluster}/{job}".encode()) / 2**32)


async def _one(job: ClusterJob, body: kopf.Body, memo: Memo, session: MemberSession,
               logger: logging.Logger | kopf.Logger, seconds: float) -> None:
    name = body["metadata"]["name"]
    try:
        await asyncio.wait_for(job.run(body, memo, session), timeout=seconds)
    except asyncio.CancelledError:
        raise
    except (MemberError, KubeError, TimeoutError, OSError) as e:
        logger.info("%s of %s skipped: %s", job.name, name, e.__class__.__name__)
    except Exception as e:  # one section's bug must not stop the others or the sync loop
        logger.warning("%s of %s failed: %s", job.name, name, e.__class__.__name__, exc_info=True)


async def run_due_jobs(body: kopf.Body, memo: Memo, logger: logging.Logger | kopf.Logger,
                       open_session: Callable[[], Awaitable[MemberSession]], budget: float) -> float | None:
    """Runs the due jobs; returns seconds until the next one is due (None: no job is enabled)."""
    settings = memo.settings
    jobs = [j for j in JOBS if j.enabled(settings)]
    if not jobs:
        return None
    last: dict[str, float] = memo.setdefault("_job_runs", {})
    now = time.monotonic()
    for j in jobs:
        if j.spread and j.name not in last:  # as if last run so that the first run comes after first_wait
            last[j.name] = now - j.every(settings) + first_wait(body["metadata"]["name"], j.name, j.every(settings))
    due = [j for j in jobs if now - last.get(j.name, float("-inf")) >= j.every(settings)]
    if due:
        # Not this replica's any more (its shard moved, or it was paused past its Lease): skipped, not run late.
        if memo.shards.owns(body["metadata"]["name"]):
            try:
                session = await open_session()
            except (MemberError, KubeError, TimeoutError, OSError) as e:  # as a job that failed: its round skipped
                logger.info("jobs of %s skipped: no member session (%s)", body["metadata"]["name"],
                            e.__class__.__name__)
            else:
                await asyncio.gather(*(_one(j, body, memo, session, logger, budget) for j in due))
        done = time.monotonic()
        for j in due:
            last[j.name] = done
    now = time.monotonic()
    return max(0.0, min(last.get(j.name, now) + j.every(settings) - now for j in jobs))
