"""Compliance runs recorded and exported: report packing, PolicyReports, the CRD file, CSV and PDF (pure)."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from pypdf import PdfReader

from cloudops.compliance.checks import CHECKS, Context, Workload
from cloudops.compliance.evaluate import check_workload, summary
from cloudops.compliance.export import CSV_COLUMNS, to_csv, to_pdf
from cloudops.compliance.policyreport import CRD, MAX_RESULTS, policy_report_mode, policy_reports
from cloudops.compliance.reports import pack, unpack
from cloudops.compliance.runs import CheckSpec

Json = dict[str, Any]
REPO = Path(__file__).resolve().parents[2]


def _deployment(name: str, ns: str, container: Json) -> Json:
    return {"kind": "Deployment", "metadata": {"name": name, "namespace": ns},
            "spec": {"replicas": 1, "template": {"metadata": {"labels": {"app": name}},
                                                 "spec": {"containers": [container]}}}}


def _results(n: int = 2) -> list[Json]:
    out = []
    for i in range(n):
        w = Workload.from_k8s(_deployment(f"app-{i}", "shop" if i % 2 else "web",
                                          {"name": "c", "image": "x:1", "securityContext": {"privileged": True}}))
        out += [r.view() for r in check_workload(w, Context(), ("security-context", "image"))]
    return out


def test_pack_round_trips_and_truncates_failing_first_with_a_note() -> None:
    results = _results(4)
    packed = pack(results)
    assert not packed.truncated and unpack(packed.text) == results and packed.count == len(results)
    # Incompressible bulk forces truncation: passing results go first, the note says what was dropped.
    rng = random.Random(1)
    bulky = [{**r, "status": "passed" if i % 2 else "failed",
              "noise": "".join(rng.choice("abcdefghij0123456789") for _ in range(400))}
             for i, r in enumerate(results * 20)]
    small = pack(bulky, limit=8_000)
    kept = unpack(small.text)
    assert small.truncated and len(small.text) <= 8_000 and 0 < small.count == len(kept) < len(bulky)
    assert all(r["status"] == "failed" for r in kept) and "results not stored" in small.note


def test_policy_reports_one_per_namespace_with_a_result_per_check() -> None:
    results = _results(2)
    reports = policy_reports(results, "nightly", "cloudops-system", "check-1", 1_700_000_000.5)
    assert [r["metadata"]["namespace"] for r in reports] == ["shop", "web"]
    web = reports[1]
    assert web["apiVersion"] == "wgpolicyk8s.io/v1alpha2" and web["kind"] == "PolicyReport"
    assert web["metadata"]["name"] == "cloudops-nightly" and web["scope"] == {"apiVersion": "v1", "kind": "Namespace",
                                                                              "name": "web"}
    n_checks = sum(1 for c in CHECKS if c.policy in ("security-context", "image"))
    assert len(web["results"]) == n_checks
    assert web["summary"]["pass"] + web["summary"]["fail"] == n_checks and web["summary"]["fail"] >= 1
    privileged = next(e for e in web["results"] if e["rule"] == "privileged")
    assert privileged["result"] == "fail" and privileged["policy"] == "security-context"
    assert privileged["severity"] == "high" and privileged["timestamp"] == {"seconds": 1_700_000_000, "nanos": 0}
    assert privileged["resources"] == [{"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "web",
                                        "name": "app-0"}]
    assert privileged["properties"]["field"].endswith("securityContext.privileged")
    assert next(e for e in web["results"] if e["rule"] == "image-tag")["result"] == "pass"
    # Every entry is valid against the CRD's enums.
    item = CRD["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["results"]["items"]["properties"]
    assert all(e["result"] in item["result"]["enum"] and e["severity"] in item["severity"]["enum"]
               for r in reports for e in r["results"])


def test_policy_reports_are_bounded() -> None:
    many = _results(2) * (MAX_RESULTS // 5)
    (report, *_) = policy_reports([r for r in many if r["namespace"] == "web"], "c", "h", "r", 0)
    assert len(report["results"]) == MAX_RESULTS
    assert sum(report["summary"].values()) > MAX_RESULTS and "results-truncated" in str(report["metadata"])


def test_the_shipped_crd_is_the_one_the_code_installs() -> None:
    shipped = yaml.safe_load((REPO / "deploy" / "policyreports" / "policyreports.yaml").read_text())
    assert shipped == CRD
    assert policy_report_mode("off") == "off" and policy_report_mode("bogus") == "install"


def test_check_spec_from_a_compliance_check() -> None:
    spec = CheckSpec.from_cr({"policies": ["image", "image"], "resourceTypes": ["deployments", "services"],
                              "namespaces": ["a"], "autoFix": True})
    assert spec.policies == ("image",) and spec.namespaces == ("a",) and spec.auto_fix
    assert "kube-system" in spec.excluded and spec.directions == ("Ingress", "Egress")
    assert CheckSpec.from_cr({"excludedNamespaces": []}).excluded == ()
    with pytest.raises(ValueError, match=r"spec.resourceTypes\[1\]"):
        CheckSpec.from_cr({"resourceTypes": ["pods", "widgets"]})
    assert CheckSpec.from_cr(spec.cr_spec()) == spec


def _report() -> Json:
    results = _results(3)
    results[0]["violations"][0]["message"] = 'says "no", then\na new line, then a comma, end'
    views = results
    s = {**summary([]), "fixed": 0}
    s.update(total=len(views), passed=sum(1 for r in views if r["status"] == "passed"))
    s["failed"] = s["total"] - s["passed"]
    s["compliance_score"] = round(100 * s["passed"] / s["total"], 1)
    return {"cluster_name": "member-1", "check_name": "nightly", "check_id": "check-abc",
            "run_at": "2026-01-02T03:04:05Z", "trigger": "schedule", "time_range": "7d",
            "since": "2026-01-01T00:00:00Z", "generated_at": "2026-01-03T00:00:00Z", "summary": s, "results": views,
            "policies": [{"policy": "image", "total": 3, "passed": 0, "failed": 3}], "reports_in_range": 3,
            "history": [{"time": "2026-01-01T12:00:00Z", "score": 20.0}, {"time": "2026-01-02T03:04:05Z",
                                                                          "score": s["compliance_score"]}]}


def test_csv_is_one_rfc4180_row_per_result() -> None:
    report = _report()
    text = to_csv(report)
    assert text.startswith(",".join(CSV_COLUMNS) + "\r\n")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == report["summary"]["total"]
    assert sum(1 for r in rows if r["status"] == "failed") == report["summary"]["failed"]
    assert 'says "no", then\na new line' in rows[0]["messages"] and '"says ""no"", then' in text


def test_pdf_holds_the_summary_and_the_failing_results_by_policy() -> None:
    report = _report()
    pdf = to_pdf(report)
    assert pdf.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    s = report["summary"]
    assert f"Total: {s['total']}" in text and f"Failed: {s['failed']}" in text
    assert f"Compliance score: {s['compliance_score']}" in text
    assert "security-context (3 failed)" in text and "privileged" in text
