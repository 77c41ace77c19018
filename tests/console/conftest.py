"""The web console in a real browser (Debian's chromium driven by Playwright) against the real local clusters.

One console environment for the package: a namespace in the hub with the operator and the shim running as
their ServiceAccounts, the shim serving the built console (ui/dist) on loopback, member-1 registered, keys of
an admin and a viewer, and a pod in member-1 whose log grows (kwok follows a file this package appends to) and
whose exec and files run in a pod root of its own. member-2 is left for the clusters flow to add.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from api_shim.app import create_app
from api_shim.console import DIST
from api_shim.security.apikeys import create_api_key
from api_shim.state import CACHE
from cloudops.kube.client import hub_client
from cloudops.settings import Settings
from devcluster.podroot import make_root
from devcluster.topology import Topology
from tests.dex import Dex, bind_groups, new_dex
from tests.helpers import Kubectl, free_port
from tests.identities import provision, release
from tests.leaks import kubeconfig_secrets, log_file, secret
from tests.processes import start_operator, stop_operator, wait_healthy

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "build" / "screenshots"
AXE = REPO / "ui" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags chromium reaches for Google's hosts; this machine allows loopback only.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
VIEWPORT = {"width": 1280, "height": 800}
# A build elsewhere (`npx vite build --outDir DIR` while developing a page); by default the one `make ui` made.
BUILT = Path(os.environ.get("CLOUDOPS_CONSOLE_DIR") or DIST)


@dataclass
class LogPod:
    """A pod in member-1 whose container log grows every half second, alternating info and error lines."""

    namespace: str
    root: Path
    log: Path

    @property
    def container_id(self) -> str:
        return f"member-1:{self.namespace}:web:app"


@dataclass
class ConsoleEnv:
    url: str  # the shim's origin: http://127.0.0.1:<port>
    namespace: str  # the hub namespace of the product's objects
    admin_key: str
    viewer_key: str
    pod: LogPod
    topology: Topology
    settings: Settings
    operator_log: Path  # read by a failing test to say what the operator did
    dex: Dex  # the identity provider the console offers for single sign-on

    def operator_tail(self, containing: str = "", lines: int = 40) -> str:
        """The operator log's last lines (those containing `containing`), for a failure message."""
        try:
            text = self.operator_log.read_text(errors="replace").splitlines()
        except OSError as e:
            return f"(operator log unreadable: {e})"
        return "\n".join([ln for ln in text if containing in ln][-lines:])

    def at(self, path: str) -> str:
        return f"{self.url}{path}"


def _writer(log: Path, stop: threading.Event) -> None:
    n = 0
    while not stop.wait(0.5):
        n += 1
        level = "ERROR" if n % 3 == 0 else "INFO"
        ts = f"2030-01-01T00:{n // 60 % 60:02d}:{n % 60:02d}.000000000Z"
        with log.open("a", encoding="utf-8") as f:
            f.write(f"{ts} stdout F {level} console-line-{n} {'payment failed' if level == 'ERROR' else 'served'}\n")


@pytest.fixture(scope="package")
def log_pod(topology: Topology, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LogPod]:
    ns = f"ui-{uuid.uuid4().hex[:8]}"
    base = tmp_path_factory.mktemp("console-pod")
    root, log = make_root(base / "rootfs"), base / "app.log"
    (root / "app").mkdir(exist_ok=True)
    (root / "app" / "config.txt").write_text("greeting=hello\n")
    log.write_text("")
    admin = Kubectl(topology.members[0].kubeconfig)
    objs = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}},
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": ns},
             "spec": {"containers": [{"name": "app", "image": "busybox"}]}},
            {"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "Logs", "metadata": {"name": "web", "namespace": ns},
             "spec": {"logs": [{"containers": ["app"], "logsFile": str(log), "follow": True}]}},
            {"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "Exec", "metadata": {"name": "web", "namespace": ns},
             "spec": {"execs": [{"containers": ["app"], "local": {"workDir": str(root)}}]}}]
    admin("apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": objs}))
    admin("wait", "-n", ns, "--for=condition=Ready", "pod/web", "--timeout=60s")
    stop = threading.Event()
    writer = threading.Thread(target=_writer, args=(log, stop), daemon=True)
    writer.start()
    try:
        yield LogPod(ns, root, log)
    finally:
        stop.set()
        writer.join(timeout=5)
        admin.run("delete", "namespace", ns, "--wait=false", check=False)


@pytest.fixture(scope="package")
def console_namespace(topology: Topology) -> Iterator[str]:
    hub = Kubectl(topology.hub.kubeconfig)
    name = f"t-ui-{uuid.uuid4().hex[:6]}"
    hub("create", "namespace", name)
    yield name
    unbind = release(topology.hub.kubeconfig, name, wait=False)
    hub.run("delete", "namespace", name, "--wait=false", check=False)
    if unbind is not None:
        unbind.communicate(timeout=120)


@pytest.fixture(scope="package")
def console_port() -> int:
    return free_port()


@pytest.fixture(scope="package")
def console_dex(console_port: int, console_namespace: str, topology: Topology,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dex]:
    """Dex with the shim's callback registered; ID tokens live 40 s, so a session renews within the tests."""
    dex = new_dex(tmp_path_factory.mktemp("dex"),
                  [f"http://127.0.0.1:{console_port}/api/k8s/auth/oidc/callback"], id_token_seconds=40)
    hub = Kubectl(topology.hub.kubeconfig)
    hub("create", "secret", "generic", "cloudops-oidc-dex", "-n", console_namespace,
        f"--from-literal=client-secret={dex.client_secret}")
    bind_groups(hub, console_namespace)
    yield dex.start()
    dex.stop()


@pytest.fixture(scope="package")
async def console(topology: Topology, console_namespace: str, log_pod: LogPod, console_port: int,
                  console_dex: Dex, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ConsoleEnv]:
    if not (BUILT / "index.html").exists():
        pytest.fail(f"the console is not built ({BUILT}): `make ui` builds it (make test does)")
    ns, tmp = console_namespace, tmp_path_factory.mktemp("console")
    ids = await asyncio.to_thread(provision, topology.hub.kubeconfig, ns, tmp / "identities")
    for path in ids.values():
        kubeconfig_secrets(path)
    # Changes made with kubectl show as versions within seconds (the default polls every 30 s).
    op = start_operator(topology, ns, tmp / "operator.log", ids["operator"], {"CLOUDOPS_VERSION_POLL_SECONDS": "5"})
    await asyncio.to_thread(wait_healthy, op)
    settings = Settings(namespace=ns, kubeconfig=str(ids["shim"]), audit_sink=f"file:{log_file(tmp / 'audit.jsonl')}",
                        member_timeout_seconds=3.0, sync_timeout_seconds=10.0, console_dir=str(BUILT),
                        oidc_issuers=console_dex.issuer_setting(client_secret={"name": "cloudops-oidc-dex"}))
    server = TestServer(create_app(settings), host="127.0.0.1", port=console_port)
    await server.start_server()
    try:
        assert await server.app[CACHE].wait_synced(60), "the shim's cluster cache did not sync"
        hub_api = await hub_client(str(topology.hub.kubeconfig))
        try:
            admin = secret(await create_api_key(hub_api, ns, "ui-admin", ["cloudops:admins"]))
            viewer = secret(await create_api_key(hub_api, ns, "ui-viewer", ["cloudops:viewers"]))
        finally:
            await hub_api.close()
        env = ConsoleEnv(str(server.make_url("")).rstrip("/"), ns, admin, viewer, log_pod, topology, settings,
                         tmp / "operator.log", console_dex)
        await _register_member_1(env)
        yield env
    finally:
        await server.close()
        stop_operator(op)


async def _register_member_1(env: ConsoleEnv) -> None:
    import aiohttp

    body = {"name": "member-1", "provider": "other", "region": "loopback",
            "kubeconfig": base64.b64encode(env.topology.members[0].kubeconfig.read_bytes()).decode()}
    async with aiohttp.ClientSession(headers={"X-API-Key": env.admin_key}) as s:
        async with s.post(env.at("/api/k8s/clusters/add"), json=body) as r:
            assert r.status == 200, await r.text()


@pytest.fixture(scope="package")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        await b.close()


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    ctx = await browser.new_context(viewport=VIEWPORT, accept_downloads=True)  # type: ignore[arg-type]
    ctx.set_default_timeout(15_000)
    yield ctx
    await ctx.close()


@pytest.fixture
async def page(context: BrowserContext) -> Page:
    return await context.new_page()


async def sign_in(page: Page, env: ConsoleEnv, key: str, then: str = "/ui/clusters") -> Page:
    """Through the login page, as a person would; then the page `then`."""
    await page.goto(env.at("/ui/login"))
    await page.get_by_label("API key").fill(key)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).not_to_have_url(env.at("/ui/login"))
    if then:
        await page.goto(env.at(then))
    return page


@pytest.fixture
async def admin_page(page: Page, console: ConsoleEnv) -> Page:
    return await sign_in(page, console, console.admin_key)


@pytest.fixture
async def viewer_page(page: Page, console: ConsoleEnv) -> Page:
    return await sign_in(page, console, console.viewer_key)


async def shot(page: Page, name: str) -> Path:
    """A screenshot of what the user sees, for the README and for a failing run's evidence."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    await page.screenshot(path=str(path))
    return path


async def axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations of impact critical or serious on the page as it is now."""
    # Evaluated through the DevTools protocol, which the page's CSP (no inline script) does not govern.
    await page.evaluate(AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = await page.evaluate("async () => await axe.run(document)")
    return [v for v in result["violations"] if v.get("impact") in ("critical", "serious")]
