"""The Backups, Cost and API pages in a real browser, against the real local clusters.

Flow 5: a ConfigMap made with kubectl in member-1 is backed up from the Backups page and restored under a new
name; the new object exists in the member. The Schedules tab lists the hub's schedules through the API: one
applied with kubectl shows with its cron, and one made from the page shows in a fresh browser (no localStorage).
The Cost page shows the report table and the optimization section (the suggestions, or why they are withheld).
The API page lists the operations from the OpenAPI document with no Content-Security-Policy violation, and
"Try it out" is authorized with the session's key.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, expect

from tests.console.conftest import VIEWPORT, ConsoleEnv, axe, shot, sign_in
from tests.helpers import Kubectl, eventually

pytestmark = pytest.mark.cluster


@pytest.fixture
def member_ns(console: ConsoleEnv) -> Iterator[tuple[Kubectl, str]]:
    """A namespace of this test's own in member-1 (deleted at the end)."""
    ns = f"ui-bk-{uuid.uuid4().hex[:8]}"
    kubectl = Kubectl(console.topology.members[0].kubeconfig)
    kubectl("create", "namespace", ns)
    try:
        yield kubectl, ns
    finally:
        kubectl.run("delete", "namespace", ns, "--wait=false", check=False)


def _assert_no_serious(violations: list[dict[str, Any]], page_name: str) -> None:
    summary = [(v["id"], v.get("impact"), [n.get("target") for n in v.get("nodes", [])][:3]) for v in violations]
    assert not violations, f"axe on {page_name}: {summary}"


async def test_back_up_and_restore_under_a_new_name(admin_page: Page, console: ConsoleEnv,
                                                     member_ns: tuple[Kubectl, str]) -> None:
    kubectl, ns = member_ns
    kubectl("create", "configmap", "settings", "-n", ns, "--from-literal=greeting=hello")
    page = admin_page
    backup = f"settings-{uuid.uuid4().hex[:6]}"

    await page.goto(console.at("/ui/backups"))
    await expect(page.get_by_test_id("page-title")).to_have_text("Backups")
    await page.get_by_test_id("create-backup").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_label("Object id").fill(f"member-1:configmap:{ns}:settings")
    await expect(dialog.get_by_label("Resource type")).to_have_value("configmap")
    await dialog.get_by_label("Backup name").fill(backup)
    await dialog.get_by_test_id("create-backup-submit").click()
    await expect(dialog).to_be_hidden()

    row = page.get_by_test_id(f"backup-row-{backup}")
    await expect(row).to_be_visible()
    await expect(row).to_contain_text("Completed")
    await expect(row).to_contain_text("member-1")

    await row.get_by_test_id("restore-button").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog.get_by_label("Under a new name")).to_be_checked()
    await dialog.get_by_role("textbox", name="New name").fill("settings-restored")
    await dialog.get_by_test_id("restore-submit").click()
    result = dialog.get_by_test_id("restore-result")
    await expect(result).to_contain_text(f":configmap:{ns}:settings-restored")
    await expect(result).to_contain_text("created")

    async def restored() -> dict[str, Any]:
        res = kubectl.run("get", "configmap", "settings-restored", "-n", ns, "-o", "json", check=False)
        return json.loads(res.stdout) if res.returncode == 0 else {}

    cm = await eventually(restored, timeout=30, what="the restored ConfigMap in member-1")
    assert cm["data"] == {"greeting": "hello"}

    await dialog.get_by_role("button", name="Close").click()
    await expect(page.get_by_role("dialog")).to_be_hidden()
    toasts = page.locator(".mantine-Notification-root")
    for close in await toasts.get_by_role("button", name="Close").all():
        await close.click()
    await expect(toasts).to_have_count(0)
    _assert_no_serious(await axe(page), "backups")
    await shot(page, "backups")


async def test_overwrite_asks_for_confirmation(admin_page: Page, console: ConsoleEnv,
                                               member_ns: tuple[Kubectl, str]) -> None:
    kubectl, ns = member_ns
    kubectl("create", "configmap", "app", "-n", ns, "--from-literal=mode=original")
    page = admin_page
    backup = f"app-{uuid.uuid4().hex[:6]}"
    await page.goto(console.at("/ui/backups"))
    await page.get_by_test_id("create-backup").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_label("Object id").fill(f"member-1:configmap:{ns}:app")
    await dialog.get_by_label("Backup name").fill(backup)
    await dialog.get_by_test_id("create-backup-submit").click()
    row = page.get_by_test_id(f"backup-row-{backup}")
    await expect(row).to_contain_text("Completed")

    kubectl("patch", "configmap", "app", "-n", ns, "--type=merge", "-p", '{"data":{"mode":"changed"}}')
    await row.get_by_test_id("restore-button").click()
    await page.get_by_role("dialog").get_by_label("Over the original").check()
    await page.get_by_test_id("restore-submit").click()
    confirm = page.get_by_role("dialog", name="Overwrite")
    await expect(confirm).to_be_visible()
    await confirm.get_by_test_id("confirm-button").click()
    await expect(page.get_by_test_id("restore-result")).to_contain_text("replaced")

    async def back() -> bool:
        cm = kubectl.json("get", "configmap", "app", "-n", ns)
        return cm["data"] == {"mode": "original"}

    await eventually(back, timeout=30, what="the ConfigMap overwritten from its backup")


async def test_schedules_are_listed_from_the_api(admin_page: Page, browser: Browser, console: ConsoleEnv,
                                                member_ns: tuple[Kubectl, str]) -> None:
    """The Schedules tab lists the hub's YamlBackupSchedules through the API: one applied with kubectl (selecting a
    namespace's deployments, so no single object to edit) and one made from the page, which a fresh browser (no
    localStorage) still shows after a reload."""
    kubectl, ns = member_ns
    kubectl("create", "configmap", "nightly", "-n", ns, "--from-literal=a=b")
    hub = Kubectl(console.topology.hub.kubeconfig)
    applied = f"kubectl-deploys-{uuid.uuid4().hex[:6]}"
    name = f"nightly-{uuid.uuid4().hex[:6]}"
    hub("-n", console.namespace, "apply", "-f", "-", stdin=json.dumps({
        "apiVersion": "cloudops.io/v1alpha1", "kind": "YamlBackupSchedule", "metadata": {"name": applied},
        "spec": {"clusterRef": {"name": "member-1"}, "schedule": "15 1 * * *", "timeZone": "Europe/Berlin",
                 "enabled": False, "resourceTypes": ["deployments.apps"], "namespaces": [ns], "retentionDays": 9}}))
    page = admin_page
    try:
        await page.goto(console.at("/ui/backups?tab=schedules"))
        await expect(page.get_by_test_id("page-title")).to_have_text("Backups")
        row = page.get_by_test_id(f"schedule-row-{applied}")
        await expect(row.get_by_test_id("schedule-cron")).to_have_text("15 1 * * *")
        await expect(row).to_contain_text("Europe/Berlin")
        await expect(row).to_contain_text("9 days")
        await expect(row).to_contain_text("Paused")
        await expect(row.get_by_test_id("schedule-selection")).to_contain_text("several objects")
        # it selects many objects: editing is not offered, and the control says why
        await expect(row.get_by_test_id("edit-schedule")).to_have_count(0)
        unavailable = row.get_by_test_id("edit-schedule-unavailable")
        await expect(unavailable).to_have_attribute("aria-disabled", "true")
        await unavailable.hover()
        await expect(page.get_by_role("tooltip")).to_contain_text("selects more than one object")
        await expect(page.get_by_test_id("schedule-total")).to_contain_text("schedules")

        # the cluster filter keeps member-1's schedules
        await page.get_by_test_id("schedule-cluster-filter").click()
        await page.get_by_role("option", name="member-1").click()
        await expect(row).to_be_visible()

        # a schedule made from the page
        await page.get_by_test_id("new-schedule").click()
        dialog = page.get_by_role("dialog")
        await dialog.get_by_label("Object id").fill(f"member-1:configmap:{ns}:nightly")
        await dialog.get_by_label("Schedule name").fill(name)
        await dialog.get_by_label("Cron expression").fill("0 3 * * *")
        await dialog.get_by_label("Keep backups for (days)").fill("7")
        await dialog.get_by_label("Paused").check()  # it never runs during the test
        await dialog.get_by_test_id("schedule-submit").click()
        await expect(dialog).to_be_hidden()

        mine = page.get_by_test_id(f"schedule-row-{name}")
        await expect(mine.get_by_test_id("schedule-cron")).to_have_text("0 3 * * *")
        await expect(mine).to_contain_text("7 days")
        await expect(mine).to_contain_text("Paused")
        await expect(mine).to_contain_text(f"configmaps:{ns}:nightly")

        # edit: the form holds the listed values; the same schedule is updated, not a second one made
        await mine.get_by_test_id("edit-schedule").click()
        dialog = page.get_by_role("dialog")
        await expect(dialog.get_by_label("Cron expression")).to_have_value("0 3 * * *")
        await expect(dialog.get_by_label("Keep backups for (days)")).to_have_value("7")
        await expect(dialog.get_by_label("Paused")).to_be_checked()
        await dialog.get_by_label("Cron expression").fill("30 4 * * 1")
        await dialog.get_by_test_id("schedule-submit").click()
        await expect(dialog).to_be_hidden()
        await expect(mine.get_by_test_id("schedule-cron")).to_have_text("30 4 * * 1")
        await expect(mine).to_contain_text("Paused")
        await expect(page.locator(f'[data-testid="schedule-row-{name}"]')).to_have_count(1)
        saved = hub.json("-n", console.namespace, "get", "yamlbackupschedule", name)["spec"]
        assert saved["schedule"] == "30 4 * * 1" and saved["retentionDays"] == 7 and saved["enabled"] is False

        # a malformed cron is refused by the API, which names the field
        await page.get_by_test_id("new-schedule").click()
        dialog = page.get_by_role("dialog")
        await dialog.get_by_label("Object id").fill(f"member-1:configmap:{ns}:nightly")
        await dialog.get_by_label("Cron expression").fill("61 * * * *")
        await dialog.get_by_test_id("schedule-submit").click()
        await expect(dialog.get_by_test_id("api-error")).to_be_visible()
        await dialog.get_by_role("button", name="Cancel").click()
        await expect(dialog).to_be_hidden()
        _assert_no_serious(await axe(page), "backups schedules")
        await shot(page, "backups-schedules")

        # nothing of it lives in the browser: a fresh context (empty localStorage) lists both after signing in
        kept = await page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('cloudops.backupSchedules'))")
        assert kept == []
        fresh = await browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
        try:
            fresh.set_default_timeout(15_000)
            other = await sign_in(await fresh.new_page(), console, console.admin_key, then="/ui/backups?tab=schedules")
            await expect(other.get_by_test_id(f"schedule-row-{name}").get_by_test_id("schedule-cron")).to_have_text(
                "30 4 * * 1")
            await expect(other.get_by_test_id(f"schedule-row-{applied}").get_by_test_id("schedule-cron")).to_have_text(
                "15 1 * * *")
            await other.reload()
            await expect(other.get_by_test_id(f"schedule-row-{name}")).to_contain_text("7 days")
        finally:
            await fresh.close()
    finally:
        hub.run("-n", console.namespace, "delete", "yamlbackupschedule", applied, name, "--ignore-not-found",
                check=False)


async def test_a_viewer_sees_no_backup_writes(viewer_page: Page, console: ConsoleEnv) -> None:
    page = viewer_page
    await page.goto(console.at("/ui/backups"))
    await expect(page.get_by_test_id("page-title")).to_have_text("Backups")
    await expect(page.get_by_test_id("backups-table").or_(page.get_by_test_id("empty-state"))).to_be_visible()
    await expect(page.get_by_test_id("create-backup")).to_have_count(0)
    await expect(page.get_by_test_id("new-schedule")).to_have_count(0)
    await expect(page.get_by_test_id("restore-button")).to_have_count(0)
    await expect(page.get_by_test_id("delete-button")).to_have_count(0)


async def test_cost_page_shows_the_report_and_the_optimization_section(admin_page: Page,
                                                                       console: ConsoleEnv) -> None:
    page = admin_page
    await page.goto(console.at("/ui/cost"))
    await expect(page.get_by_test_id("page-title")).to_have_text("Cost")
    table = page.get_by_test_id("cost-table")
    await expect(table).to_be_visible()
    await expect(table.locator("thead").get_by_role("columnheader", name="Total")).to_be_visible()
    await expect(page.get_by_test_id("total-cost")).to_contain_text("$")
    await expect(page.get_by_test_id("pricing-source").first).to_contain_text("CPU")

    opt = page.get_by_test_id("cost-optimization")
    await expect(opt.get_by_test_id("recorded-hours")).to_contain_text("hours needed")
    verdict = opt.get_by_test_id("withheld-reason").or_(opt.get_by_test_id("suggestions")).or_(
        opt.get_by_test_id("empty-state"))
    await expect(verdict).to_be_visible()
    if await opt.get_by_test_id("withheld-reason").count():
        # withheld: the reason is shown, and the saving is "—" with it, never a made-up number
        await expect(opt.get_by_test_id("withheld-reason")).to_contain_text("hours")
        await expect(opt.get_by_test_id("total-saving").get_by_test_id("missing-number")).to_contain_text("—")

    # every choice is in the URL: group by node over 1 hour
    await page.get_by_test_id("cost-range").get_by_text("1 hour").click()
    await expect(page).to_have_url(console.at("/ui/cost?range=1h"))
    await expect(table).to_be_visible()
    _assert_no_serious(await axe(page), "cost")
    await shot(page, "cost")


async def test_api_page_lists_operations_under_the_csp(page: Page, console: ConsoleEnv) -> None:
    await sign_in(page, console, console.admin_key, then="")
    errors: list[str] = []

    def on_console(m: ConsoleMessage) -> None:
        if m.type == "error":
            errors.append(m.text)

    page.on("console", on_console)
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(console.at("/ui/api"))
    await expect(page.get_by_test_id("page-title")).to_have_text("API")

    op = page.locator(".opblock-summary-path", has_text="/api/k8s/clusters/list").first
    await expect(op).to_be_visible(timeout=30_000)
    await expect(page.locator(".opblock-summary-path", has_text="/api/k8s/yaml/backup/restore").first).to_be_visible()
    _assert_no_serious(await axe(page), "api")
    await shot(page, "api")

    # "Try it out" sends the session's key: the call is authorized (200), not 401
    path = page.locator('.opblock-summary-path[data-path="/api/k8s/clusters/list"]')
    block = page.locator(".opblock").filter(has=path)
    await block.locator(".opblock-summary-control").first.click()
    await block.get_by_role("button", name="Try it out").click()
    await block.get_by_role("button", name="Execute").click()
    status = block.locator(".live-responses-table tbody .response-col_status").first
    await expect(status).to_have_text("200")
    await expect(block.locator(".live-responses-table")).to_contain_text("member-1")
    # the key was sent, never shown: the curl command on screen leaves it out
    await expect(block.locator(".curl-command")).to_contain_text("/api/k8s/clusters/list")
    assert console.admin_key not in await page.content()
    _assert_no_serious(await axe(page), "api, an operation tried out")

    csp = [e for e in errors if "Content Security Policy" in e or "Refused to" in e]
    assert not csp, csp
    assert not errors, errors
