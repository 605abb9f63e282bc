"""Refused forms and the live connection in a real browser: a form the server
refuses comes back with what was typed, the focus on the refused field and its
message beside it; a page the websocket would refuse (the charter still to
accept) opens no connection, so never says that live updates are paused."""

import httpx
import pytest
from playwright.async_api import Page, expect

from app.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

OBJECTIVE = "Tester que le formulaire garde ce que j'ai écrit."


async def test_a_refused_space_keeps_what_was_typed_and_focuses_the_field(page: Page, sign_in):
    await sign_in("sophie.bernard@ruche.example")
    await page.goto("/spaces/new")
    await page.locator("#space-name").fill("Projet Atlas")  # a demo space's name: taken
    await page.locator("#space-objective").fill(OBJECTIVE)
    await page.locator("#space-kind-team").check()

    async with page.expect_navigation():
        await page.locator("form[action='/spaces/new'] button[type=submit]").click()

    name = page.locator("#space-name")
    await expect(name).to_be_focused()
    await expect(name).to_have_attribute("aria-invalid", "true")
    await expect(name).to_have_attribute("aria-describedby", "error-name")
    await expect(page.locator("#error-name")).to_be_visible()
    await expect(page.locator("#error-name")).not_to_be_empty()
    await expect(name).to_have_value("Projet Atlas")
    await expect(page.locator("#space-objective")).to_have_value(OBJECTIVE)
    await expect(page.locator("#space-kind-team")).to_be_checked()


async def new_alumni(live_server: str) -> str:
    """An alumni account made by the administrator, its charter not yet accepted."""
    email = "charte.e2e@ancien.example"
    async with httpx.AsyncClient(base_url=live_server) as admin:
        signed_in = await admin.post(
            "/api/v1/auth/login",
            json={"email": "admin@ruche.example", "password": DEMO_PASSWORD},
        )
        made = await admin.post(
            "/api/v1/admin/users",
            json={
                "email": email,
                "display_name": "Alex Charte",
                "password": DEMO_PASSWORD,
                "kind": "alumni",
            },
            headers={"X-CSRF-Token": signed_in.json()["csrf_token"]},
        )
        assert made.status_code == 201, made.text
    return email


async def test_the_charter_page_opens_no_live_connection(page: Page, sign_in, live_server):
    sockets = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    await sign_in(await new_alumni(live_server))

    await expect(page).to_have_url(f"{live_server}/charter")
    await page.wait_for_load_state("networkidle")
    assert sockets == []
    assert await page.locator("[data-live-state]").count() == 0

    # Once accepted, the pages are live again.
    async with page.expect_websocket():
        await page.locator("form[action='/charter'] button[type=submit]").click()
    await expect(page).to_have_url(f"{live_server}/")
    await expect(page.locator("[data-live-state]")).to_be_hidden()
