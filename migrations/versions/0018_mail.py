"""mail: the outbox, digest choices, and a mail channel per notification kind

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 01:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MOMENT = app.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "mail_outbox",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("user_id", BIG_ID, nullable=True),
        sa.Column("address", sa.String(length=254), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("notification_id", BIG_ID, nullable=True),
        sa.Column("invitation_id", BIG_ID, nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.SmallInteger(), nullable=False),
        sa.Column("due_at", MOMENT, nullable=False),
        sa.Column("claimed_until", MOMENT, nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("sent_at", MOMENT, nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_mail_outbox_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_mail_outbox_notification_id_notifications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_mail_outbox_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
    )
    op.create_index("ix_mail_outbox_state_due_at", "mail_outbox", ["state", "due_at"])
    op.create_index(op.f("ix_mail_outbox_user_id"), "mail_outbox", ["user_id"])
    op.create_table(
        "mail_settings",
        sa.Column("user_id", BIG_ID, nullable=False),
        sa.Column("digest", sa.String(length=10), nullable=False),
        sa.Column("digest_sent_for", sa.String(length=12), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_mail_settings_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_mail_settings")),
    )
    with op.batch_alter_table("notification_preferences") as batch:
        batch.add_column(sa.Column("by_mail", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notification_preferences") as batch:
        batch.drop_column("by_mail")
    op.drop_table("mail_settings")
    op.drop_index(op.f("ix_mail_outbox_user_id"), table_name="mail_outbox")
    op.drop_index("ix_mail_outbox_state_due_at", table_name="mail_outbox")
    op.drop_table("mail_outbox")
