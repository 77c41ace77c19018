"""Container operations (容器运维 1.1–3.5) against kwok pods on a local member: real logs, real exec.

kwok serves pod logs from a file this module writes (CRI format) and runs exec inside a pod root of this module's
own (devcluster/podroot.py: the container's filesystem, entered through podexec as the user app): every path
used here is a path in the pod, and the module reads and seeds it from the host at `Pod.host(path)`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from kubernetes_asyncio.client import ApiClient

from api_shim.state import AUDIT, METRICS, SETTINGS
from cloudops.kube import tickets
from cloudops.settings import Settings
from devcluster.podroot import UNJAILED, make_root, passwd_text, place
from devcluster.topology import Topology
from tests.helpers import Kubectl, eventually
from tests.shim.checked import call
from tests.shim.conftest import Client, KeyMaker

Json = dict[str, Any]
BASE = "/api/k8s/containers"


@dataclass
class Pod:
    namespace: str
    root: Path  # the pod's / on this machine
    log: Path

    def host(self, pod_path: str) -> Path:
        """Where a path of the pod lies on this machine."""
        return self.root / pod_path.lstrip("/")

    def append(self, *lines: str) -> None:
        with self.log.open("a", encoding="utf-8") as f:
            for line in lines:
                f.write(line + "\n")


def cri(ts: str, message: str, stream: str = "stdout") -> str:
    return f"{ts} {stream} F {message}"


LINES = [
    cri("2024-01-01T00:00:00.000000001Z", '{"level":"info","msg":"Application started"}'),
    cri("2024-01-01T00:00:01.000000000Z", "level=warn msg=\"disk almost full\""),
    cri("2024-01-01T00:00:02.000000000Z", "[ERROR] connection refused to db", "stderr"),
    cri("2024-01-01T00:00:03.000000000Z", "DEBUG cache warmed"),
    cri("2024-01-01T00:00:04.000000000Z", "plain line without a level"),
    cri("2024-01-01T00:00:05.000000000Z", '{"severity":"ERROR","message":"payment failed order=42"}'),
]


@pytest.fixture(scope="module")
def pod(topology: Topology, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pod]:
    """One pod `app` (container `app`) in a fresh member namespace, its log a file here, exec in its pod root."""
    ns = f"c8-{uuid.uuid4().hex[:8]}"
    root = tmp_path_factory.mktemp("containers")
    pod_root, log = make_root(root / "rootfs"), root / "app.log"
    log.write_text("\n".join(LINES) + "\n")
    admin = Kubectl(topology.members[0].kubeconfig)
    objs = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}},
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app", "namespace": ns},
             "spec": {"containers": [{"name": "app", "image": "busybox"}]}},
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "duo", "namespace": ns},
             "spec": {"containers": [{"name": "a", "image": "busybox"}, {"name": "b", "image": "busybox"}]}},
            {"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "Logs", "metadata": {"name": "app", "namespace": ns},
             "spec": {"logs": [{"containers": ["app"], "logsFile": str(log), "follow": True}]}},
            {"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "Exec", "metadata": {"name": "app", "namespace": ns},
             "spec": {"execs": [{"containers": ["app"], "local": {"workDir": str(pod_root)}}]}}]
    admin("apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": objs}))
    admin("wait", "-n", ns, "--for=condition=Ready", "pod/app", "--timeout=60s")
    # Nothing below may run on this machine itself: the pod's exec must be the pod's.
    assert admin("exec", "-n", ns, "app", "--", "id", "-u").strip() == "1000", UNJAILED
    try:
        yield Pod(ns, pod_root, log)
    finally:
        admin.run("delete", "namespace", ns, "--wait=false", check=False)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shim's settings, with SSE streams short enough to watch them beat and end."""
    return replace(settings, log_stream_max_seconds=4.0, log_heartbeat_seconds=0.5)


@pytest.fixture
async def member(topology: Topology, shim: Client, pod: Pod) -> str:
    """member-1 registered through REST; the id of container `app` in the module's pod."""
    body = {"name": "m1", "kubeconfig": base64.b64encode(topology.members[0].kubeconfig.read_bytes()).decode()}
    await call(shim, "POST", "/api/k8s/clusters/add", json=body)
    return f"m1:{pod.namespace}:app:app"


@pytest.fixture
async def raw(shim: Client, make_key: KeyMaker) -> AsyncIterator[aiohttp.ClientSession]:
    """A plain client of the same server (streams and WebSockets: the checked client reads bodies whole)."""
    key = await make_key("raw-admin", ["cloudops:admins"])
    async with aiohttp.ClientSession(str(shim.make_url("")), headers={"X-API-Key": key}) as s:
        yield s


async def audit_log(shim: Client) -> str:
    await asyncio.to_thread(shim.app[AUDIT].flush)
    return Path(shim.app[SETTINGS].audit_sink.removeprefix("file:")).read_text()


async def test_logs_levels_filters_search_export_and_history(shim: Client, member: str, pod: Pod,
                                                             raw: aiohttp.ClientSession) -> None:
    data = (await call(shim, "GET", f"{BASE}/{member}/logs"))["data"]
    assert data["total"] == len(LINES) and not data["has_more"]
    assert [e["level"] for e in data["logs"]] == ["INFO", "WARN", "ERROR", "DEBUG", "UNKNOWN", "ERROR"]
    first = data["logs"][0]
    assert first["timestamp"] == "2024-01-01T00:00:00.000000001Z" and first["container_name"] == "app"
    assert (first["pod_name"], first["namespace"]) == ("app", pod.namespace)
    # The container part is optional for a one-container pod, and the answer names the container used.
    short = (await call(shim, "GET", f"{BASE}/{member.rsplit(':', 1)[0]}/logs?tail=2"))["data"]
    assert short["container_name"] == "app" and len(short["logs"]) == 2 and short["has_more"]
    assert short["logs"][-1]["message"].startswith('{"severity"')

    errors = (await call(shim, "GET", f"{BASE}/{member}/logs?level=error"))["data"]
    assert [e["timestamp"][17:19] for e in errors["logs"]] == ["02", "05"]
    window = (await call(shim, "GET", f"{BASE}/{member}/logs?since=2024-01-01T00:00:01Z"
                                      "&until=2024-01-01T00:00:03.5Z"))["data"]
    assert [e["level"] for e in window["logs"]] == ["WARN", "ERROR", "DEBUG"]
    found = (await call(shim, "GET", f"{BASE}/{member}/logs?search=CONNECTION"))["data"]
    assert found["total"] == 1 and "refused" in found["logs"][0]["message"]
    rx = (await call(shim, "GET", f"{BASE}/{member}/logs?search=order=%5Cd%2B&regex=true"))["data"]
    assert rx["total"] == 1
    bad = await call(shim, "GET", f"{BASE}/{member}/logs?search=(unclosed&regex=true", expect=422)
    assert bad["error"].startswith("search:")
    await call(shim, "GET", f"{BASE}/{member}/logs?level=loud", expect=400)
    await call(shim, "GET", f"{BASE}/m1:{pod.namespace}:duo/logs", expect=400)  # two containers: name one
    await call(shim, "GET", f"{BASE}/m1:{pod.namespace}:app:nope/logs", expect=404)
    await call(shim, "GET", f"{BASE}/m1:{pod.namespace}:gone/logs", expect=404)

    search = (await call(shim, "GET", f"{BASE}/{member}/logs/search?query=e&limit=2&offset=1"))["data"]
    assert search["total"] >= 4 and len(search["matches"]) == 2
    hit = (await call(shim, "GET", f"{BASE}/{member}/logs/search?query=payment"))["data"]["matches"]
    assert [(m["line_number"], m["level"]) for m in hit] == [(6, "ERROR")]
    timed = (await call(shim, "GET", f"{BASE}/{member}/logs/search?query=e&end_time=2024-01-01T00:00:01Z"))["data"]
    assert [m["line_number"] for m in timed["matches"]] == [1, 2]

    async with raw.post(f"{BASE}/{member}/logs/export", json={
            "format": "csv", "filters": {"level": ["INFO", "ERROR"]}}) as r:
        assert r.status == 200, await r.text()
        assert r.headers["Content-Type"].startswith("text/csv")
        assert r.headers["Content-Disposition"].startswith('attachment; filename="app_app_')
        csv_text = await r.text()
    assert csv_text.splitlines()[0] == "timestamp,level,namespace,pod_name,container_name,message"
    assert len(csv_text.splitlines()) == 4  # header + info + 2 errors
    async with raw.post(f"{BASE}/{member}/logs/export", json={"format": "json"}) as r:
        exported = json.loads(await r.read())
    assert len(exported) == len(LINES) and exported[2]["level"] == "ERROR"

    async def both_recorded() -> dict[str, Any] | None:  # the record may land just after the download ends
        got: dict[str, Any] = (await call(shim, "GET", f"{BASE}/{member}/logs/history"))["data"]
        return got if [h["format"] for h in got["history"]] == ["json", "csv"] else None

    history = await eventually(both_recorded, 15, "both exports in the history, newest first")
    ids = [h["id"] for h in history["history"]]
    assert all(type(i) is int for i in ids) and ids[0] != ids[1]
    assert ids == [h["id"] for h in (await call(shim, "GET", f"{BASE}/{member}/logs/history"))["data"]["history"]]
    assert history["history"][1]["exported_by"] == "raw-admin" and history["history"][1]["line_count"] == 3
    assert history["history"][1]["file_size_bytes"] == len(csv_text.encode())


async def test_logs_and_search_take_each_others_names(shim: Client, member: str) -> None:
    """Logs name the text and the count `search`/`tail`, search names them `query`/`limit`: each takes both,
    and an error names the parameter as it was sent."""
    logs = (await call(shim, "GET", f"{BASE}/{member}/logs", params={"query": "ON", "limit": "1"}))["data"]
    assert logs["total"] == 2 and "refused" in logs["logs"][0]["message"] and logs["has_more"]
    assert logs == (await call(shim, "GET", f"{BASE}/{member}/logs", params={"search": "ON", "tail": "1"}))["data"]
    found = (await call(shim, "GET", f"{BASE}/{member}/logs/search", params={"search": "ON", "tail": "1"}))["data"]
    assert found["query"] == "ON" and found["limit"] == 1 and found["total"] == 2
    assert [m["line_number"] for m in found["matches"]] == [1]
    for name in ("query", "search"):
        bad = await call(shim, "GET", f"{BASE}/{member}/logs/search", expect=422,
                         params={name: "(unclosed", "regex": "true"})
        assert bad["error"].startswith(f"{name}: invalid regular expression"), bad
    bad = await call(shim, "GET", f"{BASE}/{member}/logs", expect=422, params={"query": "(x", "regex": "true"})
    assert bad["error"].startswith("query: invalid regular expression"), bad
    both = await call(shim, "GET", f"{BASE}/{member}/logs/search", expect=400, params={"query": "a", "search": "b"})
    assert both["error"] == "query.search: the same parameter as query: send one of them", both
    short = await call(shim, "GET", f"{BASE}/{member}/logs/search", expect=400, params={"query": "a", "tail": "0"})
    assert short["error"].startswith("query.tail: "), short


async def test_levels_in_the_reference_case_and_either_form(shim: Client, member: str,
                                                            raw: aiohttp.ClientSession) -> None:
    """Levels come back as the reference shows them (`INFO`); a filter takes any case, as a comma-separated
    string or as a list, on the logs and on the export alike."""
    for params in ([("level", "info,ERROR")], [("level", "INFO"), ("level", "error")]):
        got = (await call(shim, "GET", f"{BASE}/{member}/logs", params=params))["data"]
        assert [e["level"] for e in got["logs"]] == ["INFO", "ERROR", "ERROR"], params
    async with raw.get(f"{BASE}/{member}/logs/stream", params=[("follow", "false"), ("level", "Warn"),
                                                                ("level", "debug")]) as r:
        levels = [ev["data"]["level"] async for ev in _events(r) if ev.get("event") == "log"]
    assert levels == ["WARN", "DEBUG"]
    for level in ("info,Error", ["INFO", "ERROR"], ["info,error"]):
        async with raw.post(f"{BASE}/{member}/logs/export", json={"format": "json",
                                                                   "filters": {"level": level}}) as r:
            assert r.status == 200, await r.text()
            assert [e["level"] for e in json.loads(await r.read())] == ["INFO", "ERROR", "ERROR"], level
    bad = await call(shim, "POST", f"{BASE}/{member}/logs/export", expect=400, json={"filters": {"level": "loud"}})
    assert bad["error"].startswith("body.filters.level: 'loud' is not one of"), bad


async def _events(resp: aiohttp.ClientResponse) -> AsyncIterator[Json]:
    """SSE events as {"id", "event", "data"}; comments as {"comment"}."""
    event: Json = {}
    async for raw_line in resp.content:
        line = raw_line.decode().rstrip("\n")
        if not line:
            if event:
                yield event
            event = {}
        elif line.startswith(":"):
            yield {"comment": line[1:].strip()}
        else:
            key, _, value = line.partition(": ")
            event[key] = json.loads(value) if key == "data" else value


async def test_follow_stream_sees_a_line_appended_after_it_started_and_resumes(
        shim: Client, member: str, pod: Pod, raw: aiohttp.ClientSession) -> None:
    marker = f"appended-{uuid.uuid4().hex[:6]}"
    async with raw.get(f"{BASE}/{member}/logs/stream?tail=2") as r:
        assert r.status == 200 and r.headers["Content-Type"].startswith("text/event-stream")
        seen: list[Json] = []

        async def until_marker() -> None:
            appended = False
            async for ev in _events(r):
                if ev.get("event") == "log":
                    seen.append(ev)
                    if ev["data"]["message"] == marker:
                        return
                if len(seen) >= 2 and not appended:
                    pod.append(cri("2024-01-01T00:00:06.000000000Z", marker))
                    appended = True

        await asyncio.wait_for(until_marker(), 20)
    assert [e["data"]["message"] for e in seen][-1] == marker and len(seen) == 3

    # The client left: within 5 s the handler is gone, and with it the upstream log stream it held open.
    async def stream_ended() -> bool:
        value = shim.app[METRICS].registry.get_sample_value(
            "cloudops_shim_requests_in_flight", {"method": "GET", "route": f"{BASE}/{{id}}/logs/stream"})
        return value == 0

    await eventually(stream_ended, 5, "the SSE handler ending after its client left")
    assert seen[0]["id"] == "2024-01-01T00:00:04.000000000Z#1"

    # Resume after the second line: exactly what came after it, then the stream ends (follow=false).
    async with raw.get(f"{BASE}/{member}/logs/stream?follow=false",
                       headers={"Last-Event-ID": seen[0]["id"]}) as r:
        events = [ev async for ev in _events(r) if "event" in ev]
    assert [e["data"]["message"] for e in events if e["event"] == "log"] == [seen[1]["data"]["message"], marker]
    assert events[-1] == {"event": "end", "data": {"reason": "eof"}}


async def test_stream_heartbeats_and_ends_after_its_maximum_duration(member: str,
                                                                   raw: aiohttp.ClientSession) -> None:
    start = time.monotonic()
    async with raw.get(f"{BASE}/{member}/logs/stream?tail=0") as r:
        events = [ev async for ev in _events(r)]
    assert any(e.get("comment") == "keep-alive" for e in events)
    assert not any(e.get("event") == "log" for e in events)
    assert events[-1] == {"event": "end", "data": {"reason": "max_duration"}}
    assert 3.5 < time.monotonic() - start < 15


async def test_exec_exit_codes_timeouts_working_dir_and_history(shim: Client, member: str, pod: Pod) -> None:
    out = (await call(shim, "POST", f"{BASE}/{member}/exec", json={
        "command": ["sh", "-c", "echo out; echo err >&2; exit 7"]}))["data"]
    assert (out["exit_code"], out["stdout"], out["stderr"]) == (7, "out\n", "err\n")
    assert out["session_id"].startswith("exec-") and out["container_name"] == "app" and not out["truncated"]
    place(pod.root, "/work", None)
    wd = (await call(shim, "POST", f"{BASE}/{member}/exec", json={
        "command": ["pwd"], "working_dir": "/work"}))["data"]
    assert wd["stdout"].strip() == "/work" and wd["exit_code"] == 0
    # argv is never a shell string: `;` and `$(...)` arrive as text.
    echo = (await call(shim, "POST", f"{BASE}/{member}/exec", json={"command": ["echo", "a; $(id) `id`"]}))["data"]
    assert echo["stdout"] == "a; $(id) `id`\n"

    slow = await call(shim, "POST", f"{BASE}/{member}/exec", expect=504, json={
        "command": ["sh", "-c", "echo partial-output; sleep 20"], "timeout": 1})
    assert slow["code"] == 1004 and "partial-output" in slow["error"]
    missing = await call(shim, "POST", f"{BASE}/{member}/exec", expect=422, json={"command": ["no-such-binary-x"]})
    assert "no-such-binary-x" in missing["error"]
    await call(shim, "POST", f"{BASE}/{member}/exec", expect=400, json={"command": ["true"], "timeout": 100000})
    await call(shim, "POST", f"{BASE}/{member}/exec", expect=400, json={"command": []})

    history = (await call(shim, "GET", f"{BASE}/{member}/exec/history"))["data"]
    assert history["total"] == 5
    # Ids are integers as the reference shows them, one per entry, the same on every read.
    ids = [h["id"] for h in history["history"]]
    assert all(type(i) is int for i in ids) and len(set(ids)) == 5
    assert ids == [h["id"] for h in (await call(shim, "GET", f"{BASE}/{member}/exec/history"))["data"]["history"]]
    newest = history["history"][0]
    assert newest["exit_code"] is None and newest["executed_by"] == "test-admin"
    by_session = {h["session_id"]: h for h in history["history"]}
    assert by_session[out["session_id"]]["exit_code"] == 7
    assert by_session[out["session_id"]]["command"] == "sh -c 'echo out; echo err >&2; exit 7'"
    assert any(h["timed_out"] for h in history["history"])
    nobody = (await call(shim, "GET", f"{BASE}/{member}/exec/history?user_id=someone-else"))["data"]
    assert nobody["total"] == 0
    audited = [json.loads(line)["audit"] for line in (await audit_log(shim)).splitlines()]
    commands = [a["params"]["body"]["command"] for a in audited if a["route"] == f"{BASE}/{{id}}/exec"]
    assert ["sh", "-c", "echo out; echo err >&2; exit 7"] in commands
    assert all(a["user"] == "test-admin" for a in audited if a["route"] == f"{BASE}/{{id}}/exec")


async def test_files_upload_list_download_edit_delete_and_refusals(shim: Client, member: str, pod: Pod,
                                                                   raw: aiohttp.ClientSession) -> None:
    box = "/app/files"  # paths in the pod; pod.host(...) is where they lie on this machine
    place(pod.root, box, None)
    place(pod.root, "/app/x", b"canary", overwrite=True)
    nasty = "$(rm -rf x) `touch pwned`; a'b\"c ü.txt"
    payload = os.urandom(100_000)

    async def upload(path: str, data: bytes, overwrite: bool = False, filename: str = "f.bin") -> tuple[int, Json]:
        form = aiohttp.FormData()
        form.add_field("file", data, filename=filename, content_type="application/octet-stream")
        form.add_field("path", path)
        form.add_field("overwrite", "true" if overwrite else "false")
        async with raw.post(f"{BASE}/{member}/files/upload", data=form) as r:
            return r.status, await r.json()

    status, body = await upload(f"{box}/{nasty}", payload)
    assert status == 200, body
    assert body["data"]["path"] == f"{box}/{nasty}" and body["data"]["sha256"] == hashlib.sha256(payload).hexdigest()
    assert (pod.host(box) / nasty).read_bytes() == payload
    assert pod.host("/app/x").read_text() == "canary" and not list(pod.root.rglob("pwned"))
    assert sorted(p.name for p in pod.host(box).iterdir()) == [nasty]  # no temporary file left behind
    assert pod.host(box).joinpath(nasty).stat().st_uid == 1000  # written by the pod's user, not root
    status, body = await upload(f"{box}/{nasty}", b"again")
    assert status == 409
    status, body = await upload(f"{box}/", b"named by the part", filename="from-part.txt")
    assert status == 200 and pod.host(f"{box}/from-part.txt").read_bytes() == b"named by the part"

    listed = (await call(shim, "GET", f"{BASE}/{member}/files?path={box}"))["data"]
    by_name = {f["name"]: f for f in listed["files"]}
    assert by_name[nasty]["size"] == len(payload) and by_name[nasty]["type"] == "file"
    assert by_name[nasty]["permissions"] in ("644", "664", "600", "640", "660")
    async with raw.get(f"{BASE}/{member}/files/download", params={"path": f"{box}/{nasty}"}) as r:
        assert r.status == 200 and "attachment" in r.headers["Content-Disposition"]
        assert await r.read() == payload

    # Edit: a path with a newline, a backup, and a stale expected_sha256.
    odd = f"{box}/line\nbreak.json"
    place(pod.root, odd, b"{}")
    edited = (await call(shim, "PUT", f"{BASE}/{member}/files/edit", json={
        "path": odd, "content": '{"key": "value-7f3a"}', "backup": True,
        "expected_sha256": hashlib.sha256(b"{}").hexdigest()}))["data"]
    assert pod.host(odd).read_text() == '{"key": "value-7f3a"}' and pod.host(edited["backup_path"]).read_text() == "{}"
    await call(shim, "PUT", f"{BASE}/{member}/files/edit", expect=409, json={
        "path": odd, "content": "x", "expected_sha256": hashlib.sha256(b"{}").hexdigest()})

    # Refused before anything runs: traversal, NUL, relative, symlinked parents, system paths.
    pod.host("/app/link").symlink_to("/etc")
    for path in (f"{box}/../x", f"{box}/a\u0000b", "relative/path", "/app/link/hostname", "/", "/proc/1/environ"):
        err = await call(shim, "DELETE", f"{BASE}/{member}/files/delete", expect=400, json={"path": path})
        assert err["error"].startswith("body.path:"), err
    status, body = await upload("/app/link/evil", b"no")
    assert status == 400 and pod.host("/app/x").exists() and not pod.host("/etc/evil").exists()
    await call(shim, "GET", f"{BASE}/{member}/files?path={box}/../..", expect=400)
    # The link leads to the pod's /etc, never the host's: what it reads is the pod's, and the host's files are
    # not there.
    async with raw.get(f"{BASE}/{member}/files/download", params={"path": "/app/link/passwd"}) as r:
        assert r.status == 200 and (await r.read()).decode() == passwd_text()
    assert Path("/etc/os-release").exists()
    await call(shim, "GET", f"{BASE}/{member}/files/download", expect=404, params={"path": "/app/link/os-release"})
    etc = (await call(shim, "GET", f"{BASE}/{member}/files", params={"path": "/etc"}))["data"]
    assert {f["name"] for f in etc["files"]} == {p.name for p in pod.host("/etc").iterdir()}

    # A DELETE body is what many clients drop: the path (and recursive) may come in the query instead.
    place(pod.root, f"{box}/by-query.txt", b"q")
    by_query = (await call(shim, "DELETE", f"{BASE}/{member}/files/delete",
                           params={"path": f"{box}/by-query.txt"}))["data"]
    assert by_query["deleted"] and not by_query["recursive"] and not pod.host(f"{box}/by-query.txt").exists()
    err = await call(shim, "DELETE", f"{BASE}/{member}/files/delete", expect=400, params={"path": "relative"})
    assert err["error"].startswith("path: "), err
    err = await call(shim, "DELETE", f"{BASE}/{member}/files/delete", expect=400,
                     params={"path": f"{box}/a"}, json={"path": f"{box}/b"})
    assert err["error"].startswith("path: differs from body.path"), err
    err = await call(shim, "DELETE", f"{BASE}/{member}/files/delete", expect=400)
    assert err["error"].startswith("path: required"), err
    place(pod.root, f"{box}/sub", None)
    await call(shim, "DELETE", f"{BASE}/{member}/files/delete", expect=409, params={"path": f"{box}/sub"})
    sub = (await call(shim, "DELETE", f"{BASE}/{member}/files/delete",
                      params={"path": f"{box}/sub", "recursive": "true"}))["data"]
    assert sub["type"] == "directory" and sub["recursive"] and not pod.host(f"{box}/sub").exists()

    await call(shim, "DELETE", f"{BASE}/{member}/files/delete", expect=409, json={"path": box})
    gone = (await call(shim, "DELETE", f"{BASE}/{member}/files/delete", json={"path": box,
                                                                             "recursive": True}))["data"]
    assert gone["type"] == "directory" and not pod.host(box).exists() and pod.host("/app/x").exists()
    await call(shim, "DELETE", f"{BASE}/{member}/files/delete", expect=404, json={"path": box})

    # Every write is audited with its user and path, never with the file's contents.
    audit = await audit_log(shim)
    writes = [json.loads(line)["audit"] for line in audit.splitlines() if '"operation": "upload' in line
              or '"operation": "edit' in line or '"operation": "delete m1' in line]
    assert {(w["user"], w["params"]["path"]) for w in writes} >= {("raw-admin", f"{box}/{nasty}"),
                                                                  ("test-admin", odd), ("test-admin", box)}
    assert "value-7f3a" not in audit and "named by the part" not in audit


async def test_viewer_reads_logs_but_cannot_exec_or_touch_files(shim: Client, member: str,
                                                                make_key: KeyMaker) -> None:
    key = await make_key("viewer", ["cloudops:viewers"])
    h = {"X-API-Key": key}
    await call(shim, "GET", f"{BASE}/{member}/logs?tail=1", headers=h)
    for method, path, body in [("POST", "exec", {"command": ["id"]}), ("POST", "exec/terminal", {}),
                               ("PUT", "files/edit", {"path": "/tmp/x", "content": ""}),
                               ("DELETE", "files/delete", {"path": "/tmp/x"})]:
        denied = await call(shim, method, f"{BASE}/{member}/{path}", expect=403, json=body, headers=h)
        assert denied["code"] == 1003
    form = aiohttp.FormData()
    form.add_field("file", b"x", filename="x")
    form.add_field("path", "/tmp/x")
    r = await shim.post(f"{BASE}/{member}/files/upload", data=form, headers=h)
    assert r.status == 403
    for path in ("files?path=/tmp", "files/download?path=/tmp/x", "exec/history"):
        await call(shim, "GET", f"{BASE}/{member}/{path}", expect=403, headers=h)


async def test_terminal_tickets_expire_and_are_single_use(hub_api: ApiClient, namespace: str) -> None:
    ticket = await tickets.issue(hub_api, namespace, user="u", groups=[], cluster="m1", container_id="m1:a:b",
                                 container="c", tty=True, stdin=True, command=["sh"], ttl=60)
    assert await tickets.redeem(hub_api, namespace, ticket.session_id, ttl=0) is None  # expired: refused ...
    assert await tickets.redeem(hub_api, namespace, ticket.session_id, ttl=60) is None  # ... and gone
    fresh = await tickets.issue(hub_api, namespace, user="u", groups=["g"], cluster="m1", container_id="m1:a:b",
                                container="c", tty=False, stdin=True, command=["sh"], ttl=60)
    first, second = await asyncio.gather(*(tickets.redeem(hub_api, namespace, fresh.session_id, ttl=60)
                                           for _ in range(2)))
    assert [t is not None for t in (first, second)].count(True) == 1  # exactly one redeemer wins
    assert await tickets.redeem(hub_api, namespace, "terminal-not-a-ticket", ttl=60) is None


async def test_terminal_over_a_real_websocket(shim: Client, member: str, raw: aiohttp.ClientSession) -> None:
    opened = (await call(shim, "POST", f"{BASE}/{member}/exec/terminal", json={"tty": True}))["data"]
    url = opened["websocket_url"]
    assert url.startswith(f"ws://{shim.server.host}:{shim.server.port}/api/k8s/containers/{member}/exec/ws?session=")
    plain = await call(shim, "GET", url.split(str(shim.server.port), 1)[1], expect=426)  # Upgrade Required
    assert plain["error"].startswith("session:")
    assert (await shim.get(url.split(str(shim.server.port), 1)[1])).headers["Upgrade"] == "websocket"

    async with aiohttp.ClientSession() as anonymous, anonymous.ws_connect(url) as ws:
        async def read_until(text: str) -> str:
            seen = ""
            while text not in seen:
                msg = json.loads((await ws.receive(timeout=10)).data)
                assert msg["type"] in ("stdout", "stderr"), msg
                seen += msg["data"]
            return seen

        await ws.send_str(json.dumps({"type": "stdin", "data": "echo hi-$((40+2))\n"}))
        await read_until("hi-42")
        await ws.send_str(json.dumps({"type": "resize", "cols": 101, "rows": 33}))
        for attempt in range(5):  # the pty may take the new size a moment after the next keystrokes
            await ws.send_str(json.dumps({"type": "stdin", "data": "stty size\n"}))
            try:
                await asyncio.wait_for(read_until("33 101"), 2)
                break
            except TimeoutError:
                assert attempt < 4, "the terminal never took the new size"
        await ws.send_str(json.dumps({"type": "bogus"}))
        await ws.send_str(json.dumps({"type": "stdin", "data": "exit 3\n"}))
        frames = []
        while not frames or frames[-1]["type"] != "exit":
            msg = await ws.receive(timeout=10)
            assert msg.type == aiohttp.WSMsgType.TEXT, msg
            frames.append(json.loads(msg.data))
        assert frames[-1] == {"type": "exit", "code": 3, "reason": "exited"}
        assert any(f["type"] == "error" for f in frames)

    # Single use: the same session cannot be redeemed again.
    async with aiohttp.ClientSession() as anonymous:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await anonymous.ws_connect(url)
        assert refused.value.status == 401

    async def recorded() -> Json | None:
        rows = (await call(shim, "GET", f"{BASE}/{member}/exec/history"))["data"]["history"]
        return next((h for h in rows if h["session_id"] == opened["session_id"]), None)

    entry = await eventually(recorded, 10, "the terminal session in the exec history")
    assert entry["type"] == "terminal" and entry["exit_code"] == 3


async def test_reads_of_proc_and_credentials_are_refused_like_writes(shim: Client, member: str, pod: Pod,
                                                                      raw: aiohttp.ClientSession) -> None:
    """`files` reads nothing that needs `exec`: the container's environment (its secrets), the kernel and device
    trees, credential files; not through a symbolic link either, as the container resolves it (the pod's /proc is
    empty, so the link leads to the secrets the pod root holds in /run/secrets)."""
    place(pod.root, "/run/secrets/token", b"s3cret", owner=0, overwrite=True)
    place(pod.root, "/run/secrets/sub", None, owner=0)
    link, env = "/app/secrets", "/app/env"
    pod.host(link).symlink_to("/run/secrets")
    pod.host(env).symlink_to("/proc/self/environ")
    place(pod.root, "/app/readable.txt", b"fine", overwrite=True)
    try:
        for path in ("/proc/self/environ", "/proc/1/environ", "/sys/kernel/mm", "/dev/zero", "/etc/shadow",
                     "/etc/gshadow", "/var/run/secrets/kubernetes.io/serviceaccount/token", "/root/.ssh/id_rsa",
                     "/run/secrets/token", f"{link}/token"):
            err = await call(shim, "GET", f"{BASE}/{member}/files/download", expect=400, params={"path": path})
            assert err["error"].startswith("path: ") and "never read" in err["error"], (path, err)
        for path in ("/proc", "/proc/self", "/run/secrets/kubernetes.io/serviceaccount", f"{link}/sub"):
            err = await call(shim, "GET", f"{BASE}/{member}/files", expect=400, params={"path": path})
            assert err["error"].startswith("path: ") and "never read" in err["error"], (path, err)
        err = await call(shim, "GET", f"{BASE}/{member}/files/download", expect=400, params={"path": env})
        assert err["error"].startswith("path: ") and "symbolic link" in err["error"], err
        async with raw.get(f"{BASE}/{member}/files/download", params={"path": "/app/readable.txt"}) as r:
            assert r.status == 200 and await r.read() == b"fine"
        listed = (await call(shim, "GET", f"{BASE}/{member}/files", params={"path": "/app"}))["data"]
        assert {"secrets", "readable.txt"} <= {f["name"] for f in listed["files"]}  # the link's name is no secret
    finally:
        for made in (link, env, "/app/readable.txt"):
            pod.host(made).unlink()


async def test_impossible_times_are_400s_naming_the_field_in_our_words(shim: Client, member: str) -> None:
    """Each names its field and says what form is expected; never a 500, never Python's own wording. A time that
    exists but leaves the years 0001-9999 in UTC (valid RFC 3339) bounds the range like that edge."""
    for value, edge in (("9999-12-31T23:59:59-01:00", "since"), ("0001-01-01T00:00:00+01:00", "until")):
        assert (await call(shim, "GET", f"{BASE}/{member}/logs", params={edge: value}))["data"]["logs"] == []
    for value in ("2026-02-30T00:00:00Z", "0000-01-01T00:00:00Z", "2024-01-01T24:00:00Z"):
        errors = [await call(shim, "GET", f"{BASE}/{member}/logs", expect=400, params={"since": value}),
                  await call(shim, "GET", f"{BASE}/{member}/logs", expect=400, params={"until": value}),
                  await call(shim, "GET", f"{BASE}/{member}/logs/search", expect=400,
                             params={"query": "x", "start_time": value}),
                  await call(shim, "POST", f"{BASE}/{member}/logs/export", expect=400, json={"end_time": value}),
                  await call(shim, "GET", f"{BASE}/{member}/logs/stream", expect=400,
                             headers={"Last-Event-ID": f"{value}#1"})]
        fields = ["since: ", "until: ", "start_time: ", "body.end_time: ", "Last-Event-ID: "]
        for field, err in zip(fields, errors, strict=True):
            assert err["error"].startswith(field) and "e.g. 2024-01-01T00:00:00Z" in err["error"], err
            assert "out of range for month" not in err["error"] and "year 0 is" not in err["error"], err
