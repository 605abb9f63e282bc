"""The composer in a real browser, on the demo company: one line that opens in
place; an image dropped or pasted into it is uploaded at once and published
with the post, and another person sees it in their stream; a file too large
or of a refused kind is told clearly; "@" offers only the people who may read
the post as it stands; the first post shows on a phone's first screen; the
new-posts bar stays in sight wherever the reader has scrolled."""

import base64
import re
import uuid

import pytest
from playwright.async_api import Browser, Page, expect

from app.demo import DEMO_PASSWORD
from tests.e2e.test_stream_flow import api_client, card
from tests.file_helpers import png

pytestmark = pytest.mark.e2e

# Demo accounts: none of them changed by another test.
AUTHOR = "julien.martin@ruche.example"  # confidential; owns Projet Atlas
READER = "claire.dubois@ruche.example"
PHONE = (390, 844)


async def open_as(browser: Browser, live_server: str, email: str, viewport=None) -> Page:
    """Signed in through the API (the session cookie is the context's), on the home page."""
    options = {"viewport": {"width": viewport[0], "height": viewport[1]}} if viewport else {}
    context = await browser.new_context(base_url=live_server, locale="fr-FR", **options)
    page = await context.new_page()
    signed = await page.request.post(
        "/api/v1/auth/login", data={"email": email, "password": DEMO_PASSWORD}
    )
    assert signed.ok, await signed.text()
    await page.goto("/")
    return page


# What the browser does when a file is dropped or pasted: an event carrying a
# DataTransfer that holds the file.
GIVE_FILE = """([target, how, name, type, base64, size]) => {
  const bytes = base64
    ? Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
    : new Uint8Array(size);
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, { type }));
  const element = document.querySelector(target);
  const event = how === "drop"
    ? new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true })
    : new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true });
  element.dispatchEvent(event);
}"""


async def give_file(
    page: Page, target: str, how: str, name: str, content: bytes = b"", size: int = 0
) -> None:
    encoded = base64.b64encode(content).decode() if content else ""
    kind = "image/png" if name.endswith(".png") else "application/octet-stream"
    # Only once attach.js has taken the form over: a module script may still be
    # loading just after a navigation, and a file given before would go nowhere.
    await page.wait_for_selector(
        f"form:has({target}) [data-attach-field].is-enhanced", state="attached"
    )
    await page.evaluate(GIVE_FILE, [target, how, name, kind, encoded, size])


async def test_the_composer_is_one_line_that_opens_in_place(page: Page, sign_in):
    await sign_in(AUTHOR)
    composer = page.locator("form[data-composer]")
    body = composer.get_by_label("Votre publication")

    await expect(body).to_have_attribute("placeholder", "Quoi de neuf, Julien\u202f?")
    await expect(composer.get_by_label("Niveau", exact=True)).to_be_hidden()
    closed = await composer.bounding_box()
    await body.click()
    await expect(composer.get_by_label("Niveau", exact=True)).to_be_visible()
    await expect(composer.get_by_label("Où", exact=True)).to_have_value("")
    await page.locator("h2#feed-title").click()  # elsewhere: it stays open
    await expect(composer.get_by_label("Type", exact=True)).to_be_visible()
    assert closed["height"] < 90


async def test_a_dropped_image_is_published_and_another_person_sees_it(
    browser: Browser, live_server: str, page: Page, sign_in
):
    marker = f"Photo du chantier {uuid.uuid4().hex[:6]}"
    await sign_in(AUTHOR)
    composer = page.locator("form[data-composer]")
    await composer.get_by_label("Votre publication").fill(marker)

    await give_file(page, "#composer-body", "drop", "chantier.png", png(600, 300))

    chip = composer.locator("[data-chip]")
    await expect(chip).to_have_count(1)
    await expect(chip.locator('input[name="attachments"]')).to_have_count(1)
    await expect(chip).to_contain_text("chantier.png")
    async with page.expect_navigation():
        await composer.get_by_role("button", name="Publier").click()
    await expect(card(page, marker).locator(".gallery img")).to_have_count(1)

    reader = await open_as(browser, live_server, READER)
    image = card(reader, marker).locator(".gallery img")
    await expect(image).to_have_attribute("alt", "chantier.png")
    await expect(image).to_have_js_property("complete", True)
    assert await image.evaluate("(img) => img.naturalWidth") == 320  # the small preview
    link = card(reader, marker).locator(".gallery a")
    original = await reader.request.get(await link.get_attribute("href"))
    assert original.status == 200 and original.headers["content-type"] == "image/png"
    await reader.context.close()


async def test_a_pasted_image_goes_with_a_comment(page: Page, sign_in):
    await sign_in(AUTHOR)
    first = page.locator("article.post").first
    await first.get_by_role("link", name="Commenter").click()
    form = page.locator("#comment-form")

    await give_file(page, "#comment-body", "paste", "capture.png", png(200, 100))

    await expect(form.locator('[data-chip] input[name="attachments"]')).to_have_count(1)
    # Removing a chip takes the file off the comment (and drops the upload).
    await form.get_by_role("button", name="Retirer capture.png").click()
    await expect(form.locator("[data-chip]")).to_have_count(0)
    await give_file(page, "#comment-body", "paste", "capture-2.png", png(200, 100, (0, 90, 0)))
    await expect(form.locator('[data-chip] input[name="attachments"]')).to_have_count(1)
    await form.get_by_label("Votre commentaire").fill("La capture d'écran")
    async with page.expect_navigation():
        await form.get_by_role("button", name="Commenter").click()

    comment = page.locator("li.comment").filter(has_text="La capture d'écran").last
    await expect(comment.locator(".gallery img")).to_have_attribute("alt", "capture-2.png")


async def test_refused_files_are_told_clearly(page: Page, sign_in):
    await sign_in(AUTHOR)
    composer = page.locator("form[data-composer]")
    error = composer.locator("[data-attach-error]")
    await composer.get_by_label("Votre publication").click()

    # Too large: checked in the page, nothing sent.
    await give_file(page, "#composer-body", "drop", "film.png", size=26_000_001)
    await expect(error).to_have_text(
        "«\u202ffilm.png\u202f» est trop grand\u202f: un fichier peut faire au plus 25 Mo."
    )
    await expect(composer.locator("[data-chip]")).to_have_count(0)
    # A kind the server refuses: its own message.
    await give_file(page, "#composer-body", "drop", "outil.exe", b"\x00\x01\x02\xff" * 64)
    await expect(error).to_contain_text(
        "«\u202foutil.exe\u202f» n'a pas pu être envoyé\u202f: "
        "Ce type de fichier n'est pas accepté ici."
    )
    await expect(composer.locator("[data-chip]")).to_have_count(0)


async def test_a_refused_post_keeps_its_uploaded_files(page: Page, sign_in):
    await sign_in(AUTHOR)
    composer = page.locator("form[data-composer]")
    await composer.get_by_label("Votre publication").fill("Quel jour ?")
    await give_file(page, "#composer-body", "drop", "affiche.png", png(90, 90, (9, 9, 9)))
    await expect(composer.locator('[data-chip] input[name="attachments"]')).to_have_count(1)
    await composer.get_by_label("Type", exact=True).select_option(label="Sondage")
    await composer.get_by_label("Options, une par ligne (de 2 à 10)").fill("Lundi")

    async with page.expect_navigation():
        await composer.get_by_role("button", name="Publier").click()

    composer = page.locator("form[data-composer]")
    # The reason beside the options, which have the focus; the text and the file kept.
    options = composer.get_by_label("Options, une par ligne (de 2 à 10)")
    await expect(options).to_be_focused()
    await expect(options).to_have_accessible_description(re.compile("de 2 à 10 choix non vides"))
    await expect(composer.get_by_label("Votre publication")).to_have_value("Quel jour ?")
    await expect(composer.locator("[data-chip]")).to_contain_text("affiche.png")
    await composer.get_by_role("button", name="Retirer affiche.png").click()
    await expect(composer.locator("[data-chip]")).to_have_count(0)


async def suggestions_for(page: Page, typed: str) -> list[str]:
    body = page.locator("#composer-body")
    await body.fill("")
    await body.press_sequentially(typed)
    options = page.locator(".suggestions [role=option]")
    await expect(options.first).to_be_visible()
    return [re.sub(r"\s+", " ", text).strip() for text in await options.all_inner_texts()]


async def test_at_offers_only_the_people_who_may_read_the_post(page: Page, sign_in):
    await sign_in(AUTHOR)
    composer = page.locator("form[data-composer]")
    await composer.get_by_label("Votre publication").click()
    await composer.get_by_label("Où", exact=True).select_option(label="Projet Atlas")
    # Projet Atlas is public by default: its members, contractors included.
    await expect(composer.get_by_label("Niveau", exact=True)).to_have_value("public")

    public = await suggestions_for(page, "Bonjour @")
    await composer.get_by_label("Niveau", exact=True).select_option("internal")
    internal = await suggestions_for(page, "Bonjour @")
    await composer.get_by_label("Où", exact=True).select_option("")
    await composer.get_by_label("Niveau", exact=True).select_option("confidential")
    confidential = await suggestions_for(page, "Bonjour @")

    # Atlas's members but the author (fewer than the suggestions shown at most).
    assert public == [
        "Emma Leroy @emma.leroy",
        "Inès Faure @ines.faure",
        "Karim Benali @karim.benali",
        "Marc Lambert @marc.lambert",
        "Pauline Gauthier @pauline.gauthier",
        "Thomas Petit @thomas.petit",
        "Yann Le Gall @yann.legall",
    ]
    assert internal == [
        "Emma Leroy @emma.leroy",
        "Karim Benali @karim.benali",
        "Pauline Gauthier @pauline.gauthier",
        "Thomas Petit @thomas.petit",
        "Yann Le Gall @yann.legall",
    ]
    assert {"Camille Admin @admin", "Claire Dubois @claire.dubois"} <= set(confidential)
    assert not any(
        name in " ".join(confidential) for name in ("Sophie", "Thomas", "Marc", "Antoine")
    )
    # Picking one writes its handle.
    await composer.get_by_label("Niveau", exact=True).select_option("internal")
    await suggestions_for(page, "Merci @tho")
    await page.keyboard.press("Enter")
    await expect(page.locator("#composer-body")).to_have_value("Merci @thomas.petit ")


async def test_hash_offers_hashtags_in_use(page: Page, sign_in):
    await sign_in(AUTHOR)
    await page.locator("#composer-body").click()

    found = await suggestions_for(page, "Sujet #at")

    assert found == ["#atlas"]
    await page.locator(".suggestions [role=option]").first.click()
    await expect(page.locator("#composer-body")).to_have_value("Sujet #atlas ")


async def test_the_first_post_shows_on_a_phones_first_screen(browser: Browser, live_server: str):
    page = await open_as(browser, live_server, READER, viewport=PHONE)

    first = await page.locator("article.post").first.bounding_box()
    composer = await page.locator("form[data-composer]").bounding_box()

    # The post's head and the start of its text, above the fold.
    assert first["y"] + 120 < PHONE[1], first
    assert composer["height"] < 90, composer
    await page.context.close()


async def test_the_new_posts_bar_stays_in_sight_wherever_the_reader_is(
    browser: Browser, live_server: str
):
    reader = await open_as(browser, live_server, READER, viewport=(1000, 700))
    bar = reader.locator("[data-new-posts]")
    await reader.wait_for_timeout(1000)  # the socket connects and subscribes
    await reader.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    marker = f"Nouvelle de loin {uuid.uuid4().hex[:6]}"
    author = await api_client(live_server, AUTHOR)
    try:
        created = await author.post("/posts", json={"body": marker, "level": "internal"})
        assert created.status_code == 201, created.text
    finally:
        await author.aclose()

    await expect(bar).to_be_visible()
    box = await bar.bounding_box()
    assert await reader.evaluate("window.scrollY") > 500
    assert box["y"] >= 0 and box["y"] + box["height"] <= 700, box
    async with reader.expect_navigation():
        await bar.click()
    await expect(reader.locator("article.post").first).to_contain_text(marker)
    assert await reader.evaluate("window.scrollY") == 0
    await reader.context.close()


async def test_without_scripts_the_composer_is_a_plain_form_with_files(
    browser: Browser, live_server: str, tmp_path
):
    page = await open_as(browser, live_server, AUTHOR)
    context = await browser.new_context(
        base_url=live_server, locale="fr-FR", java_script_enabled=False
    )
    await context.add_cookies(await page.context.cookies())  # signed in, scripts off
    await page.context.close()
    page = await context.new_page()
    await page.goto("/")
    composer = page.locator("form[data-composer]")
    marker = f"Sans script {uuid.uuid4().hex[:6]}"
    photo = tmp_path / "sans-script.png"
    photo.write_bytes(png(100, 100, (120, 0, 120)))

    await expect(composer.get_by_label("Niveau", exact=True)).to_be_hidden()
    await composer.get_by_label("Votre publication").fill(marker)  # the focus opens it
    await expect(composer.get_by_label("Niveau", exact=True)).to_be_visible()
    await composer.locator('input[type="file"]').set_input_files(photo)
    async with page.expect_navigation():
        await composer.get_by_role("button", name="Publier").click()

    await expect(page.get_by_role("status")).to_have_text("Votre publication est en ligne.")
    await expect(card(page, marker).locator(".gallery img")).to_have_attribute(
        "alt", "sans-script.png"
    )
    await context.close()
