"""Spaces and who belongs to them: memberships, join requests, invitations."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.levels import AccountKind, Level
from app.models.base import Base, BigId, CreatedAt, IdPk, LevelType, UTCDateTime, utcnow
from app.models.user import str_enum


class SpaceKind(StrEnum):
    PROJECT = "project"
    TEAM = "team"
    INNOVATION = "innovation"
    COMMUNITY = "community"


class Visibility(StrEnum):
    OPEN = "open"  # every employee may read and join
    PRIVATE = "private"  # listed to employees; members only read
    SECRET = "secret"  # noqa: S105 (unlisted; members only)


class SpaceRole(StrEnum):
    OWNER = "owner"
    MODERATOR = "moderator"
    MEMBER = "member"

    @property
    def manages(self) -> bool:
        return self is not SpaceRole.MEMBER


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"


class Space(Base):
    __tablename__ = "spaces"

    id: Mapped[IdPk]
    # Not unique: a secret space must not keep a name from anyone who may not
    # know of it; links resolve a slug among the spaces their reader sees.
    slug: Mapped[str] = mapped_column(String(80), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    # Required: a space without a stated objective is vain.
    objective: Mapped[str] = mapped_column(Text)
    kind: Mapped[SpaceKind] = mapped_column(str_enum(SpaceKind))
    visibility: Mapped[Visibility] = mapped_column(str_enum(Visibility), index=True)
    allows_externals: Mapped[bool] = mapped_column(Boolean, default=False)
    default_level: Mapped[Level] = mapped_column(LevelType, default=Level.INTERNAL)
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (Index("ix_memberships_user_id_space_id", "user_id", "space_id"),)

    space_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[SpaceRole] = mapped_column(str_enum(SpaceRole), default=SpaceRole.MEMBER)
    created_at: Mapped[CreatedAt]


class JoinRequest(Base):
    __tablename__ = "join_requests"
    __table_args__ = (Index("ix_join_requests_space_id_status", "space_id", "status"),)

    id: Mapped[IdPk]
    space_id: Mapped[int] = mapped_column(BigId, ForeignKey("spaces.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    message: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[RequestStatus] = mapped_column(
        str_enum(RequestStatus), default=RequestStatus.PENDING
    )
    created_at: Mapped[CreatedAt]
    decided_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Invitation(Base):
    """An invitation into a space, for an existing account or for an e-mail address
    that has none yet (accepting it then creates an external account)."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[IdPk]
    space_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("spaces.id", ondelete="CASCADE"), index=True
    )
    inviter_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    invitee_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str | None] = mapped_column(String(254))
    # For an e-mail invitation: the kind of the account it creates, and for a
    # contractor the day its access ends.
    external_kind: Mapped[AccountKind | None] = mapped_column(str_enum(AccountKind))
    access_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    token_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[InvitationStatus] = mapped_column(
        str_enum(InvitationStatus), default=InvitationStatus.PENDING
    )
    created_at: Mapped[CreatedAt]
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
