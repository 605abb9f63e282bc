"""identity links: under which name each identity system knows a person

OpenID Connect (issuer, sub), LDAP (directory, entryUUID) and SCIM (client,
externalId) all find the same Ruche account through this table.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 01:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "identity_links",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("provider", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_identity_links_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_links")),
        sa.UniqueConstraint("provider", "subject", name="uq_identity_links_provider_subject"),
        sa.UniqueConstraint("provider", "user_id", name="uq_identity_links_provider_user_id"),
    )
    op.create_index("ix_identity_links_user_id", "identity_links", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_identity_links_user_id", table_name="identity_links")
    op.drop_table("identity_links")
