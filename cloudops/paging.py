"""Offset paging over an ordered sequence: the one helper every list answer uses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

__all__ = ["page"]

T = TypeVar("T")


def page(items: Sequence[T], limit: int, offset: int, **extra: Any) -> dict[str, Any]:
    """`{"items": the slice, "total", "limit", "offset", ...extra}`; callers rename `items` to their field."""
    return {"items": list(items[offset:offset + limit]), "total": len(items), "limit": limit, "offset": offset,
            **extra}
