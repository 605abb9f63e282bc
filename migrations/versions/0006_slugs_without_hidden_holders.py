"""slugs without hidden holders

A slug is no longer unique per wiki (nor a space's across spaces): a page or
a space hidden from a writer must not keep a name from them nor give theirs a
``-2``. Each slug a page bore keeps the level it was shown at, so that an old
name answers only readers cleared for it.

Slugs recorded before this revision do not say when they were borne: the
current one takes the page's level, an old one the highest level any of the
page's revisions had (an old name may stop answering someone who knew it,
never start answering someone who did not).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 23:59:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _slug_table(*, claims: bool) -> None:
    """wiki_slugs as it is after (``claims``: one row per page and slug, in
    the order they were claimed) or before this revision (one per wiki and slug)."""
    columns = [
        sa.Column("wiki", BIG_ID, nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("page_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["page_id"],
            ["wiki_pages.id"],
            name=op.f("fk_wiki_slugs_page_id_wiki_pages"),
            ondelete="CASCADE",
        ),
    ]
    if claims:
        columns += [
            sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
            sa.Column("level", app.models.base.LevelType(), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_wiki_slugs")),
            sa.UniqueConstraint("page_id", "slug", name=op.f("uq_wiki_slugs_page_id")),
        ]
    else:
        columns.append(sa.PrimaryKeyConstraint("wiki", "slug", name=op.f("pk_wiki_slugs")))
    op.create_table("wiki_slugs", *columns)
    with op.batch_alter_table("wiki_slugs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wiki_slugs_page_id"), ["page_id"], unique=False)
        if claims:
            batch_op.create_index("ix_wiki_slugs_wiki_slug", ["wiki", "slug"], unique=False)


def _keep_aside() -> None:
    """Copies wiki_slugs to a table without constraints, and drops it."""
    op.execute("CREATE TABLE wiki_slugs_kept AS SELECT wiki, slug, page_id FROM wiki_slugs")
    op.drop_table("wiki_slugs")


def upgrade() -> None:
    with op.batch_alter_table("spaces", schema=None) as batch_op:
        batch_op.drop_constraint("uq_spaces_slug", type_="unique")
        batch_op.create_index(batch_op.f("ix_spaces_slug"), ["slug"], unique=False)

    _keep_aside()
    _slug_table(claims=True)
    op.execute(
        """
        INSERT INTO wiki_slugs (wiki, slug, page_id, level)
        SELECT kept.wiki, kept.slug, kept.page_id,
               CASE WHEN page.slug = kept.slug THEN page.level
                    ELSE (SELECT MAX(revision.level) FROM wiki_revisions AS revision
                          WHERE revision.page_id = kept.page_id)
               END
        FROM wiki_slugs_kept AS kept JOIN wiki_pages AS page ON page.id = kept.page_id
        ORDER BY kept.page_id, kept.slug
        """
    )
    op.drop_table("wiki_slugs_kept")


def downgrade() -> None:
    # One holder per wiki and slug again: the first to claim it.
    op.execute(
        "CREATE TABLE wiki_slugs_kept AS SELECT wiki, slug, page_id FROM wiki_slugs AS claim"
        " WHERE claim.id = (SELECT MIN(other.id) FROM wiki_slugs AS other"
        " WHERE other.wiki = claim.wiki AND other.slug = claim.slug)"
    )
    op.drop_table("wiki_slugs")
    _slug_table(claims=False)
    op.execute("INSERT INTO wiki_slugs (wiki, slug, page_id) SELECT * FROM wiki_slugs_kept")
    op.drop_table("wiki_slugs_kept")

    # A space slug unique again: the later holders get their id after it.
    op.execute(
        "UPDATE spaces SET slug = slug || '-' || CAST(id AS VARCHAR(20)) WHERE EXISTS"
        " (SELECT 1 FROM spaces AS other WHERE other.slug = spaces.slug AND other.id < spaces.id)"
    )
    with op.batch_alter_table("spaces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spaces_slug"))
        batch_op.create_unique_constraint("uq_spaces_slug", ["slug"])
