"""The words a refused input is answered with, the same for REST requests and MCP tool calls."""

from __future__ import annotations

from pydantic import ValidationError

__all__ = ["validation_message"]


def validation_message(err: ValidationError, where: str) -> str:
    """`body.tags[0]: Input should be a valid string; ...`: the field path and why, never the value."""
    parts = []
    for e in err.errors(include_url=False, include_input=False):
        loc = where
        for p in e["loc"]:
            loc += f"[{p}]" if isinstance(p, int) else f".{p}"
        parts.append(f"{loc}: {e['msg']}")
    return "; ".join(parts)
