"""Files kept in an S3-compatible bucket (``RUCHE_FILE_STORE=s3``), against a real
S3 server (OpenStack Swift's s3api, tests/s3_server.py): the file API as with
local files, nothing of a file left on the app server's disk, and downloads
answered as the local store answers them, ranges included."""

import hashlib

import httpx
import pytest
from pydantic import SecretStr

pytest.importorskip("boto3", reason="RUCHE_FILE_STORE=s3 needs boto3: pip install 'ruche[s3]'")

from app.config import Settings
from app.files.store import LocalStore
from app.main import create_app
from tests.document_check import DocumentedErrorsOnly
from tests.file_helpers import FILES, pdf, png, uploaded
from tests.helpers import expect_error
from tests.s3_server import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY, SwiftS3Server
from tests.stream_helpers import person, publish

BUCKET = "ruche-files"
PREFIX = "ruche/"


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory):
    server = SwiftS3Server(tmp_path_factory.mktemp("swift"))
    try:
        server.start()
        server.client().create_bucket(Bucket=BUCKET)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def bucket(s3_server):
    return s3_server.client()


@pytest.fixture(scope="module")
def s3_settings(settings, s3_server, tmp_path_factory) -> Settings:
    return Settings(
        database_url=settings.database_url,
        var_dir=tmp_path_factory.mktemp("s3-var"),
        secret_key=settings.secret_key,
        public_url=settings.public_url,
        file_store="s3",
        s3_bucket=BUCKET,
        s3_endpoint_url=s3_server.endpoint_url,
        s3_region=REGION,
        s3_access_key_id=ACCESS_KEY_ID,
        s3_secret_access_key=SecretStr(SECRET_ACCESS_KEY),
        s3_prefix=PREFIX,
        _env_file=None,
    )


@pytest.fixture(scope="module")
def built_app(s3_settings):
    """conftest's app, its files in the bucket: ``app``, ``client`` and ``make``
    of this module use it."""
    app = create_app(s3_settings)
    app.add_middleware(DocumentedErrorsOnly, document=app.openapi())
    return app


def local_files(settings: Settings) -> list:
    return [path for path in settings.files_dir.rglob("*") if path.is_file()]


def object_bytes(bucket, key: str) -> bytes:
    return bucket.get_object(Bucket=BUCKET, Key=PREFIX + key)["Body"].read()


async def test_an_image_on_a_post_is_kept_in_the_bucket_and_served_from_it(
    make, bucket, s3_settings
):
    _author, client = await person(make)
    image = await uploaded(client, png(), "équipe.png")
    post = await publish(client, "Notre équipe", attachments=[image["id"]])

    (shown,) = post["attachments"]
    got = await client.get(shown["url"])
    assert got.status_code == 200
    assert got.headers["content-type"] == "image/png"
    assert got.headers["content-disposition"].startswith("inline;")
    assert got.headers["content-length"] == str(len(got.content))
    key = hashlib.sha256(got.content).hexdigest()
    assert got.headers["etag"] == f'"{key}"'
    assert object_bytes(bucket, key) == got.content
    small = await client.get(shown["previews"]["small"])
    assert small.status_code == 200 and small.headers["content-type"] == "image/webp"
    assert object_bytes(bucket, f"{key}.small") == small.content
    cached = await client.get(shown["url"], headers={"If-None-Match": f'"{key}"'})
    assert cached.status_code == 304
    # Nothing of it stays on this app server: neither the upload nor its previews.
    assert local_files(s3_settings) == []


async def test_a_file_of_a_secret_space_is_missing_for_an_employee_outside(make):
    author, client = await person(make)
    _outsider, outsider_client = await person(make)
    space = await make.space(owner=author, visibility="secret")
    image = await uploaded(client, png(colour=(1, 2, 3)))
    await publish(client, "Secret", space_id=space.id, attachments=[image["id"]])

    for path in (f"{FILES}/{image['id']}", image["url"], image["previews"]["small"]):
        expect_error(await outsider_client.get(path), 404, "not_found")
    assert (await client.get(image["url"])).status_code == 200


async def test_a_range_of_a_document_is_read_from_the_bucket(make):
    _author, client = await person(make)
    content = pdf() + bytes(range(256)) * 4_000
    document = await uploaded(client, content, "plan.pdf")

    part = await client.get(document["url"], headers={"Range": "bytes=1000-1999"})

    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(content)}"
    assert part.headers["content-length"] == "1000"
    assert part.content == content[1000:2000]
    assert part.headers["content-disposition"].startswith("attachment;")
    whole = await client.get(document["url"])
    assert whole.status_code == 200 and whole.content == content


async def test_a_deleted_upload_is_gone_and_its_bytes_can_be_collected(app, make, bucket):
    _author, client = await person(make)
    content = pdf() + b"% brouillon\n"
    document = await uploaded(client, content, "brouillon.pdf")
    key = hashlib.sha256(content).hexdigest()

    assert (await client.delete(f"{FILES}/{document['id']}")).status_code == 204

    expect_error(await client.get(document["url"]), 404, "not_found")
    store = app.state.files
    assert await store.exists(key)
    await store.delete(key)
    assert not await store.exists(key)
    listed = bucket.list_objects_v2(Bucket=BUCKET, Prefix=PREFIX + key)
    assert listed.get("KeyCount", 0) == 0
    await store.delete(key)  # already gone: no error, as for a local file


# A document of several chunks and, over 8 MB, sent to the bucket in parts.
LARGE = pdf() + bytes(range(256)) * 36_000


@pytest.fixture(scope="module")
async def both_stores(built_app, tmp_path_factory):
    """The same document kept by the local store and by the bucket's."""
    stores = (LocalStore(tmp_path_factory.mktemp("local-files")), built_app.state.files)
    for store in stores:
        with store.temporary() as incoming:
            incoming.write(LARGE)
            key = await store.keep(incoming)
    return (*stores, key)


async def served(store, key: str, headers: dict[str, str]) -> httpx.Response:
    async def answer(scope, receive, send):
        response = store.response(key, media_type="application/pdf", headers={"etag": f'"{key}"'})
        await response(scope, receive, send)

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=answer), base_url="http://testserver"
    ) as client:
        return await client.get("/", headers=headers)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Range": "bytes=0-99"},
        {"Range": "bytes=8000000-"},
        {"Range": "bytes=-10"},
        {"Range": "bytes=100-999999999"},
        {"Range": f"bytes={len(LARGE)}-"},
        {"Range": "bytes=0-99", "If-Range": f'"{hashlib.sha256(LARGE).hexdigest()}"'},
        {"Range": "bytes=0-99", "If-Range": '"other"'},
    ],
    ids=[
        "whole",
        "first",
        "from",
        "suffix",
        "past-end",
        "unsatisfiable",
        "if-range-same",
        "if-range-other",
    ],
)
async def test_the_bucket_answers_downloads_as_the_local_store_does(both_stores, headers):
    local, s3, key = both_stores

    expected, got = await served(local, key, headers), await served(s3, key, headers)

    assert got.status_code == expected.status_code
    for header in ("content-range", "content-length", "accept-ranges", "etag"):
        assert got.headers.get(header) == expected.headers.get(header), header
    assert got.content == expected.content


async def test_several_ranges_get_the_whole_file_from_the_bucket(both_stores):
    """AWS S3 does not serve several ranges at once; a server may answer all."""
    _local, s3, key = both_stores

    got = await served(s3, key, {"Range": "bytes=0-9,20-29"})

    assert got.status_code == 200 and got.content == LARGE
