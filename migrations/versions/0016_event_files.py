"""event files: a file may be attached to a calendar event

Its planner's uploads, read exactly while the event is (``access.readable_files``)
and gone with it.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 22:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "calendar_event_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_files_calendar_event_id_calendar_events"),
            "calendar_events",
            ["calendar_event_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index("ix_files_calendar_event_id", ["calendar_event_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.drop_index("ix_files_calendar_event_id")
        batch_op.drop_constraint(
            batch_op.f("fk_files_calendar_event_id_calendar_events"), type_="foreignkey"
        )
        batch_op.drop_column("calendar_event_id")
