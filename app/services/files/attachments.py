"""What posts, comments and calendar events carry: the viewer's own new
uploads, attached when the item is written, shown with it in order. They are
read through their item (``access.readable_files``): an item raised, narrowed or
deleted takes its files along at once."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import own_new_uploads
from app.config import Settings
from app.errors import Invalid
from app.files.store import Store
from app.files.upload import ReceivedFile
from app.i18n import _
from app.models import (
    Blob,
    CalendarEvent,
    Comment,
    FilePurpose,
    Post,
    SpaceDocument,
    StoredFile,
    User,
    WikiPage,
)
from app.services.files.uploads import FileView, check_quota, files_with_blobs, store_upload

MAX_ATTACHMENTS = 10


@dataclass(frozen=True)
class Attachments:
    """Uploads to attach to what is being written, and the space quota they must
    fit in."""

    file_ids: list[int]
    space_quota_mb: int

    @classmethod
    def of(cls, file_ids: list[int] | None, settings: Settings) -> "Attachments | None":
        return cls(list(file_ids), settings.space_quota_mb) if file_ids else None


@dataclass(frozen=True)
class FileChanges:
    """What a change does to the files a thing has: ``added``, the writer's new
    uploads; ``removed``, files it has (a wiki page: those of the revision the
    change starts from) to leave out."""

    added: Attachments | None = None
    removed: frozenset[int] = frozenset()


def unattached_uploads_of(viewer: User):
    """The clause of the viewer's uploads that something may still attach (a
    photo is no attachment, even before it is set)."""
    return (own_new_uploads(viewer), StoredFile.purpose != FilePurpose.AVATAR)


async def take_uploads(
    session: AsyncSession, *, viewer: User, file_ids: list[int]
) -> list[StoredFile]:
    """The viewer's own new uploads named by ``file_ids``, in that order; any
    other id (someone else's, already attached, missing) is refused alike."""
    if len(file_ids) > MAX_ATTACHMENTS:
        raise Invalid(
            _("At most {count} files at once.").format(count=MAX_ATTACHMENTS), code="too_many_files"
        )
    if len(set(file_ids)) != len(file_ids):
        raise Invalid(_("A file is attached twice."), code="unknown_file")
    found = {
        file.id: file
        for file in await session.scalars(
            select(StoredFile).where(StoredFile.id.in_(file_ids), *unattached_uploads_of(viewer))
        )
    }
    if len(found) != len(file_ids):
        raise Invalid(_("A file to attach is not one of your new uploads."), code="unknown_file")
    return [found[file_id] for file_id in file_ids]


async def pending_uploads(
    session: AsyncSession, *, viewer: User, file_ids: Iterable[int]
) -> list[FileView]:
    """Of ``file_ids``, the viewer's uploads not attached yet, in the order given:
    what a refused form or an editor not saved yet still holds, shown with it."""
    wanted = list(dict.fromkeys(file_ids))
    if not wanted:
        return []
    rows = await session.execute(
        files_with_blobs().where(StoredFile.id.in_(wanted), *unattached_uploads_of(viewer))
    )
    found = {file.id: FileView(file, blob) for file, blob in rows.all()}
    return [found[file_id] for file_id in wanted if file_id in found]


async def keep_uploads(
    session: AsyncSession,
    *,
    viewer: User,
    store: Store,
    settings: Settings,
    received: list[ReceivedFile],
) -> list[int]:
    """Files sent with a page's form (where no script uploaded them first), kept
    as the viewer's new uploads: their ids, in order, for what the form writes
    to attach in the same transaction."""
    return [
        (
            await store_upload(
                session,
                viewer=viewer,
                store=store,
                settings=settings,
                received=file,
                purpose=FilePurpose.ATTACHMENT,
            )
        ).file.id
        for file in received
    ]


async def space_usage(session: AsyncSession, space_id: int) -> int:
    """Bytes held by the files of a space: its posts', its wiki's, its files
    area's, its events'."""
    held = union_all(
        select(StoredFile.blob_sha256.label("sha"))
        .join(Post, Post.id == StoredFile.post_id)
        .where(Post.space_id == space_id),
        select(StoredFile.blob_sha256)
        .join(WikiPage, WikiPage.id == StoredFile.page_id)
        .where(WikiPage.space_id == space_id),
        select(StoredFile.blob_sha256)
        .join(SpaceDocument, SpaceDocument.id == StoredFile.document_id)
        .where(SpaceDocument.space_id == space_id),
        select(StoredFile.blob_sha256)
        .join(CalendarEvent, CalendarEvent.id == StoredFile.calendar_event_id)
        .where(CalendarEvent.space_id == space_id),
    ).subquery()
    total = await session.scalar(
        select(func.coalesce(func.sum(Blob.size), 0)).join(held, held.c.sha == Blob.sha256)
    )
    return int(total or 0)


async def check_space_quota(
    session: AsyncSession, *, quota_mb: int, space_id: int | None, files: list[StoredFile]
) -> None:
    if space_id is None or not files:
        return
    adding = await session.scalar(
        select(func.coalesce(func.sum(Blob.size), 0)).where(
            Blob.sha256.in_({file.blob_sha256 for file in files})
        )
    )
    check_quota(
        await space_usage(session, space_id),
        int(adding or 0),
        quota_mb,
        _("This space's files may hold {quota} MB in all; they hold {used} MB."),
    )


async def attach_uploads(
    session: AsyncSession,
    *,
    viewer: User,
    attachments: Attachments | None,
    holder: dict[str, int | None],
    space_id: int | None,
) -> None:
    """Attaches new uploads after the files a thing already has, within its
    space's quota (``space_id`` None: the company's, unbounded as its posts').
    ``holder``: the columns of ``StoredFile`` that name the thing, a post's own
    files being ``{"post_id": 3, "comment_id": None}``."""
    if attachments is None:
        return
    files = await take_uploads(session, viewer=viewer, file_ids=attachments.file_ids)
    on_it = and_(*(getattr(StoredFile, column) == value for column, value in holder.items()))
    held, after = (
        await session.execute(
            select(func.count(), func.coalesce(func.max(StoredFile.position) + 1, 0)).where(on_it)
        )
    ).one()
    if held + len(files) > MAX_ATTACHMENTS:
        raise Invalid(
            _("At most {count} files at once.").format(count=MAX_ATTACHMENTS), code="too_many_files"
        )
    await check_space_quota(
        session, quota_mb=attachments.space_quota_mb, space_id=space_id, files=files
    )
    for position, file in enumerate(files, start=after):
        for column, value in holder.items():
            setattr(file, column, value)
        file.position = position
    await session.flush()


async def attach_to_post(
    session: AsyncSession,
    *,
    viewer: User,
    attachments: Attachments | None,
    post: Post,
    comment: Comment | None = None,
) -> None:
    """Attaches new uploads after the files the post (or the comment) has."""
    await attach_uploads(
        session,
        viewer=viewer,
        attachments=attachments,
        holder={"post_id": post.id, "comment_id": comment.id if comment is not None else None},
        space_id=post.space_id,
    )


async def attachments_of(
    session: AsyncSession,
    *,
    post_ids: list[int] = (),
    comment_ids: list[int] = (),
    event_ids: list[int] = (),
) -> dict[tuple[str, int], list[FileView]]:
    """The files of posts (keyed ``("post", id)``, without their comments'), of
    comments (``("comment", id)``) and of calendar events (``("event", id)``),
    in order: for items the viewer already may read, in one query."""
    clauses = []
    if post_ids:
        clauses.append(StoredFile.post_id.in_(post_ids) & StoredFile.comment_id.is_(None))
    if comment_ids:
        clauses.append(StoredFile.comment_id.in_(comment_ids))
    if event_ids:
        clauses.append(StoredFile.calendar_event_id.in_(event_ids))
    if not clauses:
        return {}
    rows = await session.execute(
        files_with_blobs().where(or_(*clauses)).order_by(StoredFile.position, StoredFile.id)
    )
    found: dict[tuple[str, int], list[FileView]] = defaultdict(list)
    for file, blob in rows.all():
        if file.calendar_event_id is not None:
            key = ("event", file.calendar_event_id)
        elif file.comment_id is not None:
            key = ("comment", file.comment_id)
        else:
            key = ("post", file.post_id)
        found[key].append(FileView(file, blob))
    return found
