"""Browser tests: a real ``ruche serve --demo`` driven by Debian's Chromium.

Fixtures: ``live_server`` (the base URL of one server for the whole session),
``browser`` (one Chromium), ``context`` and ``page`` (fresh per test, so no
cookie leaks between tests), ``console`` (what the pages logged) and ``sign_in``.

Why Playwright's *async* API: pytest-asyncio runs this suite in auto mode on one
session-wide event loop, and the database fixtures are async. The sync API
drives its own loop in the test's thread and refuses to start while a loop
runs there, so it cannot be called from async fixtures or tests, and mixing it
with them depends on the order things happen to run in. The async API just runs
on the session loop like every other fixture here, reliably.

The server runs as a subprocess on its own fresh database (SQLite file, or a new
PostgreSQL database when ``RUCHE_TEST_DATABASE_URL`` is a PostgreSQL URL) with
the demo company seeded. It is shared by every browser test: a test that
changes an account (its language, its password) uses a demo account no other
test relies on.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    WebError,
    async_playwright,
)

from app.demo import DEMO_PASSWORD
from tests.conftest import create_fresh_database, drop_database
from tests.live_server import RucheServer, free_port, ruche_env

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
]
# Fail within seconds, not Playwright's default 30 s, when an element never shows.
DEFAULT_TIMEOUT_MS = 10_000
# Pages before sign-in follow the browser's language; fixing it keeps the tests
# independent of the machine's locale. Once signed in, the account's language wins.
BROWSER_LOCALE = "en-US"


@pytest.fixture(scope="session")
async def live_server(tmp_path_factory) -> AsyncIterator[str]:
    """The base URL (``http://127.0.0.1:<port>``) of ``ruche serve --demo``."""
    workdir: Path = tmp_path_factory.mktemp("live-server")
    database_url = await create_fresh_database(workdir)
    port = free_port()
    env = ruche_env(
        database_url=database_url,
        public_url=f"http://127.0.0.1:{port}",
        var_dir=str(workdir / "var"),
    )
    server = RucheServer(workdir, "--demo", env=env, port=port)
    server.start()
    try:
        await asyncio.to_thread(server.wait_ready)
        yield server.base_url
    finally:
        server.stop()
        await drop_database(database_url)


@pytest.fixture(scope="session")
async def playwright() -> AsyncIterator[Playwright]:
    async with async_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
async def browser(playwright: Playwright) -> AsyncIterator[Browser]:
    browser = await playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    await browser.close()


class ConsoleLog:
    """Every console message and uncaught error of a test's pages."""

    def __init__(self):
        self.messages: list[str] = []

    def record_message(self, message: ConsoleMessage) -> None:
        self.messages.append(f"{message.type}: {message.text}")

    def record_error(self, error: WebError) -> None:
        self.messages.append(f"pageerror: {error.error}")

    def csp_violations(self) -> list[str]:
        return [
            message
            for message in self.messages
            if "content security policy" in message.lower()
            or "content-security-policy" in message.lower()
        ]

    def clear(self) -> None:
        self.messages.clear()


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


@pytest.fixture
async def context(
    browser: Browser, live_server: str, console: ConsoleLog
) -> AsyncIterator[BrowserContext]:
    """A fresh profile per test; ``page.goto("/login")`` is relative to the server."""
    context = await browser.new_context(base_url=live_server, locale=BROWSER_LOCALE)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.on("console", console.record_message)
    context.on("weberror", console.record_error)
    yield context
    await context.close()


@pytest.fixture
async def page(context: BrowserContext, console: ConsoleLog) -> AsyncIterator[Page]:
    """A page of the test's context. Any page that breaks the Content-Security-Policy
    fails the test that opened it (a test that provokes one on purpose clears the log)."""
    page = await context.new_page()
    yield page
    if violations := console.csp_violations():
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations))


SignIn = Callable[..., Awaitable[None]]


@pytest.fixture
def sign_in(page: Page) -> SignIn:
    """``await sign_in(email)``: through the sign-in form, as a person does, in the
    browser's language (English). Returns once the page the form leads to has loaded."""

    async def sign_in_with_form(email: str, password: str = DEMO_PASSWORD) -> None:
        if "/login" not in page.url:
            await page.goto("/login")
        await page.get_by_label("E-mail", exact=True).fill(email)
        await page.get_by_label("Password", exact=True).fill(password)
        async with page.expect_navigation():
            await page.get_by_role("button", name="Sign in", exact=True).click()

    return sign_in_with_form
