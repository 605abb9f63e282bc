"""Dates in a real browser: when.js gives every moment in the reader's language
and time zone with Intl, formats a post's time that a script inserts later, and
keeps relative times current."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import Browser, expect

from app.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

READER = "chloe.fournier@ruche.example"  # reads Ruche in French

# A post card as a live script would insert it: the moment alone, no text.
INSERT_POST = """([id, moment]) => {
  const card = document.createElement("article");
  card.className = "post";
  card.id = id;
  const time = document.createElement("time");
  time.dateTime = moment;
  time.dataset.when = "";
  card.append(time);
  document.querySelector("main").prepend(card);
}"""


async def test_a_post_inserted_live_shows_its_time_in_french_and_keeps_it_current(
    browser: Browser, live_server: str
):
    context = await browser.new_context(
        base_url=live_server, locale="fr-FR", timezone_id="Europe/Paris"
    )
    page = await context.new_page()
    await page.clock.install()
    await page.goto("/login")
    await page.get_by_label("E-mail", exact=True).fill(READER)
    await page.get_by_label("Mot de passe", exact=True).fill(DEMO_PASSWORD)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Se connecter", exact=True).click()
    await expect(page.locator("html")).to_have_attribute("lang", "fr")

    now = datetime.fromtimestamp(await page.evaluate("Date.now()") / 1000, UTC)
    three_minutes_ago = (now - timedelta(minutes=3)).isoformat()
    await page.evaluate(INSERT_POST, ["live-recent", three_minutes_ago])
    await page.evaluate(INSERT_POST, ["live-old", "2026-01-15T09:30:00+00:00"])

    recent = page.locator("#live-recent time")
    await expect(recent).to_have_text("il y a 3 minutes")
    # An older moment is a date and time in the reader's zone (Paris, UTC+1 in January).
    await expect(page.locator("#live-old time")).to_have_text("15 janv. 2026, 10:30")
    await expect(page.locator("#live-old time")).to_have_attribute(
        "title", "jeudi 15 janvier 2026 à 10:30:00 UTC+1"
    )

    await page.clock.fast_forward("02:00")
    await expect(recent).to_have_text("il y a 5 minutes")
    # The server's own times are given the same way.
    served = page.locator("article[data-post] time[data-when]").first
    await expect(served).to_have_attribute("title", re.compile(r" UTC\+1$"))
    await context.close()
