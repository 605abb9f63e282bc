"""A project's board in the browser (issue 17): a task added through the
form, dragged to another column, then moved with the keyboard alone (its move
buttons and its column's list), in place through the API with the focus kept
on the control used; each move is kept, as a page loaded again shows. The
demo accounts are in French."""

import re
import uuid

import pytest
from playwright.async_api import Page, expect

pytestmark = pytest.mark.e2e

MEMBER = "yann.legall@ruche.example"  # a member of Atlas no other browser test signs in as


async def add_task(page: Page, title: str) -> str:
    """Adds a task through the board's form; its card's locator."""
    await page.get_by_label("Nouvelle tâche").fill(title)
    async with page.expect_navigation(url=re.compile(r"#task-\d+$")):
        await page.get_by_role("button", name="Ajouter la tâche").click()
    return f"#{page.url.rsplit('#', 1)[1]}"


async def test_drag_a_task_across_the_board_and_move_it_with_the_keyboard(page: Page, sign_in):
    # A board seen whole, as on a large screen: a drag scrolls nothing under the pointer.
    await page.set_viewport_size({"width": 1400, "height": 2000})
    await sign_in(MEMBER)
    await page.goto("/spaces")
    await page.get_by_role("link", name="Projet Atlas").first.click()
    await page.get_by_role("link", name="Tâches", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de Projet Atlas")

    marker = uuid.uuid4().hex[:6]
    first, second = f"Devis {marker}", f"Relance {marker}"
    first_card = page.locator(await add_task(page, first))
    second_id = await add_task(page, second)
    second_card = page.locator(second_id)
    todo, doing, done = (
        page.locator(f'[data-column="{name}"]') for name in ("todo", "doing", "done")
    )
    await expect(todo.locator(first_card)).to_be_visible()

    # Dragged to "En cours", in place: the page is not loaded again.
    await page.evaluate("window.stayed = true")
    async with page.expect_response(re.compile(r"/api/v1/tasks/\d+/move$")) as moved:
        await first_card.drag_to(doing)
    assert (await moved.value).ok
    await expect(doing.locator(first_card)).to_be_visible()
    assert await page.evaluate("window.stayed === true")

    # The keyboard: "up" moves the second task one place up in its column, the
    # focus staying on the button.
    ids = await todo.locator("[data-task]").evaluate_all("items => items.map((item) => item.id)")
    assert ids[-1] == second_id[1:]
    up = page.get_by_role("button", name=f"Monter «\u202f{second}\u202f»")
    await up.focus()
    async with page.expect_response(re.compile(r"/api/v1/tasks/\d+/move$")):
        await page.keyboard.press("Enter")
    await expect(todo.locator("[data-task]").last).to_have_id(ids[-2])
    await expect(up).to_be_focused()
    place = len(ids) - 1
    await expect(page.locator("[data-announcer]")).to_have_text(
        f"Déplacée dans À faire, place {place}."
    )

    # Its column chosen from the keyboard: to "Fait".
    column = page.get_by_label(f"Colonne de «\u202f{second}\u202f»")
    await column.focus()
    await column.select_option("done")
    await page.keyboard.press("Tab")
    async with page.expect_response(re.compile(r"/api/v1/tasks/\d+/move$")):
        await page.keyboard.press("Enter")
    await expect(done.locator(second_card)).to_be_visible()
    await expect(second_card.locator("button[data-to-column]")).to_be_focused()

    # Kept: the board loaded again shows both moves.
    await page.reload()
    await expect(doing.locator(first_card)).to_be_visible()
    await expect(done.locator(second_card)).to_be_visible()


async def test_a_change_made_elsewhere_shows_on_the_open_board(page: Page, sign_in):
    """Live: a task moved from elsewhere (another tab, through the API) brings
    a link that shows the board as it now stands; the page's own moves do not."""
    await sign_in(MEMBER)
    await page.goto("/spaces")
    await page.get_by_role("link", name="Projet Atlas").first.click()
    await page.get_by_role("link", name="Tâches", exact=True).click()
    card_id = await add_task(page, f"Ailleurs {uuid.uuid4().hex[:6]}")
    card = page.locator(card_id)
    changed = page.locator("[data-board-changed]")
    # The socket connected and subscribed, then a move made here: not shown.
    await page.wait_for_timeout(1000)
    async with page.expect_response(re.compile(r"/api/v1/tasks/\d+/move$")):
        await card.drag_to(page.locator('[data-column="doing"]'))
    await page.wait_for_timeout(1000)
    await expect(changed).to_be_hidden()

    csrf = await page.locator('meta[name="csrf-token"]').get_attribute("content")
    moved = await page.request.post(
        f"/api/v1/tasks/{card_id.removeprefix('#task-')}/move",
        data={"status": "done", "index": 0},
        headers={"X-CSRF-Token": csrf},
    )
    assert moved.ok, await moved.text()
    await expect(changed).to_have_text("Le tableau a changé\u202f: l’afficher")
    async with page.expect_navigation():
        await changed.click()
    await expect(page.locator('[data-column="done"]').locator(card)).to_be_visible()
    await expect(changed).to_be_hidden()
