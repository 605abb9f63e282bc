"""SCIM 2.0 provisioning: the clients an administrator lets in, the accounts
each provisions, its groups and the spaces those groups lead to.

A client is the company's identity provider (Entra ID, Okta, Keycloak...). It
is not a person: its token belongs to no account, so offboarding the
administrator who created it does not stop provisioning, and a person's own
token opens nothing here.
"""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.levels import AccountKind
from app.models.base import Base, BigId, CreatedAt, IdPk, UTCDateTime, utcnow
from app.models.space import SpaceRole
from app.models.user import str_enum


class ScimClient(Base):
    __tablename__ = "scim_clients"

    id: Mapped[IdPk]
    # Also the IdentityLink provider's name: "scim:<name>".
    name: Mapped[str] = mapped_column(String(60), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    # The kind of the accounts it creates (employee or contractor): chosen by an
    # administrator, never by the person nor by the client's payload.
    default_kind: Mapped[AccountKind] = mapped_column(str_enum(AccountKind))
    created_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[CreatedAt]
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ScimAccount(Base):
    """An account a client provisions, with what SCIM says of it beyond the
    account's own fields (the parts of the name, every address and number as
    sent). Its presence is what the client's /Users lists; a DELETE removes it
    and keeps the account."""

    __tablename__ = "scim_accounts"

    client_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("scim_clients.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    given_name: Mapped[str | None] = mapped_column(String(120))
    family_name: Mapped[str | None] = mapped_column(String(120))
    formatted_name: Mapped[str | None] = mapped_column(String(255))
    emails: Mapped[list] = mapped_column(JSON, default=list)
    phone_numbers: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ScimGroup(Base):
    """A group of the identity provider. An administrator may link it to a space
    with a role: its members then join that space, and leave it when they leave
    the group (only the memberships it granted)."""

    __tablename__ = "scim_groups"
    __table_args__ = (Index("ix_scim_groups_client_id_display_name", "client_id", "display_name"),)

    id: Mapped[IdPk]
    client_id: Mapped[int] = mapped_column(BigId, ForeignKey("scim_clients.id", ondelete="CASCADE"))
    display_name: Mapped[str] = mapped_column(String(255))
    external_id: Mapped[str | None] = mapped_column(String(255))
    space_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("spaces.id", ondelete="SET NULL"), index=True
    )
    space_role: Mapped[SpaceRole] = mapped_column(str_enum(SpaceRole), default=SpaceRole.MEMBER)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ScimGroupMember(Base):
    __tablename__ = "scim_group_members"

    group_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("scim_groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ScimSpaceGrant(Base):
    """A space membership that provisioning created, and through which group.
    Only these are ever removed by provisioning: a membership the person had
    before, or was given by hand, has no grant."""

    __tablename__ = "scim_space_grants"
    __table_args__ = (
        UniqueConstraint("group_id", "user_id", name="uq_scim_space_grants_group_user"),
    )

    id: Mapped[IdPk]
    group_id: Mapped[int] = mapped_column(BigId, ForeignKey("scim_groups.id", ondelete="CASCADE"))
    space_id: Mapped[int] = mapped_column(BigId, ForeignKey("spaces.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
