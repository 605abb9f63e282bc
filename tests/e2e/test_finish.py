"""The page shell's finish in a real browser (issue 15): the phone menu, the
theme (the system's, or one chosen and rendered by the server from the first
paint), who is here on a space page, keyboard shortcuts, and a reaction that
fails showing why and putting the page back. The demo accounts are in French."""

import re

import pytest
from playwright.async_api import Browser, Page, expect

from app.demo import DEMO_PASSWORD
from tests.e2e.page_api import api_call, fail_calls

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
READER = "lucas.moreau@ruche.example"  # a member of Labo Innovation, an open space
OTHER = "chloe.fournier@ruche.example"  # another member
LIGHT_BG, DARK_BG = "rgb(250, 248, 244)", "rgb(23, 21, 18)"


async def background(page: Page) -> str:
    return await page.evaluate("getComputedStyle(document.body).backgroundColor")


async def signed_in_page(browser: Browser, live_server: str, email: str) -> Page:
    context = await browser.new_context(base_url=live_server, locale="fr-FR")
    context.set_default_timeout(10_000)
    page = await context.new_page()
    await page.goto("/login")
    await page.get_by_label("E-mail", exact=True).fill(email)
    await page.get_by_label("Mot de passe", exact=True).fill(DEMO_PASSWORD)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Se connecter", exact=True).click()
    return page


async def open_space(page: Page, name: str) -> None:
    await page.goto("/spaces")
    async with page.expect_navigation():
        await page.get_by_role("link", name=name, exact=True).first.click()


async def test_on_a_phone_the_navigation_folds_into_one_menu_button(page: Page, sign_in):
    await page.set_viewport_size(PHONE)
    await sign_in(READER)
    navigation = page.get_by_role("navigation", name="Navigation principale")
    spaces = navigation.get_by_role("link", name="Espaces", exact=True)
    toggle = page.locator("summary", has_text="Menu")

    # One line: the brand, the menu button and the bell share the top bar's
    # first row; the search box has the full width of the row under it.
    await expect(spaces).to_be_hidden()
    brand = await page.locator(".brand").bounding_box()
    assert brand["height"] < 60, brand
    for part in (toggle, page.locator("a.bell")):
        box = await part.bounding_box()
        middle = box["y"] + box["height"] / 2
        assert brand["y"] <= middle <= brand["y"] + brand["height"], (box, brand)
    search = await page.locator("header.topbar [role=search]").bounding_box()
    assert search["y"] >= brand["y"] + brand["height"] and search["width"] > PHONE["width"] * 0.8
    bar = await page.locator("header.topbar").bounding_box()
    assert bar["height"] < 110, bar

    # A disclosure, from the keyboard: Enter opens it, Escape closes it.
    await toggle.focus()
    await page.keyboard.press("Enter")
    await expect(page.locator("details.navmenu")).to_have_attribute("open", "")
    await expect(spaces).to_be_visible()
    await page.keyboard.press("Tab")
    await expect(navigation.get_by_role("link", name="Accueil", exact=True)).to_be_focused()
    await page.keyboard.press("Escape")
    await expect(spaces).to_be_hidden()
    await expect(toggle).to_be_focused()

    # Wide screens show the links and no menu button.
    await page.set_viewport_size({"width": 1200, "height": 800})
    await expect(spaces).to_be_visible()
    await expect(toggle).to_be_hidden()


async def test_the_bell_badge_sits_beside_the_bell_and_caps_at_99(page: Page, sign_in):
    await sign_in(READER)
    badge = page.locator("a.bell [data-unread]")
    await badge.evaluate("(badge) => { badge.hidden = false; badge.textContent = '99+'; }")
    bell = await page.locator("a.bell > span[aria-hidden]").bounding_box()
    count = await badge.bounding_box()
    assert count["x"] >= bell["x"] + bell["width"] - 1, (bell, count)


async def test_the_theme_follows_the_system_until_one_is_chosen_and_the_server_renders_it(
    page: Page, sign_in
):
    await page.emulate_media(color_scheme="dark")
    await sign_in(READER)
    assert await background(page) == DARK_BG
    await expect(page.locator("html")).not_to_have_attribute("data-theme", "light")

    menu = page.locator("details.menu")
    await menu.locator("summary").click()
    async with page.expect_navigation():
        await menu.get_by_role("button", name="Clair", exact=True).click()
    await expect(page.locator("html")).to_have_attribute("data-theme", "light")
    assert await background(page) == LIGHT_BG
    # The server writes the choice into the page itself: no script, no flash.
    served = await page.request.get("/spaces")
    assert '<html lang="fr" data-theme="light">' in await served.text()

    await page.emulate_media(color_scheme="light")
    await page.goto("/settings")
    appearance = page.get_by_role("region", name="Apparence")
    await expect(appearance.get_by_role("button", name="Clair")).to_have_attribute(
        "aria-pressed", "true"
    )
    async with page.expect_navigation():
        await appearance.get_by_role("button", name="Sombre", exact=True).click()
    await expect(page).to_have_url(re.compile(r"/settings$"))
    assert await background(page) == DARK_BG
    async with page.expect_navigation():
        await (
            page.get_by_role("region", name="Apparence")
            .get_by_role("button", name="Comme le système")
            .click()
        )
    await expect(page.locator("html")).not_to_have_attribute("data-theme", "dark")
    assert await background(page) == LIGHT_BG


async def test_a_space_page_shows_who_is_here_live(browser: Browser, live_server: str):
    reader = await signed_in_page(browser, live_server, READER)
    await open_space(reader, "Labo Innovation")
    here = reader.get_by_role("list", name="Ici en ce moment")
    await expect(here.get_by_role("img", name="Lucas Moreau")).to_be_visible()

    other = await signed_in_page(browser, live_server, OTHER)
    await open_space(other, "Labo Innovation")
    await expect(here.get_by_role("img", name="Chloé Fournier")).to_be_visible()
    await expect(reader.locator("[data-presence-count]")).to_have_text(
        "2 personnes ici en ce moment\u202f:"
    )

    await other.context.close()
    await expect(here.get_by_role("img", name="Chloé Fournier")).to_have_count(0)
    await expect(here.get_by_role("img", name="Lucas Moreau")).to_be_visible()
    await reader.context.close()


async def test_shortcuts_move_between_posts_and_open_their_help(page: Page, sign_in):
    await sign_in(READER)
    posts = page.locator("article.post")
    assert await posts.count() >= 2

    await page.keyboard.press("j")
    await expect(posts.nth(0)).to_be_focused()
    await page.keyboard.press("j")
    await expect(posts.nth(1)).to_be_focused()
    await page.keyboard.press("k")
    await expect(posts.nth(0)).to_be_focused()
    await page.keyboard.press("r")
    await expect(posts.nth(0).locator("form[data-reactions] button").first).to_be_focused()

    await page.keyboard.press("?")
    help_ = page.get_by_role("dialog", name="Raccourcis clavier")
    await expect(help_).to_be_visible()
    await expect(help_.get_by_text("Publication suivante")).to_be_visible()
    await page.keyboard.press("Escape")
    await expect(help_).to_be_hidden()
    await expect(posts.nth(0).locator("form[data-reactions] button").first).to_be_focused()

    # Typing in a field types: "j" is a letter there.
    field = page.locator("form[data-composer] textarea").first
    await field.focus()
    await page.keyboard.type("jk")
    await expect(field).to_have_value("jk")
    await expect(field).to_be_focused()

    # "c" comments on the focused post: its page, at the comment form, where "c"
    # again puts the cursor in the comment field.
    await field.fill("")
    await field.evaluate("(element) => element.blur()")
    await page.keyboard.press("j")
    await expect(posts.nth(0)).to_be_focused()
    post_id = await posts.nth(0).get_attribute("data-post")
    async with page.expect_navigation():
        await page.keyboard.press("c")
    assert page.url.endswith(f"/posts/{post_id}#comment-form")
    await page.keyboard.press("j")
    await page.keyboard.press("c")
    await expect(page.locator(f'#comment-form textarea[data-post-id="{post_id}"]')).to_be_focused()


@pytest.mark.parametrize("failure", ["network", "refused"])
async def test_a_reaction_that_fails_says_so_and_is_put_back(page: Page, sign_in, failure):
    await sign_in(READER)
    post = page.locator("article.post").first
    buttons = post.locator("form[data-reactions] button")
    pressed = [await buttons.nth(i).get_attribute("aria-pressed") for i in range(5)]
    # A fixed button (a locator by its state would move on when the state changes).
    button = buttons.nth(pressed.index("false"))
    count = button.locator("[data-count]")
    before = await count.text_content()
    value = await button.get_attribute("value")

    busy_while_pending = await fail_calls(
        page,
        "**/api/v1/posts/*/reactions/*",
        button,
        failure,
        status=403,
        code="forbidden",
        message="Refusé par le serveur.",
    )
    await button.click()

    error = post.locator("[data-reaction-error]")
    await expect(error).to_be_visible()
    await expect(error).to_have_text(
        "La réaction n'a pas pu être enregistrée\u202f: vérifiez votre connexion et réessayez."
        if failure == "network"
        else "Refusé par le serveur."
    )
    await expect(button).to_have_attribute("aria-pressed", "false")
    await expect(button).to_have_attribute("value", value)
    await expect(count).to_have_text(before)
    await expect(button).to_be_enabled()
    await expect(button).not_to_have_attribute("aria-busy", "true")
    assert busy_while_pending == ["true"]


async def test_presence_never_shows_an_external_someone_they_may_not_know_of(
    browser: Browser, live_server: str
):
    """An external member of an open space is shown its members, never an employee
    who reads the space from outside (access.named_in_presence): counted only."""
    owner = await signed_in_page(browser, live_server, "thomas.petit@ruche.example")
    external = await signed_in_page(browser, live_server, "marc.lambert@prestataire.example")
    watcher = await signed_in_page(browser, live_server, "emma.leroy@ruche.example")
    space = await api_call(
        owner,
        "POST",
        "/spaces",
        {
            "name": "Présences partagées",
            "objective": "Voir qui est là.",
            "kind": "community",
            "visibility": "open",
            "allows_externals": True,
        },
    )
    external_id = (await api_call(external, "GET", "/me"))["id"]
    await api_call(owner, "POST", f"/spaces/{space['id']}/members", {"user_id": external_id})

    await external.goto(f"/spaces/{space['id']}")
    await watcher.goto(f"/spaces/{space['id']}")
    await expect(external.locator("[data-presence-count]")).to_have_text(
        "2 personnes ici en ce moment\u202f:"
    )
    seen_by_external = external.get_by_role("list", name="Ici en ce moment")
    await expect(seen_by_external.get_by_role("img", name="Marc Lambert")).to_be_visible()
    await expect(seen_by_external.get_by_role("img")).to_have_count(1)
    assert "Emma Leroy" not in await external.locator("[data-presence]").inner_html()
    # The employee knows everyone.
    seen_by_watcher = watcher.get_by_role("list", name="Ici en ce moment")
    await expect(seen_by_watcher.get_by_role("img", name="Marc Lambert")).to_be_visible()
    await expect(seen_by_watcher.get_by_role("img", name="Emma Leroy")).to_be_visible()
    for page in (owner, external, watcher):
        await page.context.close()


async def test_new_posts_are_announced_to_screen_readers(browser: Browser, live_server: str):
    reader = await signed_in_page(browser, live_server, READER)
    author = await signed_in_page(browser, live_server, OTHER)
    await reader.wait_for_timeout(1000)  # the socket connects and subscribes

    await api_call(author, "POST", "/posts", {"body": "Annoncée aux lecteurs d'écran"})

    announcer = reader.locator("[data-announcer]")
    await expect(announcer).to_have_attribute("aria-live", "polite")
    await expect(announcer).to_have_text("1 nouvelle publication\u202f: l'afficher")
    for page in (reader, author):
        await page.context.close()
