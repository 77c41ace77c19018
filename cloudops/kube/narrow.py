"""Reading Kubernetes objects of any kind as JSON, narrowed step by step (cloudops.kube.types says why).

Code that reads a few fields of an object it did not define (a workload's pod template, a node's allocatable,
an Event) takes it as `Mapping[str, object]`: a value becomes usable only once narrowed, and these helpers
narrow the usual way, an absent or mistyped field reading as empty.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["dig", "items", "mapping", "mappings", "number", "text"]

_EMPTY: Mapping[str, object] = {}


def mapping(value: object) -> Mapping[str, object]:
    """`value` if it is a JSON object, else an empty one."""
    return value if isinstance(value, Mapping) else _EMPTY


def dig(value: object, *keys: str) -> Mapping[str, object]:
    """The object at `keys` below `value` (`dig(pod, "spec", "securityContext")`); empty where one is missing."""
    node = mapping(value)
    for key in keys:
        node = mapping(node.get(key))
    return node


def items(value: object) -> list[object]:
    """`value` if it is a JSON array, else an empty one."""
    return list(value) if isinstance(value, list) else []


def mappings(value: object) -> list[Mapping[str, object]]:
    """The objects of a JSON array (other entries left out)."""
    return [v for v in items(value) if isinstance(v, Mapping)]


def text(value: object, default: str = "") -> str:
    """A string field; `default` when it is absent or not a string."""
    return value if isinstance(value, str) else default


def number(value: object) -> float | None:
    """A numeric field (JSON numbers, booleans excluded), None otherwise."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
