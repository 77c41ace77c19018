"""What a human needs to know of one operation, beyond its schemas: the data every section module holds."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["VERSIONED", "Doc", "Docs", "object_id_text"]


@dataclass(frozen=True)
class Doc:
    """One operation's prose. `summary` is English, shown after the reference's Chinese summary; `does` says
    what it does and answers, `writes` what it changes (or that it changes nothing), `authz` any authorization
    beyond the declared verb and capability, `body` what the request body is."""

    summary: str
    does: str
    writes: str
    authz: str = ""
    body: str = ""


# Keyed by "METHOD /path" as the document lists it (a WebSocket route under GET).
Docs = dict[str, Doc]


VERSIONED = "A YamlVersion in the hub records the write."


def object_id_text(template: str, kind: str) -> str:
    """A sentence on how an operation names its object, with `{type}` made the object type of its id."""
    return template.replace("{type}", kind)
