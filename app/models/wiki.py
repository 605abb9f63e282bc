"""The wikis: the company's (``space_id`` NULL) and one per space. A page is
content like a post — container, level, audience — so the one policy reads it.

Its text lives in revisions, one per save, numbered per page; the page row
holds the current revision's number, which a save compares and bumps in one
UPDATE, so two saves based on the same revision can never both win.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.levels import Level
from app.models.base import Base, BigId, CreatedAt, IdPk, LevelType, UTCDateTime
from app.models.content import Content, audience_table

# The key of a wiki in tables that must be unique per wiki: the space's id, or
# 0 for the company wiki (a NULL would make every company row distinct).
COMPANY_WIKI = 0


class WikiPage(Content, Base):
    __tablename__ = "wiki_pages"
    __audience__ = audience_table("wiki_pages")
    __table_args__ = (
        Index("ix_wiki_pages_space_id_parent_id", "space_id", "parent_id"),
        Index("ix_wiki_pages_author_id", "author_id"),
    )

    title: Mapped[str] = mapped_column(String(200))
    # The current slug; earlier ones stay in wiki_slugs and redirect here.
    slug: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("wiki_pages.id", ondelete="SET NULL")
    )
    # Order among its siblings: smaller first.
    position: Mapped[int] = mapped_column(Integer, default=0)
    body: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    # Soft delete: hidden from everyone but moderators, who may restore it.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )


class WikiRevision(Base):
    __tablename__ = "wiki_revisions"
    __table_args__ = (
        UniqueConstraint("page_id", "number"),
        Index("ix_wiki_revisions_author_id", "author_id"),
    )

    id: Mapped[IdPk]
    page_id: Mapped[int] = mapped_column(BigId, ForeignKey("wiki_pages.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    # The page's level when this text was current: lowering a page declassifies
    # its current text, not its history.
    level: Mapped[Level] = mapped_column(LevelType)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    message: Mapped[str] = mapped_column(String(300), default="")
    author_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    # The revision this one restored, when it did.
    restored_from: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[CreatedAt]


class WikiSlug(Base):
    """Every slug a page has had: the current one names the page, the earlier
    ones redirect to it after a rename or a move. Not unique per wiki: a page
    hidden from a writer must not keep them from a name (nor give theirs a
    ``-2``), so a reader may find two holders of one slug; they are told apart
    among what that reader may read (see ``wiki.links.find_by_slug``)."""

    __tablename__ = "wiki_slugs"
    __table_args__ = (
        UniqueConstraint("page_id", "slug"),
        Index("ix_wiki_slugs_wiki_slug", "wiki", "slug"),
    )

    # Claims in order: of two pages that a reader may read under one name, the
    # first to claim it keeps it.
    id: Mapped[IdPk]
    wiki: Mapped[int] = mapped_column(BigId)
    slug: Mapped[str] = mapped_column(String(200))
    page_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("wiki_pages.id", ondelete="CASCADE"), index=True
    )
    # The lowest level the page had while it bore this name (who was cleared
    # for that level read the name then): an old name answers only readers
    # cleared for it, as an old revision does.
    level: Mapped[Level] = mapped_column(LevelType)


class WikiLink(Base):
    """A ``[[link]]`` in a page's current text, for backlinks and red links.
    The target is a wiki and a slug, whether or not such a page exists."""

    __tablename__ = "wiki_links"
    __table_args__ = (Index("ix_wiki_links_wiki_slug", "target_wiki", "target_slug"),)

    source_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("wiki_pages.id", ondelete="CASCADE"), primary_key=True
    )
    target_wiki: Mapped[int] = mapped_column(BigId, primary_key=True)
    target_slug: Mapped[str] = mapped_column(String(200), primary_key=True)


class WikiWatch(Base):
    __tablename__ = "wiki_watches"

    page_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("wiki_pages.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[CreatedAt]
