"""Pods on the local members have a filesystem of their own (issue 20): exec, terminals and files run inside the
pod's root (devcluster/podroot.py) through podexec's jail (controlplane/podexec), as the user app, and never see,
touch or run anything of this machine.

Every check goes through the product's REST endpoints against a real kwok member, whose kwok-controller runs
jailed; what lands where is then read from the host.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from cloudops.kube.client import hub_client
from cloudops.members import exec as exec_stream
from devcluster.demo import CONTAINER_ID, start_demo
from devcluster.podroot import UNJAILED, make_root, passwd_text
from devcluster.topology import Topology
from tests.helpers import REPO, Kubectl
from tests.shim.checked import call
from tests.shim.conftest import Client, KeyMaker

Json = dict[str, Any]
BASE = "/api/k8s/containers"


@dataclass(frozen=True)
class Pods:
    namespace: str
    root: Path  # pod `box`'s root on this machine
    plain: Path  # pod `plain`'s workDir: a directory that is no pod root


@pytest.fixture(scope="module")
def pods(topology: Topology, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pods]:
    ns = f"sandbox-{uuid.uuid4().hex[:8]}"
    work = tmp_path_factory.mktemp("pod-sandbox")
    root, plain = make_root(work / "rootfs"), work / "plain"
    plain.mkdir()
    (plain / "bin").mkdir()
    admin = Kubectl(topology.members[0].kubeconfig)
    objs: list[Json] = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}]
    for name, workdir in (("box", root), ("plain", plain)):
        objs += [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns},
                  "spec": {"containers": [{"name": "app", "image": "busybox"}]}},
                 {"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "Exec", "metadata": {"name": name, "namespace": ns},
                  "spec": {"execs": [{"containers": ["app"], "local": {"workDir": str(workdir)}}]}}]
    admin("apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": objs}))
    admin("wait", "-n", ns, "--for=condition=Ready", "pod/box", "pod/plain", "--timeout=60s")
    # The uploads below must never reach this machine's own /: nothing runs unless the pod's exec is the pod's.
    assert admin("exec", "-n", ns, "box", "--", "id", "-u").strip() == "1000", UNJAILED
    try:
        yield Pods(ns, root, plain)
    finally:
        admin.run("delete", "namespace", ns, "--wait=false", check=False)


@pytest.fixture
async def box(topology: Topology, shim: Client, pods: Pods) -> str:
    """member-1 registered as m1; the id of the container of pod `box`."""
    body = {"name": "m1", "kubeconfig": base64.b64encode(topology.members[0].kubeconfig.read_bytes()).decode()}
    await call(shim, "POST", "/api/k8s/clusters/add", json=body)
    return f"m1:{pods.namespace}:box:app"


@pytest.fixture
async def raw(shim: Client, make_key: KeyMaker) -> AsyncIterator[aiohttp.ClientSession]:
    """A plain client of the same server, for multipart uploads and downloads."""
    key = await make_key("raw-admin", ["cloudops:admins"])
    async with aiohttp.ClientSession(str(shim.make_url("")), headers={"X-API-Key": key}) as s:
        yield s


async def run(shim: Client, cid: str, *command: str, expect: int = 200) -> Json:
    return (await call(shim, "POST", f"{BASE}/{cid}/exec", expect=expect, json={"command": list(command)}))


async def test_exec_sees_the_pods_root_as_a_user_that_is_not_root(shim: Client, box: str, pods: Pods) -> None:
    listed = (await run(shim, box, "ls", "-a", "/"))["data"]
    names = set(listed["stdout"].split()) - {".", ".."}
    assert names == {p.name for p in pods.root.iterdir()}, listed
    assert "work" not in names and "boot" not in names  # this machine's / has both
    ids = (await run(shim, box, "id"))["data"]
    assert ids["stdout"].strip() == "uid=1000(app) gid=1000(app)" and ids["exit_code"] == 0, ids
    assert (await run(shim, box, "cat", "/etc/passwd"))["data"]["stdout"] == passwd_text()
    # The shell's environment is the pod's: none of kwok's or this machine's variables.
    env = dict(line.split("=", 1) for line in (await run(shim, box, "env"))["data"]["stdout"].splitlines())
    assert env["PATH"] == "/bin:/sbin:/usr/bin:/usr/sbin" and env["HOME"] == "/app" and env["PWD"] == "/"
    leaked = {k for k in env if k.startswith(("KWOK_", "CLOUDOPS_", "KUBECONFIG"))} | \
        {k for k, v in env.items() if str(REPO) in v}
    assert not leaked, env
    # Root's privileges are gone for good: no setuid way back, nothing outside the root.
    refused = (await run(shim, box, "sh", "-c", "touch /etc/x; chroot / true; su -c true root </dev/null"))["data"]
    assert refused["exit_code"] != 0 and "Permission denied" in refused["stderr"], refused
    assert not (pods.root / "etc" / "x").exists()


async def test_an_upload_lands_in_the_pods_root_and_nowhere_on_this_machine(
        shim: Client, box: str, pods: Pods, raw: aiohttp.ClientSession, tmp_path: Path) -> None:
    canary = tmp_path / "canary.txt"
    canary.write_text("untouched")
    payload = os.urandom(4096)
    for path in ("/app/x", str(canary), "/x"):
        form = aiohttp.FormData()
        form.add_field("file", payload, filename="x.bin", content_type="application/octet-stream")
        form.add_field("path", path)
        form.add_field("overwrite", "true")
        async with raw.post(f"{BASE}/{box}/files/upload", data=form) as r:
            body = await r.json()
        # The canary's folder does not exist in the pod (404); the pod's / is not app's to write (422).
        assert r.status == {"/app/x": 200, "/x": 422}.get(path, 404), (path, body)
    host_x = pods.root / "app" / "x"
    assert host_x.read_bytes() == payload and host_x.stat().st_uid == 1000
    assert canary.read_text() == "untouched" and not Path("/app/x").exists() and not Path("/x").exists()
    assert not (pods.root / "x").exists() and not (pods.root / canary.relative_to("/")).exists()
    # The pod's own view of the same file, and of this machine's canary (absent).
    digest = (await run(shim, box, "sha256sum", "/app/x"))["data"]["stdout"].split()[0]
    assert digest == hashlib.sha256(payload).hexdigest()
    missing = (await run(shim, box, "cat", str(canary)))["data"]
    assert missing["exit_code"] == 1 and "No such file" in missing["stderr"], missing
    (await run(shim, box, "rm", "-rf", str(canary), str(tmp_path)))
    assert canary.read_text() == "untouched"


async def test_a_malformed_multipart_upload_is_a_400(shim: Client, box: str) -> None:
    """Part headers with control characters (found by the contract test once uploads reached a real pod): the
    body is refused (400), never a 500."""
    body = (b'--b\r\nContent-Disposition: form-data; name="I\x17\x17"\r\n\r\nx\r\n--b--\r\n')
    r = await shim.post(f"{BASE}/{box}/files/upload", data=body,
                        headers={"Content-Type": "multipart/form-data; boundary=b"})
    got = await r.json()
    assert r.status == 400 and got["error"] == "body: not a valid multipart/form-data body", got


async def test_a_command_that_ends_before_its_stdin_is_sent_still_has_its_exit_code(
        topology: Topology, pods: Pods, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write the pod refuses fails before it reads its stdin; when the shim sends that stdin only after the
    stream closed (its loop busy elsewhere: here a delay), the command's own status still decides (the contract
    test met a 502 "cannot reach" there, where the answer is the exit code)."""
    send = exec_stream.ExecChannel.send_stdin

    async def late(channel: exec_stream.ExecChannel, data: bytes) -> None:
        await asyncio.sleep(0.5)
        await send(channel, data)

    monkeypatch.setattr(exec_stream.ExecChannel, "send_stdin", late)
    api = await hub_client(str(topology.members[0].kubeconfig))
    try:
        target = exec_stream.ExecTarget(api=api, cluster="member-1", server=str(api.configuration.host),
                                        namespace=pods.namespace, pod="box", container="app")
        result = await exec_stream.run(target, ["sh", "-c", "exit 3"], seconds=10, cap=1000, stdin=b"x" * 67)
    finally:
        await api.close()
    assert result.exit_code == 3


async def test_nothing_of_this_machine_can_be_executed(shim: Client, box: str, pods: Pods) -> None:
    """Any command kwok would run by an absolute or relative host path fails instead of running (as root) here:
    only the names and /bin paths podexec answers reach the pod."""
    python = Path(sys.executable)
    for command in ([str(REPO / ".venv" / "bin" / "python"), "-c", "print(1)"],
                    [str(python.resolve()), "-c", "print(1)"],
                    ["/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "--version"],
                    ["bin/busybox", "id"],  # the pod's own busybox, by its path on this machine: root's
                    ["./bin/sh", "-c", "id"],
                    ["/proc/1/root/usr/bin/env"],  # into this machine's namespace through /proc
                    ["/proc/self/exe", "--version"],  # kwok itself
                    ["no-such-binary-x"]):
        r = await shim.post(f"{BASE}/{box}/exec", json={"command": command})
        got = await r.json()
        # 422 either way: no such executable as the pod sees it, or one that may not be executed (noexec).
        assert r.status == 422 and got.get("data") is None, (command, r.status, got)
        assert got["error"].startswith(("the container has no", "the container may not execute")), got
    # A /bin path is the pod's own, as in a container.
    assert (await run(shim, box, "/bin/sh", "-c", "echo $0"))["data"]["stdout"] == "/bin/sh\n"
    assert (await run(shim, box, "/usr/bin/id", "-u"))["data"]["stdout"] == "1000\n"


async def test_a_workdir_that_is_no_pod_root_is_refused(shim: Client, box: str, pods: Pods) -> None:
    plain = f"m1:{pods.namespace}:plain:app"
    got = (await run(shim, plain, "id"))["data"]
    assert got["exit_code"] == 126 and "is not a pod root" in got["stderr"] and got["stdout"] == "", got
    assert list(pods.plain.iterdir()) == [pods.plain / "bin"]


async def test_the_demo_pods_app_is_its_own(topology: Topology, shim: Client, box: str,
                                            raw: aiohttp.ClientSession) -> None:
    """`make run`'s demo pod: `files?path=/app` lists its /app (it was 404 while exec ran on this machine)."""
    stop = start_demo(topology.members[0].kubeconfig, every=60)
    try:
        cid = CONTAINER_ID.replace("member-1:", "m1:", 1)
        Kubectl(topology.members[0].kubeconfig)("wait", "-n", "demo", "--for=condition=Ready", "pod/web",
                                                 "--timeout=60s")
        listed = (await call(shim, "GET", f"{BASE}/{cid}/files", params={"path": "/app"}))["data"]
        assert "config.json" in {f["name"] for f in listed["files"]}
        async with raw.get(f"{BASE}/{cid}/files/download", params={"path": "/app/config.json"}) as r:
            assert r.status == 200 and b"feature_flags" in await r.read()
        assert (await run(shim, cid, "id", "-u"))["data"]["stdout"] == "1000\n"
        assert "README.txt" in (await run(shim, cid, "ls", "/"))["data"]["stdout"].split()
    finally:
        stop.set()
