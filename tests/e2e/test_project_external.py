"""An external member of a project space in the browser (issue 17): the
demo's contractor on Projet Atlas sees its public tasks and events, its
progress counted from them, and nothing else — not an internal task of the
board, not an event of a space he is not in, not the innovation lab's
campaign. The demo accounts are in French."""

import pytest
from playwright.async_api import Page, expect

from app.demo.tasks import BOARD
from app.levels import Level

pytestmark = pytest.mark.e2e

CONTRACTOR = "marc.lambert@prestataire.example"  # a contractor of Atlas, who only reads here


async def test_a_contractor_sees_the_public_tasks_and_events_of_his_project_only(
    page: Page, sign_in
):
    await sign_in(CONTRACTOR)
    await page.goto("/spaces")
    await expect(page.get_by_role("link", name="Labo innovation")).to_have_count(0)
    await page.get_by_role("link", name="Projet Atlas").first.click()
    await page.get_by_role("link", name="Tâches", exact=True).click()

    board = page.locator(".board")
    shown = await board.inner_text()
    for title, _column, _doers, _due, level in BOARD:
        assert (title in shown) == (level is Level.PUBLIC), title
    cards = page.locator("[data-task]")
    # Tasks other browser tests add to the board may be there: each shown is public.
    count = await cards.count()
    assert count >= sum(level is Level.PUBLIC for *_rest, level in BOARD)
    for card in await cards.all():
        await expect(card.locator(".badge", has_text="Interne")).to_have_count(0)
    # The progress counts the tasks he may read, no other.
    progress = page.locator(".task-progress")
    await expect(progress).to_contain_text(f"sur {count}")

    await page.goto("/calendar?view=list&zone=Europe/Paris")
    listed = page.locator("main")
    await expect(listed).to_contain_text("Kick-off du lot 2 d'Atlas")
    await expect(listed).to_contain_text("Point hebdo Atlas")
    for hidden in ("Journée de l'innovation", "Comité de direction mensuel", "Pot de fin d'année"):
        await expect(listed).not_to_contain_text(hidden)
