"""Observed flows for network analysis (智能运维 API network 2.1), from the one configured flow source.

CLOUDOPS_NETWORK_FLOWS names it:
- `hubble:/path/flows.json`: a Hubble flow export (`hubble observe -o json`, or Hubble's flow exporter): JSON
  lines, each a flow or `{"flow": {...}}`. Flows within the time range that start or end in the namespace are
  folded into edges (source, destination, protocol, port) with counts per verdict; replies are skipped.
- `prometheus:http://127.0.0.1:9090`: Hubble's flow metrics in Prometheus (`hubble_flows_processed_total` with
  `labelsContext=source_namespace,source_workload,destination_namespace,destination_workload`), their
  `increase()` over the range summed per workload pair, protocol and verdict, of the analysed cluster only
  (CLOUDOPS_PROMETHEUS_CLUSTER_LABEL, as cloudops.prometheus); the query is part of the answer. Only loopback
  addresses (127.0.0.0/8, localhost, ::1) are ever contacted: any other host is refused and said so, never
  called.
Unset, there is no observed traffic and the caller reports `time_range` as not applicable.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from typing_extensions import TypedDict

from cloudops.errors import BadRequest, ConfigError
from cloudops.kube.types import JsonObject, JsonValue
from cloudops.prometheus import Prometheus, PrometheusError, Sample, selector

__all__ = ["FLOW_METRIC", "FlowEdge", "FlowSource", "Observed", "RangeError", "SourceError", "flow_query",
           "fold_flow_metrics", "fold_hubble", "parse_range", "parse_source", "read_flows"]

MAX_BYTES = 64 * 1024 * 1024  # of a Hubble export read per analysis
MAX_EDGES = 500
_RANGE = re.compile(r"^([1-9][0-9]{0,3})([mhd])$")
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


class SourceError(ConfigError, ValueError):
    """The configured source is unusable (refused address, unreadable file, bad answer); the message says why.
    Analysis reports it in its answer (`flow_source.error`) rather than failing."""


class RangeError(BadRequest, ValueError):
    """A time range that is not like 30m, 24h or 7d."""


# One observed connection: source, destination, protocol and port, with its flows counted per verdict.
FlowEdge = TypedDict("FlowEdge", {"from": str, "to": str, "protocol": str, "port": int | None, "flows": int,
                                  "verdicts": dict[str, int], "first_seen": str | None, "last_seen": str | None})


@dataclass(frozen=True)
class FlowSource:
    kind: Literal["hubble", "prometheus"]
    location: str  # the file path or the base URL


@dataclass
class Observed:
    source: FlowSource
    since: datetime
    until: datetime
    edges: list[FlowEdge] = field(default_factory=list)
    flows_read: int = 0
    truncated: bool = False
    queries: list[str] = field(default_factory=list)  # the PromQL asked, with the Prometheus source


def parse_range(text: str) -> timedelta:
    m = _RANGE.fullmatch(text)
    if m is None:
        raise RangeError(f"{text!r} is not like 30m, 24h or 7d", field="time_range")
    n, unit = int(m.group(1)), m.group(2)
    return timedelta(minutes=n) if unit == "m" else timedelta(hours=n) if unit == "h" else timedelta(days=n)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_source(setting: str) -> FlowSource | None:
    """The configured source, None when unset; SourceError when it is malformed or not allowed."""
    setting = setting.strip()
    if not setting:
        return None
    kind, _, location = setting.partition(":")
    if kind == "hubble" and location:
        return FlowSource("hubble", location)
    if kind == "prometheus" and location:
        parts = urlsplit(location)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SourceError("CLOUDOPS_NETWORK_FLOWS: prometheus needs an http(s) URL")
        if not _loopback(parts.hostname):
            raise SourceError(f"CLOUDOPS_NETWORK_FLOWS: {parts.hostname} is not a loopback address "
                              "(127.0.0.0/8, localhost, ::1); other hosts are never contacted")
        return FlowSource("prometheus", location.rstrip("/"))
    raise SourceError("CLOUDOPS_NETWORK_FLOWS: expected hubble:/path/to/flows.json or prometheus:http://127.0.0.1:PORT")


def _time(text: JsonValue | None) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    text = re.sub(r"(\.\d{6})\d+", r"\1", text.replace("Z", "+00:00"))  # nanoseconds to micro
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _object(value: JsonValue | None) -> JsonObject:
    return value if isinstance(value, dict) else {}


def _endpoint(e: JsonObject) -> str:
    ns, pod = str(e.get("namespace") or ""), str(e.get("pod_name") or "")
    if ns and pod:
        return f"{ns}/{pod}"
    given = e.get("labels")
    labels = [str(x) for x in given] if isinstance(given, list) else []
    world = next((x.split(":", 1)[1] for x in labels if x.startswith("reserved:")), "")
    return f"reserved:{world}" if world else (e.get("identity") and f"identity:{e.get('identity')}") or "unknown"


def _l4(flow: JsonObject) -> tuple[str, int | None]:
    l4 = _object(flow.get("l4"))
    for proto in ("TCP", "UDP", "SCTP"):
        if proto in l4:
            port = _object(l4[proto]).get("destination_port")
            return proto, int(port) if isinstance(port, int) else None
    return ("ICMP", None) if l4 else ("", None)


def _flow(line: str) -> tuple[JsonObject, datetime | None] | None:
    """One line of a Hubble export: the flow and its time; None for a blank or unreadable line or a reply."""
    line = line.strip()
    if not line:
        return None
    try:
        doc: JsonValue = json.loads(line)
    except ValueError:
        return None
    if not isinstance(doc, dict):
        return None
    flow = doc.get("flow", doc)
    if not isinstance(flow, dict) or flow.get("is_reply") is True:
        return None
    return flow, _time(flow.get("time") or doc.get("time"))


def _stamp(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def fold_hubble(lines: Iterable[str], namespace: str, since: datetime, until: datetime) -> tuple[list[FlowEdge], int]:
    """Edges of the namespace's flows in [since, until] (pure); (edges, flows counted)."""
    edges: dict[tuple[str, str, str, int | None], FlowEdge] = {}
    seen: dict[tuple[str, str, str, int | None], tuple[datetime, datetime]] = {}
    counted = 0
    for flow, t in filter(None, map(_flow, lines)):
        src, dst = _object(flow.get("source")), _object(flow.get("destination"))
        if t is None or not since <= t <= until or namespace not in (src.get("namespace"), dst.get("namespace")):
            continue
        counted += 1
        proto, port = _l4(flow)
        key = (_endpoint(src), _endpoint(dst), proto, port)
        edge = edges.setdefault(key, {"from": key[0], "to": key[1], "protocol": proto, "port": port, "flows": 0,
                                      "verdicts": {}, "first_seen": None, "last_seen": None})
        edge["flows"] += 1
        verdict = str(flow.get("verdict") or "UNKNOWN")
        edge["verdicts"][verdict] = edge["verdicts"].get(verdict, 0) + 1
        first, last = seen.get(key, (t, t))
        seen[key] = min(first, t), max(last, t)
    for key, edge in edges.items():
        edge["first_seen"], edge["last_seen"] = _stamp(seen[key][0]), _stamp(seen[key][1])
    return sorted(edges.values(), key=lambda e: (-e["flows"], e["from"], e["to"], e["port"] or 0)), counted


def _read(path: str) -> tuple[list[str], bool]:
    p = Path(path)
    try:
        with p.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise SourceError(f"the Hubble flow export cannot be read ({e.__class__.__name__})") from None
    cut = len(data) > MAX_BYTES
    return data[:MAX_BYTES].decode("utf-8", "replace").splitlines(), cut


FLOW_METRIC = "hubble_flows_processed_total"
_BY = ("source_namespace", "source_workload", "destination_namespace", "destination_workload", "protocol", "verdict")


def flow_query(prom: Prometheus, cluster: str, namespace: str, window: str) -> str:
    """Hubble's flow counter over `window`, summed per workload pair, protocol and verdict, for flows that start
    or end in `namespace` (`or` keeps a flow within the namespace once)."""
    if not _LABEL.fullmatch(namespace):
        raise SourceError("namespace must be a DNS label")
    sides = [f"increase({selector(FLOW_METRIC, prom.matchers(cluster, **{side: namespace}))}[{window}])"
             for side in ("source_namespace", "destination_namespace")]
    return f"sum by ({', '.join(_BY)}) ({' or '.join(sides)})"


def fold_flow_metrics(samples: Iterable[Sample]) -> list[FlowEdge]:
    """Edges (namespace/workload to namespace/workload, protocol) with their flows per verdict (pure)."""
    edges: dict[tuple[str, str, str], FlowEdge] = {}
    for sample in samples:
        count, m = sample.finite, sample.labels
        if count is None or round(count) <= 0:
            continue
        src = f"{m.get('source_namespace', '')}/{m.get('source_workload', '')}"
        dst = f"{m.get('destination_namespace', '')}/{m.get('destination_workload', '')}"
        proto = m.get("protocol", "")
        edge = edges.setdefault((src, dst, proto), {"from": src, "to": dst, "protocol": proto, "port": None,
                                                    "flows": 0, "verdicts": {}, "first_seen": None,
                                                    "last_seen": None})
        verdict = m.get("verdict") or "UNKNOWN"
        edge["verdicts"][verdict] = edge["verdicts"].get(verdict, 0) + round(count)
        edge["flows"] += round(count)
    return sorted(edges.values(), key=lambda e: (-e["flows"], e["from"], e["to"], e["protocol"]))


async def read_flows(source: FlowSource, namespace: str, time_range: str, seconds: float = 5.0, cluster: str = "",
                     cluster_label: str = "") -> Observed:
    """The namespace's observed flows over `time_range` ending now; SourceError when the source fails. With
    Prometheus, only series whose `cluster_label` is `cluster` (no matcher when the label is empty)."""
    until = datetime.now(UTC)
    since = until - parse_range(time_range)
    observed = Observed(source, since, until)
    if source.kind == "hubble":
        lines, observed.truncated = await asyncio.to_thread(_read, source.location)
        edges, observed.flows_read = await asyncio.to_thread(fold_hubble, lines, namespace, since, until)
    else:
        prom = Prometheus(source.location, cluster_label, seconds)
        try:
            query = flow_query(prom, cluster, namespace, time_range)
            observed.queries = [query]
            edges = fold_flow_metrics(await prom.query(query, until.timestamp()))
        except PrometheusError as e:
            raise SourceError(f"Prometheus gave no answer: {e.reason}") from None
        observed.flows_read = sum(e["flows"] for e in edges)
    observed.truncated = observed.truncated or len(edges) > MAX_EDGES
    observed.edges = edges[:MAX_EDGES]
    return observed
