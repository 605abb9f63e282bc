"""sessions opened through an OpenID Connect provider keep its name and ID token

So that signing out of Ruche can also sign out of the provider (RP-initiated
logout with id_token_hint).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 01:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_sessions") as batch:
        batch.add_column(sa.Column("oidc_provider", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("oidc_id_token", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_sessions") as batch:
        batch.drop_column("oidc_id_token")
        batch.drop_column("oidc_provider")
