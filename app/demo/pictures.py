"""Photos and documents of the demo: portraits for some people and files
attached to a few posts, drawn with Pillow at seeding time (nothing fetched)
and stored through the same services as an upload."""

import io

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

# Portraits drawn at demo time, nothing fetched: background, skin, hair, clothes
# and hair length. The others keep their initials, as most people do at first.
DEMO_PORTRAITS = {
    "admin": ("#f2c14e", "#f1c7a5", "#3b2a1f", "#2f4858", "long"),
    "claire.dubois": ("#9ad1d4", "#e8b996", "#a8552a", "#6b2d5c", "long"),
    "julien.martin": ("#c6d8af", "#d9a27c", "#2b1d14", "#1d5c99", "short"),
    "sophie.bernard": ("#f5b7b1", "#8d5a3b", "#17110d", "#f2a900", "long"),
    "thomas.petit": ("#b8c0ff", "#f0cfb0", "#d9b36c", "#1e6b3a", "short"),
    "emma.leroy": ("#ffd6a5", "#c68863", "#4a2c1a", "#a3293d", "long"),
    "marc.lambert": ("#d3d3d3", "#e0ac8a", "#6b6760", "#0f6a6e", "short"),
}


def draw_portrait(background: str, skin: str, hair: str, clothes: str, length: str) -> bytes:
    """A simple drawn face as a PNG (Pillow), made the way a person would send a
    photo: the avatar service crops and rewrites it like any other."""
    image = Image.new("RGB", (512, 512), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((76, 360, 436, 640), fill=clothes)  # shoulders
    draw.rectangle((221, 300, 291, 390), fill=skin)  # neck
    if length == "long":
        draw.rounded_rectangle((136, 110, 376, 400), radius=90, fill=hair)
    draw.ellipse((156, 110, 356, 340), fill=skin)  # face
    draw.chord((150, 92, 362, 260), start=180, end=360, fill=hair)  # fringe
    for eye in (210, 282):
        draw.ellipse((eye - 11, 215, eye + 11, 237), fill="#1f1d1a")
    draw.arc((216, 250, 296, 300), start=20, end=160, fill="#7a2e2e", width=6)  # smile
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


async def seed_demo_avatars(
    session: AsyncSession, people: dict[str, User], settings: Settings
) -> None:
    """Photos for some demo people, stored through the avatar service; a person
    who has one already keeps it."""
    store = open_store(settings)
    for handle, looks in DEMO_PORTRAITS.items():
        person = people[handle]
        if person.avatar_file_id is not None:
            continue
        with store.temporary() as incoming:
            incoming.write(draw_portrait(*looks))
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
