"""The shape every piece of content shares — posts now; comments, wiki pages,
events, files, ideas and tasks later — so that one policy reads them all.

A content row has a container (``space_id``; NULL is the company stream), a
level, an author, and an optional audience: a side table of the users it is
narrowed to, flagged by ``has_audience`` so that the common case (no audience)
never touches that table.
"""

from sqlalchemy import Boolean, Column, ForeignKey, Index, Table
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from app.levels import Level
from app.models.base import Base, BigId, CreatedAt, IdPk, LevelType


def audience_table(content_table: str) -> Table:
    return Table(
        f"{content_table}_audience",
        Base.metadata,
        Column(
            "content_id",
            BigId,
            ForeignKey(f"{content_table}.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        Column("user_id", BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        Index(f"ix_{content_table}_audience_user_id", "user_id"),
    )


class Content:
    """Mixin: container, level, author and audience. Subclasses set
    ``__audience__ = audience_table(__tablename__)``."""

    __audience__: Table

    id: Mapped[IdPk]
    level: Mapped[Level] = mapped_column(LevelType)
    has_audience: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[CreatedAt]

    @declared_attr
    def space_id(cls) -> Mapped[int | None]:
        return mapped_column(BigId, ForeignKey("spaces.id", ondelete="CASCADE"))

    @declared_attr
    def author_id(cls) -> Mapped[int | None]:
        # Indexed by each table as its lists need (posts: with the id, for keyset).
        return mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
