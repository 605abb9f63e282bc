"""profiles and search: what people say of themselves, and the full-text index

Accounts gain a profile: organisational fields (job title, department, site,
manager, organisation, an alumnus's years) and personal ones (phone, bio), and
``profile_tags`` holds the skills, interests and languages each person declares.
Wiki revisions gain an index by author, for the lookup of whom
an external may know of (``access.knowable_people``).

``search_entries`` holds one row per searchable item, its words folded and
stemmed in Python (``app.search.text``) so that both databases match the same
words. Each database indexes those words its own way:

- SQLite: an FTS5 table over the two columns, reading them from
  ``search_entries`` (external content) and kept in step by triggers; a
  prefix index of 2 and 3 characters serves suggestions.
- PostgreSQL: a stored ``document`` tsvector (title weighted A, body D, the
  'simple' configuration since the words come stemmed) and a GIN index on it.

The index starts empty: ``ruche reindex`` (run by ``ruche serve`` when the
index is empty and there is content) fills it from what exists.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = app.models.base.BigId

SQLITE_INDEX = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title_terms, body_terms, content='search_entries', content_rowid='id',
        prefix='2 3', detail=full)""",
    """CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN
        INSERT INTO search_fts(rowid, title_terms, body_terms)
        VALUES (new.id, new.title_terms, new.body_terms);
    END""",
    """CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.body_terms);
    END""",
    """CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.body_terms);
        INSERT INTO search_fts(rowid, title_terms, body_terms)
        VALUES (new.id, new.title_terms, new.body_terms);
    END""",
]

POSTGRESQL_INDEX = [
    """ALTER TABLE search_entries ADD COLUMN document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title_terms), 'A')
        || setweight(to_tsvector('simple', body_terms), 'D')) STORED""",
    "CREATE INDEX ix_search_entries_document ON search_entries USING gin (document)",
]


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("job_title", sa.String(120), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("department", sa.String(120), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("site", sa.String(120), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("manager_id", BigId, nullable=True))
        batch_op.add_column(
            sa.Column("organisation", sa.String(160), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("joined_year", sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column("left_year", sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(40), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("bio", sa.Text(), nullable=False, server_default=""))
        batch_op.create_foreign_key(
            "fk_users_manager_id_users", "users", ["manager_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index("ix_users_department", ["department"])
        batch_op.create_index("ix_users_site", ["site"])
        batch_op.create_index("ix_users_manager_id", ["manager_id"])
    # The defaults filled the rows that exist; the models give them from now on.
    with op.batch_alter_table("users", schema=None) as batch_op:
        for column in ("job_title", "department", "site", "organisation", "phone", "bio"):
            batch_op.alter_column(column, server_default=None)

    # Whom an external may know of is looked up by author, person by person
    # (access.knowable_people): posts and comments had that index, revisions not.
    op.create_index("ix_wiki_revisions_author_id", "wiki_revisions", ["author_id"])

    op.create_table(
        "profile_tags",
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_profile_tags_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", "key", name="pk_profile_tags"),
    )
    op.create_index("ix_profile_tags_kind_key", "profile_tags", ["kind", "key"])

    op.create_table(
        "search_entries",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("item_id", BigId, nullable=False),
        sa.Column("title_terms", sa.Text(), nullable=False),
        sa.Column("body_terms", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_search_entries"),
        sa.UniqueConstraint("kind", "item_id", name="uq_search_entries_kind_item"),
    )
    statements = SQLITE_INDEX if op.get_bind().dialect.name == "sqlite" else POSTGRESQL_INDEX
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE search_fts")
    op.drop_table("search_entries")
    op.drop_index("ix_profile_tags_kind_key", table_name="profile_tags")
    op.drop_index("ix_wiki_revisions_author_id", table_name="wiki_revisions")
    op.drop_table("profile_tags")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("ix_users_manager_id")
        batch_op.drop_index("ix_users_site")
        batch_op.drop_index("ix_users_department")
        batch_op.drop_constraint("fk_users_manager_id_users", type_="foreignkey")
        for column in (
            "bio",
            "phone",
            "left_year",
            "joined_year",
            "organisation",
            "manager_id",
            "site",
            "department",
            "job_title",
        ):
            batch_op.drop_column(column)
