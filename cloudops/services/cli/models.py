"""开发工具 API 1.1–1.2: request and response models of the CLI routes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from cloudops.services.common import NAMESPACE_PATTERN, ClusterRefItem

__all__ = ["CliCluster", "CliConfig", "CliPlugin", "CliResult", "ExecuteBody"]


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
