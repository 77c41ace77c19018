"""cloudops.network.probes against servers this test starts on 127.0.0.0/8 (never anything else)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest

from cloudops.network.probes import HttpCheck, ProbeScope, Target, probe_all, summarize

LOCAL = ProbeScope.parse("127.0.0.0/8", "192.0.2.0/24=127.0.0.0/24")


def test_scope_maps_and_refuses() -> None:
    assert LOCAL.route("192.0.2.7") == "127.0.0.7" and LOCAL.route("127.0.0.9") == "127.0.0.9"
    assert LOCAL.route("10.244.0.5") is None and LOCAL.route("8.8.8.8") is None and LOCAL.route("x") is None
    assert LOCAL.route("::1") is None
    assert ProbeScope.parse("").route("127.0.0.1") is None  # nothing configured: nothing is contacted
    assert ProbeScope.parse("", "192.0.2.0/24=127.0.0.0/24").route("192.0.2.1") is None  # a map alone opens nothing
    with pytest.raises(ValueError, match="CLOUDOPS_PROBE_CIDRS"):
        ProbeScope.parse("10.0.0.0/33")
    with pytest.raises(ValueError, match="different sizes"):
        ProbeScope.parse("127.0.0.0/8", "192.0.2.0/24=127.0.0.0/16")


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], object]


async def _serve(host: str, handler: Handler) -> tuple[asyncio.Server, int]:
    server = await asyncio.start_server(handler, host, 0)  # type: ignore[arg-type]
    return server, server.sockets[0].getsockname()[1]


def http(status: int, delay: float = 0.0) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        if delay:
            await asyncio.sleep(delay)  # a slow server, on purpose
        writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        writer.close()
    return handle


@pytest.fixture
async def servers() -> AsyncIterator[dict[str, int]]:
    started = {}
    handles = []
    for name, host, h in (("ok", "127.0.0.2", http(200)), ("err", "127.0.0.3", http(503)),
                          ("slow", "127.0.0.4", http(200, 5.0))):
        server, port = await _serve(host, h)
        handles.append(server)
        started[name] = port
    yield started
    for s in handles:
        s.close()


async def test_probe_results_and_summary(servers: dict[str, int]) -> None:
    closed = servers["ok"]  # nothing listens on 127.0.0.5 at that port
    targets = [Target("192.0.2.2", servers["ok"], (HttpCheck(),)),
               Target("192.0.2.3", servers["err"], (HttpCheck(),)),
               Target("127.0.0.5", closed),
               Target("10.244.1.5", 80),
               Target("192.0.2.4", servers["slow"], (HttpCheck(),)),
               Target("192.0.2.3", servers["err"], (HttpCheck("/health", expected_status=503, custom=True),))]
    start = time.monotonic()
    results = await probe_all(targets, LOCAL, seconds=1.0, retries=1)
    elapsed = time.monotonic() - start
    assert elapsed < 2.5  # (retries + 1) × timeout, not the sum over addresses
    ok, err, refused, remote, slow, custom = results
    assert ok.status == "healthy" and ok.tcp_check == "passed" and ok.http_check == "passed" and ok.attempts == 1
    assert ok.response_time is not None and ok.response_time < 1 and ok.endpoint == f"192.0.2.2:{servers['ok']}"
    assert err.status == "unhealthy" and err.http_check == "failed" and err.error_type == "http_status"
    assert err.attempts == 2 and err.http_status == [503]
    assert refused.status == "unhealthy" and refused.error_type == "connection_refused"
    assert remote.status == "unreachable_from_shim" and remote.attempts == 0
    assert slow.status == "timeout" and slow.tcp_check == "passed" and slow.error_type == "timeout"
    assert custom.status == "healthy" and custom.custom_check == "passed"
    assert summarize(results) == {"total_checked": 6, "healthy": 2, "unhealthy": 2, "timeout": 1,
                                  "unreachable_from_shim": 1}


async def test_many_targets_with_a_small_pool_stay_within_the_bound(servers: dict[str, int]) -> None:
    targets = [Target("127.0.0.4", servers["slow"], (HttpCheck(),)) for _ in range(12)]
    start = time.monotonic()
    results = await probe_all(targets, LOCAL, seconds=0.5, retries=0, concurrency=2)
    assert time.monotonic() - start < 1.5
    assert {r.status for r in results} == {"timeout"}
    assert sum(1 for r in results if r.error == "not probed before the deadline") >= 8
