"""Test helpers: kubectl against a given cluster and condition waits with timeouts (never fixed sleeps)."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
REPO = Path(__file__).resolve().parent.parent


class Kubectl:
    def __init__(self, kubeconfig: Path, namespace: str | None = None) -> None:
        self.kubeconfig, self.namespace = kubeconfig, namespace

    def run(self, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        ns = ["-n", self.namespace] if self.namespace else []
        res = subprocess.run(["kubectl", "--kubeconfig", str(self.kubeconfig), *ns, *args], input=stdin,
                             text=True, capture_output=True, timeout=120)
        if check and res.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed: {res.stderr}")
        return res

    def __call__(self, *args: str, stdin: str | None = None) -> str:
        return self.run(*args, stdin=stdin).stdout

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "-o", "json"))


def wait_until(cond: Callable[[], T], timeout: float = 60, what: str = "condition") -> T:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = cond()
            if last:
                return last
        except AssertionError as e:
            last = e
        time.sleep(0.2)  # poll
    raise TimeoutError(f"{what} not met within {timeout}s (last: {last!r})")


async def eventually(cond: Callable[[], Awaitable[T]], timeout: float = 60, what: str = "condition") -> T:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = await cond()
            if last:
                return last
        except AssertionError as e:
            last = e
        await asyncio.sleep(0.2)  # poll
    raise TimeoutError(f"{what} not met within {timeout}s (last: {last!r})")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def render_samples(namespace: str) -> str:
    out = subprocess.run(["kubectl", "kustomize", str(REPO / "deploy" / "samples")], text=True,
                         capture_output=True, check=True).stdout
    return out.replace("namespace: cloudops-system", f"namespace: {namespace}")
