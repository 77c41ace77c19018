"""The resources area in a real browser (flow 4 of issue 21): a ConfigMap created in the console's YAML editor,
changed and applied, its versions diffed (v1 against v2 shows the changed key) and rolled back, with kubectl on
the member seeing the old value again; a change made with kubectl while the editor is open makes Apply a
conflict the page shows, and the operator records that kubectl change as a version of its own. A viewer sees
the same pages without a write action.

Objects live in namespaces of their own in member-1, created with kubectl and deleted at the end.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import time
import uuid
from collections.abc import AsyncIterator

import aiohttp
import pytest
from playwright.async_api import Page, expect

from tests.console.conftest import ConsoleEnv, axe, shot
from tests.helpers import Kubectl, eventually

EDITOR = "[data-testid=yaml-editor] .cm-content"


@pytest.fixture
async def member_ns(console: ConsoleEnv) -> AsyncIterator[tuple[Kubectl, str]]:
    kubectl = Kubectl(console.topology.members[0].kubeconfig)
    ns = f"ui-res-{uuid.uuid4().hex[:6]}"
    await asyncio.to_thread(kubectl, "create", "namespace", ns)
    try:
        yield kubectl, ns
    finally:
        await asyncio.to_thread(kubectl.run, "delete", "namespace", ns, "--wait=false", check=False)


async def replace_editor_text(page: Page, text: str) -> None:
    """Select everything in the editor and type the new text over it (as a paste: no auto-indent)."""
    editor = page.locator(EDITOR)
    await editor.click()
    await page.keyboard.press("Control+A")
    await page.keyboard.insert_text(text)


async def editor_text(page: Page) -> str:
    return await page.locator(EDITOR).inner_text()


async def no_serious_axe(page: Page, what: str) -> None:
    found = await axe(page)
    assert not found, f"{what}: " + json.dumps([(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                                                for v in found])


async def test_configmap_edit_diff_rollback_and_conflict(admin_page: Page, console: ConsoleEnv,
                                                         member_ns: tuple[Kubectl, str]) -> None:
    page, (kubectl, ns) = admin_page, member_ns
    name = "settings"

    async def member_value() -> str:
        res = await asyncio.to_thread(kubectl.run, "get", "configmap", name, "-n", ns, "-o",
                                      "jsonpath={.data.color}", check=False)
        return res.stdout if res.returncode == 0 else f"<{res.stderr.strip()}>"

    # The list, filtered by type and namespace through the URL; "New object" opens the editor.
    await page.goto(console.at(f"/ui/resources?resource_type=configmaps&namespace={ns}"))
    await expect(page.get_by_test_id("page-title")).to_have_text("Resources")
    await page.get_by_role("button", name="New object").click()
    dialog = page.get_by_role("dialog", name="New object")
    await expect(dialog).to_be_visible()
    await expect(page).to_have_url(re.compile(r"[?&]new=1"))
    await dialog.get_by_label("Cluster").first.click()
    await page.get_by_role("option", name="member-1", exact=True).click()
    await replace_editor_text(page, f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: {ns}\n"
                                    "data:\n  color: blue\n  size: large\n")
    await dialog.get_by_role("button", name="Create").click()

    # The object's page: its YAML, read-only until Edit.
    await expect(page).to_have_url(re.compile(r"/ui/resources/object/[^/?]+$"))
    await expect(page.get_by_test_id("page-title")).to_have_text(name)
    await expect(page.locator(EDITOR)).to_contain_text("color: blue")
    await expect(page.get_by_test_id("yaml-editor")).to_have_attribute("data-readonly", "true")
    assert await member_value() == "blue"
    detail_url = page.url

    # Change a key's value and apply.
    await page.get_by_role("button", name="Edit").click()
    await expect(page.get_by_test_id("yaml-editor")).to_have_attribute("data-readonly", "false")
    text = await editor_text(page)
    assert "color: blue" in text, text
    await replace_editor_text(page, text.replace("color: blue", "color: green"))
    await page.get_by_role("button", name="Apply").click()
    await expect(page.get_by_test_id("yaml-editor")).to_have_attribute("data-readonly", "true")
    await expect(page.locator(EDITOR)).to_contain_text("color: green")
    assert await member_value() == "green"

    # The list shows it, with a link to this page.
    await page.goto(console.at(f"/ui/resources?resource_type=configmaps&namespace={ns}"))
    row = page.get_by_test_id("resource-row").filter(has=page.get_by_role("link", name=name, exact=True))
    await expect(row).to_contain_text("member-1")
    await expect(row).to_contain_text("ConfigMap")
    await no_serious_axe(page, "resources list")
    await shot(page, "resources")
    await row.get_by_role("link", name=name, exact=True).click()
    await expect(page).to_have_url(detail_url)

    # Versions: v1 (created) and v2 (applied); v1 against v2 shows the changed key side by side.
    await page.get_by_role("tab", name="Versions").click()
    await expect(page).to_have_url(re.compile(r"[?&]tab=versions"))
    versions = page.get_by_test_id("versions-table")
    await expect(versions.get_by_test_id("version-row-v1")).to_contain_text("Initial version")
    await expect(versions.get_by_test_id("version-row-v2")).to_contain_text("data.color")
    await page.get_by_label("Compare from v1", exact=True).check()
    await page.get_by_label("Compare to v2", exact=True).check()
    diff = page.get_by_test_id("diff-view")
    await expect(page.get_by_test_id("diff-panel")).to_contain_text("v1 → v2")
    await expect(diff.locator("td[data-kind=removed]")).to_have_text(re.compile(r"color: blue"))
    await expect(diff.locator("td[data-kind=added]")).to_have_text(re.compile(r"color: green"))
    await expect(diff.locator("td[data-kind=same]", has_text="size: large").first).to_be_visible()  # context
    await expect(diff.locator("td[data-kind=removed]")).to_have_count(1)  # exactly the changed line
    await expect(page.get_by_test_id("diff-summary")).to_have_text(re.compile(r"^1 modified"))
    await no_serious_axe(page, "object versions")
    await page.get_by_test_id("diff-panel").scroll_into_view_if_needed()
    await shot(page, "object-versions")

    # Roll back to v1 (confirmed); kubectl on the member sees the old value, and the rollback is v3.
    await page.get_by_role("button", name="Roll back to v1").click()
    confirm = page.get_by_role("dialog", name="Roll back to v1?")
    await confirm.get_by_label("Reason (optional)").fill("browser test")
    await confirm.get_by_role("button", name="Roll back").click()
    await expect(confirm).to_be_hidden()

    async def rolled_back() -> bool:
        return await member_value() == "blue"

    await eventually(rolled_back, timeout=30, what="the member's ConfigMap back at color=blue")
    await expect(versions.get_by_test_id("version-row-v3")).to_contain_text("Rollback to v1: browser test")

    # Conflict: kubectl changes the object while the editor is open; Apply shows the API's 409 and offers a reload.
    await page.get_by_role("tab", name="YAML").click()
    await expect(page.locator(EDITOR)).to_contain_text("color: blue")
    await page.get_by_role("button", name="Edit").click()
    await asyncio.to_thread(kubectl, "patch", "configmap", name, "-n", ns, "--type", "merge",
                            "-p", '{"data":{"color":"purple"}}')
    await replace_editor_text(page, (await editor_text(page)).replace("color: blue", "color: yellow"))
    await page.get_by_role("button", name="Apply").click()
    conflict = page.get_by_test_id("conflict")
    await expect(conflict).to_contain_text("Conflict")
    await expect(conflict).to_contain_text("the object has been modified")
    assert await member_value() == "purple"  # nothing written
    await conflict.get_by_role("button", name=re.compile("^Reload")).click()
    await expect(conflict).to_be_hidden()
    await expect(page.locator(EDITOR)).to_contain_text("color: purple")

    # The operator records the kubectl change as a version of its own (its pass runs every
    # CLOUDOPS_VERSION_POLL_SECONDS); the Versions tab lists it with kubectl as its author.
    await page.get_by_role("tab", name="Versions").click()
    kubectl_row = versions.get_by_role("row").filter(has_text="kubectl")
    deadline = time.monotonic() + 75
    while True:
        try:
            await expect(kubectl_row.first).to_be_visible(timeout=5000)
            break
        except AssertionError:
            assert time.monotonic() < deadline, ("the kubectl change was not recorded as a version; the operator:\n"
                                                 + console.operator_tail())
            await page.get_by_test_id("versions-refresh").click()
    await expect(kubectl_row.first).to_contain_text("data.color")

    # Delete, confirmed: back to the list, and the member no longer has it.
    await page.get_by_role("button", name="Delete").click()
    await page.get_by_role("dialog", name=f"Delete {name}?").get_by_role("button", name="Delete").click()
    await expect(page).to_have_url(re.compile(r"/ui/resources\?"))
    await expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)

    async def gone() -> bool:
        return "NotFound" in await member_value()

    await eventually(gone, timeout=30, what="the ConfigMap deleted in the member")


async def test_viewer_sees_no_write_actions(viewer_page: Page, console: ConsoleEnv,
                                            member_ns: tuple[Kubectl, str]) -> None:
    page, (kubectl, ns) = viewer_page, member_ns
    manifest = {"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "seen", "namespace": ns, "labels": {"cloudops.io/versioned": "true"}},
                "data": {"k": "v"}}
    await asyncio.to_thread(kubectl, "apply", "-f", "-", stdin=json.dumps(manifest))
    await page.goto(console.at(f"/ui/resources?resource_type=configmaps&namespace={ns}"))
    link = page.get_by_role("link", name="seen", exact=True)
    await expect(link).to_be_visible()
    await expect(page.get_by_role("link", name="Compare across clusters")).to_be_visible()
    await expect(page.get_by_role("button", name="New object")).to_have_count(0)
    await link.click()
    await expect(page.locator(EDITOR)).to_contain_text("k: v")
    await expect(page.get_by_text("You may view this object but not change it.")).to_be_visible()
    await expect(page.get_by_role("button", name="Edit")).to_have_count(0)
    await expect(page.get_by_role("button", name="Delete")).to_have_count(0)
    await page.get_by_role("tab", name="Versions").click()
    await expect(page.get_by_test_id("versions-refresh")).to_be_visible()
    await expect(page.get_by_role("button", name=re.compile("^Roll back"))).to_have_count(0)
    await expect(page.get_by_role("button", name=re.compile("^Tag"))).to_have_count(0)
    await no_serious_axe(page, "object versions (viewer)")
    # The compare page asks for the clusters first.
    await page.goto(console.at("/ui/resources/compare?resource_type=configmaps"))
    await expect(page.get_by_test_id("empty-state")).to_contain_text("Choose the clusters")
    await no_serious_axe(page, "compare")


async def _api(console: ConsoleEnv, method: str, path: str, body: object = None) -> dict:
    async with aiohttp.ClientSession(headers={"X-API-Key": console.admin_key}) as s:
        async with s.request(method, console.at(path), json=body) as r:
            data = await r.json()
            assert r.status == 200, data
            return dict(data["data"])


async def test_compare_across_clusters(admin_page: Page, console: ConsoleEnv) -> None:
    """The same-named ConfigMap in member-1 and member-2 with one value apart: the compare page, opened from the
    list with both clusters chosen, shows the field and each cluster's value."""
    page = admin_page
    listed = await _api(console, "GET", "/api/k8s/clusters/list?limit=100")
    ids = {c["name"]: c["id"] for c in listed["clusters"]}
    added = "member-2" not in ids
    if added:  # the shell's flow adds member-2 from the page; run alone, this test registers it itself
        kubeconfig = base64.b64encode(console.topology.members[1].kubeconfig.read_bytes()).decode()
        made = await _api(console, "POST", "/api/k8s/clusters/add", {"name": "member-2", "provider": "other",
                                                                     "region": "loopback", "kubeconfig": kubeconfig})
        ids["member-2"] = made["id"]
    ns = f"ui-cmp-{uuid.uuid4().hex[:6]}"
    members = [Kubectl(m.kubeconfig) for m in console.topology.members[:2]]
    try:
        for kubectl, color in zip(members, ("blue", "red"), strict=True):
            cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": ns,
                                                                   "labels": {"app": "ui-compare"}},
                  "data": {"color": color, "size": "large"}}
            items = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}, cm]
            await asyncio.to_thread(kubectl, "apply", "-f", "-",
                                    stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
        both = f"{ids['member-1']},{ids['member-2']}"
        await page.goto(console.at(f"/ui/resources?resource_type=configmaps&namespace={ns}&cluster_ids={both}"
                                     "&label_selector=app%3Dui-compare"))
        await expect(page.get_by_test_id("resource-row").filter(has_text="settings")).to_have_count(2)
        await page.get_by_role("link", name="Compare across clusters").click()
        await expect(page).to_have_url(re.compile(r"/ui/resources/compare\?"))
        row = page.get_by_test_id("compare-row").filter(has_text="settings")
        await expect(row).to_contain_text("Different")
        field = row.get_by_role("row").filter(has_text="data.color")
        await expect(field).to_contain_text("blue")
        await expect(field).to_contain_text("red")
        await expect(row.get_by_role("row").filter(has_text="data.size")).to_have_count(0)
        await expect(page.get_by_test_id("compare-summary")).to_contain_text("Different: 1")
        await no_serious_axe(page, "compare")
        await shot(page, "resources-compare")
    finally:
        for kubectl in members:
            await asyncio.to_thread(kubectl.run, "delete", "namespace", ns, "--wait=false", check=False)
        if added:
            await _api(console, "DELETE", f"/api/k8s/clusters/{ids['member-2']}")
