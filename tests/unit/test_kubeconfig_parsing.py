"""Kubeconfig decoding and checking: precise errors that never echo the kubeconfig's secrets."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import yaml

from cloudops.clusters.kubeconfig import KubeconfigError, decode_base64_kubeconfig, parse_kubeconfig, server_of

TOKEN = "SUPERSECRETTOKEN123"
KEY_DATA = base64.b64encode(b"-----BEGIN PRIVATE KEY-----\nFAKEKEYMATERIAL\n-----END PRIVATE KEY-----").decode()
CA_DATA = base64.b64encode(b"FAKE CA CERTIFICATE BYTES").decode()
SECRETS = (TOKEN, KEY_DATA, "FAKEKEYMATERIAL", CA_DATA)


def _config(**overrides: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "dev",
        "clusters": [
            {"name": "dev-cluster", "cluster": {"server": "https://127.0.0.1:6443",
                                                "certificate-authority-data": CA_DATA}},
            {"name": "prod-cluster", "cluster": {"server": "https://10.0.0.1:6443"}},
            {"name": "broken-cluster", "cluster": {"certificate-authority-data": CA_DATA}},
        ],
        "users": [
            {"name": "dev-admin", "user": {"token": TOKEN}},
            {"name": "prod-admin", "user": {"client-key-data": KEY_DATA}},
        ],
        "contexts": [
            {"name": "dev", "context": {"cluster": "dev-cluster", "user": "dev-admin"}},
            {"name": "prod", "context": {"cluster": "prod-cluster", "user": "prod-admin"}},
            {"name": "no-server", "context": {"cluster": "broken-cluster", "user": "dev-admin"}},
            {"name": "no-cluster", "context": {"cluster": "missing-cluster", "user": "dev-admin"}},
            {"name": "ghost-user", "context": {"cluster": "dev-cluster", "user": "nobody"}},
        ],
    }
    cfg.update(overrides)
    return cfg


def _text(cfg: dict[str, Any]) -> str:
    return yaml.safe_dump(cfg)


def _error(text: str, context: str | None = None) -> str:
    with pytest.raises(KubeconfigError) as info:
        parse_kubeconfig(text, context)
    message = str(info.value)
    for secret in SECRETS:
        assert secret not in message
    return message


# --- decode_base64_kubeconfig ---------------------------------------------------------------------------------


def test_decode_round_trips_and_tolerates_surrounding_whitespace() -> None:
    text = _text(_config())
    assert decode_base64_kubeconfig("\n  " + base64.b64encode(text.encode()).decode() + "  \n") == text


def test_decode_rejects_invalid_base64_without_echoing_it() -> None:
    bad = f"token: {TOKEN}!!"
    with pytest.raises(KubeconfigError) as info:
        decode_base64_kubeconfig(bad)
    assert str(info.value) == "kubeconfig: not valid base64-encoded UTF-8"
    assert TOKEN not in str(info.value)


def test_decode_rejects_non_utf8() -> None:
    encoded = base64.b64encode(b"\xff\xfe\xfd" + TOKEN.encode()).decode()
    with pytest.raises(KubeconfigError, match="not valid base64-encoded UTF-8") as info:
        decode_base64_kubeconfig(encoded)
    assert TOKEN not in str(info.value)
    assert info.value.__cause__ is None


# --- parse_kubeconfig -----------------------------------------------------------------------------------------


def test_valid_kubeconfig_uses_current_context() -> None:
    cfg = parse_kubeconfig(_text(_config()))
    assert cfg["current-context"] == "dev"
    assert server_of(cfg, None) == "https://127.0.0.1:6443"


def test_explicit_context_overrides_current_context() -> None:
    cfg = parse_kubeconfig(_text(_config()), "prod")
    assert server_of(cfg, "prod") == "https://10.0.0.1:6443"


def test_explicit_context_works_without_current_context() -> None:
    cfg = _config()
    del cfg["current-context"]
    assert server_of(parse_kubeconfig(_text(cfg), "prod"), "prod") == "https://10.0.0.1:6443"


def test_not_yaml() -> None:
    text = f"users:\n- name: a\n  user: {{token: {TOKEN}\n    client-key-data: [{KEY_DATA}"
    assert _error(text) == "kubeconfig: not valid YAML"


@pytest.mark.parametrize("text", [f"- {TOKEN}\n- {KEY_DATA}\n", f"{TOKEN}\n", "42", ""])
def test_not_a_mapping(text: str) -> None:
    assert _error(text) == "kubeconfig: no contexts section (is this a kubeconfig?)"


def test_missing_contexts_section() -> None:
    cfg = _config()
    del cfg["contexts"]
    assert "no contexts section" in _error(_text(cfg))


def test_contexts_not_a_list() -> None:
    assert "no contexts section" in _error(_text(_config(contexts={"dev": {"cluster": "dev-cluster"}})))


def test_no_context_given_and_no_current_context() -> None:
    cfg = _config()
    del cfg["current-context"]
    assert _error(_text(cfg)) == "context: not given and the kubeconfig has no current-context"


def test_unknown_context_lists_available_contexts() -> None:
    message = _error(_text(_config()), "staging")
    assert message.startswith("context: 'staging' is not in the kubeconfig")
    assert "(has: dev, ghost-user, no-cluster, no-server, prod)" in message


def test_unknown_current_context_is_reported() -> None:
    message = _error(_text(_config(**{"current-context": "gone"})))
    assert "'gone' is not in the kubeconfig" in message


def test_context_whose_cluster_has_no_server() -> None:
    assert _error(_text(_config()), "no-server") == "context: 'no-server' refers to a cluster with no server"


def test_context_whose_cluster_is_missing() -> None:
    assert _error(_text(_config()), "no-cluster") == "context: 'no-cluster' refers to a cluster with no server"


def test_context_whose_cluster_section_is_absent() -> None:
    cfg = _config()
    del cfg["clusters"]
    assert "refers to a cluster with no server" in _error(_text(cfg))


def test_context_whose_user_is_missing() -> None:
    assert _error(_text(_config()), "ghost-user") == (
        "context: 'ghost-user' refers to user 'nobody' that is not in the kubeconfig")


def test_context_without_user_is_accepted() -> None:
    cfg = _config(contexts=[{"name": "anon", "context": {"cluster": "prod-cluster"}}], **{"current-context": "anon"})
    assert server_of(parse_kubeconfig(_text(cfg)), None) == "https://10.0.0.1:6443"


def test_errors_do_not_chain_the_yaml_exception() -> None:
    with pytest.raises(KubeconfigError) as info:
        parse_kubeconfig(f"token: [{TOKEN}")
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


# Malformed but YAML-valid entries must still be reported as KubeconfigError (the caller only maps that
# exception to KubeconfigInvalid); these currently escape as AttributeError / TypeError.


def test_context_entry_that_is_not_a_mapping_is_a_kubeconfig_error() -> None:
    cfg = _config(contexts=[{"name": "dev", "context": TOKEN}])
    _error(_text(cfg))


def test_cluster_entry_that_is_not_a_mapping_is_a_kubeconfig_error() -> None:
    cfg = _config(clusters=[{"name": "dev-cluster", "cluster": TOKEN}])
    _error(_text(cfg))


def test_context_cluster_reference_that_is_a_list_is_a_kubeconfig_error() -> None:
    cfg = _config(contexts=[{"name": "dev", "context": {"cluster": ["dev-cluster"], "user": "dev-admin"}}])
    _error(_text(cfg))


# --- server_of ------------------------------------------------------------------------------------------------


def test_server_of_prefers_explicit_context() -> None:
    cfg = _config()
    assert server_of(cfg, "prod") == "https://10.0.0.1:6443"
    assert server_of(cfg, None) == "https://127.0.0.1:6443"
