"""YamlBackup applied with kubectl (or by GitOps): the operator takes it, or fails it with the reason.

REST and scheduled backups are written by whoever creates them and carry their id label from creation; a backup
without one was applied as a bare spec, and nothing else would ever fill it in. One loop per such backup
(a watch with a label selector, cloudops_operator.loops) takes it (cloudops.backups.applied): the id label is
written last, which ends the loop, so an operator stopped midway takes it again on restart. A cluster that is
not registered, has no id yet or cannot be reached is waited for, with the reason in the Ready condition, for at
most WAIT_SECONDS; then, like anything that can never work (a malformed or mismatched resourceId, a missing
object), the backup ends Failed with the reason and message in its status.
"""

from __future__ import annotations

import time
from typing import Any

import kopf

from cloudops.backups.applied import Refused, Waiting, fail_applied, take_applied, wait_applied
from cloudops.backups.store import SCHEDULE_LABEL
from cloudops.constants import ID_LABEL, YAML_BACKUP
from cloudops.kube.errors import KubeError, NotFound
from cloudops.kube.stores import HubStore
from cloudops.resources import YamlBackup
from cloudops_operator.loops import object_loop
from cloudops_operator.memo import Memo
from cloudops_operator.wake_loop import Stopped, wake_loop

__all__ = ["take_applied_backup"]

WAIT_SECONDS = 300.0
MAX_RETRY_SECONDS = 15.0


@object_loop(YAML_BACKUP, cluster="name", selector=f"!{ID_LABEL},!{SCHEDULE_LABEL}")
async def take_applied_backup(body: kopf.Body, stopped: Stopped, memo: Memo, logger: kopf.Logger,
                              **_: Any) -> None:
    namespace, name = body["metadata"]["namespace"], body["metadata"]["name"]
    store = HubStore(memo.hub, YamlBackup, namespace)
    deadline = time.monotonic() + WAIT_SECONDS
    retry = 1.0

    async def step() -> float | None:
        nonlocal retry
        try:
            backup = await store.get(name)
        except NotFound:
            return None
        await memo.shards.fence(name)  # applied backups are spread over the shards by their own name
        try:
            done = await take_applied(memo.hub, namespace, memo.access, backup)
        except Refused as e:
            await fail_applied(memo.hub, namespace, backup, e.reason, e.message)
            logger.warning("backup %s failed: %s", name, e.message)
            return None
        except (Waiting, KubeError) as e:
            reason, message = (e.reason, e.message) if isinstance(e, Waiting) else ("HubError", f"hub: {e.message}")
            if time.monotonic() >= deadline:
                await fail_applied(memo.hub, namespace, await store.get(name), reason,
                                   f"{message} (gave up after {WAIT_SECONDS:.0f}s)")
                logger.warning("backup %s failed: %s", name, message)
                return None
            await wait_applied(memo.hub, namespace, backup, reason, f"{message}; retrying")
            retry = min(retry * 2, MAX_RETRY_SECONDS)
            return retry
        phase = done.status.phase if done.status else None
        logger.info("backup %s: %s", name, phase)
        return None

    await wake_loop(stopped, memo.wakeup(), step)
