"""The MCP section's service (MCP 集成 API) and the MCP server's way to run a tool."""

from __future__ import annotations

from cloudops.services.mcp.service import Authorize, McpService

__all__ = ["Authorize", "McpService"]
