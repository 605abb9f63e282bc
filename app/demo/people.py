"""The demo company's people and spaces: the accounts the README lists, the
colleagues around them (several departments, contractors, alumni), the spaces
they meet in and whom they follow."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.levels import AccountKind, Level, Role
from app.models import (
    Follow,
    FollowKind,
    Membership,
    ProfileTag,
    Space,
    SpaceKind,
    SpaceRole,
    TagKind,
    User,
    Visibility,
)
from app.models.base import utcnow
from app.search.text import fold
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
class Profile:
    """What a demo person's profile says. Tags are written ``A|B|C`` to keep
    the table one row a person; ``manager`` is a handle (None: the head of the
    company, or an external); ``years``: an alumnus's first and last year."""

    title: str
    department: str
    site: str
    manager: str | None
    skills: str
    interests: str
    languages: str
    bio: str
    organisation: str = ""
    years: tuple[int, int] | None = None

    def tags(self) -> list[tuple[TagKind, str]]:
        return [
            (kind, name)
            for kind, names in (
                (TagKind.SKILL, self.skills),
                (TagKind.INTEREST, self.interests),
                (TagKind.LANGUAGE, self.languages),
            )
            for name in names.split("|")
        ]


# The organisation chart and what each person says of themselves. Skills match
# what they write about in the demo (#atlas, #erp, #securite...) and overlap, so
# that "who knows about SAP, Kubernetes, RGPD, React..." has several answers.
# Sites: the head office in Paris, the warehouses (Lyon, Lille, Nantes, Rungis,
# Marseille) and "Télétravail". Phones: +33 1 99 00 xx xx, the range ARCEP keeps
# for fiction (demo_phone).
# fmt: off
PROFILES: dict[str, Profile] = {
    # Direction
    "claire.dubois": Profile(
        "Directrice générale", "Direction", "Paris", None,
        "Stratégie|Supply chain|Négociation|RSE", "Voile|Lecture", "Français|Anglais|Italien",
        "Vingt ans de logistique, dont dix ici. Ma porte est ouverte, **mon fil Ruche aussi**.",
    ),
    "julien.martin": Profile(
        "Directeur des opérations", "Logistique", "Lyon", "claire.dubois",
        "Gestion de projet|WMS|Supply chain|Transport|Conduite du changement",
        "Trail|Jeux de société", "Français|Anglais|Allemand",
        "Chef de projet **Atlas**. Je passe la moitié de la semaine dans les entrepôts.",
    ),
    "olivier.mercier": Profile(
        "Directeur administratif et financier", "Finance", "Paris", "claire.dubois",
        "Contrôle de gestion|SAP|ERP|Budget|Comptabilité", "Œnologie|Tennis", "Français|Anglais",
        "Budget, trésorerie et pilotage du projet #erp côté finance.",
    ),
    "celine.arnaud": Profile(
        "Directrice commerciale", "Commercial", "Paris", "claire.dubois",
        "Négociation|Grands comptes|Relation client|Salons professionnels|Droit des contrats",
        "Course à pied|Cuisine", "Français|Anglais|Espagnol",
        "Je pilote le plan de ventes 2027 et l'équipe commerciale des cinq régions.",
    ),
    "agnes.perret": Profile(
        "Directrice juridique", "Juridique", "Paris", "claire.dubois",
        "Droit des contrats|RGPD|Négociation|Transport|Conformité", "Théâtre|Randonnée",
        "Français|Anglais",
        "Contrats transporteurs, données personnelles, acquisitions : demandez avant de signer.",
    ),
    "emma.leroy": Profile(
        "Directrice des ressources humaines", "Ressources humaines", "Paris", "claire.dubois",
        "Recrutement|Conduite du changement|Formation|RGPD|Droit du travail",
        "Yoga|Photographie", "Français|Anglais|Espagnol",
        "RH et conduite du changement d'**Atlas** : former 120 préparateurs avant la bascule.",
    ),
    "helene.garnier": Profile(
        "Directrice de la communication", "Communication", "Paris", "claire.dubois",
        "Communication interne|Marketing|RSE|Relations presse|Animation de communauté",
        "Photographie|Musique", "Français|Anglais",
        "J'anime Ruche avec Camille : une question sur l'outil, je suis là.",
    ),
    "admin": Profile(
        "Directrice des systèmes d'information", "Informatique", "Paris", "claire.dubois",
        "Cybersécurité|Kubernetes|RGPD|Architecture|Gestion de projet",
        "Escalade|Jeux de société", "Français|Anglais",
        "DSI et administratrice de Ruche. Sécurité d'abord, mais sans compliquer la vie.",
    ),
    # Logistique and Qualité et sécurité
    "karim.benali": Profile(
        "Responsable des méthodes logistiques", "Logistique", "Lyon", "julien.martin",
        "WMS|Lean|Gestion de projet|Supply chain|Traçabilité", "Football|Cuisine",
        "Français|Arabe|Anglais",
        "Je dessine les flux des entrepôts et je rédige les comptes rendus d'**Atlas**.",
    ),
    "thomas.petit": Profile(
        "Chef de projet intégration", "Logistique", "Lyon", "julien.martin",
        "Gestion de projet|WMS|API|React|SQL", "Vélo|Photographie", "Français|Anglais",
        "Intégration d'**Atlas** : module de suivi des expéditions, scanners, interfaces.",
    ),
    "yann.legall": Profile(
        "Responsable de l'entrepôt de Nantes", "Logistique", "Nantes", "julien.martin",
        "Exploitation logistique|Transport|Sécurité au travail|Mobilité durable|WMS",
        "Vélo|Voile", "Français|Breton|Anglais",
        "Nantes, 60 personnes, 3 quais. Je viens à vélo et j'anime *Vélo et mobilités douces*.",
    ),
    "isabelle.caron": Profile(
        "Responsable qualité, sécurité, environnement", "Qualité et sécurité", "Lyon",
        "julien.martin",
        "Sécurité au travail|ISO 9001|Analyse d'incident|Qualité|RSE", "Randonnée|Lecture",
        "Français|Anglais",
        "Zéro accident avec arrêt en 2027. Toute remontée terrain est bonne à prendre.",
    ),
    "pauline.gauthier": Profile(
        "Responsable formation logistique", "Logistique", "Lyon", "karim.benali",
        "Formation|Conduite du changement|WMS|Lean", "Danse|Jardinage", "Français|Anglais",
        "Je forme les préparateurs de Lyon à **Atlas** avant la bascule de février.",
    ),
    "kevin.marchand": Profile(
        "Chef d'équipe préparation", "Logistique", "Lyon", "karim.benali",
        "Exploitation logistique|Lean|Sécurité au travail|Chariots élévateurs",
        "Football|Vélo", "Français",
        "Équipe de jour, entrepôt de Lyon. Marquage au sol et sécurité des quais.",
    ),
    "fabrice.meunier": Profile(
        "Animateur sécurité", "Qualité et sécurité", "Lyon", "isabelle.caron",
        "Sécurité au travail|Analyse d'incident|Maintenance|Chariots élévateurs|Innovation",
        "Bricolage|Pêche", "Français",
        "Quarts d'heure sécurité, maintenance des chariots et idées du *Labo Innovation*.",
    ),
    "elodie.noel": Profile(
        "Technicienne qualité", "Qualité et sécurité", "Lille", "isabelle.caron",
        "Qualité|ISO 9001|Audit|Traçabilité", "Course à pied|Jeux de société",
        "Français|Anglais|Néerlandais",
        "Audits qualité et suivi des litiges clients depuis l'entrepôt de Lille.",
    ),
    # Informatique
    "nicolas.fabre": Profile(
        "Responsable des applications de gestion", "Informatique", "Paris", "admin",
        "ERP|SAP|Gestion de projet|SQL|Reprise de données", "Échecs|Course à pied",
        "Français|Anglais",
        "Propriétaire de la *Migration ERP* : bascule le 1er avril, sans arrêter la facturation.",
    ),
    "lucas.moreau": Profile(
        "Administrateur systèmes et réseaux", "Informatique", "Paris", "admin",
        "Kubernetes|Cybersécurité|Réseaux|VPN|Python", "Vélo|Jeux vidéo", "Français|Anglais",
        "J'anime *Entraide informatique* : une question, une réponse dans la journée.",
    ),
    "samir.haddad": Profile(
        "Développeur full stack", "Informatique", "Télétravail", "nicolas.fabre",
        "React|Python|Kubernetes|API|Innovation", "Escalade|Musique", "Français|Arabe|Anglais",
        "Applications internes et prototypes du *Labo Innovation*. En télétravail depuis Annecy.",
    ),
    "amandine.colin": Profile(
        "Ingénieure infrastructure", "Informatique", "Paris", "lucas.moreau",
        "Kubernetes|Réseaux|VPN|Cybersécurité|Support utilisateurs", "Vélo|Randonnée",
        "Français|Anglais|Espagnol",
        "Serveurs, VPN et environnements de recette de l'ERP.",
    ),
    "romain.barbier": Profile(
        "Technicien support de proximité", "Informatique", "Rungis", "lucas.moreau",
        "Support utilisateurs|Réseaux|ERP|Cybersécurité", "Football|Cuisine", "Français|Anglais",
        "Postes, imprimantes et prêt de matériel. Passez me voir au bâtiment A de Rungis.",
    ),
    # Finance
    "laure.blanc": Profile(
        "Responsable comptable", "Finance", "Paris", "olivier.mercier",
        "Comptabilité|TVA|SAP|ERP|Reprise de données", "Lecture|Natation", "Français|Anglais",
        "Clôtures mensuelles et recette comptable du nouvel ERP.",
    ),
    "sandrine.morel": Profile(
        "Responsable des services généraux", "Finance", "Paris", "olivier.mercier",
        "Services généraux|Achats|Support utilisateurs|Qualité", "Jardinage|Chorale",
        "Français|Portugais",
        "Salles, badges, parkings et fournitures de tous les sites.",
    ),
    # Commercial
    "vincent.lefevre": Profile(
        "Ingénieur commercial grands comptes", "Commercial", "Lille", "celine.arnaud",
        "Grands comptes|Négociation|Transport|Salons professionnels", "Cyclisme|Œnologie",
        "Français|Anglais|Allemand|Néerlandais",
        "Distributeurs du Nord et d'Allemagne. Toujours entre deux trains.",
    ),
    "aurelie.masson": Profile(
        "Chargée d'administration des ventes", "Commercial", "Nantes", "celine.arnaud",
        "Administration des ventes|Relation client|SAP|Facturation", "Vélo|Couture",
        "Français|Anglais",
        "Commandes, facturation et suivi des livraisons des clients de l'Ouest.",
    ),
    "julie.renaud": Profile(
        "Chargée d'affaires", "Commercial", "Marseille", "celine.arnaud",
        "Relation client|Salons professionnels|Négociation|Innovation", "Plongée|Photographie",
        "Français|Anglais|Espagnol|Italien",
        "Clients du Sud-Est, appels d'offres et salons.",
    ),
    "manon.giraud": Profile(
        "Chargée de marketing", "Commercial", "Paris", "celine.arnaud",
        "Marketing|Salons professionnels|RGPD|Innovation|Communication", "Dessin|Course à pied",
        "Français|Anglais",
        "Supports de présentation, salons et newsletters clients.",
    ),
    # Ressources humaines
    "sophie.bernard": Profile(
        "Chargée de développement RH", "Ressources humaines", "Paris", "emma.leroy",
        "Formation|Recrutement|Innovation|Conduite du changement|RSE", "Théâtre|Jardinage",
        "Français|Anglais|Espagnol",
        "Binôme d'accueil, plan de formation et *Labo Innovation* : proposez vos idées !",
    ),
    "margaux.chevalier": Profile(
        "Chargée de recrutement", "Ressources humaines", "Paris", "emma.leroy",
        "Recrutement|Marque employeur|RGPD|Relations écoles", "Course à pied|Cinéma",
        "Français|Anglais",
        "Recrutement, forums écoles et lien avec la communauté des anciens.",
    ),
    "bastien.roussel": Profile(
        "Gestionnaire paie et administration du personnel", "Ressources humaines", "Paris",
        "emma.leroy",
        "Paie|Droit du travail|RGPD|Comptabilité", "Rugby|Jeux de société", "Français",
        "Paie, mutuelle, télétravail : les questions d'administration du personnel, c'est ici.",
    ),
    # Communication
    "chloe.fournier": Profile(
        "Chargée de communication interne", "Communication", "Paris", "helene.garnier",
        "Communication interne|Animation de communauté|Événementiel|Rédaction",
        "Photographie|Voyages", "Français|Anglais|Allemand",
        "Newsletter, blog interne et *Communauté des anciens*.",
    ),
    "quentin.rolland": Profile(
        "Chargé de communication et événementiel", "Communication", "Paris", "helene.garnier",
        "Événementiel|Communication interne|RSE|Mobilité durable|Vidéo", "Vélo|Musique",
        "Français|Anglais",
        "Séminaires, soirées et challenge de la mobilité.",
    ),
    # Contractors: their company, the department they work with, no manager here.
    "marc.lambert": Profile(
        "Développeur back-end", "Logistique", "Lyon", None,
        "API|Kubernetes|React|WMS|Transport", "Trail|Échecs", "Français|Anglais",
        "Prestataire sur **Atlas** : interfaces transporteurs.",
        organisation="Prestataire Conseil",
    ),
    "ines.faure": Profile(
        "Ingénieure données", "Logistique", "Télétravail", None,
        "Reprise de données|SQL|Python|Kubernetes", "Lecture|Escalade", "Français|Anglais|Espagnol",
        "Prestataire sur **Atlas** : reprise des données et essais de charge.",
        organisation="Prestataire Conseil",
    ),
    "damien.carpentier": Profile(
        "Chef de projet ERP", "Informatique", "Paris", None,
        "ERP|SAP|Gestion de projet|Comptabilité", "Golf|Cuisine", "Français|Anglais",
        "Intégrateur Logisoft, chef de projet de la *Migration ERP*.",
        organisation="Logisoft",
    ),
    "sarah.weber": Profile(
        "Consultante fonctionnelle finance", "Informatique", "Télétravail", None,
        "SAP|ERP|Comptabilité|TVA|Reprise de données", "Randonnée|Piano",
        "Français|Allemand|Anglais",
        "Consultante Logisoft : plan de comptes, TVA et recette comptable.",
        organisation="Logisoft",
    ),
    # Alumni: their former unit, department and years.
    "antoine.girard": Profile(
        "Ancien responsable d'entrepôt", "Logistique", "Lille", None,
        "Exploitation logistique|WMS|Lean|Sécurité au travail", "Vélo|Football",
        "Français|Anglais|Allemand",
        "Quatorze ans à l'entrepôt de Lille, aujourd'hui directeur de site près de Hambourg.",
        organisation="Entrepôt de Lille", years=(2009, 2023),
    ),
    "nathalie.roux": Profile(
        "Ancienne contrôleuse de gestion", "Finance", "Paris", None,
        "Contrôle de gestion|Budget|SAP", "Lecture|Randonnée", "Français|Anglais",
        "Direction financière de 2011 à 2022 ; aujourd'hui DAF d'une PME de transport.",
        organisation="Direction financière", years=(2011, 2022),
    ),
    "gilles.perrot": Profile(
        "Ancien chef d'équipe expédition", "Logistique", "Nantes", None,
        "Exploitation logistique|Transport|Chariots élévateurs", "Pêche|Jardinage", "Français",
        "Vingt-six ans à l'expédition de Nantes, jeune retraité et toujours partant pour un café.",
        organisation="Entrepôt de Nantes", years=(1998, 2024),
    ),
}
# fmt: on


def demo_phone(position: int) -> str:
    """A fictional number for the person at ``position`` in the demo's list."""
    return f"+33 1 99 00 {10 + position:02d} {(position * 37) % 90 + 10:02d}"


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
    await seed_profiles(session, people)
    return people


async def seed_profiles(session: AsyncSession, people: dict[str, User]) -> None:
    """Each person's profile (PROFILES) where it is still empty, and the tags
    they do not have yet: running the demo again changes nothing, and keeps
    what a person edited since."""
    positions = {person.handle: n for n, person in enumerate(DEMO_PEOPLE + COLLEAGUES)}
    for handle, profile in PROFILES.items():
        user = people[handle]
        if user.job_title:
            continue
        user.job_title = profile.title
        user.department = profile.department
        user.site = profile.site
        user.manager_id = people[profile.manager].id if profile.manager else None
        user.organisation = profile.organisation
        user.joined_year, user.left_year = profile.years or (None, None)
        user.phone = demo_phone(positions[handle])
        user.bio = profile.bio
    tagged = set(
        (
            await session.execute(
                select(ProfileTag.user_id, ProfileTag.kind, ProfileTag.key).where(
                    ProfileTag.user_id.in_([user.id for user in people.values()])
                )
            )
        ).all()
    )
    for handle, profile in PROFILES.items():
        user_id = people[handle].id
        for kind, name in profile.tags():
            if (user_id, kind, fold(name)) not in tagged:
                session.add(ProfileTag(user_id=user_id, kind=kind, key=fold(name), name=name))
    await session.flush()


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
