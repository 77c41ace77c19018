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


# Secret values are redacted by kind and field, whatever their keys are called (issue 18, item 1).

def test_secret_data_and_string_data_are_redacted_whatever_the_key() -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "labels": {"app": "x"}},
              "type": "Opaque", "data": {"conn": "cG9zdGdyZXM6Ly91OnBAaA=="}, "stringData": {"dbpass": "hunter2"}}
    out = redact_params({"cluster_id": 1, "resource": secret})
    assert out["resource"]["data"] == {"conn": REDACTED}
    assert out["resource"]["stringData"] == {"dbpass": REDACTED}
    assert out["resource"]["metadata"] == {"name": "db", "labels": {"app": "x"}}  # the rest stays for the audit


def test_a_resource_type_naming_secrets_marks_the_body() -> None:
    body = {"cluster_id": 1, "resource_type": "secrets", "namespace": "ns",
            "resource": {"metadata": {"name": "db"}, "data": {"conn": "c2VjcmV0"}}}
    assert redact_params(body)["resource"]["data"] == {"conn": REDACTED}
    assert redact_params({"resource_type": "v1/Secret", "data": {"x": "eA=="}})["data"] == {"x": REDACTED}


def test_string_data_alone_marks_a_secret() -> None:
    assert redact_params({"metadata": {"name": "a"}, "stringData": {"x": "y"}})["stringData"] == {"x": REDACTED}


def test_a_request_naming_secrets_redacts_data_anywhere_in_its_body() -> None:
    out = redact_params({"body": {"metadata": {"name": "db"}, "data": {"conn": "c2VjcmV0"}}}, secret=True)
    assert out["body"]["data"] == {"conn": REDACTED}


def test_configmap_data_is_kept() -> None:
    body = {"resource_type": "configmaps", "resource": {"kind": "ConfigMap", "data": {"mode": "fast"}}}
    assert redact_params(body) == body


def test_batches_redact_each_secret_item_only() -> None:
    body = {"operations": [{"resource": {"kind": "ConfigMap", "data": {"a": "1"}}},
                           {"resource": {"kind": "Secret", "data": {"b": "Mg=="}}}]}
    out = redact_params(body)
    assert out["operations"][0]["resource"]["data"] == {"a": "1"}
    assert out["operations"][1]["resource"]["data"] == {"b": REDACTED}


@pytest.mark.parametrize("text", [
    "apiVersion: v1\nkind: Secret\nstringData:\n  dbconn: postgres://u:hunter2@h/db\n",
    "---\nkind: ConfigMap\n---\n  kind: 'secret'\ndata: {x: aHVudGVyMg==}\n",
    '{"apiVersion":"v1","kind":"Secret","data":{"x":"aHVudGVyMg=="}}',
])
def test_text_holding_a_secret_manifest_goes_whole(text: str) -> None:
    out = redact_params({"yaml": text})
    assert "hunter2" not in json.dumps(out) and "aHVudGVyMg" not in json.dumps(out)
    assert out["yaml"].startswith(REDACTED)


def test_kubectl_secret_sources_are_redacted_in_commands() -> None:
    cmd = ("kubectl create secret generic db --from-literal=dbconn=postgres://u:hunter2@h/db "
           "--from-literal 'pw=two words' --from-file=key=/tmp/k --from-env-file=.env -n prod")
    out = redact_params({"command": cmd})["command"]
    for leaked in ("hunter2", "two words", "/tmp/k", ".env"):
        assert leaked not in out
    assert out.startswith("kubectl create secret generic db --from-literal=dbconn=") and out.endswith("-n prod")


def test_values_in_the_form_of_our_keys_and_tickets_are_redacted_anywhere() -> None:
    key = "cok_0123456789abcdef_" + "Zx9" * 12
    ticket = "terminal-" + "ab12" * 8
    out = json.dumps(redact_params({"query": {"key": [key], "session": [ticket]}, "note": f"tried {key}"}))
    assert key not in out and ticket not in out
    assert "cok_0123456789abcdef_" in out  # the key's id still says which key was tried


def test_redaction_of_a_deep_value_stops_instead_of_recursing_forever() -> None:
    deep: object = "leaf"
    for _ in range(5000):
        deep = [deep]
    assert json.dumps(redact_params({"body": deep})).count(REDACTED) == 1
