"""People in a real browser: an administrator gives a person a manager on the
account page; the person fills in their skills on the edit-my-profile page,
reached from the user menu, and sees them as chips and their manager in the org
chart, whose links the keyboard reaches in reading order."""

import pytest
from playwright.async_api import Browser, Page, expect

from app.demo import DEMO_PASSWORD
from tests.e2e.conftest import BROWSER_LOCALE, DEFAULT_TIMEOUT_MS

pytestmark = pytest.mark.e2e

# Demo accounts (French) no other browser test relies on.
ADMIN = "helene.garnier@ruche.example"
PERSON = "laure.blanc@ruche.example"
MANAGER = "helene.garnier"  # under the CEO, Claire Dubois
TOP = "claire.dubois"


async def give_a_manager(browser: Browser, live_server: str, sign_in_as) -> None:
    context = await browser.new_context(base_url=live_server, locale=BROWSER_LOCALE)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    admin = await context.new_page()
    try:
        await sign_in_as(admin, ADMIN)
        await admin.goto("/admin/users?q=laure.blanc")
        await admin.get_by_role("link", name="Laure Blanc").first.click()
        form = admin.locator("form[action$='/profile']")
        await form.get_by_label("@identifiant du responsable").fill(f"@{MANAGER}")
        await form.get_by_label("Service", exact=True).fill("Communication")
        await form.get_by_role("button", name="Enregistrer").click()
        await expect(admin.get_by_role("status")).to_be_visible()
    finally:
        await context.close()


async def test_a_person_edits_their_profile_and_walks_the_org_chart_by_keyboard(
    page: Page, browser: Browser, live_server: str
):
    async def sign_in_as(tab: Page, email: str) -> None:
        await tab.goto("/login")
        await tab.get_by_label("E-mail", exact=True).fill(email)
        await tab.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        async with tab.expect_navigation():
            await tab.get_by_role("button", name="Sign in", exact=True).click()

    await give_a_manager(browser, live_server, sign_in_as)
    await sign_in_as(page, PERSON)

    await page.locator("details.menu summary").click()
    await page.get_by_role("link", name="Modifier mon profil").click()
    await page.get_by_label("Compétences", exact=True).fill("Relations presse, Kubernetes")
    await page.get_by_role("button", name="Enregistrer").click()

    await expect(page.get_by_role("status")).to_have_text("Votre profil est enregistré.")
    skills = page.get_by_role("list", name="Compétences")
    await expect(skills.get_by_role("link")).to_have_text(["Kubernetes", "Relations presse"])
    chart = page.get_by_role("navigation", name="Organigramme")
    # The chain from the top: the CEO, then the manager the administrator set.
    top, manager = chart.get_by_role("link").nth(0), chart.get_by_role("link").nth(1)
    await expect(top).to_have_attribute("href", f"/people/{TOP}")
    await expect(manager).to_have_attribute("href", f"/people/{MANAGER}")
    # From the last link before it (who else knows about her skills), Tab walks
    # the chart's links in the page's reading order.
    who_else = page.locator("p", has_text="Qui d'autre s'y connaît")
    await expect(who_else.get_by_role("link")).to_have_text(["Kubernetes", "Relations presse"])
    await who_else.get_by_role("link").last.focus()
    await page.keyboard.press("Tab")
    await expect(top).to_be_focused()
    await page.keyboard.press("Tab")
    await expect(manager).to_be_focused()
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert page.url.endswith(f"/people/{MANAGER}")
