"""The OpenAPI document says what the shim accepts: where the shim checks a value in code of its own (with messages
naming the part at fault), the pattern or schema the document shows admits exactly what that code accepts. The
contract test relies on it both ways: schema-valid data must not be refused with 400, schema-invalid data must be.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator

import jsonschema
import pytest
from pydantic import TypeAdapter, ValidationError

from api_shim.endpoints import _number
from cloudops.containers.paths import PathError, normalize
from cloudops.errors import CloudOpsError
from cloudops.labels.selectors import (
    FIELD_SELECTOR_PATTERN,
    LABEL_SELECTOR_PATTERN,
    field_selector_error,
    key_error,
    selector_error,
)
from cloudops.selfheal.rules import duration_pattern, parse_duration
from cloudops.services.common import CLUSTER_IDS_PATTERN, LABEL_KEY_SCHEMA_PATTERN, LabelKey
from cloudops.services.containers.models import PATH
from cloudops.services.self_healing.models import CreateRule
from cloudops.services.self_healing.service import _check, _seconds
from cloudops.services.unified.models import CreateBody


def _short(alphabet: str, longest: int) -> Iterator[str]:
    """Every string over `alphabet` up to `longest` characters."""
    for n in range(longest + 1):
        yield from ("".join(p) for p in itertools.product(alphabet, repeat=n))


def _agree(pattern: str, accepts: Callable[[str], bool], texts: Iterable[str]) -> None:
    compiled = re.compile(pattern)
    for text in texts:
        assert bool(compiled.fullmatch(text)) == accepts(text), repr(text)


def test_the_label_selector_pattern_is_what_the_selector_check_accepts() -> None:
    examples = ["app=web,tier!=db", "env in (a,b)", "env notin (a)", "!legacy", "a>5", "a < -3", "x.io/y==z",
                "a in (b,)", "a\t=b", "a" * 63 + "=b", "a" * 64 + "=b", "a=" + "b" * 64, f"{'a' * 253}/b",
                f"{'a' * 254}/b"]
    _agree(LABEL_SELECTOR_PATTERN, lambda t: selector_error(t) is None, [*_short("a1=!,() ", 5), *examples])


def test_the_field_selector_pattern_is_what_the_field_selector_check_accepts() -> None:
    _agree(FIELD_SELECTOR_PATTERN, lambda t: field_selector_error(t) is None,
           [*_short("a.=!,\\_", 5), "metadata.name=web,status.phase!=Running", r"a=b\,c\=d\\"])


@pytest.mark.parametrize(("prefix", "name"), [(253, 63), (254, 1), (10, 64), (0, 63)])
def test_label_keys_bound_their_prefix_in_the_document_and_in_validation(prefix: int, name: int) -> None:
    key = (("p" * prefix + "/") if prefix else "") + "n" * name
    valid = key_error(key) is None
    assert valid == (prefix <= 253 and name <= 63)
    assert bool(re.fullmatch(LABEL_KEY_SCHEMA_PATTERN, key)) == valid
    try:
        TypeAdapter(LabelKey).validate_python(key)
    except ValidationError:
        assert not valid
    else:
        assert valid


def _normalizes(path: str) -> bool:
    try:
        normalize(path)
    except PathError:
        return False
    return True


def test_the_container_path_pattern_is_what_normalize_accepts() -> None:
    pattern = PATH["pattern"]
    assert isinstance(pattern, str)
    _agree(pattern, _normalizes, _short("/.a\x00", 6))


@pytest.mark.parametrize("minimum", [0, 30])
def test_the_duration_pattern_is_what_parse_duration_accepts(minimum: int) -> None:
    def accepts(text: str) -> bool:
        try:
            return parse_duration(text) >= minimum
        except ValueError:
            return False

    numbers = [*range(0, 100), 1439, 1440, 1441, 86399, 86400, 86401, 999999]
    texts = [f"{z}{n}{u}" for n in numbers for z in ("", "0", "00") for u in ("", "s", "m", "h", " m", "x")]
    _agree(duration_pattern(minimum), accepts, [*texts, "", " 30s ", "\t5m", "0000001", "٣"])


def test_cluster_id_lists_bound_each_entry() -> None:
    assert re.fullmatch(CLUSTER_IDS_PATTERN, "1,member-1," + "a" * 63)
    assert not re.fullmatch(CLUSTER_IDS_PATTERN, "1," + "a" * 64)
    assert not re.fullmatch(CLUSTER_IDS_PATTERN, "0" * 64)


def test_json_numbers_with_a_zero_fraction_are_integers() -> None:
    """JSON Schema's integer includes 3.0; bodies are validated strictly, so the shim reads it as 3."""
    assert _number("3.0") == 3 and isinstance(_number("3.0"), int) and isinstance(_number("1e3"), int)
    assert _number("2.5") == 2.5


def _rule_accepted(body: dict[str, object]) -> bool:
    try:
        rule = CreateRule.model_validate(body, strict=True)
        _check(rule)
        for c in rule.conditions:
            _seconds(c.duration, "duration")
        _seconds(rule.delay, "delay")
        _seconds(rule.cooldown, "cooldown", 30)
    except (ValidationError, CloudOpsError):
        return False
    return True


POD = {"type": "pod_status", "value": "OOMKilled"}
RULES: list[dict[str, object]] = [
    {"conditions": [POD], "actions": [{"type": "restart_pod"}]},
    {"conditions": [{"type": "pod_status", "value": "0"}], "actions": [{"type": "restart_pod"}]},
    {"conditions": [{"type": "pod_status", "operator": "greater_than", "value": "OOMKilled"}],
     "actions": [{"type": "restart_pod"}]},
    {"conditions": [{"type": "node_status", "value": "NotReady"}], "actions": [{"type": "restart_pod"}]},
    {"conditions": [{"type": "node_status", "value": "NotReady"}], "actions": [{"type": "cordon_node"}]},
    {"conditions": [{"type": "restart_count", "operator": "greater_than", "value": 5},
                    {"type": "node_status", "value": "NotReady"}], "actions": [{"type": "event"}]},
    {"conditions": [{"type": "restart_count", "operator": "greater_than", "value": "0005"}],
     "actions": [{"type": "event"}]},
    {"conditions": [POD], "actions": [{"type": "scale"}]},
    {"conditions": [POD], "actions": [{"type": "scale", "parameters": {"replicas": 3}}]},
    {"conditions": [POD], "actions": [{"type": "scale", "parameters": {"replicas": "1001"}}]},
    {"conditions": [POD], "actions": [{"type": "event", "parameters": {"reason": "Boom", "delay": "5m"}}]},
    {"conditions": [POD], "actions": [{"type": "event", "parameters": {"reason": "1Boom"}}]},
    {"conditions": [POD], "actions": [{"type": "event", "parameters": {"replicas": 1}}]},
    {"conditions": [POD], "actions": [{"type": "annotate", "parameters": {"key": "a/b", "value": "x"}}]},
    {"conditions": [POD], "actions": [{"type": "annotate", "parameters": {"key": "-a"}}]},
    {"conditions": [POD], "actions": [{"type": "restart_pod"}], "cooldown": "29s"},
    {"conditions": [POD], "actions": [{"type": "restart_pod"}], "cooldown": "1m"},
    {"conditions": [POD], "actions": [{"type": "restart_pod"}], "cooldown": 10},
    {"conditions": [POD], "actions": [{"type": "restart_pod"}], "delay": "25h"},
]


@pytest.mark.parametrize("rule", RULES)
def test_the_self_healing_rule_schema_is_what_the_rule_check_accepts(rule: dict[str, object]) -> None:
    body = {"name": "r", **rule}
    assert jsonschema.Draft202012Validator(CreateRule.model_json_schema()).is_valid(body) == _rule_accepted(body)


def test_a_unified_create_names_its_type_or_its_kind() -> None:
    schema = jsonschema.Draft202012Validator(CreateBody.model_json_schema())
    assert not schema.is_valid({"resource": {"metadata": {"name": "web"}}})
    assert not schema.is_valid({"resource": {"kind": "", "metadata": {"name": "web"}}})
    assert not schema.is_valid({"resource_type": "configmap", "resource": {"metadata": {}}})
    assert schema.is_valid({"resource": {"kind": "ConfigMap", "metadata": {"name": "web"}}})
    assert schema.is_valid({"resource_type": "configmap", "resource": {"metadata": {"name": "web"}}})
