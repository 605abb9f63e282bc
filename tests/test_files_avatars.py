"""Avatars through the API: a person sets, replaces and removes their photo; it
shows with them wherever they are shown, and is read by exactly the people who
may know of them."""

import html
import io
import re
import struct
import zlib

from PIL import Image
from sqlalchemy import select

from app.models import StoredFile
from tests.file_helpers import FILES, pdf, png
from tests.helpers import expect_error
from tests.stream_helpers import POSTS, person, publish

AVATAR = "/api/v1/me/avatar"


async def set_avatar(client, content: bytes, name: str = "moi.png"):
    return await client.put(AVATAR, files={"file": (name, content, "image/png")})


async def avatar_of(client, content: bytes | None = None) -> str:
    """Sets a photo that must be taken; its URL."""
    response = await set_avatar(client, content or png(300, 200))
    assert response.status_code == 200, response.text
    return response.json()["avatar_url"]


def image_bomb() -> bytes:
    """A PNG of a few bytes that says it is 30,000 pixels square."""
    header = struct.pack(">IIBBBBB", 30_000, 30_000, 8, 0, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"") + chunk(b"IEND", b"")


async def test_a_photo_becomes_a_square_avatar(make):
    user, client = await person(make)
    _colleague, colleague_client = await person(make)

    response = await set_avatar(client, png(300, 200))

    assert response.status_code == 200, response.text
    me = response.json()
    assert me["id"] == user.id
    url = me["avatar_url"]
    assert url.startswith(f"{FILES}/") and url.endswith("/content")
    assert (await client.get("/api/v1/me")).json()["avatar_url"] == url
    got = await colleague_client.get(url)
    assert got.status_code == 200
    assert got.headers["content-type"] == "image/webp"
    assert Image.open(io.BytesIO(got.content)).size == (256, 256)


async def test_a_replaced_photo_is_shown_to_nobody(make, session):
    _user, client = await person(make)
    _colleague, colleague_client = await person(make)
    first = await avatar_of(client, png(colour=(10, 200, 10)))

    second = await avatar_of(client, png(colour=(10, 10, 200)))

    assert second != first
    assert (await colleague_client.get(second)).status_code == 200
    for reader in (colleague_client, client):
        expect_error(await reader.get(first), 404, "not_found")
    first_id = int(first.split("/")[-2])
    old = await session.scalar(select(StoredFile).where(StoredFile.id == first_id))
    assert old.detached_at is not None


async def test_a_removed_photo_leaves_the_initials(make):
    _user, client = await person(make)
    _colleague, colleague_client = await person(make)
    url = await avatar_of(client)

    removed = await client.delete(AVATAR)

    assert removed.status_code == 204
    assert (await client.get("/api/v1/me")).json()["avatar_url"] is None
    expect_error(await colleague_client.get(url), 404, "not_found")
    assert (await client.delete(AVATAR)).status_code == 204  # nothing to remove: no error


async def test_what_is_no_photo_is_refused_and_changes_nothing(make):
    _user, client = await person(make)
    url = await avatar_of(client)

    expect_error(await set_avatar(client, pdf(), "moi.png"), 422, "file_type")
    expect_error(await set_avatar(client, image_bomb()), 422, "image_too_large")
    expect_error(await set_avatar(client, b""), 422, "empty_file")
    expect_error(await client.put(AVATAR, json={"file": "moi.png"}), 422, "not_multipart")
    nothing = await client.put(AVATAR, files={"photo": ("moi.png", png(), "image/png")})
    expect_error(nothing, 422, "no_file")
    two = [("file", ("a.png", png(), "image/png")), ("file", ("b.png", png(), "image/png"))]
    expect_error(await client.put(AVATAR, files=two), 422, "too_many_files")

    assert (await client.get("/api/v1/me")).json()["avatar_url"] == url
    assert (await client.get(url)).status_code == 200


async def test_only_its_person_sets_or_removes_a_photo(make, client):
    expect_error(await set_avatar(client, png()), 401, "not_authenticated")
    expect_error(await client.delete(AVATAR), 401, "not_authenticated")
    _owner, owner_client = await person(make)
    url = await avatar_of(owner_client)
    _other, other_client = await person(make)

    expect_error(await other_client.delete(url.removesuffix("/content")), 403, "not_uploader")
    expect_error(await owner_client.delete(url.removesuffix("/content")), 403, "not_uploader")

    assert (await other_client.get(url)).status_code == 200


async def test_an_external_sees_the_photos_of_only_the_people_they_may_know_of(make):
    stranger, stranger_client = await person(make)
    teammate, teammate_client = await person(make)
    contractor, contractor_client = await person(make, kind="contractor")
    await make.space(owner=teammate, members=[contractor], allows_externals=True)
    stranger_photo = await avatar_of(stranger_client)
    teammate_photo = await avatar_of(teammate_client)

    expect_error(await contractor_client.get(stranger_photo), 404, "not_found")
    expect_error(
        await contractor_client.get(stranger_photo.removesuffix("/content")), 404, "not_found"
    )
    expect_error(await contractor_client.get(f"/api/v1/users/{stranger.id}"), 404, "not_found")
    assert (await contractor_client.get(teammate_photo)).status_code == 200
    shown = (await contractor_client.get(f"/api/v1/users/{teammate.id}")).json()
    assert shown["avatar_url"] == teammate_photo

    # Once the stranger writes what the contractor reads, they are known, photo and all.
    await publish(stranger_client, "Bienvenue à nos prestataires", level="public")
    assert (await contractor_client.get(stranger_photo)).status_code == 200


async def test_the_photo_shows_with_posts_comments_and_people(make):
    author, client = await person(make, display_name="Zoé Avatar")
    _reader, reader_client = await person(make)
    url = await avatar_of(client)
    post = await publish(client, "Ma nouvelle photo")
    comment = await client.post(f"{POSTS}/{post['id']}/comments", json={"body": "Jolie"})

    assert post["author"]["avatar_url"] == url
    assert comment.json()["author"]["avatar_url"] == url
    feed = (await reader_client.get("/api/v1/feed")).json()["items"]
    assert next(item for item in feed if item["id"] == post["id"])["author"]["avatar_url"] == url
    people = (await reader_client.get("/api/v1/users", params={"q": "Zoé Avatar"})).json()
    assert [(p["id"], p["avatar_url"]) for p in people["items"]] == [(author.id, url)]
    without = (await client.get(f"/api/v1/users/{_reader.id}")).json()
    assert without["avatar_url"] is None


# --- the settings page, without scripts ---------------------------------------------

AVATAR_IMAGE = re.compile(r'<img class="avatar avatar-(small|large)" src="([^"]+)"')


def photos_in(html: str) -> set[str]:
    return {match.group(2) for match in AVATAR_IMAGE.finditer(html)}


async def send_photo(client, csrf: str | None, content: bytes, name: str = "moi.png"):
    """The settings page's form as a browser sends it: its hidden token first."""
    data = {"csrf_token": csrf} if csrf else {}
    return await client.post(
        "/settings/avatar", data=data, files={"file": (name, content, "image/png")}
    )


async def test_the_settings_form_sets_and_removes_a_photo_without_scripts(make, browser_of):
    user = await make.user(display_name="Élise Martin")
    client, csrf = await browser_of(user)
    page = (await client.get("/settings")).text
    form = page[page.index('action="/settings/avatar"') :]
    assert 'enctype="multipart/form-data"' in form[:200]
    assert form.index('name="csrf_token"') < form.index('type="file"')
    assert "ÉM" in page and not photos_in(page)  # initials until there is a photo

    sent = await send_photo(client, csrf, png(300, 200))

    assert sent.status_code == 303
    assert sent.headers["location"] == "/settings?saved=avatar"
    page = (await client.get("/settings?saved=avatar")).text
    (url,) = photos_in(page)
    assert (await client.get(url)).headers["content-type"] == "image/webp"
    assert "Supprimer ma photo" in page

    removed = await client.post("/settings/avatar/remove", data={"csrf_token": csrf})

    assert removed.status_code == 303
    assert not photos_in((await client.get("/settings")).text)
    assert (await client.get(url)).status_code == 404


async def test_the_settings_form_refuses_in_the_pages_language(make, browser_of):
    user = await make.user(language="fr")
    client, csrf = await browser_of(user)

    for content, status, message in (
        (pdf(), 422, "Ce type de fichier n'est pas accepté ici"),
        (image_bomb(), 422, "Cette image a trop de pixels"),
        (b"\0" * (25_000_000 + 1), 413, "Un fichier ne peut dépasser 25 Mo."),
    ):
        refused = await send_photo(client, csrf, content)
        assert refused.status_code == status, refused.text[:300]
        assert refused.headers["content-type"].startswith("text/html")
        assert message in html.unescape(refused.text)
        # Beside the file input, which points at it.
        assert '<p class="field-error" id="error-file">' in refused.text
        assert 'aria-describedby="avatar-help error-file" aria-invalid="true"' in refused.text

    assert (await client.get("/api/v1/me", headers={"Accept": "application/json"})).json()[
        "avatar_url"
    ] is None


async def test_a_form_with_a_file_needs_its_token_before_the_file(make, browser_of):
    user = await make.user(language="fr")
    client, csrf = await browser_of(user)

    for refused in (
        await send_photo(client, None, png()),
        await send_photo(client, "not-the-token", png()),
        # A token after the file is not looked for: the file is never read first.
        await client.post(
            "/settings/avatar",
            files=[("file", ("moi.png", png(), "image/png")), ("csrf_token", (None, csrf))],
        ),
    ):
        assert refused.status_code == 403
        assert "Le formulaire a expiré" in refused.text
    assert user.avatar_file_id is None
    # The other forms take their token from a multipart body too.
    saved = await client.post(
        "/settings/preferences",
        files={"csrf_token": (None, csrf), "language": (None, "fr"), "display_name": (None, "A")},
    )
    assert saved.status_code == 303


async def test_photos_show_beside_posts_comments_people_and_notifications(make, browser_of):
    author, author_client = await person(make, display_name="Zoé Avatar")
    reader = await make.user(display_name="Rémi Lecteur")
    url = await avatar_of(author_client)
    post = await publish(author_client, f"Bonjour @{reader.handle}")
    await author_client.post(f"{POSTS}/{post['id']}/comments", json={"body": "Et merci"})
    reader_client, _csrf = await browser_of(reader)

    for path in (
        "/",
        f"/posts/{post['id']}",
        f"/people/{author.handle}",
        "/people?q=Zo%C3%A9",
        "/search?q=Zo%C3%A9",
        "/notifications",
    ):
        page = await reader_client.get(path)
        assert page.status_code == 200, path
        assert url in photos_in(page.text), path
    # Without a photo: initials, on the colour of the person's id.
    people = (await reader_client.get("/people?q=R%C3%A9mi")).text
    assert f'avatar-hue-{reader.id % 10}" aria-hidden="true">RL</span>' in people


async def test_a_space_lists_its_members_with_their_photos(make, browser_of):
    owner = await make.user()
    member, member_client = await person(make)
    space = await make.space(owner=owner, members=[member], visibility="private")
    url = await avatar_of(member_client)
    owner_client, _csrf = await browser_of(owner)

    page = await owner_client.get(f"/spaces/{space.id}?tab=members")

    assert url in photos_in(page.text)
