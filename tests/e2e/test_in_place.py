"""Votes and follows change in place through the API, as reactions do (issue 15:
loading and error states for every live action): the control is busy while the
call is pending, the page shows the server's answer without loading again, and a
refused or failed call says why beside the control and puts the page back.
Without scripts the same forms load the page again (tests/test_web_stream.py).
The demo accounts are in French."""

import re
import uuid

import pytest
from playwright.async_api import Page, expect

from tests.e2e.page_api import api_call, fail_calls

pytestmark = pytest.mark.e2e

VOTER = "nicolas.fabre@ruche.example"  # an employee no other browser test signs in as
FOLLOWER = "karim.benali@ruche.example"  # likewise; follows nobody in the demo
FOLLOWED = "yann.legall"  # a colleague's handle
OPTIONS = ["Mardi", "Jeudi"]
CHECK = "\u202f: vérifiez votre connexion et réessayez."
NETWORK_FAILED = {
    "poll": f"Le vote n'a pas pu être enregistré{CHECK}",
    "follow": f"Le changement n'a pas pu être enregistré{CHECK}",
}


async def new_poll(page: Page) -> tuple[str, object]:
    """A poll of the voter's own in the company stream, first on the home page."""
    marker = f"Sondage {uuid.uuid4().hex[:6]}"
    await api_call(
        page,
        "POST",
        "/posts",
        {
            "body": f"{marker} : quel jour ?",
            "kind": "poll",
            "poll": {"options": ["Mardi", "Jeudi"]},
        },
    )
    await page.goto("/")
    return marker, page.locator("article.post").filter(has_text=marker).locator("form.poll")


async def stay_marker(page: Page) -> None:
    """A mark on the window that a page load would wipe."""
    await page.evaluate("window.stayed = true")


async def stayed(page: Page) -> bool:
    return await page.evaluate("window.stayed === true")


async def test_a_vote_shows_the_results_in_place(page: Page, sign_in):
    await sign_in(VOTER)
    marker, poll = await new_poll(page)
    results = poll.locator("[data-poll-result]")
    await expect(results.first).to_be_hidden()
    await expect(poll).to_contain_text("Les résultats s'affichent une fois que vous avez voté")
    await stay_marker(page)

    await poll.get_by_label("Jeudi").check()
    button = poll.get_by_role("button", name="Voter")
    async with page.expect_response(re.compile(r"/api/v1/posts/\d+/votes$")) as answered:
        await button.click()
    assert (await answered.value).ok
    # The counts, the reader's choice and the button's new name, as the template
    # shows them after a vote; French counts 0 in the singular.
    await expect(results.nth(0)).to_have_text("0 vote")
    await expect(results.nth(1)).to_have_text("1 vote")
    await expect(poll.locator("[data-your-choice]:visible")).to_have_count(1)
    await expect(poll.locator(".poll-option").nth(1)).to_contain_text("(votre choix)")
    await expect(poll).not_to_contain_text("Les résultats s'affichent")
    await expect(poll.get_by_role("button", name="Modifier mon vote")).to_be_enabled()
    await expect(page.locator("[data-announcer]")).to_have_text("Votre vote est enregistré.")

    # Changing one's vote moves the count.
    await poll.get_by_label("Mardi").check()
    await poll.get_by_role("button", name="Modifier mon vote").click()
    await expect(results.nth(0)).to_have_text("1 vote")
    await expect(results.nth(1)).to_have_text("0 vote")
    await expect(poll.locator(".poll-option").nth(0)).to_contain_text("(votre choix)")
    assert await stayed(page)  # no page load

    # The server agrees.
    await page.reload()
    poll = page.locator("article.post").filter(has_text=marker).locator("form.poll")
    await expect(poll.get_by_label("Mardi")).to_be_checked()
    await expect(poll.locator("[data-poll-result]").nth(0)).to_have_text("1 vote")


@pytest.mark.parametrize("failure", ["network", "refused"])
async def test_a_vote_that_fails_says_so_and_is_put_back(page: Page, sign_in, failure):
    await sign_in(VOTER)
    _, poll = await new_poll(page)
    button = poll.get_by_role("button", name="Voter")
    busy_while_pending = await fail_calls(
        page,
        "**/api/v1/posts/*/votes",
        button,
        failure,
        status=409,
        code="poll_closed",
        message="Ce sondage est clos.",
    )
    await stay_marker(page)
    await poll.get_by_label("Jeudi").check()
    await button.click()

    error = poll.locator("[data-poll-error]")
    await expect(error).to_be_visible()
    await expect(error).to_have_text(
        NETWORK_FAILED["poll"] if failure == "network" else "Ce sondage est clos."
    )
    await expect(poll.get_by_label("Jeudi")).not_to_be_checked()  # the recorded choice: none
    await expect(poll.locator("[data-poll-result]").first).to_be_hidden()
    await expect(button).to_be_enabled()
    await expect(button).not_to_have_attribute("aria-busy", "true")
    assert busy_while_pending == ["true"]
    assert await stayed(page)

    # Nothing chosen: the server's own words, without a call.
    await page.unroute("**/api/v1/posts/*/votes")
    await button.click()
    await expect(error).to_have_text(
        "Choisissez une réponse (ou plusieurs, si le sondage le permet)."
    )


async def test_a_hashtag_is_followed_and_unfollowed_in_place(page: Page, sign_in):
    tag = f"essai{uuid.uuid4().hex[:6]}"
    await sign_in(FOLLOWER)
    await page.goto(f"/hashtags/{tag}")
    sentence = page.locator("#follow-sentence")
    await expect(sentence).to_have_text(
        "Suivez ce hashtag pour voir ses publications dans votre fil d'accueil."
    )
    await stay_marker(page)

    follow = page.get_by_role("button", name=f"Suivre #{tag}", exact=True)
    async with page.expect_response(re.compile(r"/api/v1/follows/hashtags/")) as answered:
        await follow.click()
    assert (await answered.value).status == 204
    button = page.locator("form[data-follow] button")
    await expect(button).to_have_text(f"Ne plus suivre #{tag}")
    await expect(button).to_have_attribute("aria-pressed", "true")
    await expect(button).not_to_have_class(re.compile("primary"))
    await expect(sentence).to_contain_text("Vous suivez ce hashtag")
    assert await stayed(page)
    await page.reload()
    await expect(page.locator("form[data-follow] button")).to_have_attribute("aria-pressed", "true")

    async with page.expect_response(re.compile(r"/api/v1/follows/hashtags/")):
        await page.get_by_role("button", name=f"Ne plus suivre #{tag}").click()
    await expect(page.locator("form[data-follow] button")).to_have_text(f"Suivre #{tag}")
    await page.reload()
    await expect(page.locator("form[data-follow] button")).to_have_attribute(
        "aria-pressed", "false"
    )


@pytest.mark.parametrize("failure", ["network", "refused"])
async def test_a_follow_that_fails_says_so_and_is_put_back(page: Page, sign_in, failure):
    await sign_in(FOLLOWER)
    await page.goto(f"/people/{FOLLOWED}")
    button = page.locator("form[data-follow] button")
    await expect(button).to_have_text("Suivre")
    busy_while_pending = await fail_calls(
        page,
        "**/api/v1/follows/**",
        button,
        failure,
        status=404,
        code="not_found",
        message="Introuvable.",
    )
    await stay_marker(page)
    await button.click()

    error = page.locator("[data-follow-error]")
    await expect(error).to_be_visible()
    await expect(error).to_have_text(
        NETWORK_FAILED["follow"] if failure == "network" else "Introuvable."
    )
    await expect(button).to_have_text("Suivre")
    await expect(button).to_have_attribute("aria-pressed", "false")
    await expect(button).to_have_class(re.compile("primary"))
    await expect(button).to_be_enabled()
    await expect(button).not_to_have_attribute("aria-busy", "true")
    assert busy_while_pending == ["true"]
    assert await stayed(page)

    # Once the server answers again, the same button follows, and unfollows.
    await page.unroute("**/api/v1/follows/**")
    await button.click()
    await expect(button).to_have_text("Ne plus suivre")
    await expect(error).to_be_hidden()
    async with page.expect_response(re.compile(r"/api/v1/follows/users/\d+$")):
        await button.click()
    await expect(button).to_have_text("Suivre")
