"""Prometheus's HTTP query API: the one client of every figure the product takes from a user's Prometheus
(cluster network usage, endpoint traffic, observed flows).

Only this module talks to Prometheus: `GET /api/v1/query` and `/api/v1/query_range`, each under a timeout, the
answer read into typed samples. Every failure (unreachable, no answer in time, an HTTP error, an error answer,
an answer not understood) is one `PrometheusError` whose `reason` is scrubbed and names no URL, for the caller
to show beside a null figure. Label values are escaped here (`selector`), never spliced by callers.

Several clusters in one Prometheus (Thanos, Mimir, a federating or agent-fed Prometheus) are told apart by a
label, `cluster` unless CLOUDOPS_PROMETHEUS_CLUSTER_LABEL says otherwise (empty: one cluster per Prometheus,
no matcher). Its value for a registered cluster is the ManagedCluster's name, or the ManagedCluster's label
`cloudops.io/prometheus-cluster` when the Prometheus knows the cluster by another name.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import aiohttp
from pydantic import BaseModel, ValidationError

from cloudops.constants import GROUP
from cloudops.errors import UpstreamFailed
from cloudops.redact import scrub
from cloudops.settings import Settings

__all__ = ["CLUSTER_NAME_LABEL", "MAX_ANSWER_BYTES", "Prometheus", "PrometheusError", "Sample", "Series",
           "cluster_value", "escape", "iso", "selector"]

CLUSTER_NAME_LABEL = f"{GROUP}/prometheus-cluster"  # on a ManagedCluster: its name in the cluster label
MAX_ANSWER_BYTES = 32 * 1024 * 1024
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")


class PrometheusError(UpstreamFailed):
    """Prometheus gave no usable answer; `reason` (scrubbed, no URL) says why."""

    def __init__(self, reason: str) -> None:
        self.reason = scrub(reason, 300)
        super().__init__(f"Prometheus: {self.reason}")


def escape(value: str) -> str:
    """`value` as the inside of a PromQL double-quoted string."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def selector(metric: str, labels: Mapping[str, str], present: Sequence[str] = ()) -> str:
    """`metric{name="value",...,other!=""}`: `labels` equal (values escaped), the `present` labels not empty.
    The metric and label names must be Prometheus names."""
    if not _METRIC_NAME.fullmatch(metric):
        raise ValueError(f"{metric!r} is not a metric name")
    for name in [*labels, *present]:
        if not _LABEL_NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a label name")
    terms = [f'{k}="{escape(v)}"' for k, v in labels.items()] + [f'{k}!=""' for k in present]
    return metric + "{" + ",".join(terms) + "}"


def cluster_value(name: str, cr: Mapping[str, object]) -> str:
    """A registered cluster's value of the cluster label: its ManagedCluster's label CLUSTER_NAME_LABEL when
    set, else its name."""
    meta = cr.get("metadata")
    labels = meta.get("labels") if isinstance(meta, dict) else None
    given = labels.get(CLUSTER_NAME_LABEL) if isinstance(labels, dict) else None
    return given if isinstance(given, str) and given else name


def iso(t: float) -> str:
    """Unix seconds as the API's timestamps (UTC, second precision)."""
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Sample:
    """One element of an instant vector (or a scalar, with no labels)."""

    labels: dict[str, str]
    value: float

    @property
    def finite(self) -> float | None:
        return self.value if math.isfinite(self.value) else None


@dataclass(frozen=True)
class Series:
    """One series of a range query: (unix seconds, value) per step where it had a value."""

    labels: dict[str, str]
    points: list[tuple[float, float]] = field(default_factory=list)


class _Data(BaseModel):
    resultType: Literal["vector", "matrix", "scalar", "string"]  # Prometheus's field names
    result: list[dict[str, object]] | tuple[float, str]


class _Answer(BaseModel):
    status: Literal["success", "error"]
    data: _Data | None = None
    errorType: str | None = None
    error: str | None = None


class _Row(BaseModel):
    metric: dict[str, str] = {}
    value: tuple[float, str] | None = None
    values: list[tuple[float, str]] = []


@dataclass(frozen=True)
class Prometheus:
    """One Prometheus: its base URL, the label that tells clusters apart ("" for none) and a per-query timeout."""

    url: str
    cluster_label: str = "cluster"
    timeout: float = 5.0

    @classmethod
    def of(cls, settings: Settings) -> Prometheus | None:
        """The configured Prometheus (CLOUDOPS_PROMETHEUS_URL), None when there is none; each query may take
        CLOUDOPS_MEMBER_TIMEOUT seconds, as a member call may."""
        if not settings.prometheus_url.strip():
            return None
        return cls(settings.prometheus_url.strip(), settings.prometheus_cluster_label.strip(),
                   settings.member_timeout_seconds)

    def matchers(self, cluster: str, **labels: str) -> dict[str, str]:
        """`labels` and, when a cluster label is configured, `cluster` under it (first)."""
        if not self.cluster_label:
            return dict(labels)
        if not _LABEL_NAME.fullmatch(self.cluster_label) or self.cluster_label in labels:
            raise PrometheusError(f"CLOUDOPS_PROMETHEUS_CLUSTER_LABEL {self.cluster_label!r} is not a usable "
                                  "label name")
        return {self.cluster_label: cluster, **labels}

    async def query(self, promql: str, at: float) -> list[Sample]:
        """The instant query evaluated at `at` (unix seconds)."""
        data = await self._get("/api/v1/query", {"query": promql, "time": f"{at:.3f}"})
        if data.resultType == "scalar" and isinstance(data.result, tuple):
            return [Sample({}, _number(data.result[1]))]
        if data.resultType != "vector" or isinstance(data.result, tuple):
            raise PrometheusError(f"the query answered a {data.resultType}, not an instant vector")
        return [Sample(r.metric, _number(r.value[1])) for r in _rows(data.result) if r.value is not None]

    async def query_range(self, promql: str, start: float, end: float, step: float) -> list[Series]:
        """The query evaluated every `step` seconds from `start` to `end`."""
        data = await self._get("/api/v1/query_range", {"query": promql, "start": f"{start:.3f}",
                                                        "end": f"{end:.3f}", "step": f"{step:g}"})
        if data.resultType != "matrix" or isinstance(data.result, tuple):
            raise PrometheusError(f"the range query answered a {data.resultType}, not a matrix")
        return [Series(r.metric, [(t, _number(v)) for t, v in r.values]) for r in _rows(data.result)]

    async def _get(self, path: str, params: dict[str, str]) -> _Data:
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as session, \
                    session.get(f"{self.url.rstrip('/')}{path}", params=params,
                                headers={"Accept": "application/json"}) as resp:
                raw, status = await _body(resp), resp.status
        except TimeoutError:
            raise PrometheusError(f"no answer within {self.timeout:g} s") from None
        except aiohttp.InvalidURL:
            raise PrometheusError("the configured Prometheus address is not a URL") from None
        except aiohttp.ClientError as e:
            raise PrometheusError(f"unreachable ({e.__class__.__name__})") from None
        return _answer(status, raw)


async def _body(resp: aiohttp.ClientResponse) -> bytes:
    """The whole answer, refused past MAX_ANSWER_BYTES."""
    chunks, size = [], 0
    async for chunk in resp.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise PrometheusError(f"the answer exceeds {MAX_ANSWER_BYTES // (1024 * 1024)} MiB")
        chunks.append(chunk)
    return b"".join(chunks)


def _answer(status: int, raw: bytes) -> _Data:
    """The `data` of a success answer; PrometheusError for an error answer, an HTTP error or anything else."""
    try:
        answer = _Answer.model_validate(json.loads(raw))
    except (ValueError, ValidationError):
        raise PrometheusError(f"HTTP {status} with an answer that is not Prometheus's JSON" if status == 200
                              else f"HTTP {status}") from None
    if answer.status == "error" or answer.data is None:
        raise PrometheusError(f"HTTP {status}, {answer.errorType or 'error'}: {answer.error or 'no detail'}")
    if status != 200:
        raise PrometheusError(f"HTTP {status}")
    return answer.data


def _rows(result: list[dict[str, object]]) -> list[_Row]:
    try:
        return [_Row.model_validate(r) for r in result]
    except ValidationError:
        raise PrometheusError("a result row is not Prometheus's shape") from None


def _number(text: str) -> float:
    try:
        return float(text)  # "NaN", "+Inf" and "-Inf" included
    except ValueError:
        raise PrometheusError(f"{text[:40]!r} is not a number") from None
