"""The wiki in real browsers: an editor's preview follows the text as it is
typed; a new page appears live on another reader's home page; two people edit
the same page at once, the second hears live that the first saved, both save,
and the second gets the conflict screen with both versions, then saves the
merge, which keeps both edits. Selectors are the pages' ids and data
attributes, not their words, so the test holds whatever the catalogs say."""

import re
import uuid

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from app.demo import DEMO_PASSWORD
from tests.e2e.conftest import BROWSER_LOCALE, DEFAULT_TIMEOUT_MS, ConsoleLog

pytestmark = pytest.mark.e2e

# Demo employees (French accounts) whose accounts no browser test changes.
FIRST = "claire.dubois@ruche.example"
SECOND = "julien.martin@ruche.example"


async def signed_in(context: BrowserContext, email: str) -> Page:
    page = await context.new_page()
    await page.goto("/login")
    await page.get_by_label("E-mail", exact=True).fill(email)
    await page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Sign in", exact=True).click()
    return page


async def save(page: Page) -> int:
    """Presses the editor's save button; the status of the page it leads to."""
    async with page.expect_navigation() as navigation:
        await page.locator('button[name="intent"][value="save"]').click()
    response = await navigation.value
    # A save that succeeds redirects (303) to the page; the final answer is 200.
    return response.status


async def test_two_editors_save_at_once_and_the_second_merges(
    context: BrowserContext, browser: Browser, live_server: str, console: ConsoleLog
):
    other_context = await browser.new_context(base_url=live_server, locale=BROWSER_LOCALE)
    other_context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    other_context.on("console", console.record_message)
    other_context.on("weberror", console.record_error)
    first = await signed_in(context, FIRST)
    second = await signed_in(other_context, SECOND)
    title = f"Procédure {uuid.uuid4().hex[:6]}"

    # The first editor writes the page; the preview follows the text.
    await first.goto("/wiki/new")
    await first.locator("#wiki-title").fill(title)
    body = first.locator("#wiki-body")
    await body.fill("Étape **un**\n\nVoir [[Nulle part]]")
    preview = first.locator("[data-wiki-preview]")
    await expect(preview.locator("strong")).to_have_text("un")
    await expect(preview.locator("a.wikilink.missing")).to_have_text("Nulle part")
    await body.fill("Étape un\nÉtape deux\nÉtape trois\n")
    # Meanwhile the second reads the home page, whose wiki card follows live.
    await second.goto("/")
    await second.wait_for_timeout(500)  # time for its socket to subscribe
    assert await save(first) == 200
    await expect(first.locator("h1")).to_have_text(title)
    await expect(second.locator("[data-wiki-changes] li").first).to_have_text(title)
    page_url = re.sub(r"\?.*$", "", first.url)

    # Both open the editor of the same revision.
    await first.goto(f"{page_url}/edit")
    await second.goto(f"{page_url}/edit")
    await expect(second.locator('input[name="base_revision"]')).to_have_value("1")
    await first.locator("#wiki-body").fill("Étape zéro\nÉtape un\nÉtape deux\nÉtape trois\n")
    await second.locator("#wiki-body").fill("Étape un\nÉtape deux\nÉtape trois\nÉtape quatre\n")

    # Still typing, the second hears of the first's save, live.
    await expect(second.locator("[data-wiki-newer]")).to_be_hidden()
    await second.wait_for_timeout(500)  # time for its socket to subscribe
    assert await save(first) == 200
    await expect(second.locator("[data-wiki-newer]")).to_be_visible()
    assert await save(second) == 409

    conflict = second.locator("[data-conflict]")
    await expect(conflict).to_be_visible()
    await expect(conflict.locator("[data-their-version] pre")).to_contain_text("Étape zéro")
    await expect(conflict.locator("[data-my-version] pre")).to_contain_text("Étape quatre")
    await expect(conflict.locator(".wiki-diff ins")).to_contain_text("Étape zéro")
    await expect(second.locator('input[name="base_revision"]')).to_have_value("2")
    merged = await second.locator("#wiki-body").input_value()
    assert "Étape zéro" in merged and "Étape quatre" in merged

    assert await save(second) == 200
    saved = second.locator(".wiki-body")
    await expect(saved).to_contain_text("Étape zéro")
    await expect(saved).to_contain_text("Étape quatre")
    assert console.csp_violations() == []
    await other_context.close()
