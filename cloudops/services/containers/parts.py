"""The containers section's recurring request fields and patterns, shared by its models (models.py), and its
plain types, which the OpenAPI document does not show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, TypedDict

from pydantic import AliasChoices, Field

from cloudops.kube.types import JsonObject

__all__ = [
    "CONTAINER",
    "LEVELS",
    "LEVELS_TEXT",
    "LEVEL_LIST",
    "PATH",
    "RFC3339",
    "SEARCH_TEXT",
    "SHA256",
    "Arg",
    "ContainerParam",
    "DeletePath",
    "HistoryId",
    "LevelItem",
    "LevelList",
    "Levels",
    "Recursive",
    "Search",
    "TimeParam",
    "Upload",
    "WhereFields",
]

CONTAINER = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
RFC3339 = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:?[0-9]{2})$"
# A path as cloudops.containers.paths.normalize takes it: absolute, no NUL, no `..` segment (the document's
# pattern; normalize says which rule a path breaks). At most 4096 bytes in UTF-8.
_SEGMENT = r"([^/.\x00][^/\x00]*|\.([^/.\x00][^/\x00]*)?|\.\.[^/\x00]+)?"
PATH: JsonObject = {"pattern": rf"^(/{_SEGMENT})+$"}
SHA256 = r"^[0-9a-fA-F]{64}$"
LEVEL_LIST = r"^ *[A-Za-z]+ *(, *[A-Za-z]+ *)*$"
# The levels cloudops.containers.filters.parse_levels knows (its message names an unknown one), in any case.
_LEVEL = ("([Dd][Ee][Bb][Uu][Gg]|[Tt][Rr][Aa][Cc][Ee]|[Ii][Nn][Ff][Oo]|[Ww][Aa][Rr][Nn]([Ii][Nn][Gg])?"
          "|[Ee][Rr][Rr]([Oo][Rr])?|[Ff][Aa][Tt][Aa][Ll]|[Uu][Nn][Kk][Nn][Oo][Ww][Nn])")
LEVELS: JsonObject = {"pattern": f"^ *{_LEVEL} *(, *{_LEVEL} *)*$"}
ContainerParam = Field(None, pattern=CONTAINER, description="container name (overrides the id's 4th part)")
TimeParam = Field(None, pattern=RFC3339, description="RFC3339 time", json_schema_extra={"format": "date-time"})
Arg = Annotated[str, Field(max_length=65_536, pattern=r"^[^\x00]*$", description="one argv element (no NUL)")]
# Levels as a list (the export's form: `["INFO", "ERROR"]`; in a query string `level=info&level=error`) whose
# items may each be a comma-separated list (the logs' form: `level=info,error`): both forms everywhere.
LevelItem = Annotated[str, Field(max_length=100, pattern=LEVEL_LIST, json_schema_extra=LEVELS)]
LevelList = Annotated[list[LevelItem], Field(max_length=10)]
LEVELS_TEXT = "debug, info, warn, error, unknown, any case; comma-separated (`info,error`) or repeated (a list)"
Levels = Field(None, description=f"levels: {LEVELS_TEXT}")
# Logs (1.1, 1.2) name the text and the count `search`/`tail`; search (1.3) names them `query`/`limit`.
SEARCH_TEXT = "case-insensitive substring (or regex)"
Search = Field(None, max_length=1024, validation_alias=AliasChoices("search", "query"),
               description=f"{SEARCH_TEXT}; also accepted as `query` (1.3's name)")
HistoryId = Field(description="the entry's ActivityRecord name after `<stream>-`, read as a base-36 number: "
                               "unique in its history, and the same on every read")
DeletePath = Field(None, min_length=1, max_length=4096, json_schema_extra=PATH,
                   description="the file or directory; in the query or the body (many clients drop a DELETE's body)")
Recursive = Field(None, description="delete a directory with its contents (default false)")


class WhereFields(TypedDict):
    """The container an answer is about, as keyword arguments of any `Where` model."""

    container_name: str
    pod_name: str
    namespace: str


@dataclass(frozen=True)
class Upload:
    """The multipart upload as the shim read it (UploadForm documents it): the file, its own name, the fields."""

    data: bytes
    filename: str
    path: str
    overwrite: bool
