"""Single sign-on in the browser through a real identity provider (Dex on loopback): the console's sign-in
page offers it, the provider's own login form signs the user in, and the console runs on a session the
shim holds (an HttpOnly cookie; no token in the page), renewed before expiry, ended by signing out."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.async_api import Page, expect

from tests.console.conftest import ConsoleEnv, shot
from tests.dex import PASSWORD
from tests.helpers import eventually

WHOAMI_JS = """async (headers) => {
  const r = await fetch('/api/k8s/auth/whoami', {headers});
  return {status: r.status, body: await r.json()};
}"""
CONSOLE = {"X-Requested-By": "cloudops-console"}


async def sso_sign_in(page: Page, console: ConsoleEnv, email: str, then: str = "/clusters") -> None:
    await page.goto(console.at(f"/ui/login?next={then}"))
    await expect(page.get_by_test_id("sso-dex")).to_be_visible()
    await shot(page, "sign-in")
    await page.get_by_test_id("sso-dex").click()
    await expect(page).to_have_url(re.compile(re.escape(console.dex.issuer)))  # Dex's own login form
    await page.locator("#login").fill(email)
    await page.locator("#password").fill(PASSWORD)
    await page.locator("#submit-login").click()
    await expect(page).to_have_url(console.at(f"/ui{then}"))


async def whoami(page: Page, headers: dict[str, str] | None = None) -> dict[str, Any]:
    got: dict[str, Any] = await page.evaluate(WHOAMI_JS, CONSOLE if headers is None else headers)
    return got


async def test_an_admin_signs_in_through_the_provider_and_out_again(page: Page, console: ConsoleEnv) -> None:
    await sso_sign_in(page, console, "alice@example.com")
    row = page.locator('[data-testid="cluster-row"][data-name="member-1"]')
    await expect(row).to_be_visible()
    await expect(page.get_by_test_id("current-user")).to_contain_text("oidc:alice@example.com")
    await expect(page.get_by_test_id("add-cluster")).to_be_visible()  # the admin group, mapped

    # The session is the shim's: an HttpOnly cookie the page cannot read, no token in any storage.
    cookies = {c["name"]: c for c in await page.context.cookies()}
    session = cookies["cloudops_session"]
    assert session["httpOnly"] and session["sameSite"] == "Lax" and session["path"] == "/"
    assert await page.evaluate("document.cookie") == ""
    stored = await page.evaluate("JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])")
    assert "eyJ" not in stored, stored  # no JWT kept where a script could take it

    me = await whoami(page)
    assert me["status"] == 200 and me["body"]["data"]["method"] == "oidc", me
    # A cross-site page can make the browser send the cookie, never a custom header: refused without it.
    bare = await whoami(page, {})
    assert bare["status"] == 403 and "X-Requested-By" in bare["body"]["error"], bare

    # The ID token lives 40 s; the shim renews it with the refresh token once half is gone.
    first = me["body"]["data"]["expires_at"]

    async def renewed() -> bool:
        now = await whoami(page)
        assert now["status"] == 200, now
        return bool(now["body"]["data"]["expires_at"] != first)

    await eventually(renewed, timeout=45, what="the session's token renewed before expiry")

    await page.get_by_test_id("sign-out").click()
    await expect(page).to_have_url(re.compile(r"/ui/login"))
    after = await whoami(page)
    assert after["status"] == 401, after
    await page.goto(console.at("/ui/clusters"))
    await expect(page).to_have_url(re.compile(r"/ui/login"))


async def test_a_viewer_group_sees_a_read_only_console(page: Page, console: ConsoleEnv) -> None:
    await sso_sign_in(page, console, "victor@example.com")
    await expect(page.locator('[data-testid="cluster-row"][data-name="member-1"]')).to_be_visible()
    await expect(page.get_by_test_id("current-user")).to_contain_text("oidc:victor@example.com")
    await expect(page.get_by_test_id("add-cluster")).to_have_count(0)


async def test_a_callback_not_begun_in_this_browser_is_refused(page: Page, console: ConsoleEnv) -> None:
    """Login CSRF: a callback with a code and state made for someone else lands on the sign-in page, with why."""
    await page.goto(console.at("/api/k8s/auth/oidc/callback?code=abc&state=forged"))
    await expect(page).to_have_url(re.compile(r"/ui/login\?sso_error="))
    await expect(page.get_by_test_id("sso-error")).to_contain_text("not started in this browser")
    assert "cloudops_session" not in {c["name"] for c in await page.context.cookies()}
    providers = json.loads(await (await page.request.get(console.at("/api/k8s/auth/providers"))).text())
    assert [p["name"] for p in providers["data"]["providers"]] == ["dex"]
