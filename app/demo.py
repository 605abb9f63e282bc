"""The demo company: a French firm whose people show every kind of account.
Seeding is idempotent: running it again adds only what is missing."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.levels import AccountKind, Level, Role
from app.models import Membership, Space, SpaceKind, SpaceRole, User, Visibility
from app.models.base import utcnow
from app.services.accounts import create_account

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


async def seed_demo(session: AsyncSession) -> list[User]:
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
    for email in ("marc.lambert@prestataire.example", "ines.faure@prestataire.example"):
        contractor = by_email[email]
        if contractor.sponsor_id is None:
            contractor.sponsor_id = by_email["julien.martin@ruche.example"].id
            contractor.access_ends_at = utcnow() + timedelta(days=180)
    await seed_demo_spaces(session, by_email)
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
