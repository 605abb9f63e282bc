"""Files: the bytes (blobs, stored once by their SHA-256), and each use of them
(a file: a name, an uploader, and the one thing it is attached to, whose
reading rule it follows). Also a space's files area: folders and documents,
whose versions are files.

A file is attached to at most one thing: a post (``post_id``, with
``comment_id`` when it hangs off a comment), a wiki page (``page_id``; which
revisions show it: ``wiki_revision_files``), a space document (``document_id``
and its ``version``), a calendar event (``calendar_event_id``), or a person as
their avatar (``users.avatar_file_id``).
A file attached to nothing is its uploader's alone until they attach it, and is
collected after a grace period (``app/files/garbage.py``).
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    and_,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, CreatedAt, IdPk, UTCDateTime
from app.models.content import Content, audience_table
from app.models.user import str_enum


class FilePurpose(StrEnum):
    """What an upload is for, which decides the types it may have."""

    ATTACHMENT = "attachment"
    IMAGE = "image"
    AVATAR = "avatar"


class Blob(Base):
    """Bytes as stored: content-addressed, shared by every file that holds them."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    # Decided from the bytes, never from a name or a client's header.
    content_type: Mapped[str] = mapped_column(String(100))
    # Images: their size in pixels, and whether previews were made.
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    has_previews: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[CreatedAt]


class StoredFile(Base):
    __tablename__ = "files"
    __table_args__ = (
        Index("ix_files_post_id", "post_id"),
        Index("ix_files_comment_id", "comment_id"),
        Index("ix_files_page_id", "page_id"),
        Index("ix_files_document_id_version", "document_id", "version"),
        Index("ix_files_calendar_event_id", "calendar_event_id"),
        Index("ix_files_uploader_id_created_at", "uploader_id", "created_at"),
        Index("ix_files_blob_sha256", "blob_sha256"),
    )

    id: Mapped[IdPk]
    blob_sha256: Mapped[str] = mapped_column(String(64), ForeignKey("blobs.sha256"))
    # The name to offer on download, already cleaned of paths and control characters.
    name: Mapped[str] = mapped_column(String(255))
    purpose: Mapped[FilePurpose] = mapped_column(str_enum(FilePurpose))
    uploader_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[CreatedAt]
    # Where it is attached (at most one; all NULL: just uploaded).
    post_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("posts.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("comments.id", ondelete="CASCADE")
    )
    page_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("wiki_pages.id", ondelete="CASCADE")
    )
    document_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("space_documents.id", ondelete="CASCADE")
    )
    version: Mapped[int | None] = mapped_column(Integer)
    calendar_event_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("calendar_events.id", ondelete="CASCADE")
    )
    # Order among the files of what it is attached to.
    position: Mapped[int] = mapped_column(Integer, default=0)
    # When it stopped being used (its avatar replaced...): collected after a grace.
    detached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @classmethod
    def attached_to_nothing(cls) -> ColumnElement[bool]:
        """No post, page, document or event holds it (an avatar is held by its person)."""
        return and_(
            cls.post_id.is_(None),
            cls.page_id.is_(None),
            cls.document_id.is_(None),
            cls.calendar_event_id.is_(None),
        )


class WikiRevisionFile(Base):
    """The files a wiki revision shows: a restored revision shows its own."""

    __tablename__ = "wiki_revision_files"

    revision_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("wiki_revisions.id", ondelete="CASCADE"), primary_key=True
    )
    file_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("files.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class SpaceFolder(Base):
    """A folder of a space's files area; seen by whoever reads the space."""

    __tablename__ = "space_folders"
    __table_args__ = (Index("ix_space_folders_space_id_parent_id", "space_id", "parent_id"),)

    id: Mapped[IdPk]
    space_id: Mapped[int] = mapped_column(BigId, ForeignKey("spaces.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("space_folders.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(200))
    creator_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[CreatedAt]


class SpaceDocument(Content, Base):
    """A named document of a space's files area: content like a post (level,
    audience); its versions are files, the newest one current."""

    __tablename__ = "space_documents"
    __audience__ = audience_table("space_documents")
    __table_args__ = (
        UniqueConstraint("space_id", "folder_key", "name"),
        Index("ix_space_documents_author_id", "author_id"),
    )

    folder_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("space_folders.id", ondelete="CASCADE")
    )
    # The folder's id, or 0 at the root: unique names per folder (a NULL would
    # make every root document distinct). A document that does not hold its
    # folder's place (deleted, or sharing its name with one hidden from its
    # writer) has a key of its own: app/services/files/area.py.
    folder_key: Mapped[int] = mapped_column(BigId, default=0)
    name: Mapped[str] = mapped_column(String(255))
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
