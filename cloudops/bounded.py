"""Untrusted JSON and YAML documents, bounded before any recursive work touches them.

`json.loads`, `copy.deepcopy`, pydantic and redaction all recurse once per nesting level: a 3.6 KB body of
600 nested arrays raises RecursionError in each. The checks here never recurse: JSON is reduced to its
brackets and peeled one level per pass (each pass a C-speed regex substitution), YAML is read as a stream of
parser events. A document past a bound is refused with a message a caller can act on.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

__all__ = ["MAX_DEPTH", "MAX_KEYS", "DocumentTooComplex", "check_json", "check_yaml", "loads_json"]

MAX_DEPTH = 100  # deeper than any Kubernetes object or CRD schema in practice; far from Python's recursion limit
MAX_KEYS = 100_000  # object keys in one document (a 4 MiB body could otherwise hold ~700,000)

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)  # unrolled: linear on long strings
_KEY = re.compile(rb'""\s*:')  # an object key, once strings are emptied
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_INNERMOST = re.compile(rb"\[\]|\{\}")


class DocumentTooComplex(ValueError):
    """A document nested deeper, or holding more keys, than the bounds allow; the message says which."""


def check_json(raw: bytes | str, max_depth: int = MAX_DEPTH, max_keys: int = MAX_KEYS) -> None:
    """DocumentTooComplex when `raw` nests deeper than `max_depth` or holds more than `max_keys` keys.

    Malformed text is left for the parser to describe, except where its unclosed brackets alone would
    take the parser past the depth bound.
    """
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    stripped = _STRING.sub(b'""', data)
    keys = len(_KEY.findall(stripped))
    if keys > max_keys:
        raise DocumentTooComplex(f"more than {max_keys} object keys ({keys})")
    shape = stripped.translate(None, _NOT_BRACKET)
    for level in range(max_depth + 1):
        if not shape:
            return
        shorter = _INNERMOST.sub(b"", shape)
        if len(shorter) == len(shape):  # unbalanced: what is left can only open this many more levels
            if level + shape.count(b"[") + shape.count(b"{") > max_depth:
                break
            return
        shape = shorter
    raise DocumentTooComplex(f"nested deeper than {max_depth} levels")


def loads_json(raw: bytes | str, max_depth: int = MAX_DEPTH, max_keys: int = MAX_KEYS) -> Any:
    """`json.loads` behind `check_json`: ValueError (DocumentTooComplex or the parser's) for bad input."""
    check_json(raw, max_depth, max_keys)
    return json.loads(raw)


_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def check_yaml(text: str, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_KEYS) -> None:
    """DocumentTooComplex when YAML `text` nests deeper than `max_depth`, holds more than `max_nodes` nodes
    or uses aliases (an alias can expand a few hundred bytes into gigabytes: "billion laughs").

    yaml.YAMLError for text that is not YAML. Reads parser events only: nothing is built, nothing recurses.
    """
    depth = nodes = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            raise DocumentTooComplex("YAML aliases (*name) are not accepted")
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > max_depth:
                raise DocumentTooComplex(f"nested deeper than {max_depth} levels")
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1
        if isinstance(event, yaml.NodeEvent):
            nodes += 1
            if nodes > max_nodes:
                raise DocumentTooComplex(f"more than {max_nodes} nodes")
