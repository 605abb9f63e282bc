"""first-run tour: when an account dismissed it

A new account is shown a one-screen tour (confidentiality levels, spaces,
where to start) until it dismisses it; ``users.tour_seen_at`` records that,
per account, server side. Accounts that exist already have used Ruche: they
count as having seen it (the tour stays in their menu).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 09:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tour_seen_at", app.models.base.UTCDateTime(timezone=True), nullable=True)
        )
    users = sa.table("users", sa.column("created_at"), sa.column("tour_seen_at"))
    op.execute(users.update().values(tour_seen_at=users.c.created_at))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("tour_seen_at")
