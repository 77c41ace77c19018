"""Sizes as the reference writes them; pure."""

from __future__ import annotations

__all__ = ["human_size"]


def human_size(size: int) -> str:
    """`2.5MB` as the reference writes sizes (1024-based, one decimal, no trailing .0)."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            text = f"{value:.1f}".removesuffix(".0") if unit != "B" else str(int(value))
            return f"{text}{unit}"
        value /= 1024
    raise AssertionError("unreachable")
