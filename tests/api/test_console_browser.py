"""The console in Debian's chromium: trigger, watch the agents, approve, see COMPLETED."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.api.support import LiveServer, token_of

CHROMIUM = os.environ.get("ADSH_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"{CHROMIUM} missing (.ci/setup)"),
]


@pytest.fixture
def page(live_server: LiveServer) -> Iterator[Page]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(30_000)
        page.goto(live_server.url + "/")
        yield page
        browser.close()


def sign_in(page: Page, name: str) -> None:
    page.fill("#token", token_of(name))
    page.click("#login button")
    page.wait_for_selector(f"#who:has-text('{name}')")


def test_console_approval_flow_reaches_completed(page: Page) -> None:
    sign_in(page, "olga")
    page.select_option("#scenario", "certificate-expiry-auth")
    page.click("#start button")
    transcript = page.locator("#transcript")
    for agent in ("Monitor", "Planner", "Safeguard"):
        expect(transcript.locator(f".msg.{agent}").first).to_be_visible()
    expect(page.locator("#status")).to_have_text("AWAITING_APPROVAL")
    expect(page.locator("#risk")).to_have_text("risk HIGH")
    expect(transcript.locator(".approval .note")).to_contain_text("waiting for an approver")
    page.fill("#question", "why auth?")
    page.click("#ask button")
    expect(transcript.locator(".msg.answer").last).to_contain_text("certificate_expiry at auth")
    expect(page.locator("#charts svg path").first).to_be_attached()
    page.screenshot(path=str(_artifact("console-awaiting-approval.png")))

    page.click("#logout")
    sign_in(page, "ana")
    page.locator("#incidents li").first.click()
    page.locator(".approval input").fill("checked the certificate chain")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#status")).to_have_text("COMPLETED", timeout=60_000)
    expect(transcript.locator(".msg.Executor").first).to_contain_text("renew_certificate")
    expect(page.locator("#incidents li .badge").first).to_have_text("COMPLETED")
    shot = _artifact("console-completed.png")
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")


def _artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name
