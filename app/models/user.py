"""Accounts: the people of the company and the externals it works with."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Enum, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.levels import AccountKind, Language, Level, Role
from app.models.base import Base, BigId, CreatedAt, IdPk, LevelType, UTCDateTime


def str_enum(enum_cls, length: int = 20) -> Enum:
    """Stores an enum by its value, portable across SQLite and PostgreSQL."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )


def normalise_email(email: str) -> str:
    """E-mail addresses are stored and compared lower-cased."""
    return email.strip().lower()


class User(Base):
    __tablename__ = "users"

    id: Mapped[IdPk]
    # Stored lower-cased: e-mail addresses and handles are unique whatever their case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    handle: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    kind: Mapped[AccountKind] = mapped_column(str_enum(AccountKind), default=AccountKind.EMPLOYEE)
    role: Mapped[Role] = mapped_column(str_enum(Role), default=Role.MEMBER)
    clearance: Mapped[Level] = mapped_column(LevelType, default=Level.INTERNAL)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The account an incoming webhook posts as (app/services/webhooks/incoming.py):
    # no password, so it never signs in; shown as a bot, left out of the directory.
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[Language] = mapped_column(str_enum(Language, 5), default=Language.FR)
    created_at: Mapped[CreatedAt]
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Externals: who vouches for them, when their access ends (contractors), and
    # when they accepted the network's charter (required before first use).
    sponsor_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    access_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    sponsor_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    charter_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When they dismissed the first-run tour; None: a new account, shown it.
    tour_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Their photo (a file of purpose avatar); None: initials on a coloured circle.
    avatar_file_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("files.id", ondelete="SET NULL", use_alter=True)
    )
    # The profile. Organisational fields (set by administrators, later by the
    # directory sync): title, department, site, manager, organisation and the
    # years of an alumnus. Personal ones (set by the person): phone and bio.
    job_title: Mapped[str] = mapped_column(String(120), default="")
    department: Mapped[str] = mapped_column(String(120), default="", index=True)
    site: Mapped[str] = mapped_column(String(120), default="", index=True)
    manager_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Externals: the contractor's company, the alumnus's former employer unit.
    organisation: Mapped[str] = mapped_column(String(160), default="")
    # Alumni: the years they worked here.
    joined_year: Mapped[int | None] = mapped_column(SmallInteger)
    left_year: Mapped[int | None] = mapped_column(SmallInteger)
    phone: Mapped[str] = mapped_column(String(40), default="")
    bio: Mapped[str] = mapped_column(Text, default="")

    @property
    def is_external(self) -> bool:
        return self.kind.is_external

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


class TagKind(StrEnum):
    SKILL = "skill"
    INTEREST = "interest"
    LANGUAGE = "language"


class ProfileTag(Base):
    """A skill, an interest or a language a person declares. ``key`` is the
    name folded (lower case, accents off) so that "Équipe" and "equipe" are one
    tag in filters; ``name`` is how the person wrote it."""

    __tablename__ = "profile_tags"
    __table_args__ = (Index("ix_profile_tags_kind_key", "kind", "key"),)

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[TagKind] = mapped_column(str_enum(TagKind, 10), primary_key=True)
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
