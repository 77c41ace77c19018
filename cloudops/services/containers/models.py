"""The containers section's request inputs and answers (容器运维 1.1–3.5): what the OpenAPI document shows.

Every answer about one container says which one it used (`Where`): the id's container part may be left out
for a one-container pod, and the pod then decides.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from cloudops.kube.tickets import SESSION_PATTERN
from cloudops.services.aliases import Aliased
from cloudops.services.containers.parts import (
    LEVELS_TEXT,
    PATH,
    SEARCH_TEXT,
    SHA256,
    Arg,
    ContainerParam,
    DeletePath,
    HistoryId,
    LevelItem,
    LevelList,
    Levels,
    Recursive,
    Search,
    TimeParam,
)

__all__ = ["DeleteBody", "DeleteData", "DeleteQuery", "DownloadQuery", "EditBody", "ExecBody", "ExecData",
           "ExecHistory", "ExecHistoryQuery", "ExecRecord", "ExportBody", "ExportFilters", "ExportHistory",
           "ExportRecord", "FileItem", "FilesData", "FilesQuery", "HistoryQuery", "LogEntry", "LogsData", "LogsQuery",
           "SearchData", "SearchMatch", "SearchQuery", "StreamQuery", "TerminalBody", "TerminalData", "UploadForm",
           "Where", "WriteData", "WsQuery"]


class Where(BaseModel):
    container_name: str
    pod_name: str
    namespace: str


class LogEntry(BaseModel):
    timestamp: str | None = Field(description="RFC3339 with nanoseconds, as the kubelet stamped the line")
    level: str = Field(description="DEBUG, INFO, WARN, ERROR or UNKNOWN (the reference's case)")
    message: str
    container_name: str
    pod_name: str
    namespace: str


class LogsQuery(Aliased):
    model_config = ConfigDict(extra="forbid")
    tail: int = Field(100, ge=0, le=10_000, validation_alias=AliasChoices("tail", "limit"),
                      description="the last N matching lines; also accepted as `limit` (1.3's name)")
    since: str | None = TimeParam
    until: str | None = TimeParam
    level: LevelList | None = Levels
    search: str | None = Search
    regex: bool = Field(False, description="`search` is a regular expression")
    previous: bool = Field(False, description="the previous instance's log")
    container: str | None = ContainerParam


class LogsData(Where):
    logs: list[LogEntry]
    total: int = Field(description="lines that matched; without any filter only the last tail+1 lines are read "
                                   "(like kubectl --tail), so it is then at most tail+1")
    has_more: bool


class StreamQuery(Aliased):
    model_config = ConfigDict(extra="forbid")
    follow: bool = Field(True, description="keep streaming new lines")
    level: LevelList | None = Levels
    search: str | None = Search
    regex: bool = False
    tail: int = Field(100, ge=0, le=10_000, validation_alias=AliasChoices("tail", "limit"),
                      description="lines of history first (ignored when resuming); also accepted as `limit`")
    container: str | None = ContainerParam


class SearchQuery(Aliased):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, max_length=1024, validation_alias=AliasChoices("query", "search"),
                       description=f"{SEARCH_TEXT}; also accepted as `search` (the logs' name)")
    regex: bool = False
    start_time: str | None = TimeParam
    end_time: str | None = TimeParam
    limit: int = Field(100, ge=1, le=1000, validation_alias=AliasChoices("limit", "tail"),
                       description="matches per page; also accepted as `tail` (the logs' name)")
    offset: int = Field(0, ge=0, le=10_000_000)
    previous: bool = False
    container: str | None = ContainerParam


class SearchMatch(BaseModel):
    line_number: int = Field(description="1-based, in the log as the member returned it")
    timestamp: str | None
    level: str = Field(description="DEBUG, INFO, WARN, ERROR or UNKNOWN")
    message: str


class SearchData(Where):
    query: str
    matches: list[SearchMatch]
    total: int
    limit: int
    offset: int


class ExportFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    level: LevelList | LevelItem | None = Field(None, description=f"levels: {LEVELS_TEXT}; a list or a string")
    search: str | None = Field(None, max_length=1024)
    regex: bool = False


class ExportBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal["json", "csv", "txt"] = "json"
    start_time: str | None = TimeParam
    end_time: str | None = TimeParam
    filters: ExportFilters | None = None
    previous: bool = False
    container: str | None = ContainerParam


class ExportRecord(BaseModel):
    id: int = HistoryId
    export_time: str
    format: str
    file_size: str
    file_size_bytes: int
    line_count: int
    exported_by: str
    container_name: str


class HistoryQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(50, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=1_000_000)


class ExportHistory(BaseModel):
    history: list[ExportRecord]
    total: int
    limit: int
    offset: int


class ExecBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    command: list[Arg] = Field(min_length=1, max_length=1024, description="argv; never run by a shell")
    timeout: int = Field(30, ge=1, le=86_400,
                         description="seconds; more than CLOUDOPS_EXEC_TIMEOUT_MAX (default 300) is that maximum")
    working_dir: str | None = Field(None, max_length=4096, json_schema_extra=PATH,
                                    description="absolute directory to run in (needs sh)")


class ExecData(Where):
    session_id: str
    stdout: str
    stderr: str
    exit_code: int | None
    execution_time: float
    truncated: bool


class TerminalBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tty: bool = True
    stdin: bool = True
    working_dir: str | None = Field(None, max_length=4096, json_schema_extra=PATH)
    command: list[Arg] | None = Field(None, min_length=1, max_length=64,
                                                description='argv of the shell; default ["sh"]')


class TerminalData(Where):
    session_id: str
    websocket_url: str
    expires_in: int = Field(description="seconds the session id stays redeemable")


class WsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session: str = Field(pattern=SESSION_PATTERN, description="the session id from 2.2")
    tty: bool | None = None


class ExecHistoryQuery(HistoryQuery):
    user_id: str | None = Field(None, min_length=1, max_length=253)


class ExecRecord(BaseModel):
    id: int = HistoryId
    type: str = Field(description="exec or terminal")
    command: str
    executed_at: str
    executed_by: str
    exit_code: int | None
    execution_time: float
    session_id: str
    container_name: str
    timed_out: bool


class ExecHistory(BaseModel):
    history: list[ExecRecord]
    total: int
    limit: int
    offset: int


class FilesQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str = Field("/", max_length=4096, json_schema_extra=PATH)
    recursive: bool = False


class FileItem(BaseModel):
    name: str
    path: str
    size: int
    type: str = Field(description="file, directory, symlink or other")
    permissions: str = Field(description="octal, e.g. 644")
    modified_time: str


class FilesData(Where):
    path: str
    files: list[FileItem]
    truncated: bool


class DownloadQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str = Field(min_length=1, max_length=4096, json_schema_extra=PATH)


class UploadForm(BaseModel):
    """multipart/form-data fields."""

    model_config = ConfigDict(extra="forbid")
    file: bytes = Field(description="the file", json_schema_extra={"format": "binary"})
    path: str = Field(min_length=1, max_length=4096, json_schema_extra=PATH,
                      description="the target file; ending in / means that directory with the file's own name")
    overwrite: bool = False


class WriteData(Where):
    path: str
    size: int
    sha256: str | None = Field(description="of what was written, when the container could verify it")
    verified: str = Field(description="sha256, or size where the container has no sha256sum")
    backup_path: str | None


class EditBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str = Field(min_length=1, max_length=4096, json_schema_extra=PATH)
    content: str = Field(max_length=4 * 1024 * 1024)
    backup: bool = False
    expected_sha256: str | None = Field(None, pattern=SHA256, description="409 when the file is no longer this")


class DeleteQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str | None = DeletePath
    recursive: bool | None = Recursive


class DeleteBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str | None = DeletePath
    recursive: bool | None = Recursive


class DeleteData(Where):
    path: str
    type: str
    deleted: bool
    recursive: bool
