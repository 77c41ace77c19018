"""glibc's allocator keeps two arenas (cloudops.native_memory); asyncio's TLS read buffers are 16 KiB."""

from __future__ import annotations

import asyncio.sslproto
import platform
import ssl

import pytest

from cloudops.kube.client import TLS_READ_BUFFER, shrink_tls_buffers
from cloudops.native_memory import limit_arenas

glibc = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mallopt and malloc_trim")


@glibc
def test_arenas_are_limited_unless_the_environment_says_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert limit_arenas() is True
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_arenas() is False


def test_tls_read_buffers_are_allocated_at_the_smaller_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(asyncio.sslproto.SSLProtocol, "max_size", 256 * 1024)
    shrink_tls_buffers()
    loop = asyncio.new_event_loop()
    try:
        proto = asyncio.sslproto.SSLProtocol(loop, asyncio.Protocol(), ssl.create_default_context(),
                                            loop.create_future())
        assert len(proto._ssl_buffer) == TLS_READ_BUFFER  # type: ignore[attr-defined]
    finally:
        loop.close()
