"""The collection of what nothing uses any more, run with the time-driven jobs:
files attached to nothing (uploaded and never attached, taken off what they
were on) and files of deleted posts and comments, once the grace
(``unused_file_grace_hours``) has passed; then the bytes no file holds, with
their previews; then the temporary files a stopped process left behind.

The grace lets an upload be attached, and a deletion be looked into, before
anything goes. Nothing used is removed: a file a person wears as their avatar
or a wiki revision shows stays whatever else holds, and the files of wiki
pages and of a space's files area, which can be restored, are left to
those."""

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.files.store import Store
from app.models import (
    Blob,
    Comment,
    Post,
    SpaceDocument,
    StoredFile,
    User,
    WikiRevisionFile,
)
from app.services.files.uploads import PREVIEWS, preview_key

# Rows removed per run at most: a long backlog goes over several runs, each a
# short transaction.
BATCH = 1000
# A temporary file is an upload still coming in for at least this long,
# whatever the grace (which may be zero).
INCOMING_GRACE = timedelta(hours=1)


def collectable_files(cutoff: datetime):
    """The clause of the files no one has used since before ``cutoff``."""
    worn_or_shown = or_(
        exists().where(User.avatar_file_id == StoredFile.id),
        exists().where(WikiRevisionFile.file_id == StoredFile.id),
    )
    attached_to_nothing = and_(
        StoredFile.attached_to_nothing(),
        or_(
            StoredFile.detached_at < cutoff,
            and_(StoredFile.detached_at.is_(None), StoredFile.created_at < cutoff),
        ),
    )
    of_deleted_post = exists().where(Post.id == StoredFile.post_id, Post.deleted_at < cutoff)
    of_deleted_comment = exists().where(
        Comment.id == StoredFile.comment_id, Comment.deleted_at < cutoff
    )
    of_deleted_document = exists().where(
        SpaceDocument.id == StoredFile.document_id, SpaceDocument.deleted_at < cutoff
    )
    return and_(
        ~worn_or_shown,
        or_(attached_to_nothing, of_deleted_post, of_deleted_comment, of_deleted_document),
    )


def unused_blobs(cutoff: datetime):
    """The clause of the bytes no file holds. Only those stored before
    ``cutoff``: an upload in flight holds its new bytes before its file row."""
    return and_(Blob.created_at < cutoff, ~exists().where(StoredFile.blob_sha256 == Blob.sha256))


async def collect_unused_files(
    session: AsyncSession, *, store: Store, settings: Settings, now: datetime
) -> dict[str, int]:
    cutoff = now - timedelta(hours=settings.unused_file_grace_hours)
    # Each condition is checked again as the rows are deleted: a file attached
    # since it was found stays.
    file_ids = list(
        await session.scalars(select(StoredFile.id).where(collectable_files(cutoff)).limit(BATCH))
    )
    files_removed = 0
    if file_ids:
        result = await session.execute(
            delete(StoredFile)
            .where(StoredFile.id.in_(file_ids), collectable_files(cutoff))
            .execution_options(synchronize_session=False)
        )
        files_removed = result.rowcount
    keys = list(await session.scalars(select(Blob.sha256).where(unused_blobs(cutoff)).limit(BATCH)))
    removed = []
    if keys:
        removed = list(
            await session.scalars(
                delete(Blob)
                .where(Blob.sha256.in_(keys), unused_blobs(cutoff))
                .returning(Blob.sha256)
                .execution_options(synchronize_session=False)
            )
        )
    # Before the commit: should it fail, the rows stay for the next run, bytes
    # gone, and an upload of the same bytes meanwhile puts them back
    # (store_upload). After it, a new upload of the same bytes could be
    # removed from under its fresh row.
    await _remove_bytes(store, removed)
    grace = max(timedelta(hours=settings.unused_file_grace_hours), INCOMING_GRACE)
    leftovers = store.clean_incoming(older_than_seconds=grace.total_seconds())
    return {
        "files_collected": files_removed,
        "blobs_collected": len(removed),
        "temporary_files_removed": leftovers,
    }


async def _remove_bytes(store: Store, keys: list[str]) -> None:
    for key in keys:
        await store.delete(key)
        for size in PREVIEWS:
            await store.delete(preview_key(key, size))
