"""notifications name people by id

Notifications no longer store names (a name is read when the notification is
shown, only while its reader may know of the person). Those stored before
named the inviter of an invitation and the person asking to join by name
only; this gives them the person's id, so they still say who. An answer to an
invitation named the invitee without an id: it says "someone".

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 01:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
notifications = sa.table(
    "notifications",
    sa.column("id", BIG_ID),
    sa.column("kind", sa.String),
    sa.column("actor_id", BIG_ID),
    sa.column("data", sa.JSON),
)
invitations = sa.table("invitations", sa.column("id", BIG_ID), sa.column("inviter_id", BIG_ID))


def upgrade() -> None:
    data = notifications.c.data
    op.execute(
        notifications.update()
        .where(
            notifications.c.kind == "join_request",
            notifications.c.actor_id.is_(None),
            data["user_id_requesting"].as_integer().is_not(None),
        )
        .values(actor_id=data["user_id_requesting"].as_integer())
    )
    inviter = (
        sa.select(invitations.c.inviter_id)
        .where(invitations.c.id == data["invitation_id"].as_integer())
        .scalar_subquery()
    )
    op.execute(
        notifications.update()
        .where(notifications.c.kind == "invitation", notifications.c.actor_id.is_(None))
        .values(actor_id=inviter)
    )


def downgrade() -> None:
    """The ids given stay: the code before this revision ignores them."""
