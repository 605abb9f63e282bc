"""An event, as a person plans and answers it in the browser (issue 17): the
form plans it (the browser's own zone preselected, a file uploaded as it is
picked and attached), the answer "going" changes
in place through the API without loading the page again, and the event comes
as a .ics file for another calendar. The demo accounts are in French."""

import re
import uuid
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.page_api import api_call
from tests.e2e.test_live_flow import open_home

pytestmark = pytest.mark.e2e

PLANNER = "margaux.chevalier@ruche.example"  # an employee no other browser test signs in as


async def test_plan_an_event_answer_going_in_place_and_download_it(page: Page, sign_in):
    await sign_in(PLANNER)
    title = f"Lancement {uuid.uuid4().hex[:6]}"
    await page.goto("/calendar")
    await page.get_by_role("link", name="Planifier un événement").click()

    zone = await page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    await expect(page.locator("#event-zone")).to_have_value(zone)
    await page.locator("#event-title").fill(title)
    await page.locator("#event-description").fill("Ordre du **jour**")
    await page.locator("#event-start").fill("2026-12-10T09:00")
    await page.locator("#event-end").fill("2026-12-10T10:30")
    await page.locator("#event-zone").select_option("Europe/Paris")
    await page.locator("#event-place").fill("Salle Jaurès")
    await page.locator("#event-files").set_input_files(
        files=[{"name": "ordre-du-jour.txt", "mimeType": "text/plain", "buffer": b"Ordre du jour"}]
    )
    await expect(page.locator('[data-chip] input[name="attachments"]')).to_have_count(1)
    async with page.expect_navigation(url=re.compile(r"/calendar/events/\d+\?done=planned$")):
        await page.get_by_role("button", name="Planifier l'événement").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text(title)
    await expect(page.locator(".facts")).to_contain_text("jeudi 10 décembre 2026, 09:00")
    await expect(page.locator(".facts")).to_contain_text("(Europe/Paris)")
    await expect(page.locator(".post-body strong")).to_have_text("jour")
    await expect(page.locator(".file-card")).to_contain_text("ordre-du-jour.txt")

    # Going, in place: the page is not loaded again.
    await page.evaluate("window.stayed = true")
    going = page.get_by_role("button", name="Je participe", exact=True)
    await expect(going).to_have_attribute("aria-pressed", "false")
    async with page.expect_response(re.compile(r"/api/v1/calendar/events/\d+/answer$")) as put:
        await going.click()
    assert (await put.value).ok
    await expect(going).to_have_attribute("aria-pressed", "true")
    await expect(page.locator('[data-count="going"]')).to_have_text("1")
    await expect(page.get_by_role("button", name="Retirer ma réponse")).to_be_visible()
    await expect(page.locator("[data-announcer]")).to_have_text("Votre réponse est enregistrée.")
    assert await page.evaluate("window.stayed === true")

    # The answer was recorded: a page loaded again shows it.
    await page.reload()
    await expect(going).to_have_attribute("aria-pressed", "true")

    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Télécharger (.ics)").click()
    download = await download_info.value
    assert download.suggested_filename.endswith(".ics")
    content = Path(await download.path()).read_text(encoding="utf-8")
    assert content.startswith("BEGIN:VCALENDAR")
    assert f"SUMMARY:{title}" in content

    # The calendar lists it on its day.
    await page.goto("/calendar?view=list&date=2026-12-01&zone=Europe/Paris")
    await expect(page.get_by_role("link", name=title)).to_be_visible()


async def test_answers_counted_live_on_the_event_page(browser: Browser, live_server: str):
    """Another reader's answer changes the counts and the seats left on the
    event's page at once, without loading it again."""
    planner = await open_home(browser, live_server, "julien.martin@ruche.example")
    reader = await open_home(browser, live_server, "sophie.bernard@ruche.example")
    planned = {
        "title": f"Revue {uuid.uuid4().hex[:6]}",
        "time_zone": "Europe/Paris",
        "start": "2027-01-14T10:00",
        "end": "2027-01-14T11:00",
        "capacity": 5,
    }
    event_id = (await api_call(planner, "POST", "/calendar/events", planned))["id"]
    await planner.goto(f"/calendar/events/{event_id}")
    await expect(planner.locator("[data-live-state]")).to_be_hidden()
    await planner.evaluate("window.stayed = true")

    await reader.goto(f"/calendar/events/{event_id}")
    await reader.get_by_role("button", name="Je participe", exact=True).click()
    await expect(reader.locator('[data-count="going"]')).to_have_text("1")

    await expect(planner.locator('[data-count="going"]')).to_have_text("1")
    await expect(planner.locator("[data-seats-left]")).to_have_text("4")
    assert await planner.evaluate("window.stayed === true")
