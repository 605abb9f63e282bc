"""Accounts: the people of the company and the externals it works with."""

from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, String
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

    @property
    def is_external(self) -> bool:
        return self.kind.is_external

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN
