"""An idea, as a member votes on it and a moderator moves it in the browser
(issue 17): the vote changes in place through the API without loading the page
again, the moderator's step with its reason shows in the idea's history, and
the voter is told. The demo accounts are in French."""

import re
import uuid

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.page_api import api_call
from tests.e2e.test_live_flow import open_home

pytestmark = pytest.mark.e2e

MEMBER = "julie.renaud@ruche.example"  # a member of the innovation lab no other browser test uses
MODERATOR = "sophie.bernard@ruche.example"  # the lab's owner


async def test_a_member_votes_and_a_moderator_moves_the_idea(browser: Browser, live_server: str):
    member = await open_home(browser, live_server, MEMBER)
    spaces = await api_call(member, "GET", "/spaces?limit=100")
    lab = next(space for space in spaces["items"] if space["slug"] == "labo-innovation")
    [campaign] = await api_call(member, "GET", f"/spaces/{lab['id']}/campaigns")
    title = f"Des réunions debout {uuid.uuid4().hex[:6]}"
    author = await open_home(browser, live_server, "fabrice.meunier@ruche.example")
    idea = await api_call(author, "POST", f"/campaigns/{campaign['id']}/ideas", {"title": title})

    # The member finds it from the lab's page and votes for it, in place.
    await member.goto(f"/spaces/{lab['id']}/wiki")
    await member.get_by_role("link", name="Campagnes d'idées").click()
    await member.get_by_role("link", name=campaign["title"]).click()
    await member.get_by_role("link", name=title).click()
    await expect(member.get_by_role("heading", level=1)).to_have_text(title)
    await member.evaluate("window.stayed = true")
    for_it = member.get_by_role("button", name="Je suis pour")
    await expect(for_it).to_have_attribute("aria-pressed", "false")
    async with member.expect_response(re.compile(r"/api/v1/ideas/\d+/vote$")) as put:
        await for_it.click()
    assert (await put.value).ok
    await expect(for_it).to_have_attribute("aria-pressed", "true")
    await expect(member.locator('[data-votes="for"]')).to_have_text("1")
    await expect(member.get_by_role("button", name="Retirer mon vote")).to_be_visible()
    assert await member.evaluate("window.stayed === true")

    # The moderator puts it under review, with a reason.
    moderator = await open_home(browser, live_server, MODERATOR)
    await moderator.goto(f"/ideas/{idea['id']}")
    await moderator.get_by_label("Nouveau statut").select_option(label="À l'étude")
    await moderator.get_by_label("Raison").first.fill("Le comité l'examine jeudi.")
    async with moderator.expect_navigation(url=re.compile(r"done=moved")):
        await moderator.get_by_role("button", name="Enregistrer l'étape").click()
    history = moderator.locator(".idea-steps")
    await expect(history).to_contain_text("Le comité l'examine jeudi.")
    await expect(history).to_contain_text("À l'étude")

    # The voter sees the new status and is told.
    await member.reload()
    await expect(member.locator("[data-idea-status]")).to_have_text("À l'étude")
    await expect(member.locator(".idea-steps")).to_contain_text("Le comité l'examine jeudi.")
    await member.goto("/notifications")
    await expect(member.get_by_text("à «\u202fÀ l'étude\u202f»").first).to_be_visible()
