"""The demo company's people and spaces: the accounts the README lists, the
colleagues around them (several departments, contractors, alumni), the spaces
they meet in and whom they follow."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.levels import AccountKind, Level, Role
from app.models import Follow, FollowKind, Membership, Space, SpaceKind, SpaceRole, User, Visibility
from app.models.base import utcnow
from app.security import hash_password
from app.services.accounts import create_account

DEMO_PASSWORD = "ruche-demo-2026"  # noqa: S105 (printed at start-up, demo only)

E, A, C = AccountKind.EMPLOYEE, AccountKind.ALUMNI, AccountKind.CONTRACTOR
PUBLIC, INTERNAL, CONFIDENTIAL, SECRET = (
    Level.PUBLIC,
    Level.INTERNAL,
    Level.CONFIDENTIAL,
    Level.SECRET,
)


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    kind: AccountKind = E
    clearance: Level = INTERNAL
    role: Role = Role.MEMBER

    @property
    def handle(self) -> str:
        return self.email.split("@", 1)[0]


# The accounts `ruche serve --demo` prints (the README lists them): unchanged.
DEMO_PEOPLE = [
    Person("admin@ruche.example", "Camille Admin", E, SECRET, Role.ADMIN),
    Person("claire.dubois@ruche.example", "Claire Dubois", E, SECRET),
    Person("julien.martin@ruche.example", "Julien Martin", E, CONFIDENTIAL),
    Person("sophie.bernard@ruche.example", "Sophie Bernard"),
    Person("thomas.petit@ruche.example", "Thomas Petit"),
    Person("emma.leroy@ruche.example", "Emma Leroy", E, CONFIDENTIAL),
    Person("lucas.moreau@ruche.example", "Lucas Moreau"),
    Person("chloe.fournier@ruche.example", "Chloé Fournier"),
    Person("antoine.girard@ruche.example", "Antoine Girard", A, PUBLIC),
    Person("nathalie.roux@ruche.example", "Nathalie Roux", A, PUBLIC),
    Person("marc.lambert@prestataire.example", "Marc Lambert", C, PUBLIC),
    Person("ines.faure@prestataire.example", "Inès Faure", C, PUBLIC),
]

# Their colleagues: invented names, the same password, not printed at start-up.
COLLEAGUES = [
    Person("helene.garnier@ruche.example", "Hélène Garnier", E, CONFIDENTIAL, Role.ADMIN),
    Person("olivier.mercier@ruche.example", "Olivier Mercier", E, CONFIDENTIAL),
    Person("laure.blanc@ruche.example", "Laure Blanc"),
    Person("margaux.chevalier@ruche.example", "Margaux Chevalier"),
    Person("bastien.roussel@ruche.example", "Bastien Roussel"),
    Person("karim.benali@ruche.example", "Karim Benali", E, CONFIDENTIAL),
    Person("pauline.gauthier@ruche.example", "Pauline Gauthier"),
    Person("yann.legall@ruche.example", "Yann Le Gall"),
    Person("sandrine.morel@ruche.example", "Sandrine Morel"),
    Person("kevin.marchand@ruche.example", "Kévin Marchand"),
    Person("elodie.noel@ruche.example", "Élodie Noël"),
    Person("nicolas.fabre@ruche.example", "Nicolas Fabre", E, CONFIDENTIAL),
    Person("amandine.colin@ruche.example", "Amandine Colin"),
    Person("romain.barbier@ruche.example", "Romain Barbier"),
    Person("samir.haddad@ruche.example", "Samir Haddad"),
    Person("celine.arnaud@ruche.example", "Céline Arnaud", E, CONFIDENTIAL),
    Person("vincent.lefevre@ruche.example", "Vincent Lefèvre"),
    Person("aurelie.masson@ruche.example", "Aurélie Masson"),
    Person("julie.renaud@ruche.example", "Julie Renaud"),
    Person("manon.giraud@ruche.example", "Manon Giraud"),
    Person("quentin.rolland@ruche.example", "Quentin Rolland"),
    Person("isabelle.caron@ruche.example", "Isabelle Caron"),
    Person("fabrice.meunier@ruche.example", "Fabrice Meunier"),
    Person("agnes.perret@ruche.example", "Agnès Perret", E, CONFIDENTIAL),
    Person("damien.carpentier@logisoft.example", "Damien Carpentier", C, PUBLIC),
    Person("sarah.weber@logisoft.example", "Sarah Weber", C, PUBLIC),
    Person("gilles.perrot@ruche.example", "Gilles Perrot", A, PUBLIC),
]

# Contractors and whom of the company vouches for them.
SPONSORS = {
    "marc.lambert": "julien.martin",
    "ines.faure": "julien.martin",
    "damien.carpentier": "nicolas.fabre",
    "sarah.weber": "nicolas.fabre",
}


@dataclass(frozen=True)
class DemoSpace:
    slug: str
    name: str
    kind: SpaceKind
    visibility: Visibility
    allows_externals: bool
    default_level: Level
    objective: str
    description: str
    # handle: role
    roles: dict[str, SpaceRole]

    @property
    def owner(self) -> str:
        return next(handle for handle, role in self.roles.items() if role is SpaceRole.OWNER)


OWNER, MOD, MEMBER = SpaceRole.OWNER, SpaceRole.MODERATOR, SpaceRole.MEMBER
DEMO_SPACES = [
    DemoSpace(
        "projet-atlas",
        "Projet Atlas",
        SpaceKind.PROJECT,
        Visibility.PRIVATE,
        True,
        PUBLIC,
        "Livrer la nouvelle plateforme logistique Atlas d'ici juin, avec nos prestataires.",
        "Suivi du projet Atlas : planning, décisions, comptes rendus de réunion.",
        {
            "julien.martin": OWNER,
            "emma.leroy": MOD,
            "thomas.petit": MEMBER,
            "marc.lambert": MEMBER,
            "ines.faure": MEMBER,
            "karim.benali": MEMBER,
            "pauline.gauthier": MEMBER,
            "yann.legall": MEMBER,
        },
    ),
    DemoSpace(
        "labo-innovation",
        "Labo Innovation",
        SpaceKind.INNOVATION,
        Visibility.OPEN,
        False,
        INTERNAL,
        "Faire émerger et tester chaque trimestre trois idées venues de toutes les équipes.",
        "Un espace transversal ouvert à tous les salariés pour proposer et discuter des idées.",
        {
            "sophie.bernard": OWNER,
            "lucas.moreau": MEMBER,
            "chloe.fournier": MEMBER,
            "manon.giraud": MEMBER,
            "samir.haddad": MEMBER,
            "elodie.noel": MEMBER,
            "fabrice.meunier": MEMBER,
            "julie.renaud": MEMBER,
        },
    ),
    DemoSpace(
        "comite-de-direction",
        "Comité de direction",
        SpaceKind.TEAM,
        Visibility.SECRET,
        False,
        CONFIDENTIAL,
        "Préparer les décisions stratégiques et suivre les indicateurs du groupe.",
        "Espace réservé aux membres du comité de direction.",
        {
            "claire.dubois": OWNER,
            "admin": MEMBER,
            "julien.martin": MEMBER,
            "olivier.mercier": MEMBER,
            "celine.arnaud": MEMBER,
            "agnes.perret": MEMBER,
        },
    ),
    DemoSpace(
        "communaute-anciens",
        "Communauté des anciens",
        SpaceKind.COMMUNITY,
        Visibility.PRIVATE,
        True,
        PUBLIC,
        "Garder le lien avec les anciens salariés : actualités, offres, retrouvailles.",
        "La communauté des alumni de l'entreprise et des salariés qui les animent.",
        {
            "chloe.fournier": OWNER,
            "antoine.girard": MEMBER,
            "nathalie.roux": MEMBER,
            "gilles.perrot": MEMBER,
            "margaux.chevalier": MEMBER,
            "quentin.rolland": MEMBER,
        },
    ),
    DemoSpace(
        "equipe-rh",
        "Équipe RH",
        SpaceKind.TEAM,
        Visibility.PRIVATE,
        False,
        INTERNAL,
        "Coordonner le recrutement, l'intégration et la formation des salariés.",
        "L'équipe des ressources humaines : procédures, calendrier, questions.",
        {
            "emma.leroy": OWNER,
            "sophie.bernard": MEMBER,
            "margaux.chevalier": MEMBER,
            "bastien.roussel": MEMBER,
        },
    ),
    DemoSpace(
        "migration-erp",
        "Migration ERP",
        SpaceKind.PROJECT,
        Visibility.PRIVATE,
        True,
        INTERNAL,
        "Passer comptabilité et achats au nouvel ERP le 1er avril sans arrêter la facturation.",
        "Le projet de migration de l'ERP, avec l'intégrateur Logisoft : lots, recette, bascule.",
        {
            "nicolas.fabre": OWNER,
            "laure.blanc": MOD,
            "olivier.mercier": MEMBER,
            "amandine.colin": MEMBER,
            "romain.barbier": MEMBER,
            "damien.carpentier": MEMBER,
            "sarah.weber": MEMBER,
        },
    ),
    DemoSpace(
        "equipe-commerciale",
        "Équipe commerciale",
        SpaceKind.TEAM,
        Visibility.PRIVATE,
        False,
        INTERNAL,
        "Atteindre le plan de ventes 2027 et partager ce qui marche d'une région à l'autre.",
        "Les commerciaux et l'administration des ventes : affaires, salons, retours clients.",
        {
            "celine.arnaud": OWNER,
            "vincent.lefevre": MEMBER,
            "aurelie.masson": MEMBER,
            "julie.renaud": MEMBER,
            "manon.giraud": MEMBER,
        },
    ),
    DemoSpace(
        "entraide-informatique",
        "Entraide informatique",
        SpaceKind.COMMUNITY,
        Visibility.OPEN,
        False,
        INTERNAL,
        "Répondre en moins d'une journée aux questions informatiques de chacun.",
        "Questions, astuces et annonces de la DSI, ouvertes à tous les salariés.",
        {
            "lucas.moreau": OWNER,
            "amandine.colin": MOD,
            "romain.barbier": MEMBER,
            "samir.haddad": MEMBER,
            "nicolas.fabre": MEMBER,
            "sandrine.morel": MEMBER,
            "bastien.roussel": MEMBER,
        },
    ),
    DemoSpace(
        "qualite-securite",
        "Qualité et sécurité",
        SpaceKind.COMMUNITY,
        Visibility.OPEN,
        False,
        INTERNAL,
        "Zéro accident avec arrêt en 2027 ; chaque incident analysé sous huit jours.",
        "Remontées terrain, analyses d'incidents, bonnes pratiques de sécurité et de qualité.",
        {
            "isabelle.caron": OWNER,
            "fabrice.meunier": MOD,
            "kevin.marchand": MEMBER,
            "elodie.noel": MEMBER,
            "sandrine.morel": MEMBER,
            "thomas.petit": MEMBER,
        },
    ),
    DemoSpace(
        "velo-mobilites",
        "Vélo et mobilités douces",
        SpaceKind.COMMUNITY,
        Visibility.OPEN,
        False,
        INTERNAL,
        "Doubler d'ici l'été le nombre de collègues qui viennent à vélo, à pied ou en covoiturage.",
        "Itinéraires, covoiturage entre sites, ateliers de réparation : tout pour venir autrement.",
        {
            "yann.legall": OWNER,
            "lucas.moreau": MEMBER,
            "quentin.rolland": MEMBER,
            "amandine.colin": MEMBER,
            "kevin.marchand": MEMBER,
            "aurelie.masson": MEMBER,
        },
    ),
]

# Whom some people follow beyond their spaces: people and hashtags.
FOLLOWED_PEOPLE = {
    "lucas.moreau": ["sophie.bernard", "nicolas.fabre"],
    "thomas.petit": ["julien.martin", "isabelle.caron"],
    "chloe.fournier": ["helene.garnier", "claire.dubois"],
    "sophie.bernard": ["emma.leroy", "helene.garnier"],
    "emma.leroy": ["claire.dubois"],
    "julien.martin": ["karim.benali", "olivier.mercier"],
    "manon.giraud": ["celine.arnaud"],
    "samir.haddad": ["lucas.moreau"],
}
FOLLOWED_HASHTAGS = {
    "lucas.moreau": ["securite", "teletravail"],
    "thomas.petit": ["atlas", "securite"],
    "chloe.fournier": ["alumni", "rse"],
    "sophie.bernard": ["idees", "rse"],
    "claire.dubois": ["atlas", "resultats"],
    "julien.martin": ["atlas", "erp"],
    "emma.leroy": ["recrutement", "formation"],
    "antoine.girard": ["alumni"],
    "marc.lambert": ["atlas"],
}


async def seed_people(session: AsyncSession) -> dict[str, User]:
    """Every demo account by handle, made where missing. One password hash for
    all: they share the printed password, and hashing it forty times (argon2,
    on purpose slow) would be most of the seeding time."""
    everyone = DEMO_PEOPLE + COLLEAGUES
    existing = {
        user.email: user
        for user in await session.scalars(
            select(User).where(User.email.in_([person.email for person in everyone]))
        )
    }
    password_hash = None
    people = {}
    for person in everyone:
        user = existing.get(person.email)
        if user is None:
            user = await create_account(
                session,
                email=person.email,
                display_name=person.name,
                password=None,
                kind=person.kind,
                role=person.role,
                clearance=person.clearance,
            )
            password_hash = password_hash or hash_password(DEMO_PASSWORD)
            user.password_hash = password_hash
        people[person.handle] = user
    for user in people.values():
        if user.is_external and user.charter_accepted_at is None:
            user.charter_accepted_at = utcnow()
        # A company in use: its people know their way (the tour stays in their menu).
        if user.tour_seen_at is None:
            user.tour_seen_at = utcnow()
    for contractor, sponsor in SPONSORS.items():
        if people[contractor].sponsor_id is None:
            people[contractor].sponsor_id = people[sponsor].id
            people[contractor].access_ends_at = utcnow() + timedelta(days=180)
    await session.flush()
    return people


async def seed_spaces(session: AsyncSession, people: dict[str, User]) -> dict[str, Space]:
    """The demo spaces by slug, made where missing with their members (each
    following the space, as joining does)."""
    spaces = {space.slug: space for space in await session.scalars(select(Space))}
    for demo in DEMO_SPACES:
        if demo.slug in spaces:
            continue
        space = Space(
            slug=demo.slug,
            name=demo.name,
            kind=demo.kind,
            visibility=demo.visibility,
            allows_externals=demo.allows_externals,
            default_level=demo.default_level,
            objective=demo.objective,
            description=demo.description,
            created_by_id=people[demo.owner].id,
        )
        session.add(space)
        await session.flush()
        session.add_all(
            Membership(space_id=space.id, user_id=people[handle].id, role=role)
            for handle, role in demo.roles.items()
        )
        session.add_all(
            Follow(user_id=people[handle].id, kind=FollowKind.SPACE, target_id=space.id)
            for handle in demo.roles
        )
        spaces[demo.slug] = space
    await session.flush()
    return spaces
