"""Fill an EMPTY Ruche database with a realistic company, for the benchmarks.

    python bench/generate.py --database-url sqlite+aiosqlite:////tmp/ruche_bench.db
    python bench/generate.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/ruche_bench
    python bench/generate.py --database-url ... --scale 0.01     # a small run

At scale 1: 10,000 accounts (about 90 % employees, cleared mostly internal, some
confidential and secret; alumni and contractors capped at public), 500 spaces of
every kind and visibility, each employee in 5-15 spaces and each external in 1-2
spaces that allow externals, follows (every joined space, some people, some
hashtags), 1,000,000 posts over two years in the company stream and the spaces
at every level up to their author's clearance (a few % with an audience; some
questions, announcements, polls, shares, edits, tombstones), ~1M comments, ~2M
post reactions, hashtags, mentions — and personal access tokens for a sample of
viewers, whose secrets are written to --tokens-file for bench/feed_load.py.
Every account has a profile (department, site, a manager tree under the first
account, phone, often a bio; skills, interests, languages in profile_tags, the
skills words the posts use), and the search index holds every person, space,
post and comment left standing (``search_entries``, words from
``app.search.text.terms`` as the app writes them).

It runs the migrations first (app.migrate.upgrade), refuses a database that
already has accounts, then loads with the fastest bulk path each database has:
COPY (asyncpg ``copy_records_to_table``) on PostgreSQL, ``executemany`` inside
big transactions with ``synchronous=OFF`` on SQLite. Foreign keys are not
checked during the load (``session_replication_role=replica`` /
``foreign_keys=OFF``): the rows are consistent by construction, and ``--check``
verifies every foreign key afterwards. Bodies are rendered cheaply (escape +
<p>, hashtags and mentions as the renderer's links), not through Markdown. The
full-text index (SQLite's FTS5 table, PostgreSQL's GIN index) is built once at
the end of the load rather than entry by entry (docs/benchmarks.md measures it).

Deterministic: the same --seed, --scale and --now give the same database.
Every account's password is ``--password`` (one argon2 hash, computed once).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import html
import itertools
import json
import random
import shlex
import sqlite3
import sys
import time
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.levels import Level  # noqa: E402  (the project's root, just put on the path)
from app.search.scope import ANYWHERE, scope_of  # noqa: E402

# Ranks of app.levels.Level, as LevelType stores them.
PUBLIC, INTERNAL, CONFIDENTIAL, SECRET = 0, 1, 2, 3
DAY = 86400.0

# --- vocabulary -------------------------------------------------------------------


def words(text: str, separator: str | None = None) -> list[str]:
    return text.split(separator)


FIRST_NAMES = words(
    "Camille Léa Manon Chloé Inès Jade Louise Emma Sarah Clara Lucie Juliette Zoé Alice "
    "Anaïs Margaux Mathilde Pauline Élise Océane Julie Marie Céline Sophie Nathalie Isabelle "
    "Sandrine Valérie Hélène Aurélie Claire Agathe Romane Nina Lina Maëlle Émilie Amélie "
    "Lucas Hugo Louis Nathan Théo Gabriel Arthur Jules Raphaël Tom Maxime Paul Antoine "
    "Thomas Nicolas Julien Alexandre Mathieu Pierre Olivier Laurent Stéphane Sébastien "
    "François Jérôme Christophe Vincent Benoît Yann Loïc Mehdi Karim Yanis Adam Rayan "
    "Noé Victor Baptiste Quentin Romain Clément Guillaume Damien Florian Kevin Bastien"
)
LAST_NAMES = words(
    "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel "
    "Lefebvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine "
    "Rousseau Vincent Muller Lefèvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier "
    "François Legrand Gauthier Garcia Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu "
    "Gautier Masson Marchand Duval Denis Dumont Marie Lemaire Noël Meyer Dufour Meunier Brun "
    "Blanchard Giraud Joly Rivière Lucas Brunet Gaillard Barbier Arnaud Martinez Gérard Roche "
    "Renard Schmitt Roy Leroux Colin Vidal Caron Picard Roger Fabre Aubert Lemoine Renaud "
    "Dumas Lacroix Olivier Philippe Bourgeois Pierre Benoît Rey Leclerc Payet Rolland Leclercq "
    "Guillaume Lecomte Lopez Jean Dupuy Guillot Hubert Berger Carpentier Sanchez Dupuis "
    "Moulin Louis Deschamps Huet Vasseur Perez Boucher Fleury Royer Klein Jacquet Adam Paris "
    "Poirier Marty Aubry Guyot Carré Charles Renault Charpentier Ménard Maillard Baron Bertin "
    "Bailly Hervé Schneider Fernandez Legall Collet Léger Bouvier Julien Prévost Millet "
    "Perrot Daniel Leroux Cousin Germain Breton Besson Langlois Rémy Legoff Pelletier Lévêque"
)
CITIES = words(
    "Paris Lyon Nantes Lille Toulouse Bordeaux Grenoble Rennes Marseille Strasbourg "
    "Montpellier Nice Rouen Dijon Brest Tours Clermont Annecy Metz Orléans"
)
DEPARTMENTS = words(
    "Finance Achats Juridique RH Marketing Ventes Support Logistique Production Qualité "
    "Maintenance Informatique Sécurité Communication Recherche Méthodes Paie Formation "
    "Data Design Produit Exploitation Réseau Infrastructure Conformité"
)
CODENAMES = words(
    "Hermès Athéna Apollon Artémis Orion Pégase Phénix Mistral Sirocco Tramontane Garonne "
    "Loire Rhône Seine Dordogne Colibri Héron Martinet Mésange Albatros Faucon Hirondelle "
    "Castor Lynx Renard Chamois Edelweiss Lavande Olivier Cèdre Séquoia Ginkgo Aubépine "
    "Boréal Zénith Nadir Quasar Pulsar Nébuleuse Comète Aurore Horizon Boussole Sextant "
    "Gouvernail Ancre Vigie Phare Estuaire Delta Atlas Titan Cassiopée Andromède Véga"
)
THEMES = words(
    "IA générative|Usine du futur|Mobilité douce|Sobriété numérique|Expérience client|"
    "Jumeau numérique|Économie circulaire|Hydrogène|Objets connectés|Automatisation|"
    "Énergies renouvelables|Maintenance prédictive|Accessibilité|Open innovation|Data lake",
    "|",
)
INTERESTS = words(
    "Python|Photo|Course à pied|Vélo|Jeux de société|Œnologie|Lecture|Musique|Cuisine|"
    "Jardinage|Parentalité|Handicap et inclusion|Égalité femmes-hommes|Développeurs|"
    "Managers|Nouveaux arrivants|Anciens de l'école|Télétravail|Écologie au bureau|Échecs|"
    "Théâtre|Randonnée|Solidarité|Covoiturage|Langues étrangères|Cybersécurité|Agilité",
    "|",
)
HASHTAGS = words(
    "innovation sécurité qualité télétravail écoconception bienêtre réunion stratégie "
    "clientèle numérique événement intégration accessibilité données énergie santé mobilité "
    "diversité égalité sobriété cybersécurité recrutement formation rse agile lean devops ia "
    "cloud data api produit ux design marketing ventes finance juridique achats logistique "
    "usine maintenance sav support onboarding mentorat afterwork séminaire hackathon kaizen "
    "retex démo release sprint roadmap okr kpi budget audit conformité rgpd iso27001 climat "
    "vélo covoiturage cantine sport musique lecture photo running solidarité mécénat lyon "
    "paris nantes lille toulouse bordeaux grenoble rennes marseille strasbourg montpellier "
    "nice rouen réussite merci bravo bienvenue question tuto astuce veille python postgresql "
    "sqlite kubernetes sûreté environnement recyclage économies fournisseurs partenaires "
    "salon webinaire podcast newsletter intranet résultats trimestre objectifs équipe "
    "projet client terrain chantier atelier prototype brevet idée défi challenge"
)
SUBJECTS = words(
    "L'équipe|Le comité de pilotage|Notre client|La direction|Le service RH|Le pôle data|"
    "L'atelier de Lyon|Le projet|La nouvelle version|Le support|L'équipe produit|Le labo|"
    "Le groupe de travail|La cellule qualité|Le service achats|Notre partenaire|"
    "L'équipe d'exploitation|Le bureau d'études|La communauté|Le service juridique|"
    "L'usine de Rennes|Le centre de services|La DSI|Le conseil social et économique",
    "|",
)
VERBS = words(
    "a validé|présentera|prépare|a livré|lance|recherche|propose|revoit|organise|a terminé|"
    "met à jour|publie|simplifie|accélère|teste|documente|planifie|reporte|finalise|partage",
    "|",
)
OBJECTS = words(
    "la feuille de route du trimestre|le tableau de bord qualité|une démonstration|"
    "le plan de formation|les tests de charge|la migration vers PostgreSQL|"
    "l'atelier d'idéation|le retour d'expérience|la charte de télétravail|le budget 2027|"
    "les maquettes de l'application mobile|un afterwork|le référentiel fournisseurs|"
    "la procédure d'astreinte|le guide d'accueil des nouveaux arrivants|le bilan carbone|"
    "la nouvelle offre de services|le cahier des charges|les indicateurs de satisfaction|"
    "la revue de sécurité|le prototype|les résultats de l'enquête interne|le planning des congés|"
    "la campagne de recrutement|l'audit ISO 27001|le contrat-cadre|la refonte de l'intranet|"
    "le séminaire annuel|la réorganisation des bureaux|le plan de continuité d'activité|"
    "les ateliers de co-construction|la politique de mots de passe|le catalogue produits",
    "|",
)
ENDINGS = words(
    " jeudi prochain| avant la fin du mois| dès lundi| en salle Garonne|, merci à tous !|"
    " ; vos retours sont les bienvenus| comme prévu| avec un peu d'avance| cette semaine|"
    ", détails en commentaire| : rendez-vous à 14 h| pour le comité de jeudi| demain matin|"
    " (compte rendu à suivre)| avec l'appui de l'équipe de Nantes||||",
    "|",
)
QUESTIONS = words(
    "qui gère les badges d'accès|comment réserver la salle du 3e|où trouver le modèle de "
    "présentation|qui a la main sur le serveur de recette|quand ouvre la nouvelle cantine|"
    "comment déclarer une note de frais|qui connaît bien PostgreSQL|où en est la livraison|"
    "quel est le process pour un achat urgent|qui peut relire ce document",
    "|",
)
COMMENTS = words(
    "Merci pour le partage !|Bravo à toute l'équipe.|Très intéressant, on en reparle.|"
    "Je suis partant.|Est-ce que le support est disponible ?|Bonne idée, je relaie.|"
    "On peut caler un point la semaine prochaine ?|Super nouvelle !|Je m'inscris.|"
    "Attention au délai, c'est serré.|+1|Qui s'occupe de la suite ?|Top, merci.|"
    "Je vous mets en copie du compte rendu.|Belle réussite collective.|"
    "Petite coquille dans le deuxième paragraphe.|Je regarde ça demain.|"
    "Est-ce que cela concerne aussi le site de Lille ?|Merci, c'est très clair.|"
    "Je confirme, c'est en production depuis ce matin.",
    "|",
)

# Profiles. Skills are words the posts use too (hashtags, mostly), so that
# "who knows about X" finds both declared skills and posts; each department
# draws from its own skills first. Sites: the cities, and working from home.
# Departments in order of size (a Zipf law): the first account heads the company
# from the smallest, "Direction".
SKILLS_BY_DEPARTMENT = {  # largest department first
    "Production": "Usine|Lean|Kaizen|Maintenance|Qualité",
    "Logistique": "Logistique|Lean|Fournisseurs|Kaizen",
    "Ventes": "Ventes|Clientèle|Salon|Partenaires",
    "Informatique": "Python|PostgreSQL|Kubernetes|DevOps|Cloud|API|Cybersécurité",
    "Support": "Support|SAV|Clientèle|Tuto",
    "Maintenance": "Maintenance|Énergie|Sûreté|Usine",
    "Exploitation": "DevOps|Kubernetes|Cloud|Support",
    "Qualité": "Qualité|Audit|ISO27001|Kaizen|Lean",
    "Finance": "Finance|Budget|Audit|KPI|Achats",
    "Achats": "Achats|Fournisseurs|Budget|Conformité",
    "Marketing": "Marketing|Newsletter|Podcast|UX|Design",
    "RH": "Recrutement|Formation|Onboarding|Mentorat|Diversité",
    "Méthodes": "Lean|Kaizen|Agile|Produit",
    "Recherche": "Innovation|IA|Prototype|Brevet|Data",
    "Data": "Data|Python|PostgreSQL|IA|SQLite",
    "Produit": "Produit|Roadmap|UX|Agile|OKR|Sprint",
    "Sécurité": "Sécurité|Sûreté|Cybersécurité|ISO27001",
    "Communication": "Intranet|Newsletter|Événement|Webinaire|Podcast",
    "Formation": "Formation|Mentorat|Onboarding|Webinaire",
    "Infrastructure": "Kubernetes|Cloud|DevOps|PostgreSQL|Énergie",
    "Réseau": "Cloud|Cybersécurité|Kubernetes",
    "Design": "Design|UX|Accessibilité|Prototype",
    "Paie": "Finance|Conformité|RGPD",
    "Juridique": "Juridique|RGPD|Conformité|Audit",
    "Conformité": "Conformité|RGPD|Audit|ISO27001",
    "Direction": "Stratégie|Budget|OKR|RSE|KPI",
}
SKILLS_ANYWHERE = words("Agile|RSE|Sobriété|Accessibilité|IA|Data|Mentorat|Python|Lean|API", "|")
JOB_TITLES = words(
    "Chargé de mission|Analyste|Ingénieur|Technicien|Assistant|Spécialiste|Consultant interne|"
    "Gestionnaire|Coordinateur|Expert",
    "|",
)
CONTRACTOR_TITLES = words("Consultant|Développeur|Chef de projet|Formateur|Auditeur", "|")
CONTRACTOR_FIRMS = words(
    "Logisoft|Datavia|Conseil Ouest|Nexaforme|Optimalis|Cabinet Arcade|Sysnéo|Ingénia", "|"
)
SITES = CITIES[:10]
REMOTE = "Télétravail"
LANGUAGES = {"Anglais": 0.6, "Espagnol": 0.15, "Allemand": 0.1, "Italien": 0.05, "Arabe": 0.04}
# The numbers ARCEP keeps for fiction: 10,000 in each range.
PHONE_RANGES = ["1 99 00", "2 61 91", "3 53 01", "4 65 71", "5 36 49"]


def phone(user_id: int) -> str:
    rest = user_id % 10_000
    prefix = PHONE_RANGES[(user_id // 10_000) % len(PHONE_RANGES)]
    return f"+33 {prefix} {rest // 100:02d} {rest % 100:02d}"


REACTION_KINDS = ["like", "celebrate", "support", "insightful", "curious"]
REACTION_WEIGHTS = [60, 12, 10, 12, 6]


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join("".join(c if c.isalnum() else " " for c in plain.lower()).split())


def cumulative(weights: list[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def zipf_weights(n: int, s: float) -> list[float]:
    return [1.0 / (rank**s) for rank in range(1, n + 1)]


class Terms:
    """``app.search.text.terms`` of a text made of pieces joined by spaces, from
    each piece's words and stems worked out once: the posts reuse a few thousand
    sentences, hashtags and handles. The words of pieces joined by a space are the
    pieces' words in turn, so this is terms(" ".join(pieces)) — checked on a
    sample as the posts are made."""

    def __init__(self):
        from app.search import text

        self.text = text
        self.pieces: dict[str, tuple[list[str], set[str]]] = {}

    def _piece(self, piece: str) -> tuple[list[str], set[str]]:
        found = self.pieces.get(piece)
        if found is None:
            found = self.text.words(piece)
            found = self.pieces[piece] = (found, {s for w in found for s in self.text.stems(w)})
        return found

    def of(self, pieces: list[str]) -> str:
        ordered: list[str] = []
        stems: set[str] = set()
        for piece in pieces:
            piece_words, piece_stems = self._piece(piece)
            ordered += piece_words
            stems |= piece_stems
        return " ".join([*ordered, *sorted(stems - set(ordered))])


PROFILE_COLUMNS = (
    "job_title",
    "department",
    "site",
    "manager_id",
    "organisation",
    "joined_year",
    "left_year",
    "phone",
    "bio",
)


# --- database writers -------------------------------------------------------------


class Writer:
    """The bulk path of one database: insert rows, and the value of a timestamp."""

    name = ""

    async def insert(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        raise NotImplementedError

    def ts(self, epoch: float):
        raise NotImplementedError


class SqliteWriter(Writer):
    name = "sqlite"

    def __init__(self, path: str):
        self.connection = sqlite3.connect(path, isolation_level=None)
        self.connection.execute("PRAGMA foreign_keys=OFF")
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=OFF")
        self.connection.execute("PRAGMA cache_size=-1000000")  # 1 GB of page cache
        self.connection.execute("PRAGMA temp_store=MEMORY")
        self.connection.execute("BEGIN")
        # The full-text index is built once at the end ('rebuild'), five times
        # faster than its trigger adding each entry as it comes: the trigger is
        # set aside for the load and put back as the migration made it.
        self.fts_trigger = self.connection.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'search_entries_ai'"
        ).fetchone()[0]
        self.connection.execute("DROP TRIGGER search_entries_ai")

    async def insert(self, table, columns, rows):
        if rows:
            marks = ", ".join("?" * len(columns))
            self.connection.executemany(
                f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})',  # noqa: S608
                rows,
            )

    def ts(self, epoch: float) -> str:
        # SQLAlchemy's SQLite DATETIME storage format (UTC, no offset).
        moment = datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)
        return moment.isoformat(" ", "microseconds")

    async def commit(self):
        self.connection.execute("COMMIT")
        self.connection.execute("BEGIN")

    async def scalar(self, sql: str):
        return self.connection.execute(sql).fetchone()[0]

    async def finish(self, check: bool, fk_queries: list[str]) -> None:
        started = time.perf_counter()
        self.connection.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
        self.connection.execute(self.fts_trigger)
        print(f"full-text index built: {time.perf_counter() - started:.1f}s", flush=True)
        self.connection.execute("COMMIT")
        if check:
            indexed, entries = self.connection.execute(
                "SELECT (SELECT count(*) FROM search_fts_docsize), "
                "(SELECT count(*) FROM search_entries)"
            ).fetchone()
            print(f"  check the full-text index holds every entry: {indexed} of {entries}")
            if indexed != entries:
                raise SystemExit("the full-text index misses search entries")
            for query in fk_queries:
                broken = self.connection.execute(query).fetchone()[0]
                print(f"  check {query[:90]}...: {broken}", flush=True)
                if broken:
                    raise SystemExit(f"broken foreign key: {query}")
        started = time.perf_counter()
        self.connection.execute("ANALYZE")
        self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.connection.execute("PRAGMA synchronous=NORMAL")
        print(f"ANALYZE + checkpoint: {time.perf_counter() - started:.1f}s", flush=True)
        sizes = self.connection.execute(
            "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'search%' "
            "OR name LIKE '%search_entries%' GROUP BY name ORDER BY name"
        ).fetchall()
        report_index_size(sizes)
        self.connection.close()


class PostgresWriter(Writer):
    name = "postgresql"

    def __init__(self, connection):
        self.connection = connection
        self.transaction = None

    @classmethod
    async def open(cls, url: str) -> PostgresWriter:
        import asyncpg

        connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        writer = cls(connection)
        await connection.execute("SET synchronous_commit = off")
        try:
            # Foreign keys are enforced by triggers: off for this session's load.
            await connection.execute("SET session_replication_role = replica")
        except Exception as error:  # not a superuser: keep them, slower
            print(f"(foreign keys stay checked during the load: {error})", flush=True)
        writer.transaction = connection.transaction()
        await writer.transaction.start()
        # The full-text index is built once at the end: ~15 % faster than growing
        # it entry by entry, and smaller. Put back as the migration made it.
        writer.fts_index = await connection.fetchval(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_search_entries_document'"
        )
        await connection.execute("DROP INDEX ix_search_entries_document")
        return writer

    async def insert(self, table, columns, rows):
        if rows:
            await self.connection.copy_records_to_table(table, records=rows, columns=columns)

    def ts(self, epoch: float) -> datetime:
        return datetime.fromtimestamp(epoch, UTC)

    async def commit(self):
        await self.transaction.commit()
        self.transaction = self.connection.transaction()
        await self.transaction.start()

    async def scalar(self, sql: str):
        return await self.connection.fetchval(sql)

    async def finish(self, check: bool, fk_queries: list[str]) -> None:
        started = time.perf_counter()
        await self.connection.execute(self.fts_index)
        print(f"full-text index built: {time.perf_counter() - started:.1f}s", flush=True)
        await self.transaction.commit()
        await self.connection.execute("SET session_replication_role = DEFAULT")
        # Explicit ids were given: move each sequence past them.
        for table in (
            "users",
            "spaces",
            "hashtags",
            "posts",
            "comments",
            "poll_options",
            "access_tokens",
            "search_entries",
        ):
            await self.connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        if check:
            for query in fk_queries:
                broken = await self.connection.fetchval(query)
                print(f"  check {query[:90]}...: {broken}", flush=True)
                if broken:
                    raise SystemExit(f"broken foreign key: {query}")
        started = time.perf_counter()
        # VACUUM too: it sets the visibility map, as autovacuum would have on a live
        # database, so that index-only scans need not visit the heap.
        await self.connection.execute("VACUUM ANALYZE")
        print(f"VACUUM ANALYZE: {time.perf_counter() - started:.1f}s", flush=True)
        sizes = await self.connection.fetch(
            "SELECT 'search_entries (table and TOAST)', pg_table_size('search_entries') "
            "UNION ALL SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) "
            "FROM pg_index WHERE indrelid = 'search_entries'::regclass ORDER BY 1"
        )
        report_index_size([tuple(row) for row in sizes])
        await self.connection.close()


def report_index_size(sizes: list[tuple[str, int]]) -> None:
    """The search index's size by table and index (docs/benchmarks.md reports it)."""
    for name, size in sizes:
        print(f"  {name}: {size / 2**20:,.1f} MiB", flush=True)
    print(f"search index: {sum(size for _name, size in sizes) / 2**20:,.1f} MiB", flush=True)


def foreign_key_checks() -> list[str]:
    """One anti-join per foreign key of the schema: the count of dangling references."""
    from app.models import Base

    queries = []
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            column, target = fk.parent, fk.column
            queries.append(
                f'SELECT count(*) FROM "{table.name}" c WHERE c."{column.name}" IS NOT NULL '  # noqa: S608
                f'AND NOT EXISTS (SELECT 1 FROM "{target.table.name}" p '
                f'WHERE p."{target.name}" = c."{column.name}")'
            )
    return queries


async def migrate_and_check_empty(url: str) -> dict[str, set[str]]:
    """Runs the migrations; returns each table's NOT NULL columns without a default
    (what every insert below must give), after checking the database is empty."""
    from sqlalchemy import inspect, text

    from app.db import create_engine
    from app.migrate import upgrade

    engine = create_engine(url)
    try:
        await upgrade(engine)
        async with engine.connect() as connection:
            count = (await connection.execute(text("SELECT count(*) FROM users"))).scalar()
            if count:
                raise SystemExit(
                    f"the database already has {count} accounts: give an EMPTY database"
                )

            def required(sync):
                inspector = inspect(sync)
                found = {}
                for table in inspector.get_table_names():
                    found[table] = {
                        c["name"]
                        for c in inspector.get_columns(table)
                        if not c["nullable"] and c.get("default") is None and c["name"] != "id"
                    }
                return found

            return await connection.run_sync(required)
    finally:
        await engine.dispose()


# --- the company ------------------------------------------------------------------


class Company:
    """Generates the company, table by table, into a Writer."""

    def __init__(self, args, writer: Writer, required: dict[str, set[str]]):
        self.args = args
        self.w = writer
        self.required = required
        self.rng = random.Random(args.seed)
        # Profiles and the posts' tags on their authors' skills draw from their own
        # random: the rest of the company is what it was before profiles existed.
        self.profile_rng = random.Random(f"{args.seed} profiles")
        self.terms = Terms()
        self.entry_id = 0  # search entries, numbered as the items come
        self.now = args.now.timestamp()
        self.start = self.now - args.days * DAY
        scale = args.scale
        self.n_users = max(60, round(10_000 * scale))
        self.n_spaces = max(8, round(500 * scale))
        self.n_posts = max(500, round(1_000_000 * scale))
        self.counts: dict[str, int] = {}
        self.started = time.perf_counter()

    # ----- helpers

    async def put(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        missing = self.required.get(table, set()) - set(columns)
        if missing:
            raise SystemExit(
                f"table {table} has required columns this generator does not fill: "
                f"{sorted(missing)} (update bench/generate.py)"
            )
        await self.w.insert(table, columns, rows)
        self.counts[table] = self.counts.get(table, 0) + len(rows)

    def log(self, message: str) -> None:
        print(f"[{time.perf_counter() - self.started:7.1f}s] {message}", flush=True)

    # ----- accounts

    async def users(self) -> None:
        from app.security import hash_password

        rng, T = self.rng, self.w.ts
        password_hash = hash_password(self.args.password)
        n = self.n_users
        n_alumni = round(n * 0.06)
        n_contractors = round(n * 0.04)
        kinds = ["employee"] * (n - n_alumni - n_contractors)
        kinds += ["alumni"] * n_alumni + ["contractor"] * n_contractors
        rng.shuffle(kinds)
        kinds[0] = "employee"  # the first account is an administrator
        self.kind = [None, *kinds]  # by id
        self.clearance = [None]
        self.active = [None]
        self.handles = [None]
        employees = []
        rows = []
        used_handles: dict[str, int] = {}
        for user_id in range(1, n + 1):
            kind = kinds[user_id - 1]
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            base = f"{ascii_slug(first)}.{ascii_slug(last).replace('-', '')}"[:34]
            seen = used_handles.get(base, 0)
            used_handles[base] = seen + 1
            handle = base if seen == 0 else f"{base}{seen + 1}"
            if kind == "employee":
                roll = rng.random()
                clearance = INTERNAL if roll < 0.80 else CONFIDENTIAL if roll < 0.95 else SECRET
                employees.append(user_id)
            else:
                clearance = PUBLIC
            role = "admin" if user_id <= max(1, n // 2000) else "member"
            if role == "admin":
                clearance = SECRET
            active = user_id == 1 or rng.random() > 0.015
            created = self.start - rng.uniform(30, 1500) * DAY
            last_seen = self.now - rng.uniform(0, 60) * DAY if rng.random() < 0.8 else None
            external = kind != "employee"
            sponsor = rng.choice(employees) if external and employees else None
            access_ends = self.now + rng.uniform(30, 365) * DAY if kind == "contractor" else None
            domain = "ruche-bench.fr" if not external else "externe.example"
            if kind == "contractor":
                domain = ascii_slug(CONTRACTOR_FIRMS[user_id % len(CONTRACTOR_FIRMS)])
                domain = domain.replace("-", "") + ".example"
            rows.append(
                (
                    user_id,
                    f"{handle}@{domain}",
                    handle,
                    f"{first} {last}",
                    password_hash,
                    kind,
                    role,
                    clearance,
                    active,
                    "fr" if rng.random() < 0.85 else "en",
                    T(created),
                    T(last_seen) if last_seen else None,
                    sponsor,
                    T(access_ends) if access_ends else None,
                    T(created) if external else None,
                )
            )
            self.clearance.append(clearance)
            self.active.append(active)
            self.handles.append(handle)
        await self.put(
            "users",
            (
                "id",
                "email",
                "handle",
                "display_name",
                "password_hash",
                "kind",
                "role",
                "clearance",
                "is_active",
                "language",
                "created_at",
                "last_seen_at",
                "sponsor_id",
                "access_ends_at",
                "charter_accepted_at",
                *PROFILE_COLUMNS,
            ),
            self.profiles(rows, employees),
        )
        await self.put("profile_tags", ("user_id", "kind", "key", "name"), self.tag_rows)
        await self.put_entries(self.person_entries)
        self.employees = employees
        self.externals = [u for u in range(1, n + 1) if self.kind[u] != "employee"]
        self.active_users = [u for u in range(1, n + 1) if self.active[u]]
        # Who writes a lot: a Zipf law over a shuffled order of the active accounts.
        order = self.active_users[:]
        rng.shuffle(order)
        self.prolific = order
        self.prolific_cw = cumulative(zipf_weights(len(order), 0.9))
        # Readers of the company stream, by level: active accounts cleared for it.
        self.company_readers = [
            [u for u in self.active_users if self.clearance[u] >= rank] for rank in range(4)
        ]
        self.log(f"users: {n} ({len(employees)} employees, {len(self.externals)} externals)")

    def profiles(self, rows: list[tuple], employees: list[int]) -> list[tuple]:
        """``rows`` (the accounts, by id) with their profiles: department and site;
        a manager tree (the first account heads the company, each department has a
        head reporting to them, team leads and their teams); a contractor's firm
        (their e-mail's) and their sponsor's department, an alumnus's former unit
        and years; a phone, often a bio, and tags: skills mostly of their
        department, interests, languages. Also each person's search entry."""
        from app.search.text import fold

        rng = self.profile_rng
        n = self.n_users
        year = datetime.fromtimestamp(self.now, UTC).year
        departments = list(SKILLS_BY_DEPARTMENT)
        department_cw = cumulative(zipf_weights(len(departments), 0.6))
        site_cw = cumulative(zipf_weights(len(SITES), 0.8))
        department = ["", *rng.choices(departments, cum_weights=department_cw, k=n)]
        site = [""] + [
            REMOTE if rng.random() < 0.08 else rng.choices(SITES, cum_weights=site_cw)[0]
            for _ in range(n)
        ]
        department[1] = "Direction"
        manager: list[int | None] = [None] * (n + 1)
        title = [""] * (n + 1)
        title[1] = "Président-directeur général"
        teams: dict[str, list[int]] = {}
        for user_id in employees:
            if user_id != 1:
                teams.setdefault(department[user_id], []).append(user_id)
        for name, members in teams.items():
            if name == "Direction":
                for user_id in members:
                    manager[user_id], title[user_id] = 1, "Chargé de mission Direction"
                continue
            head, rest = members[0], members[1:]
            manager[head], title[head] = 1, f"Responsable {name}"
            leads = rest[: max(1, len(rest) // 8)]
            for user_id in leads:
                manager[user_id], title[user_id] = head, f"Chef d'équipe {name}"
            for user_id in rest[len(leads) :]:
                manager[user_id] = rng.choice(leads)
                title[user_id] = f"{rng.choice(JOB_TITLES)} {name}"
        hashtag_of = {fold(name): name for name in HASHTAGS}
        self.skill_tags: list[list[str]] = [[] for _ in range(n + 1)]  # hashtags, by id
        self.tag_rows, self.person_entries, out = [], [], []
        for row in rows:
            user_id, kind, sponsor = row[0], row[5], row[12]
            organisation, joined, left = "", None, None
            if kind == "contractor":
                organisation = CONTRACTOR_FIRMS[user_id % len(CONTRACTOR_FIRMS)]
                title[user_id] = rng.choice(CONTRACTOR_TITLES)
                if sponsor:
                    department[user_id] = department[sponsor]
                    site[user_id] = REMOTE if rng.random() < 0.3 else site[sponsor]
            elif kind == "alumni":
                title[user_id] = f"Ancien {rng.choice(JOB_TITLES).lower()} {department[user_id]}"
                organisation = f"Pôle {department[user_id]}, {site[user_id]}"
                joined = rng.randint(1995, year - 3)
                left = rng.randint(joined + 1, year - 1)
            tags: dict[tuple[str, str], str] = {}
            if rng.random() < (0.85 if kind == "employee" else 0.5):
                own = SKILLS_BY_DEPARTMENT[department[user_id]].split("|")
                for _ in range(rng.randint(3, 6)):
                    skill = rng.choice(own if rng.random() < 0.7 else SKILLS_ANYWHERE)
                    tags[("skill", fold(skill))] = skill
            for interest in rng.sample(INTERESTS, rng.choice([0, 0, 1, 2, 3])):
                tags[("interest", fold(interest))] = interest
            for language in ["Français"] + [
                name for name, share in LANGUAGES.items() if rng.random() < share
            ]:
                tags[("language", fold(language))] = language
            skills = [name for (tag_kind, _key), name in tags.items() if tag_kind == "skill"]
            self.skill_tags[user_id] = [
                hashtag_of[fold(skill)] for skill in skills if fold(skill) in hashtag_of
            ]
            bio = ""
            if rng.random() < 0.6:
                bio = f"{title[user_id]}, {site[user_id]}."
                if len(skills) >= 2:
                    bio += f" Je travaille surtout sur **{skills[0]}** et {skills[1]}."
            self.tag_rows += [(user_id, k, key, name) for (k, key), name in tags.items()]
            profile = (
                title[user_id],
                department[user_id],
                site[user_id],
                manager[user_id],
                organisation,
                joined,
                left,
                phone(user_id),
                bio,
            )
            self.person_entries.append(
                (
                    "person",
                    user_id,
                    self.terms.of([row[3], row[2]]),  # display name, handle
                    self.terms.of([*profile[:3], bio, *tags.values()]),
                    ANYWHERE,
                )
            )
            out.append((*row, *profile))
        return out

    async def put_entries(self, entries: list[tuple[str, int, str, str, str]]) -> None:
        """Search entries (kind, item id, title terms, body terms, scope), numbered in turn."""
        first = self.entry_id + 1
        self.entry_id += len(entries)
        await self.put(
            "search_entries",
            ("id", "kind", "item_id", "title_terms", "body_terms", "scope"),
            [(entry_id, *entry) for entry_id, entry in enumerate(entries, start=first)],
        )

    # ----- spaces and memberships

    async def spaces(self) -> None:
        rng, T = self.rng, self.w.ts
        n = self.n_spaces
        rows = []
        self.space_info = [None]  # by id: (visibility, default_level, allows_externals)
        used_slugs: set[str] = set()
        names: dict[str, int] = {}
        for space_id in range(1, n + 1):
            kind = rng.choices(["project", "team", "innovation", "community"], [40, 30, 10, 20])[0]
            visibility = rng.choices(["open", "private", "secret"], [55, 35, 10])[0]
            allows_externals = kind in ("project", "community") and rng.random() < 0.25
            if allows_externals:
                default = PUBLIC if rng.random() < 0.7 else INTERNAL
            elif visibility == "open":
                default = INTERNAL if rng.random() < 0.9 else PUBLIC
            elif visibility == "private":
                default = INTERNAL if rng.random() < 0.7 else CONFIDENTIAL
            else:
                default = CONFIDENTIAL if rng.random() < 0.6 else SECRET
            if kind == "project":
                name = f"Projet {rng.choice(CODENAMES)}"
                objective = f"Livrer {rng.choice(OBJECTS)} pour {rng.choice(CITIES)}."
            elif kind == "team":
                name = f"Équipe {rng.choice(DEPARTMENTS)} {rng.choice(CITIES)}"
                objective = f"Coordonner l'équipe et partager {rng.choice(OBJECTS)}."
            elif kind == "innovation":
                name = f"Lab {rng.choice(THEMES)}"
                objective = f"Explorer {rng.choice(THEMES).lower()} et proposer des prototypes."
            else:
                name = f"Communauté {rng.choice(INTERESTS)}"
                objective = "Échanger entre passionnés, partager astuces et retours."
            seen = names.get(name, 0)
            names[name] = seen + 1
            if seen:
                name = f"{name} {seen + 1}"
            slug = ascii_slug(name)[:70]
            while slug in used_slugs:
                slug = f"{slug}-{space_id}"
            used_slugs.add(slug)
            archived = kind == "project" and rng.random() < 0.15
            created = self.start - rng.uniform(0, 400) * DAY
            creator = rng.choice(
                [u for u in self.employees[:400] if self.clearance[u] >= default] or self.employees
            )
            rows.append(
                (
                    space_id,
                    slug,
                    name,
                    f"{name} — espace {kind}.",
                    objective,
                    kind,
                    visibility,
                    allows_externals,
                    default,
                    archived,
                    creator,
                    T(created),
                    T(created),
                )
            )
            self.space_info.append((visibility, default, allows_externals, creator))
        await self.put(
            "spaces",
            (
                "id",
                "slug",
                "name",
                "description",
                "objective",
                "kind",
                "visibility",
                "allows_externals",
                "default_level",
                "is_archived",
                "created_by_id",
                "created_at",
                "updated_at",
            ),
            rows,
        )
        await self.put_entries(
            [
                ("space", row[0], self.terms.of([row[2]]), self.terms.of([row[3]]), ANYWHERE)
                for row in rows
            ]
        )
        await self.memberships()

    async def memberships(self) -> None:
        rng, T = self.rng, self.w.ts
        n = self.n_spaces
        # Some spaces draw many more members than others.
        popularity = zipf_weights(n, 0.9)
        rng.shuffle(popularity)
        members: dict[int, dict[int, str]] = {s: {} for s in range(1, n + 1)}
        for space_id in range(1, n + 1):
            members[space_id][self.space_info[space_id][3]] = "owner"
        eligible = {}
        for rank in (INTERNAL, CONFIDENTIAL, SECRET):
            spaces = [s for s in range(1, n + 1) if self.space_info[s][1] <= rank]
            eligible[rank] = (spaces, cumulative([popularity[s - 1] for s in spaces]))
        for user_id in self.employees:
            spaces, cw = eligible[max(INTERNAL, self.clearance[user_id])]
            want = min(len(spaces), rng.randint(5, 15))
            chosen = dict.fromkeys(rng.choices(spaces, cum_weights=cw, k=want * 3))
            for space_id in list(chosen)[:want]:
                members[space_id].setdefault(user_id, "member")
        open_to_externals = [s for s in range(1, n + 1) if self.space_info[s][2]]
        for user_id in self.externals:
            if open_to_externals:
                for space_id in rng.sample(
                    open_to_externals, min(len(open_to_externals), rng.randint(1, 2))
                ):
                    members[space_id].setdefault(user_id, "member")
        rows = []
        follows = []
        self.members: list[list[int]] = [[]]
        self.member_readers: list[list[list[int]]] = [[]]  # [space][rank] -> members cleared
        self.memberships_of: dict[int, list[int]] = {}
        for space_id in range(1, n + 1):
            created = self.start - rng.uniform(0, 300) * DAY
            ids = sorted(members[space_id])
            managers = [u for u in ids if members[space_id][u] == "member"]
            for user_id in rng.sample(managers, min(len(managers), rng.randint(0, 2))):
                members[space_id][user_id] = "moderator"
            for user_id in ids:
                joined = T(created + rng.uniform(0, 200) * DAY)
                rows.append((space_id, user_id, members[space_id][user_id], joined))
                follows.append((user_id, "space", space_id, joined))
                self.memberships_of.setdefault(user_id, []).append(space_id)
            active_ids = [u for u in ids if self.active[u]]
            self.members.append(active_ids)
            self.member_readers.append(
                [[u for u in active_ids if self.clearance[u] >= rank] for rank in range(4)]
            )
        await self.put("memberships", ("space_id", "user_id", "role", "created_at"), rows)
        self.space_weights = cumulative(
            [popularity[s - 1] * (0.3 + rng.random()) for s in range(1, n + 1)]
        )
        self.follows_rows = follows
        self.log(f"memberships: {len(rows)}")

    async def hashtags(self) -> None:
        names = list(dict.fromkeys(HASHTAGS))
        self.rng.shuffle(names)  # which tags are the popular ones
        self.tags = names
        self.tag_cw = cumulative(zipf_weights(len(names), 1.05))
        self.tag_html = {
            name: f'<a href="/hashtags/{quote(name)}" class="hashtag" rel="nofollow noopener">'
            f"#{html.escape(name)}</a>"
            for name in names
        }
        await self.put("hashtags", ("id", "name"), [(i + 1, t) for i, t in enumerate(names)])

    async def follows(self) -> None:
        rng, T = self.rng, self.w.ts
        rows = {(u, k, t): c for u, k, t, c in self.follows_rows}
        open_spaces = [s for s in range(1, self.n_spaces + 1) if self.space_info[s][0] == "open"]
        for user_id in self.active_users:
            when = T(self.now - rng.uniform(1, 300) * DAY)
            if self.kind[user_id] == "employee":
                for space_id in rng.sample(open_spaces, min(len(open_spaces), rng.randint(0, 3))):
                    rows.setdefault((user_id, "space", space_id), when)
            people = rng.choices(
                self.prolific, cum_weights=self.prolific_cw, k=rng.choice([0, 0, 2, 5, 8, 12, 20])
            )
            for person in people:
                if person != user_id:
                    rows.setdefault((user_id, "user", person), when)
            if rng.random() < 0.4:
                for tag in rng.choices(
                    range(1, len(self.tags) + 1), cum_weights=self.tag_cw, k=rng.randint(1, 5)
                ):
                    rows.setdefault((user_id, "hashtag", tag), when)
        await self.put(
            "follows",
            ("user_id", "kind", "target_id", "created_at"),
            [(*key, when) for key, when in rows.items()],
        )
        self.log(f"follows: {len(rows)}")

    # ----- posts and what hangs off them

    def _sentences(self) -> None:
        rng = self.rng
        self.sentences = []
        for _ in range(3000):
            text = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
            text += f"{rng.choice(ENDINGS)}."
            if text.endswith("!.") or text.endswith("..."):
                text = text[:-1]
            self.sentences.append((text, html.escape(text, quote=False)))
        self.questions = [
            (f"Quelqu'un sait-il {q} ?", html.escape(f"Quelqu'un sait-il {q} ?", quote=False))
            for q in QUESTIONS
        ]
        self.comment_texts = [(c, f"<p>{html.escape(c, quote=False)}</p>") for c in COMMENTS]
        self.comment_terms = {c: self.terms.of([c]) for c in COMMENTS}

    def _mention_html(self, handle: str) -> str:
        return (
            f'<a href="/people/{quote(handle)}" class="mention" rel="nofollow noopener">'
            f"@{handle}</a>"
        )

    async def posts(self) -> None:
        rng, T = self.rng, self.w.ts
        skill_rng = self.profile_rng
        tag_id = {name: number for number, name in enumerate(self.tags, start=1)}
        skill_tags = [[tag_id[name] for name in names] for names in self.skill_tags]
        self._sentences()
        n = self.n_posts
        # Creation times: two years, weekdays and office hours mostly; ids follow time.
        times = []
        while len(times) < n:
            moment = rng.uniform(self.start, self.now - 600)
            day = datetime.fromtimestamp(moment, UTC)
            if (day.weekday() >= 5 or not 7 <= day.hour < 20) and rng.random() < 0.85:
                continue
            times.append(moment)
        times.sort()
        chunk = self.args.chunk
        comment_id = 0
        option_id = 0
        company_by_level: list[list[int]] = [[], [], [], []]  # company posts at <= rank
        admins = [u for u in self.active_users if u <= max(1, self.n_users // 2000)]
        tag_ids = list(range(1, len(self.tags) + 1))
        n_spaces = self.n_spaces
        space_ids = list(range(1, n_spaces + 1))
        level_shift = [0, 1, 2, -9]
        level_shift_w = cumulative([75, 12, 3, 10])
        kinds = ["ordinary", "question", "announcement", "poll"]
        kinds_cw = cumulative([94.5, 3.0, 1.5, 1.0])
        for chunk_start in range(0, n, chunk):
            posts, audience, comments, reactions, post_tags = [], [], [], [], []
            mentions, versions, options, votes, reads, comment_reactions = [], [], [], [], [], []
            entries = []  # (time, kind, item id, title terms, body terms)
            for post_id in range(chunk_start + 1, min(n, chunk_start + chunk) + 1):
                created = times[post_id - 1]
                created_t = T(created)
                if rng.random() < 0.15:
                    space_id = None
                    author = rng.choices(self.prolific, cum_weights=self.prolific_cw)[0]
                    if self.kind[author] != "employee" and rng.random() < 0.8:
                        author = rng.choice(self.employees)
                    base_level = INTERNAL
                    pool = self.company_readers
                    members = None
                else:
                    space_id = rng.choices(space_ids, cum_weights=self.space_weights)[0]
                    members = self.members[space_id]
                    author = rng.choice(members) if members else self.space_info[space_id][3]
                    base_level = self.space_info[space_id][1]
                    pool = self.member_readers[space_id]
                kind = rng.choices(kinds, cum_weights=kinds_cw)[0]
                if kind == "announcement":
                    author = self.space_info[space_id][3] if space_id else rng.choice(admins)
                level = base_level + rng.choices(level_shift, cum_weights=level_shift_w)[0]
                level = max(PUBLIC, min(SECRET, level, self.clearance[author]))
                scope = scope_of(space_id, Level.from_rank(level))
                # Body: one to four sentences, sometimes hashtags and a mention.
                if kind == "question":
                    parts = [rng.choice(self.questions)]
                else:
                    parts = [rng.choice(self.sentences) for _ in range(rng.randint(1, 4))]
                text = " ".join(p[0] for p in parts)
                body_html = " ".join(p[1] for p in parts)
                pieces = [p[0] for p in parts]  # what the text is made of, for its terms
                roll = rng.random()
                gone_post = 0.03 <= roll < 0.035
                tags = []
                if rng.random() < 0.35:
                    tags = list(
                        dict.fromkeys(
                            rng.choices(tag_ids, cum_weights=self.tag_cw, k=rng.randint(1, 3))
                        )
                    )
                    # People often tag what they know about.
                    if skill_tags[author] and skill_rng.random() < 0.5:
                        tags = list(dict.fromkeys([skill_rng.choice(skill_tags[author]), *tags]))
                    text += " " + " ".join("#" + self.tags[t - 1] for t in tags)
                    pieces += ["#" + self.tags[t - 1] for t in tags]
                    body_html += " " + " ".join(self.tag_html[self.tags[t - 1]] for t in tags)
                    if not gone_post:  # a tombstone loses its hashtags
                        post_tags += [(post_id, t, created_t) for t in tags]
                readers = pool[level]
                if rng.random() < 0.05 and len(readers) > 1:
                    named = rng.choice(readers)
                    text = f"@{self.handles[named]} {text}"
                    pieces.insert(0, f"@{self.handles[named]}")
                    body_html = f"{self._mention_html(self.handles[named])} {body_html}"
                    mentions.append((post_id, None, named))
                has_audience = rng.random() < (0.01 if space_id is None else 0.03)
                if has_audience:
                    chosen = rng.sample(readers, min(len(readers), rng.randint(2, 6)))
                    chosen = [u for u in chosen if u != author] or [author]
                    audience += [(post_id, u) for u in sorted(set(chosen))]
                    readers = sorted({*chosen, author})
                shared_from = None
                if space_id is not None and rng.random() < 0.003 and company_by_level[level]:
                    shared_from = rng.choice(company_by_level[level])
                    text, body_html = "À lire, ça nous concerne.", "À lire, ça nous concerne."
                    pieces = [text]
                edited = deleted = pinned = None
                if roll < 0.03:
                    edited = created + rng.uniform(60, 3 * 3600)
                    versions.append((post_id, text.split(" #")[0], author, T(edited)))
                elif gone_post:
                    deleted = created + rng.uniform(60, 30 * DAY)
                elif roll < 0.0355 and space_id is not None:
                    pinned = created + 60
                if deleted is not None:
                    text = body_html = ""
                else:
                    body_html = f"<p>{body_html}</p>"
                    entries.append((created, 0, post_id, "", self.terms.of(pieces), scope))
                    if post_id % 997 == 1 and entries[-1][4] != self.terms.text.terms(text):
                        raise SystemExit(f"the terms of post {post_id} are not the app's")
                if space_id is None and not has_audience and deleted is None:
                    for rank in range(level, 4):
                        company_by_level[rank].append(post_id)
                # Comments: about half the posts have none; some have many.
                accepted = None
                n_comments = 0 if rng.random() < 0.5 else 1 + int(rng.expovariate(0.6))
                if n_comments and readers:
                    first_level = []
                    at = created
                    for _ in range(n_comments):
                        comment_id += 1
                        at = min(at + rng.expovariate(1 / 5400), self.now - 1)
                        parent = (
                            rng.choice(first_level) if first_level and rng.random() < 0.25 else None
                        )
                        if parent is None:
                            first_level.append(comment_id)
                        writer = rng.choice(readers)
                        ctext, chtml = rng.choice(self.comment_texts)
                        gone = T(at + 600) if rng.random() < 0.01 else None
                        if gone is None:
                            entries.append(
                                (at, 1, comment_id, "", self.comment_terms[ctext], scope)
                            )
                        comments.append(
                            (
                                comment_id,
                                post_id,
                                parent,
                                writer,
                                "" if gone else ctext,
                                "" if gone else chtml,
                                T(at),
                                None,
                                gone,
                            )
                        )
                        if (
                            kind == "question"
                            and accepted is None
                            and parent is None
                            and writer != author
                            and gone is None
                            and rng.random() < 0.4
                        ):
                            accepted = comment_id
                        if rng.random() < 0.15:
                            comment_reactions.append(
                                (comment_id, rng.choice(readers), "like", T(at + 300))
                            )
                # Reactions: two per post on average, distinct (person, kind).
                n_reactions = 0 if rng.random() < 0.4 else 1 + int(rng.expovariate(0.35))
                if n_reactions and readers:
                    who = rng.sample(readers, min(len(readers), n_reactions))
                    what = rng.choices(REACTION_KINDS, REACTION_WEIGHTS, k=len(who))
                    at = T(created + 900)
                    reactions += [(post_id, u, k, at) for u, k in zip(who, what, strict=True)]
                poll_multiple, poll_closes = False, None
                if kind == "poll":
                    poll_multiple = rng.random() < 0.2
                    poll_closes = T(created + 7 * DAY)
                    mine = []
                    for position in range(rng.randint(2, 4)):
                        option_id += 1
                        mine.append(option_id)
                        options.append((option_id, post_id, position, f"Option {position + 1}"))
                    for voter in rng.sample(readers, min(len(readers), rng.randint(0, 30))):
                        votes.append((rng.choice(mine), voter, post_id, T(created + 3600)))
                elif kind == "announcement" and readers:
                    for reader in rng.sample(readers, min(len(readers), rng.randint(0, 40))):
                        reads.append((post_id, reader, T(created + 7200)))
                posts.append(
                    (
                        post_id,
                        space_id,
                        author,
                        level,
                        has_audience,
                        created_t,
                        kind,
                        text,
                        body_html,
                        T(edited) if edited else None,
                        T(deleted) if deleted else None,
                        T(pinned) if pinned else None,
                        shared_from,
                        accepted,
                        poll_multiple,
                        poll_closes,
                    )
                )
            await self.put(
                "posts",
                (
                    "id",
                    "space_id",
                    "author_id",
                    "level",
                    "has_audience",
                    "created_at",
                    "kind",
                    "body",
                    "body_html",
                    "edited_at",
                    "deleted_at",
                    "pinned_at",
                    "shared_from_id",
                    "accepted_comment_id",
                    "poll_multiple",
                    "poll_closes_at",
                ),
                posts,
            )
            await self.put("posts_audience", ("content_id", "user_id"), audience)
            await self.put(
                "comments",
                (
                    "id",
                    "post_id",
                    "parent_id",
                    "author_id",
                    "body",
                    "body_html",
                    "created_at",
                    "edited_at",
                    "deleted_at",
                ),
                comments,
            )
            await self.put(
                "post_reactions", ("post_id", "user_id", "kind", "created_at"), reactions
            )
            await self.put(
                "comment_reactions",
                ("comment_id", "user_id", "kind", "created_at"),
                comment_reactions,
            )
            await self.put("post_hashtags", ("post_id", "hashtag_id", "created_at"), post_tags)
            await self.put("mentions", ("post_id", "comment_id", "user_id"), mentions)
            await self.put(
                "post_versions", ("post_id", "body", "editor_id", "created_at"), versions
            )
            await self.put("poll_options", ("id", "post_id", "position", "label"), options)
            await self.put("poll_votes", ("option_id", "user_id", "post_id", "created_at"), votes)
            await self.put("announcement_reads", ("post_id", "user_id", "created_at"), reads)
            entries.sort()
            await self.put_entries(
                [
                    (("post", "comment")[k], item, title, body, scope)
                    for _at, k, item, title, body, scope in entries
                ]
            )
            await self.w.commit()
            done = min(n, chunk_start + chunk)
            elapsed = time.perf_counter() - self.started
            self.log(
                f"posts {done:>9,}/{n:,}  comments {self.counts.get('comments', 0):>9,}  "
                f"reactions {self.counts.get('post_reactions', 0):>9,}  "
                f"({done / max(elapsed, 1e-9):,.0f} posts/s overall)"
            )

    # ----- tokens for the load test

    async def tokens(self) -> None:
        rng, T = self.rng, self.w.ts
        viewers = rng.sample(self.active_users, min(self.args.viewers, len(self.active_users)))
        rows, out = [], []
        for token_id, user_id in enumerate(viewers, start=1):
            secret = "ruche_bench_" + f"{rng.getrandbits(192):048x}"
            rows.append(
                (
                    token_id,
                    user_id,
                    "bench",
                    hashlib.sha256(secret.encode()).hexdigest(),
                    secret[:12],
                    "read",
                    T(self.now),
                    None,
                    None,
                    None,
                )
            )
            out.append(
                {
                    "user_id": user_id,
                    "kind": self.kind[user_id],
                    "clearance": self.clearance[user_id],
                    "token": secret,
                }
            )
        await self.put(
            "access_tokens",
            (
                "id",
                "user_id",
                "name",
                "token_hash",
                "prefix",
                "scopes",
                "created_at",
                "expires_at",
                "last_used_at",
                "revoked_at",
            ),
            rows,
        )
        self.viewers = out
        self.log(f"access tokens: {len(rows)} viewers")

    def write_tokens(self, elapsed: float) -> None:
        """The viewers' secrets, and what was generated, for bench/feed_load.py."""
        path = Path(self.args.tokens_file)
        meta = {
            "command": shlex.join(["python", *sys.argv]),
            "scale": self.args.scale,
            "seed": self.args.seed,
            "now": self.args.now.isoformat(),
            "seconds": round(elapsed, 1),
            "rows": self.counts,
        }
        path.write_text(
            json.dumps(
                {
                    "database_url": self.args.database_url,
                    "generator": meta,
                    "viewers": self.viewers,
                },
                indent=1,
                ensure_ascii=False,
            )
        )
        print(f"tokens of {len(self.viewers)} viewers written to {path}", flush=True)

    async def run(self) -> None:
        await self.users()
        await self.spaces()
        await self.hashtags()
        await self.follows()
        await self.w.commit()
        await self.posts()
        await self.tokens()
        self.log("loaded: " + ", ".join(f"{t} {c:,}" for t, c in sorted(self.counts.items())))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        required=True,
        help="sqlite+aiosqlite:////tmp/x.db or postgresql+asyncpg://...",
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1 = 10,000 accounts, 500 spaces, 1,000,000 posts"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--now",
        type=lambda s: datetime.fromisoformat(s).replace(tzinfo=UTC),
        default=datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0),
        help="the end of the generated history (default: today 00:00 UTC)",
    )
    parser.add_argument("--days", type=float, default=730, help="length of the history")
    parser.add_argument(
        "--viewers",
        type=int,
        default=2000,
        help="accounts given a personal access token for the load test",
    )
    parser.add_argument(
        "--tokens-file",
        default=None,
        help="where the tokens' secrets go (default: beside a SQLite file, "
        "else /tmp/ruche_bench_tokens_<db>.json)",
    )
    parser.add_argument(
        "--password", default="bench-password-2026", help="every account's password"
    )
    parser.add_argument("--chunk", type=int, default=25_000, help="posts per transaction")
    parser.add_argument(
        "--check", action="store_true", help="verify every foreign key after the load"
    )
    args = parser.parse_args()
    url = args.database_url
    if args.tokens_file is None:
        if url.startswith("sqlite"):
            args.tokens_file = url.split(":///", 1)[1] + ".tokens.json"
        else:
            args.tokens_file = f"/tmp/ruche_bench_tokens_{url.rsplit('/', 1)[-1]}.json"  # noqa: S108

    started = time.perf_counter()
    required = await migrate_and_check_empty(url)
    print(f"migrated in {time.perf_counter() - started:.1f}s", flush=True)
    if url.startswith("sqlite"):
        writer: Writer = SqliteWriter(url.split(":///", 1)[1])
    elif url.startswith("postgresql"):
        writer = await PostgresWriter.open(url)
    else:
        raise SystemExit("--database-url: sqlite+aiosqlite:///... or postgresql+asyncpg://...")
    company = Company(args, writer, required)
    print(
        f"{writer.name}: {company.n_users:,} accounts, {company.n_spaces:,} spaces, "
        f"{company.n_posts:,} posts (scale {args.scale}, seed {args.seed}, "
        f"history {args.days:g} days to {args.now:%Y-%m-%d})",
        flush=True,
    )
    await company.run()
    await writer.finish(args.check, foreign_key_checks() if args.check else [])
    elapsed = time.perf_counter() - started
    company.write_tokens(elapsed)
    print(f"done in {elapsed:.1f}s", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
