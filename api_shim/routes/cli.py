"""开发工具 API 1.1–1.2: the CLI configuration and kubectl commands run by the shim against one member.

Both need the `cli` capability (viewers have none). Reading commands need `get`; write subcommands
(apply, delete, scale, ...) are authorized again as `update` on `cli`, and a command naming Secrets as
`get` on `secrets`: the member's kubeconfig is the shim's, so the hub's RBAC is what stands between a user
and the member. The command never runs in a shell (cloudops/cli_exec.py says what is refused and why).
"""

from __future__ import annotations

import logging
import shutil

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from api_shim.endpoints import Call, Section
from api_shim.envelope import ApiError, ok
from api_shim.security.middleware import USER
from api_shim.state import ACCESS, HUB, SETTINGS
from cloudops.cli_exec import (
    READ_SUBCOMMANDS,
    WRITE_SUBCOMMANDS,
    CliRefused,
    cluster_kubeconfig,
    kubectl_version,
    plan,
    run_kubectl,
)
from cloudops.members.access import ClusterRef
from cloudops.members.errors import MemberError
from cloudops.redact import redact
from cloudops.services.common import NAMESPACE_PATTERN, ClusterRefItem

__all__ = ["section"]

section = Section(tag="cli", resource="managedclusters")
log = logging.getLogger("cloudops.cli")


class CliCluster(BaseModel):
    id: int | None
    name: str
    context: str = Field(description="the context name the CLI uses for this cluster (its name)")
    endpoint: str = Field(description="the member's API server URL")


class CliPlugin(BaseModel):
    name: str
    version: str | None = Field(description="as the tool reports it; null when it is not installed")
    enabled: bool
    read_subcommands: list[str]
    write_subcommands: list[str]


class CliConfig(BaseModel):
    clusters: list[CliCluster]
    default_context: str | None = Field(description="the only (or first) cluster the caller may use")
    plugins: list[CliPlugin]


@section.route("GET", "/api/k8s/cli/config", "获取 CLI 配置", verb="get", subresource="cli", data=CliConfig,
               cluster="many")
async def cli_config(call: Call) -> web.Response:
    settings = call.request.app[SETTINGS]
    access = call.request.app[ACCESS]

    async def endpoint(c: ClusterRef) -> str:
        """What the operator recorded; before its first sync, the server of the stored kubeconfig."""
        recorded = (c.cr.get("status") or {}).get("apiServer")
        if recorded:
            return str(recorded)
        try:
            return (await access.session(c)).server
        except MemberError:
            return ""

    clusters = [CliCluster(id=c.id, name=c.name, context=c.name, endpoint=await endpoint(c))
                for c in call.target.clusters]
    version = await kubectl_version(settings.cli_kubectl)
    plugin = CliPlugin(name="kubectl", version=version, enabled=version is not None,
                       read_subcommands=sorted(READ_SUBCOMMANDS), write_subcommands=sorted(WRITE_SUBCOMMANDS))
    return ok(CliConfig(clusters=clusters, default_context=clusters[0].context if clusters else None,
                        plugins=[plugin]).model_dump())


class ExecuteBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    command: str = Field(min_length=1, max_length=4096, description="a kubectl command line, e.g. kubectl get pods")
    cluster_id: ClusterRefItem | None = None
    namespace: str | None = Field(None, pattern=NAMESPACE_PATTERN, max_length=63,
                                  description="default namespace unless the command names one")
    timeout: int = Field(30, ge=1, le=300, description="seconds; the command's process group is killed then")


class CliResult(BaseModel):
    command: str
    cluster_id: int | None
    cluster_name: str
    namespace: str | None
    subcommand: str
    stdout: str
    stderr: str
    exit_code: int
    duration: float = Field(description="seconds")
    timed_out: bool
    truncated: bool = Field(description="stdout or stderr was longer than the cap and was cut")


@section.route("POST", "/api/k8s/cli/execute", "执行 CLI 命令", verb="get", subresource="cli", body=ExecuteBody,
               data=CliResult, cluster="param")
async def cli_execute(call: Call) -> web.Response:
    body: ExecuteBody = call.body
    try:
        p = plan(body.command)
    except CliRefused as e:
        raise ApiError(400, str(e)) from None
    cluster = call.cluster
    if p.writes:
        await call.authorize("update", "cli", cluster.name)
    if p.reads_secrets:
        await call.authorize("get", "secrets", cluster.name)
    settings = call.request.app[SETTINGS]
    kubectl = shutil.which(settings.cli_kubectl)
    if kubectl is None:
        raise ApiError(503, f"kubectl ({settings.cli_kubectl!r}) is not installed on the server")
    kubeconfig = await cluster_kubeconfig(call.request.app[HUB], settings.namespace, cluster.cr)
    namespace = None if p.has_namespace else body.namespace
    result = await run_kubectl(kubectl, p.args, kubeconfig, namespace, float(body.timeout),
                               settings.cli_max_output_bytes)
    log.info("cli: %s ran kubectl %s on %s: exit %d in %.2fs", call.request[USER].name, p.subcommand, cluster.name,
             result.exit_code, result.duration)
    return ok(CliResult(command=redact(body.command),  # --from-literal values never go back out
                        cluster_id=cluster.id, cluster_name=cluster.name,
                        namespace=namespace, subcommand=p.subcommand, stdout=result.stdout, stderr=result.stderr,
                        exit_code=result.exit_code, duration=result.duration, timed_out=result.timed_out,
                        truncated=result.truncated).model_dump())
