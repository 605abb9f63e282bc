"""Wiki attachments in a real browser: an image pasted into the editor's text
is sent at once and named there (a second paste of Chromium's "image.png" gets
a name of its own), the preview shows it, a refused file says why beside the
editor, and the saved page shows the images in its text and lists its files.
Selectors are the pages' ids and data attributes, not their words."""

import base64
import uuid

import pytest
from playwright.async_api import Page, expect

from tests.e2e.conftest import ConsoleLog, SignIn
from tests.file_helpers import pdf, png

pytestmark = pytest.mark.e2e

# A demo employee whose account no browser test changes.
EDITOR = "claire.dubois@ruche.example"

# A file given to the text as a person's paste or drop gives it: a paste by a
# ClipboardEvent, a drop by a DragEvent, each carrying a DataTransfer.
HAND_OVER = """([how, name, type, encoded]) => {
  const bytes = Uint8Array.from(atob(encoded), (char) => char.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, { type }));
  const body = document.querySelector("#wiki-body");
  body.focus();
  body.setSelectionRange(body.value.length, body.value.length);
  const init = { bubbles: true, cancelable: true };
  body.dispatchEvent(how === "paste"
    ? new ClipboardEvent("paste", { ...init, clipboardData: data })
    : new DragEvent("drop", { ...init, dataTransfer: data }));
}"""


async def hand_over(page: Page, how: str, name: str, content: bytes, kind: str) -> None:
    await page.evaluate(HAND_OVER, [how, name, kind, base64.b64encode(content).decode()])


async def test_an_image_pasted_into_the_wiki_editor_shows_in_the_page(
    page: Page, sign_in: SignIn, console: ConsoleLog
):
    await sign_in(EDITOR)
    title = f"Plan du site {uuid.uuid4().hex[:6]}"
    await page.goto("/wiki/new")
    await page.locator("#wiki-title").fill(title)
    body = page.locator("#wiki-body")
    await body.fill("Le plan :\n")

    await hand_over(page, "paste", "image.png", png(64, 48, (200, 30, 30)), "image/png")
    await expect(body).to_have_value("Le plan :\n![image.png](attachment:image.png)")
    await hand_over(page, "drop", "image.png", png(32, 32, (30, 30, 200)), "image/png")
    await expect(body).to_have_value(
        "Le plan :\n![image.png](attachment:image.png)![image-2.png](attachment:image-2.png)"
    )
    preview = page.locator("[data-wiki-preview]")
    await expect(preview.locator('img[src$="preview=large"]')).to_have_count(2)
    pending = page.locator('[data-wiki-file-list] input[name="attachments"]')
    await expect(pending).to_have_count(2)

    # A file of a refused kind says why, beside the editor; nothing is attached.
    program = b"MZ\x90\x00" + bytes(200)
    await hand_over(page, "drop", "outil.exe", program, "application/x-msdownload")
    refusal = page.locator(".wiki-upload.refused [data-upload-status]")
    await expect(refusal).not_to_be_empty()
    await expect(pending).to_have_count(2)
    # The file input's files are sent at once too, without touching the text.
    document = {"name": "notes.pdf", "mimeType": "application/pdf", "buffer": pdf()}
    await page.locator("[data-wiki-file-input]").set_input_files(document)
    await expect(pending).to_have_count(3)

    async with page.expect_navigation():
        await page.locator('button[name="intent"][value="save"]').click()
    await expect(page.locator("h1")).to_have_text(title)
    images = page.locator(".wiki-body img")
    await expect(images).to_have_count(2)
    sizes = "(all) => all.map((img) => img.complete && img.naturalWidth)"
    assert await images.evaluate_all(sizes) == [64, 32]
    await expect(page.locator("[data-wiki-files] li")).to_have_count(3)
    await expect(page.locator("[data-wiki-files]")).to_contain_text("image-2.png")
    assert console.csp_violations() == []
