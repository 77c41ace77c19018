"""The console's own flows: signing in, the clusters page and adding a cluster by uploading its kubeconfig,
a viewer's read-only console, accessibility of every page and the Chinese labels (issue 21, flows 1, 7, 8)."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.async_api import Page, Route, expect

from tests.console.conftest import ConsoleEnv, axe, shot, sign_in

WRITE_VERBS = ["get", "list", "create", "update", "delete"]


def _row(page: Page, name: str) -> Any:
    return page.locator(f'[data-testid="cluster-row"][data-name="{name}"]')


async def test_sign_in_shows_member_1_with_health_and_adds_member_2_from_an_uploaded_kubeconfig(
        page: Page, console: ConsoleEnv) -> None:
    await page.goto(console.at("/ui/"))
    await expect(page).to_have_url(re.compile(r"/ui/login"))  # no key yet: the sign-in page
    await page.get_by_label("API key").fill("ck_not-a-real-key")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_test_id("api-error")).to_be_visible()  # a bad key says why, stays on the page
    await sign_in(page, console, console.admin_key, then="")
    await expect(page).to_have_url(re.compile(r"/ui/clusters"))
    await expect(page.get_by_test_id("current-user")).to_contain_text("ui-admin")

    member1 = _row(page, "member-1")
    await expect(member1.get_by_test_id("cluster-status")).to_have_attribute("data-status", "connected")
    await expect(member1.get_by_test_id("cluster-health")).to_have_attribute("data-score", re.compile(r"^\d"),
                                                                             timeout=30_000)
    await expect(member1.get_by_test_id("cluster-nodes")).to_have_text(re.compile(r"^\d+$"))
    await shot(page, "clusters")

    await page.get_by_test_id("add-cluster").click()
    form = page.get_by_test_id("add-cluster-form")
    await form.get_by_role("textbox", name=re.compile(r"^Name")).fill("member-2")
    await page.get_by_test_id("kubeconfig-file").set_input_files(str(console.topology.members[1].kubeconfig))
    await page.get_by_test_id("add-cluster-submit").click()
    member2 = _row(page, "member-2")
    await expect(member2.get_by_test_id("cluster-status")).to_have_attribute("data-status", "connected",
                                                                             timeout=60_000)

    await member1.get_by_test_id("cluster-link").click()  # the detail page: a shareable URL
    await expect(page).to_have_url(re.compile(r"/ui/clusters/member-1$"))
    await expect(page.get_by_test_id("detail-node-count")).to_have_text(re.compile(r"^\d+$"))
    await expect(page.get_by_test_id("nodes-table")).to_be_visible()
    await shot(page, "cluster-detail")


async def test_a_viewer_sees_no_write_action_and_a_forced_write_is_refused(page: Page,
                                                                          console: ConsoleEnv) -> None:
    await sign_in(page, console, console.viewer_key)
    member1 = _row(page, "member-1")
    await expect(member1).to_be_visible()
    await expect(page.get_by_test_id("add-cluster")).to_have_count(0)
    actions = member1.get_by_test_id("cluster-actions")
    if await actions.count():  # a read-only menu may remain (open the detail); it holds no write
        await actions.click()
        for action in ("action-test", "action-sync", "action-edit", "action-delete"):
            await expect(page.get_by_test_id(action)).to_have_count(0)
        await page.keyboard.press("Escape")

    # The page's own script made to believe the viewer may write (its whoami answer rewritten in flight): the
    # delete it then offers goes to the API, which refuses it, and the page shows the API's reason.
    async def forged(route: Route) -> None:
        response = await route.fetch()
        body = await response.json()
        body["data"]["can"] = {cap: WRITE_VERBS for cap in ("clusters", "test", "sync", "resources", "health",
                                                            "metrics")}
        await route.fulfill(response=response, body=json.dumps(body))

    await page.route("**/api/k8s/auth/whoami*", forged)
    await page.reload()
    await member1.get_by_test_id("cluster-actions").click()
    await page.get_by_test_id("action-delete").click()
    await page.get_by_test_id("confirm-button").click()
    error = page.get_by_test_id("api-error")
    await expect(error).to_be_visible()
    await expect(error).to_contain_text("403")
    await expect(error).to_contain_text(re.compile(r"cannot delete managedclusters"))
    await page.unroute("**/api/k8s/auth/whoami*")
    await page.reload()
    await expect(_row(page, "member-1")).to_be_visible()  # nothing was deleted


PAGES = ["/ui/login", "/ui/clusters", "/ui/clusters/member-1", "/ui/resources", "/ui/resources/compare",
         "/ui/containers", "/ui/backups", "/ui/policies/compliance", "/ui/policies/labels",
         "/ui/policies/self-healing", "/ui/policies/quotas", "/ui/policies/autoscalers", "/ui/cost", "/ui/api"]


async def test_every_page_has_no_serious_accessibility_violation_in_either_theme(page: Page,
                                                                                console: ConsoleEnv) -> None:
    found: dict[str, list[str]] = {}
    await page.goto(console.at("/ui/login"))
    for scheme in ("light", "dark"):
        await page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
        for path in PAGES:
            if path == "/ui/login":
                await page.goto(console.at(path))
            else:
                if "login" in page.url:
                    await sign_in(page, console, console.admin_key, then="")
                await page.goto(console.at(path))
            await expect(page.locator("main, [data-testid=login-page], form").first).to_be_visible()
            # What the user sees once the page has its data: no loader left (and Swagger UI's operations drawn).
            # /ui/api's loader waits for Swagger UI's 1.4 MB bundle, which took over 5 s on a loaded CI machine.
            await expect(page.get_by_test_id("loading")).to_have_count(0, timeout=15_000)
            if path == "/ui/api":  # Swagger UI draws 122 operations: slow on a loaded machine
                await expect(page.locator(".opblock-summary-path").first).to_be_visible(timeout=15_000)
            violations = await axe(page)
            if violations:
                found[f"{scheme} {path}"] = [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: "
                                             f"{v['nodes'][0]['target']})" for v in violations]
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)


async def test_the_chinese_switch_shows_chinese_labels_and_is_remembered(page: Page, console: ConsoleEnv) -> None:
    await sign_in(page, console, console.admin_key)
    await expect(page.get_by_role("heading", name="Clusters")).to_be_visible()
    await page.get_by_test_id("language-switch").get_by_text("中文").click()
    await expect(page.get_by_role("heading", name="集群")).to_be_visible()
    await expect(page.get_by_test_id("add-cluster")).to_contain_text("添加集群")
    assert await page.evaluate("document.documentElement.lang") in ("zh", "zh-CN")
    await page.reload()
    await expect(page.get_by_role("heading", name="集群")).to_be_visible()
    await shot(page, "clusters-zh")
    await page.get_by_test_id("language-switch").get_by_text("EN").click()
    await expect(page.get_by_role("heading", name="Clusters")).to_be_visible()
