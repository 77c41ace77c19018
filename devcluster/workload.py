"""A small real HTTP service on loopback standing for a pod's process, and a client that sends it traffic.

It counts what it serves and exports the counters on `/metrics` in Prometheus' text format, as an
instrumented application does (`http_requests_total`, `http_response_size_bytes`, `http_request_size_bytes`).
It also counts each request as a flow from the caller's workload (the `X-Source-Workload: namespace/name`
header, since on loopback every caller has the same address) under Hubble's flow metric
`hubble_flows_processed_total`: on these clusters it stands in for the CNI's flow observer, as kwok stands in
for the kubelet. Every figure is a count of requests that really happened.
"""

from __future__ import annotations

import threading
import time
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["HttpWorkload", "Traffic"]


class _Counts:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: Counter[tuple[str, str]] = Counter()  # (method, code)
        self.flows: Counter[tuple[str, str]] = Counter()  # (source namespace, source workload)
        self.sent = 0
        self.received = 0
        self.responses = 0


class HttpWorkload:
    """Serves `body_bytes` per request on 127.0.0.1 (a free port unless given) until `close()`."""

    def __init__(self, namespace: str, workload: str, body_bytes: int = 2048, port: int = 0) -> None:
        self.namespace, self.workload = namespace, workload
        self.counts = _Counts()
        counts, body = self.counts, b"x" * body_bytes
        me = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def _answer(self, method: str) -> None:
                if self.path == "/metrics":
                    payload = me.exposition().encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain; version=0.0.4")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                length = int(self.headers.get("Content-Length") or 0)
                got = self.rfile.read(length) if length else b""
                source = (self.headers.get("X-Source-Workload") or "/").split("/", 1)
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                with counts.lock:
                    counts.requests[(method, "200")] += 1
                    counts.received += len(self.requestline) + 2 + len(self.headers.as_bytes()) + len(got)
                    counts.sent += len(body)
                    counts.responses += 1
                    if len(source) == 2 and source[0] and source[1]:
                        counts.flows[(source[0], source[1])] += 1

            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                self._answer("POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self.address = f"127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"workload-{workload}", daemon=True)
        self._thread.start()

    def totals(self) -> tuple[int, int, int]:
        """Requests served, bytes received, bytes sent so far."""
        with self.counts.lock:
            return sum(self.counts.requests.values()), self.counts.received, self.counts.sent

    def exposition(self) -> str:
        c = self.counts
        with c.lock:
            lines = ["# HELP http_requests_total Requests served.", "# TYPE http_requests_total counter"]
            lines += [f'http_requests_total{{method="{m}",code="{code}"}} {n}' for (m, code), n in
                      sorted(c.requests.items())] or ['http_requests_total{method="GET",code="200"} 0']
            lines += ["# HELP http_response_size_bytes Bytes of response bodies.",
                      "# TYPE http_response_size_bytes summary",
                      f"http_response_size_bytes_sum {c.sent}", f"http_response_size_bytes_count {c.responses}",
                      "# HELP http_request_size_bytes Bytes of requests received (line, headers, body).",
                      "# TYPE http_request_size_bytes summary",
                      f"http_request_size_bytes_sum {c.received}", f"http_request_size_bytes_count {c.responses}",
                      "# HELP hubble_flows_processed_total Flows observed, by source and destination workload.",
                      "# TYPE hubble_flows_processed_total counter"]
            lines += [f'hubble_flows_processed_total{{source_namespace="{ns}",source_workload="{w}",'
                      f'destination_namespace="{self.namespace}",destination_workload="{self.workload}",'
                      f'verdict="FORWARDED",protocol="TCP",type="Trace"}} {n}'
                      for (ns, w), n in sorted(c.flows.items())]
        return "\n".join(lines) + "\n"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class Traffic:
    """Sends requests to a workload from `source` (namespace/name) at `rate` per second until `stop()`;
    `rate` may be changed while it runs."""

    def __init__(self, address: str, source: str, rate: float) -> None:
        self.address, self.source, self.rate = address, source, rate
        self.sent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"traffic-{source}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            if self.rate > 0:
                req = urllib.request.Request(f"http://{self.address}/api/orders",
                                             headers={"X-Source-Workload": self.source})
                try:
                    with urllib.request.urlopen(req, timeout=5) as r:
                        r.read()
                    self.sent += 1
                except OSError:
                    pass
                wait = 1.0 / self.rate
            else:
                wait = 0.5
            self._stop.wait(max(0.0, wait - (time.monotonic() - started)))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
