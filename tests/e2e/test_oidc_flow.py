"""Single sign-on in Chromium, end to end: the sign-in page's button, the
company's provider (a real one, tests/oidc_server.py), back into Ruche with a
new account; then signing out of Ruche and of the provider (RP-initiated logout),
past the content policy's form-action 'self'."""

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.conftest import BROWSER_LOCALE, DEFAULT_TIMEOUT_MS, ConsoleLog
from tests.live_server import in_process_server
from tests.oidc_server import running_provider

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
async def sso_server(tmp_path_factory) -> AsyncIterator[str]:
    """A Ruche in this process whose sign-in page offers the provider."""
    async with (
        running_provider() as provider,
        in_process_server(tmp_path_factory.mktemp("sso")) as server,
    ):
        settings = server.app.state.settings
        settings.public_url = server.base_url
        settings.oidc_providers = [await provider.provider_settings(server.base_url)]
        yield server.base_url


async def test_sign_in_and_out_through_the_company_provider(
    browser: Browser, sso_server: str, console: ConsoleLog
):
    context = await browser.new_context(base_url=sso_server, locale=BROWSER_LOCALE)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.on("console", console.record_message)
    page = await context.new_page()
    try:
        await page.goto("/login?next=/people")
        await page.get_by_role("link", name="Sign in with Corp ID").click()
        # The provider's own sign-in form, on its own origin.
        await page.locator("input[name=login]").fill("alice")
        await page.locator("input[name=password]").fill("any password")
        await page.get_by_role("button", name="Sign-in").click()

        await expect(page).to_have_url(f"{sso_server}/people")
        me = await page.request.get("/api/v1/me")
        assert (await me.json())["display_name"] == "Alice Martin"

        await page.locator('form[action="/logout"]').evaluate("form => form.requestSubmit()")
        # Ruche's session is over; the provider asks, then sends the person back.
        await page.get_by_role("button", name="Yes, sign me out").click()
        await expect(page).to_have_url(f"{sso_server}/login")
        await expect(page.get_by_role("link", name="Sign in with Corp ID")).to_be_visible()
        assert (await page.request.get("/api/v1/me")).status == 401
        assert console.csp_violations() == []
    finally:
        await context.close()
