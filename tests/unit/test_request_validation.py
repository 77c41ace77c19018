"""validation_message: field paths and reasons from pydantic errors, never the offending values."""

from __future__ import annotations

from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cloudops.validation import validation_message

SECRET = "SUPERSECRETTOKEN123"


class Port(BaseModel):
    port: int


class CreateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    tags: list[str] = []
    endpoints: list[Port] = []
    provider: Literal["aws", "other"] = "other"


class ListQuery(BaseModel):
    limit: int = Field(20, ge=1, le=1000)
    tag: str | None = Field(None, max_length=5)


def _message(model: type[BaseModel], raw: Any, where: str) -> str:
    with pytest.raises(ValidationError) as info:
        model.model_validate(raw)
    return validation_message(info.value, where)


def test_list_index_is_bracketed() -> None:
    assert _message(CreateBody, {"name": "a", "tags": ["ok", 12345]}, "body") == (
        "body.tags[1]: Input should be a valid string")


def test_nested_model_inside_list() -> None:
    message = _message(CreateBody, {"name": "a", "endpoints": [{"port": 1}, {"port": SECRET}]}, "body")
    assert message.startswith("body.endpoints[1].port: Input should be a valid integer")
    assert SECRET not in message


def test_missing_field() -> None:
    assert _message(CreateBody, {}, "body") == "body.name: Field required"


def test_query_location_prefix() -> None:
    message = _message(ListQuery, {"limit": SECRET}, "query")
    assert message.startswith("query.limit: Input should be a valid integer")
    assert SECRET not in message


def test_query_bound_violation() -> None:
    assert _message(ListQuery, {"limit": "5000"}, "query") == (
        "query.limit: Input should be less than or equal to 1000")


def test_several_errors_are_joined_with_semicolons() -> None:
    message = _message(CreateBody, {"tags": [1, 2]}, "body")
    parts = message.split("; ")
    assert parts == ["body.name: Field required", "body.tags[0]: Input should be a valid string",
                     "body.tags[1]: Input should be a valid string"]


@pytest.mark.parametrize(("model", "raw", "where"), [
    (CreateBody, {"name": {"token": SECRET}}, "body"),
    (CreateBody, {"name": "a", "tags": [{"token": SECRET}]}, "body"),
    (CreateBody, {"name": "a", "provider": SECRET}, "body"),
    (ListQuery, {"tag": SECRET}, "query"),
    (ListQuery, {"limit": f"-{SECRET}"}, "query"),
])
def test_offending_value_is_never_echoed(model: type[BaseModel], raw: dict[str, Any], where: str) -> None:
    message = _message(model, raw, where)
    assert message.startswith(f"{where}.")
    assert SECRET not in message
    assert "input_value" not in message
    assert "https://errors.pydantic.dev" not in message


def test_name_of_forbidden_extra_field_is_reported() -> None:
    assert _message(CreateBody, {"name": "a", "colour": "red"}, "body") == (
        "body.colour: Extra inputs are not permitted")
