"""The MCP section (MCP 集成 API) and the MCP server's tool calls: one way to run a registry tool for a caller.

Authorization is the caller's (REST: the request context; MCP: the resolver), handed in as `authorize`:
a SubjectAccessReview per (verb, capability) the tool declares, on the cluster it runs against. Failures keep
their HTTP status; a member that fails inside a tool is the tool's failure (business code 1009 for scans,
1010 for tools), a missing object stays 404/1002.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping

from pydantic import BaseModel, ValidationError

from cloudops.conditions import now_iso
from cloudops.errors import BadRequest, BusinessCode, CloudOpsError, Denied, Missing, Unprocessable
from cloudops.mcp_tools import (
    TOOLS,
    BadParameter,
    Tool,
    ToolContext,
    ToolFailed,
    destructive_enabled,
    find,
    parameter_list,
)
from cloudops.members.access import ClusterRef
from cloudops.members.errors import MemberError
from cloudops.services.base import Service
from cloudops.services.mcp.models import ExecuteResult, ToolList, ToolParameter, ToolView
from cloudops.validation import validation_message

__all__ = ["Authorize", "McpService"]

# (verb, capability, cluster name): returns when the caller may, raises Denied (403/1003) when not.
Authorize = Callable[[str, str, str], Awaitable[None]]
# The reference routes 1.1–1.5: scans that fail are 1009, the other tools 1010.
REFERENCE_CODES = {"cluster_scanner": BusinessCode.SCAN_FAILED, "config_validator": BusinessCode.SCAN_FAILED,
                   "performance_analyzer": BusinessCode.SCAN_FAILED, "resource_monitor": BusinessCode.TOOL_FAILED,
                   "cost_analyzer": BusinessCode.TOOL_FAILED}
MEMBER_STATUSES_KEPT = (403, 404, 409, 422, 429)  # a member's refusal stays the member's, not the tool's failure


class McpService(Service):
    def enabled(self, tool: Tool) -> bool:
        return destructive_enabled(tool, self.deps.settings.mcp_destructive_tools)

    def check_enabled(self, tool: Tool) -> None:
        if not self.enabled(tool):
            raise Denied(f"tool {tool.name!r} is destructive and disabled on this server "
                         "(CLOUDOPS_MCP_DESTRUCTIVE_TOOLS)")

    def catalog(self) -> ToolList:
        """2.1: every tool of the registry, with its parameters and whether this server serves it."""
        return ToolList(tools=[ToolView(name=t.name, description=t.description, version=t.version,
                                        enabled=self.enabled(t), read_only=t.read_only, destructive=not t.read_only,
                                        parameters=[ToolParameter(**p) for p in parameter_list(t)],
                                        input_schema=t.schema()) for t in TOOLS])

    async def _permit(self, tool: Tool, cluster: ClusterRef, authorize: Authorize) -> None:
        """403/1003 unless the caller holds every (verb, capability) of the tool on the cluster, and the tool is
        enabled on this server."""
        for verb, capability in tool.grants:
            await authorize(verb, capability, cluster.name)
        self.check_enabled(tool)

    async def run(self, tool: Tool, cluster: ClusterRef, params: BaseModel,
                  failure_code: int = BusinessCode.TOOL_FAILED) -> BaseModel:
        """The tool against `cluster`, already authorized; its failures as the caller sees them."""
        try:
            session = await self.deps.member(cluster)
            return await tool.run(ToolContext(self.deps, cluster, session), params)
        except BadParameter as e:
            raise BadRequest(f"parameters.{e.detail}") from None
        except ToolFailed as e:
            raise Unprocessable(f"{tool.name}: {e.detail}", code=failure_code) from None
        except MemberError as e:
            if e.status in MEMBER_STATUSES_KEPT:
                raise
            raise CloudOpsError(f"{tool.name}: {e.detail}", status=e.status, code=failure_code) from None

    async def reference(self, name: str, body: BaseModel, cluster: ClusterRef, authorize: Authorize) -> BaseModel:
        """1.1–1.5: the registry tool `name` with the route's body (its parameters and `cluster_id`)."""
        tool = find(name)
        if tool is None:
            raise LookupError(f"no tool {name!r} in the registry")
        await self._permit(tool, cluster, authorize)
        params = tool.params.model_validate(body.model_dump(exclude={"cluster_id"}))
        return await self.run(tool, cluster, params, REFERENCE_CODES[name])

    async def execute(self, name: str, parameters: Mapping[str, object], cluster: ClusterRef,
                      authorize: Authorize) -> ExecuteResult:
        """2.2: any tool by name, its parameters validated against its schema."""
        tool = find(name)
        if tool is None:
            raise Missing(f"no tool {name[:80]!r} (GET /api/k8s/mcp/tools lists them)", field="tool_name")
        try:
            params = tool.params.model_validate(parameters, strict=True)
        except ValidationError as e:
            raise BadRequest(validation_message(e, "body.parameters")) from None
        await self._permit(tool, cluster, authorize)
        start = time.monotonic()
        code = BusinessCode.SCAN_FAILED if tool.name == "cluster_scanner" else BusinessCode.TOOL_FAILED
        result = await self.run(tool, cluster, params, code)
        return ExecuteResult(tool=tool.name, version=tool.version, cluster_id=cluster.id, cluster_name=cluster.name,
                             result=result.model_dump(mode="json"), duration=round(time.monotonic() - start, 3),
                             executed_at=now_iso())
