"""directory sync: its runs, the memberships it granted, the people it offboarded

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 00:51:52.961539
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "directory_departures",
        sa.Column("directory", sa.String(length=100), nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column(
            "former_kind",
            sa.Enum(
                "employee",
                "alumni",
                "contractor",
                name="accountkind",
                native_enum=False,
                length=20,
                create_constraint=False,
            ),
            nullable=False,
        ),
        sa.Column("departed_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("returned_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_directory_departures_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("directory", "user_id", name=op.f("pk_directory_departures")),
    )
    op.create_table(
        "directory_runs",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("directory", sa.String(length=100), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("started_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_by_id", ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["started_by_id"],
            ["users.id"],
            name=op.f("fk_directory_runs_started_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_runs")),
    )
    op.create_index(
        "ix_directory_runs_directory_dry_run_id",
        "directory_runs",
        ["directory", "dry_run", "id"],
        unique=False,
    )
    op.create_table(
        "directory_grants",
        sa.Column("directory", sa.String(length=100), nullable=False),
        sa.Column("space_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "owner",
                "moderator",
                "member",
                name="spacerole",
                native_enum=False,
                length=20,
                create_constraint=False,
            ),
            nullable=False,
        ),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["spaces.id"],
            name=op.f("fk_directory_grants_space_id_spaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_directory_grants_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "directory", "space_id", "user_id", name=op.f("pk_directory_grants")
        ),
    )
    op.create_index("ix_directory_grants_user_id", "directory_grants", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_directory_grants_user_id", table_name="directory_grants")
    op.drop_table("directory_grants")
    op.drop_index("ix_directory_runs_directory_dry_run_id", table_name="directory_runs")
    op.drop_table("directory_runs")
    op.drop_table("directory_departures")
