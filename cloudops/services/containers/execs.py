"""Commands in containers (2.1, 2.4): one command run to its exit through the member session, and the history
of commands and terminal sessions. Every command is recorded in the `exec` history however it ends: an exit,
a failure to start, a timeout, or the caller leaving."""

from __future__ import annotations

import secrets
import time

from cloudops.containers.files import workdir_argv
from cloudops.containers.ids import ContainerId
from cloudops.errors import TimedOut
from cloudops.kube.types import JsonObject
from cloudops.members.access import ClusterRef
from cloudops.members.exec import ExecFailure, ExecResult
from cloudops.paging import page
from cloudops.services.containers.base import (
    EXEC_STREAM,
    ContainerService,
    display,
    exec_refused,
    history_id,
    working_dir,
)
from cloudops.services.containers.models import ExecBody, ExecData, ExecHistory, ExecHistoryQuery, ExecRecord

__all__ = ["ContainerExec"]


class ContainerExec(ContainerService):
    async def run(self, cluster: ClusterRef, cid: ContainerId, b: ExecBody) -> ExecData:
        """`b.command` (argv, never a shell string) in the container, for at most `b.timeout` seconds: 504 with
        the output so far when it takes longer."""
        settings = self.deps.settings
        timeout = min(b.timeout, settings.exec_timeout_max_seconds)  # a deployment's cap, not the document's
        workdir = working_dir(b.working_dir)
        scope = await self.scope(cluster, cid)
        argv = workdir_argv(workdir, b.command) if workdir else list(b.command)
        session_id = f"exec-{secrets.token_hex(8)}"
        record: JsonObject = {"type": "exec", "command": display(b.command), "session_id": session_id,
                              "working_dir": workdir or "", "exit_code": None, "execution_time": 0.0,
                              "timed_out": False}
        started = time.monotonic()
        result: ExecResult | None = None
        try:
            result = await scope.session.exec(cid.namespace, cid.pod, scope.container, argv, seconds=timeout,
                                              cap=settings.exec_output_max_bytes)
        except ExecFailure as e:
            raise exec_refused(e, argv, " (working_dir needs sh)" if workdir else "") from None
        finally:
            record["execution_time"] = round(time.monotonic() - started, 3)
            if result is not None:
                record.update(exit_code=result.exit_code, timed_out=result.timed_out)
            await self.record(cluster, EXEC_STREAM, {**record, "container": scope.container}, scope.subject())
        stdout, stderr = result.stdout.decode("utf-8", "replace"), result.stderr.decode("utf-8", "replace")
        if result.timed_out:
            raise TimedOut(f"timed out after {timeout}s; session {session_id}; output so far: "
                           f"stdout={stdout!r} stderr={stderr!r}")
        return ExecData(session_id=session_id, stdout=stdout, stderr=stderr, exit_code=result.exit_code,
                        execution_time=round(result.seconds, 3), truncated=result.truncated, **scope.where())

    async def history(self, cluster: ClusterRef, cid: ContainerId, q: ExecHistoryQuery) -> ExecHistory:
        """Commands and terminal sessions in the pod (the id's container only, when it names one), newest first."""
        rows = []
        for e in await self.entries(cluster, cid, EXEC_STREAM, q.user_id):
            code = e.data.get("exit_code")
            rows.append(ExecRecord(
                id=history_id(e.name, EXEC_STREAM), type=str(e.data.get("type", "exec")),
                command=str(e.data.get("command", "")),
                executed_at=e.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ"), executed_by=e.actor,
                exit_code=code if isinstance(code, int) else None,
                execution_time=float(e.data.get("execution_time") or 0.0),
                session_id=str(e.data.get("session_id", "")), container_name=str(e.data.get("container", "")),
                timed_out=bool(e.data.get("timed_out"))))
        listed = page(rows, q.limit, q.offset)
        return ExecHistory(history=listed["items"], total=listed["total"], limit=q.limit, offset=q.offset)
