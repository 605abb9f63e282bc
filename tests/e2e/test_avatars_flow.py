"""Avatars in a real browser: the demo people's photos show beside their posts
and in the directory, fetched through the access-checked file route; a person
removes their photo (their initials show) and chooses another on the settings
page with scripts turned off."""

import pytest
from playwright.async_api import Browser, Page, expect

from app.demo import DEMO_PASSWORD
from tests.e2e.conftest import BROWSER_LOCALE, DEFAULT_TIMEOUT_MS
from tests.file_helpers import png

pytestmark = pytest.mark.e2e

# Demo accounts (French) that no other browser test relies on: the first only reads.
READER = "chloe.fournier@ruche.example"
NEWCOMER = "antoine.girard@ruche.example"


async def test_a_photo_shows_beside_a_post_in_the_stream(page: Page, sign_in):
    await sign_in(READER)

    photo = page.locator("article.post .post-meta img.avatar").first
    await expect(photo).to_be_visible()
    # Loaded, not a broken image: the 256-pixel square the upload was made into.
    await expect(photo).to_have_js_property("naturalWidth", 256)
    assert (await photo.get_attribute("src")).startswith("/api/v1/files/")
    # Every demo person has one, in the directory too.
    await page.goto("/people?q=Fournier")
    await expect(page.locator("[data-person] img.avatar").first).to_have_js_property(
        "naturalWidth", 256
    )


async def test_a_photo_is_chosen_on_the_settings_page_without_scripts(
    browser: Browser, live_server: str
):
    context = await browser.new_context(
        base_url=live_server, locale=BROWSER_LOCALE, java_script_enabled=False
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = await context.new_page()
    try:
        await page.goto("/login")
        await page.get_by_label("E-mail", exact=True).fill(NEWCOMER)
        await page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        async with page.expect_navigation():
            await page.get_by_role("button", name="Sign in", exact=True).click()
        await page.goto("/settings")
        photo_section = page.locator("#photo")
        # The demo drew them a portrait; without it, their initials show.
        await expect(photo_section.locator("img.avatar-large")).to_be_visible()
        async with page.expect_navigation():
            await photo_section.get_by_role("button", name="Supprimer ma photo").click()
        await expect(photo_section.locator("span.avatar")).to_have_text("AG")

        await photo_section.get_by_label("Une photo de vous").set_input_files(
            {"name": "vacances.png", "mimeType": "image/png", "buffer": png(400, 300)}
        )
        await photo_section.get_by_role("button", name="Ajouter une photo").click()

        await expect(page.get_by_role("status")).to_be_visible()
        chosen = photo_section.locator("img.avatar-large")
        await expect(chosen).to_have_js_property("naturalWidth", 256)
        await page.goto("/people/antoine.girard")
        await expect(page.locator(".person-title img.avatar-large")).to_have_js_property(
            "naturalWidth", 256
        )
    finally:
        await context.close()
