"""Bad uploads, through ``POST /api/v1/files`` and a post's attachments: each is
refused in the documented shape (or kept as the harmless thing it is), and
nothing is left half-written: no row, and nothing in ``var/files`` (its
``incoming`` temporary files included).

Each test runs an app of its own over a fresh ``var/`` (``fresh``), so that
what the store holds afterwards is this test's alone. The bodies that need it
are driven through the ASGI interface by hand (``send_form``): counting the
bytes the app read, or stopping half-way as a client that goes away does."""

import asyncio
import io
import json
import os
import struct
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from PIL import Image, PngImagePlugin
from sqlalchemy import func, select

from app.api.deps import CSRF_FIELD
from app.models import Blob, Post, StoredFile, User
from tests.api_helpers import SESSION_COOKIE, app_with
from tests.factories import PASSWORD, Factories
from tests.file_helpers import FILES, own_store, pdf, png, upload, uploaded
from tests.helpers import expect_error
from tests.live_server import InProcessServer, in_process_server
from tests.stream_helpers import POSTS

MB = 1_000_000
CHUNK = 64 * 1024
BOUNDARY = "ruche-test-boundary"


@dataclass
class Fresh:
    """An app of its own, over a ``var/`` of its own, and one signed-in person."""

    app: object
    make: Factories
    var: Path
    person: User
    client: httpx.AsyncClient
    token: str

    def stored(self) -> list[Path]:
        """Every file under ``var/files``, temporary ones included."""
        root = self.var / "files"
        return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []

    def incoming(self) -> list[Path]:
        return [path for path in self.stored() if path.parent.name == "incoming"]

    async def rows(self) -> tuple[int, int]:
        """(files, blobs) in the database."""
        session = self.make.session
        session.expire_all()
        files = await session.scalar(select(func.count()).select_from(StoredFile))
        blobs = await session.scalar(select(func.count()).select_from(Blob))
        return files, blobs


async def open_site(app, session, var: Path) -> Fresh:
    make = Factories(session, app)
    person = await make.user()
    client = await make.bearer(person)
    token = client.headers["authorization"].removeprefix("Bearer ")
    return Fresh(app, make, var, person, client, token)


@pytest.fixture
async def fresh(app, session, tmp_path):
    """``await fresh(**settings)``: the tests' app under those settings, over a
    ``var/`` of its own."""
    sites: list[Fresh] = []
    with ExitStack() as stack:

        async def build(**settings) -> Fresh:
            stack.enter_context(own_store(app, tmp_path / "var", **settings))
            sites.append(await open_site(app, session, tmp_path / "var"))
            return sites[-1]

        yield build
        for site in sites:
            await site.client.aclose()


# --- a multipart body driven by hand --------------------------------------------------------


def part_head(name: str, filename: bytes | None = None, content_type: str | None = None) -> bytes:
    head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"'.encode()
    if filename is not None:
        head += b'; filename="' + filename + b'"'
    if content_type:
        head += f"\r\nContent-Type: {content_type}".encode()
    return head + b"\r\n\r\n"


def file_part(content: Iterable[bytes], filename: bytes) -> Iterator[bytes]:
    yield part_head("file", filename, "application/octet-stream")
    yield from content
    yield b"\r\n"


def file_form(content: Iterable[bytes], filename: bytes = b"data.bin") -> Iterator[bytes]:
    """A form of one file, in chunks as a client streams it."""
    yield from file_part(content, filename)
    yield f"--{BOUNDARY}--\r\n".encode()


def zeros(size: int) -> Iterator[bytes]:
    """``size`` bytes in chunks, never held whole: a PDF's header, then zeros."""
    yield b"%PDF-1.4\n"
    left = size - 9
    while left > 0:
        yield bytes(min(CHUNK, left))
        left -= CHUNK


@dataclass
class Answer:
    status: int
    body: dict
    # Bytes of the body the app took in before it answered.
    read: int


async def send_form(
    fresh: Fresh,
    chunks: Iterable[bytes],
    *,
    path: str = FILES,
    length: int | None = None,
    then_disconnect: bool = False,
) -> Answer:
    """POSTs the body ``chunks`` through the ASGI interface, one message each.
    ``length``: a Content-Length header (else the body is chunked).
    ``then_disconnect``: after the last chunk the client goes away, as a
    browser tab closed mid-upload, instead of ending the body."""
    headers = [
        (b"host", b"testserver"),
        (b"authorization", f"Bearer {fresh.token}".encode()),
        (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
    ]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("192.0.2.10", 40000),
        "server": ("testserver", 80),
    }
    pending = iter(chunks)
    read = 0
    ended = False

    async def receive():
        nonlocal read, ended
        chunk = None if ended else next(pending, None)
        if chunk is None:
            ended = True
            if then_disconnect:
                return {"type": "http.disconnect"}
            return {"type": "http.request", "body": b"", "more_body": False}
        read += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    answer = {"status": 0, "body": b""}

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    await fresh.app(scope, receive, send)
    return Answer(answer["status"], json.loads(answer["body"] or b"{}"), read)


def expect_shape(answer: Answer, status: int, code: str) -> str:
    assert answer.status == status, answer
    assert list(answer.body) == ["error"] and sorted(answer.body["error"]) == ["code", "message"]
    assert answer.body["error"]["code"] == code, answer
    return answer.body["error"]["message"]


# --- size -----------------------------------------------------------------------------------


async def test_a_26_mb_file_is_refused_before_its_body_is_read_past_the_limit(fresh):
    site = await fresh()

    streamed = await send_form(site, file_form(zeros(26 * MB)))

    message = expect_shape(streamed, 413, "file_too_large")
    assert "25 Mo" in message  # the account speaks French
    # Read up to the limit and the chunk that crossed it, never the rest.
    assert 25 * MB < streamed.read <= 25 * MB + 2 * CHUNK
    assert site.stored() == []
    assert await site.rows() == (0, 0)


async def test_a_body_announced_too_long_is_refused_before_a_byte_is_read(fresh):
    """A client that says its length (curl, browsers) is answered before it sends
    anything: with ``Expect: 100-continue`` it does not even start."""
    site = await fresh()

    answer = await send_form(site, file_form(zeros(26 * MB)), length=26 * MB + 300)

    expect_shape(answer, 413, "file_too_large")
    assert answer.read == 0
    assert site.stored() == []


async def test_the_limit_is_the_operators(settings, db, session, tmp_path):
    """RUCHE_MAX_UPLOAD_MB: for the check, the body limit and the API document."""
    app = app_with(settings, db, var_dir=tmp_path / "var", max_upload_mb=1)
    site = await open_site(app, session, tmp_path / "var")

    refused = await upload(site.client, pdf() + bytes(MB), "grand.pdf")
    announced = await send_form(site, file_form(zeros(3 * MB)), length=3 * MB)
    kept = await upload(site.client, pdf() + bytes(MB // 2), "petit.pdf")

    assert "1 Mo" in expect_error(refused, 413, "file_too_large")["message"]
    assert announced.read == 0
    assert kept.status_code == 201, kept.text
    document = app.openapi()["paths"][FILES]["post"]["requestBody"]
    schema = document["content"]["multipart/form-data"]["schema"]
    assert schema["properties"]["file"]["maxLength"] == MB
    await site.client.aclose()


async def test_an_endless_part_header_is_refused_without_holding_it(fresh):
    """python-multipart hands a header over in pieces; gathering them without a
    bound would hold a 200 MB "file name" in memory."""
    site = await fresh()

    def endless_name() -> Iterator[bytes]:
        yield f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="'.encode()
        for _ in range(200 * MB // CHUNK):
            yield b"a" * CHUNK

    answer = await send_form(site, endless_name())

    expect_shape(answer, 400, "bad_request")
    assert answer.read < MB
    assert site.stored() == []


# --- what a file is -------------------------------------------------------------------------


async def test_a_png_named_pdf_is_kept_and_served_as_the_png_it_is(fresh):
    site = await fresh()
    image = await uploaded(site.client, png(), "facture.pdf", content_type="application/pdf")
    post = (await site.client.post(POSTS, json={"body": "x", "attachments": [image["id"]]})).json()

    (shown,) = post["attachments"]
    assert (shown["name"], shown["content_type"], shown["inline"]) == (
        "facture.png",
        "image/png",
        True,
    )
    got = await site.client.get(shown["url"])
    assert got.headers["content-type"] == "image/png"
    assert 'filename="facture.png"' in got.headers["content-disposition"]
    assert Image.open(io.BytesIO(got.content)).format == "PNG"


@pytest.mark.parametrize(
    "markup",
    [
        b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>",
        b"  \n<script>fetch('/api/v1/me/tokens', {method: 'POST'})</script>",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    ],
    ids=["html", "script", "svg"],
)
async def test_markup_named_png_is_never_served_inline(fresh, markup):
    site = await fresh()

    expect_error(
        await upload(site.client, markup, "chat.png", purpose="image", content_type="image/png"),
        422,
        "file_type",
    )
    kept = await uploaded(site.client, markup, "chat.png", content_type="image/png")

    assert kept["content_type"] in ("text/html", "image/svg+xml") and kept["inline"] is False
    assert kept["name"] in ("chat.html", "chat.svg")
    got = await site.client.get(kept["url"])
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in got.headers.get_list("content-security-policy")[0]


async def test_a_script_hidden_in_an_image_does_not_survive_its_cleaning(fresh):
    site = await fresh()
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "<script>alert(1)</script>")
    carrier = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(carrier, format="PNG", pnginfo=text)

    image = await uploaded(site.client, carrier.getvalue() + b"<html><script>x</script>", "a.png")

    stored = (await site.client.get(image["url"])).content
    assert b"<script" not in stored and b"<html" not in stored


# --- bombs ----------------------------------------------------------------------------------


def zip_of_zeros(size: int) -> bytes:
    """An archive of a few hundred KB that would unpack to ``size`` bytes of zeros."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("zeros.bin", "w", force_zip64=True) as member,
    ):
        block = bytes(MB)
        for _ in range(size // MB):
            member.write(block)
    return out.getvalue()


async def test_a_zip_bomb_is_kept_as_the_small_archive_it_is_never_unpacked(fresh):
    site = await fresh()
    bomb = zip_of_zeros(256 * MB)
    assert len(bomb) < MB // 2

    tracemalloc.start()
    try:
        kept = await uploaded(site.client, bomb, "rapport.zip")
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert (kept["content_type"], kept["size"]) == ("application/zip", len(bomb))
    # The app's allocations while it took the upload in: a few times the archive
    # (the test's client encodes it too), never anything near what it unpacks to.
    assert peak < 20 * MB, peak
    assert sum(path.stat().st_size for path in site.stored()) == len(bomb)
    got = await site.client.get(kept["url"])
    assert got.content == bomb and got.headers["content-disposition"].startswith("attachment;")


def png_of_one_colour(width: int, height: int) -> bytes:
    """A black-and-white PNG of one colour, written row by row: a few dozen KB on
    disk, ``width × height`` pixels once decoded. (Pillow would draw it in as many
    bytes of memory as pixels: 400 MB for 20,000 × 20,000.)"""

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    compressor = zlib.compressobj(9)
    row = bytes(1 + (width + 7) // 8)  # filter byte, then one bit a pixel
    rows = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "size",
    # Past Pillow's own refusal (179 Mpx); past only Ruche's (40 Mpx), where Pillow
    # would merely warn.
    [(20_000, 20_000), (8_000, 6_000)],
    ids=["400Mpx", "48Mpx"],
)
async def test_an_image_bomb_is_refused_without_being_decoded(fresh, size):
    site = await fresh()
    bomb = png_of_one_colour(*size)
    assert len(bomb) < 200_000

    for purpose in ("image", "attachment"):
        tracemalloc.start()
        try:
            refused = await upload(site.client, bomb, "bombe.png", purpose=purpose)
            _now, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert "40" in expect_error(refused, 422, "image_too_large")["message"]
        assert peak < 20 * MB, peak
    assert site.stored() == []
    assert await site.rows() == (0, 0)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((64, 64), 50).convert("RGB").save(out, format="JPEG")
    return out.getvalue()


@pytest.mark.parametrize(
    "broken",
    [
        jpeg()[: len(jpeg()) // 2],
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + os.urandom(2000),
        png()[:40],
    ],
    ids=["truncated-jpeg", "jpeg-header-then-noise", "truncated-png"],
)
async def test_a_broken_image_is_refused(fresh, broken):
    site = await fresh()

    refused = await upload(site.client, broken, "photo.jpg")

    expect_error(refused, 422, "bad_image")
    assert site.stored() == []
    assert await site.rows() == (0, 0)


async def test_an_empty_file_is_refused(fresh):
    site = await fresh()

    expect_error(await upload(site.client, b"", "vide.txt"), 422, "empty_file")
    assert site.stored() == []


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (b"../../etc/passwd", "passwd.txt"),
        (b"..\\..\\windows\\win.ini", "win.ini"),
        (b"C:\\Users\\julien\\notes.txt", "notes.txt"),
        (b"notes\x00.exe.txt", "notes .exe.txt"),
        (b"\x07bip\x1b[31mrouge\x7f.txt", "bip [31mrouge.txt"),
        (b"tab\there.txt", "tab here.txt"),
        ("facture\u202etxt.exe".encode(), "facture txt.txt"),
        ("résumé\u2028été.md".encode(), "résumé été.md"),
        (b"..", "file.txt"),
        (b"\x01\x02", "file.txt"),
        (b"", "file.txt"),
        (b"\xff\xfe.txt", "\ufffd\ufffd.txt"),
        (b"x" * 600 + b".txt", "x" * 196 + ".txt"),
    ],
)
async def test_a_file_name_is_cleaned_of_paths_and_control_characters(fresh, given, kept):
    site = await fresh()

    answer = await send_form(site, file_form([b"Bonjour"], filename=given))

    assert answer.status == 201, answer
    assert answer.body["name"] == kept
    got = await site.client.get(answer.body["url"])
    disposition = got.headers["content-disposition"]
    assert disposition.isprintable() and disposition.isascii()


@pytest.mark.parametrize("extension", ["bat", "cmd", "ps1", "vbs", "hta", "sh", "js", "html"])
async def test_a_text_file_never_keeps_a_name_that_would_run(fresh, extension):
    """Text a double-click would run (a batch file, a script) is offered as .txt."""
    site = await fresh()

    kept = await uploaded(site.client, b"del /s /q C:\\*", f"rapport.{extension}")

    assert kept["name"] == "rapport.txt"


# --- cut, too many, quotas ------------------------------------------------------------------


@pytest.mark.parametrize("cut_at", ["in-headers", "in-file", "before-the-end"])
async def test_an_upload_cut_half_way_leaves_nothing(fresh, cut_at):
    site = await fresh()
    content = pdf() + os.urandom(3 * MB)
    whole = b"".join(file_form([content], filename=b"plan.pdf"))
    stop = {"in-headers": 60, "in-file": len(whole) // 2, "before-the-end": len(whole) - 3}[cut_at]
    sent = [whole[start : min(start + CHUNK, stop)] for start in range(0, stop, CHUNK)]

    await send_form(site, sent, then_disconnect=True)
    # And a body that simply ends there (a client whose length lied).
    ended = await send_form(site, sent)

    expect_shape(ended, 400, "bad_request")
    assert site.stored() == []
    assert await site.rows() == (0, 0)


async def test_more_files_than_allowed_are_refused(fresh):
    site = await fresh()
    two = [
        *file_part([b"un"], b"un.txt"),
        *file_form([b"deux"], filename=b"deux.txt"),
    ]

    expect_shape(await send_form(site, two), 422, "too_many_files")
    assert site.stored() == []
    ids = [(await uploaded(site.client, b"texte %d" % n, f"{n}.txt"))["id"] for n in range(11)]
    refused = await site.client.post(POSTS, json={"body": "x", "attachments": ids})
    assert "10" in expect_error(refused, 422)["message"]
    assert await site.make.session.scalar(select(func.count()).select_from(Post)) == 0
    # Ten on the post, then one more by an edit.
    post = await site.client.post(POSTS, json={"body": "x", "attachments": ids[:10]})
    one_more = await site.client.patch(
        f"{POSTS}/{post.json()['id']}", json={"attachments": ids[10:]}
    )
    assert "10" in expect_error(one_more, 422, "too_many_files")["message"]


async def test_a_persons_quota_is_said_in_the_refusal(fresh):
    site = await fresh(person_quota_mb=1)
    await uploaded(site.client, pdf() + os.urandom(600_000), "un.pdf")

    refused = await upload(site.client, pdf() + os.urandom(600_000), "deux.pdf")

    message = expect_error(refused, 413, "quota")["message"]
    assert "1 Mo" in message
    assert len(site.stored()) == 1
    assert await site.rows() == (1, 1)


async def test_a_spaces_quota_is_said_in_the_refusal(fresh):
    site = await fresh(space_quota_mb=1)
    space = await site.make.space(owner=site.person)
    first = await uploaded(site.client, pdf() + os.urandom(600_000), "un.pdf")
    second = await uploaded(site.client, pdf() + os.urandom(600_000), "deux.pdf")
    await site.client.post(
        POSTS, json={"body": "un", "space_id": space.id, "attachments": [first["id"]]}
    )

    refused = await site.client.post(
        POSTS, json={"body": "deux", "space_id": space.id, "attachments": [second["id"]]}
    )

    assert "1 Mo" in expect_error(refused, 413, "quota")["message"]
    session = site.make.session
    assert await session.scalar(select(func.count()).select_from(Post)) == 1
    # Still the uploader's, to post elsewhere.
    elsewhere = await site.client.post(
        POSTS, json={"body": "ailleurs", "attachments": [second["id"]]}
    )
    assert elsewhere.status_code == 201, elsewhere.text


# --- a slow upload --------------------------------------------------------------------------


@dataclass
class Signed:
    """A person of the live server: a bearer token, and a browser's session."""

    authorization: str
    cookie: str
    csrf: str


@pytest.fixture
async def live(tmp_path) -> AsyncIterator[tuple[InProcessServer, Signed]]:
    """``ruche serve``'s app on a real socket over a database of its own (SQLite's
    locks are those of a real file there), and a person signed in both ways."""
    async with in_process_server(
        tmp_path, secret_key="slow-upload-secret-key-not-for-production"
    ) as server:
        # The writer: the server's delivery loop may commit between the
        # factories' first read and first write, which a deferred SQLite
        # transaction then fails at once (SQLITE_BUSY_SNAPSHOT).
        async with server.app.state.db.writer() as session:
            make = Factories(session, server.app)
            person = await make.user()
            client = await make.bearer(person)
            await client.aclose()
        async with httpx.AsyncClient(base_url=server.base_url, trust_env=False) as browser:
            signed_in = await browser.post(
                "/api/v1/auth/login", json={"email": person.email, "password": PASSWORD}
            )
            assert signed_in.status_code == 200, signed_in.text
            cookie = f"{SESSION_COOKIE}={browser.cookies[SESSION_COOKIE]}"
        csrf = signed_in.json()["csrf_token"]
        yield server, Signed(client.headers["authorization"], cookie, csrf)


def field_part(name: str, value: str) -> bytes:
    return part_head(name) + value.encode() + b"\r\n"


# What a slow client sends to each route that takes files: the API's upload (a
# bearer token), and the pages' composer and wiki editor (a session cookie, the
# form's token first, as the pages' forms put it).
STREAMED_FORMS = {
    "api-upload": ("/api/v1/files", "file", [], 201),
    "composer": ("/posts", "files", [("body", "Le plan")], 303),
    "wiki-editor": ("/wiki/new", "files", [("title", "Plan"), ("body", "Voir")], 303),
}


@pytest.mark.parametrize("route", list(STREAMED_FORMS))
async def test_an_upload_in_flight_holds_back_no_other_write(live, route):
    """A person on a slow line takes minutes to send 25 MB: meanwhile everyone
    else writes as usual (on SQLite, a transaction open while the body comes
    would hold the one write lock all that time)."""
    server, signed = live
    path, field, fields, answered = STREAMED_FORMS[route]
    if route == "api-upload":
        credentials = f"Authorization: {signed.authorization}\r\n"
        head = b""
    else:
        credentials = f"Cookie: {signed.cookie}\r\n"
        head = field_part(CSRF_FIELD, signed.csrf)
    head += b"".join(field_part(name, value) for name, value in fields)
    content = pdf() + os.urandom(2 * MB)
    body = (
        head
        + b"".join([part_head(field, b"lent.pdf", "application/pdf"), content, b"\r\n"])
        + f"--{BOUNDARY}--\r\n".encode()
    )
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{credentials}".encode()
        + f"Content-Length: {len(body)}\r\n".encode()
        + f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n\r\n".encode()
        + body[: len(head) + CHUNK]
    )
    await writer.drain()
    await asyncio.sleep(0.5)  # the route is waiting for the rest of the body

    async with httpx.AsyncClient(
        base_url=server.base_url, headers={"Authorization": signed.authorization}, trust_env=False
    ) as other:
        started = time.monotonic()
        posted = await other.post(POSTS, json={"body": "Pendant ce temps"}, timeout=15)
        waited = time.monotonic() - started

        writer.write(body[len(head) + CHUNK :])
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 15)
        writer.close()
        assert posted.status_code == 201, posted.text
        assert waited < 2, waited
        assert status_line.startswith(f"HTTP/1.1 {answered}".encode()), status_line
