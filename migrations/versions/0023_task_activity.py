"""Tasks in the activity log: an event about a task names it, so that a
catch-up judges it by the task as it stands (its level, its audience), as it
does a post, a wiki page or a calendar event.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 08:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rebuilt on SQLite by batch mode, which must be told to keep AUTOINCREMENT
    # (ids never reused), as 0013 does.
    with op.batch_alter_table(
        "activity", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.add_column(
            sa.Column(
                "task_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_activity_task_id_tasks"),
            "tasks",
            ["task_id"],
            ["id"],
            ondelete="CASCADE",
        )
        # Tasks are deleted outright: their events go with them, found by this.
        batch_op.create_index("ix_activity_task_id", ["task_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table(
        "activity", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_index("ix_activity_task_id")
        batch_op.drop_constraint(batch_op.f("fk_activity_task_id_tasks"), type_="foreignkey")
        batch_op.drop_column("task_id")
