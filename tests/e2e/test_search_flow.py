"""Search in a real browser, on the demo company: a contractor searching a word
of their space finds the public post and not the internal one, counted once;
the header's suggestions, by keyboard, lead to a person's page."""

import re
import uuid

import pytest
from playwright.async_api import Page, expect

from tests.e2e.test_stream_flow import api_client, space_id

pytestmark = pytest.mark.e2e

CONTRACTOR = "marc.lambert@prestataire.example"  # a member of Projet Atlas
EMPLOYEE = "emma.leroy@ruche.example"  # Atlas too


async def test_a_contractor_finds_only_the_public_post(page: Page, sign_in, live_server):
    marker = f"Sablier{uuid.uuid4().hex[:8]}"
    emma = await api_client(live_server, EMPLOYEE)
    try:
        atlas = await space_id(emma, "projet-atlas")
        posts = {}
        for level in ("internal", "public"):
            created = await emma.post(
                "/posts",
                json={"body": f"{marker} {level} du lot", "space_id": atlas, "level": level},
            )
            assert created.status_code == 201, created.text
            posts[level] = created.json()["id"]
    finally:
        await emma.aclose()

    await sign_in(CONTRACTOR)
    box = page.get_by_role("combobox", name="Recherche")
    await box.fill(marker)
    async with page.expect_navigation():
        await box.press("Enter")

    main = page.locator("main")
    await expect(page).to_have_url(re.compile(r"/search\?q=Sablier"))
    await expect(main.get_by_role("heading", name="1 résultat", exact=True)).to_be_visible()
    results = main.locator("[data-result]")
    await expect(results).to_have_count(1)
    await expect(results).to_have_attribute("data-result", f"post-{posts['public']}")
    await expect(results.locator("mark")).to_have_text(marker)
    await expect(main).not_to_contain_text(f"{marker} internal")
    await expect(main.locator('[data-facet="type"] [data-type="post"]')).to_have_attribute(
        "data-count", "1"
    )


async def test_header_suggestions_by_keyboard(page: Page, sign_in):
    await sign_in(CONTRACTOR)
    box = page.get_by_role("combobox", name="Recherche")
    listbox = page.get_by_role("listbox")

    await page.keyboard.press("/")  # the home page has no search field of its own
    await expect(box).to_be_focused()
    await page.keyboard.type("emma l")
    option = listbox.get_by_role("option", name="Emma Leroy")
    await expect(option).to_be_visible()
    await expect(box).to_have_attribute("aria-expanded", "true")
    await page.keyboard.press("Escape")
    await expect(listbox).to_be_hidden()
    await expect(box).to_have_attribute("aria-expanded", "false")

    await page.keyboard.type("e")  # "emma le": the list comes back
    await expect(option).to_be_visible()
    await page.keyboard.press("ArrowDown")
    await expect(option).to_have_attribute("aria-selected", "true")
    await expect(box).to_have_attribute("aria-activedescendant", await option.get_attribute("id"))
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    await expect(page).to_have_url(re.compile(r"/people/[^/?#]+$"))
    await expect(page.get_by_role("heading", name="Emma Leroy", level=1)).to_be_visible()


async def test_the_header_box_works_on_a_phone(page: Page, sign_in):
    await page.set_viewport_size({"width": 390, "height": 844})
    await sign_in(CONTRACTOR)
    box = page.get_by_role("combobox", name="Recherche")
    await box.fill("atlas")
    listbox = page.get_by_role("listbox")
    await expect(listbox.get_by_role("option").first).to_be_visible()
    fits = await listbox.evaluate(
        "(list) => { const box = list.getBoundingClientRect();"
        " return box.left >= 0 && box.right <= window.innerWidth; }"
    )
    assert fits
    await listbox.get_by_role("option").first.click()
    await expect(page).not_to_have_url(re.compile(r"/$"))
