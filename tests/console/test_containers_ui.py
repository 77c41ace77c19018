"""The containers area in a real browser: a live log over SSE (new lines, level filter, highlighted search,
export), a terminal over the WebSocket (echo, resize, exit code, reconnect), and a container's files (upload,
edit with a backup, download, delete); a viewer sees none of the write actions.

The package's log pod writes `INFO console-line-N served` every half second, every third line
`ERROR console-line-N payment failed`; its exec and files run in a pod root of its own (`/app/config.txt`).
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.console.conftest import ConsoleEnv, axe, shot

LAST_LINE_NUMBER = """() => {
  const m = [...document.querySelectorAll('[data-testid=log-message]')];
  const last = m.length ? /console-line-(\\d+)/.exec(m[m.length - 1].textContent) : null;
  return last ? Number(last[1]) : 0;
}"""

# The terminal's rows as text (xterm's DOM renderer writes one div per row, spaces as no-break spaces).
TERMINAL_ROWS = """() => [...document.querySelectorAll('.xterm-rows > div')]
  .map(r => r.textContent.replace(/\\u00a0/g, ' ').trimEnd())"""


async def no_axe_violations(page: Page) -> None:
    found = await axe(page)
    if found:
        pytest.fail("\n".join(f'{v["id"]} ({v["impact"]}): {n["target"]} {n.get("failureSummary", "")[:300]}'
                               for v in found for n in v["nodes"][:3]))


async def last_line_number(page: Page) -> int:
    return int(await page.evaluate(LAST_LINE_NUMBER))


async def wait_newer_line(page: Page, than: int, timeout_ms: int = 5000) -> None:
    await page.wait_for_function(f"n => ({LAST_LINE_NUMBER})() > n", arg=than, timeout=timeout_ms)


async def wait_terminal_row(page: Page, text: str, timeout_ms: int = 10_000) -> None:
    """Until one row of the terminal reads exactly `text` (output, not the command line that typed it)."""
    await page.wait_for_function(f"t => ({TERMINAL_ROWS})().some(r => r.trim() === t)", arg=text,
                                 timeout=timeout_ms)


async def test_logs_follow_level_filter_search_and_export(admin_page: Page, console: ConsoleEnv) -> None:
    page, cid = admin_page, console.pod.container_id
    # The picker: member-1's pods in the package's namespace, each container with links to its pages.
    await page.goto(console.at(f"/ui/containers?cluster=member-1&namespace={console.pod.namespace}"))
    links = page.locator(f"[data-testid=container-links][data-container-id='{cid}']")
    await expect(links.get_by_role("link", name=re.compile("^Terminal in"))).to_be_visible()
    await links.get_by_role("link", name=re.compile("^Logs of")).click()
    await expect(page).to_have_url(console.at(f"/ui/containers/{cid}/logs"))
    await expect(page.get_by_test_id("stream-status")).to_have_attribute("data-status", "live")
    messages = page.get_by_test_id("log-message")
    await expect(messages.last).to_contain_text("console-line-")

    # Following: a newer line arrives within 5 s.
    seen = await last_line_number(page)
    await wait_newer_line(page, seen, 5000)

    # Auto-scroll: the newest line stays in view; scrolling up stops it, "jump to latest" turns it back on.
    viewer = page.get_by_test_id("log-viewer")
    await page.wait_for_function("() => { const v = document.querySelector('[data-testid=log-viewer]');"
                                 " return v && v.scrollHeight > v.clientHeight + 100; }")
    await expect(messages.last).to_be_in_viewport()
    await viewer.hover()
    await page.mouse.wheel(0, -3000)
    await expect(page.get_by_test_id("auto-scroll")).not_to_be_checked()
    await page.get_by_test_id("jump-latest").click()
    await expect(page.get_by_test_id("auto-scroll")).to_be_checked()
    await expect(messages.last).to_be_in_viewport()

    # Level `error`: the stream starts over with the API's filter; every line shown is an error, and more come.
    await page.get_by_test_id("level-filter").get_by_text("Error", exact=True).click()
    await expect(page).to_have_url(re.compile(r"level=error"))
    await page.wait_for_function("() => document.querySelectorAll('[data-testid=log-message]').length >= 3")
    seen = await last_line_number(page)
    await wait_newer_line(page, seen, 5000)
    texts = await messages.all_inner_texts()
    assert texts and all("ERROR" in t and "payment failed" in t for t in texts), texts
    assert set(await page.locator("[data-testid=log-line]").evaluate_all("ls => ls.map(l => l.dataset.level)")) \
        == {"ERROR"}

    # Search: every line's match is marked.
    await page.get_by_test_id("log-search").fill("payment")
    marks = page.locator("[data-testid=log-message] mark")
    await expect(marks.first).to_have_text("payment")
    assert await marks.count() >= 3
    await expect(page.get_by_test_id("log-count")).to_contain_text("lines match")

    # Pause stops the view; resume continues after the last line shown (Last-Event-ID), no line twice.
    await page.get_by_test_id("pause-button").click()
    await expect(page.get_by_test_id("stream-status")).to_have_attribute("data-status", "paused")
    paused_at = await last_line_number(page)
    await page.get_by_test_id("pause-button").click()
    await expect(page.get_by_test_id("stream-status")).to_have_attribute("data-status", "live")
    await wait_newer_line(page, paused_at, 5000)
    numbers = [int(m.group(1)) for t in await messages.all_inner_texts()
               if (m := re.search(r"console-line-(\d+)", t))]
    assert numbers == sorted(set(numbers)), numbers


    await no_axe_violations(page)
    await shot(page, "logs")

    # Export (TXT): a download named <pod>_<container>_<time>.log (the API names text exports .log), filtered.
    async with page.expect_download() as dl:
        await page.get_by_test_id("export-button").click()
    download = await dl.value
    assert re.fullmatch(r"web_app_\S+\.log", download.suggested_filename), download.suggested_filename
    exported = Path(await download.path()).read_text(encoding="utf-8")
    lines = [line for line in exported.splitlines() if line.strip()]
    assert lines and all("ERROR" in line for line in lines), exported[:500]

    # The time-range view reads /logs with the same filters.
    await page.get_by_test_id("log-mode").get_by_text("Time range").click()
    await expect(page.get_by_test_id("log-count")).to_contain_text("matching lines")
    await expect(messages.first).to_contain_text("payment failed")
    assert all("ERROR" in t for t in await messages.all_inner_texts())
    # Only the lines matching the search, any level: /logs/search, with the lines' numbers in the log.
    await page.get_by_test_id("level-filter").get_by_text("Error", exact=True).click()
    await page.get_by_text("Only matching lines").click()
    await expect(page.get_by_test_id("log-line-number").first).to_be_visible()
    numbered = await page.get_by_test_id("log-line-number").all_inner_texts()
    assert all(n.isdigit() and int(n) % 3 == 0 for n in numbered), numbered  # every third line is an error
    assert all("payment failed" in t for t in await messages.all_inner_texts())

    # Dark theme: still no contrast problem.
    await page.get_by_test_id("theme-switch").click()
    await expect(page.locator("html")).to_have_attribute("data-mantine-color-scheme", "dark")
    await no_axe_violations(page)


async def test_terminal_echo_resize_exit_code_and_reconnect(admin_page: Page, console: ConsoleEnv) -> None:
    page, cid = admin_page, console.pod.container_id
    await page.goto(console.at(f"/ui/containers/{cid}/terminal"))
    state = page.get_by_test_id("terminal-state")
    await expect(state).to_have_attribute("data-state", "connected")
    term = page.get_by_test_id("terminal")
    await expect(term).not_to_have_attribute("data-sent-cols", "0")  # the page sent its size once connected

    await page.locator(".xterm").click()
    token = f"hello-{uuid.uuid4().hex[:8]}"
    await page.keyboard.type(f"echo {token}")
    await page.keyboard.press("Enter")
    await wait_terminal_row(page, token)

    # A narrower window: the terminal refits, sends a resize frame, and the pty takes the new size.
    cols_before = await term.get_attribute("data-cols")
    await page.set_viewport_size({"width": 1000, "height": 700})
    await expect(term).not_to_have_attribute("data-cols", cols_before or "")
    cols, rows = await term.get_attribute("data-cols"), await term.get_attribute("data-rows")
    await expect(term).to_have_attribute("data-sent-cols", cols or "")
    await expect(term).to_have_attribute("data-sent-rows", rows or "")
    for attempt in range(5):  # the pty may take the new size a moment after the next keystrokes
        await page.keyboard.type("stty size")
        await page.keyboard.press("Enter")
        try:
            await wait_terminal_row(page, f"{rows} {cols}", 2000)
            break
        except Exception:
            assert attempt < 4, "the terminal never took the new size"

    await no_axe_violations(page)
    await page.keyboard.type("exit 3")
    await page.keyboard.press("Enter")
    exit_box = page.get_by_test_id("terminal-exit")
    await expect(exit_box).to_contain_text("Exited with code 3")
    await expect(exit_box).to_have_attribute("data-exit-code", "3")
    await expect(state).to_have_attribute("data-state", "exited")
    await shot(page, "terminal")

    # Reconnect: a new ticket, a new session that works.
    await page.get_by_test_id("terminal-reconnect").click()
    await expect(state).to_have_attribute("data-state", "connected")
    await expect(exit_box).to_have_count(0)
    await page.locator(".xterm").click()
    again = f"again-{uuid.uuid4().hex[:8]}"
    await page.keyboard.type(f"echo {again}")
    await page.keyboard.press("Enter")
    await wait_terminal_row(page, again)


async def test_files_upload_edit_download_delete(admin_page: Page, console: ConsoleEnv) -> None:
    page, cid = admin_page, console.pod.container_id
    await page.goto(console.at(f"/ui/containers/{cid}/files"))
    await expect(page.get_by_test_id("file-row").filter(has_text="app/")).to_be_visible()
    await page.get_by_test_id("file-row").filter(has_text="app/").get_by_test_id("open-dir").click()
    await expect(page).to_have_url(re.compile(r"path=%2Fapp"))
    await expect(page.locator("[data-testid=file-row][data-name='config.txt']")).to_be_visible()

    name = f"note-{uuid.uuid4().hex[:6]}.txt"
    await page.locator("input[type=file]").set_input_files(
        {"name": name, "mimeType": "text/plain", "buffer": b"first=1\n"})
    row = page.locator(f"[data-testid=file-row][data-name='{name}']")
    await expect(row).to_be_visible()
    assert (console.pod.root / "app" / name).read_bytes() == b"first=1\n"

    # Edit, with the API's backup copy on by default.
    await row.get_by_test_id("edit-file").click()
    editor = page.get_by_test_id("edit-content")
    await expect(editor).to_have_value("first=1\n")
    await expect(page.get_by_test_id("edit-backup")).to_be_checked()
    edited = "first=1\nsecond=2 ✓\n"
    await editor.fill(edited)
    await page.get_by_test_id("edit-save").click()
    await expect(editor).to_have_count(0)
    backups = page.locator(f"[data-testid=file-row][data-name^='{name}.bak-']")
    await expect(backups).to_have_count(1)
    assert (console.pod.root / "app" / name).read_text(encoding="utf-8") == edited

    await no_axe_violations(page)
    await shot(page, "files")

    # Download: the bytes the container holds, under the file's name.
    async with page.expect_download() as dl:
        await row.get_by_test_id("download-file").click()
    download = await dl.value
    assert download.suggested_filename == name
    assert Path(await download.path()).read_bytes() == edited.encode()

    # Delete, after confirming; the backup too.
    for target in (row, backups.first):
        await target.get_by_test_id("delete-file").click()
        await page.get_by_test_id("confirm-button").click()
        await expect(target).to_have_count(0)
    assert not (console.pod.root / "app" / name).exists()


async def test_viewer_sees_no_write_actions(viewer_page: Page, console: ConsoleEnv) -> None:
    page, cid = viewer_page, console.pod.container_id
    await page.goto(console.at(f"/ui/containers?cluster=member-1&namespace={console.pod.namespace}"))
    links = page.locator(f"[data-testid=container-links][data-container-id='{cid}']")
    await expect(links.get_by_role("link", name=re.compile("^Logs of"))).to_be_visible()
    await expect(links.get_by_role("link", name=re.compile("^Terminal in"))).to_have_count(0)
    await no_axe_violations(page)
    await shot(page, "containers")

    await links.get_by_role("link", name=re.compile("^Logs of")).click()
    await expect(page.get_by_test_id("stream-status")).to_have_attribute("data-status", "live")
    await expect(page.get_by_test_id("tab-terminal")).to_have_count(0)

    await page.goto(console.at(f"/ui/containers/{cid}/terminal"))
    await expect(page.get_by_text("No terminal access")).to_be_visible()
    await expect(page.locator(".xterm")).to_have_count(0)
    await page.goto(console.at(f"/ui/containers/{cid}/files?path=/app"))
    await expect(page.get_by_text("No file access")).to_be_visible()
    await expect(page.get_by_test_id("upload-button")).to_have_count(0)

    await page.get_by_test_id("lang-zh").click()
    await expect(page.get_by_text("无文件访问权限")).to_be_visible()
    await expect(page.get_by_test_id("tab-logs")).to_have_text("日志")
    await page.get_by_test_id("lang-en").click()
