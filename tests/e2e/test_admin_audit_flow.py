"""The audit log in a real browser, in French: after a failed sign-in to a
contractor's account, the administrator finds it by typing the person's name
(picked among the accounts offered as they type), sees it told as a sentence
with links, reveals the successful sign-ins, downloads the events as CSV, and
follows the link to the account, which shows the contractor's sponsor."""

from pathlib import Path

import pytest
from playwright.async_api import Page, expect

pytestmark = pytest.mark.e2e

ADMIN = "admin@ruche.example"
CONTRACTOR = "marc.lambert@prestataire.example"


async def test_an_admin_filters_the_audit_log_by_a_person_in_french(page: Page, sign_in, console):
    await sign_in(CONTRACTOR, password="not the password")
    await expect(page.get_by_role("alert")).to_be_visible()

    await sign_in(ADMIN)
    # Camille Admin's account speaks French (test_shell switches it back and forth).
    await page.goto("/settings")
    preferences = page.locator("form[action='/settings/preferences']")
    await preferences.locator("select[name=language]").select_option("fr")
    await preferences.get_by_role("button").click()

    await page.goto("/admin/audit")
    await expect(page.get_by_role("heading", name="Administration", level=1)).to_be_visible()
    # Typing offers the matching accounts; picking one keeps its id.
    person = page.get_by_label("Personne", exact=True)
    await person.press_sequentially("lambert")
    offered = page.locator("#audit-who-people option")
    await expect(offered).to_have_count(1)
    await person.fill(await offered.get_attribute("value"))
    await expect(person).to_have_value("Marc Lambert")
    await expect(page.locator("input[name=person]")).not_to_have_value("")
    await page.get_by_role("button", name="Filtrer").click()

    sentences = page.locator(".audit-sentence")
    await expect(sentences.first).to_have_text("Échec de connexion au compte de Marc Lambert")
    await expect(sentences.filter(has_text="Camille Admin")).to_have_count(0)
    await expect(sentences.filter(has_text="Connexion de")).to_have_count(0)
    await expect(sentences.last).to_have_text("Ruche a créé le compte de Marc Lambert")

    await page.get_by_label("Afficher les connexions réussies").check()
    await page.get_by_role("button", name="Filtrer").click()
    await expect(page.get_by_label("Personne", exact=True)).to_have_value("Marc Lambert")
    await expect(sentences.filter(has_text="Échec de connexion")).to_have_count(1)

    # The same events, as a file.
    async with page.expect_download() as downloading:
        await page.get_by_role("button", name="Télécharger ces événements (CSV)").click()
    download = await downloading.value
    assert download.suggested_filename.startswith("ruche-audit-")
    exported = Path(await download.path()).read_text(encoding="utf-8-sig")
    assert "Échec de connexion au compte de Marc Lambert" in exported
    assert "Camille Admin" not in exported

    await sentences.first.get_by_role("link", name="Marc Lambert").click()
    await expect(page.get_by_role("heading", name="Marc Lambert")).to_be_visible()
    await expect(page.get_by_role("link", name="Julien Martin")).to_be_visible()
    await expect(page.get_by_text("Dernière connexion")).to_be_visible()
    assert console.csp_violations() == []
