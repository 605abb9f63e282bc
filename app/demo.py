"""The demo company: a French firm whose people show every kind of account.
Seeding is idempotent: running it again adds only what is missing."""

import io
from datetime import timedelta

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.files.store import open_store
from app.files.upload import ReceivedFile
from app.levels import AccountKind, Level, Role
from app.models import (
    FilePurpose,
    Membership,
    PollOption,
    Post,
    PostKind,
    ReactionKind,
    Space,
    SpaceKind,
    SpaceRole,
    StoredFile,
    User,
    Visibility,
    WikiPage,
)
from app.models.base import utcnow
from app.services.accounts import create_account
from app.services.comments import add_comment
from app.services.files.attachments import Attachments
from app.services.files.avatars import set_avatar
from app.services.files.uploads import store_upload
from app.services.posts import PollSpec, accept_answer, publish_post, vote
from app.services.reactions import react
from app.services.wiki import create_page, save_page

DEMO_PASSWORD = "ruche-demo-2026"  # noqa: S105 (printed at start-up, demo only)

DEMO_PEOPLE = [
    # email, display name, kind, role, clearance
    ("admin@ruche.example", "Camille Admin", AccountKind.EMPLOYEE, Role.ADMIN, Level.SECRET),
    (
        "claire.dubois@ruche.example",
        "Claire Dubois",
        AccountKind.EMPLOYEE,
        Role.MEMBER,
        Level.SECRET,
    ),
    (
        "julien.martin@ruche.example",
        "Julien Martin",
        AccountKind.EMPLOYEE,
        Role.MEMBER,
        Level.CONFIDENTIAL,
    ),
    (
        "sophie.bernard@ruche.example",
        "Sophie Bernard",
        AccountKind.EMPLOYEE,
        Role.MEMBER,
        Level.INTERNAL,
    ),
    (
        "thomas.petit@ruche.example",
        "Thomas Petit",
        AccountKind.EMPLOYEE,
        Role.MEMBER,
        Level.INTERNAL,
    ),
    (
        "emma.leroy@ruche.example",
        "Emma Leroy",
        AccountKind.EMPLOYEE,
        Role.MEMBER,
        Level.CONFIDENTIAL,
    ),
    (
        "lucas.moreau@ruche.example",
        "Lucas Moreau",
        AccountKind.EMPLOYEE,
        Role.MEMBER,
        Level.INTERNAL,
    ),
    (
        "chloe.fournier@ruche.example",
        "Chloé Fournier",
        AccountKind.EMPLOYEE,
        Role.MEMBER,
        Level.INTERNAL,
    ),
    (
        "antoine.girard@ruche.example",
        "Antoine Girard",
        AccountKind.ALUMNI,
        Role.MEMBER,
        Level.PUBLIC,
    ),
    ("nathalie.roux@ruche.example", "Nathalie Roux", AccountKind.ALUMNI, Role.MEMBER, Level.PUBLIC),
    (
        "marc.lambert@prestataire.example",
        "Marc Lambert",
        AccountKind.CONTRACTOR,
        Role.MEMBER,
        Level.PUBLIC,
    ),
    (
        "ines.faure@prestataire.example",
        "Inès Faure",
        AccountKind.CONTRACTOR,
        Role.MEMBER,
        Level.PUBLIC,
    ),
]


async def seed_demo(session: AsyncSession, settings: Settings) -> list[User]:
    existing = {
        user.email: user
        for user in (
            await session.scalars(
                select(User).where(User.email.in_([email for email, *_ in DEMO_PEOPLE]))
            )
        ).all()
    }
    people = []
    for email, name, kind, role, clearance in DEMO_PEOPLE:
        user = existing.get(email) or await create_account(
            session,
            email=email,
            display_name=name,
            password=DEMO_PASSWORD,
            kind=kind,
            role=role,
            clearance=clearance,
        )
        people.append(user)
    by_email = {user.email: user for user in people}
    for user in people:
        if user.is_external and user.charter_accepted_at is None:
            user.charter_accepted_at = utcnow()
        # A company in use: its people know their way (the tour stays in their menu).
        if user.tour_seen_at is None:
            user.tour_seen_at = utcnow()
    for email in ("marc.lambert@prestataire.example", "ines.faure@prestataire.example"):
        contractor = by_email[email]
        if contractor.sponsor_id is None:
            contractor.sponsor_id = by_email["julien.martin@ruche.example"].id
            contractor.access_ends_at = utcnow() + timedelta(days=180)
    await seed_demo_spaces(session, by_email)
    await seed_demo_stream(session, by_email)
    await seed_demo_wiki(session, by_email)
    await seed_demo_avatars(session, by_email, settings)
    await seed_demo_files(session, by_email, settings)
    return people


# slug, name, kind, visibility, externals allowed, default level, objective,
# description, {email: role}
DEMO_SPACES = [
    (
        "projet-atlas",
        "Projet Atlas",
        SpaceKind.PROJECT,
        Visibility.PRIVATE,
        True,
        Level.PUBLIC,
        "Livrer la nouvelle plateforme logistique Atlas d'ici juin, avec nos prestataires.",
        "Suivi du projet Atlas : planning, décisions, comptes rendus de réunion.",
        {
            "julien.martin@ruche.example": SpaceRole.OWNER,
            "emma.leroy@ruche.example": SpaceRole.MODERATOR,
            "thomas.petit@ruche.example": SpaceRole.MEMBER,
            "marc.lambert@prestataire.example": SpaceRole.MEMBER,
            "ines.faure@prestataire.example": SpaceRole.MEMBER,
        },
    ),
    (
        "labo-innovation",
        "Labo Innovation",
        SpaceKind.INNOVATION,
        Visibility.OPEN,
        False,
        Level.INTERNAL,
        "Faire émerger et tester chaque trimestre trois idées venues de toutes les équipes.",
        "Un espace transversal ouvert à tous les salariés pour proposer et discuter des idées.",
        {
            "sophie.bernard@ruche.example": SpaceRole.OWNER,
            "lucas.moreau@ruche.example": SpaceRole.MEMBER,
            "chloe.fournier@ruche.example": SpaceRole.MEMBER,
        },
    ),
    (
        "comite-de-direction",
        "Comité de direction",
        SpaceKind.TEAM,
        Visibility.SECRET,
        False,
        Level.CONFIDENTIAL,
        "Préparer les décisions stratégiques et suivre les indicateurs du groupe.",
        "Espace réservé aux membres du comité de direction.",
        {
            "claire.dubois@ruche.example": SpaceRole.OWNER,
            "admin@ruche.example": SpaceRole.MEMBER,
            "julien.martin@ruche.example": SpaceRole.MEMBER,
        },
    ),
    (
        "communaute-anciens",
        "Communauté des anciens",
        SpaceKind.COMMUNITY,
        Visibility.PRIVATE,
        True,
        Level.PUBLIC,
        "Garder le lien avec les anciens salariés : actualités, offres, retrouvailles.",
        "La communauté des alumni de l'entreprise et des salariés qui les animent.",
        {
            "chloe.fournier@ruche.example": SpaceRole.OWNER,
            "antoine.girard@ruche.example": SpaceRole.MEMBER,
            "nathalie.roux@ruche.example": SpaceRole.MEMBER,
        },
    ),
    (
        "equipe-rh",
        "Équipe RH",
        SpaceKind.TEAM,
        Visibility.PRIVATE,
        False,
        Level.INTERNAL,
        "Coordonner le recrutement, l'intégration et la formation des salariés.",
        "L'équipe des ressources humaines : procédures, calendrier, questions.",
        {
            "emma.leroy@ruche.example": SpaceRole.OWNER,
            "sophie.bernard@ruche.example": SpaceRole.MEMBER,
        },
    ),
]


async def seed_demo_spaces(session: AsyncSession, people: dict[str, User]) -> None:
    taken = set(await session.scalars(select(Space.slug)))
    for (
        slug,
        name,
        kind,
        visibility,
        externals,
        level,
        objective,
        description,
        roles,
    ) in DEMO_SPACES:
        if slug in taken:
            continue
        space = Space(
            slug=slug,
            name=name,
            kind=kind,
            visibility=visibility,
            allows_externals=externals,
            default_level=level,
            objective=objective,
            description=description,
            created_by_id=next(people[e].id for e, r in roles.items() if r is SpaceRole.OWNER),
        )
        session.add(space)
        await session.flush()
        session.add_all(
            Membership(space_id=space.id, user_id=people[email].id, role=role)
            for email, role in roles.items()
        )
    await session.flush()


async def seed_demo_stream(session: AsyncSession, people: dict[str, User]) -> None:
    """A lively stream in French, written through the same services as the API
    (mentions, hashtags and notifications included). Only on a database with no
    post yet, so that running the demo again adds nothing twice."""
    if await session.scalar(select(Post.id).limit(1)) is not None:
        return
    spaces = {space.slug: space for space in await session.scalars(select(Space))}

    def who(name: str) -> User:
        return people[f"{name}@ruche.example"]

    async def post(author: str, body: str, space: str | None = None, **options) -> Post:
        published = await publish_post(
            session,
            viewer=who(author),
            body=body,
            space_id=spaces[space].id if space else None,
            **options,
        )
        return published.post

    welcome = await post(
        "admin",
        "**Bienvenue sur Ruche !** Le réseau social de l'entreprise est ouvert. "
        "Présentez-vous, rejoignez les espaces de vos projets et suivez les #actualites.",
        kind=PostKind.ANNOUNCEMENT,
    )
    await post(
        "sophie.bernard",
        "Le #LaboInnovation lance son appel à idées du trimestre : "
        "proposez vos idées avant le 15 ! @lucas.moreau anime l'atelier de jeudi.",
        "labo-innovation",
    )
    lunch = await post(
        "thomas.petit",
        "Quel créneau pour le déjeuner d'équipe de vendredi ?",
        kind=PostKind.POLL,
        poll=PollSpec(options=["12 h", "12 h 30", "13 h"]),
    )
    question = await post(
        "chloe.fournier",
        "Où trouve-t-on le modèle de note de frais à jour ? #question",
        kind=PostKind.QUESTION,
    )
    atlas = await post(
        "julien.martin",
        "Point d'avancement #Atlas : la recette du module de suivi démarre lundi. "
        "Merci à @marc.lambert et @ines.faure pour les correctifs livrés cette semaine.",
        "projet-atlas",
    )
    await post(
        "claire.dubois",
        "Ordre du jour du prochain comité : budget 2027, plan de recrutement, #Atlas.",
        "comite-de-direction",
        level=Level.CONFIDENTIAL,
    )
    await post(
        "emma.leroy",
        "Rappel : les entretiens annuels sont à planifier avant la fin du mois. #RH",
        "equipe-rh",
    )
    await post(
        "chloe.fournier",
        "Retrouvailles des anciens le 12 décembre à Lyon : qui vient ? #alumni",
        "communaute-anciens",
    )

    answer, _unreachable = await add_comment(
        session,
        viewer=who("emma.leroy"),
        post_id=question.id,
        body="Dans l'espace Équipe RH, rubrique *Modèles* : c'est la version de septembre.",
    )
    await accept_answer(
        session, viewer=who("chloe.fournier"), post_id=question.id, comment_id=answer.id
    )
    await add_comment(
        session,
        viewer=people["marc.lambert@prestataire.example"],
        post_id=atlas.id,
        body="Merci ! Les derniers tickets seront fermés mercredi.",
    )
    for name, kind in (
        ("claire.dubois", ReactionKind.CELEBRATE),
        ("julien.martin", ReactionKind.LIKE),
        ("sophie.bernard", ReactionKind.LIKE),
    ):
        await react(session, viewer=who(name), kind=kind, post_id=welcome.id)
    options = await session.scalars(
        select(PollOption.id).where(PollOption.post_id == lunch.id).order_by(PollOption.position)
    )
    first_option = next(iter(options))
    for name in ("lucas.moreau", "sophie.bernard"):
        await vote(session, viewer=who(name), post_id=lunch.id, option_ids=[first_option])


ONBOARDING_GUIDE = """Bienvenue ! Ce guide rassemble ce qu'il faut savoir pour bien démarrer.

## Votre première semaine

1. Récupérez votre badge et votre ordinateur auprès de l'accueil (bâtiment A, rez-de-chaussée).
2. Activez votre compte Ruche et complétez votre profil.
3. Rejoignez les espaces de votre équipe et de vos projets.
4. Planifiez un café avec votre parrain ou votre marraine.

## Les outils

| Outil | Pour quoi faire | Qui contacter |
| --- | --- | --- |
| Ruche | Échanger, documenter, suivre les projets | @admin |
| Messagerie | Courriels externes | Support informatique |
| Notes de frais | Déclarer vos dépenses | [[Notes de frais]] |

## À lire ensuite

- [[Charte d'utilisation de Ruche]]
- [[Notes de frais]]
"""

USAGE_CHARTER = """Ruche est l'outil de travail de toute l'entreprise, anciens et prestataires
compris.

- **Choisissez le bon niveau** : *public* pour ce que les anciens et les prestataires
  peuvent lire, *interne* par défaut, *confidentiel* ou *secret* pour le reste.
- **Écrivez dans l'espace du projet** plutôt qu'en message privé : la connaissance reste.
- **Documentez dans le wiki** ce qui doit durer au-delà de la conversation.
- Restez courtois ; signalez tout contenu inapproprié à un modérateur.
"""

EXPENSES = """Les notes de frais se déclarent avant le 5 du mois suivant.

1. Photographiez vos justificatifs.
2. Remplissez le modèle disponible dans l'espace Équipe RH.
3. Faites valider par votre responsable.

Plafonds : repas 25 €, hôtel 120 € la nuit (150 € à Paris).
"""

ATLAS_CHARTER = """## Objectifs

- Mettre en service la plateforme logistique Atlas dans les trois entrepôts d'ici juin.
- Réduire de 30 % le délai moyen de préparation des commandes.
- Former 120 préparateurs avant la bascule.

## Personnes

- **Sponsor** : @claire.dubois
- **Chef de projet** : @julien.martin
- **Équipe** : @emma.leroy (conduite du changement), @thomas.petit (intégration),
  @marc.lambert et @ines.faure (prestataires, développement)

## Stratégie

Déploiement entrepôt par entrepôt, en commençant par Lyon, avec deux semaines de
fonctionnement en parallèle de l'ancien système avant chaque bascule.

## Jalons

| Jalon | Date |
| --- | --- |
| Recette du module de suivi | 2026-11-30 |
| Bascule de Lyon | 2027-02-15 |
| Bascule de Lille et Nantes | 2027-05-31 |

## Outils

- Ce wiki pour les décisions et les comptes rendus : [[Comptes rendus]]
- Le planning détaillé : [[Planning détaillé]]
- L'intégration des nouveaux préparateurs : [[equipe-rh:Procédure d'intégration]]
"""

ATLAS_MEETING = """**Date** : 2026-11-16
**Participants** : @julien.martin, @emma.leroy, @thomas.petit, @marc.lambert

## Ordre du jour

1. Avancement de la recette
2. Formation des préparateurs de Lyon

## Décisions

- La recette du module de suivi démarre le 23 novembre.
- Les sessions de formation auront lieu le matin, par groupes de dix.

## Actions

| Quoi | Qui | Pour quand |
| --- | --- | --- |
| Préparer le jeu de données de recette | @marc.lambert | 2026-11-20 |
| Réserver les salles de formation | @emma.leroy | 2026-11-27 |
"""

ONBOARDING_PROCEDURE = """Pour chaque arrivée, l'équipe RH :

1. prépare le contrat et la déclaration préalable à l'embauche ;
2. crée le compte Ruche et l'ajoute aux espaces de son équipe ;
3. lui envoie le [[:Guide d'accueil]] une semaine avant son arrivée ;
4. organise l'entretien de fin de période d'essai.
"""


async def seed_demo_wiki(session: AsyncSession, people: dict[str, User]) -> None:
    """A few real-looking pages in French, written through the wiki service
    (revisions, links and watchers included); only on a database without any."""
    if await session.scalar(select(WikiPage.id).limit(1)) is not None:
        return
    spaces = {space.slug: space.id for space in await session.scalars(select(Space))}

    def who(name: str) -> User:
        return people[f"{name}@ruche.example"]

    async def page(author: str, title: str, body: str, space: str | None = None, **options):
        return await create_page(
            session,
            viewer=who(author),
            space_id=spaces[space] if space else None,
            title=title,
            body=body,
            **options,
        )

    guide = await page("admin", "Guide d'accueil", ONBOARDING_GUIDE)
    await page("admin", "Charte d'utilisation de Ruche", USAGE_CHARTER, level=Level.PUBLIC)
    await page("emma.leroy", "Notes de frais", EXPENSES, parent_id=guide.id)
    charter = await page(
        "julien.martin",
        "Charte du projet Atlas",
        ATLAS_CHARTER.replace("30 %", "25 %"),
        "projet-atlas",
        message="Première version",
    )
    await save_page(
        session,
        viewer=who("emma.leroy"),
        page_id=charter.id,
        base_revision=charter.revision,
        body=ATLAS_CHARTER,
        message="Objectif de délai relevé à 30 %, validé en comité",
    )
    minutes = await page(
        "julien.martin",
        "Comptes rendus",
        "Les comptes rendus des réunions du projet, du plus récent au plus ancien.",
        "projet-atlas",
    )
    await page(
        "emma.leroy",
        "Réunion de suivi du 2026-11-16",
        ATLAS_MEETING,
        "projet-atlas",
        parent_id=minutes.id,
    )
    await page("emma.leroy", "Procédure d'intégration", ONBOARDING_PROCEDURE, "equipe-rh")


# Portraits drawn at demo time, nothing fetched: background, skin, hair, clothes
# and hair length. The others keep their initials, as most people do at first.
DEMO_PORTRAITS = {
    "admin@ruche.example": ("#f2c14e", "#f1c7a5", "#3b2a1f", "#2f4858", "long"),
    "claire.dubois@ruche.example": ("#9ad1d4", "#e8b996", "#a8552a", "#6b2d5c", "long"),
    "julien.martin@ruche.example": ("#c6d8af", "#d9a27c", "#2b1d14", "#1d5c99", "short"),
    "sophie.bernard@ruche.example": ("#f5b7b1", "#8d5a3b", "#17110d", "#f2a900", "long"),
    "thomas.petit@ruche.example": ("#b8c0ff", "#f0cfb0", "#d9b36c", "#1e6b3a", "short"),
    "emma.leroy@ruche.example": ("#ffd6a5", "#c68863", "#4a2c1a", "#a3293d", "long"),
    "marc.lambert@prestataire.example": ("#d3d3d3", "#e0ac8a", "#6b6760", "#0f6a6e", "short"),
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
    for email, looks in DEMO_PORTRAITS.items():
        person = people[email]
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

    thomas = people["thomas.petit@ruche.example"]
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
    sophie = people["sophie.bernard@ruche.example"]
    notes = await upload(sophie, "compte-rendu-atelier.txt", MEETING_NOTES.encode())
    await publish_post(
        session,
        viewer=sophie,
        body="Le compte rendu de l'atelier #LaboInnovation est en pièce jointe.",
        space_id=spaces["labo-innovation"].id,
        attachments=Attachments([notes], settings.space_quota_mb),
    )
