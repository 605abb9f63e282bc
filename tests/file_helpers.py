"""Files for the tests, made on the spot with Pillow (a photo with GPS in its
EXIF, a bomb of pixels...), and the upload as a client sends it."""

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from PIL import Image

from app.files.store import LocalStore

FILES = "/api/v1/files"


def png(width: int = 64, height: int = 48, colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def jpeg_with_gps(width: int = 80, height: int = 40, orientation: int = 6) -> bytes:
    """A photo as a phone writes it: GPS coordinates and an orientation tag
    saying "turn me a quarter"."""
    image = Image.new("RGB", (width, height), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (48.0, 51.0, 24.0)
    gps[3] = "E"
    gps[4] = (2.0, 21.0, 3.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def animated_gif() -> bytes:
    frames = [Image.new("P", (30, 30), colour) for colour in (1, 2, 3)]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    return out.getvalue()


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


async def upload(
    client: httpx.AsyncClient,
    content: bytes,
    name: str = "photo.png",
    *,
    purpose: str | None = None,
    content_type: str = "application/octet-stream",
) -> httpx.Response:
    data = {"purpose": purpose} if purpose else {}
    return await client.post(FILES, files={"file": (name, content, content_type)}, data=data)


async def uploaded(
    client: httpx.AsyncClient, content: bytes, name: str = "photo.png", **kw
) -> dict:
    response = await upload(client, content, name, **kw)
    assert response.status_code == 201, response.text
    return response.json()


@contextmanager
def own_store(app, var: Path, **settings) -> Iterator[LocalStore]:
    """The tests' app over a ``var/`` of its own, under other ``settings``, while
    the block runs: what its store holds then is the test's alone (an app built
    for one test would cost seconds)."""
    kept = app.state.settings, app.state.files
    app.state.settings = kept[0].model_copy(update={"var_dir": var, **settings})
    app.state.files = LocalStore(app.state.settings.files_dir)
    try:
        yield app.state.files
    finally:
        app.state.settings, app.state.files = kept
