"""Request and response examples recorded from real calls (tests/shim/example_recorder.py writes them, one
file per operation in examples/<operationId>.json); nothing here is invented."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from api_shim.openapi_types import Example, Operation

__all__ = ["EXAMPLES_DIR", "Recorded", "RecordedRequest", "RecordedResponse", "attach", "recorded"]

EXAMPLES_DIR = Path(__file__).parent / "examples"


class RecordedRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: dict[str, JsonValue] = Field(default_factory=dict, description="path parameters by name")
    query: dict[str, JsonValue] = Field(default_factory=dict, description="query parameters, typed by their schema")
    body: JsonValue = Field(None, description="the JSON body; absent without one")


class RecordedResponse(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: int
    body: dict[str, JsonValue] = Field(description="the whole envelope")


class Recorded(BaseModel):
    """One exchange as the recorder stored it: redacted, long lists and strings trimmed."""

    model_config = ConfigDict(extra="forbid")
    operation_id: str
    method: str
    path: str = Field(description="the path template")
    recorded_by: str = Field(description="the test that made the call")
    request: RecordedRequest
    response: RecordedResponse


@cache
def recorded() -> dict[str, Recorded]:
    """Every stored example by operationId, read once per process."""
    out: dict[str, Recorded] = {}
    for file in sorted(EXAMPLES_DIR.glob("*.json")):
        example = Recorded.model_validate(json.loads(file.read_text()))
        out[example.operation_id] = example
    return out


def _example(value: JsonValue, rec: Recorded) -> dict[str, Example]:
    return {"recorded": {"summary": f"recorded by {rec.recorded_by}", "value": value}}


def attach(op: Operation, rec: Recorded) -> None:
    """`rec`'s values as the examples of `op`'s parameters, JSON request body and success response; a value
    whose parameter or media type the operation no longer has is left out (the unit test reports it)."""
    sent = {"path": rec.request.path, "query": rec.request.query}
    for param in op.get("parameters", []):
        values = sent.get(param["in"], {})
        if param["name"] in values:
            param["examples"] = _example(values[param["name"]], rec)
    body = op.get("requestBody")
    if body is not None and rec.request.body is not None and "application/json" in body["content"]:
        body["content"]["application/json"]["examples"] = _example(rec.request.body, rec)
    response = op["responses"].get(str(rec.response.status))
    media = response.get("content", {}).get("application/json") if response is not None else None
    if media is not None:
        media["examples"] = _example(rec.response.body, rec)
