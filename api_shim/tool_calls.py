"""Running a registry tool for a caller, shared by the MCP REST routes and the MCP server.

The same authorization as every REST call: a SubjectAccessReview per (verb, capability) the tool declares,
on the cluster it runs against. Failures keep their HTTP status; a member that fails inside a tool is the
tool's failure (business code 1009 for scans, 1010 for tools), a missing object stays 404/1002.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, ValidationError

from api_shim.endpoints import validation_message
from api_shim.envelope import ApiError, BusinessCode
from api_shim.resolver import Resolver
from api_shim.security.identity import User
from api_shim.state import ACCESS, HUB, SETTINGS
from cloudops.mcp_tools import BadParameter, Tool, ToolContext, ToolFailed, destructive_enabled
from cloudops.members.access import ClusterRef
from cloudops.members.errors import MemberError

__all__ = ["check_enabled", "check_grants", "enabled", "parse_params", "run_tool"]

Json = dict[str, Any]


def enabled(app: web.Application, tool: Tool) -> bool:
    return destructive_enabled(tool, app[SETTINGS].mcp_destructive_tools)


async def check_grants(app: web.Application, user: User, tool: Tool, cluster: str) -> None:
    """403/1003 unless the caller holds every (verb, capability) of the tool on the cluster, and the tool is
    enabled on this server."""
    await Resolver(app, user).authorize_all(tool.grants, cluster)
    check_enabled(app, tool)


def check_enabled(app: web.Application, tool: Tool) -> None:
    if not enabled(app, tool):
        raise ApiError(403, f"tool {tool.name!r} is destructive and disabled on this server "
                            "(CLOUDOPS_MCP_DESTRUCTIVE_TOOLS)", BusinessCode.PERMISSION_DENIED)


def parse_params(tool: Tool, raw: Any, where: str) -> BaseModel:
    if not isinstance(raw, dict):
        raise ApiError(400, f"{where}: must be an object")
    try:
        return tool.params.model_validate(raw, strict=True)
    except ValidationError as e:
        raise ApiError(400, validation_message(e, where)) from None


async def run_tool(app: web.Application, tool: Tool, cluster: ClusterRef, params: BaseModel,
                   failure_code: int = BusinessCode.TOOL_FAILED) -> Json:
    try:
        session = await app[ACCESS].session(cluster)
        return await tool.run(ToolContext(cluster, session, app[HUB], app[SETTINGS].namespace), params)
    except BadParameter as e:
        raise ApiError(400, f"parameters.{e}") from None
    except ToolFailed as e:
        raise ApiError(422, f"{tool.name}: {e}", failure_code) from None
    except MemberError as e:
        if e.status in (403, 404, 409, 422, 429):
            raise
        raise ApiError(e.status, f"{tool.name}: {e.detail}", failure_code) from None
