"""Photos and documents of the demo: a portrait for every person and files
attached to a few posts, drawn with Pillow at seeding time (nothing fetched)
and stored through the same services as an upload."""

import colorsys
import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.files.store import open_store
from app.files.upload import ReceivedFile
from app.models import FilePurpose, Space, StoredFile, User
from app.services.files.attachments import Attachments
from app.services.files.avatars import set_avatar
from app.services.files.uploads import store_upload
from app.services.posts import publish_post

# Portraits drawn at demo time, nothing fetched: each person's looks come from
# a random seeded with their handle (the same picture every time), the
# background's hue from their position (neighbours never alike).
SKINS = ["#f6d7c3", "#f1c7a5", "#e8b996", "#d9a27c", "#c68863", "#a86b4a", "#8d5a3b", "#5e3b26"]
HAIRS = ["#17110d", "#2b1d14", "#3b2a1f", "#4a2c1a", "#6b6760", "#a8552a", "#d9b36c", "#b9b4ad"]
CLOTHES = ["#2f4858", "#6b2d5c", "#1d5c99", "#f2a900", "#1e6b3a", "#a3293d", "#0f6a6e", "#55505a"]
CUTS = ["short", "long", "bun", "curly", "bald"]
SIZE = 256
DRAWN = 2 * SIZE  # drawn at twice the size, then reduced: smooth edges


@dataclass(frozen=True)
class Looks:
    hue: float  # of the background, 0 to 1
    skin: str
    hair: str
    clothes: str
    cut: str
    glasses: bool
    beard: bool


def looks_of(handle: str, position: int) -> Looks:
    rng = random.Random(handle)  # noqa: S311 (a drawing, not a secret)
    cut = rng.choice(CUTS)
    return Looks(
        hue=(position * 0.618034) % 1,
        skin=rng.choice(SKINS),
        hair=rng.choice(HAIRS),
        clothes=rng.choice(CLOTHES),
        cut=cut,
        glasses=rng.random() < 0.3,
        beard=cut in ("short", "bald") and rng.random() < 0.4,
    )


def _background(hue: float) -> Image.Image:
    """A vertical gradient of one hue, light at the top."""
    top = tuple(round(c * 255) for c in colorsys.hls_to_rgb(hue, 0.86, 0.55))
    bottom = tuple(round(c * 255) for c in colorsys.hls_to_rgb(hue, 0.62, 0.45))
    mask = Image.linear_gradient("L").resize((DRAWN, DRAWN))
    return Image.composite(
        Image.new("RGB", mask.size, bottom), Image.new("RGB", mask.size, top), mask
    )


def draw_portrait(looks: Looks) -> bytes:
    """A stylised head and shoulders as a PNG (Pillow), made the way a person
    would send a photo: the avatar service crops and rewrites it like any other."""
    image = _background(looks.hue)
    draw = ImageDraw.Draw(image)
    skin, hair = looks.skin, looks.hair
    if looks.cut == "long":
        draw.rounded_rectangle((136, 110, 376, 420), radius=90, fill=hair)
    draw.ellipse((66, 380, 446, 700), fill=looks.clothes)  # shoulders
    draw.rectangle((221, 300, 291, 400), fill=skin)  # neck
    draw.polygon([(206, 386), (306, 386), (256, 450)], fill=skin)  # open collar
    for ear in (150, 338):
        draw.ellipse((ear, 210, ear + 24, 262), fill=skin)
    draw.ellipse((156, 110, 356, 340), fill=skin)  # face
    if looks.cut == "curly":
        for x, y in (
            (160, 130),
            (200, 100),
            (256, 92),
            (312, 100),
            (352, 130),
            (150, 180),
            (362, 180),
        ):
            draw.ellipse((x - 42, y - 42, x + 42, y + 42), fill=hair)
    elif looks.cut == "bun":
        draw.ellipse((216, 50, 296, 122), fill=hair)
    if looks.cut != "bald":
        draw.chord((150, 92, 362, 260), start=180, end=360, fill=hair)  # fringe
    else:
        draw.chord((152, 150, 360, 270), start=150, end=210, fill=hair)
        draw.chord((152, 150, 360, 270), start=330, end=30, fill=hair)
    if looks.beard:
        draw.chord((166, 200, 346, 344), start=0, end=180, fill=hair)
        draw.ellipse((226, 276, 286, 300), fill=skin)  # the mouth shows
    for eye in (214, 298):
        draw.ellipse((eye - 10, 214, eye + 10, 234), fill="#1f1d1a")
        draw.line((eye - 18, 196, eye + 16, 194), fill=hair, width=6)  # brow
        if looks.glasses:
            draw.ellipse((eye - 28, 198, eye + 28, 250), outline="#2a2a2a", width=5)
    if looks.glasses:
        draw.line((242, 222, 270, 222), fill="#2a2a2a", width=5)
    draw.arc((222, 252, 290, 300), start=20, end=160, fill="#7a2e2e", width=6)  # smile
    out = io.BytesIO()
    image.resize((SIZE, SIZE), Image.Resampling.LANCZOS).save(out, format="PNG")
    return out.getvalue()


async def seed_demo_avatars(
    session: AsyncSession, people: dict[str, User], settings: Settings
) -> None:
    """A photo for every demo person, stored through the avatar service; a
    person who has one already keeps it."""
    store = open_store(settings)
    for position, (handle, person) in enumerate(people.items()):
        if person.avatar_file_id is not None:
            continue
        with store.temporary() as incoming:
            incoming.write(draw_portrait(looks_of(handle, position)))
            await set_avatar(
                session,
                viewer=person,
                store=store,
                settings=settings,
                received=ReceivedFile("file", "portrait.png", incoming),
            )


def draw_site_photo(sky: str, ground: str, floors: int) -> bytes:
    """A drawn "photo" of the Atlas warehouse site, as a JPEG a phone would send."""
    image = Image.new("RGB", (1600, 1000), sky)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 700, 1600, 1000), fill=ground)
    draw.rectangle((300, 700 - floors * 90, 1100, 700), fill="#c9c1b6", outline="#6b645c", width=6)
    for floor in range(floors):
        for column in range(6):
            left = 340 + column * 125
            top = 700 - (floor + 1) * 90 + 20
            draw.rectangle((left, top, left + 80, top + 50), fill="#5b7c99")
    draw.line((1250, 700, 1250, 150), fill="#f2a900", width=14)  # the crane's mast
    draw.line((1000, 170, 1550, 170), fill="#f2a900", width=12)  # and its jib
    draw.line((1080, 170, 1080, 420), fill="#333333", width=4)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def draw_schedule_pdf() -> bytes:
    """A one-page PDF of the Atlas schedule (Pillow writes PDF)."""
    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=36)
    lines = [
        "Projet Atlas - planning de la recette",
        "",
        "Semaine 1 : module de suivi des expéditions",
        "Semaine 2 : interfaces avec les transporteurs",
        "Semaine 3 : reprise des données, essais de charge",
        "Semaine 4 : formation des équipes, mise en service",
    ]
    for number, line in enumerate(lines):
        draw.text((120, 160 + number * 70), line, fill="#1f1d1a", font=font)
    out = io.BytesIO()
    page.save(out, format="PDF")
    return out.getvalue()


MEETING_NOTES = """Compte rendu - atelier du Labo Innovation

Présents : Sophie, Lucas, Chloé.

1. Trois idées retenues pour le trimestre : covoiturage entre sites,
   bibliothèque d'outils partagée, accueil des nouveaux en binôme.
2. Chaque idée a un parrain et un premier test avant la fin du mois.
3. Prochain atelier : jeudi 14 h, salle Ruche.
"""


async def seed_demo_files(session: AsyncSession, people: dict[str, User], settings: Settings):
    """Posts with photos and documents, uploaded and attached through the same
    services as the API; only once (a demo post with files is there already)."""
    if await session.scalar(select(StoredFile.id).where(StoredFile.post_id.is_not(None)).limit(1)):
        return
    store = open_store(settings)
    spaces = {space.slug: space for space in await session.scalars(select(Space))}

    async def upload(author: User, name: str, content: bytes) -> int:
        with store.temporary() as incoming:
            incoming.write(content)
            view = await store_upload(
                session,
                viewer=author,
                store=store,
                settings=settings,
                received=ReceivedFile("file", name, incoming),
                purpose=FilePurpose.ATTACHMENT,
            )
        return view.file.id

    thomas = people["thomas.petit"]
    photos = [
        await upload(thomas, "chantier-nord.jpg", draw_site_photo("#a7c7e7", "#8a7f70", 3)),
        await upload(thomas, "chantier-sud.jpg", draw_site_photo("#f3d9b1", "#7d8a70", 2)),
        await upload(thomas, "planning-recette.pdf", draw_schedule_pdf()),
    ]
    await publish_post(
        session,
        viewer=thomas,
        body="Photos du chantier de l'entrepôt #Atlas ce matin, et le planning de la recette.",
        space_id=spaces["projet-atlas"].id,
        attachments=Attachments(photos, settings.space_quota_mb),
    )
    sophie = people["sophie.bernard"]
    notes = await upload(sophie, "compte-rendu-atelier.txt", MEETING_NOTES.encode())
    await publish_post(
        session,
        viewer=sophie,
        body="Le compte rendu de l'atelier #LaboInnovation est en pièce jointe.",
        space_id=spaces["labo-innovation"].id,
        attachments=Attachments([notes], settings.space_quota_mb),
    )
