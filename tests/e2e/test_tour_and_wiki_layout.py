"""In Chromium: a new account's first-run tour is a modal dialog that keeps the
focus, is dismissed for good by Escape and stays dismissed on another device;
the wiki editor keeps its preview beside the text at 1366 pixels wide and
nothing overflows a 390-pixel phone; the side search shows its whole French
placeholder. Selectors are ids and data attributes, not words."""

import uuid

import pytest
from playwright.async_api import Browser, Page, expect

from app.demo import DEMO_PASSWORD
from tests.e2e.conftest import BROWSER_LOCALE, DEFAULT_TIMEOUT_MS

pytestmark = pytest.mark.e2e

ADMIN = "admin@ruche.example"
# A French demo employee no browser test changes: the wiki's French placeholder.
READER = "claire.dubois@ruche.example"
NEW_PASSWORD = "a-new-account-password"


async def signed_in(browser: Browser, live_server: str, email: str, password: str, **options):
    context = await browser.new_context(base_url=live_server, locale=BROWSER_LOCALE, **options)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = await context.new_page()
    await page.goto("/login")
    await page.locator('input[name="email"]').fill(email)
    await page.locator('input[name="password"]').fill(password)
    async with page.expect_navigation():
        await page.locator('form[action="/login"] button[type="submit"]').click()
    return page


async def new_account(browser: Browser, live_server: str) -> str:
    """An account an administrator has just created: its e-mail."""
    admin = await signed_in(browser, live_server, ADMIN, DEMO_PASSWORD)
    csrf = await admin.locator('meta[name="csrf-token"]').get_attribute("content")
    email = f"new-{uuid.uuid4().hex[:8]}@ruche.example"
    created = await admin.request.post(
        "/api/v1/admin/users",
        data={"email": email, "display_name": "New Colleague", "password": NEW_PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )
    assert created.status == 201, await created.text()
    await admin.context.close()
    return email


async def shown_after_reload(page: Page) -> bool:
    await page.reload()
    return await page.locator("dialog[data-tour]").count() > 0


async def in_dialog(page: Page) -> bool:
    return await page.evaluate(
        "() => document.querySelector('dialog[data-tour]').contains(document.activeElement)"
    )


async def test_the_tour_shows_once_keeps_the_focus_and_escape_dismisses_it_for_good(
    browser: Browser, live_server: str
):
    email = await new_account(browser, live_server)
    page = await signed_in(browser, live_server, email, NEW_PASSWORD)

    tour = page.locator("dialog[data-tour]")
    await expect(tour).to_be_visible()
    assert await tour.evaluate("dialog => dialog.matches(':modal')")
    await expect(page.locator("[data-tour-dismiss]")).to_be_focused()
    # The focus goes round the dialog's controls, both ways.
    for key in ["Tab"] * 8 + ["Shift+Tab"] * 8:
        await page.keyboard.press(key)
        assert await in_dialog(page), key

    await page.keyboard.press("Escape")
    await expect(tour).to_be_hidden()

    # Dismissed on the server (its request may land a moment after the key).
    for _attempt in range(20):
        if not await shown_after_reload(page):
            break
        await page.wait_for_timeout(250)
    else:
        pytest.fail("the tour shows again after Escape")
    # Kept on the account, not in the browser: another device does not show it.
    elsewhere = await signed_in(browser, live_server, email, NEW_PASSWORD)
    await expect(elsewhere.locator("dialog[data-tour]")).to_have_count(0)
    # The user menu leads back to it.
    await elsewhere.goto("/welcome")
    await expect(elsewhere.locator("#tour-title")).to_be_visible()
    await page.context.close()
    await elsewhere.context.close()


PLACEHOLDER_FITS = """input => {
  const style = getComputedStyle(input);
  const context = document.createElement("canvas").getContext("2d");
  context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return context.measureText(input.placeholder).width <= room;
}"""


async def test_the_editor_keeps_the_preview_beside_the_text_at_1366(
    browser: Browser, live_server: str
):
    page = await signed_in(
        browser, live_server, READER, DEMO_PASSWORD, viewport={"width": 1366, "height": 900}
    )
    await page.goto("/wiki/new")
    side = await page.locator(".wiki-side").bounding_box()
    main = await page.locator(".wiki-main").bounding_box()
    text = await page.locator("#wiki-body").bounding_box()
    preview = await page.locator(".wiki-preview").bounding_box()

    # The wiki's side panel left of the editor, both starting at the same height.
    assert side["x"] + side["width"] <= main["x"] and abs(side["y"] - main["y"]) < 2
    # The preview right of the text, its top level with the text's.
    assert preview["x"] >= text["x"] + text["width"]
    assert abs(preview["y"] - text["y"]) < 8
    assert await page.locator("#wiki-side-q").evaluate(PLACEHOLDER_FITS)
    assert await page.evaluate("document.documentElement.scrollWidth") <= 1366
    await page.context.close()


async def test_on_a_phone_the_editor_stacks_and_nothing_overflows(
    browser: Browser, live_server: str
):
    page = await signed_in(
        browser, live_server, READER, DEMO_PASSWORD, viewport={"width": 390, "height": 844}
    )
    for path in ("/wiki/new", "/wiki"):
        await page.goto(path)
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390, path
    await page.goto("/wiki/new")
    text = await page.locator("#wiki-body").bounding_box()
    preview = await page.locator(".wiki-preview").bounding_box()
    assert preview["y"] >= text["y"] + text["height"]
    assert await page.locator("#wiki-side-q").evaluate(PLACEHOLDER_FITS)
    await page.context.close()
