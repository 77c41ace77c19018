"""A test client that checks every response it receives against the endpoint's declared models.

A 200 whose `data` does not match the endpoint's `data` model, or an error that is not the error
envelope, fails the test that received it: the OpenAPI document cannot drift from what is served.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from api_shim.endpoints import Endpoint
from api_shim.state import ENDPOINTS
from tests.shim.example_recorder import record as record_example

__all__ = ["CheckedClient", "call", "check_response"]

ENVELOPE = {"code", "message", "data", "timestamp"}
ERROR = {"code", "message", "error", "timestamp"}


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\{\w+\\}", "[^/]+", re.escape(path)) + "$")


def _endpoint(endpoints: list[Endpoint], method: str, path: str) -> Endpoint | None:
    return next((ep for ep in endpoints if ep.method == method and _pattern(ep.path).match(path)), None)


def check_response(endpoints: list[Endpoint], method: str, path: str, status: int, content_type: str,
                   text: str) -> None:
    ep = _endpoint(endpoints, method, path)
    if ep is None or content_type != "application/json":
        return
    body: Any = json.loads(text)
    if status >= 400:
        assert isinstance(body, dict) and set(body) == ERROR, f"{method} {path}: not the error envelope: {text[:300]}"
        return
    assert isinstance(body, dict) and set(body) == ENVELOPE, f"{method} {path}: not the envelope: {text[:300]}"
    assert ep.data is not None, f"{method} {ep.path} declares no data model"
    ep.data.model_validate(body["data"], strict=True)


class CheckedClient(TestClient):  # type: ignore[type-arg]
    async def _request(self, method: str, path: Any, **kwargs: Any) -> ClientResponse:  # type: ignore[override]
        resp = await super()._request(method, path, **kwargs)
        text = await resp.text() if resp.content_type == "application/json" else ""  # a download may be binary
        check_response(self.app[ENDPOINTS], method.upper(), resp.url.path, resp.status, resp.content_type, text)
        record_example(self.app[ENDPOINTS], method.upper(), resp, kwargs, text)  # CLOUDOPS_RECORD_EXAMPLES=1
        return resp


async def call(client: TestClient, method: str, path: str, expect: int = 200,  # type: ignore[type-arg]
               **kw: Any) -> dict[str, Any]:
    """One API call whose status must be `expect`; the parsed envelope back (the body shows on failure)."""
    r = await client.request(method, path, **kw)
    body: dict[str, Any] = await r.json()
    assert r.status == expect, body
    return body
