"""A space's files area, through the API and its pages: folders, uploads that
make new versions of a document of the same name, older versions downloadable,
who may move, rename and delete, and the rule that a document (and every
version's file) is read like any content of its space: a hidden one is a
missing one, on every path."""

from html import unescape

import pytest
from sqlalchemy import func, select

from app.models import SpaceDocument, SpaceFolder, StoredFile
from tests.api_helpers import app_with, client_for
from tests.file_helpers import pdf, png
from tests.helpers import expect_error
from tests.stream_helpers import person
from tests.test_web_pages import audit as csp_audit
from tests.test_web_spaces import alert

API = "/api/v1"


def files_of(space_id: int) -> str:
    return f"{API}/spaces/{space_id}/files"


def a_pdf(text: str) -> bytes:
    """A PDF whose bytes differ with ``text`` (each version is its own blob)."""
    return pdf().replace(b"%%EOF", f"% {text}\n%%EOF".encode())


async def upload(client, space_id: int, content: bytes, name: str = "plan.pdf", **fields):
    data = {key: str(value) for key, value in fields.items() if value is not None}
    return await client.post(
        files_of(space_id),
        files={"file": (name, content, "application/octet-stream")},
        data=data,
    )


async def uploaded(client, space_id: int, content: bytes, name: str = "plan.pdf", **fields):
    response = await upload(client, space_id, content, name, **fields)
    assert response.status_code == 201, response.text
    return response.json()


async def new_folder(client, space_id: int, name: str, parent_id: int | None = None) -> dict:
    response = await client.post(
        f"{API}/spaces/{space_id}/folders", json={"name": name, "parent_id": parent_id}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def listing(client, space_id: int, folder_id: int | None = None) -> dict:
    params = {"folder_id": folder_id} if folder_id else {}
    response = await client.get(files_of(space_id), params=params)
    assert response.status_code == 200, response.text
    return response.json()


def names(found: dict) -> list[str]:
    return [document["name"] for document in found["items"]]


# --- versions ------------------------------------------------------------------------


async def test_a_file_of_the_same_name_is_a_new_version_and_the_older_stays_downloadable(make):
    owner, client = await person(make)
    colleague, colleague_client = await person(make)
    space = await make.space(owner=owner, members=[colleague])
    folder = await new_folder(client, space.id, "Comptes rendus")

    first = await uploaded(client, space.id, a_pdf("v1"), "plan.pdf", folder_id=folder["id"])
    second = await uploaded(
        colleague_client, space.id, a_pdf("v2"), "plan.pdf", folder_id=folder["id"]
    )

    assert second["id"] == first["id"] and second["version"] == 2
    assert second["file"]["id"] != first["file"]["id"]
    assert second["uploader"]["id"] == colleague.id and second["author_id"] == owner.id
    shown = await listing(client, space.id, folder["id"])
    assert names(shown) == ["plan.pdf"] and shown["items"][0]["version"] == 2
    assert [f["name"] for f in shown["path"]] == ["Comptes rendus"]
    versions = (await client.get(f"{API}/documents/{first['id']}/versions")).json()["items"]
    assert [v["version"] for v in versions] == [2, 1]
    assert [v["uploader"]["id"] for v in versions] == [colleague.id, owner.id]
    old = await colleague_client.get(versions[1]["file"]["url"])
    assert old.status_code == 200 and old.content == a_pdf("v1")
    assert (await client.get(second["file"]["url"])).content == a_pdf("v2")
    # The same name in another folder is another document.
    elsewhere = await uploaded(client, space.id, a_pdf("v3"), "plan.pdf")
    assert elsewhere["id"] != first["id"] and elsewhere["version"] == 1


async def test_versions_are_paged(make):
    owner, client = await person(make)
    space = await make.space(owner=owner)
    for number in range(3):
        document = await uploaded(client, space.id, a_pdf(str(number)))
    first = (await client.get(f"{API}/documents/{document['id']}/versions?limit=2")).json()
    rest = (
        await client.get(
            f"{API}/documents/{document['id']}/versions",
            params={"limit": 2, "cursor": first["next_cursor"]},
        )
    ).json()
    assert [v["version"] for v in first["items"] + rest["items"]] == [3, 2, 1]
    assert rest["next_cursor"] is None


# --- who sees what --------------------------------------------------------------------


async def test_a_contractor_member_sees_public_documents_only(make):
    owner, client = await person(make)
    contractor, contractor_client = await person(make, kind="contractor")
    space = await make.space(owner=owner, members=[contractor], allows_externals=True)
    public = await uploaded(client, space.id, a_pdf("public"), "public.pdf", level="public")
    internal = await uploaded(client, space.id, a_pdf("internal"), "internal.pdf")
    assert internal["level"] == "internal"

    assert names(await listing(contractor_client, space.id)) == ["public.pdf"]
    assert (await contractor_client.get(public["file"]["url"])).status_code == 200
    for path in (
        f"{API}/documents/{internal['id']}",
        f"{API}/documents/{internal['id']}/versions",
        internal["file"]["url"],
        f"{API}/files/{internal['file']['id']}",
    ):
        expect_error(await contractor_client.get(path), 404, "not_found")

    # Raised, the public one follows at once, with its file.
    raised = await client.patch(f"{API}/documents/{public['id']}", json={"level": "internal"})
    assert raised.status_code == 200, raised.text
    assert names(await listing(contractor_client, space.id)) == []
    expect_error(await contractor_client.get(public["file"]["url"]), 404, "not_found")


async def test_a_contractor_uploads_at_public_and_may_not_write_up(make):
    owner, _client = await person(make)
    contractor, contractor_client = await person(make, kind="contractor")
    space = await make.space(owner=owner, members=[contractor], allows_externals=True)

    document = await uploaded(contractor_client, space.id, a_pdf("c"), "devis.pdf")
    assert document["level"] == "public"
    expect_error(
        await upload(contractor_client, space.id, a_pdf("x"), "x.pdf", level="internal"),
        403,
        "write_up",
    )


async def test_uploaders_an_external_may_not_know_of_are_not_named(make):
    owner, client = await person(make)
    contractor, contractor_client = await person(make, kind="contractor")
    passer_by, passer_by_client = await person(make)  # an employee, not a member
    space = await make.space(owner=owner, members=[contractor], allows_externals=True)

    document = await uploaded(passer_by_client, space.id, a_pdf("p"), level="public")

    seen = (await listing(contractor_client, space.id))["items"][0]
    assert seen["id"] == document["id"]
    assert seen["uploader"] is None and seen["author_id"] is None
    versions = (await contractor_client.get(f"{API}/documents/{document['id']}/versions")).json()
    assert versions["items"][0]["uploader"] is None
    assert (await listing(client, space.id))["items"][0]["uploader"]["id"] == passer_by.id


async def test_a_secret_space_files_area_is_missing_for_an_employee_outside(make):
    owner, client = await person(make)
    _outsider, outsider = await person(make, clearance="secret")
    space = await make.space(owner=owner, visibility="secret")
    folder = await new_folder(client, space.id, "Fusion")
    document = await uploaded(client, space.id, a_pdf("s"), folder_id=folder["id"])

    for path in (
        files_of(space.id),
        f"{files_of(space.id)}?folder_id={folder['id']}",
        f"{API}/documents/{document['id']}",
        f"{API}/documents/{document['id']}/versions",
        document["file"]["url"],
    ):
        expect_error(await outsider.get(path), 404, "not_found")
    for method, path, body in (
        ("POST", f"{API}/spaces/{space.id}/folders", {"name": "Moi aussi"}),
        ("PATCH", f"{API}/folders/{folder['id']}", {"name": "Renommé"}),
        ("DELETE", f"{API}/folders/{folder['id']}", None),
        ("PATCH", f"{API}/documents/{document['id']}", {"name": "autre.pdf"}),
        ("DELETE", f"{API}/documents/{document['id']}", None),
    ):
        answer = await outsider.request(method, path, json=body)
        expect_error(answer, 404, "not_found", sent=(method, path))
    expect_error(await upload(outsider, space.id, a_pdf("o")), 404, "not_found")


async def test_an_employee_reads_an_open_space_files_but_writes_only_to_join(make):
    owner, client = await person(make)
    _reader, reader = await person(make)
    private = await make.space(owner=owner, visibility="private")
    open_space = await make.space(owner=owner, visibility="open", is_archived=True)
    await uploaded(client, private.id, a_pdf("p"))

    expect_error(await reader.get(files_of(private.id)), 404, "not_found")
    assert (await listing(reader, open_space.id))["items"] == []
    expect_error(await upload(client, open_space.id, a_pdf("a")), 409, "space_archived")


async def test_a_namesake_hidden_from_the_uploader_neither_refuses_nor_takes_the_upload(make):
    owner, client = await person(make, clearance="confidential")
    member, member_client = await person(make)
    space = await make.space(owner=owner, members=[member])
    hidden = await uploaded(client, space.id, a_pdf("c"), "budget.pdf", level="confidential")

    mine = await uploaded(member_client, space.id, a_pdf("i"), "budget.pdf")
    again = await uploaded(member_client, space.id, a_pdf("i2"), "budget.pdf")

    assert mine["id"] != hidden["id"] and mine["version"] == 1
    assert again["id"] == mine["id"] and again["version"] == 2
    assert names(await listing(member_client, space.id)) == ["budget.pdf"]
    assert [d["id"] for d in (await listing(client, space.id))["items"]] == [
        hidden["id"],
        mine["id"],
    ]
    # Its author's next upload of that name goes to the document holding the place.
    third = await uploaded(client, space.id, a_pdf("c2"), "budget.pdf")
    assert third["id"] == hidden["id"] and third["version"] == 2
    # A namesake one may read is a conflict when moving or renaming into it.
    other = await uploaded(member_client, space.id, a_pdf("o"), "autre.pdf")
    taken = await member_client.patch(f"{API}/documents/{other['id']}", json={"name": "budget"})
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "name_taken"
    assert taken.json()["error"]["document_id"] == mine["id"]
    renamed = await client.patch(f"{API}/documents/{other['id']}", json={"name": "budget 2"})
    assert renamed.json()["name"] == "budget 2.pdf"


# --- who may change what -----------------------------------------------------------------


async def test_members_change_their_own_moderators_everything(make):
    owner, _owner_client = await person(make)
    author, author_client = await person(make)
    member, member_client = await person(make)
    moderator, moderator_client = await person(make)
    space = await make.space(owner=owner, members=[author, member], moderators=[moderator])
    folder = await new_folder(author_client, space.id, "Docs")
    other = await new_folder(member_client, space.id, "Archives")
    document = await uploaded(author_client, space.id, a_pdf("a"), "note.pdf")
    path = f"{API}/documents/{document['id']}"

    for method, url, body in (
        ("PATCH", path, {"name": "volé.pdf"}),
        ("PATCH", path, {"folder_id": other["id"]}),
        ("DELETE", path, None),
        ("PATCH", f"{API}/folders/{folder['id']}", {"name": "Pris"}),
        ("DELETE", f"{API}/folders/{other['id']}", None),
    ):
        refused = await member_client.request(method, url, json=body)
        expect_error(refused, 403, "forbidden", sent=(method, url))

    renamed = await author_client.patch(path, json={"name": "note finale.pdf"})
    assert renamed.json()["name"] == "note finale.pdf"
    moved = await moderator_client.patch(path, json={"folder_id": folder["id"]})
    assert moved.json()["folder_id"] == folder["id"]
    assert names(await listing(member_client, space.id, folder["id"])) == ["note finale.pdf"]
    back = await moderator_client.patch(path, json={"folder_id": None})
    assert back.json()["folder_id"] is None
    moved_folder = await moderator_client.patch(
        f"{API}/folders/{other['id']}", json={"parent_id": folder["id"]}
    )
    assert moved_folder.json()["parent_id"] == folder["id"]
    assert (await moderator_client.delete(f"{API}/folders/{folder['id']}")).status_code == 204
    assert (await listing(member_client, space.id))["folders"] == []
    assert (await moderator_client.delete(path)).status_code == 204


async def test_a_deleted_folder_keeps_what_its_deleter_may_not_read(make, session):
    owner, client = await person(make)
    secret_member, secret_client = await person(make, clearance="secret")
    space = await make.space(owner=owner, members=[secret_member])
    parent = await new_folder(client, space.id, "Projets")
    folder = await new_folder(client, space.id, "2025", parent["id"])
    below = await new_folder(client, space.id, "Brouillons", folder["id"])
    shown = await uploaded(client, space.id, a_pdf("s"), "plan.pdf", folder_id=below["id"])
    hidden = await uploaded(
        secret_client, space.id, a_pdf("h"), "plan.pdf", folder_id=folder["id"], level="secret"
    )

    assert (await client.delete(f"{API}/folders/{folder['id']}")).status_code == 204

    assert (await listing(client, space.id, parent["id"]))["items"] == []
    seen = await listing(secret_client, space.id, parent["id"])
    assert [d["id"] for d in seen["items"]] == [hidden["id"]] and seen["folders"] == []
    expect_error(await client.get(shown["file"]["url"]), 404, "not_found")
    remaining = await session.scalar(
        select(func.count()).select_from(SpaceFolder).where(SpaceFolder.space_id == space.id)
    )
    assert remaining == 1


async def test_a_deleted_document_takes_its_files_along_and_frees_its_name(make):
    owner, client = await person(make)
    member, member_client = await person(make)
    space = await make.space(owner=owner, members=[member])
    first = await uploaded(member_client, space.id, a_pdf("1"))
    second = await uploaded(member_client, space.id, a_pdf("2"))

    assert (await member_client.delete(f"{API}/documents/{first['id']}")).status_code == 204

    for client_ in (client, member_client):
        for url in (first["file"]["url"], second["file"]["url"]):
            expect_error(await client_.get(url), 404, "not_found")
        expect_error(await client_.get(f"{API}/documents/{first['id']}"), 404, "not_found")
        assert names(await listing(client_, space.id)) == []
    expect_error(await member_client.delete(f"{API}/documents/{first['id']}"), 404, "not_found")
    # The name is free: the same name makes a new document.
    fresh = await uploaded(member_client, space.id, a_pdf("3"))
    assert fresh["id"] != first["id"] and fresh["version"] == 1
    # And a file of the area cannot be removed behind its document's back.
    refused = await member_client.delete(f"{API}/files/{fresh['file']['id']}")
    expect_error(refused, 403, "not_uploader")


async def test_a_space_over_its_quota_refuses_the_upload(make, settings, db, session):
    owner, token_client = await person(make)
    space = await make.space(owner=owner)
    app = app_with(settings, db, space_quota_mb=1)
    async with client_for(app, Authorization=token_client.headers["Authorization"]) as client:
        await uploaded(client, space.id, b"a" * 600_000, "un.txt")

        refused = await upload(client, space.id, b"b" * 600_000, "deux.txt")

    error = expect_error(refused, 413, "quota")
    assert "1 Mo en tout" in error["message"]
    documents = await session.scalar(
        select(func.count()).select_from(SpaceDocument).where(SpaceDocument.space_id == space.id)
    )
    assert documents == 1


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": ""}, "invalid"),
        ({"name": "   "}, "invalid"),
        ({"name": "a/b"}, "bad_name"),
        ({"name": "..\\x"}, "bad_name"),
        ({"name": "..", "parent_id": None}, "bad_name"),
        ({"name": "tab\there"}, "bad_name"),
        ({"name": "x" * 201}, "invalid"),
        ({"name": "ok", "extra": 1}, "invalid"),
    ],
)
async def test_a_folder_name_must_be_a_name(make, body, code):
    owner, client = await person(make)
    space = await make.space(owner=owner)
    refused = await client.post(f"{API}/spaces/{space.id}/folders", json=body)
    expect_error(refused, 422, code)
    assert (await listing(client, space.id))["folders"] == []


async def test_folders_and_documents_stay_in_their_space_and_tree(make):
    owner, client = await person(make)
    space = await make.space(owner=owner)
    other_space = await make.space(owner=owner)
    elsewhere = await new_folder(client, other_space.id, "Ailleurs")
    folder = await new_folder(client, space.id, "Ici")
    child = await new_folder(client, space.id, "Dedans", folder["id"])
    document = await uploaded(client, space.id, a_pdf("d"))

    expect_error(
        await client.post(
            f"{API}/spaces/{space.id}/folders", json={"name": "x", "parent_id": elsewhere["id"]}
        ),
        422,
        "unknown_folder",
    )
    expect_error(
        await upload(client, space.id, a_pdf("e"), folder_id=elsewhere["id"]),
        422,
        "unknown_folder",
    )
    expect_error(await upload(client, space.id, a_pdf("e"), folder_id="abc"), 422, "invalid")
    expect_error(await upload(client, space.id, a_pdf("e"), level="top"), 422, "invalid")
    expect_error(
        await client.patch(
            f"{API}/documents/{document['id']}", json={"folder_id": elsewhere["id"]}
        ),
        422,
        "unknown_folder",
    )
    expect_error(
        await client.get(files_of(space.id), params={"folder_id": elsewhere["id"]}),
        404,
        "not_found",
    )
    expect_error(
        await client.patch(f"{API}/folders/{folder['id']}", json={"parent_id": child["id"]}),
        422,
        "cycle",
    )
    expect_error(
        await client.patch(f"{API}/folders/{folder['id']}", json={"parent_id": folder["id"]}),
        422,
        "cycle",
    )
    taken = await client.post(f"{API}/spaces/{space.id}/folders", json={"name": "Ici"})
    assert taken.status_code == 409
    assert taken.json()["error"] == {
        "code": "name_taken",
        "message": "Un dossier de ce nom est déjà là.",
        "folder_id": folder["id"],
    }
    expect_error(
        await client.patch(f"{API}/documents/{document['id']}", json={"name": "a/b.pdf"}),
        422,
        "bad_name",
    )
    expect_error(await client.post(files_of(space.id), data={"folder_id": "1"}, files={}), 422)


async def test_a_name_from_the_client_is_cleaned_and_an_empty_file_refused(make):
    owner, client = await person(make)
    space = await make.space(owner=owner)

    document = await uploaded(client, space.id, png(), "../../etc/photo.pdf")

    assert document["name"] == "photo.png"
    expect_error(await upload(client, space.id, b"", "vide.txt"), 422, "empty_file")


# --- pages ------------------------------------------------------------------------------------


async def test_the_files_page_uploads_makes_folders_and_shows_versions(make, browser_of, session):
    owner = await make.user()
    space = await make.space(owner=owner)
    browser, csrf = await browser_of(owner)

    space_page = await browser.get(f"/spaces/{space.id}")
    assert f'href="/spaces/{space.id}/files"' in space_page.text
    made = await browser.post(
        f"/spaces/{space.id}/folders", data={"name": "Réunions", "csrf_token": csrf}
    )
    assert made.status_code == 303
    folder_id = await session.scalar(select(SpaceFolder.id).where(SpaceFolder.space_id == space.id))
    for text in ("v1", "v2"):
        sent = await browser.post(
            f"/spaces/{space.id}/files",
            data={"csrf_token": csrf, "folder_id": str(folder_id), "level": ""},
            files={"file": ("ordre du jour.pdf", a_pdf(text), "application/pdf")},
        )
        assert sent.status_code == 303, sent.text
    assert (
        sent.headers["location"] == f"/spaces/{space.id}/files?folder_id={folder_id}&done=version"
    )

    page = await browser.get(sent.headers["location"])
    assert page.status_code == 200
    assert "ordre du jour.pdf" in unescape(page.text) and "2 versions" in page.text
    assert csp_audit(page.text).problems == []
    document_id = await session.scalar(
        select(SpaceDocument.id).where(SpaceDocument.space_id == space.id)
    )
    document_page = await browser.get(f"/spaces/{space.id}/files/{document_id}")
    assert document_page.status_code == 200
    file_ids = list(
        await session.scalars(
            select(StoredFile.id)
            .where(StoredFile.document_id == document_id)
            .order_by(StoredFile.version)
        )
    )
    for file_id in file_ids:
        assert f'href="/api/v1/files/{file_id}/content"' in document_page.text
    assert csp_audit(document_page.text).problems == []

    renamed = await browser.post(
        f"/spaces/{space.id}/files/{document_id}/rename",
        data={"name": "a/b", "csrf_token": csrf},
    )
    assert renamed.status_code == 422 and "/" in alert(renamed.text)


async def test_the_upload_form_needs_the_session_token(make, browser_of, session):
    owner = await make.user()
    space = await make.space(owner=owner)
    browser, _csrf = await browser_of(owner)

    for token in ({}, {"csrf_token": "forged"}):
        refused = await browser.post(
            f"/spaces/{space.id}/files",
            data=token,
            files={"file": ("plan.pdf", a_pdf("x"), "application/pdf")},
        )
        assert refused.status_code == 403
    # Nor does a form of another route, sent as multipart, skip the check.
    forged = await browser.post(
        "/settings/preferences",
        data={"language": "en", "display_name": "Forged"},
        files={"file": ("x.txt", b"x", "text/plain")},
    )
    assert forged.status_code == 403
    assert await session.scalar(select(func.count()).select_from(SpaceDocument)) == 0


async def test_the_files_pages_of_a_secret_space_are_missing_for_an_outsider(make, browser_of):
    owner = await make.user()
    outsider = await make.user(clearance="secret")
    space = await make.space(owner=owner, visibility="secret")
    owner_api = await make.bearer(owner)
    document = await uploaded(owner_api, space.id, a_pdf("s"))
    browser, csrf = await browser_of(outsider)

    for path in (f"/spaces/{space.id}/files", f"/spaces/{space.id}/files/{document['id']}"):
        assert (await browser.get(path)).status_code == 404
    moved = await browser.post(
        f"/spaces/{space.id}/files/{document['id']}/delete", data={"csrf_token": csrf}
    )
    assert moved.status_code == 404
    # A document under another space's path is not found there either.
    mine = await make.space(owner=outsider)
    assert (await browser.get(f"/spaces/{mine.id}/files/{document['id']}")).status_code == 404


async def test_a_new_version_never_lowers_its_document_and_only_its_owners_raise_it(make):
    owner, client = await person(make, clearance="confidential")
    member, member_client = await person(make, clearance="confidential")
    third, third_client = await person(make, clearance="confidential")
    space = await make.space(owner=owner, members=[member, third])
    document = await uploaded(client, space.id, a_pdf("1"), level="confidential")

    lowered = await upload(client, space.id, a_pdf("2"), level="internal")
    expect_error(lowered, 422, "write_down")
    same = await uploaded(member_client, space.id, a_pdf("3"), level="confidential")
    assert (same["id"], same["version"]) == (document["id"], 2)
    other = await uploaded(member_client, space.id, a_pdf("o"), "autre.pdf")
    assert other["level"] == "internal"
    refused = await upload(third_client, space.id, a_pdf("4"), "autre.pdf", level="confidential")
    expect_error(refused, 403, "forbidden")
    raised = await uploaded(client, space.id, a_pdf("5"), "autre.pdf", level="confidential")
    assert (raised["id"], raised["version"], raised["level"]) == (other["id"], 2, "confidential")


async def test_the_files_page_renames_moves_and_deletes_for_moderators(make, browser_of, session):
    owner = await make.user()
    member = await make.user()
    space = await make.space(owner=owner, members=[member])
    owner_api, member_api = await make.bearer(owner), await make.bearer(member)
    folder = await new_folder(owner_api, space.id, "Projets")
    document = await uploaded(member_api, space.id, a_pdf("m"), "note.pdf")
    moderator, csrf = await browser_of(owner)
    member_browser, member_csrf = await browser_of(member)

    page = await moderator.get(f"/spaces/{space.id}/files?folder_id={folder['id']}")
    assert "Supprimer ce dossier" in page.text and csp_audit(page.text).problems == []
    assert (
        "Supprimer ce dossier"
        not in (await member_browser.get(f"/spaces/{space.id}/files?folder_id={folder['id']}")).text
    )
    refused = await member_browser.post(
        f"/spaces/{space.id}/folders/{folder['id']}/rename",
        data={"name": "À moi", "csrf_token": member_csrf},
    )
    assert refused.status_code == 403 and alert(refused.text)

    moved = await moderator.post(
        f"/spaces/{space.id}/files/{document['id']}/move",
        data={"folder_id": str(folder["id"]), "csrf_token": csrf},
    )
    assert moved.status_code == 303
    assert (await session.get(SpaceDocument, document["id"])).folder_id == folder["id"]
    renamed = await moderator.post(
        f"/spaces/{space.id}/folders/{folder['id']}/rename",
        data={"name": "Projets 2025", "csrf_token": csrf},
    )
    assert renamed.status_code == 303
    deleted = await moderator.post(
        f"/spaces/{space.id}/folders/{folder['id']}/delete", data={"csrf_token": csrf}
    )
    assert deleted.headers["location"] == f"/spaces/{space.id}/files?done=folder_deleted"
    gone = await member_browser.get(f"/spaces/{space.id}/files/{document['id']}")
    assert gone.status_code == 404
