"""The activity stream in a real browser, on the demo company: composing a poll
(the warning about external readers follows the choices), voting, reacting in
place, commenting, confirming an announcement; and a contractor who never sees
what is above public, wherever they look."""

import re
import uuid

import httpx
import pytest
from playwright.async_api import Page, expect

from app.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

# Demo accounts (French) that no other browser test relies on.
AUTHOR = "thomas.petit@ruche.example"
READER = "lucas.moreau@ruche.example"
CONTRACTOR = "marc.lambert@prestataire.example"


def card(page: Page, text: str):
    return page.locator("article.post").filter(has_text=text)


async def test_compose_vote_react_and_comment(page: Page, sign_in, console):
    marker = f"Essai {uuid.uuid4().hex[:6]}"
    await sign_in(AUTHOR)

    composer = page.locator("form[data-composer]")
    warning = composer.locator("[data-external-warning]")
    level = composer.get_by_label("Niveau", exact=True)
    await composer.get_by_label("Votre publication").fill(f"{marker} : quel jour pour l'atelier ?")
    # Internal in the company stream: no external reader, no warning.
    await expect(level).to_have_value("internal")
    await expect(warning).to_be_hidden()
    await level.select_option("public")
    await expect(warning).to_be_visible()
    await expect(warning).to_contain_text("Devoir de discrétion.")
    await level.select_option("internal")
    await expect(warning).to_be_hidden()
    poll_fields = composer.locator("[data-poll-fields]")
    await expect(poll_fields).to_be_hidden()
    await composer.get_by_label("Type", exact=True).select_option(label="Sondage")
    await composer.get_by_label("Options, une par ligne (de 2 à 10)").fill("Mardi\nJeudi")
    await composer.get_by_role("button", name="Publier").click()

    await expect(page.get_by_role("status")).to_have_text("Votre publication est en ligne.")
    post = card(page, marker)
    await expect(page.locator("article.post").first).to_contain_text(marker)  # newest first

    # Voting shows the results, in place (tests/e2e/test_in_place.py).
    await post.get_by_label("Jeudi").check()
    await post.get_by_role("button", name="Voter").click()
    await expect(page.locator("[data-announcer]")).to_have_text("Votre vote est enregistré.")
    await expect(post.get_by_text("1 vote", exact=True)).to_be_visible()

    # A reaction toggles in place, through the API, and stays after a reload.
    like = post.get_by_role("button", name=re.compile("^J'aime"))
    await expect(like).to_have_attribute("aria-pressed", "false")
    url = page.url
    async with page.expect_response(re.compile(r"/reactions/like$")) as answered:
        await like.click()
        await expect(like).to_have_attribute("aria-pressed", "true")
        await expect(like.locator("[data-count]")).to_have_text("1")
    assert (await answered.value).ok
    assert page.url == url  # no page load
    await page.reload()
    await expect(
        card(page, marker).get_by_role("button", name=re.compile("^J'aime"))
    ).to_have_attribute("aria-pressed", "true")

    # Commenting, on the post's page.
    await card(page, marker).get_by_role("link", name="Commenter").click()
    await page.get_by_label("Votre commentaire").fill("Jeudi me va très bien.")
    await page.get_by_role("button", name="Commenter", exact=True).click()
    await expect(page.get_by_role("status")).to_have_text("Votre commentaire est publié.")
    await expect(page.locator("#comments")).to_contain_text("Jeudi me va très bien.")
    await expect(page.get_by_role("heading", name="1 commentaire")).to_be_visible()
    assert console.csp_violations() == []


async def test_confirm_the_welcome_announcement(page: Page, sign_in):
    await sign_in(READER)

    announcement = card(page, "Bienvenue sur Ruche")
    await expect(announcement.get_by_text("Annonce", exact=True)).to_be_visible()
    await announcement.get_by_role("button", name="J'ai lu").click()

    await expect(page.get_by_role("status")).to_have_text(
        "Merci\u202f: votre lecture est confirmée."
    )
    announcement = card(page, "Bienvenue sur Ruche")
    await expect(
        announcement.get_by_text("Vous avez confirmé avoir lu cette annonce.")
    ).to_be_visible()
    await expect(announcement.get_by_role("button", name="J'ai lu")).to_have_count(0)


async def api_client(live_server: str, email: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=f"{live_server}/api/v1")
    signed_in = await client.post("/auth/login", json={"email": email, "password": DEMO_PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    client.headers["X-CSRF-Token"] = signed_in.json()["csrf_token"]
    return client


async def space_id(client: httpx.AsyncClient, slug: str) -> int:
    spaces = (await client.get("/spaces", params={"limit": 100})).json()["items"]
    return next(space["id"] for space in spaces if space["slug"] == slug)


async def test_a_contractor_never_sees_what_is_above_public(page: Page, sign_in, live_server):
    # An internal post of Atlas (a space the contractor belongs to), and the
    # confidential agenda of the board (a secret space), written by employees.
    atlas_marker = f"Budget interne Atlas {uuid.uuid4().hex[:6]}"
    emma = await api_client(live_server, "emma.leroy@ruche.example")
    claire = await api_client(live_server, "claire.dubois@ruche.example")
    try:
        atlas = await space_id(emma, "projet-atlas")
        created = await emma.post(
            "/posts",
            json={"body": f"{atlas_marker} #atlas", "space_id": atlas, "level": "internal"},
        )
        assert created.status_code == 201, created.text
        internal_post = created.json()["id"]
        board = await space_id(claire, "comite-de-direction")
        board_posts = (await claire.get(f"/spaces/{board}/posts")).json()["items"]
        agenda = next(p for p in board_posts if "Ordre du jour" in p["body"])
        assert agenda["level"] == "confidential"
    finally:
        await emma.aclose()
        await claire.aclose()

    await sign_in(CONTRACTOR)
    home = page.locator("main")
    # The demo's public Atlas post is there: the feed works for them.
    await expect(home).to_contain_text("recette du module de suivi")
    await expect(home).not_to_contain_text("Ordre du jour")
    await expect(home).not_to_contain_text(atlas_marker)
    await expect(page.locator(".stream-side")).not_to_contain_text("#rh")
    # Only public is offered to write at.
    await expect(page.locator('select[name="level"] option')).to_have_count(1)

    await page.goto(f"/spaces/{atlas}")
    await expect(page.locator("main")).to_contain_text("recette du module de suivi")
    await expect(page.locator("main")).not_to_contain_text(atlas_marker)
    await page.goto("/hashtags/atlas")
    await expect(page.locator("main")).not_to_contain_text(atlas_marker)
    await expect(page.locator("main")).not_to_contain_text("Ordre du jour")
    for hidden in (internal_post, agenda["id"]):
        await page.goto(f"/posts/{hidden}")
        await expect(page.get_by_role("heading", name="404")).to_be_visible()
    await page.goto(f"/spaces/{board}")
    await expect(page.get_by_role("heading", name="404")).to_be_visible()
