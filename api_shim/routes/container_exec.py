"""容器运维 2.1 and 2.4: one command run in a container, and the history of commands and terminal sessions.
`{id}` is `<cluster id>:<namespace>:<pod>[:<container>]`; capability `exec` (create, list). The work is
cloudops/services/containers/execs.py's: the command runs through the member session and is recorded in the
`exec` history however it ends."""

from __future__ import annotations

from aiohttp import web

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from cloudops.services.containers import ContainerExec
from cloudops.services.containers.models import ExecBody, ExecData, ExecHistory, ExecHistoryQuery

__all__ = ["section"]

section = Section(tag="containers", resource="managedclusters")
BASE = "/api/k8s/containers/{id}"


@section.route("POST", f"{BASE}/exec", "执行容器命令", verb="create", subresource="exec", body=ExecBody,
               data=ExecData, cluster="container")
async def exec_command(call: Call) -> web.Response:
    return ok(await call.service(ContainerExec).run(call.cluster, call.container_id, call.body))


@section.route("GET", f"{BASE}/exec/history", "获取命令执行历史", verb="list", subresource="exec",
               query=ExecHistoryQuery, data=ExecHistory, cluster="container")
async def exec_history(call: Call) -> web.Response:
    return ok(await call.service(ContainerExec).history(call.cluster, call.container_id, call.query))
