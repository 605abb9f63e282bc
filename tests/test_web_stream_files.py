"""Files in the stream's pages, without scripts: the composer, the comment form
and the reply form are plain multipart forms whose files stream in with them
and are attached in the same transaction; a refused file writes nothing and
shows the form again with the reason. What is attached shows in the stream (a
gallery of previews, cards to download), also under the feed's first comments,
only to those who may read the post."""

import re
from html import unescape

import pytest
from sqlalchemy import event, func, select

from app.models import Blob, Post, StoredFile
from tests.api_helpers import BROWSER, app_with, client_for
from tests.factories import PASSWORD
from tests.file_helpers import FILES, pdf, png, uploaded
from tests.stream_helpers import FEED, POSTS, comment_on, person, publish, read_post
from tests.test_web_pages import audit as csp_audit
from tests.test_web_spaces import alert
from tests.test_web_stream import location

NOT_A_KNOWN_KIND = b"\x00\x01\x02 nothing any signature knows \xff\xfe" * 20


async def count(session, model, *conditions) -> int:
    return await session.scalar(select(func.count()).select_from(model).where(*conditions))


def composer_form(csrf: str, body: str = "Avec pièces jointes", **fields) -> dict:
    """The composer's fields, the token first as the page sends it."""
    return {"csrf_token": csrf, "body": body, "level": "internal", "next": "/", **fields}


async def files_of(session, post_id: int) -> list[StoredFile]:
    return list(
        await session.scalars(
            select(StoredFile).where(StoredFile.post_id == post_id).order_by(StoredFile.position)
        )
    )


def incoming_left(app) -> list:
    incoming = app.state.files.incoming_dir
    return list(incoming.iterdir()) if incoming.is_dir() else []


# --- the composer without scripts -------------------------------------------------


async def test_the_composer_publishes_the_files_sent_with_it(make, browser_of, session, app):
    author = await make.user(language="en")
    browser, csrf = await browser_of(author)

    published = await browser.post(
        "/posts",
        data=composer_form(csrf),
        files=[
            ("files", ("vacances.png", png(400, 200), "image/png")),
            ("files", ("compte-rendu.pdf", pdf(), "application/pdf")),
        ],
    )

    path, query, fragment = location(published)
    post = await session.scalar(select(Post).where(Post.author_id == author.id))
    assert (path, query["done"], fragment) == ("/", ["published"], f"post-{post.id}")
    image, document = await files_of(session, post.id)
    assert (image.name, document.name) == ("vacances.png", "compte-rendu.pdf")
    assert image.comment_id is None and image.uploader_id == author.id
    home = (await browser.get("/")).text
    card = home[home.index(f'id="post-{post.id}"') :]
    gallery = re.search(r'<ul class="gallery[^"]*".*?</ul>', card, re.S)[0]
    assert f'href="/api/v1/files/{image.id}/content"' in gallery
    assert f'src="/api/v1/files/{image.id}/content?preview=small"' in gallery
    assert 'width="320" height="160"' in gallery and 'alt="vacances.png"' in gallery
    files = re.search(r'<ul class="file-cards.*?</ul>', card, re.S)[0]
    assert f'href="/api/v1/files/{document.id}/content" download' in files
    assert "compte-rendu.pdf" in files and "PDF document" in files and "bytes" in files
    assert csp_audit(home).problems == []
    assert incoming_left(app) == []


async def test_a_refused_file_shows_the_composer_again_and_writes_nothing(
    make, browser_of, session, app
):
    author = await make.user(language="en")
    browser, csrf = await browser_of(author)
    blobs = await count(session, Blob)

    refused = await browser.post(
        "/posts",
        data=composer_form(csrf, "Mon texte reste là"),
        files=[
            ("files", ("photo.png", png(), "image/png")),
            ("files", ("outil.exe", NOT_A_KNOWN_KIND, "application/octet-stream")),
        ],
    )

    assert refused.status_code == 422
    assert alert(refused.text).startswith("This kind of file is not accepted here. Accepted: ")
    assert ">Mon texte reste là</textarea>" in refused.text
    assert 'enctype="multipart/form-data"' in refused.text
    assert await count(session, Post) == 0
    assert await count(session, StoredFile) == 0
    assert await count(session, Blob) == blobs
    assert incoming_left(app) == []


async def test_a_file_over_the_limit_is_refused_while_it_streams(make, settings, db):
    author = await make.user(language="en")
    small = app_with(settings, db, max_upload_mb=1)
    async with client_for(small) as browser:
        signed = await browser.post(
            "/api/v1/auth/login", json={"email": author.email, "password": PASSWORD}
        )
        csrf = signed.json()["csrf_token"]
        browser.headers.update(BROWSER)
        home = await browser.get("/")
        too_large = await browser.post(
            "/posts",
            data=composer_form(csrf),
            files=[("files", ("grand.pdf", pdf() + b"0" * 1_100_000, "application/pdf"))],
        )

    # The page tells the limit to the script, which checks a file before sending it.
    assert 'data-max-upload-bytes="1000000"' in home.text
    assert "1 MB at most each" in home.text

    assert too_large.status_code == 413
    assert "A file may be at most 1 MB." in unescape(too_large.text)
    assert await count(make.session, Post) == 0
    assert await count(make.session, StoredFile) == 0
    assert incoming_left(small) == []


async def test_files_uploaded_by_script_are_attached_by_their_ids(make, browser_of, session):
    author = await make.user(language="en")
    api = await make.signed_in(author)
    first = await uploaded(api, png(), "un.png")
    second = await uploaded(api, pdf(), "deux.pdf")
    _someone, someone_api = await person(make)
    theirs = await uploaded(someone_api, png(colour=(0, 0, 200)), "autre.png")
    browser, csrf = await browser_of(author)

    published = await browser.post(
        "/posts",
        data=composer_form(csrf, attachments=[str(second["id"]), str(first["id"])]),
        files=[("files", ("trois.png", png(colour=(0, 200, 0)), "image/png"))],
    )
    someone_elses = await browser.post(
        "/posts", data=composer_form(csrf, "Pas à moi", attachments=[str(theirs["id"])])
    )

    assert published.status_code == 303
    post_id = int(location(published)[2].removeprefix("post-"))
    assert [file.name for file in await files_of(session, post_id)] == [
        "deux.pdf",
        "un.png",
        "trois.png",
    ]
    assert someone_elses.status_code == 422
    assert alert(someone_elses.text) == "A file to attach is not one of your new uploads."
    assert ">Pas à moi</textarea>" in someone_elses.text
    assert await count(session, Post) == 1
    await session.refresh(await session.get(StoredFile, theirs["id"]))
    assert (await session.get(StoredFile, theirs["id"])).post_id is None


async def test_a_refused_post_keeps_the_files_uploaded_by_script(make, browser_of):
    author = await make.user(language="en")
    api = await make.signed_in(author)
    kept = await uploaded(api, pdf(), "programme.pdf")
    browser, csrf = await browser_of(author)

    refused = await browser.post(
        "/posts",
        data=composer_form(
            csrf, "Quel jour ?", kind="poll", poll_options="Lundi", attachments=[str(kept["id"])]
        ),
    )

    assert refused.status_code == 422
    assert alert(refused.text) == "A poll has from 2 to 10 non-empty options."
    assert f'name="attachments" value="{kept["id"]}"' in refused.text
    assert "programme.pdf" in refused.text


async def test_a_form_with_files_needs_its_token_before_them(make, browser_of, session):
    author = await make.user(language="en")
    browser, csrf = await browser_of(author)
    boundary = "ruche-test-boundary"

    def multipart(*parts: tuple[str, str | None, bytes]) -> bytes:
        body = b""
        for name, filename, content in parts:
            disposition = f'form-data; name="{name}"'
            if filename:
                disposition += f'; filename="{filename}"'
            body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
            body += content + b"\r\n"
        return body + f"--{boundary}--\r\n".encode()

    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    without = await browser.post(
        "/posts",
        content=multipart(("body", None, b"Sans jeton"), ("files", "a.png", png())),
        headers=headers,
    )
    after_the_file = await browser.post(
        "/posts",
        content=multipart(
            ("body", None, b"Jeton trop tard"),
            ("files", "a.png", png()),
            ("csrf_token", None, csrf.encode()),
        ),
        headers=headers,
    )
    wrong = await browser.post(
        "/posts",
        content=multipart(("csrf_token", None, b"not-the-token"), ("body", None, b"Faux")),
        headers=headers,
    )
    first = await browser.post(
        "/posts",
        content=multipart(
            ("csrf_token", None, csrf.encode()),
            ("body", None, b"Jeton d'abord"),
            ("files", "a.png", png()),
        ),
        headers=headers,
    )

    assert [without.status_code, after_the_file.status_code, wrong.status_code] == [403] * 3
    assert "The form has expired" in unescape(without.text)
    assert first.status_code == 303
    assert [post.body for post in await session.scalars(select(Post))] == ["Jeton d'abord"]
    assert await count(session, StoredFile) == 1


# --- comments and replies ---------------------------------------------------------


async def test_a_comment_and_a_reply_carry_files_and_the_stream_shows_them(
    make, browser_of, session
):
    _author, author_api = await person(make, language="en")
    post = await publish(author_api, "Des photos ?")
    reader = await make.user(language="en")
    browser, csrf = await browser_of(reader)

    commented = await browser.post(
        f"/posts/{post['id']}/comments",
        data={"csrf_token": csrf, "body": "Voici la photo", "next": "/"},
        files=[("files", ("groupe.png", png(), "image/png"))],
    )
    comment_id = int(location(commented)[2].removeprefix("comment-"))
    replied = await browser.post(
        f"/posts/{post['id']}/comments",
        data={"csrf_token": csrf, "body": "Et le programme", "parent_id": str(comment_id)},
        files=[("files", ("programme.pdf", pdf(), "application/pdf"))],
    )
    refused = await browser.post(
        f"/posts/{post['id']}/comments",
        data={"csrf_token": csrf, "body": "Ceci n'est pas accepté"},
        files=[("files", ("outil.exe", NOT_A_KNOWN_KIND, "application/octet-stream"))],
    )

    assert commented.status_code == replied.status_code == 303
    photo, program = await session.scalars(
        select(StoredFile).where(StoredFile.post_id == post["id"]).order_by(StoredFile.id)
    )
    assert photo.comment_id == comment_id and program.comment_id != comment_id
    assert refused.status_code == 422
    assert alert(refused.text).startswith("This kind of file is not accepted here.")
    assert await count(session, StoredFile) == 2
    page = (await browser.get(f"/posts/{post['id']}")).text
    thread = page[page.index(f'id="comment-{comment_id}"') :]
    assert f'src="/api/v1/files/{photo.id}/content?preview=small"' in thread
    assert f'href="/api/v1/files/{program.id}/content" download' in thread
    assert page.count('enctype="multipart/form-data"') == 2  # the comment form and one reply form
    home = (await browser.get("/")).text
    start = home.index(f'id="post-{post["id"]}-comment-{comment_id}"')
    first_comments = home[start : home.index("</article>", start)]
    assert f'src="/api/v1/files/{photo.id}/content?preview=small"' in first_comments
    assert program.name not in first_comments  # a reply is not a first comment
    assert csp_audit(page).problems == []


async def test_the_feeds_first_comments_carry_their_files_to_their_readers_only(make, session):
    author, author_api = await person(make)
    contractor, contractor_api = await person(make, kind="contractor")
    space = await make.space(owner=author, allows_externals=True, members=[contractor])
    post = await publish(author_api, "Public", space_id=space.id, level="public")
    photo = await uploaded(contractor_api, png(), "chantier.png")
    await comment_on_with(contractor_api, post["id"], "Vu", [photo["id"]])

    seen = (await contractor_api.get(FEED)).json()["items"][0]
    assert [f["id"] for f in seen["first_comments"][0]["attachments"]] == [photo["id"]]
    assert seen["first_comments"][0]["attachments"][0]["previews"]["small"].endswith(
        "?preview=small"
    )
    raised = await author_api.patch(f"{POSTS}/{post['id']}", json={"level": "internal"})
    assert raised.status_code == 200, raised.text

    assert (await contractor_api.get(FEED)).json()["items"] == []
    assert (await contractor_api.get(f"{FILES}/{photo['id']}/content")).status_code == 404
    shown = await read_post(author_api, post["id"])
    assert shown["first_comments"][0]["attachments"][0]["id"] == photo["id"]


async def comment_on_with(client, post_id: int, body: str, attachments: list[int]) -> dict:
    response = await client.post(
        f"{POSTS}/{post_id}/comments", json={"body": body, "attachments": attachments}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_first_comments_files_cost_no_statement_more(make, db):
    _author, api = await person(make)
    posts = [await publish(api, f"Post {n}") for n in range(3)]
    for post in posts:
        await comment_on(api, post["id"], "Sans fichier")

    async def statements_of_a_page() -> int:
        counted = []

        def count_one(*_args):
            counted.append(1)

        event.listen(db.engine.sync_engine, "before_cursor_execute", count_one)
        try:
            page = await api.get(FEED)
        finally:
            event.remove(db.engine.sync_engine, "before_cursor_execute", count_one)
        assert page.status_code == 200
        return len(counted)

    await api.get(FEED)  # what a first request may do once
    without_files = await statements_of_a_page()
    for post in posts:
        photo = await uploaded(api, png(colour=(post["id"] % 255, 0, 0)), "photo.png")
        await comment_on_with(api, post["id"], "Avec fichier", [photo["id"]])
    with_files = await statements_of_a_page()

    items = (await api.get(FEED)).json()["items"]
    assert all(len(item["first_comments"]) == 2 for item in items)
    assert all(item["first_comments"][1]["attachments"] for item in items)
    assert with_files == without_files


@pytest.mark.parametrize("where", ["composer", "comment"])
async def test_too_many_files_by_id_are_refused(make, browser_of, where, session):
    author = await make.user(language="en")
    post = await make.post(author=author)
    browser, csrf = await browser_of(author)
    path = "/posts" if where == "composer" else f"/posts/{post.id}/comments"

    answer = await browser.post(
        path, data={**composer_form(csrf), "attachments": [str(n) for n in range(1, 12)]}
    )

    assert answer.status_code == 422
    assert await count(session, StoredFile) == 0
