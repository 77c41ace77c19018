"""Parameters known by two names: the one the reference documents, and a sibling endpoint's name for the same
thing that a user reasonably tries (logs' `search` where 1.3 says `query`, MCP's `cluster` where REST says
`cluster_id`).

A field declares both with `Field(validation_alias=AliasChoices("documented", "alias"))` and names the alias in
its description (the OpenAPI document shows the documented name). A model extending `Aliased` remembers the
name each value came under, so an error about that value names what the caller sent (`sent`), and refuses a
value sent under both names at once rather than pick one silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Self

from pydantic import AliasChoices, BaseModel, ModelWrapValidatorHandler, PrivateAttr, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

__all__ = ["Aliased", "invalid", "names_sent"]


def invalid(model: type[BaseModel], name: str, message: str, value: object) -> ValidationError:
    """A validation error of `model` located at the input `name` (a validator's own errors have no location)."""
    return ValidationError.from_exception_data(model.__name__, [InitErrorDetails(
        type=PydanticCustomError("invalid_parameter", message), loc=(name,), input=value)])


def names_sent(model: type[BaseModel], data: Mapping[str, object]) -> dict[str, str]:
    """{field: the name its value was sent under} for the fields of `model` that have aliases; a ValidationError
    at the alias when both names were sent."""
    sent: dict[str, str] = {}
    for field, info in model.model_fields.items():
        if not isinstance(info.validation_alias, AliasChoices):
            continue
        given = [c for c in info.validation_alias.choices if isinstance(c, str) and c in data]
        if len(given) > 1:
            raise invalid(model, given[1], f"the same parameter as {given[0]}: send one of them", data[given[1]])
        if given:
            sent[field] = given[0]
    return sent


class Aliased(BaseModel):
    """A model some of whose fields also take a sibling endpoint's name (see the module)."""

    _sent: dict[str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _remember_names(cls, data: object, handler: ModelWrapValidatorHandler[Self]) -> Self:
        sent = names_sent(cls, data) if isinstance(data, Mapping) else None
        model = handler(data)
        if sent is not None:
            model._sent = sent
        return model

    def sent(self, field: str) -> str:
        """The name the caller gave `field` under: its own unless the value came under an alias."""
        return self._sent.get(field, field)
