"""search scope: where an entry's item may be read from, in the full-text index

``search_entries.scope`` holds one word (``app.search.scope``): a post's,
comment's or wiki page's container and level (``s12public``), ``any`` for the
rest. An external's search asks the full-text index for their words and one of
their scopes, so it reads only entries near what they may read; the policy
clause still decides. The full-text index is rebuilt with it:

- SQLite: ``search_fts`` gains the column ``scope`` (a typed word is matched in
  the title and body columns only);
- PostgreSQL: ``document`` gains the lexeme ``~scope``, which no typed word
  can give (``to_tsquery`` keeps letters and digits), a second GIN index over
  the titled entries alone (the title band's), and its statistics
  keep ten times more lexemes: with the default, a word absent from them was
  estimated in ~3,000 entries of the 1M-post company however rare (a project's
  name, in 4), and the planner walked all 2.1M entries for it (0.9 s) rather
  than read the GIN index (a few ms).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each kind with a scope: the table its container and level come from, and how
# that row is reached from the entry's item.
SCOPED = {
    "post": ("posts", "FROM posts WHERE posts.id = search_entries.item_id"),
    "comment": (
        "posts",
        "FROM comments JOIN posts ON posts.id = comments.post_id "
        "WHERE comments.id = search_entries.item_id",
    ),
    "page": ("wiki_pages", "FROM wiki_pages WHERE wiki_pages.id = search_entries.item_id"),
}


def fill(kind: str) -> str:
    """The scopes of the entries of ``kind`` (``app.search.scope.scope_of``),
    the level's name from its stored rank. (Only this file's names go in.)"""
    table, source = SCOPED[kind]
    level = (
        f"CASE {table}.level WHEN 0 THEN 'public' WHEN 1 THEN 'internal' "
        "WHEN 2 THEN 'confidential' ELSE 'secret' END"
    )
    scope = f"'s' || coalesce({table}.space_id, 0) || {level}"
    return f"UPDATE search_entries SET scope = (SELECT {scope} {source}) WHERE kind = '{kind}'"  # noqa: S608


def sqlite_index(columns: list[str]) -> list[str]:
    """The FTS5 table over these columns of ``search_entries``, its triggers, built.
    (The column names are this file's constants: S608 has nothing to guard.)"""
    listed = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    return [
        f"""CREATE VIRTUAL TABLE search_fts USING fts5(
            {listed}, content='search_entries', content_rowid='id',
            prefix='2 3', detail=full)""",
        f"""CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN
            INSERT INTO search_fts(rowid, {listed}) VALUES (new.id, {new});
        END""",  # noqa: S608
        f"""CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN
            INSERT INTO search_fts(search_fts, rowid, {listed}) VALUES ('delete', old.id, {old});
        END""",  # noqa: S608
        f"""CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN
            INSERT INTO search_fts(search_fts, rowid, {listed}) VALUES ('delete', old.id, {old});
            INSERT INTO search_fts(rowid, {listed}) VALUES (new.id, {new});
        END""",  # noqa: S608
        "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
    ]


SQLITE_DROP = [
    "DROP TRIGGER search_entries_ai",
    "DROP TRIGGER search_entries_ad",
    "DROP TRIGGER search_entries_au",
    "DROP TABLE search_fts",
]


def postgresql_index(scoped: bool) -> list[str]:
    scope = " || array_to_tsvector(ARRAY['~' || scope])" if scoped else ""
    return [
        f"""ALTER TABLE search_entries ADD COLUMN document tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('simple', title_terms), 'A')
            || setweight(to_tsvector('simple', body_terms), 'D'){scope}) STORED""",
        "CREATE INDEX ix_search_entries_document ON search_entries USING gin (document)",
        *(POSTGRESQL_SCOPED if scoped else []),
    ]


POSTGRESQL_SCOPED = [
    "ALTER TABLE search_entries ALTER COLUMN document SET STATISTICS 1000",
    # The title band reads the few titled entries (app.search.engine.TITLED_KINDS):
    # their own index, where the whole posting list of a word common in posts
    # was read for them (7-30 ms a search at 1M posts, 0.2 ms here).
    "CREATE INDEX ix_search_entries_titled ON search_entries USING gin (document) "
    "WHERE kind IN ('page', 'space', 'person', 'file')",
]


POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS ix_search_entries_titled",
    "DROP INDEX ix_search_entries_document",
    "ALTER TABLE search_entries DROP COLUMN document",
]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DROP if sqlite else POSTGRESQL_DROP:
        op.execute(statement)
    op.add_column(
        "search_entries",
        sa.Column("scope", sa.String(24), nullable=False, server_default="any"),
    )
    for kind in SCOPED:
        op.execute(fill(kind))
    if sqlite:
        for statement in sqlite_index(["title_terms", "body_terms", "scope"]):
            op.execute(statement)
    else:
        for statement in postgresql_index(scoped=True):
            op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DROP if sqlite else POSTGRESQL_DROP:
        op.execute(statement)
    with op.batch_alter_table("search_entries") as batch_op:
        batch_op.drop_column("scope")
    if sqlite:
        for statement in sqlite_index(["title_terms", "body_terms"]):
            op.execute(statement)
    else:
        for statement in postgresql_index(scoped=False):
            op.execute(statement)
