"""MCP's Host and Origin checks: the SDK's rule, answered in the envelope with the setting to change."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import make_mocked_request

from api_shim.mcp_edge import allowed_hosts, edge_refusal
from cloudops.settings import Settings


def _refusal(headers: dict[str, str], hosts: str = "") -> tuple[int, str] | None:
    err = edge_refusal(make_mocked_request("POST", "/mcp", headers=headers), allowed_hosts(Settings(
        mcp_allowed_hosts=hosts)))
    return None if err is None else (err.status, err.detail)


@pytest.mark.parametrize(("host", "hosts"), [
    ("127.0.0.1:8080", ""), ("localhost:1", ""), ("cloudops-shim", "cloudops-shim"),
    ("cloudops-shim:80", "cloudops-shim:*"), ("evil.example", "*")])
def test_admitted_hosts(host: str, hosts: str) -> None:
    assert _refusal({"Host": host}, hosts) is None


@pytest.mark.parametrize(("host", "hosts"), [
    ("evil.example", ""), ("cloudops-shim:80", "cloudops-shim"), ("127.0.0.1.evil.example", ""), ("", "")])
def test_refused_hosts_are_421_naming_the_header_and_the_setting(host: str, hosts: str) -> None:
    refused = _refusal({"Host": host}, hosts)
    assert refused is not None and refused[0] == 421
    assert f"Host header {host!r}" in refused[1] and "CLOUDOPS_MCP_ALLOWED_HOSTS" in refused[1]


def test_a_foreign_origin_is_403() -> None:
    assert _refusal({"Host": "127.0.0.1:8080", "Origin": "http://127.0.0.1:8080"}) is None
    refused = _refusal({"Host": "127.0.0.1:8080", "Origin": "https://evil.example"})
    assert refused is not None and refused[0] == 403 and "'https://evil.example'" in refused[1]
