"""SCIM provisioning: clients and their hashed tokens, the accounts each
provisions, its groups with their members, and the space memberships a group
linked to a space granted (the only ones provisioning ever removes).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 00:51:52.700380
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scim_clients",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column(
            "default_kind",
            sa.Enum(
                "employee", "alumni", "contractor", name="accountkind", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column(
            "created_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_scim_clients_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_clients")),
        sa.UniqueConstraint("name", name=op.f("uq_scim_clients_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_scim_clients_token_hash")),
    )
    op.create_table(
        "scim_accounts",
        sa.Column(
            "client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("given_name", sa.String(length=120), nullable=True),
        sa.Column("family_name", sa.String(length=120), nullable=True),
        sa.Column("formatted_name", sa.String(length=255), nullable=True),
        sa.Column("emails", sa.JSON(), nullable=False),
        sa.Column("phone_numbers", sa.JSON(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["scim_clients.id"],
            name=op.f("fk_scim_accounts_client_id_scim_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_scim_accounts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("client_id", "user_id", name=op.f("pk_scim_accounts")),
    )
    with op.batch_alter_table("scim_accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scim_accounts_user_id"), ["user_id"], unique=False)

    op.create_table(
        "scim_groups",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("space_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "space_role",
            sa.Enum("owner", "moderator", "member", name="spacerole", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["scim_clients.id"],
            name=op.f("fk_scim_groups_client_id_scim_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["spaces.id"],
            name=op.f("fk_scim_groups_space_id_spaces"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_groups")),
    )
    with op.batch_alter_table("scim_groups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_scim_groups_client_id_display_name", ["client_id", "display_name"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_scim_groups_space_id"), ["space_id"], unique=False)

    op.create_table(
        "scim_group_members",
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["scim_groups.id"],
            name=op.f("fk_scim_group_members_group_id_scim_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_scim_group_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "user_id", name=op.f("pk_scim_group_members")),
    )
    with op.batch_alter_table("scim_group_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scim_group_members_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "scim_space_grants",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("space_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["scim_groups.id"],
            name=op.f("fk_scim_space_grants_group_id_scim_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["spaces.id"],
            name=op.f("fk_scim_space_grants_space_id_spaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_scim_space_grants_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_space_grants")),
        sa.UniqueConstraint("group_id", "user_id", name="uq_scim_space_grants_group_user"),
    )
    with op.batch_alter_table("scim_space_grants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scim_space_grants_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("scim_space_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scim_space_grants_user_id"))

    op.drop_table("scim_space_grants")
    with op.batch_alter_table("scim_group_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scim_group_members_user_id"))

    op.drop_table("scim_group_members")
    with op.batch_alter_table("scim_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scim_groups_space_id"))
        batch_op.drop_index("ix_scim_groups_client_id_display_name")

    op.drop_table("scim_groups")
    with op.batch_alter_table("scim_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scim_accounts_user_id"))

    op.drop_table("scim_accounts")
    op.drop_table("scim_clients")
