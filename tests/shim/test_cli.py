"""开发工具 API 1.1–1.2 against a member: the config, real kubectl runs, every refusal, and who may write."""

from __future__ import annotations

import dataclasses

from aiohttp.test_utils import TestServer

from api_shim.app import create_app
from api_shim.state import CACHE
from cloudops.settings import Settings
from tests.helpers import eventually
from tests.shim.checked import CheckedClient
from tests.shim.conftest import Client, KeyMaker
from tests.shim.network_fixtures import Member, call, member, pod

__all__ = ["member"]

RUN = "/api/k8s/cli/execute"


async def test_config_and_kubectl_against_a_member(member: Member, shim: Client, make_key: KeyMaker) -> None:
    cid = member.cluster["id"]
    cfg = (await call(shim, "GET", "/api/k8s/cli/config"))["data"]
    mine = next(c for c in cfg["clusters"] if c["id"] == cid)
    assert mine["context"] == mine["name"] == member.cluster["name"] and mine["endpoint"].startswith("https://127.")
    kubectl = cfg["plugins"][0]
    assert kubectl["name"] == "kubectl" and kubectl["enabled"] and kubectl["version"].startswith("v1.")
    assert "get" in kubectl["read_subcommands"] and "scale" in kubectl["write_subcommands"]
    assert "-data" not in str(cfg) and "token" not in str(cfg)

    # A real kubectl get sees what the member has, and sees it change.
    body = {"command": "kubectl get pods -o name", "cluster_id": cid, "namespace": member.ns}
    before = (await call(shim, "POST", RUN, json=body))["data"]
    assert before["exit_code"] == 0 and before["stdout"] == "" and not before["timed_out"]
    await member.apply(pod("web", {"app": "web"}))
    after = (await call(shim, "POST", RUN, json=body))["data"]
    assert after["stdout"].strip() == "pod/web" and after["namespace"] == member.ns and after["duration"] > 0
    # The command's own namespace wins; a failing command is still an answer, with its exit code.
    other = (await call(shim, "POST", RUN, json={**body, "command": "kubectl get pods -n kube-system -o name"}))
    assert "pod/web" not in other["data"]["stdout"] and other["data"]["namespace"] is None
    missing = (await call(shim, "POST", RUN, json={**body, "command": "kubectl get pod nope"}))["data"]
    assert missing["exit_code"] == 1 and "not found" in missing["stderr"]

    # Every injection and refused form is a 400 naming it; nothing runs.
    for command, named in [("kubectl get pods; id", "';'"), ("kubectl get pods && id", "'&&'"),
                           ("kubectl get $(id)", "'$('"), ("kubectl get `id`", "backticks"),
                           ("kubectl get pods\nid", "newline"), ("kubectl get pods | sh", "'|'"),
                           ("kubectl get pods --kubeconfig=/etc/k", "--kubeconfig"),
                           ("kubectl get pods --server=https://127.0.0.1:1", "--server"),
                           ("kubectl get pods -s https://127.0.0.1:1", "-s"), ("kubectl get pods --token=x", "--token"),
                           ("kubectl get pods --as=admin", "--as"), ("kubectl get pods --as-group=g", "--as-group"),
                           ("kubectl --context=x get pods", "--context"), ("kubectl get pods --cluster=x", "--cluster"),
                           ("kubectl get pods --user=x", "--user"),
                           ("kubectl get pods --insecure-skip-tls-verify", "--insecure-skip-tls-verify"),
                           ("kubectl exec web -- id", "'exec'"), ("kubectl attach web", "'attach'"),
                           ("kubectl port-forward web 1:1", "'port-forward'"), ("kubectl proxy", "'proxy'"),
                           ("kubectl cp web:/x y", "'cp'"), ("kubectl plugin list", "'plugin'"),
                           ("kubectl edit pod web", "'edit'"), ("kubectl debug web", "'debug'"),
                           ("bash -c id", "only kubectl")]:
        err = await call(shim, "POST", RUN, 400, json={**body, "command": command})
        assert err["error"].startswith("command: ") and named in err["error"], (command, err)
    await call(shim, "POST", RUN, 400, json={**body, "timeout": 0})

    # Who may do what: a viewer has no CLI; an operator reads and writes but reads no Secrets; an admin may.
    viewer = {"X-API-Key": await make_key("vera", ["cloudops:viewers"])}
    operator = {"X-API-Key": await make_key("otto", ["cloudops:operators"])}
    assert (await call(shim, "GET", "/api/k8s/cli/config", 403, headers=viewer))["code"] == 1003
    assert (await call(shim, "POST", RUN, 403, headers=viewer, json=body))["code"] == 1003
    label = {**body, "command": "kubectl label pod web checked=yes"}
    await call(shim, "POST", RUN, 403, headers=viewer, json=label)
    assert (await call(shim, "POST", RUN, headers=operator, json=label))["data"]["exit_code"] == 0
    labels = await eventually(lambda: member.json("get", "pod", "web"), what="pod")
    assert labels["metadata"]["labels"]["checked"] == "yes"
    secrets = {**body, "command": "kubectl get secrets -o name"}
    await call(shim, "POST", RUN, 403, headers=operator, json=secrets)
    await call(shim, "POST", RUN, 403, headers=operator, json={**body, "command": "kubectl create token default"})
    assert (await call(shim, "POST", RUN, json=secrets))["data"]["exit_code"] == 0


async def test_kubectl_missing_is_503(settings: Settings, make_key: KeyMaker, member: Member) -> None:
    key = await make_key("test-admin", ["cloudops:admins"])
    app = create_app(dataclasses.replace(settings, cli_kubectl="no-such-kubectl-here"))
    async with CheckedClient(TestServer(app), headers={"X-API-Key": key}) as client:
        assert await client.app[CACHE].wait_synced(60)
        err = await call(client, "POST", RUN, 503, json={"command": "kubectl get pods",
                                                          "cluster_id": member.cluster["id"]})
        assert "not installed" in err["error"]
        cfg = (await call(client, "GET", "/api/k8s/cli/config"))["data"]
        assert cfg["plugins"][0]["enabled"] is False and cfg["plugins"][0]["version"] is None
