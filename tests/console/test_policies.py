"""The policies area in a real browser: a compliance check run from the page (score or the reason there is
none, findings, the report downloaded as PDF, CSV and JSON), a ResourceQuota's usage bar and trends, label
policies (the hub's list, kubectl-applied ones too, with the operator's last check, in a fresh browser; create,
check from the form or from a row, violations), self-healing rules (create) and history, autoscalers (create,
edit); a viewer sees none of the write actions.

Member objects live in a namespace of this module's own in member-1, deleted at the end.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tests.console.conftest import VIEWPORT, ConsoleEnv, axe, shot, sign_in
from tests.helpers import Kubectl, eventually


@pytest.fixture(scope="module")
def member_ns(console: ConsoleEnv) -> Iterator[str]:
    """A namespace in member-1 with a Deployment `web` that has no limits and no `team` label."""
    ns = f"pol-{uuid.uuid4().hex[:8]}"
    k = Kubectl(console.topology.members[0].kubeconfig)
    objs = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}},
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "web", "namespace": ns, "labels": {"app": "web"}},
         "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                  "template": {"metadata": {"labels": {"app": "web"}},
                               "spec": {"containers": [{"name": "app", "image": "busybox:latest"}]}}}},
    ]
    k("apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": objs}))
    yield ns
    k.run("delete", "namespace", ns, "--wait=false", check=False)


async def _no_axe_violations(page: Page) -> None:
    found = await axe(page)
    assert found == [], [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5]) for v in found]


def _input(page: Page, label: str) -> Locator:
    """The input labelled `label` (Mantine's option lists carry the same label)."""
    return page.get_by_label(label, exact=True).and_(page.locator("input"))


async def _tag(page: Page, label: str, value: str) -> None:
    """Types a tag into a Mantine TagsInput and confirms it with Enter."""
    box = _input(page, label)
    await box.fill(value)
    await box.press("Enter")


async def _choose(page: Page, label: str, option: str) -> None:
    """Picks `option` in a Mantine Select / MultiSelect labelled `label`."""
    await _input(page, label).click()
    await page.get_by_role("option", name=option, exact=True).click()


async def test_compliance_check_score_findings_and_report_downloads(admin_page: Page, console: ConsoleEnv,
                                                                    member_ns: str) -> None:
    page = admin_page
    await page.goto(console.at("/ui/policies/compliance?cluster=member-1"))
    await expect(page.get_by_role("tab", name="Compliance")).to_have_attribute("aria-selected", "true")
    # Before any run: the caller's last report on the cluster, or an empty state (never an error).
    await expect(page.get_by_text("No compliance report yet").or_(page.get_by_test_id("compliance-result"))) \
        .to_be_visible()
    await expect(page.get_by_test_id("api-error")).to_have_count(0)

    # Nothing to check (a namespace without workloads): no score, and the API's reason — never 100 over nothing.
    await _tag(page, "Namespaces", f"{member_ns}-empty")
    await page.get_by_test_id("compliance-run").click()
    score = page.get_by_test_id("compliance-score")
    await expect(score).to_have_attribute("data-score", "none")
    await expect(page.get_by_test_id("compliance-score-value")).to_have_text("No score")
    await expect(page.get_by_test_id("compliance-score-reason")).to_contain_text("nothing was checked")
    await expect(page.get_by_test_id("compliance-status")).to_have_text("nothing checked")

    # The namespace with the Deployment: a score, and findings with severity, rule, object and message.
    await _input(page, "Namespaces").press("Backspace")  # removes the tag
    await _tag(page, "Namespaces", member_ns)
    await page.get_by_test_id("compliance-run").click()
    await expect(score).not_to_have_attribute("data-score", "none")
    value = float(await score.get_attribute("data-score") or "nan")
    assert 0 <= value < 100, value
    await expect(page.get_by_test_id("compliance-status")).to_have_text("completed")
    findings = page.get_by_test_id("compliance-findings")
    await expect(findings).to_be_visible()
    rows = findings.get_by_test_id("finding-row")
    await expect(rows.first).to_be_visible()
    limits = rows.filter(has_text="memory-limits")
    await expect(limits.first).to_contain_text(f"Deployment {member_ns}/web")
    await expect(limits.first).to_contain_text("memory limits should be set")
    await expect(limits.first.get_by_text("Danger")).to_be_visible()

    # The severity filter keeps only that severity.
    severity = page.get_by_role("radiogroup", name="Severity")
    await severity.get_by_text("Warning", exact=True).click()
    await expect(rows.filter(has_text="Danger")).to_have_count(0)
    await expect(rows.first).to_contain_text("Warning")
    await severity.get_by_text("All", exact=True).click()
    await expect(rows.filter(has_text="Danger").first).to_be_visible()

    # Report downloads: the PDF's bytes start with %PDF, the CSV has its header row, the JSON this run's check.
    async with page.expect_download() as pdf_info:
        await page.get_by_test_id("download-pdf").click()
    pdf = await pdf_info.value
    assert pdf.suggested_filename.endswith(".pdf"), pdf.suggested_filename
    assert Path(await pdf.path()).read_bytes()[:4] == b"%PDF"

    async with page.expect_download() as csv_info:
        await page.get_by_test_id("download-csv").click()
    csv = await csv_info.value
    assert csv.suggested_filename.endswith(".csv"), csv.suggested_filename
    csv_lines = Path(await csv.path()).read_text(encoding="utf-8").splitlines()
    header = csv_lines[0].split(",")
    assert {"namespace", "kind", "name", "policy", "status", "severity"} <= set(header), header
    assert any(f",{member_ns}," in line for line in csv_lines[1:]), csv_lines[:3]

    async with page.expect_download() as json_info:
        await page.get_by_test_id("download-json").click()
    report = json.loads(Path(await (await json_info.value).path()).read_text(encoding="utf-8"))
    assert report["cluster_name"] == "member-1"
    assert report["summary"]["compliance_score"] == value
    assert all(r["namespace"] == member_ns for r in report["results"])

    await _no_axe_violations(page)
    await shot(page, "compliance")


async def test_quota_usage_bar_and_trends(admin_page: Page, console: ConsoleEnv, member_ns: str) -> None:
    page = admin_page
    k = Kubectl(console.topology.members[0].kubeconfig, member_ns)
    quota = {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "team-quota", "namespace": member_ns},
             "spec": {"hard": {"configmaps": "4", "pods": "10", "requests.cpu": "2"}}}
    k("apply", "-f", "-", stdin=json.dumps(quota))
    # The member's quota controller fills status.used (kube-root-ca.crt is one ConfigMap).
    k("wait", "--for=jsonpath={.status.used.configmaps}=1", "resourcequota/team-quota", "--timeout=60s")

    await page.goto(console.at(f"/ui/policies/quotas?cluster=member-1&namespace={member_ns}"))
    card = page.locator("[data-testid=quota-card][data-quota=team-quota]")
    await expect(card).to_be_visible()
    await expect(card).to_contain_text(member_ns)
    cm = card.locator("[data-testid=quota-usage][data-resource=configmaps]")
    await expect(cm.get_by_test_id("quota-usage-text")).to_have_text("1 / 4 (25%)")
    bar = cm.get_by_role("progressbar")
    await expect(bar).to_have_attribute("aria-valuenow", "25")
    await expect(bar).to_have_attribute("aria-label", re.compile(r"configmaps: 1 / 4"))
    await expect(card.locator("[data-testid=quota-usage][data-resource=pods]")).to_be_visible()

    # Trends load on demand (their own chunk): samples with sparklines, or the note that none exist yet.
    await card.get_by_test_id("quota-trends-toggle").click()
    trends = card.get_by_test_id("quota-trends")
    await expect(trends).to_be_visible()
    await expect(trends.get_by_text(re.compile(r"samples")).first).to_be_visible()
    await expect(trends.get_by_test_id("api-error")).to_have_count(0)

    await _no_axe_violations(page)
    await shot(page, "quotas")


@pytest.fixture
def kubectl_policies(console: ConsoleEnv, member_ns: str) -> Iterator[tuple[str, str]]:
    """Two LabelPolicies applied to the hub with kubectl (never through the API): one over this module's
    namespace (its Deployment `web` lacks `team`), one over a namespace with nothing in it."""
    hub = Kubectl(console.topology.hub.kubeconfig, console.namespace)
    suffix = uuid.uuid4().hex[:6]
    names = (f"kubectl-team-{suffix}", f"kubectl-empty-{suffix}")

    def policy(name: str, namespace: str) -> dict[str, Any]:
        return {"apiVersion": "cloudops.io/v1alpha1", "kind": "LabelPolicy",
                "metadata": {"name": name, "namespace": console.namespace},
                "spec": {"description": "applied with kubectl", "clusterRef": {"name": "member-1"},
                         "enforcement": "audit", "namespaces": [namespace], "checkIntervalSeconds": 60,
                         "rules": [{"resourceType": "deployments", "requiredLabels": ["team"]}]}}

    items = [policy(names[0], member_ns), policy(names[1], f"{member_ns}-empty")]
    hub("apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
    yield names
    hub.run("delete", "labelpolicies.cloudops.io", *names, "--wait=false", check=False)


async def test_label_policy_list_create_and_check(admin_page: Page, browser: Browser, console: ConsoleEnv,
                                                  member_ns: str, kubectl_policies: tuple[str, str]) -> None:
    page = admin_page
    name = f"team-{uuid.uuid4().hex[:6]}"
    await page.goto(console.at("/ui/policies/labels?cluster=member-1"))
    listed = page.get_by_test_id("label-policies")
    await expect(listed.locator(f"[data-testid=label-policy-row][data-policy={kubectl_policies[0]}]")).to_be_visible()
    await page.get_by_test_id("label-policy-create").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_role("textbox", name="Name", exact=True).fill(name)
    await _tag(page, "Required labels", "team")
    await page.get_by_test_id("label-policy-submit").click()
    await expect(dialog).to_be_hidden()
    created = listed.locator(f"[data-testid=label-policy-row][data-policy={name}]")
    await expect(created).to_contain_text("every cluster")
    await expect(created.get_by_test_id("label-policy-rules")).to_contain_text("deployments Required labels: team")

    # The check, limited to this module's namespace: the Deployment without `team` is a violation.
    await expect(page.get_by_test_id("label-check-policy")).to_have_value(name)
    await page.get_by_role("textbox", name="Namespace", exact=True).fill(member_ns)
    await page.get_by_test_id("label-check-run").click()
    result = page.get_by_test_id("label-check-result")
    await expect(result).to_contain_text("not compliant")
    violations = page.get_by_test_id("label-violations")
    await expect(violations).to_contain_text(f"{member_ns}/web")
    await expect(violations).to_contain_text("team")
    await expect(page.get_by_test_id("label-score")).to_have_attribute("data-score", "0")

    # A namespace with nothing of the policy's types: no score (the API says 100 there; the page does not).
    await page.get_by_role("textbox", name="Namespace", exact=True).fill(f"{member_ns}-empty")
    await page.get_by_test_id("label-check-run").click()
    await expect(page.get_by_test_id("label-score")).to_have_attribute("data-score", "none")
    await expect(page.get_by_test_id("label-score-value")).to_have_text("No score")

    # A policy's row checks it: the form filled in (its name, its cluster, its own namespaces) and run.
    kubectl_row = listed.locator(f"[data-testid=label-policy-row][data-policy={kubectl_policies[0]}]")
    await kubectl_row.get_by_role("button", name=f"Check policy {kubectl_policies[0]}").click()
    await expect(page.get_by_test_id("label-check-policy")).to_have_value(kubectl_policies[0])
    await expect(page.get_by_role("textbox", name="Namespace", exact=True)).to_have_value("")
    await expect(result).to_contain_text(f"{kubectl_policies[0]} · member-1")
    await expect(violations).to_contain_text(f"{member_ns}/web")

    # A policy that does not exist: the API's message and the field it names.
    await page.get_by_test_id("label-check-policy").fill(f"missing-{name}")
    await page.get_by_test_id("label-check-run").click()
    await expect(page.get_by_test_id("api-error-message")).to_have_text(re.compile("not found", re.I))
    detail = page.get_by_test_id("api-error-detail")
    await expect(detail).to_contain_text("policy_id")
    await expect(detail).to_contain_text(f"missing-{name}")
    await _no_axe_violations(page)
    assert await page.evaluate("() => localStorage.getItem('cloudops.labelPolicies')") is None

    # A fresh browser (nothing remembered locally), as a viewer: the list comes from the hub, so it has the
    # kubectl-applied policies and the one created above, with what the operator last found.
    fresh = await browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    fresh.set_default_timeout(15_000)
    try:
        viewer = await sign_in(await fresh.new_page(), console, console.viewer_key, then="/ui/policies/labels")
        rows = viewer.get_by_test_id("label-policy-row")
        for policy_name in (*kubectl_policies, name):
            await expect(rows.and_(viewer.locator(f"[data-policy={policy_name}]"))).to_be_visible()
        team_row = rows.and_(viewer.locator(f"[data-policy={kubectl_policies[0]}]"))
        await expect(team_row).to_contain_text("applied with kubectl")
        scope = team_row.get_by_test_id("label-policy-scope")
        await expect(scope).to_contain_text("member-1")
        await expect(scope).to_contain_text(member_ns)
        await expect(team_row).to_contain_text("audit")
        await expect(team_row).to_contain_text("enabled")
        await expect(viewer.get_by_test_id("label-policy-create")).to_have_count(0)

        team = team_row.get_by_test_id("label-policy-status")
        empty = rows.and_(viewer.locator(f"[data-policy={kubectl_policies[1]}]")).get_by_test_id("label-policy-status")

        async def checked() -> bool:  # the operator checks a new policy at once; the list refreshes on demand
            await viewer.get_by_test_id("label-policies-refresh").click()
            return await team.get_attribute("data-compliant") != "none" and \
                await empty.get_attribute("data-compliant") != "none"

        await eventually(checked, timeout=60, what="the operator's first check of the kubectl policies")
        await expect(team).to_have_attribute("data-compliant", "False")
        await expect(team).to_contain_text("Not compliant")
        await expect(team.get_by_test_id("label-policy-counts")).to_have_text("1 checked · 1 violations")
        await expect(empty).to_have_attribute("data-compliant", "Unknown")
        await expect(empty.get_by_test_id("label-policy-reason")).to_have_text("NothingChecked")
        await expect(empty.get_by_test_id("label-policy-counts")).to_have_text("0 checked · 0 violations")
        await _no_axe_violations(viewer)
        await viewer.mouse.move(0, 0)  # no tooltip in the picture
        await expect(viewer.get_by_role("tooltip")).to_have_count(0)
        await shot(viewer, "label-policies")
        await viewer.get_by_test_id("theme-switch").click()  # the status colours read in the dark theme too
        await expect(viewer.locator("html")).to_have_attribute("data-mantine-color-scheme", "dark")
        await _no_axe_violations(viewer)
    finally:
        await fresh.close()


async def test_self_healing_rule_create_and_history(admin_page: Page, console: ConsoleEnv, member_ns: str) -> None:
    page = admin_page
    rule = f"pending-{uuid.uuid4().hex[:6]}"
    # A pod no node can take stays Pending: the dry-run rule below matches it and records what it would do.
    k = Kubectl(console.topology.members[0].kubeconfig, member_ns)
    container = {"name": "app", "image": "busybox", "resources": {"requests": {"cpu": "10m"}}}  # the quota asks
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "stuck", "namespace": member_ns},
           "spec": {"nodeSelector": {"no-such-node": "true"}, "containers": [container]}}
    k("apply", "-f", "-", stdin=json.dumps(pod))

    await page.goto(console.at("/ui/policies/self-healing"))
    await page.get_by_test_id("sh-create").click()
    dialog = page.get_by_role("dialog")
    await page.get_by_test_id("sh-name").fill(rule)
    await _choose(page, "Clusters", "member-1")
    await page.keyboard.press("Escape")  # closes the dropdown, not the dialog
    await _tag(page, "Namespaces", member_ns)
    await _choose(page, "Value", "Pending")
    await _choose(page, "Action", "Emit a Warning event")
    await dialog.get_by_role("switch", name="Dry run (record, do nothing)").check()
    await page.get_by_test_id("sh-submit").click()
    await expect(dialog).to_be_hidden()
    row = page.get_by_test_id("sh-rule-row").filter(has_text=rule)
    await expect(row).to_be_visible()
    await expect(row).to_contain_text("pod_status = Pending")
    await expect(row).to_contain_text("dry run")

    # The operator matches the pending pod and records a dry-run entry; the history shows it (refreshed).
    history = page.get_by_test_id("sh-history")

    async def recorded() -> bool:
        await page.get_by_role("button", name="Refresh the history").click()
        return await history.filter(has_text=rule).count() > 0 and \
            await history.get_by_text("stuck").count() > 0

    await eventually(recorded, timeout=60, what="a self-healing history entry")
    await expect(history).to_contain_text("dry_run")
    await _no_axe_violations(page)
    await page.get_by_role("button", name="Close notice").click()
    await page.mouse.move(0, 0)
    await expect(page.get_by_role("tooltip")).to_have_count(0)
    await shot(page, "self-healing")


async def test_autoscaler_create_and_edit(admin_page: Page, console: ConsoleEnv, member_ns: str) -> None:
    page = admin_page
    await page.goto(console.at(f"/ui/policies/autoscalers?cluster=member-1&namespace={member_ns}"))
    await expect(page.get_by_text("No autoscalers")).to_be_visible()
    await page.get_by_test_id("hpa-create").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog.get_by_role("textbox", name="Namespace", exact=True)).to_have_value(member_ns)
    await dialog.get_by_role("textbox", name="Name", exact=True).fill("web")
    await dialog.get_by_role("textbox", name="Target name", exact=True).fill("web")
    await dialog.get_by_role("textbox", name="Max replicas", exact=True).fill("4")
    await page.get_by_test_id("hpa-submit").click()
    await expect(dialog).to_be_hidden()
    row = page.get_by_test_id("hpa-row").filter(has_text="web")
    await expect(row).to_contain_text("Deployment/web")
    await expect(row).to_contain_text("min 1, max 4")
    await expect(row).to_contain_text("cpu 70%")

    await row.get_by_test_id("hpa-edit").click()
    await dialog.get_by_role("textbox", name="Max replicas", exact=True).fill("6")
    await page.get_by_test_id("hpa-submit").click()
    await expect(dialog).to_be_hidden()
    await expect(row).to_contain_text("min 1, max 6")
    hpa = Kubectl(console.topology.members[0].kubeconfig, member_ns).json("get", "hpa", "web")
    assert hpa["spec"]["maxReplicas"] == 6
    await _no_axe_violations(page)


async def test_viewer_sees_no_write_actions(viewer_page: Page, console: ConsoleEnv) -> None:
    page = viewer_page
    await page.goto(console.at("/ui/policies/compliance?cluster=member-1"))
    await expect(page.get_by_test_id("compliance-run")).to_be_visible()  # a viewer may check, never fix
    await expect(page.get_by_test_id("compliance-autofix")).to_have_count(0)
    # The section tabs work from the keyboard: arrow to the next one, which is its own URL.
    await page.get_by_role("tab", name="Compliance").focus()
    await page.keyboard.press("ArrowRight")
    await expect(page).to_have_url(re.compile("/ui/policies/labels"))
    await expect(page.get_by_role("tab", name="Label policies")).to_be_focused()
    for path, testid in (("labels", "label-policy-create"), ("self-healing", "sh-create"),
                         ("quotas", "quota-create"), ("autoscalers", "hpa-create")):
        await page.get_by_role("tab", name={"labels": "Label policies", "self-healing": "Self-healing",
                                            "quotas": "Quotas", "autoscalers": "Autoscalers"}[path]).click()
        await expect(page).to_have_url(re.compile(f"/ui/policies/{path}"))
        await expect(page.get_by_test_id("page-title")).to_have_text("Policies")
        await expect(page.get_by_test_id(testid)).to_have_count(0)
    await _no_axe_violations(page)
