"""The demo company: a French firm whose people show every kind of account.
Seeding is idempotent: running it again adds only what is missing."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.levels import AccountKind, Level, Role
from app.models import User
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
    return people
