"""The CLI section (开发工具 API 1.1–1.2): the CLI configuration, and kubectl run by the shim against one member."""

from cloudops.services.cli.service import Authorize, Cli

__all__ = ["Authorize", "Cli"]
