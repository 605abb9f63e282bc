"""Wiki attachments, kept per revision: a save attaches the writer's new
uploads and carries the files of the revision it starts from (less those it
removes; a new file takes the place of one of its name), a restored revision
shows its own files, ``attachment:<name>`` in the text names a file of the
revision shown, and a file is read exactly when a revision that shows it is
(the page's rule now, that revision's level): a page raised, deleted, or an old
revision above the reader's clearance hides it like a missing one. Through the
API and through the pages, with and without the editor's script."""

import re

import pytest
from sqlalchemy import select

from app.errors import TooLarge
from app.models import StoredFile, WikiPage, WikiRevision
from app.services import wiki
from app.services.files.attachments import Attachments
from app.services.wiki.attachments import FileChanges
from tests.file_helpers import FILES, pdf, png, uploaded
from tests.helpers import expect_error
from tests.stream_helpers import person
from tests.test_web_pages import audit as csp_audit
from tests.test_web_spaces import alert
from tests.test_web_wiki import count, write_page
from tests.wiki_helpers import PAGES, PREVIEW, create_page, read_page, save_page

PNG_KIND = "image/png"


def names(item: dict) -> list[str]:
    return [file["name"] for file in item["attachments"]]


async def revision(client, page_id: int, number: int) -> dict:
    response = await client.get(f"{PAGES}/{page_id}/revisions/{number}")
    assert response.status_code == 200, response.text
    return response.json()


def image_html(file: dict, caption: str) -> str:
    """An ``attachment:`` image as the text shows it: its large preview, a link
    to the file itself."""
    return (
        f'<a href="{file["url"]}" rel="nofollow noopener">'
        f'<img src="{file["previews"]["large"]}" alt="{caption}"></a>'
    )


async def readable(client, file: dict) -> bool:
    """Whether ``client`` may read the file, by each of its paths alike."""
    paths = [f"{FILES}/{file['id']}", file["url"]]
    if file["previews"]:
        paths += [file["previews"]["small"], file["previews"]["large"]]
    statuses = set()
    for path in paths:
        response = await client.get(path)
        if response.status_code == 404:
            expect_error(response, 404, "not_found")
        statuses.add(response.status_code)
    assert len(statuses) == 1, (file, statuses)
    return statuses == {200}


# --- attaching, per revision -------------------------------------------------------------


async def test_files_attached_on_create_are_listed_shown_and_downloaded(make):
    _author, client = await person(make)
    _reader, reader_client = await person(make)
    image = await uploaded(client, png(), "plan.png")
    document = await uploaded(client, pdf(), "compte rendu.pdf")

    page = await create_page(
        client,
        "Chantier",
        "![Le plan](attachment:plan.png) et [le compte rendu](<attachment:compte rendu.pdf>)",
        attachments=[image["id"], document["id"]],
    )

    assert names(page) == ["plan.png", "compte rendu.pdf"]
    shown = page["attachments"][0]
    assert shown["content_type"] == PNG_KIND and shown["inline"] and shown["previews"]
    assert image_html(shown, "Le plan") in page["body_html"]
    link = f'<a href="{page["attachments"][1]["url"]}" rel="nofollow noopener">le compte rendu</a>'
    assert link in page["body_html"]
    assert "attachment:" not in page["body_html"]
    read = await read_page(reader_client, page["id"])
    assert read["attachments"] == page["attachments"]
    assert (await revision(reader_client, page["id"], 1))["attachments"] == page["attachments"]
    got = await reader_client.get(page["attachments"][1]["url"])
    assert got.status_code == 200 and got.content == pdf()


async def test_an_edit_adds_removes_and_replaces_files_of_its_own_revision(make):
    _author, client = await person(make)
    first_plan = await uploaded(client, png(colour=(1, 2, 3)), "plan.png")
    notes = await uploaded(client, pdf(), "notes.pdf")
    page = await create_page(
        client, "Chantier", "![Plan](attachment:plan.png)", attachments=[first_plan["id"]]
    )
    page = await save_page(client, page, body="![Plan](attachment:plan.png)\n\nNotes")
    page = await save_page(client, page, attachments=[notes["id"]])
    second_plan = await uploaded(client, png(colour=(9, 8, 7)), "plan.png")

    # New files alone make a revision; a file named like one shown replaces it.
    saved = await save_page(
        client, page, attachments=[second_plan["id"]], remove_attachments=[notes["id"]]
    )

    assert saved["revision"] == 4
    assert [file["id"] for file in saved["attachments"]] == [second_plan["id"]]
    assert image_html(saved["attachments"][0], "Plan") in saved["body_html"]
    history = {n: await revision(client, page["id"], n) for n in (1, 2, 3, 4)}
    assert [[file["id"] for file in history[n]["attachments"]] for n in (1, 2, 3, 4)] == [
        [first_plan["id"]],
        [first_plan["id"]],
        [first_plan["id"], notes["id"]],
        [second_plan["id"]],
    ]
    # Each revision's text shows its own plan.
    assert f'src="{first_plan["previews"]["large"]}"' in history[1]["body_html"]
    assert f'src="{second_plan["previews"]["large"]}"' in history[4]["body_html"]
    assert await readable(client, first_plan) and await readable(client, notes)


async def test_a_restored_revision_shows_its_own_files(make):
    _author, client = await person(make)
    plan = await uploaded(client, png(), "plan.png")
    budget = await uploaded(client, pdf(), "budget.pdf")
    page = await create_page(client, "Chantier", "v1", attachments=[plan["id"]])
    page = await save_page(
        client, page, body="v2", attachments=[budget["id"]], remove_attachments=[plan["id"]]
    )

    restored = await client.post(
        f"{PAGES}/{page['id']}/revisions/1/restore", json={"base_revision": page["revision"]}
    )

    assert restored.status_code == 200, restored.text
    assert restored.json()["revision"] == 3 and names(restored.json()) == ["plan.png"]
    assert names(await revision(client, page["id"], 2)) == ["budget.pdf"]


# --- who reads them ------------------------------------------------------------------------


async def test_a_file_only_an_old_revision_had_is_missing_below_that_revisions_level(
    make, browser_of
):
    _author, client = await person(make, clearance="confidential")
    employee, employee_client = await person(make)
    _cleared, cleared_client = await person(make, clearance="confidential")
    draft = await uploaded(client, pdf(), "offre.pdf")
    kept = await uploaded(client, png(), "logo.png")
    page = await create_page(
        client,
        "Offre",
        "[offre](attachment:offre.pdf)",
        level="confidential",
        attachments=[draft["id"], kept["id"]],
    )
    page = await save_page(client, page, body="Publique", remove_attachments=[draft["id"]])

    # Lowered: its current revision (2) is declassified with it, not revision 1.
    page = await save_page(client, page, level="internal")

    assert names(await read_page(employee_client, page["id"])) == ["logo.png"]
    assert await readable(employee_client, kept)
    assert not await readable(employee_client, draft)
    expect_error(await employee_client.get(f"{PAGES}/{page['id']}/revisions/1"), 404)
    browser, _csrf = await browser_of(employee)
    for path in (f"/wiki/{page['slug']}", f"/wiki/{page['slug']}/edit"):
        shown = await browser.get(path)
        assert shown.status_code == 200 and "logo.png" in shown.text
        assert "offre.pdf" not in shown.text and draft["url"] not in shown.text
    assert (await browser.get(f"/wiki/{page['slug']}/revisions/1")).status_code == 404
    assert await readable(cleared_client, draft)


async def test_a_page_raised_to_confidential_takes_its_files_along(make):
    _author, client = await person(make, clearance="confidential")
    _employee, employee_client = await person(make)
    image = await uploaded(client, png(), "plan.png")
    page = await create_page(client, "Plan", "", attachments=[image["id"]])
    assert await readable(employee_client, image)

    await save_page(client, page, level="confidential")

    assert not await readable(employee_client, image)
    assert await readable(client, image)


async def test_a_deleted_pages_files_are_missing_until_it_is_restored(make):
    _author, client = await person(make, role="admin")
    image = await uploaded(client, png(), "plan.png")
    page = await create_page(client, "Plan", "", attachments=[image["id"]])

    deleted = await client.delete(f"{PAGES}/{page['id']}")

    assert deleted.status_code == 204
    assert not await readable(client, image)
    restored = await client.post(f"{PAGES}/{page['id']}/restore")
    assert restored.status_code == 200 and names(restored.json()) == ["plan.png"]
    assert await readable(client, image)


async def test_a_space_wikis_files_are_missing_outside_the_space(make):
    author, client = await person(make)
    _outsider, outsider_client = await person(make)
    space = await make.space(owner=author, visibility="private")
    image = await uploaded(client, png(), "plan.png")
    page = await create_page(client, "Plan", "", space_id=space.id, attachments=[image["id"]])

    assert names(page) == ["plan.png"]
    assert not await readable(outsider_client, image)


# --- the text ------------------------------------------------------------------------------


async def test_attachment_names_resolve_to_the_revisions_files_and_unknown_ones_stay_text(make):
    _author, client = await person(make)
    image = await uploaded(client, png(), "plan.png")
    document = await uploaded(client, pdf(), "notes.pdf")
    body = (
        "![Le plan](attachment:plan.png) ![Absente](attachment:absente.png) "
        "[Lien mort](attachment:absent.pdf) ![Les notes](attachment:notes.pdf) "
        "[ailleurs](https://example.com/attachment:plan.png)"
    )

    page = await create_page(client, "Notes", body, attachments=[image["id"], document["id"]])

    html = page["body_html"]
    assert image_html(page["attachments"][0], "Le plan") in html
    # A file that is no image is linked, never put in an <img>.
    notes_url = page["attachments"][1]["url"]
    assert f'<a href="{notes_url}" rel="nofollow noopener">Les notes</a>' in html
    assert " Absente " in html and " Lien mort " in html
    assert html.count("<img") == 1 and html.count("<a ") == 3
    assert 'href="https://example.com/attachment:plan.png"' in html
    assert "absent" not in re.sub(r">[^<]*<", "><", html)  # no address names them


async def test_the_preview_names_the_pages_files_and_the_writers_uploads(make):
    _author, client = await person(make)
    _other, other_client = await person(make)
    plan = await uploaded(client, png(), "plan.png")
    page = await create_page(client, "Plan", "", attachments=[plan["id"]])
    schema = await uploaded(client, png(colour=(0, 0, 255)), "schema.png")
    stranger = await uploaded(other_client, png(), "autre.png")
    body = "![P](attachment:plan.png) ![S](attachment:schema.png) ![A](attachment:autre.png)"

    shown = await client.post(
        PREVIEW,
        json={"body": body, "page_id": page["id"], "attachments": [schema["id"], stranger["id"]]},
    )
    removed = await client.post(
        PREVIEW, json={"body": body, "page_id": page["id"], "remove_attachments": [plan["id"]]}
    )

    assert shown.status_code == removed.status_code == 200, shown.text
    html = shown.json()["html"]
    assert f'src="{plan["previews"]["large"]}"' in html
    assert f'src="{schema["previews"]["large"]}"' in html
    assert "<img" not in html.split(schema["previews"]["large"])[1]  # not someone else's
    assert removed.json()["html"].count("<img") == 0


async def test_the_preview_of_a_page_the_writer_may_not_read_is_not_found(make):
    author, client = await person(make)
    _outsider, outsider_client = await person(make)
    space = await make.space(owner=author, visibility="private")
    page = await create_page(client, "Plan", "", space_id=space.id)

    hidden = await outsider_client.post(PREVIEW, json={"body": "x", "page_id": page["id"]})

    expect_error(hidden, 404, "not_found")


# --- bad input ----------------------------------------------------------------------------


async def test_someone_elses_upload_is_refused_and_nothing_is_written(make, session):
    author, client = await person(make)
    _other, other_client = await person(make)
    theirs = await uploaded(other_client, png(), "plan.png")
    page = await create_page(client, "Plan", "v1")

    created = await client.post(PAGES, json={"title": "Autre", "attachments": [theirs["id"]]})
    saved = await client.put(
        f"{PAGES}/{page['id']}", json={"base_revision": 1, "attachments": [theirs["id"]]}
    )

    expect_error(created, 422, "unknown_file")
    expect_error(saved, 422, "unknown_file")
    assert await count(session, WikiPage, WikiPage.author_id == author.id) == 1
    assert await count(session, WikiRevision, WikiRevision.page_id == page["id"]) == 1
    assert (await session.get(StoredFile, theirs["id"])).page_id is None


async def test_more_than_ten_files_or_a_file_the_page_does_not_show_are_refused(make, session):
    author, client = await person(make)
    files = [await uploaded(client, png(colour=(n, 0, 0)), f"image{n}.png") for n in range(11)]
    ids = [file["id"] for file in files]
    page = await create_page(client, "Plan", "v1", attachments=ids[:1])
    twins = [await uploaded(client, pdf(), "double.pdf") for _ in range(2)]

    refused = [
        await client.post(PAGES, json={"title": "Trop", "attachments": ids[1:] + ids[:1]}),
        await client.put(
            f"{PAGES}/{page['id']}", json={"base_revision": 1, "attachments": [*ids[1:], ids[0]]}
        ),
        await client.put(
            f"{PAGES}/{page['id']}", json={"base_revision": 1, "remove_attachments": [ids[1]]}
        ),
        await client.put(
            f"{PAGES}/{page['id']}",
            json={"base_revision": 1, "attachments": [twins[0]["id"], twins[1]["id"]]},
        ),
    ]

    for response, code in zip(
        refused, ["invalid", "invalid", "unknown_file", "duplicate_name"], strict=True
    ):
        expect_error(response, 422, code)
    assert await count(session, WikiPage, WikiPage.author_id == author.id) == 1
    assert names(await read_page(client, page["id"])) == ["image0.png"]
    attached = await count(session, StoredFile, StoredFile.page_id.is_not(None))
    assert attached == await count(session, StoredFile, StoredFile.id == ids[0])


async def test_files_beyond_the_space_quota_are_refused(make, session):
    author = await make.user()
    space = await make.space(owner=author)
    image = await uploaded(await make.bearer(author), png(), "plan.png")
    page = await write_page(session, author, "Plan", "", space_id=space.id)

    with pytest.raises(TooLarge) as refused:
        await wiki.save_page(
            session,
            viewer=author,
            page_id=page.id,
            base_revision=1,
            files=FileChanges(added=Attachments([image["id"]], space_quota_mb=0)),
        )

    assert refused.value.code == "quota"


# --- the pages -----------------------------------------------------------------------------


def section(html: str, marker: str) -> str:
    return html.split(marker, 1)[1].split("</section>", 1)[0]


async def uploads_of(session, user) -> list[StoredFile]:
    return list(await session.scalars(select(StoredFile).where(StoredFile.uploader_id == user.id)))


async def test_a_page_lists_its_files_and_shows_its_images_in_french(make, browser_of, session):
    author = await make.user()
    image = await uploaded(await make.bearer(author), png(), "plan.png")
    page = await wiki.create_page(
        session,
        viewer=author,
        space_id=None,
        title="Chantier",
        body="![Le plan](attachment:plan.png)",
        attachments=Attachments([image["id"]], space_quota_mb=10),
    )
    await session.commit()
    browser, _csrf = await browser_of(author)

    shown = await browser.get(f"/wiki/{page.slug}")
    old = await browser.get(f"/wiki/{page.slug}/revisions/1")

    assert shown.status_code == old.status_code == 200
    files = section(shown.text, 'id="wiki-files-title"')
    assert files.startswith(">Pièces jointes</h2>")
    assert f'href="{image["url"]}" download' in files and "plan.png" in files
    assert "Image · 139 octets" in files
    assert f'<img src="{image["previews"]["large"]}" alt="Le plan">' in shown.text
    assert 'id="wiki-files-title"' in old.text
    assert csp_audit(shown.text).problems == []


async def test_the_editor_sends_its_files_with_the_form_without_a_script(make, browser_of, session):
    author = await make.user(language="en")
    browser, csrf = await browser_of(author)

    created = await browser.post(
        "/wiki/new",
        data={"csrf_token": csrf, "title": "Chantier", "body": "![Plan](attachment:plan.png)"},
        files=[("files", ("plan.png", png(), PNG_KIND)), ("files", ("notes.pdf", pdf(), "x/y"))],
    )

    assert created.status_code == 303, created.text
    page = await session.scalar(select(WikiPage).where(WikiPage.author_id == author.id))
    shown = await browser.get(created.headers["location"])
    assert "plan.png" in shown.text and "notes.pdf" in shown.text
    assert re.search(r'<img src="/api/v1/files/\d+/content\?preview=large" alt="Plan">', shown.text)
    editor = await browser.get(f"/wiki/{page.slug}/edit")
    assert 'enctype="multipart/form-data"' in editor.text
    notes = next(file for file in await uploads_of(session, author) if file.name == "notes.pdf")
    assert f'name="remove_attachments" value="{notes.id}"' in editor.text

    saved = await browser.post(
        f"/wiki/pages/{page.id}/edit",
        data={
            "csrf_token": csrf,
            "base_revision": "1",
            "title": "Chantier",
            "body": "Sans notes",
            "remove_attachments": str(notes.id),
        },
        files=[("files", ("schema.png", png(colour=(0, 9, 0)), PNG_KIND))],
    )

    assert saved.status_code == 303, saved.text
    read = await read_page(await make.bearer(author), page.id)
    assert names(read) == ["plan.png", "schema.png"] and read["revision"] == 2


async def test_a_preview_keeps_the_files_picked_until_the_save(make, browser_of, session):
    author = await make.user(language="en")
    page = await write_page(session, author, "Chantier", "Avant")
    browser, csrf = await browser_of(author)

    previewed = await browser.post(
        f"/wiki/pages/{page.id}/edit",
        data={
            "csrf_token": csrf,
            "base_revision": "1",
            "title": "Chantier",
            "body": "![Plan](attachment:plan.png)",
            "intent": "preview",
        },
        files=[("files", ("plan.png", png(), PNG_KIND))],
    )

    assert previewed.status_code == 200
    (stored,) = await uploads_of(session, author)
    assert stored.page_id is None
    assert f'name="attachments" value="{stored.id}"' in previewed.text
    preview = previewed.text.split("data-wiki-preview>", 1)[1].split("</div>", 1)[0]
    assert f'src="/api/v1/files/{stored.id}/content?preview=large"' in preview
    saved = await browser.post(
        f"/wiki/pages/{page.id}/edit",
        data={
            "csrf_token": csrf,
            "base_revision": "1",
            "title": "Chantier",
            "body": "![Plan](attachment:plan.png)",
            "attachments": str(stored.id),
        },
    )
    assert saved.status_code == 303
    await session.refresh(stored)
    assert stored.page_id == page.id


async def test_a_refused_save_keeps_the_files_for_the_next_one(make, browser_of, session):
    author = await make.user(language="en")
    await write_page(session, author, "Chantier", "")
    browser, csrf = await browser_of(author)

    taken = await browser.post(
        "/wiki/new",
        data={"csrf_token": csrf, "title": "Chantier", "body": "![P](attachment:plan.png)"},
        files=[("files", ("plan.png", png(), PNG_KIND))],
    )

    assert taken.status_code == 409
    (stored,) = await uploads_of(session, author)
    assert stored.page_id is None
    assert f'name="attachments" value="{stored.id}"' in taken.text
    renamed = await browser.post(
        "/wiki/new",
        data={"csrf_token": csrf, "title": "Chantier 2", "attachments": str(stored.id)},
    )
    assert renamed.status_code == 303
    await session.refresh(stored)
    assert stored.page_id is not None


async def test_a_refused_file_comes_back_with_everything_typed(make, browser_of, session):
    author = await make.user(language="en")
    browser, csrf = await browser_of(author)
    body = "Un long texte à ne pas perdre."

    refused = await browser.post(
        "/wiki/new",
        data={"csrf_token": csrf, "title": "Chantier", "body": body},
        files=[
            ("files", ("plan.png", png(), PNG_KIND)),
            ("files", ("programme.exe", b"MZ\x90\x00\x03" + bytes(300), "image/png")),
        ],
    )

    assert refused.status_code == 422
    assert alert(refused.text).startswith("This kind of file is not accepted here.")
    assert body in refused.text
    assert await uploads_of(session, author) == []
    assert await count(session, WikiPage, WikiPage.author_id == author.id) == 0


async def test_a_form_with_files_takes_none_without_its_token_first(make, browser_of, session):
    author = await make.user(language="en")
    browser, csrf = await browser_of(author)
    fields = {"title": "Forgée", "body": "x"}
    file = ("files", ("plan.png", png(), PNG_KIND))

    without = await browser.post("/wiki/new", data=fields, files=[file])
    wrong = await browser.post("/wiki/new", data={"csrf_token": "x" * 43, **fields}, files=[file])
    after_the_file = await browser.post(
        "/wiki/new", files=[file, ("csrf_token", (None, csrf)), ("title", (None, "Forgée"))]
    )

    assert without.status_code == wrong.status_code == after_the_file.status_code == 403
    assert await uploads_of(session, author) == []
    assert await count(session, WikiPage, WikiPage.author_id == author.id) == 0
