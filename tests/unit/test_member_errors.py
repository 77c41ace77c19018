"""cloudops.members.errors: member answers and transport failures mapped to the API's status and code."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any, cast

import aiohttp
import pytest

from cloudops.clusters.connect import ConnectError, MemberClients
from cloudops.kube.client import ApiClient
from cloudops.members.access import ClusterRef, MemberAccess
from cloudops.members.errors import MemberError, from_connect_error, from_status, from_transport

PEM = ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
       "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n-----END RSA PRIVATE KEY-----")


def _status_body(code: int, message: str, **details: Any) -> str:
    body: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message,
                            "code": code}
    if details:
        body["details"] = details
    return json.dumps(body)


@pytest.mark.parametrize(("status", "expected"), [
    (404, (404, 1002)),
    (409, (409, 1006)),
    (422, (422, 422)),
    (400, (422, 422)),
    (403, (403, 1003)),
    (401, (502, 1001)),
    (429, (503, 503)),
    (405, (405, 405)),
    (410, (400, 400)),
    (504, (504, 1004)),
    (500, (502, 1001)),
    (503, (502, 1001)),
])
def test_from_status_mapping(status: int, expected: tuple[int, int]) -> None:
    err = from_status("prod", status, _status_body(status, "something went wrong"), "deployments 'web'")
    assert isinstance(err, MemberError)
    assert (err.status, err.code) == expected
    assert err.cluster == "prod"
    assert err.detail.startswith("cluster 'prod': ")
    assert str(err) == err.detail


def test_from_status_404_without_a_status_body_names_the_object() -> None:
    err = from_status("prod", 404, "404 page not found", "deployments 'web'")
    assert err.detail == "cluster 'prod': deployments 'web': not found"


def test_from_status_404_with_a_status_body_uses_its_message() -> None:
    err = from_status("prod", 404, _status_body(404, 'deployments.apps "web" not found'), "deployments 'web'")
    assert err.detail == "cluster 'prod': deployments.apps \"web\" not found"


def test_from_status_409_keeps_the_member_message() -> None:
    err = from_status("prod", 409, _status_body(409, "the object has been modified"), "update")
    assert "the object has been modified" in err.detail


@pytest.mark.parametrize("status", [400, 422])
def test_from_status_invalid_lists_field_causes(status: int) -> None:
    text = _status_body(status, 'Deployment.apps "web" is invalid', causes=[
        {"reason": "FieldValueInvalid", "message": "Invalid value: -1: must be >= 0", "field": "spec.replicas"},
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.selector"},
    ])
    err = from_status("prod", status, text, "create deployment")
    assert (err.status, err.code) == (422, 422)
    assert "spec.replicas: Invalid value: -1: must be >= 0" in err.detail
    assert "spec.selector: Required value" in err.detail
    assert err.detail.startswith("cluster 'prod': Deployment.apps \"web\" is invalid [")


def test_from_status_invalid_does_not_repeat_causes_already_in_the_message() -> None:
    message = 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1'
    err = from_status("prod", 422, _status_body(422, message, causes=[
        {"reason": "FieldValueInvalid", "message": "Invalid value: -1", "field": "spec.replicas"}]), "create")
    assert err.detail == f"cluster 'prod': {message}"


def test_from_status_invalid_without_json_body() -> None:
    err = from_status("prod", 400, "bad request: spec.replicas", "create")
    assert (err.status, err.code) == (422, 422)
    assert err.detail == "cluster 'prod': bad request: spec.replicas"


def test_from_status_403_names_cluster_and_action() -> None:
    err = from_status("edge-2", 403, _status_body(403, 'pods is forbidden: User "x" cannot list'), "list pods")
    assert err.detail.startswith("cluster 'edge-2': the member's RBAC denies list pods: ")
    assert "cannot list" in err.detail


def test_from_status_401_does_not_echo_the_member_text() -> None:
    err = from_status("prod", 401, "Unauthorized token: abcdef", "list pods")
    assert err.detail == "cluster 'prod': the member rejected the stored credentials (HTTP 401)"


@pytest.mark.parametrize(("header", "expected"), [("7", "7"), (None, "1"), ("", "1")])
def test_from_status_429_retry_after(header: str | None, expected: str) -> None:
    err = from_status("prod", 429, _status_body(429, "too many requests"), "list pods", retry_after=header)
    assert (err.status, err.code) == (503, 503)
    assert err.retry_after == expected
    assert "throttling" in err.detail


def test_retry_after_only_on_429() -> None:
    assert from_status("prod", 500, "x", "get", retry_after="9").retry_after is None


def test_from_status_410_asks_to_restart_listing() -> None:
    err = from_status("prod", 410, _status_body(410, "too old resource version"), "list pods")
    assert (err.status, err.code) == (400, 400)
    assert "continue" in err.detail


def test_from_status_504_and_500_details() -> None:
    assert from_status("prod", 504, "", "list pods").detail == "cluster 'prod': list pods: the member timed out"
    assert from_status("prod", 500, _status_body(500, "etcd down"), "list pods").detail == (
        "cluster 'prod': list pods: the member answered HTTP 500: etcd down")


def test_from_status_413_is_the_callers_error_with_the_members_reason() -> None:
    # kube-apiserver's answer to a request body over its 3 MiB limit.
    text = _status_body(413, "Request entity too large: limit is 3145728", reason="RequestEntityTooLarge")
    err = from_status("prod", 413, text, "create configmaps 'big'")
    assert (err.status, err.code) == (413, 413)
    assert err.detail == ("cluster 'prod': the member refused the request as too large: "
                          "Request entity too large: limit is 3145728")


@pytest.mark.parametrize("status", [406, 411, 412, 413, 414, 415, 418, 421, 431, 451])
def test_from_status_other_4xx_keep_their_status_and_the_members_message(status: int) -> None:
    err = from_status("prod", status, _status_body(status, "the member's own reason"), "create pods")
    assert (err.status, err.code) == (status, status)
    assert err.detail.startswith("cluster 'prod': the member ")
    assert err.detail.endswith(": the member's own reason")


def test_from_status_4xx_without_a_body_still_says_what_happened() -> None:
    assert from_status("prod", 414, "", "list pods").detail == (
        "cluster 'prod': the member refused the request URI as too long")
    assert from_status("prod", 418, "", "x").detail == "cluster 'prod': the member refused the request (HTTP 418)"


def test_from_status_408_is_a_timeout_not_the_callers_error() -> None:
    err = from_status("prod", 408, "request timeout", "create pods")
    assert (err.status, err.code) == (504, 1004)
    assert err.detail == "cluster 'prod': create pods: the member timed out reading the request: request timeout"


@pytest.mark.parametrize("status", [500, 501, 502, 503, 505, 599])
def test_from_status_5xx_other_than_504_stay_connection_failures(status: int) -> None:
    err = from_status("prod", status, "x", "get")
    assert (err.status, err.code) == (502, 1001)


def test_from_status_non_object_json_is_plain_text() -> None:
    assert from_status("prod", 404, "[1, 2]", "pods 'x'").detail == "cluster 'prod': pods 'x': not found"
    assert from_status("prod", 409, "\"conflict\"", "x").detail == "cluster 'prod': \"conflict\""


def test_detail_is_capped() -> None:
    err = from_status("prod", 500, _status_body(500, "word " * 500), "list pods")
    prefix = "cluster 'prod': "
    assert err.detail.startswith(prefix)
    assert len(err.detail) <= len(prefix) + 400
    assert err.detail.endswith("…")


def test_detail_is_one_line() -> None:
    err = from_status("prod", 409, _status_body(409, "line one\nline two\ttabbed"), "x")
    assert err.detail == "cluster 'prod': line one line two tabbed"


@pytest.mark.parametrize("status", [400, 403, 404, 409, 413, 415, 422, 429, 500])
def test_secrets_in_member_messages_are_scrubbed(status: int) -> None:
    text = _status_body(status, f"failed with {PEM} and token: abc123secretvalue, password=hunter2")
    err = from_status("prod", status, text, "get secret")
    for leak in ("BEGIN RSA PRIVATE KEY", "MIIEowIBAAKCAQEA", "abc123secretvalue", "hunter2"):
        assert leak not in err.detail
    assert str(err) == err.detail


def test_secrets_in_field_causes_are_scrubbed() -> None:
    text = _status_body(422, "Secret \"db\" is invalid", causes=[
        {"field": "data", "message": "token: abc123secretvalue is not allowed"}])
    err = from_status("prod", 422, text, "create")
    assert "abc123secretvalue" not in err.detail
    assert "data: token:" in err.detail


def test_secrets_in_plain_text_answers_are_scrubbed() -> None:
    err = from_status("prod", 502, f"proxy error\n{PEM}\nAuthorization: Bearer abc.def.ghi", "get")
    assert "BEGIN" not in err.detail
    assert "abc.def.ghi" not in err.detail


# -- transport -----------------------------------------------------------------------------------------


def test_from_transport_timeout() -> None:
    err = from_transport("prod", TimeoutError(), "https://10.0.0.1:6443")
    assert (err.status, err.code) == (504, 1004)
    assert err.detail == "cluster 'prod': https://10.0.0.1:6443 did not answer in time"


@pytest.mark.parametrize("exc", [aiohttp.ClientConnectionError("refused"), aiohttp.ServerDisconnectedError(),
                                 ConnectionRefusedError(111, "refused"), OSError("no route")])
def test_from_transport_unreachable(exc: BaseException) -> None:
    err = from_transport("prod", exc)
    assert (err.status, err.code) == (502, 1001)
    assert err.detail == f"cluster 'prod': cannot reach the member API server: {type(exc).__name__}"


def test_from_transport_tls() -> None:
    key = SimpleNamespace(host="10.0.0.1", port=6443, ssl=True)
    exc = aiohttp.ClientSSLError(key, OSError("handshake"))  # type: ignore[arg-type]
    err = from_transport("prod", exc, "https://10.0.0.1:6443")
    assert (err.status, err.code) == (502, 1001)
    assert "TLS handshake with https://10.0.0.1:6443 failed" in err.detail


def test_from_transport_does_not_echo_exception_text() -> None:
    err = from_transport("prod", OSError("token: abc123secretvalue"))
    assert "abc123secretvalue" not in err.detail


# -- connect errors -------------------------------------------------------------------------------------


def test_from_connect_error_timeout() -> None:
    err = from_connect_error("prod", ConnectError("Timeout", "https://h did not answer in time", "disconnected"))
    assert (err.status, err.code) == (504, 1004)
    assert err.detail == "cluster 'prod': Timeout: https://h did not answer in time"


@pytest.mark.parametrize("reason", ["Unreachable", "TLSError", "Unauthorized", "SecretMissing", "InvalidKubeconfig"])
def test_from_connect_error_other_reasons(reason: str) -> None:
    err = from_connect_error("prod", ConnectError(reason, "it failed", "error"))
    assert (err.status, err.code) == (502, 1001)
    assert err.detail == f"cluster 'prod': {reason}: it failed"


def test_from_connect_error_scrubs_its_message() -> None:
    err = from_connect_error("prod", ConnectError("InvalidKubeconfig", f"bad client-key-data: QUJD {PEM}", "error"))
    assert "QUJD" not in err.detail
    assert "BEGIN" not in err.detail


async def test_a_cluster_being_deleted_is_409_before_its_secret_is_read() -> None:
    """Its kubeconfig Secret may be gone already: the answer says why, not that a Secret is missing."""
    clients = MemberClients()
    access = MemberAccess(cast(ApiClient, None), "ns", clients, timeout=1)
    cr = {"metadata": {"name": "gone", "namespace": "ns", "deletionTimestamp": "2026-12-05T00:00:00Z"},
          "spec": {"kubeconfigSecretRef": {"name": "missing"}}}
    with pytest.raises(MemberError) as err:
        await access.session(ClusterRef.of(cr))
    assert (err.value.status, err.value.code) == (409, 1006)
    assert "being deleted" in str(err.value)
    assert clients.secret_reads == 0
