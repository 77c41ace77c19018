"""Issue 18 through the real shim and a real member: Secret values out of the audit, hostile bodies refused
before parsing, strict content types, keys in the wrong place never recorded."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import uuid
from pathlib import Path
from typing import Any

import pytest

from api_shim.state import AUDIT
from cloudops.settings import Settings
from devcluster.topology import Topology
from tests.leaks import secret
from tests.shim.conftest import Client, KeyMaker
from tests.shim.member_fixtures import call, registered_member

CREATE = "/api/k8s/unified/resources"


def _audit(shim: Client, settings: Settings) -> tuple[str, list[dict[str, Any]]]:
    shim.app[AUDIT].flush()  # records are written by their own thread
    text = Path(settings.audit_sink.removeprefix("file:")).read_text()
    return text, [json.loads(line)["audit"] for line in text.splitlines()]


async def test_secret_values_never_reach_the_audit_whatever_their_keys(
        topology: Topology, shim: Client, settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    values = [secret(f"v{i}-{uuid.uuid4().hex}") for i in range(4)]
    async with registered_member(topology, shim, "hardened", "hard") as (cluster, k, ns):
        cid = cluster["id"]
        with caplog.at_level(logging.INFO):
            created = (await call(shim, "POST", CREATE, json={
                "cluster_id": cid, "resource_type": "secret", "namespace": ns,
                "resource": {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
                             "stringData": {"dbpass": values[0]},
                             "data": {"conn": base64.b64encode(values[1].encode()).decode()}}}))["data"]
            # An update names no kind: the id says it is a Secret.
            await call(shim, "PUT", f"{CREATE}/{created['id']}", json={
                "resource": {"apiVersion": "v1", "metadata": {"name": "db"}, "stringData": {"dbpass": values[2]}}})
            cli = (await call(shim, "POST", "/api/k8s/cli/execute", json={
                "cluster_id": cid, "namespace": ns,
                "command": f"kubectl create secret generic cli-made --from-literal=dbconn={values[3]}"}))["data"]
        live = await asyncio.to_thread(k.json, "get", "secret", "db")
        assert base64.b64decode(live["data"]["dbpass"]).decode() == values[2]  # the values did reach the member
        made = await asyncio.to_thread(k.json, "get", "secret", "cli-made")
        assert base64.b64decode(made["data"]["dbconn"]).decode() == values[3]
    assert cli["exit_code"] == 0 and values[3] not in json.dumps(cli)  # the echoed command is redacted too
    text, records = _audit(shim, settings)
    logs = "\n".join(r.getMessage() for r in caplog.records)
    for value in values:
        for form in (value, base64.b64encode(value.encode()).decode()):
            assert form not in text and form not in logs
    create = next(r for r in records if r["operation"] == f"POST {CREATE}")
    assert create["params"]["body"]["resource"]["metadata"] == {"name": "db"}  # the rest is still audited
    assert create["params"]["body"]["resource"]["stringData"] == {"dbpass": "[REDACTED]"}
    cli_rec = next(r for r in records if r["operation"] == "POST /api/k8s/cli/execute")
    assert "--from-literal=dbconn=[REDACTED]" in cli_rec["params"]["body"]["command"]


async def test_a_deeply_nested_body_is_a_400_audited_and_logged_by_no_traceback(
        shim: Client, settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    deep = '{"cluster_id": 1, "resource": ' + '{"a":' * 600 + "1" + "}" * 600 + "}"
    assert len(deep) < 4000  # small: the attack costs nothing to send
    for path in (CREATE, "/api/k8s/clusters/add"):
        with caplog.at_level(logging.INFO):
            r = await shim.post(path, data=deep, headers={"Content-Type": "application/json"})
            body = await r.json()
        assert r.status == 400 and body["code"] == 400, body
        assert body["error"] == "body: nested deeper than 100 levels"
    assert not [rec for rec in caplog.records if rec.levelno >= logging.WARNING or rec.exc_info]
    _, records = _audit(shim, settings)
    refused = [r for r in records if r["status"] == 400 and r["route"] == CREATE]
    assert refused and refused[0]["params"]["body"] == "<refused: nested deeper than 100 levels>"


async def test_a_key_sent_where_no_key_belongs_is_never_audited(
        shim: Client, settings: Settings, make_key: KeyMaker) -> None:
    key = await make_key("misplaced", ["cloudops:viewers"])
    r = await shim.get(f"/api/k8s/clusters/list?key={key}", headers={"X-API-Key": ""})
    assert r.status == 401
    r = await shim.get(f"/api/k8s/clusters/list?api={key}&note=Bearer%20{key}")
    answer = await r.text()
    assert r.status == 400 and "api" in answer and key not in answer  # unknown parameters are refused by name
    text, records = _audit(shim, settings)
    assert key not in text and len(records) == 2
    assert records[0]["status"] == 401 and records[0]["params"]["query"]["key"][0].startswith(key[:21])


async def test_json_bodies_must_say_they_are_json(topology: Topology, shim: Client, settings: Settings) -> None:
    async with registered_member(topology, shim, "typed", "typed") as (cluster, k, ns):
        body = json.dumps({"cluster_id": cluster["id"], "resource_type": "configmap", "namespace": ns,
                           "resource": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}}})
        r = await shim.post(CREATE, data=body, headers={"Content-Type": "text/plain"})
        err = await r.json()
        assert r.status == 415 and err["code"] == 415 and "application/json" in err["error"], err
        assert "text/plain" in err["error"]
        r = await shim.post(CREATE, data=body.encode(), skip_auto_headers=["Content-Type"])
        err = await r.json()
        assert r.status == 415 and "no Content-Type" in err["error"], err
        assert (await asyncio.to_thread(k.run, "get", "configmap", "cm", check=False)).returncode != 0
        # The declared type, with a charset, and a +json type are fine; an empty body needs no type.
        r = await shim.post(CREATE, data=body, headers={"Content-Type": "application/json; charset=utf-8"})
        assert r.status == 200, await r.text()
    _, records = _audit(shim, settings)
    plain = next(r for r in records if r["status"] == 415)
    assert plain["params"]["body"].startswith("<text/plain, ")
    r = await shim.post(f"/api/k8s/clusters/{cluster['id']}/test", data=b"", headers={"Content-Type": "text/plain"})
    assert r.status != 415
