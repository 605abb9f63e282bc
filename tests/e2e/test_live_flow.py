"""The live feed in real browsers: one person publishes, another sees the post
announced without reloading; a contractor's open page never hears of what is
above public, though it hears of what is public."""

import uuid

import pytest
from playwright.async_api import Browser, Page, expect

from app.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

AUTHOR = "sophie.bernard@ruche.example"
READER = "chloe.fournier@ruche.example"
CONTRACTOR = "ines.faure@prestataire.example"


async def open_home(browser: Browser, live_server: str, email: str) -> Page:
    context = await browser.new_context(base_url=live_server, locale="fr-FR")
    page = await context.new_page()
    await page.goto("/login")
    await page.get_by_label("E-mail", exact=True).fill(email)
    await page.get_by_label("Mot de passe", exact=True).fill(DEMO_PASSWORD)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Se connecter", exact=True).click()
    return page


async def publish(page: Page, text: str, level: str) -> None:
    composer = page.locator("form[data-composer]")
    await composer.get_by_label("Votre publication").fill(text)
    await composer.get_by_label("Niveau", exact=True).select_option(label=level)
    async with page.expect_navigation():
        await composer.get_by_role("button", name="Publier").click()


async def test_a_post_is_announced_live_to_its_readers_only(
    browser: Browser, live_server: str, page: Page, sign_in
):
    reader = await open_home(browser, live_server, READER)
    contractor = await open_home(browser, live_server, CONTRACTOR)
    await sign_in(AUTHOR)
    reader_bar = reader.locator("[data-new-posts]")
    contractor_bar = contractor.locator("[data-new-posts]")
    await expect(reader_bar).to_be_hidden()
    # Give both sockets the time to connect and subscribe.
    await reader.wait_for_timeout(1000)

    await publish(page, f"Interne {uuid.uuid4().hex[:6]}", "Interne")

    await expect(reader_bar).to_be_visible()
    await expect(reader_bar).to_have_text("1 nouvelle publication\u202f: l'afficher")
    await contractor.wait_for_timeout(1500)
    await expect(contractor_bar).to_be_hidden()

    public = f"Public {uuid.uuid4().hex[:6]}"
    await publish(page, public, "Public")

    await expect(reader_bar).to_have_text("2 nouvelles publications\u202f: les afficher")
    await expect(contractor_bar).to_have_text("1 nouvelle publication\u202f: l'afficher")
    async with contractor.expect_navigation():
        await contractor_bar.click()
    await expect(contractor.locator("article.post").first).to_contain_text(public)
    await reader.context.close()
    await contractor.context.close()


async def test_the_bell_shows_the_servers_count_when_a_notification_arrives(
    browser: Browser, live_server: str, page: Page, sign_in
):
    """The bell is not added up in the page: on each notification it asks the
    server, which counts only what its reader may still see."""
    reader = await open_home(browser, live_server, READER)
    await sign_in(AUTHOR)
    bell = reader.locator("[data-unread]")
    before = int(await bell.text_content() or 0)
    # A count the page would only add to (as it once did) shows as wrong.
    await bell.evaluate("(badge) => { badge.textContent = '41'; }")
    # Everything the polite live region says, in turn (the new post is said too).
    await reader.locator("[data-announcer]").evaluate(
        """(region) => {
            window.announced = [];
            new MutationObserver(() => window.announced.push(region.textContent))
                .observe(region, {childList: true, characterData: true, subtree: true});
        }"""
    )
    await reader.wait_for_timeout(1000)  # the socket connects and subscribes

    await publish(page, f"Pour @chloe.fournier {uuid.uuid4().hex[:6]}", "Interne")

    await expect(bell).to_have_text(str(before + 1))
    await expect(bell).to_be_visible()
    # Screen readers are told of it.
    await expect(reader.locator("[data-announcer]")).to_have_attribute("aria-live", "polite")
    await reader.wait_for_function("window.announced.includes('1 nouvelle notification')")
    await reader.context.close()
