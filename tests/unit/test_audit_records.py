"""Audit records: parameters redacted at any depth, and the three sinks."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from api_shim.security.audit import AuditRecord, AuditSink, redact_params
from cloudops.redact import REDACTED

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl"


def _record(**over: object) -> AuditRecord:
    base: dict[str, object] = {
        "time": "2024-05-17T13:47:38Z", "user": "alice", "groups": ["devs", "system:authenticated"],
        "auth_method": "jwt", "operation": "clusters.create", "route": "/api/v1/clusters",
        "resource": {"kind": "ManagedCluster", "name": "prod"}, "client_ip": "10.0.0.1", "status": 201,
        "code": None, "latency_ms": 12.5, "params": {"name": "prod"},
    }
    base.update(over)
    return AuditRecord(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("key", ["kubeconfig", "token", "password", "secret", "api_key", "api-key", "apikey",
                                 "credential", "private", "KubeConfig", "access_token", "db_password",
                                 "clientSecret", "credentials", "private_key", "API_KEY"])
def test_secret_like_keys_are_redacted(key: str) -> None:
    assert redact_params({key: "hunter2", "name": "prod"}) == {key: REDACTED, "name": "prod"}


def test_secret_keys_are_redacted_whatever_the_value_type() -> None:
    out = redact_params({"kubeconfig": {"clusters": []}, "tokens": ["a", "b"], "password": 1234})
    assert out == {"kubeconfig": REDACTED, "tokens": REDACTED, "password": REDACTED}


def test_nested_dicts_and_lists_are_redacted_at_any_depth() -> None:
    params = {"spec": {"auth": [{"name": "main", "token": "abc"}, {"name": "b", "nested": {"secret": "s"}}]}}
    assert redact_params(params) == {
        "spec": {"auth": [{"name": "main", "token": REDACTED}, {"name": "b", "nested": {"secret": REDACTED}}]}
    }


def test_strings_are_passed_through_text_redaction() -> None:
    out = redact_params({"note": f"Authorization: Bearer {JWT}", "items": [f"jwt {JWT}", "plain"]})
    assert JWT not in json.dumps(out)
    assert out["note"] == f"Authorization: Bearer {REDACTED}"
    assert out["items"][1] == "plain"


def test_ordinary_values_are_kept() -> None:
    params = {"name": "prod", "replicas": 3, "enabled": True, "ratio": 0.5, "nothing": None,
              "tags": ["a", "b"], "labels": {"env": "prod"}}
    assert redact_params(params) == params


def test_redact_params_does_not_mutate_input() -> None:
    params = {"token": "abc", "spec": {"password": "p"}}
    redact_params(params)
    assert params == {"token": "abc", "spec": {"password": "p"}}


def test_top_level_scalars_and_lists() -> None:
    assert redact_params(42) == 42
    assert redact_params(None) is None
    assert redact_params(["password=hunter2", 7]) == [f"password={REDACTED}", 7]


def test_none_sink_writes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    sink = AuditSink("none")
    sink.write(_record())
    sink.close()
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ""


def test_file_sink_writes_one_json_line_per_record(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    sink = AuditSink(f"file:{path}")
    sink.write(_record(user="alice"))
    sink.write(_record(user="bob", status=403, code=403))
    sink.close()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert set(first) == {"audit"}
    assert first["audit"]["user"] == "alice"
    assert first["audit"]["resource"] == {"kind": "ManagedCluster", "name": "prod"}
    assert first["audit"]["code"] is None
    assert second["audit"]["user"] == "bob"
    assert second["audit"]["status"] == 403


def test_file_sink_appends_to_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    path.write_text('{"audit": {"user": "earlier"}}\n', encoding="utf-8")
    sink = AuditSink(f"file:{path}")
    sink.write(_record())
    sink.close()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["audit"]["user"] for line in lines] == ["earlier", "alice"]


def test_file_sink_keeps_non_ascii_text(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    sink = AuditSink(f"file:{path}")
    sink.write(_record(user="zoë"))
    sink.close()
    assert json.loads(path.read_text(encoding="utf-8"))["audit"]["user"] == "zoë"


def test_stdout_sink_writes_json_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    sink = AuditSink("stdout")
    sink.write(_record(operation="clusters.delete"))
    sink.close()  # must not close sys.stdout
    assert not sys.stdout.closed
    out = capsys.readouterr().out
    assert out.endswith("\n")
    assert json.loads(out)["audit"]["operation"] == "clusters.delete"
