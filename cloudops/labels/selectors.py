"""Label keys, values and selectors (and field selectors) checked as Kubernetes checks them, so bad input is a
400 naming the part.

The member would refuse them too, but with its own wording and after a round trip per cluster.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from cloudops.errors import BadRequest

__all__ = ["FIELD_SELECTOR_PATTERN", "LABEL_KEY_BOUND", "LABEL_SELECTOR_PATTERN", "BadLabel", "check_keys",
           "check_labels", "field_selector_error", "key_error", "selector_error", "value_error"]

_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
# A field path as field selectors name them: metadata.name, status.phase, spec.nodeName, involvedObject.kind.
_FIELD_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$")
_FIELD_OPERATORS = ("!=", "==", "=")  # in this order at each position, as Kubernetes splits a term
# A set operator needs white space before it: `domain (x)` is one key followed by junk, not `doma in (x)`.
_SET = re.compile(r"^\s*(!)?\s*([^\s!=<>(),]+)(?:\s+(in|notin)\s*\(([^()]*)\)|\s*(==|!=|=|>|<)\s*([^\s,()]*))?\s*$")

# The same grammar as JSON Schema patterns (ECMA-262 and Python alike: ASCII classes, fullmatch), for the OpenAPI
# document; a selector is valid when it matches and the checks below find nothing. White space is the space.
# No prefix runs past 253 characters: a lookahead, which pydantic's regex engine lacks, so these patterns are
# documented, and enforced here.
LABEL_KEY_BOUND = r"(?![-a-z0-9.]{254})"  # at the start of a key
_NAME63 = r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
_KEY = rf"([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?{_NAME63}"
_REQUIREMENT = (rf" *(! *{_KEY}|{_KEY}( +(in|notin) *\( *{_NAME63} *(, *{_NAME63} *)*\)| *(==|!=|=) *({_NAME63})?"
                rf"| *[<>] *-?[0-9]+)?) *")
LABEL_SELECTOR_PATTERN = rf"^(?!.*[-a-z0-9.]{{254}}/)( *|{_REQUIREMENT}(,{_REQUIREMENT})*)$"
_FIELD_TERM = r"[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*(==|!=|=)([^\\,=]|\\[\\,=])*"
FIELD_SELECTOR_PATTERN = rf"^({_FIELD_TERM})?(,({_FIELD_TERM})?)*$"
_LABEL_SELECTOR = re.compile(LABEL_SELECTOR_PATTERN)
_FIELD_SELECTOR = re.compile(FIELD_SELECTOR_PATTERN)


def key_error(key: str) -> str | None:
    """Why `key` is not a valid label key, or None."""
    prefix, sep, name = key.rpartition("/")
    if sep and (not prefix or len(prefix) > 253 or not _DNS_SUBDOMAIN.fullmatch(prefix)):
        return f"key {key!r}: the prefix must be a DNS subdomain of at most 253 characters"
    if not name or len(name) > 63 or not _NAME.fullmatch(name):
        return (f"key {key!r}: the name must be 1-63 characters, alphanumeric at both ends, "
                "with '-', '_' or '.' between")
    return None


def value_error(value: str) -> str | None:
    if value and (len(value) > 63 or not _NAME.fullmatch(value)):
        return (f"value {value!r}: must be at most 63 characters, alphanumeric at both ends, "
                "with '-', '_' or '.' between (or empty)")
    return None


class BadLabel(BadRequest, ValueError):
    """A label key or value Kubernetes would refuse: 400 naming the entry (`labels.team: key ...`)."""


def check_keys(keys: Iterable[str], where: str) -> None:
    """Label or annotation keys as Kubernetes validates them."""
    for key in keys:
        if err := key_error(key):
            raise BadLabel(err, field=f"{where}.{key[:80]}")


def check_labels(labels: Mapping[str, str] | Iterable[str], where: str) -> None:
    """Keys, and values for a map, as Kubernetes validates them."""
    for key in labels:
        check_keys([key], where)
        if isinstance(labels, Mapping) and (err := value_error(labels[key])):
            raise BadLabel(err, field=f"{where}.{key}")


def _split(selector: str) -> list[str]:
    """Commas separate requirements except inside `in (...)` sets."""
    parts, depth, current = [], 0, ""
    for ch in selector:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return parts


def selector_error(selector: str) -> str | None:
    """Why an equality- or set-based label selector is malformed, or None."""
    if not selector.strip(" "):
        return None
    if selector.count("(") != selector.count(")"):
        return "unbalanced parentheses"
    for raw in _split(selector):
        m = _SET.fullmatch(raw)
        if not raw.strip() or m is None:
            return f"requirement {raw.strip()!r} is not 'key', '!key', 'key=value', 'key!=value' or 'key in (a,b)'"
        negated, key, set_op, set_values, op, value = m.groups()
        if negated and (set_op or op):
            return f"requirement {raw.strip()!r}: '!' takes a bare key"
        if err := key_error(key):
            return err
        values = [v.strip() for v in set_values.split(",")] if set_op else [value] if op else []
        if set_op and not any(values):
            return f"requirement {raw.strip()!r}: the set is empty"
        if op in (">", "<"):
            if not re.fullmatch(r"-?[0-9]+", value or ""):
                return f"requirement {raw.strip()!r}: '{op}' compares with an integer"
            continue
        for v in values:
            if err := value_error(v):
                return err
    if not _LABEL_SELECTOR.fullmatch(selector):
        return (f"{selector[:80]!r} is not a label selector: requirements (app=web, tier!=db, env in (a,b), !legacy) "
                "separated by commas, set values not empty, spaces the only white space")
    return None


def _field_terms(selector: str) -> list[str]:
    """Commas separate terms unless escaped with a backslash (which escapes the character after it)."""
    terms, start, escaped = [], 0, False
    for i, ch in enumerate(selector):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ",":
            terms.append(selector[start:i])
            start = i + 1
    terms.append(selector[start:])
    return terms


def field_selector_error(selector: str) -> str | None:
    r"""Why a field selector is malformed, or None: comma-separated `key=value`, `key==value` or `key!=value`
    terms, the key a field path (metadata.name), the value possibly empty, with `\\`, `\,` and `\=` the only
    escapes in it. Whether the resource supports the field is the member's to say."""
    for term in _field_terms(selector):
        if not term:
            continue  # Kubernetes skips empty terms (a trailing comma)
        shown = term[:80]
        split = next(((i, op) for i in range(len(term)) for op in _FIELD_OPERATORS if term.startswith(op, i)), None)
        if split is None:
            return f"term {shown!r} is not 'key=value', 'key==value' or 'key!=value'"
        i, op = split
        key, value = term[:i], term[i + len(op):]
        if not _FIELD_KEY.fullmatch(key):
            return f"term {shown!r}: key {key[:80]!r} is not a field path such as metadata.name or status.phase"
        escaped = False
        for ch in value:
            if escaped:
                if ch not in "\\,=":
                    return f"term {shown!r}: '\\{ch}' is not an escape (only \\\\, \\, and \\= are)"
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == "=":
                return f"term {shown!r}: '=' in a value must be escaped as \\="
        if escaped:
            return f"term {shown!r}: ends in a lone backslash (escape it as \\\\)"
    if not _FIELD_SELECTOR.fullmatch(selector):
        return f"{selector[:80]!r} is not a field selector: 'key=value' terms separated by commas"
    return None
