"""Plain JSON GETs through an ApiClient: its auth and TLS pool, without the generated models.

Probing a member reads lists many times a minute; turning them into model objects (every
timestamp through dateutil) costs more CPU than the requests themselves.
"""

from __future__ import annotations

import json
from typing import Any

from kubernetes_asyncio.client import ApiClient
from kubernetes_asyncio.client.exceptions import ApiException

__all__ = ["METADATA_ONLY", "RawResponse", "get_json", "get_text", "request"]

# Ask for metadata only: counting Secrets must not pull their data over the wire.
METADATA_ONLY = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"


async def get_text(api: ApiClient, path: str, query: dict[str, str] | None = None,
                   accept: str = "application/json") -> tuple[int, str]:
    resp = await api.call_api(path, "GET", query_params=list((query or {}).items()),
                              header_params={"Accept": accept}, auth_settings=["BearerToken"],
                              _preload_content=False, _return_http_data_only=True)
    try:
        body = await resp.read()
    finally:
        resp.release()
    return int(resp.status), body.decode("utf-8", errors="replace")


async def get_json(api: ApiClient, path: str, query: dict[str, str] | None = None,
                   accept: str = "application/json") -> Any:
    status, text = await get_text(api, path, query, accept)
    if not 200 <= status <= 299:
        raise ApiException(status=status, reason=_reason(text))
    return json.loads(text)


def _reason(text: str) -> str:
    try:
        return str(json.loads(text).get("reason", "")) or "error"
    except (ValueError, AttributeError):
        return "error"


class RawResponse:
    """Status, headers and text of one API call, whatever its status: callers map errors themselves."""

    __slots__ = ("headers", "status", "text")

    def __init__(self, status: int, headers: dict[str, str], text: str) -> None:
        self.status, self.headers, self.text = status, headers, text

    def json(self) -> Any:
        return json.loads(self.text) if self.text else {}


async def request(api: ApiClient, method: str, path: str, *, query: list[tuple[str, str]] | None = None,
                  body: Any = None, content_type: str = "application/json", accept: str = "application/json",
                  seconds: float | None = None) -> RawResponse:
    """Any verb on any path through the client's auth and TLS pool, without the generated models.

    Transport failures (refused, TLS, timeouts) propagate as raised; HTTP errors come back as a response.
    """
    resp = await api.call_api(path, method, query_params=query or [], body=body,
                              header_params={"Accept": accept, "Content-Type": content_type},
                              auth_settings=["BearerToken"], _preload_content=False,
                              _return_http_data_only=True, _request_timeout=seconds)
    try:
        raw = await resp.read()
    finally:
        resp.release()
    return RawResponse(int(resp.status), {k: v for k, v in resp.headers.items()},
                       raw.decode("utf-8", errors="replace"))
