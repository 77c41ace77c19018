"""Compliance answers that must not mislead (issue 19), the pure parts: no score over nothing, a default scope
that includes the workloads that exist, ad-hoc checks that stay bounded, PolicyReport properties in the
spec's words, the scan's reference parameters."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

from pypdf import PdfReader

from cloudops.compliance import adhoc
from cloudops.compliance.checks import Context, Workload
from cloudops.compliance.collect import DEFAULT_RESOURCES, covered_by_checked, nothing_checked
from cloudops.compliance.evaluate import check_workload
from cloudops.compliance.export import to_pdf
from cloudops.compliance.policyreport import policy_reports
from cloudops.compliance.runs import CheckSpec, compliant_condition
from cloudops.mcp_tools.scans import ScanParams, _status_of
from cloudops.resources.base import ObjectMeta
from cloudops.resources.compliance_check import ComplianceCheck, ComplianceCheckSpec, ComplianceCheckStatus
from cloudops.resources.compliance_report import ReportSummary

Json = dict[str, Any]
NOW = datetime(2025, 1, 2, 12, 0, tzinfo=UTC)


def _obj(kind: str, name: str, uid: str, owner: str | None = None) -> Json:
    meta: Json = {"name": name, "namespace": "ns", "uid": uid}
    if owner:
        meta["ownerReferences"] = [{"uid": owner, "controller": True, "kind": "X", "name": "x"}]
    return {"kind": kind, "metadata": meta}


def test_the_default_scope_checks_bare_pods_and_each_controlled_object_once() -> None:
    """The demo's only workload is a bare Pod: the default scope lists pods, and a pod is skipped only when a
    controller the run checks (up the chain) covers it."""
    assert "pods" in DEFAULT_RESOURCES and CheckSpec().resources == DEFAULT_RESOURCES
    assert CheckSpec.from_cr({}).resources == DEFAULT_RESOURCES
    deploy, rs, pod = _obj("Deployment", "d", "u-d"), _obj("ReplicaSet", "d-1", "u-rs", "u-d"), \
        _obj("Pod", "d-1-a", "u-p", "u-rs")
    controllers = {"u-d": "", "u-rs": "u-d", "u-p": "u-rs"}
    assert covered_by_checked(pod, {"u-d", "u-p"}, controllers)  # through a ReplicaSet the run did not list
    assert covered_by_checked(rs, {"u-d", "u-rs", "u-p"}, controllers)
    assert not covered_by_checked(deploy, {"u-d"}, controllers)
    assert not covered_by_checked(_obj("Pod", "bare", "u-b"), {"u-b"}, controllers)
    # A pod of a bare ReplicaSet the run does not check, or of an unknown controller, is checked itself.
    assert not covered_by_checked(_obj("Pod", "p", "u-q", "u-lone"), {"u-q"}, {"u-lone": ""})
    assert not covered_by_checked(_obj("Pod", "p", "u-q", "u-crd"), {"u-q"}, {})
    # An ownership loop ends.
    assert not covered_by_checked(_obj("Pod", "p", "u-1", "u-2"), {"u-1"}, {"u-2": "u-3", "u-3": "u-2"})


def test_a_run_over_nothing_says_what_it_looked_for() -> None:
    assert nothing_checked(["pods", "deployments"], ["demo"], [], 0) == (
        "nothing was checked: no pods, deployments found in namespaces demo")
    assert "every namespace but kube-system" in nothing_checked(["pods"], None, ["kube-system"], 0)
    assert "no check applies to services" in nothing_checked(["services"], None, [], 0)
    assert "every namespace asked for is excluded" in nothing_checked(["pods"], [], ["a"], 0)
    assert "the 3 objects found" in nothing_checked(["pods"], None, [], 3)


def test_compliant_is_unknown_when_nothing_was_checked() -> None:
    empty = compliant_condition(0, 0, "nothing was checked: no pods found in namespaces a", 1)
    assert (empty["type"], empty["status"], empty["reason"]) == ("Compliant", "Unknown", "NothingChecked")
    assert "no pods found" in str(empty["message"])
    assert compliant_condition(0, 4, "", 1)["status"] == "True"
    assert compliant_condition(2, 4, "", 1)["status"] == "False"


def test_a_report_without_a_score_validates_and_its_pdf_says_why() -> None:
    assert ReportSummary.model_validate({"total": 0, "passed": 0, "failed": 0, "scoreReason": "x"}).compliance_score \
        is None
    report = {"cluster_name": "c", "check_name": "k", "summary": {
        "total": 0, "passed": 0, "failed": 0, "fixed": 0, "compliance_score": None,
        "score_reason": "nothing was checked: no pods found in namespaces demo"},
        "results": [], "history": [{"time": "2025-01-01T00:00:00Z", "score": None}],
        "since": "2024-12-31T00:00:00Z", "generated_at": "2025-01-02T00:00:00Z"}
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(to_pdf(report))).pages)
    assert "Compliance score: none" in text and "no pods found in namespaces demo" in text
    assert "every result passed" not in text


def test_policy_report_properties_use_the_spec_values() -> None:
    """properties is map[string]string: booleans are `true`/`false`, lists and objects JSON, never Python's
    `True` or `['ALL']`."""
    pod = {"kind": "Pod", "metadata": {"name": "web", "namespace": "demo"},
           "spec": {"containers": [{"name": "app", "image": "demo/web:1.0",
                                    "securityContext": {"privileged": True}}]}}
    views = [r.view() for r in check_workload(Workload.from_k8s(pod), Context(), ["security-context"])]
    (report,) = policy_reports(views, "k", "hub", "run", 0)
    props = {e["rule"]: e.get("properties", {}) for e in report["results"] if e["result"] == "fail"}
    assert props["privileged"]["expected"] == "false" and props["privileged"]["actual"] == "true"
    assert props["run-as-non-root"]["expected"] == "true"
    assert props["capabilities-drop-all"]["expected"] == '["ALL"]'
    values = [v for p in props.values() for v in p.values()]
    assert not any(v in ("True", "False") or "'" in v for v in values), values


def _adhoc(name: str, actor: str, last: datetime | None,
           created: datetime = NOW - timedelta(hours=1)) -> ComplianceCheck:
    check = adhoc.adhoc_check("c1", actor, ComplianceCheckSpec.model_validate({"clusterRef": {"name": "c1"}}), {})
    check.metadata.name = name
    check.metadata.creation_timestamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    if last is not None:
        check.status = ComplianceCheckStatus(last_completion_time=last.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return check


def test_an_ad_hoc_check_is_one_per_caller_and_parameters() -> None:
    spec = CheckSpec(namespaces=("a",)).cr_spec("c1")
    first, again = adhoc.adhoc_check("c1", "ada", spec, {}), adhoc.adhoc_check("c1", "ada", spec, {})
    other_caller = adhoc.adhoc_check("c1", "bob", spec, {})
    other_params = adhoc.adhoc_check("c1", "ada", CheckSpec(namespaces=("b",)).cr_spec("c1"), {})
    assert first.metadata.name == again.metadata.name
    assert len({first.metadata.name, other_caller.metadata.name, other_params.metadata.name}) == 3
    assert adhoc.is_adhoc(first) and (first.metadata.annotations or {})[adhoc.REQUESTER_LABEL] == "ada"
    assert not adhoc.is_adhoc(ComplianceCheck(metadata=ObjectMeta(name="nightly"), spec=spec))


def test_ad_hoc_checks_expire_and_are_bounded_per_caller() -> None:
    old = _adhoc("old", "bob", NOW - adhoc.TTL - timedelta(minutes=1))
    fresh_bob = _adhoc("bob-1", "bob", NOW - timedelta(minutes=5))
    never_run = _adhoc("never", "bob", None, created=NOW - adhoc.TTL - timedelta(seconds=1))
    mine = [_adhoc(f"ada-{i}", "ada", NOW - timedelta(minutes=i)) for i in range(adhoc.MAX_PER_CALLER + 2)]
    standing = ComplianceCheck(metadata=ObjectMeta(name="nightly"), spec=mine[0].spec)
    gone = {c.metadata.name for c in adhoc.to_remove([old, fresh_bob, never_run, standing, *mine], "ada",
                                                    "ada-0", NOW)}
    # Expired whoever made them; ada keeps her MAX_PER_CALLER most recent (the one just run among them).
    assert gone == {"old", "never", f"ada-{adhoc.MAX_PER_CALLER}", f"ada-{adhoc.MAX_PER_CALLER + 1}"}
    assert adhoc.expires_at(standing) is None
    assert adhoc.expires_at(fresh_bob) == NOW - timedelta(minutes=5) + adhoc.TTL


def test_the_scan_takes_the_reference_example_parameters() -> None:
    """`{"scan_type": "health", "include_nodes": true}` (the reference's example) is accepted, strictly as the
    tool runner validates, and means options.include_nodes."""
    p = ScanParams.model_validate({"scan_type": "health", "include_nodes": True}, strict=True)
    assert p.options.include_nodes is True
    off = ScanParams.model_validate({"scan_type": "health", "include_nodes": False, "include_events": False},
                                    strict=True)
    assert not off.options.include_nodes and not off.options.include_events and off.options.include_pods
    assert ScanParams.model_validate({"scan_type": "health", "options": {"include_nodes": False}},
                                     strict=True).options.include_nodes is False
    both = ScanParams.model_validate({"scan_type": "health", "include_nodes": True,
                                      "options": {"include_nodes": False}}, strict=True)
    assert both.options.include_nodes is True  # the top-level flag, as the reference writes it, wins


def test_a_scan_without_a_score_is_not_healthy() -> None:
    assert _status_of(None, []) == "unknown"
    assert _status_of(100.0, []) == "healthy"
