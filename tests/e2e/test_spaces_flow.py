"""Spaces in a real browser: an employee creates a space open to externals and
invites a contractor by e-mail; in a second browser, the contractor opens the
link, accepts the charter, creates their account, and finds that one space
alone in the directory."""

import re
import uuid
from datetime import date, timedelta

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import BROWSER_LOCALE, DEFAULT_TIMEOUT_MS

pytestmark = pytest.mark.e2e

# A demo employee (French account) whom no other browser test relies on.
EMPLOYEE = "emma.leroy@ruche.example"


async def directory_names(page: Page) -> list[str]:
    await page.goto("/spaces")
    return await page.locator(".space-card h2").all_inner_texts()


async def test_invite_a_contractor_who_then_sees_only_that_space(
    page: Page, sign_in, browser: Browser, live_server: str, console
):
    space_name = f"Chantier Delta {uuid.uuid4().hex[:6]}"
    objective = "Migrer l'entrepôt de Lyon vers le nouvel outil de gestion avant l'été."
    contractor_email = f"prestataire-{uuid.uuid4().hex[:8]}@partenaire.example"

    # The employee (their account speaks French) creates the space.
    await sign_in(EMPLOYEE)
    await page.goto("/spaces")
    await page.get_by_role("link", name="Créer un espace").click()
    await expect(page.get_by_role("heading", name="Créer un espace", level=1)).to_be_visible()
    await page.get_by_label("Nom", exact=True).fill(space_name)
    await page.get_by_label("Objectif (obligatoire)").fill(objective)
    await page.get_by_label("Projet", exact=True).check()
    await page.get_by_label("Privé", exact=True).check()
    await page.get_by_label("Les alumni et les prestataires peuvent être invités").check()
    await page.get_by_label("Niveau par défaut des nouveaux contenus").select_option("public")
    await page.get_by_role("button", name="Créer l'espace").click()

    await expect(page.get_by_role("heading", name=space_name, level=1)).to_be_visible()
    await expect(page.get_by_role("status")).to_contain_text("L'espace est créé.")
    space_url = re.sub(r"\?.*$", "", page.url)
    about = page.get_by_role("region", name="À propos")
    await expect(about.get_by_text(objective)).to_be_visible()
    await expect(about.get_by_text("Public", exact=True)).to_be_visible()
    employee_sees = set(await directory_names(page)) - {space_name}

    # The employee invites a contractor by e-mail and gets the link, shown once.
    await page.goto(f"{space_url}?tab=members")
    await page.get_by_label("Adresse e-mail").fill(contractor_email)
    await page.get_by_label("Prestataire", exact=True).check()
    # Without an end date the form comes back with the reason beside the date,
    # which has the focus, and the address kept; nothing written.
    await page.get_by_role("button", name="Créer le lien d'invitation").click()
    end_date = page.get_by_label("Fin de l'accès le (prestataires)")
    await expect(end_date).to_be_focused()
    await expect(end_date).to_have_accessible_description(
        re.compile("L'accès d'un prestataire doit avoir une date de fin dans le futur.")
    )
    await expect(page.get_by_label("Adresse e-mail")).to_have_value(contractor_email)
    await expect(page.get_by_text("Aucune invitation en attente.")).to_be_visible()
    await expect(page.get_by_label("Adresse e-mail")).to_have_value(contractor_email)
    await page.get_by_label("Prestataire", exact=True).check()
    await page.get_by_label("Fin de l'accès le (prestataires)").fill(
        (date.today() + timedelta(days=90)).isoformat()
    )
    await page.get_by_role("button", name="Créer le lien d'invitation").click()
    link = page.locator("[data-invitation-link]")
    await expect(link).to_be_visible()
    accept_url = (await link.inner_text()).strip()
    assert accept_url.startswith(f"{live_server}/invitations/")
    await expect(page.get_by_role("cell", name=contractor_email, exact=True)).to_be_visible()

    # A second browser, with nobody signed in, opens the link.
    second: BrowserContext = await browser.new_context(base_url=live_server, locale=BROWSER_LOCALE)
    second.set_default_timeout(DEFAULT_TIMEOUT_MS)
    second.on("console", console.record_message)
    second.on("weberror", console.record_error)
    try:
        contractor = await second.new_page()
        await contractor.goto(accept_url)
        await expect(
            contractor.get_by_role("heading", name=f"You are invited to join {space_name}")
        ).to_be_visible()
        await expect(contractor.get_by_text(objective)).to_be_visible()
        await expect(contractor.get_by_text("respect the confidentiality")).to_be_visible()

        await contractor.get_by_label("Display name").fill("Hugo Prestataire")
        await contractor.get_by_label("Password (at least 10 characters)").fill(
            "un mot de passe solide"
        )
        await contractor.get_by_label("I accept the charter").check()
        await contractor.get_by_role("button", name="Create my account and join").click()

        # Signed in, on the space's page, in the language they signed up in.
        await expect(contractor).to_have_url(re.compile(re.escape(space_url) + r"\?done=welcome"))
        await expect(contractor.get_by_role("heading", name=space_name, level=1)).to_be_visible()
        await expect(contractor.get_by_role("status")).to_contain_text("your account is ready")
        await expect(contractor.locator("summary", has_text="Hugo Prestataire")).to_be_visible()

        # The directory holds that one space and nothing else.
        seen = await directory_names(contractor)
        assert seen == [space_name]
        assert not employee_sees & set(seen)
        await expect(contractor.get_by_role("link", name="Create a space")).to_have_count(0)

        # The link worked once.
        await contractor.goto(accept_url)
        await expect(contractor.get_by_role("heading", name="404")).to_be_visible()
    finally:
        await second.close()

    # The employee sees the new member.
    await page.goto(f"{space_url}?tab=members")
    row = page.get_by_role("row").filter(has_text="Hugo Prestataire @")
    await expect(row.get_by_text("Prestataire", exact=True)).to_be_visible()  # kind badge
    assert console.csp_violations() == []
