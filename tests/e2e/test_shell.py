"""The UI shell in a real browser: sign-in, the home page, the language switch,
sign-out, and that no page breaks its Content-Security-Policy."""

from urllib.parse import urlsplit

import pytest
from playwright.async_api import Page, expect

pytestmark = pytest.mark.e2e


async def test_sign_in_switch_language_and_sign_out(page: Page, sign_in, console, live_server):
    # Camille Admin's account is in French (test_admin_audit_flow sets it so).
    await page.goto("/")
    await expect(page).to_have_url(f"{live_server}/login?next=/")
    await expect(page.get_by_role("heading", name="Sign in to Ruche")).to_be_visible()

    await sign_in("admin@ruche.example")

    await expect(page).to_have_url(f"{live_server}/")
    await expect(page.get_by_role("heading", name="Bienvenue, Camille Admin")).to_be_visible()
    navigation = page.get_by_role("navigation", name="Navigation principale")
    await expect(navigation.get_by_role("link", name="Accueil", exact=True)).to_be_visible()
    await expect(page.locator("html")).to_have_attribute("lang", "fr")

    await page.locator("summary", has_text="Camille Admin").click()
    await page.get_by_role("link", name="Profil et réglages").click()
    await expect(page).to_have_url(f"{live_server}/settings")
    await page.get_by_label("Langue", exact=True).select_option("en")
    await page.get_by_role("button", name="Enregistrer", exact=True).click()

    await expect(page).to_have_url(f"{live_server}/settings?saved=preferences")
    await expect(page.get_by_role("status")).to_have_text("Saved.")
    await expect(page.get_by_role("heading", name="Profile and settings", level=1)).to_be_visible()
    await expect(page.get_by_role("link", name="Home", exact=True)).to_be_visible()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await page.locator("summary", has_text="Camille Admin").click()
    await expect(page.get_by_role("link", name="Profile and settings")).to_be_visible()

    await page.get_by_role("button", name="Sign out", exact=True).click()
    await expect(page).to_have_url(f"{live_server}/login")
    await expect(page.get_by_role("heading", name="Sign in to Ruche")).to_be_visible()
    # Signed out for real: the home page sends the browser back to sign in.
    await page.goto("/")
    await expect(page).to_have_url(f"{live_server}/login?next=/")

    assert console.csp_violations() == []


async def test_wrong_password_shows_the_error_then_the_right_one_works(
    page: Page, sign_in, console, live_server
):
    await sign_in("sophie.bernard@ruche.example", "not-the-password")

    await expect(page.get_by_role("alert")).to_have_text("Wrong e-mail or password.")
    await expect(page).to_have_url(f"{live_server}/login")
    await expect(page.get_by_label("E-mail", exact=True)).to_have_value(
        "sophie.bernard@ruche.example"
    )

    # The form shown again carries a fresh anti-forgery token that works.
    await sign_in("sophie.bernard@ruche.example")
    await expect(page.get_by_role("heading", name="Bienvenue, Sophie Bernard")).to_be_visible()
    assert console.csp_violations() == []


@pytest.mark.parametrize(
    ("next_target", "landing_path"),
    [
        ("/settings", "/settings"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
        ("/\\evil.example", "/"),
    ],
)
async def test_sign_in_follows_next_only_within_ruche(
    page: Page, sign_in, live_server, next_target, landing_path
):
    await page.goto(f"/login?next={next_target}")
    await sign_in("julien.martin@ruche.example")

    await expect(page).to_have_url(f"{live_server}{landing_path}")
    assert urlsplit(page.url).netloc == urlsplit(live_server).netloc
    await expect(page.locator("summary", has_text="Julien Martin")).to_be_visible()


async def test_console_log_catches_csp_violations(page: Page, console):
    """The CSP checks above would pass vacuously if the log missed violations."""
    await page.goto("/login")
    async with page.expect_console_message(lambda message: message.type == "error"):
        await page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.inlineRan = true'; document.body.append(s); }"
        )
    assert await page.evaluate("() => window.inlineRan === undefined")
    assert console.csp_violations(), console.messages
    console.clear()  # provoked on purpose: the page fixture must not fail this test
