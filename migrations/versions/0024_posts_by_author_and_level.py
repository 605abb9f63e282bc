"""Posts by author and level: whether an external may know of someone asks for
a post of theirs at the external's level (``access.knowable_people``), which
the (author_id, id) index answered by reading every post of theirs.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 11:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_posts_author_id_level", "posts", ["author_id", "level"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_posts_author_id_level", table_name="posts")
