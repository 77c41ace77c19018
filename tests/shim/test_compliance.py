"""合规性管理 1.1 against a member: a bad deployment fails exactly its checks, auto_fix makes a re-run pass them."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
from pypdf import PdfReader

from api_shim.state import AUDIT, HUB
from cloudops import activity
from cloudops.compliance import adhoc
from cloudops.settings import Settings
from devcluster.topology import Topology
from tests.helpers import Kubectl, eventually
from tests.processes import OperatorProcess, start_operator, stop_operator, wait_healthy
from tests.shim.conftest import Client, KeyMaker
from tests.shim.network_fixtures import Member, call, member, pod

__all__ = ["member"]

RUN = "/api/k8s/compliance/check"
REPORT = "/api/k8s/compliance/report"
Json = dict[str, Any]
GOOD_CONTAINER: Json = {
    "name": "app", "image": "example/app:1.2", "imagePullPolicy": "Always",
    "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                        "capabilities": {"drop": ["ALL"]}},
    "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "1", "memory": "128Mi"}},
    "readinessProbe": {"tcpSocket": {"port": 80}}, "livenessProbe": {"tcpSocket": {"port": 80}}}
BAD_CONTAINER: Json = {"name": "app", "image": "example/app:1.2", "imagePullPolicy": "IfNotPresent",
                       "securityContext": {"allowPrivilegeEscalation": True, "privileged": True}}


def deployment(name: str, container: Json, replicas: int, pod: Json | None = None) -> Json:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [container], **(pod or {})}}}}


async def setup(member: Member, namespace: str | None = None) -> None:
    good_pod = {"securityContext": {"runAsNonRoot": True, "runAsUser": 1000}}
    await member.apply(deployment("good", GOOD_CONTAINER, 2, good_pod), namespace)
    await member.apply(deployment("bad", BAD_CONTAINER, 1, {"hostPID": True}), namespace)
    await member.apply({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "good"},
                        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "good"}}}}, namespace)
    await member.apply({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "good"},
                        "spec": {"podSelector": {"matchLabels": {"app": "good"}},
                                 "policyTypes": ["Ingress", "Egress"]}}, namespace)


def failing(run: Json, name: str) -> dict[str, list[str]]:
    return {r["policy"]: [v["check_id"] for v in r["violations"]] for r in run["results"]
            if r["name"] == name and r["status"] == "failed"}


async def test_checks_fail_exactly_the_bad_deployment_and_auto_fix_makes_a_rerun_pass(
        member: Member, shim: Client, settings: Settings) -> None:
    ns = member.ns
    other = await member.namespace({})
    await setup(member)
    await setup(member, other)

    run = (await call(shim, "POST", RUN, json={"namespaces": [ns]}))["data"]
    assert run["status"] == "completed" and run["check_id"].startswith("check-") and run["fixes"] == []
    assert failing(run, "good") == {}
    assert failing(run, "bad") == {
        "security-context": ["run-as-non-root", "privilege-escalation-allowed", "privileged",
                             "capabilities-drop-all", "read-only-root-filesystem", "host-pid"],
        "resource-limits": ["cpu-requests", "cpu-limits", "memory-requests", "memory-limits"],
        "network-policy": ["network-policy-ingress", "network-policy-egress"],
        "image": ["pull-policy-always"], "probes": ["readiness-probe", "liveness-probe"],
        "reliability": ["deployment-replicas", "pod-disruption-budget"]}
    assert run["summary"] == {"total": 12, "passed": 6, "failed": 6, "compliance_score": 50.0, "score_reason": None}
    sc = next(r for r in run["results"] if r["name"] == "bad" and r["policy"] == "security-context")
    assert sc["resource"] == "deployment/bad" and sc["namespace"] == ns
    assert sc["violations"][0]["field"] == "spec.template.spec.securityContext.runAsNonRoot"
    assert sc["fix_suggestion"]["patch"]["spec"]["template"]["spec"]["securityContext"] == {
        "runAsNonRoot": True, "runAsUser": 1000}

    # Only the policies asked for; services are named as skipped; system namespaces excluded by default.
    only = (await call(shim, "POST", RUN, json={"policies": ["image"], "resources": ["deployments", "services"],
                                                 "namespaces": [ns, "kube-system"]}))["data"]
    assert {r["policy"] for r in only["results"]} == {"image"} and only["summary"]["total"] == 2
    assert any("services" in n for n in only["notes"]) and "kube-system" in only["excluded_namespaces"]

    # auto_fix: only mechanical checks, never in the excluded namespace.
    fixed = (await call(shim, "POST", RUN, json={"namespaces": [ns, other], "excluded_namespaces": [other],
                                                  "auto_fix": True}))["data"]
    assert [(f["namespace"], f["name"], f["status"]) for f in fixed["fixes"]] == [(ns, "bad", "applied")]
    assert fixed["fixes"][0]["checks"] == sorted(
        ["run-as-non-root", "privilege-escalation-allowed", "privileged", "capabilities-drop-all",
         "read-only-root-filesystem", "host-pid", "pull-policy-always", "deployment-replicas"])
    live = await member.json("get", "deployment", "bad")
    container = live["spec"]["template"]["spec"]["containers"][0]
    assert container["securityContext"]["privileged"] is False and container["imagePullPolicy"] == "Always"
    assert live["spec"]["replicas"] == 2 and live["spec"]["template"]["spec"].get("hostPID") is not True
    untouched = await member.json("get", "deployment", "bad", "-n", other)
    assert untouched["spec"]["replicas"] == 1
    # Every change is in the audit log and in the compliance-fix activity history.
    await asyncio.to_thread(shim.app[AUDIT].flush)
    audit = [json.loads(line)["audit"] for line in Path(settings.audit_sink[5:]).read_text().splitlines()]
    fix_records = [a for a in audit if a["route"] == "compliance auto-fix"]
    assert [(a["operation"], a["user"], a["params"]["run_id"]) for a in fix_records] == [
        (f"PATCH Deployment {ns}/bad", "test-admin", fixed["check_id"])]
    history = await activity.entries(shim.app[HUB], settings.namespace, "compliance-fix",
                                     cluster=member.cluster["name"])
    assert [(e.subject.name if e.subject else "", e.actor, e.data["run_id"], e.data["status"]) for e in history] == [
        ("bad", "test-admin", fixed["check_id"], "applied")]

    rerun = (await call(shim, "POST", RUN, json={"namespaces": [ns]}))["data"]
    assert failing(rerun, "bad") == {
        "resource-limits": ["cpu-requests", "cpu-limits", "memory-requests", "memory-limits"],
        "network-policy": ["network-policy-ingress", "network-policy-egress"],
        "probes": ["readiness-probe", "liveness-probe"], "reliability": ["pod-disruption-budget"]}
    assert rerun["summary"]["compliance_score"] > run["summary"]["compliance_score"]


async def test_bad_input_names_the_field_and_a_viewer_may_check_but_not_fix(
        member: Member, shim: Client, make_key: KeyMaker) -> None:
    ns = member.ns
    await setup(member)
    assert "resources[1]" in (await call(shim, "POST", RUN, 400, json={"resources": ["deployments", "widgets"]}))[
        "error"]
    assert "policies" in (await call(shim, "POST", RUN, 400, json={"policies": ["nope"]}))["error"]
    assert "namespaces" in (await call(shim, "POST", RUN, 400, json={"namespaces": ["Bad_NS"]}))["error"]
    viewer = {"X-API-Key": await make_key("vera", ["cloudops:viewers"])}
    seen = (await call(shim, "POST", RUN, headers=viewer, json={"namespaces": [ns]}))["data"]
    assert seen["summary"]["failed"] == 6
    err = await call(shim, "POST", RUN, 403, headers=viewer, json={"namespaces": [ns], "auto_fix": True})
    assert err["code"] == 1003 and "vera" in err["error"]
    assert (await member.json("get", "deployment", "bad"))["spec"]["replicas"] == 1


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shim keeps 2 reports per check here, so retention is seen at work."""
    return replace(settings, compliance_report_retention=2)


def _check(namespace: str, cluster: str, ns: str) -> Json:
    return {"apiVersion": "cloudops.io/v1alpha1", "kind": "ComplianceCheck",
            "metadata": {"name": "every-minute", "namespace": namespace},
            "spec": {"clusterRef": {"name": cluster}, "namespaces": [ns], "policies": ["image", "probes"],
                     "resourceTypes": ["deployments"], "schedule": "* * * * *"}}


async def test_runs_are_recorded_as_reports_and_policy_reports_and_a_scheduled_check_runs_by_itself(
        member: Member, shim: Client, hub: Kubectl, namespace: str, operator: OperatorProcess) -> None:
    ns = member.ns
    await setup(member)
    cluster = member.cluster["name"]
    hubk = Kubectl(hub.kubeconfig, namespace)
    # A ComplianceCheck on an every-minute schedule: it runs on creation, then by itself at the next minute
    # (checked last, so the REST part below runs while it waits).
    await asyncio.to_thread(hubk, "apply", "-f", "-", stdin=json.dumps(_check(namespace, cluster, ns)))

    # 1.1 creates a ComplianceCheck for its parameters and records the run like the operator's.
    run = (await call(shim, "POST", RUN, json={"namespaces": [ns], "policies": ["image", "reliability"]}))["data"]
    name = run["check_name"]
    cc = await asyncio.to_thread(hubk.json, "get", "compliancecheck", name)
    status = cc["status"]
    assert status["phase"] == "completed" and status["lastTrigger"] == "rest" and status["checkId"] == run["check_id"]
    assert status["runGeneration"] == cc["metadata"]["generation"] == status["observedGeneration"]
    assert status["summary"] == {**{k: run["summary"][k] for k in ("total", "passed", "failed")}, "fixed": 0,
                                 "complianceScore": run["summary"]["compliance_score"]}
    assert status["reportName"] == run["report_name"] and status["score"] == run["summary"]["compliance_score"]
    assert {r["resource"] for r in status["results"]} == {"deployment/bad"}
    second = (await call(shim, "POST", RUN, json={"namespaces": [ns], "policies": ["image", "reliability"]}))["data"]
    again = (await call(shim, "POST", RUN, json={"namespaces": [ns], "policies": ["image", "reliability"]}))["data"]
    assert again["check_name"] == second["check_name"] == name and again["check_id"] != second["check_id"]
    reports = (await asyncio.to_thread(hubk.json, "get", "compliancereports", "-l",
                                       f"cloudops.io/compliance-check={name}"))["items"]
    # Retention (2 here): the oldest run's report is gone.
    assert sorted(r["spec"]["runId"] for r in reports) == sorted([second["check_id"], again["check_id"]])
    assert all(r["metadata"]["ownerReferences"][0]["uid"] == cc["metadata"]["uid"] for r in reports)

    # PolicyReports in the member, where Kyverno's and Policy Reporter's UIs look for them.
    assert again["policy_reports"] == {"written": 1, "namespaces": [ns], "error": None}
    listed = await asyncio.to_thread(member.admin, "get", "polr", "-A")
    assert f"cloudops-{name}" in listed and ns in listed
    polr = await member.json("get", "policyreport", f"cloudops-{name}")
    assert polr["summary"]["fail"] == 3 and polr["summary"]["pass"] == 5  # pull policy, replicas, PDB of "bad"
    assert {(e["rule"], e["resources"][0]["name"]) for e in polr["results"] if e["result"] == "fail"} == {
        ("pull-policy-always", "bad"), ("deployment-replicas", "bad"), ("pod-disruption-budget", "bad")}

    # 1.2: the same numbers as JSON, CSV and PDF.
    q = {"time_range": "1h", "check_name": name}
    rep = (await call(shim, "GET", REPORT, params=q))["data"]
    assert rep["check_id"] == again["check_id"] and rep["summary"]["total"] == again["summary"]["total"]
    assert rep["summary"]["compliance_score"] == again["summary"]["compliance_score"]
    assert [p["check_id"] for p in rep["history"]] == [second["check_id"], again["check_id"]]
    assert len(rep["results"]) == rep["summary"]["total"]
    r = await shim.get(REPORT, params={**q, "format": "csv"})
    assert r.status == 200 and r.content_type == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(await r.text(), newline="")))
    assert len(rows) == rep["summary"]["total"]
    assert sum(1 for x in rows if x["status"] == "failed") == rep["summary"]["failed"]
    r = await shim.get(REPORT, params={**q, "format": "pdf"})
    assert r.status == 200 and r.content_type == "application/pdf"
    pdf = await r.read()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    s = rep["summary"]
    for figure in (f"Total: {s['total']}", f"Passed: {s['passed']}", f"Failed: {s['failed']}",
                   f"Compliance score: {s['compliance_score']}", "reliability (1 failed)", "deployment/bad"):
        assert figure in text, figure
    page = pypdfium2.PdfDocument(pdf)[0]
    page.render(scale=1.5).to_pil().save("/tmp/cloudops-compliance-report.png")  # to look at
    assert (await call(shim, "GET", REPORT, 404, params={"check_name": "nope"}))["code"] == 1002

    # The scheduled check ran on creation and then by itself.
    def reports_of(trigger: str) -> Any:
        async def found() -> Any:
            items = (await asyncio.to_thread(hubk.json, "get", "compliancereports", "-l",
                                             "cloudops.io/compliance-check=every-minute"))["items"]
            return [i for i in items if i["spec"]["trigger"] == trigger]
        return found
    (created,) = await eventually(reports_of("create"), 30, "the run on creation")
    assert created["spec"]["summary"]["failed"] == 2 and created["spec"]["summary"]["total"] == 4
    scheduled = await eventually(reports_of("schedule"), 75, "a scheduled run")
    cc = await asyncio.to_thread(hubk.json, "get", "compliancecheck", "every-minute")
    ready = next(c for c in cc["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "True" and ready["reason"] == "Completed"
    assert cc["status"]["nextRunTime"] > scheduled[0]["spec"]["completedAt"]
    assert cc["status"]["observedGeneration"] == cc["metadata"]["generation"]
    assert "every-minute" in await asyncio.to_thread(member.admin, "get", "polr", "-n", ns)


async def _pdf_text(shim: Client, params: Json) -> str:
    r = await shim.get(REPORT, params={**params, "format": "pdf"})
    assert r.status == 200, await r.text()
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(await r.read())).pages)


async def test_nothing_checked_has_no_score_and_the_default_scope_checks_a_bare_pod(
        member: Member, shim: Client, hub: Kubectl, namespace: str) -> None:
    """No 100 over nothing: a null score with the reason, a Compliant condition that says Unknown; and the
    default scope includes pods, so the demo's bare pod (root, no limits, no probes) is checked."""
    ns, hubk = member.ns, Kubectl(hub.kubeconfig, namespace)
    empty = (await call(shim, "POST", RUN, json={"namespaces": [ns]}))["data"]
    reason = ("nothing was checked: no deployments, statefulsets, daemonsets, replicasets, jobs, cronjobs, pods "
              f"found in namespaces {ns}")
    assert empty["status"] == "nothing_checked" and empty["results"] == []
    assert empty["summary"] == {"total": 0, "passed": 0, "failed": 0, "compliance_score": None,
                                "score_reason": reason}
    name = empty["check_name"]

    async def status() -> Json:
        return (await asyncio.to_thread(hubk.json, "get", "compliancecheck", name))["status"]
    st = await status()
    assert "score" not in st and "complianceScore" not in st["summary"] and st["summary"]["scoreReason"] == reason
    compliant = next(c for c in st["conditions"] if c["type"] == "Compliant")
    assert (compliant["status"], compliant["reason"], compliant["message"]) == ("Unknown", "NothingChecked", reason)
    q = {"time_range": "1h", "check_name": name}
    rep = (await call(shim, "GET", REPORT, params=q))["data"]
    assert rep["summary"]["compliance_score"] is None and rep["summary"]["score_reason"] == reason
    assert [(p["score"], p["score_reason"]) for p in rep["history"]] == [(None, reason)]
    text = await _pdf_text(shim, q)
    assert "Compliance score: none" in text and "every result passed" not in text

    # The demo's workload: a bare Pod running as root without limits or probes, checked by default.
    await member.apply(pod("web", {"app": "web"}))
    run = (await call(shim, "POST", RUN, json={"namespaces": [ns]}))["data"]
    assert run["status"] == "completed" and run["check_name"] == name
    assert {r["resource"] for r in run["results"]} == {"pod/web"}
    failed = failing(run, "web")
    assert "run-as-non-root" in failed["security-context"] and failed["probes"] == ["readiness-probe",
                                                                                    "liveness-probe"]
    assert "cpu-limits" in failed["resource-limits"] and run["summary"]["compliance_score"] is not None
    st = await status()
    assert st["score"] == run["summary"]["compliance_score"] and "scoreReason" not in st["summary"]
    assert next(c for c in st["conditions"] if c["type"] == "Compliant")["status"] == "False"
    # PolicyReport properties are strings in the spec's words: `true`, not Python's `True`.
    polr = await member.json("get", "policyreport", f"cloudops-{name}")
    root = next(e for e in polr["results"] if e["rule"] == "run-as-non-root")
    assert root["result"] == "fail" and root["properties"]["expected"] == "true"
    assert not any(v in ("True", "False") for e in polr["results"] for v in (e.get("properties") or {}).values())

    # Back to nothing: the score goes (null), it is not left at the last run's.
    await asyncio.to_thread(member.k, "delete", "pod", "web", "--grace-period=0", "--force")
    again = (await call(shim, "POST", RUN, json={"namespaces": [ns]}))["data"]
    assert again["status"] == "nothing_checked" and again["summary"]["compliance_score"] is None
    st = await status()
    assert "score" not in st and "complianceScore" not in st["summary"] and st["summary"]["total"] == 0


async def _checks(hubk: Kubectl) -> set[str]:
    items = (await asyncio.to_thread(hubk.json, "get", "compliancechecks", "-l",
                                     f"{adhoc.ADHOC_LABEL}={adhoc.ADHOC_VALUE}"))["items"]
    return {i["metadata"]["name"] for i in items}


async def _gone_with_its_reports(member: Member, hubk: Kubectl, check: str) -> None:
    """The check's ComplianceReports (owned: the hub's garbage collector) and its PolicyReports in the member."""
    async def gone() -> bool:
        reports = (await asyncio.to_thread(hubk.json, "get", "compliancereports", "-l",
                                           f"cloudops.io/compliance-check={check}"))["items"]
        polrs = (await asyncio.to_thread(member.admin.json, "get", "policyreports", "-A", "-l",
                                         f"cloudops.io/compliance-check={check}"))["items"]
        return not reports and not polrs
    await eventually(gone, 60, f"the reports of {check} gone")


async def test_ad_hoc_checks_are_runs_per_caller_bounded_and_expired(
        member: Member, shim: Client, hub: Kubectl, namespace: str, make_key: KeyMaker,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A REST run re-runs its caller's check for its parameters; a caller keeps a bounded number of them and
    idle ones expire, with their reports; the report without a check name is the caller's newest run."""
    monkeypatch.setattr(adhoc, "MAX_PER_CALLER", 2)
    ns, hubk = member.ns, Kubectl(hub.kubeconfig, namespace)
    await member.apply(deployment("bad", BAD_CONTAINER, 1))
    viewer = {"X-API-Key": await make_key("vera", ["cloudops:viewers"])}
    body = {"namespaces": [ns], "policies": ["image"]}
    mine = (await call(shim, "POST", RUN, json=body))["data"]
    again = (await call(shim, "POST", RUN, json=body))["data"]
    hers = (await call(shim, "POST", RUN, json=body, headers=viewer))["data"]
    assert again["check_name"] == mine["check_name"] != hers["check_name"]
    assert await _checks(hubk) == {mine["check_name"], hers["check_name"]}
    # Without a check name, each caller sees their own newest run, never the other's (hers is newer).
    assert (await call(shim, "GET", REPORT, params={"time_range": "1h"}))["data"]["check_id"] == again["check_id"]
    seen = (await call(shim, "GET", REPORT, params={"time_range": "1h"}, headers=viewer))["data"]
    assert seen["check_id"] == hers["check_id"]
    other = await make_key("otto", ["cloudops:viewers"])
    assert (await call(shim, "GET", REPORT, 404, params={"time_range": "1h"}, headers={"X-API-Key": other}))[
        "code"] == 1002

    # Bounded: a third parameter set removes the caller's least recently run check, with its reports.
    b = (await call(shim, "POST", RUN, json={**body, "policies": ["probes"]}))["data"]
    c = (await call(shim, "POST", RUN, json={**body, "policies": ["reliability"]}))["data"]
    assert await _checks(hubk) == {b["check_name"], c["check_name"], hers["check_name"]}
    await _gone_with_its_reports(member, hubk, mine["check_name"])

    # Expired: idle past the TTL, removed at the next run, whoever makes it.
    monkeypatch.setattr(adhoc, "TTL", timedelta(0))
    (await call(shim, "POST", RUN, json=body, headers=viewer))
    assert await _checks(hubk) == {hers["check_name"]}
    for gone in (b, c):
        await _gone_with_its_reports(member, hubk, gone["check_name"])


async def test_the_operator_expires_an_idle_ad_hoc_check_and_its_policy_reports(
        member: Member, shim: Client, hub: Kubectl, namespace: str, topology: Topology,
        identities: dict[str, Path], tmp_path: Path) -> None:
    """With nobody running checks, an ad-hoc check idle past the TTL is deleted by its daemon, and a deleted
    check's PolicyReports in the member go with it."""
    ns, hubk = member.ns, Kubectl(hub.kubeconfig, namespace)
    await member.apply(deployment("bad", BAD_CONTAINER, 1))
    run = (await call(shim, "POST", RUN, json={"namespaces": [ns], "policies": ["image"]}))["data"]
    name = run["check_name"]
    assert run["policy_reports"]["written"] == 1
    idle = (datetime.now(UTC) - adhoc.TTL - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    await asyncio.to_thread(hubk, "patch", "compliancecheck", name, "--subresource=status", "--type=merge", "-p",
                            json.dumps({"status": {"lastRunTime": idle, "lastCompletionTime": idle}}))
    op = start_operator(topology, namespace, tmp_path / "operator.log", identities["operator"])
    try:
        wait_healthy(op)
        await eventually(lambda: _absent(hubk, name), 60, "the idle ad-hoc check deleted")
        await _gone_with_its_reports(member, hubk, name)
    finally:
        stop_operator(op)


async def _absent(hubk: Kubectl, name: str) -> bool:
    got = await asyncio.to_thread(hubk.run, "get", "compliancecheck", name, check=False)
    return got.returncode != 0 and "NotFound" in got.stderr
