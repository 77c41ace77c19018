"""The typed models of cloudops.resources against the CRDs they are written from (crds/*.yaml).

Every property of each served version's openAPIV3Schema is a field of the model (by wire name) and the other
way round, recursively, with the same JSON type, requiredness, default and enum; realistic objects of each kind
(deploy/samples plus the status the operator writes) validate and dump back as stored.
"""

from __future__ import annotations

import copy
import types
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import pytest
import yaml
from pydantic import BaseModel

from cloudops.clusters.history import FIELDS, record
from cloudops.clusters.probe import Snapshot
from cloudops.compliance.runs import CheckSpec, failed_status
from cloudops.constants import API_VERSION
from cloudops.labels.policy import Rule, rule_to_spec
from cloudops.resources import RESOURCES, ClusterMetrics, CostPricing, CustomResource, ManagedCluster, MetricHistory
from cloudops.resources.base import FreeForm, ObjectMeta, dump
from cloudops.resources.cluster_metrics import ClusterMetricsStatus
from cloudops.resources.compliance_check import ComplianceCheck, ComplianceCheckSpec, ComplianceCheckStatus
from cloudops.resources.label_policy import LabelRule
from cloudops.resources.managed_cluster import KubeconfigSecretRef, ManagedClusterSpec, ManagedClusterStatus
from cloudops.resources.metric_history import MetricHistoryStatus
from cloudops_operator.handlers.managed_cluster import _status_from_snapshot

ROOT = Path(__file__).resolve().parents[2]
CRD_DIR = ROOT / "crds"
SAMPLES = ROOT / "deploy" / "samples"
MODELS: dict[str, type[CustomResource]] = {m.KIND.kind: m for m in RESOURCES}
SCALARS: dict[str, type] = {"string": str, "integer": int, "number": float, "boolean": bool}
Json = dict[str, Any]


def _crd_files() -> list[Path]:
    return sorted(p for p in CRD_DIR.glob("*.yaml") if p.name != "kustomization.yaml")


def _load(path: Path) -> Json:
    crd: Json = yaml.safe_load(path.read_text())
    assert crd["kind"] == "CustomResourceDefinition", path
    return crd


def served_schema(crd: Json) -> Json:
    served = [v for v in crd["spec"]["versions"] if v.get("served")]
    assert len(served) == 1, f"{crd['metadata']['name']}: expected one served version"
    schema: Json = served[0]["schema"]["openAPIV3Schema"]
    return schema


CRDS: dict[str, Json] = {(c := _load(p))["spec"]["names"]["kind"]: c for p in _crd_files()}


def schema_of(kind: str) -> Json:
    return served_schema(CRDS[kind])


# --- schema <-> model ------------------------------------------------------------------------------------------


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(the annotation without None, whether None was allowed)."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = get_args(annotation)
        rest = [a for a in args if a is not type(None)]
        assert len(rest) == 1, f"unexpected union {annotation}"
        return rest[0], len(rest) < len(args)
    return annotation, False


def _compare_type(annotation: Any, schema: Json, path: str, errors: list[str]) -> None:
    origin = get_origin(annotation)
    json_type = schema.get("type")
    if "enum" in schema:
        if origin is not Literal:
            errors.append(f"{path}: the CRD has enum {schema['enum']}, the model {annotation}")
            return
        values = list(get_args(annotation))
        if sorted(values) != sorted(schema["enum"]):
            errors.append(f"{path}: enum {schema['enum']} != Literal{values}")
        if json_type in SCALARS and not all(type(v) is SCALARS[json_type] for v in values):
            errors.append(f"{path}: Literal values are not all {json_type}")
        return
    if origin is Literal:
        errors.append(f"{path}: the model is {annotation}, the CRD has no enum")
        return
    if json_type in SCALARS:
        if annotation is not SCALARS[json_type]:
            errors.append(f"{path}: CRD type {json_type}, model {annotation}")
        return
    if json_type == "array":
        if origin is not list:
            errors.append(f"{path}: CRD type array, model {annotation}")
            return
        _compare_type(get_args(annotation)[0], schema["items"], f"{path}[]", errors)
        return
    if json_type != "object":
        errors.append(f"{path}: unexpected CRD type {json_type!r}")
        return
    preserve = bool(schema.get("x-kubernetes-preserve-unknown-fields"))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if "properties" not in schema:
            errors.append(f"{path}: the CRD declares no properties, the model is {annotation.__name__}")
            return
        compare_model(annotation, schema, path, errors)
        return
    if origin is dict:
        key, value = get_args(annotation)
        if key is not str:
            errors.append(f"{path}: map keys must be str")
        if isinstance(schema.get("additionalProperties"), dict):
            _compare_type(value, schema["additionalProperties"], f"{path}{{}}", errors)
        elif not (preserve and "properties" not in schema and value is object):
            errors.append(f"{path}: {annotation} for an object that is neither a map nor free-form")
        return
    errors.append(f"{path}: CRD type object, model {annotation}")


def _compare_root_field(wire: str, annotation: Any, default: Any, prop: Json, errors: list[str]) -> None:
    """apiVersion and kind: a one-value string Literal defaulting to it; metadata: ObjectMeta, empty by default."""
    if wire == "metadata":
        if annotation is not ObjectMeta or default != ObjectMeta() or prop.get("type") != "object":
            errors.append("metadata: expected `ObjectMeta = Field(default_factory=ObjectMeta)`")
        return
    values = get_args(annotation) if get_origin(annotation) is Literal else ()
    if prop.get("type") != "string" or len(values) != 1 or not isinstance(values[0], str) or default != values[0]:
        errors.append(f"{wire}: expected a one-value string Literal defaulting to its value")


def compare_model(model: type[BaseModel], schema: Json, path: str = "", errors: list[str] | None = None) -> list[str]:
    """Every mismatch between `model` and the object `schema` (empty when they agree)."""
    errors = [] if errors is None else errors
    where = path or model.__name__
    properties: Json = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    fields = {info.alias or name: (name, info) for name, info in model.model_fields.items()}
    want_extra = "allow" if schema.get("x-kubernetes-preserve-unknown-fields") else "ignore"
    if model.model_config.get("extra") != want_extra:
        errors.append(f"{where}: model extra={model.model_config.get('extra')!r}, expected {want_extra!r}")
    for missing in sorted(set(properties) - set(fields)):
        errors.append(f"{where}.{missing}: in the CRD, not in {model.__name__}")
    for extra in sorted(set(fields) - set(properties)):
        errors.append(f"{where}.{extra}: in {model.__name__}, not in the CRD")
    for wire in sorted(set(properties) & set(fields)):
        prop, (_, info) = properties[wire], fields[wire]
        here = f"{path}.{wire}" if path else wire
        annotation, nullable = _unwrap(info.annotation)
        if not path and wire in ("apiVersion", "kind", "metadata"):
            _compare_root_field(wire, annotation, info.get_default(call_default_factory=True), prop, errors)
            continue
        if wire in required:
            if not info.is_required():
                errors.append(f"{here}: required in the CRD, optional in the model")
            if nullable:
                errors.append(f"{here}: required in the CRD, but the model allows None")
        elif info.is_required():
            errors.append(f"{here}: optional in the CRD, required in the model")
        else:
            default = info.get_default(call_default_factory=True)
            if "default" in prop:
                if default != prop["default"]:
                    errors.append(f"{here}: CRD default {prop['default']!r}, model default {default!r}")
            elif default is not None or not nullable:
                errors.append(f"{here}: no CRD default, so the model should be `X | None = None`")
        _compare_type(annotation, prop, here, errors)
    return errors


def test_every_crd_has_a_model_and_every_model_a_crd() -> None:
    assert len(_crd_files()) == 12
    assert set(CRDS) == set(MODELS)
    for kind, crd in CRDS.items():
        model = MODELS[kind]
        assert model.KIND.plural == crd["spec"]["names"]["plural"]
        assert crd["spec"]["group"] + "/" + served_version(crd) == API_VERSION
        assert model.model_fields["kind"].get_default() == kind


def served_version(crd: Json) -> str:
    return str(next(v["name"] for v in crd["spec"]["versions"] if v.get("served")))


@pytest.mark.parametrize("kind", sorted(CRDS))
def test_model_matches_the_crd_schema(kind: str) -> None:
    assert compare_model(MODELS[kind], schema_of(kind)) == []


def _props(schema: Json, *path: str) -> Json:
    for key in path:
        schema = schema["properties"][key]
    return schema


def _add_spec_field(s: Json) -> None:
    _props(s, "spec")["properties"]["newField"] = {"type": "string"}


def _add_nested_status_field(s: Json) -> None:
    _props(s, "status", "usage")["properties"]["gpuPercent"] = {"type": "number"}


def _add_item_field(s: Json) -> None:
    _props(s, "status", "components")["items"]["properties"]["since"] = {"type": "string", "format": "date-time"}


def _drop_field(s: Json) -> None:
    del _props(s, "spec")["properties"]["context"]


def _widen_enum(s: Json) -> None:
    _props(s, "spec", "provider")["enum"].append("gcp")


def _change_type(s: Json) -> None:
    _props(s, "status", "nodeCount")["type"] = "number"


def _make_required(s: Json) -> None:
    _props(s, "spec")["required"].append("region")


def _change_default(s: Json) -> None:
    _props(s, "spec", "syncIntervalSeconds")["default"] = 30


def _preserve_unknown(s: Json) -> None:
    _props(s, "status", "resourceCounts")["x-kubernetes-preserve-unknown-fields"] = True


def _map_to_object(s: Json) -> None:
    _props(s, "spec")["properties"]["tags"] = {"type": "object", "additionalProperties": {"type": "string"}}


@pytest.mark.parametrize("mutate, expected", [
    (_add_spec_field, "spec.newField: in the CRD, not in ManagedClusterSpec"),
    (_add_nested_status_field, "status.usage.gpuPercent: in the CRD, not in ClusterUsage"),
    (_add_item_field, "status.components[].since: in the CRD, not in ComponentHealth"),
    (_drop_field, "spec.context: in ManagedClusterSpec, not in the CRD"),
    (_widen_enum, "spec.provider: enum"),
    (_change_type, "status.nodeCount: CRD type number"),
    (_make_required, "spec.region: required in the CRD"),
    (_change_default, "spec.syncIntervalSeconds: CRD default 30"),
    (_preserve_unknown, "status.resourceCounts: model extra='ignore'"),
    (_map_to_object, "spec.tags: CRD type object"),
])
def test_a_crd_change_the_model_lacks_is_caught(mutate: Any, expected: str) -> None:
    schema = copy.deepcopy(schema_of("ManagedCluster"))
    mutate(schema)
    errors = compare_model(MODELS["ManagedCluster"], schema)
    assert any(e.startswith(expected) for e in errors), errors
    assert compare_model(MODELS["ManagedCluster"], schema_of("ManagedCluster")) == []  # the copy, not the CRD


def test_a_field_added_to_any_crd_is_caught() -> None:
    for kind in CRDS:
        schema = copy.deepcopy(schema_of(kind))
        _props(schema, "spec")["properties"]["addedLater"] = {"type": "integer"}
        assert f"spec.addedLater: in the CRD, not in {MODELS[kind].__name__}Spec" in compare_model(
            MODELS[kind], schema), kind


# --- round trips ---------------------------------------------------------------------------------------------

def with_defaults(value: Any, schema: Json) -> Any:
    """`value` with the schema's defaults filled in, as the API server stores it."""
    if isinstance(value, dict) and "properties" in schema:
        out = dict(value)
        for key, prop in schema["properties"].items():
            if key not in out and "default" in prop:
                out[key] = copy.deepcopy(prop["default"])
            if key in out:
                out[key] = with_defaults(out[key], prop)
        return out
    if isinstance(value, dict) and isinstance(schema.get("additionalProperties"), dict):
        return {k: with_defaults(v, schema["additionalProperties"]) for k, v in value.items()}
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [with_defaults(v, schema["items"]) for v in value]
    return value


def _sample(name: str) -> Json:
    body: Json = yaml.safe_load((SAMPLES / name).read_text())
    return body


NOW = "2026-03-01T10:00:00Z"
READY = {"type": "Ready", "status": "True", "reason": "Connected", "message": "connected in 0.012s",
         "observedGeneration": 1, "lastTransitionTime": NOW}
STORED_META = {"resourceVersion": "4711", "uid": "9b1c3a0e-0000-4000-8000-000000000001", "generation": 1,
               "creationTimestamp": NOW}
OWNER = {"apiVersion": API_VERSION, "kind": "ManagedCluster", "name": "member-1",
         "uid": "9b1c3a0e-0000-4000-8000-000000000001", "controller": True, "blockOwnerDeletion": False}


def _stored(body: Json, status: Json | None = None, **meta: Any) -> Json:
    out = copy.deepcopy(body)
    out["metadata"] = {**out["metadata"], **STORED_META, **meta}
    if status is not None:
        out["status"] = status
    return out


def _point(t: str, **values: float) -> Json:
    return {"t": t, "n": 3, **values}


def realistic() -> dict[str, Json]:
    """One object per kind, as the hub stores them: the deploy/samples with the status the code writes."""
    metrics = {"cpu": 41.3, "memory": 62.0, "disk": 12.5, "pods": 37.0, "nodes": 3.0, "score": 95.0}
    return {
        "ManagedCluster": _stored(_sample("managedcluster.yaml"), {
            "observedGeneration": 1, "conditions": [READY], "id": 1, "phase": "connected",
            "healthStatus": "healthy", "healthScore": 95.0, "kubernetesVersion": "v1.30.2",
            "apiServer": "https://10.0.0.10:6443", "nodeCount": 3,
            "resourceCounts": {"pods": 37, "deployments": 9, "services": 8, "configmaps": 14, "secrets": 6,
                               "persistentVolumes": 0, "nodes": 3},
            "usage": {"cpuPercent": 41.3, "memoryPercent": 62.0, "diskPercent": 12.5, "source": "requests"},
            "components": [{"name": "api-server", "status": "healthy", "responseTimeSeconds": 0.0123},
                           {"name": "etcd", "status": "healthy", "responseTimeSeconds": 0.0123,
                            "message": "apiserver readyz etcd check"}],
            "issues": [{"type": "warning", "message": "High memory usage detected (62.0%)", "severity": "medium"}],
            "lastSyncTime": NOW, "lastSyncRequest": "2026-03-01T09:59:58.123456Z", "reason": "Connected",
            "message": "connected in 0.012s"}, labels={"cloudops.io/id": "1"}),
        "YamlBackupSchedule": _stored(_sample("yamlbackupschedule.yaml"), {
            "observedGeneration": 1, "conditions": [{**READY, "reason": "Scheduled",
                                                     "message": "next backup at 2026-03-02T02:00:00Z"}],
            "lastBackupTime": "2026-03-01T02:00:00Z", "nextBackupTime": "2026-03-02T02:00:00Z",
            "lastBackupName": "member-1-nightly-20260301-020000", "lastResult": "completed",
            "lastSuccessfulBackup": "member-1-nightly-20260301-020000",
            "lastSuccessfulBackupTime": "2026-03-01T02:00:00Z", "backupCount": 7}),
        "YamlBackup": _stored(_sample("yamlbackup.yaml"), {
            "id": 12, "phase": "Completed", "sizeBytes": 2048, "contentBytes": 9000, "sha256": "ab" * 32,
            "encrypted": True, "keyId": "k1", "parts": 1, "objectCount": 1,
            "objects": [{"type": "deployment", "namespace": "default", "name": "web"}],
            "startedAt": NOW, "completedAt": "2026-03-01T10:00:02Z"}),
        "YamlVersion": _stored(_sample("yamlversion.yaml")),
        "SelfHealingRule": _stored(_sample("selfhealingrule.yaml"), {
            "observedGeneration": 1,
            "conditions": [{**READY, "reason": "Watching", "message": "watching pods on member-1"},
                           {"type": "Throttled", "status": "False", "reason": "BelowCap",
                            "message": "1 of 10 actions in the last hour", "observedGeneration": 1,
                            "lastTransitionTime": NOW}],
            "lastTriggeredTime": NOW, "triggerCount": 4, "actionsLastHour": 1}),
        "LabelPolicy": _stored(_sample("labelpolicy.yaml"), {
            "observedGeneration": 1, "conditions": [
                {**READY, "reason": "Checked", "message": "checked 12 objects in 1 cluster(s)"},
                {"type": "Compliant", "status": "False", "reason": "Violations",
                 "message": "1 of 12 objects violate the policy", "observedGeneration": 1,
                 "lastTransitionTime": NOW}],
            "lastCheckTime": NOW, "checkedCount": 12, "compliantCount": 11, "violationCount": 1,
            "violations": [{"cluster": "member-1", "resourceType": "deployment", "namespace": "default",
                            "name": "web", "label": "team", "message": "missing required label team"}],
            "lastRemediationTime": NOW,
            "remediations": [{"cluster": "member-1", "resourceType": "deployment", "namespace": "default",
                              "name": "api", "labels": {"team": "platform"}}]}),
        "ComplianceCheck": _stored(_sample("compliancecheck.yaml"), {
            "observedGeneration": 1, "conditions": [READY], "runGeneration": 1, "lastTrigger": "create",
            "reportName": "member-1-baseline-x7k2p", "reportCount": 1, "score": 66.67,
            "policyReports": {"written": 1, "namespaces": ["default"]}, "phase": "completed",
            "checkId": "check-0123456789ab", "lastRunTime": NOW, "lastCompletionTime": "2026-03-01T10:00:03Z",
            "nextRunTime": "2026-03-02T03:00:00Z",
            "summary": {"total": 3, "passed": 2, "failed": 1, "fixed": 0, "complianceScore": 66.67},
            "results": [{"resource": "deployment/web", "namespace": "default", "policy": "security-context",
                         "status": "failed",
                         "violations": [{"checkId": "run-as-non-root", "severity": "danger",
                                         "field": "spec.template.spec.securityContext.runAsNonRoot",
                                         "expected": "true", "actual": "null",
                                         "message": "containers may run as root"}],
                         "fixSuggestion": {"action": "update_security_context", "patch": {
                             "spec": {"template": {"spec": {"securityContext": {"runAsNonRoot": True}}}}}}}],
            "resultsTruncated": False}),
        "CostPricing": _stored(_sample("costpricing.yaml"), namespace="cloudops-system"),
        "ComplianceReport": _stored({
            "apiVersion": API_VERSION, "kind": "ComplianceReport",
            "metadata": {"name": "member-1-baseline-x7k2p", "namespace": "cloudops-system",
                         "labels": {"cloudops.io/compliance-check": "member-1-baseline"},
                         "ownerReferences": [{**OWNER, "kind": "ComplianceCheck", "name": "member-1-baseline"}]},
            "spec": {"checkRef": {"name": "member-1-baseline"}, "clusterRef": {"name": "member-1"},
                     "clusterId": 1, "runId": "check-0123456789ab", "trigger": "create",
                     "actor": "operator/compliancecheck/member-1-baseline",
                     "startedAt": "2026-03-01T10:00:00.000000Z", "completedAt": "2026-03-01T10:00:03.250000Z",
                     "policies": ["security-context", "resource-limits", "network-policy"],
                     "resourceTypes": ["deployments"], "namespaces": [],
                     "excludedNamespaces": ["kube-system", "kube-public", "kube-node-lease"], "autoFix": False,
                     "summary": {"total": 3, "passed": 2, "failed": 1, "fixed": 0, "complianceScore": 66.67},
                     "resultsEncoding": "gzip+base64+json", "results": "H4sIAAAAAAAC/4uOBQApu0wNAgAAAA==",
                     "resultCount": 3, "resultsTruncated": False,
                     "fixes": [{"resource": "deployment/web", "namespace": "default", "name": "web",
                                "checks": ["run-as-non-root"], "patch": {"spec": {}}, "status": "applied",
                                "error": None}],
                     "notes": []}}),
        "ActivityRecord": _stored({
            "apiVersion": API_VERSION, "kind": "ActivityRecord",
            "metadata": {"name": "self-healing-abcde", "generateName": "self-healing-",
                         "namespace": "cloudops-system", "labels": {"cloudops.io/stream": "self-healing"},
                         "ownerReferences": [OWNER]},
            "spec": {"stream": "self-healing", "clusterRef": {"name": "member-1"},
                     "subject": {"kind": "Pod", "namespace": "default", "name": "web-5d9c7-x2x", "part": ""},
                     "actor": "pod-restart-rule", "occurredAt": "2026-03-01T10:00:00.123456Z",
                     "data": {"rule": "pod-restart-rule", "action": "restart_pod", "result": "success",
                              "finishedAt": "2026-03-01T10:00:01Z", "details": {"attempt": 1}}}}),
        "ClusterMetrics": _stored({
            "apiVersion": API_VERSION, "kind": "ClusterMetrics",
            "metadata": {"name": "member-1", "namespace": "cloudops-system", "ownerReferences": [OWNER]},
            "spec": {"clusterRef": {"name": "member-1"}}}, {
            "updatedTime": NOW,
            "nodes": [{"name": "member-1-control-plane", "status": "Ready", "cpuPercent": 41.3,
                       "memoryPercent": 62.0}],
            "series": {"1h": [_point("2026-03-01T09:59:00Z", **metrics), _point(NOW, **metrics)],
                       "24h": [_point("2026-03-01T09:45:00Z", **metrics)],
                       "7d": [_point("2026-03-01T08:00:00Z", **metrics)],
                       "30d": [_point("2026-03-01T00:00:00Z", **metrics)]}}),
        "MetricHistory": _stored({
            "apiVersion": API_VERSION, "kind": "MetricHistory",
            "metadata": {"name": "pod-usage.member-1.0123456789abcdef", "namespace": "cloudops-system",
                         "labels": {"cloudops.io/history-family": "pod-usage", "cloudops.io/cluster": "member-1"},
                         "ownerReferences": [OWNER]},
            "spec": {"family": "pod-usage", "clusterRef": {"name": "member-1"},
                     "subject": {"kind": "Pod", "namespace": "default", "name": "web-5d9c7-x2x"}}}, {
            "updatedTime": NOW, "attributes": {"node": "member-1-control-plane", "owner": "Deployment/web",
                                               "labels": {"app": "web"}},
            "fields": ["cpu", "memory", "memory_max"],
            "series": {"1h": [_point(NOW, cpu=0.25, memory=128.5, memory_max=140.0)],
                       "24h": [_point("2026-03-01T09:45:00Z", cpu=0.25, memory=128.5, memory_max=140.0)]}}),
    }


OBJECTS = realistic()


def test_there_is_a_realistic_object_of_every_kind() -> None:
    assert set(OBJECTS) == set(CRDS)


@pytest.mark.parametrize("kind", sorted(CRDS))
def test_a_stored_object_round_trips(kind: str) -> None:
    stored = with_defaults(OBJECTS[kind], schema_of(kind))
    model = MODELS[kind].model_validate(stored)
    assert dump(model) == stored  # nulls inside free-form parts (fixes[].error) are kept
    assert MODELS[kind].model_validate(dump(model)) == model


@pytest.mark.parametrize("kind", sorted(CRDS))
def test_a_sample_without_defaults_dumps_with_the_crd_defaults(kind: str) -> None:
    """Defaults in the model are the CRD's: what a client creates equals what the API server stores."""
    raw = OBJECTS[kind]
    assert dump(MODELS[kind].model_validate(raw)) == with_defaults(raw, schema_of(kind))


def test_python_names_are_snake_case_and_work() -> None:
    model = ManagedCluster.model_validate(OBJECTS["ManagedCluster"])
    assert model.spec.kubeconfig_secret_ref.name == "member-1-kubeconfig"
    assert model.status is not None and model.status.usage is not None
    assert model.status.usage.cpu_percent == 41.3
    metrics = ClusterMetrics.model_validate(OBJECTS["ClusterMetrics"])
    assert metrics.status is not None and metrics.status.series is not None and metrics.status.series.range_1h
    assert metrics.status.series.range_1h[0].cpu == 41.3
    history = MetricHistory.model_validate(OBJECTS["MetricHistory"])
    assert history.status is not None and history.status.series is not None and history.status.series.range_1h
    assert history.status.series.range_1h[0].model_extra == {"cpu": 0.25, "memory": 128.5, "memory_max": 140.0}
    by_name = ManagedCluster(metadata=ObjectMeta(name="m"),
                             spec=ManagedClusterSpec(kubeconfig_secret_ref=KubeconfigSecretRef(name="s")))
    assert dump(by_name)["metadata"] == {"name": "m"}
    assert dump(by_name)["spec"] == {"provider": "other", "kubeconfigSecretRef": {"name": "s", "key": "kubeconfig"},
                                     "syncIntervalSeconds": 15}


def test_unknown_fields_are_ignored_outside_free_form_parts() -> None:
    body = copy.deepcopy(OBJECTS["YamlBackup"])
    body["spec"]["futureField"] = 1
    body["status"]["objects"][0]["futureField"] = 2
    body["metadata"]["managedFields"] = [{"manager": "cloudops"}]
    model = MODELS["YamlBackup"].model_validate(body)
    assert dump(model) == OBJECTS["YamlBackup"]


def test_invalid_values_are_refused() -> None:
    cases: list[tuple[str, Callable[[Json], Any]]] = [
        ("ManagedCluster", lambda b: b["spec"].update(provider="gcp")),
        ("ManagedCluster", lambda b: b["spec"].pop("kubeconfigSecretRef")),
        ("SelfHealingRule", lambda b: b["spec"]["actions"][0].update(type="reboot")),
        ("YamlBackup", lambda b: b.update(kind="YamlVersion")),
        ("MetricHistory", lambda b: b["status"]["series"]["1h"][0].update(cpu="high"))]
    for kind, mutate in cases:
        body = copy.deepcopy(OBJECTS[kind])
        mutate(body)
        with pytest.raises(ValueError):
            MODELS[kind].model_validate(body)


# --- what the code writes today ----------------------------------------------------------------------------------

def test_the_operator_cluster_status_fits() -> None:
    snap = Snapshot(version="v1.30.2", api_server="https://10.0.0.10:6443", response_time=0.0123,
                    nodes=[{"name": "n1", "status": "Ready", "cpuPercent": 1.0, "memoryPercent": 2.0}],
                    counts={"pods": 3, "deployments": 1, "services": 2, "configmaps": 4, "secrets": 1,
                            "persistentVolumes": 0, "nodes": 1},
                    components=[{"name": "api-server", "status": "healthy", "responseTimeSeconds": 0.01}],
                    usage={"cpuPercent": 1.0, "memoryPercent": 2.0, "diskPercent": 0.0, "source": "requests"},
                    health_score=100.0, health_status="healthy", issues=[])
    body: Any = {"metadata": {"generation": 2}, "status": OBJECTS["ManagedCluster"]["status"]}
    status = _status_from_snapshot(body, snap)
    assert ManagedClusterStatus.model_validate(status).model_dump(by_alias=True, exclude_unset=True,
                                                                  mode="json") == status


def test_the_metric_series_the_code_records_fit() -> None:
    at = datetime(2026, 3, 1, 10, tzinfo=UTC)
    series = record(None, {f: 1.5 for f in FIELDS}, at)
    series = record(series, {f: 2.5 for f in FIELDS}, at)
    status = {"series": series, "updatedTime": NOW}
    assert dump(ClusterMetricsStatus.model_validate(status)) == status
    fields = ("cpu", "memory_max")
    history = {"series": record(None, {"cpu": 0.5, "memory_max": 10.0}, at, fields), "fields": list(fields),
               "updatedTime": NOW, "attributes": {"node": "n1"}}
    assert dump(MetricHistoryStatus.model_validate(history)) == history


def test_the_compliance_spec_and_failure_status_fit() -> None:
    spec = dump(CheckSpec.from_cr({"namespaces": ["default"]}).cr_spec("member-1"))
    assert spec["clusterRef"] == {"name": "member-1"}
    assert dump(ComplianceCheckSpec.model_validate(spec)) == spec
    check = ComplianceCheck.model_validate(OBJECTS["ComplianceCheck"])
    status = dump(failed_status(check, "ClusterUnavailable", "member unreachable"))
    assert status["phase"] == "failed" and status["lastError"] == "member unreachable"
    assert dump(ComplianceCheckStatus.model_validate(status)) == status


def test_the_label_rules_the_shim_writes_fit() -> None:
    rule = rule_to_spec(Rule("deployment", ("team",), ("test",), {"version": r"^v\d+$"}, {"tier": ("web", "db")}))
    assert dump(LabelRule.model_validate(rule)) == rule


def test_free_form_status_is_a_dict() -> None:
    body = copy.deepcopy(OBJECTS["CostPricing"])
    body["status"] = {"anything": {"goes": [1, "two"]}}
    model = CostPricing.model_validate(body)
    assert model.status == body["status"]
    assert FreeForm == dict[str, object]
