"""The CLI service: the CLI configuration and kubectl commands run against one member (开发工具 API 1.1–1.2).

Reading commands need `get` on the `cli` capability; write subcommands (apply, delete, scale, ...) are
authorized again as `update` on `cli`, and a command naming Secrets as `get` on `secrets`: the member's
kubeconfig is the shim's, so the hub's RBAC is what stands between a user and the member. The command never
runs in a shell (cloudops/cli_exec.py says what is refused and why).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from cloudops.cli_exec import (
    READ_SUBCOMMANDS,
    WRITE_SUBCOMMANDS,
    cluster_kubeconfig,
    kubectl_path,
    kubectl_version,
    plan,
    run_kubectl,
)
from cloudops.clusters.objects import as_cluster
from cloudops.members.access import ClusterRef
from cloudops.members.errors import MemberError
from cloudops.redact import redact
from cloudops.services.base import Service
from cloudops.services.cli.models import CliCluster, CliConfig, CliPlugin, CliResult, ExecuteBody

__all__ = ["Authorize", "Cli"]

log = logging.getLogger("cloudops.cli")

Authorize = Callable[[str, str, str], Awaitable[None]]
"""(verb, capability, cluster name): raises unless the caller may; the request context's `authorize`."""


class Cli(Service):
    async def _endpoint(self, cluster: ClusterRef) -> str:
        """What the operator recorded; before its first sync, the server of the stored kubeconfig."""
        status = as_cluster(cluster.cr).status
        if status is not None and status.api_server:
            return status.api_server
        try:
            return (await self.deps.member(cluster)).server
        except MemberError:
            return ""

    async def config(self, clusters: Sequence[ClusterRef]) -> CliConfig:
        listed = [CliCluster(id=c.id, name=c.name, context=c.name, endpoint=await self._endpoint(c)) for c in clusters]
        version = await kubectl_version(self.deps.settings.cli_kubectl)
        plugin = CliPlugin(name="kubectl", version=version, enabled=version is not None,
                           read_subcommands=sorted(READ_SUBCOMMANDS), write_subcommands=sorted(WRITE_SUBCOMMANDS))
        return CliConfig(clusters=listed, default_context=listed[0].context if listed else None, plugins=[plugin])

    async def execute(self, body: ExecuteBody, cluster: ClusterRef, authorize: Authorize) -> CliResult:
        """Checks the command (400 naming what is refused), authorizes what it does beyond reading, runs it."""
        p = plan(body.command)
        if p.writes:
            await authorize("update", "cli", cluster.name)
        if p.reads_secrets:
            await authorize("get", "secrets", cluster.name)
        settings = self.deps.settings
        kubectl = kubectl_path(settings.cli_kubectl)
        kubeconfig = await cluster_kubeconfig(self.deps.hub, settings.namespace, as_cluster(cluster.cr))
        namespace = None if p.has_namespace else body.namespace
        result = await run_kubectl(kubectl, p.args, kubeconfig, namespace, float(body.timeout),
                                   settings.cli_max_output_bytes)
        log.info("cli: %s ran kubectl %s on %s: exit %d in %.2fs", self.deps.actor, p.subcommand, cluster.name,
                 result.exit_code, result.duration)
        return CliResult(command=redact(body.command),  # --from-literal values never go back out
                         cluster_id=cluster.id, cluster_name=cluster.name, namespace=namespace,
                         subcommand=p.subcommand, stdout=result.stdout, stderr=result.stderr,
                         exit_code=result.exit_code, duration=result.duration, timed_out=result.timed_out,
                         truncated=result.truncated)
