"""Members that behave like remote clouds: a loopback TCP proxy adding a fixed delay each way.

`python -m bench.proxy DELAY_SECONDS HOST:PORT [HOST:PORT ...]` listens on 127.0.0.1, one free port per
upstream, prints `listening PORT -> HOST:PORT` lines and a final `ready`, and forwards bytes after
DELAY_SECONDS in each direction (TLS passes through untouched). Upstreams must be on 127.0.0.0/8: the
proxy refuses anything else, so a benchmark can never send a packet off this machine.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import sys

__all__ = ["main", "serve"]

CHUNK = 65536


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    """Each chunk leaves `delay` seconds after it arrived, in order (timers with one delay keep FIFO)."""
    loop = asyncio.get_running_loop()
    try:
        while chunk := await reader.read(CHUNK):
            loop.call_later(delay, writer.write, chunk)
        await asyncio.sleep(delay)
    finally:
        loop.call_later(delay, writer.close)


async def _handle(upstream: tuple[str, int], delay: float, client_r: asyncio.StreamReader,
                  client_w: asyncio.StreamWriter) -> None:
    try:
        server_r, server_w = await asyncio.open_connection(*upstream)
    except OSError:
        client_w.close()
        return
    await asyncio.gather(_pipe(client_r, server_w, delay), _pipe(server_r, client_w, delay),
                         return_exceptions=True)


def _loopback(target: str) -> tuple[str, int]:
    host, _, port = target.rpartition(":")
    if not ipaddress.ip_address(host).is_loopback:
        raise SystemExit(f"refusing upstream {target}: only 127.0.0.0/8 is allowed here")
    return host, int(port)


async def serve(delay: float, upstreams: list[str]) -> list[tuple[int, str]]:
    out = []
    for target in upstreams:
        server = await asyncio.start_server(functools.partial(_handle, _loopback(target), delay), "127.0.0.1", 0)
        out.append((int(server.sockets[0].getsockname()[1]), target))
    return out


async def main(argv: list[str]) -> None:
    delay, upstreams = float(argv[0]), argv[1:]
    for port, target in await serve(delay, upstreams):
        print(f"listening {port} -> {target}", flush=True)
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
