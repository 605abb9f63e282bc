"""What the directory sync keeps between its runs (docs/directory.md): each run's
outcome and changes, the space memberships it granted (the only ones it ever
removes), and the people it offboarded (listed for an administrator when the
directory enables them again)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.levels import AccountKind
from app.models.base import Base, BigId, CreatedAt, IdPk, UTCDateTime
from app.models.space import SpaceRole
from app.models.user import str_enum


class DirectoryRun(Base):
    """One sync, real or dry: the admin page's status and preview, and the jobs
    loop's clock (a real sync is due an interval after the last one started)."""

    __tablename__ = "directory_runs"
    __table_args__ = (
        Index("ix_directory_runs_directory_dry_run_id", "directory", "dry_run", "id"),
    )

    id: Mapped[IdPk]
    directory: Mapped[str] = mapped_column(String(100))
    dry_run: Mapped[bool] = mapped_column(Boolean)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Counts by kind of change, the people read and the pages they took.
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The changes (made, or that a dry run would make), the first MAX_LISTED.
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Why the run failed (nothing was changed then); None: it succeeded.
    error: Mapped[str | None] = mapped_column(Text)
    started_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )


class DirectoryGrant(Base):
    """A space membership the sync granted because of a group. Memberships
    without such a row (added by hand, or there before the group was mapped) are
    never removed by the sync."""

    __tablename__ = "directory_grants"
    __table_args__ = (Index("ix_directory_grants_user_id", "user_id"),)

    directory: Mapped[str] = mapped_column(String(100), primary_key=True)
    space_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[SpaceRole] = mapped_column(str_enum(SpaceRole))
    created_at: Mapped[CreatedAt]


class DirectoryDeparture(Base):
    """Someone the sync offboarded (or whose contractor access it ended) because
    the directory disabled or removed them. When the directory lists them as
    enabled again, ``returned_at`` is set and an administrator decides: the sync
    never gives back a kind or an access by itself."""

    __tablename__ = "directory_departures"

    directory: Mapped[str] = mapped_column(String(100), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    former_kind: Mapped[AccountKind] = mapped_column(str_enum(AccountKind))
    departed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
