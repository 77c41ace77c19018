"""The document reads as a human's reference: every operation has an English summary beside the reference's
Chinese one and a description (what it does, what it writes, what it needs), every parameter and request body
is described, and every stored example is one the operation's current schemas accept."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import pytest

from api_shim.app import _ordered
from api_shim.openapi import build_openapi
from api_shim.operation_docs import DOCS
from api_shim.operation_docs.examples import EXAMPLES_DIR, Recorded, recorded
from api_shim.routes import SECTIONS
from tests.openapi_examples import example_problems, find_operation
from tests.shim.example_recorder import redacted, trimmed

ENGLISH = re.compile(r"[A-Za-z]{3,}")
CJK = re.compile(r"[\u4e00-\u9fff]")


@cache
def _document() -> dict[str, Any]:
    return json.loads(json.dumps(build_openapi(_ordered([ep for s in SECTIONS for ep in s.endpoints]))))


def _operations() -> list[tuple[str, dict[str, Any]]]:
    return [(f"{method.upper()} {path}", op) for path, item in _document()["paths"].items()
            for method, op in item.items()]


def test_every_operation_has_an_english_summary_and_a_description() -> None:
    missing = [key for key, op in _operations()
               if not ENGLISH.search(op["summary"]) or not op.get("description")]
    assert missing == []
    assert len(_operations()) >= 126


def test_chinese_summaries_keep_the_reference_text_and_add_the_english() -> None:
    summaries = {key: op["summary"] for key, op in _operations()}
    assert summaries["GET /api/k8s/clusters/list"] == "获取集群列表 — List clusters"
    for key, summary in summaries.items():
        if CJK.search(summary):
            zh, _, en = summary.partition(" — ")
            assert CJK.search(zh) and ENGLISH.search(en), key


def test_descriptions_say_what_is_written_and_who_may_call() -> None:
    for key, op in _operations():
        text = op["description"]
        assert "**Writes:**" in text and "**Authorization:**" in text, key
        authz = op.get("x-kubernetes-authorization")
        if authz is not None:  # the prose names the verb and capability the route is declared with
            assert f"verb `{authz['verb']}`" in text, key
            assert f"`{authz['subresource']}`" in text if authz["subresource"] else True, key


def test_every_parameter_and_request_body_is_described() -> None:
    undescribed = [f"{key} {p['in']}.{p['name']}" for key, op in _operations() for p in op.get("parameters", [])
                   if not p.get("description")]
    assert undescribed == []
    no_body_text = [key for key, op in _operations()
                    if "requestBody" in op and not op["requestBody"].get("description")]
    assert no_body_text == []


def test_chinese_parameter_descriptions_carry_english() -> None:
    chinese_only = [f"{key} {p['name']}: {p['description']}" for key, op in _operations()
                    for p in op.get("parameters", []) if not ENGLISH.search(p["description"])]
    assert chinese_only == []
    params = {p["name"]: p for key, op in _operations() if key == "GET /api/k8s/crds" for p in op["parameters"]}
    assert params["limit"]["description"].startswith("返回数量 — page size")


def test_parameters_of_one_name_are_described_by_their_section() -> None:
    def described(key: str, name: str) -> str:
        op = dict(_operations())[key]
        return next(p["description"] for p in op["parameters"] if p["name"] == name)

    assert "cluster" in described("GET /api/k8s/clusters/{id}", "id")
    assert "<pod>" in described("GET /api/k8s/containers/{id}/logs", "id")
    assert "resourcequota" in described("GET /api/k8s/resourcequota/{id}", "id")
    assert "CRD" in described("GET /api/k8s/crds/{name}", "name")


def test_every_documented_operation_exists() -> None:
    """A stale entry (a route renamed or removed) would document nothing: it fails here instead."""
    assert set(DOCS) - {key for key, _ in _operations()} == set()


def test_examples_are_attached_where_recorded() -> None:
    for operation_id, rec in recorded().items():
        found = find_operation(_document(), operation_id)
        assert found is not None, operation_id
        _, _, op = found
        media = op["responses"][str(rec.response.status)]["content"]["application/json"]
        assert media["examples"]["recorded"]["value"] == rec.response.body
        if rec.request.body is not None:
            assert op["requestBody"]["content"]["application/json"]["examples"]["recorded"]["value"] == rec.request.body


@pytest.mark.parametrize("path", sorted(EXAMPLES_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_stored_example_matches_the_current_schema(path: Any) -> None:
    """Examples come from real responses (tests/shim/example_recorder.py); a schema change that no longer
    accepts one fails here: record it again (CLOUDOPS_RECORD_EXAMPLES=1 on that section's shim tests)."""
    rec = Recorded.model_validate(json.loads(path.read_text()))
    assert path.stem == rec.operation_id
    assert example_problems(_document(), rec) == []


def test_examples_hold_no_secret() -> None:
    text = "\n".join(p.read_text() for p in EXAMPLES_DIR.glob("*.json"))
    for form in (r"cok_[a-f0-9]{16}_[A-Za-z0-9_-]{8,}", r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.",
                 r"-----BEGIN [A-Z ]*PRIVATE KEY-----", r"terminal-[0-9a-f]{32}"):
        assert not re.search(form, text), form


def test_recorder_redacts_credentials_and_secret_values() -> None:
    body = {"kubeconfig": "YXBpVmVyc2lvbjogdjE=", "name": "prod",
            "resource": {"kind": "Secret", "data": {"password": "c2VjcmV0"}, "metadata": {"name": "db"}},
            "note": "Authorization: Bearer abc.def.ghi", "sha256": "a" * 64}
    out = redacted(body)
    assert out["kubeconfig"] == "[REDACTED]" and out["name"] == "prod"
    assert out["resource"]["data"] == {"password": "[REDACTED]"} and out["resource"]["metadata"] == {"name": "db"}
    assert "abc.def.ghi" not in out["note"]
    assert out["sha256"] == "a" * 64  # a checksum is not a credential
    # A Secret written back without `kind`: by its stringData, or because the request names a Secret.
    assert redacted({"resource": {"stringData": {"k": "v"}}})["resource"]["stringData"] == {"k": "[REDACTED]"}
    assert redacted({"resource": {"data": {"k": "dg=="}}}, secret=True)["resource"]["data"] == {"k": "[REDACTED]"}


def test_recorder_trims_long_lists_and_strings() -> None:
    out = trimmed({"items": list(range(10)), "log": "x" * 5000, "n": 3})
    assert out["items"] == [0, 1, 2] and len(out["log"]) < 1000 and out["n"] == 3
