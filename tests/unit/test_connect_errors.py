"""explain(): failures talking to a member become actionable reasons without leaking credentials."""

from __future__ import annotations

from types import SimpleNamespace

import aiohttp
import pytest
from kubernetes_asyncio.client.exceptions import ApiException

from cloudops.clusters.connect import ConnectError, explain

SERVER = "https://member.example:6443"
SECRET = "SECRET-bearer-value-9f8e7d"


def _explained(exc: BaseException) -> ConnectError:
    err = explain(exc, SERVER)
    assert isinstance(err, ConnectError)
    assert SECRET not in err.message
    assert SECRET not in str(err)
    return err


@pytest.mark.parametrize("exc", [TimeoutError(), TimeoutError(f"token={SECRET}"),
                                 aiohttp.ServerTimeoutError(f"token={SECRET}")])
def test_timeouts_are_disconnected_timeout(exc: BaseException) -> None:
    err = _explained(exc)
    assert (err.phase, err.reason) == ("disconnected", "Timeout")
    assert SERVER in err.message


@pytest.mark.parametrize("status", [401, 403])
def test_rejected_credentials_are_error_unauthorized(status: int) -> None:
    err = _explained(ApiException(status=status, reason="Unauthorized"))
    assert (err.phase, err.reason) == ("error", "Unauthorized")
    assert SERVER in err.message
    assert str(status) in err.message


def test_server_error_is_disconnected_api_error() -> None:
    exc = ApiException(status=500, reason="Internal Server Error")
    exc.body = f'{{"message": "token={SECRET}"}}'
    err = _explained(exc)
    assert (err.phase, err.reason) == ("disconnected", "APIError")
    assert SERVER in err.message
    assert "500" in err.message


@pytest.mark.parametrize("exc", [
    aiohttp.ClientConnectionError(f"token={SECRET}"),
    aiohttp.ServerDisconnectedError(f"token={SECRET}"),
    OSError(f"token={SECRET}"),
    ConnectionRefusedError(f"password={SECRET}"),
    aiohttp.ClientPayloadError(f"token={SECRET}"),
])
def test_connection_failures_are_disconnected_unreachable(exc: BaseException) -> None:
    err = _explained(exc)
    assert (err.phase, err.reason) == ("disconnected", "Unreachable")
    assert SERVER in err.message
    assert type(exc).__name__ in err.message


def test_connector_error_is_unreachable() -> None:
    key = SimpleNamespace(host="member.example", port=6443, ssl=True)
    err = _explained(aiohttp.ClientConnectorError(key, OSError(111, f"refused token={SECRET}")))  # type: ignore[arg-type]
    assert (err.phase, err.reason) == ("disconnected", "Unreachable")


def test_tls_failure_is_error_tls() -> None:
    key = SimpleNamespace(host="member.example", port=6443, ssl=True)
    err = _explained(aiohttp.ClientSSLError(key, OSError(f"bad cert {SECRET}")))  # type: ignore[arg-type]
    assert (err.phase, err.reason) == ("error", "TLSError")
    assert SERVER in err.message


def test_connect_error_passes_through_unchanged() -> None:
    original = ConnectError("SecretNotFound", "kubeconfig Secret 'x' not found", "error")
    assert explain(original, SERVER) is original


@pytest.mark.parametrize("exc", [RuntimeError(f"token={SECRET}"), ValueError(SECRET), KeyError(SECRET)])
def test_unknown_exceptions_are_error_probe_failed(exc: BaseException) -> None:
    err = _explained(exc)
    assert (err.phase, err.reason) == ("error", "ProbeFailed")
    assert SERVER in err.message
    assert type(exc).__name__ in err.message


def test_connect_error_carries_message_as_str() -> None:
    err = ConnectError("Timeout", "slow", "disconnected")
    assert str(err) == "slow"
    assert (err.reason, err.message, err.phase) == ("Timeout", "slow", "disconnected")
