"""Files through the API: upload, attach to posts and comments, download, and
the rule that a file is readable exactly when what it is attached to is."""

import io

from PIL import Image

from app.api.files import SANDBOX
from tests.file_helpers import FILES, jpeg_with_gps, pdf, png, upload, uploaded
from tests.helpers import expect_error
from tests.stream_helpers import POSTS, person, publish, read_post


async def test_an_image_attached_to_a_post_is_shown_and_downloaded(make):
    _author, client = await person(make)
    image = await uploaded(client, png(), "vacances été.png")

    post = await publish(client, "Notre équipe", attachments=[image["id"]])

    (shown,) = post["attachments"]
    assert shown["name"] == "vacances été.png"
    assert shown["content_type"] == "image/png" and shown["inline"] is True
    assert (shown["width"], shown["height"]) == (64, 48)
    got = await client.get(shown["url"])
    assert got.status_code == 200
    assert got.headers["content-type"] == "image/png"
    assert got.headers["content-disposition"].startswith("inline;")
    assert "filename*=UTF-8''vacances%20%C3%A9t%C3%A9.png" in got.headers["content-disposition"]
    assert got.headers["cache-control"].startswith("private")
    assert SANDBOX in got.headers.get_list("content-security-policy")
    assert Image.open(io.BytesIO(got.content)).size == (64, 48)
    small = await client.get(shown["previews"]["small"])
    assert small.headers["content-type"] == "image/webp"
    assert Image.open(io.BytesIO(small.content)).format == "WEBP"


async def test_a_photo_is_turned_upright_and_loses_its_gps(make):
    _author, client = await person(make)

    image = await uploaded(client, jpeg_with_gps(80, 40, orientation=6), "IMG_0001.jpg")

    assert (image["width"], image["height"]) == (40, 80)
    stored = Image.open(io.BytesIO((await client.get(image["url"])).content))
    assert stored.size == (40, 80)
    exif = stored.getexif()
    assert 0x8825 not in exif and 0x0112 not in exif and 0x010F not in exif


async def test_a_contractor_loses_a_file_when_its_post_is_raised(make):
    author, client = await person(make)
    contractor, contractor_client = await person(make, kind="contractor")
    space = await make.space(owner=author, members=[contractor], allows_externals=True)
    document = await uploaded(client, pdf(), "plan.pdf")
    post = await publish(
        client, "Le plan", space_id=space.id, level="public", attachments=[document["id"]]
    )
    url = post["attachments"][0]["url"]
    got = await contractor_client.get(url)
    assert got.status_code == 200 and got.content == pdf()
    assert got.headers["content-disposition"].startswith("attachment;")

    raised = await client.patch(f"{POSTS}/{post['id']}", json={"level": "internal"})
    assert raised.status_code == 200, raised.text

    expect_error(await contractor_client.get(url), 404, "not_found")
    expect_error(await contractor_client.get(f"{FILES}/{document['id']}"), 404, "not_found")
    expect_error(await contractor_client.get(f"{FILES}/999999999/content"), 404, "not_found")


async def test_a_file_of_a_secret_space_is_missing_for_an_employee_outside(make):
    author, client = await person(make)
    _outsider, outsider_client = await person(make)
    space = await make.space(owner=author, visibility="secret")
    image = await uploaded(client, png())
    await publish(client, "Secret", space_id=space.id, attachments=[image["id"]])

    for path in (f"{FILES}/{image['id']}", image["url"], image["previews"]["small"]):
        expect_error(await outsider_client.get(path), 404, "not_found")


async def test_an_unattached_upload_is_its_uploaders_alone(make):
    _author, client = await person(make)
    _other, other_client = await person(make)
    image = await uploaded(client, png())

    expect_error(await other_client.get(image["url"]), 404, "not_found")
    refused = await other_client.post(POSTS, json={"body": "x", "attachments": [image["id"]]})
    expect_error(refused, 422, "unknown_file")
    assert (await client.get(image["url"])).status_code == 200


async def test_a_deleted_post_takes_its_files_along(make):
    _author, client = await person(make)
    _reader, reader_client = await person(make)
    image = await uploaded(client, png())
    post = await publish(client, "Bientôt supprimé", attachments=[image["id"]])
    assert (await reader_client.get(image["url"])).status_code == 200

    assert (await client.delete(f"{POSTS}/{post['id']}")).status_code == 204

    expect_error(await reader_client.get(image["url"]), 404, "not_found")


async def test_comments_carry_files(make):
    _author, client = await person(make)
    post = await publish(client, "Vos photos ?")
    image = await uploaded(client, png())

    response = await client.post(
        f"{POSTS}/{post['id']}/comments", json={"body": "La mienne", "attachments": [image["id"]]}
    )

    assert response.status_code == 201, response.text
    assert [f["id"] for f in response.json()["attachments"]] == [image["id"]]
    listed = (await client.get(f"{POSTS}/{post['id']}/comments")).json()["items"]
    assert [f["id"] for f in listed[0]["attachments"]] == [image["id"]]
    assert (await read_post(client, post["id"]))["attachments"] == []


async def test_ranges_and_etags(make):
    _author, client = await person(make)
    document = await uploaded(client, pdf(), "plan.pdf")

    part = await client.get(document["url"], headers={"Range": "bytes=0-3"})
    assert part.status_code == 206 and part.content == b"%PDF"
    etag = part.headers["etag"]
    again = await client.get(document["url"], headers={"If-None-Match": etag})
    assert again.status_code == 304


async def test_a_png_named_pdf_is_a_png_and_html_named_png_is_never_rendered(make):
    _author, client = await person(make)

    image = await uploaded(client, png(), "rapport.pdf")
    assert (image["name"], image["content_type"]) == ("rapport.png", "image/png")

    page = b"<!doctype html><html><script>alert(1)</script></html>"
    expect_error(await upload(client, page, "chat.png", purpose="image"), 422, "file_type")
    html = await uploaded(client, page, "chat.png", content_type="image/png")
    assert html["content_type"] == "text/html" and html["inline"] is False
    got = await client.get(html["url"])
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff"


async def test_an_edit_adds_files_and_the_uploader_takes_one_off(make):
    _author, client = await person(make)
    _reader, reader_client = await person(make)
    first, second = (await uploaded(client, png()))["id"], (await uploaded(client, pdf()))["id"]
    post = await publish(client, "Compte rendu", attachments=[first])

    edited = await client.patch(f"{POSTS}/{post['id']}", json={"attachments": [second]})

    assert [f["id"] for f in edited.json()["attachments"]] == [first, second]
    assert (await reader_client.get(f"{FILES}/{second}")).status_code == 200
    expect_error(await reader_client.delete(f"{FILES}/{first}"), 403, "not_uploader")
    assert (await client.delete(f"{FILES}/{first}")).status_code == 204
    assert [f["id"] for f in (await read_post(client, post["id"]))["attachments"]] == [second]
    expect_error(await reader_client.get(f"{FILES}/{first}"), 404, "not_found")


async def test_a_post_holds_ten_files_at_most(make):
    _author, client = await person(make)
    files = [(await uploaded(client, png(8 + i, 8)))["id"] for i in range(11)]
    post = await publish(client, "Album", attachments=files[:10])

    refused = await client.patch(f"{POSTS}/{post['id']}", json={"attachments": files[10:]})

    expect_error(refused, 422, "too_many_files")
    assert len((await read_post(client, post["id"]))["attachments"]) == 10
