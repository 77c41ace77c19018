"""开发工具 API 1.1–1.2: the CLI configuration and kubectl commands run by the shim against one member. The work
(and who may run what) is cloudops.services.cli."""

from __future__ import annotations

from aiohttp import web

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from cloudops.services.cli import Cli
from cloudops.services.cli.models import CliConfig, CliResult, ExecuteBody

__all__ = ["section"]

section = Section(tag="cli", resource="managedclusters")


@section.route("GET", "/api/k8s/cli/config", "获取 CLI 配置", verb="get", subresource="cli", data=CliConfig,
               cluster="many")
async def cli_config(call: Call) -> web.Response:
    return ok(await call.service(Cli).config(call.clusters))


@section.route("POST", "/api/k8s/cli/execute", "执行 CLI 命令", verb="get", subresource="cli", body=ExecuteBody,
               data=CliResult, cluster="param")
async def cli_execute(call: Call) -> web.Response:
    return ok(await call.service(Cli).execute(call.body, call.cluster, call.authorize))
