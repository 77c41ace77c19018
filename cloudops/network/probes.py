"""Active probes of endpoint addresses: TCP connect and a minimal HTTP/1.1 request, concurrent and time-bounded.

Where probes may go is a hard boundary, not a hint: `ProbeScope` lists the networks this process may
contact (CLOUDOPS_PROBE_CIDRS) and an optional prefix-preserving address map (CLOUDOPS_PROBE_ADDRESS_MAP,
`from-cidr=to-cidr`). An address outside the scope is never contacted and is reported
`unreachable_from_shim`, which is the truth when the shim does not sit in a member's pod network.
Kubernetes refuses loopback and link-local addresses in EndpointSlices and v1 Endpoints, so local test
set-ups give endpoints documentation addresses (192.0.2.0/24) and map them to 127.0.0.0/24.

Total time of `probe_all` is bounded by (retries + 1) × timeout however many addresses there are.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from typing_extensions import TypedDict

from cloudops.errors import BusinessCode, ConfigError

__all__ = ["ErrorType", "HttpCheck", "ProbeConfigError", "ProbeResult", "ProbeScope", "Status", "Summary", "Target",
           "probe_all", "summarize"]

Status = Literal["healthy", "unhealthy", "timeout", "unreachable_from_shim"]
Check = Literal["passed", "failed", "timeout", "skipped"]
ErrorType = Literal["timeout", "connection_refused", "http_status", "connection_error"]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ProbeConfigError(ConfigError, ValueError):
    """CLOUDOPS_PROBE_CIDRS or CLOUDOPS_PROBE_ADDRESS_MAP is malformed: nothing can be probed (503/1005)."""

    status, code = 503, BusinessCode.CONFIG_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message, field="probe configuration")


class Summary(TypedDict):
    total_checked: int
    healthy: int
    unhealthy: int
    timeout: int
    unreachable_from_shim: int


def _network(text: str, where: str) -> Network:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise ProbeConfigError(f"{where}: {text.strip()[:60]!r} is not a CIDR") from None


@dataclass(frozen=True)
class ProbeScope:
    allowed: tuple[Network, ...] = ()
    mapping: tuple[tuple[Network, Network], ...] = ()

    @classmethod
    def parse(cls, cidrs: str, mapping: str = "") -> ProbeScope:
        """`cidrs` comma-separated; `mapping` comma-separated `from=to` pairs of equal prefix length.
        ProbeConfigError (a ValueError) says what is malformed."""
        allowed = tuple(_network(c, "CLOUDOPS_PROBE_CIDRS") for c in cidrs.split(",") if c.strip())
        pairs = []
        for entry in (m for m in mapping.split(",") if m.strip()):
            src, sep, dst = entry.partition("=")
            if not sep:
                raise ProbeConfigError(f"CLOUDOPS_PROBE_ADDRESS_MAP: {entry.strip()[:60]!r} is not from-cidr=to-cidr")
            a, b = _network(src, "CLOUDOPS_PROBE_ADDRESS_MAP"), _network(dst, "CLOUDOPS_PROBE_ADDRESS_MAP")
            if a.version != b.version or a.prefixlen != b.prefixlen:
                raise ProbeConfigError(f"CLOUDOPS_PROBE_ADDRESS_MAP: {entry.strip()!r} maps networks of different "
                                       "sizes")
            pairs.append((a, b))
        return cls(allowed, tuple(pairs))

    def route(self, ip: str) -> str | None:
        """The address to contact for endpoint address `ip`, or None when it is out of scope."""
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return None
        for src, dst in self.mapping:
            if addr.version == src.version and addr in src:
                addr = ipaddress.ip_address(int(dst.network_address) + int(addr) - int(src.network_address))
                break
        if any(addr.version == n.version and addr in n for n in self.allowed):
            return str(addr)
        return None


@dataclass(frozen=True)
class HttpCheck:
    path: str = "/"
    method: str = "GET"
    expected_status: int | None = None  # None: any status below 500 passes
    custom: bool = False  # a caller's custom check rather than the default check of an HTTP port


@dataclass(frozen=True)
class Target:
    ip: str
    port: int
    checks: tuple[HttpCheck, ...] = ()


@dataclass
class ProbeResult:
    ip: str
    port: int
    status: Status
    response_time: float | None = None
    attempts: int = 0
    tcp_check: Check = "skipped"
    http_check: Check = "skipped"
    custom_check: Check = "skipped"
    error: str | None = None
    error_type: ErrorType | None = None
    http_status: list[int] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        return f"[{self.ip}]:{self.port}" if ":" in self.ip else f"{self.ip}:{self.port}"


class NotHttp(Exception):
    """The port answered, but not with HTTP: a probe result (`error`), never an error of a request."""


async def _http(host: str, port: int, check: HttpCheck, host_header: str) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(f"{check.method} {check.path} HTTP/1.1\r\nHost: {host_header}\r\n"
                     "User-Agent: cloudops-probe\r\nAccept: */*\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        line = await reader.readline()
        parts = line.decode("latin-1").split()
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or not (parts[1].isascii() and parts[1].isdigit()):
            raise NotHttp("the port answered, but not with HTTP")
        return int(parts[1])
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def _attempt(host: str, target: Target, result: ProbeResult) -> bool:
    start = time.monotonic()
    _, writer = await asyncio.open_connection(host, target.port)
    writer.close()
    with contextlib.suppress(Exception):
        await writer.wait_closed()
    result.tcp_check = "passed"
    result.response_time = round(time.monotonic() - start, 4)
    ok = True
    result.http_status = []
    for check in target.checks:
        status = await _http(host, target.port, check, f"{target.ip}:{target.port}")
        result.http_status.append(status)
        passed = status == check.expected_status if check.expected_status is not None else status < 500
        verdict: Check = "passed" if passed else "failed"
        if check.custom:
            result.custom_check = verdict if result.custom_check in ("skipped", "passed") else result.custom_check
        else:
            result.http_check = verdict
        if not passed:
            ok = False
            result.error, result.error_type = f"HTTP {check.method} {check.path} answered {status}", "http_status"
    if ok:
        result.response_time = round(time.monotonic() - start, 4)
    return ok


async def _probe(target: Target, host: str, seconds: float, retries: int, deadline: float) -> ProbeResult:
    result = ProbeResult(target.ip, target.port, "unhealthy")
    for _ in range(retries + 1):
        left = min(seconds, deadline - time.monotonic())
        if left <= 0:
            if not result.attempts:
                result.status, result.error, result.error_type = "timeout", "not probed before the deadline", \
                    "timeout"
            break
        result.attempts += 1
        result.tcp_check, result.http_check, result.custom_check = "skipped", "skipped", "skipped"
        result.error = result.error_type = None
        try:
            if await asyncio.wait_for(_attempt(host, target, result), timeout=left):
                result.status = "healthy"
                return result
            result.status = "unhealthy"
        except TimeoutError:
            result.status, result.error, result.error_type = "timeout", f"no answer within {left:.1f}s", "timeout"
            if result.tcp_check == "skipped":
                result.tcp_check = "timeout"
        except ConnectionRefusedError:
            result.status, result.tcp_check = "unhealthy", "failed"
            result.error, result.error_type = "connection refused", "connection_refused"
        except OSError as e:
            result.status = "unhealthy"
            if result.tcp_check == "skipped":
                result.tcp_check = "failed"
            result.error, result.error_type = f"connection error: {e.__class__.__name__}", "connection_error"
        except NotHttp as e:
            result.status, result.http_check = "unhealthy", "failed"
            result.error, result.error_type = str(e), "connection_error"
    return result


async def probe_all(targets: Sequence[Target], scope: ProbeScope, seconds: float, retries: int = 0,
                    concurrency: int = 32) -> list[ProbeResult]:
    """Every target, at most `concurrency` at once, results in the targets' order; never longer than
    (retries + 1) × seconds: targets still waiting then are reported as timed out."""
    deadline = time.monotonic() + (retries + 1) * seconds
    slots = asyncio.Semaphore(max(1, concurrency))

    async def one(t: Target) -> ProbeResult:
        host = scope.route(t.ip)
        if host is None:
            return ProbeResult(t.ip, t.port, "unreachable_from_shim",
                               error="outside CLOUDOPS_PROBE_CIDRS: this process cannot reach the address")
        async with slots:
            return await _probe(t, host, seconds, retries, deadline)

    return list(await asyncio.gather(*(one(t) for t in targets)))


def summarize(results: Sequence[ProbeResult]) -> Summary:
    out: Summary = {"total_checked": len(results), "healthy": 0, "unhealthy": 0, "timeout": 0,
                    "unreachable_from_shim": 0}
    for r in results:
        out[r.status] += 1
    return out
