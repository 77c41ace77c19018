"""Untrusted JSON and YAML are bounded before anything recursive reads them (cloudops.bounded)."""

from __future__ import annotations

import json

import pytest
import yaml

from cloudops.bounded import MAX_DEPTH, DocumentTooComplex, check_json, check_yaml, loads_json
from cloudops.clusters.kubeconfig import KubeconfigError, parse_kubeconfig
from cloudops.containers.logparse import LEVELS, detect_level
from cloudops.containers.terminal import parse_client_frame


def nested(depth: int, open_: str = "[", close: str = "]") -> str:
    return open_ * depth + close * depth


@pytest.mark.parametrize("depth", [1, 10, MAX_DEPTH])
def test_documents_within_the_depth_are_parsed(depth: int) -> None:
    assert loads_json(nested(depth)) == json.loads(nested(depth))


def test_the_issue_body_of_600_levels_is_refused_not_a_recursion_error() -> None:
    body = '{"a":' * 600 + "1" + "}" * 600
    with pytest.raises(DocumentTooComplex, match=f"deeper than {MAX_DEPTH}"):
        loads_json(body)
    with pytest.raises(DocumentTooComplex):
        loads_json(nested(600))


def test_one_level_past_the_bound_is_refused() -> None:
    with pytest.raises(DocumentTooComplex):
        check_json(nested(MAX_DEPTH + 1))


def test_mixed_brackets_count_every_level() -> None:
    doc = "[{\"k\":" * 60 + "1" + "}]" * 60  # 120 levels, alternating
    with pytest.raises(DocumentTooComplex):
        check_json(doc)
    assert loads_json("[{\"k\":" * 40 + "1" + "}]" * 40) is not None


def test_wide_documents_are_not_deep() -> None:
    doc = json.dumps({"items": [[{"a": [1, 2]}, {"b": {}}] for _ in range(2000)]})
    assert loads_json(doc)["items"][0][0] == {"a": [1, 2]}


def test_brackets_inside_strings_do_not_count() -> None:
    doc = json.dumps({"text": "[" * 5000 + '\\"{' * 100, "n": 1})
    assert loads_json(doc)["n"] == 1


def test_unclosed_brackets_that_would_pass_the_bound_are_refused() -> None:
    with pytest.raises(DocumentTooComplex):
        check_json("[" * 600)
    with pytest.raises(ValueError):  # shallow and malformed: the parser says what is wrong
        loads_json("[[[")


def test_key_count_is_bounded() -> None:
    doc = json.dumps({f"k{i}": i for i in range(50)})
    check_json(doc, max_keys=50)
    with pytest.raises(DocumentTooComplex, match="more than 49 object keys"):
        check_json(doc, max_keys=49)


def test_yaml_depth_and_aliases() -> None:
    check_yaml("a:\n  b:\n    c: [1, 2, {d: e}]\n")
    with pytest.raises(DocumentTooComplex):
        check_yaml("[" * 300 + "]" * 300)
    deep_block = "".join(f"{' ' * i}k{i}:\n" for i in range(150)) + " " * 150 + "v"
    with pytest.raises(DocumentTooComplex):
        check_yaml(deep_block)
    laughs = "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n"
    with pytest.raises(DocumentTooComplex, match="aliases"):
        check_yaml(laughs)
    with pytest.raises(yaml.YAMLError):
        check_yaml("a: [unclosed")


def test_a_deep_kubeconfig_is_a_kubeconfig_error() -> None:
    with pytest.raises(KubeconfigError, match="kubeconfig: nested deeper"):
        parse_kubeconfig("contexts: " + "[" * 600 + "]" * 600)


def test_a_deep_terminal_frame_is_a_clear_value_error() -> None:
    with pytest.raises(ValueError, match="nested too deeply"):
        parse_client_frame('{"type": "stdin", "data": ' + nested(600) + "}")


def test_a_deep_json_log_line_is_just_text() -> None:
    # json.loads alone raises RecursionError here; the line is then read as text like any other
    assert detect_level('{"level": "error", "x": ' + nested(2000) + "}") in LEVELS
    assert detect_level('{"level": "error", "x": [1]}') == "error"
