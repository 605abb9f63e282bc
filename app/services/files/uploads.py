"""Taking an upload in: its kind decided from its bytes and checked against
what its purpose accepts, an image cleaned and given previews, quotas checked,
then the bytes kept under their SHA-256 and a file row made, attached to
nothing yet (its uploader's alone). And reaching a file again, through the
policy."""

import asyncio
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import readable_files
from app.config import Settings
from app.db import insert_unless_taken
from app.errors import Forbidden, Invalid, NotFound, TooLarge
from app.files import images, kinds
from app.files.store import Incoming, Store
from app.files.upload import ReceivedFile, ReceivedForm
from app.i18n import _
from app.models import Blob, FilePurpose, StoredFile, User
from app.models.base import utcnow

PREVIEWS = tuple(images.PREVIEW_SIZES)


@dataclass(frozen=True)
class FileView:
    file: StoredFile
    blob: Blob


def files_with_blobs():
    """The query of files with the record of their bytes, for a FileView each."""
    return select(StoredFile, Blob).join(Blob, Blob.sha256 == StoredFile.blob_sha256)


def content_url(file_id: int, preview: str | None = None) -> str:
    """The one address a file's bytes are read at (access-checked), for the API
    and for the links a page's text makes to its files."""
    url = f"/api/v1/files/{file_id}/content"
    return f"{url}?preview={preview}" if preview else url


def preview_key(sha256: str, size: str) -> str:
    return f"{sha256}.{size}"


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.0f}"


async def person_usage(session: AsyncSession, user_id: int) -> int:
    """Bytes held by what a person uploaded and still uses."""
    total = await session.scalar(
        select(func.coalesce(func.sum(Blob.size), 0))
        .join(StoredFile, StoredFile.blob_sha256 == Blob.sha256)
        .where(StoredFile.uploader_id == user_id, StoredFile.detached_at.is_(None))
    )
    return int(total or 0)


def check_quota(used: int, adding: int, quota_mb: int, message: str) -> None:
    if used + adding > quota_mb * 1_000_000:
        raise TooLarge(message.format(quota=quota_mb, used=_megabytes(used)), code="quota")


async def store_upload(
    session: AsyncSession,
    *,
    viewer: User,
    store: Store,
    settings: Settings,
    received: ReceivedFile,
    purpose: FilePurpose,
) -> FileView:
    """Keeps ``received`` as a new file of ``viewer``'s, attached to nothing."""
    if received.incoming.size == 0:
        raise Invalid(_("The file is empty."), code="empty_file")
    received.incoming.handle.flush()
    kind = await asyncio.to_thread(kinds.sniff, received.incoming.path)
    if not kinds.accepted(purpose, kind):
        raise Invalid(
            _("This kind of file is not accepted here. Accepted: {extensions}.").format(
                extensions=", ".join(kinds.accepted_extensions(purpose))
            ),
            code="file_type",
        )
    is_image = kind.content_type in kinds.INLINE
    # An avatar is already as small as it is ever shown: no previews.
    has_previews = is_image and purpose is not FilePurpose.AVATAR
    with store.temporary() as cleaned, store.temporary() as small, store.temporary() as large:
        incoming, width, height = received.incoming, None, None
        if is_image:
            incoming, width, height = await _clean_image(received, cleaned, purpose)
        if has_previews:
            await asyncio.to_thread(
                images.previews, incoming.path, {"small": small.path, "large": large.path}
            )
        # The work on the bytes is done before the first statement that writes,
        # which on SQLite takes the one write lock every other writer waits for.
        check_quota(
            await person_usage(session, viewer.id),
            received.incoming.size,
            settings.person_quota_mb,
            _("Your files may hold {quota} MB in all; they hold {used} MB."),
        )
        blob = await session.get(Blob, incoming.sha256)
        if blob is None:
            blob = Blob(
                sha256=incoming.sha256,
                size=incoming.size,
                # An avatar is written again as a square WebP.
                content_type="image/webp" if purpose is FilePurpose.AVATAR else kind.content_type,
                width=width,
                height=height,
                has_previews=has_previews,
            )
            if not await insert_unless_taken(session, blob):
                # An upload of the same bytes, at the same moment, recorded them first.
                blob = await session.get(Blob, incoming.sha256)
        # The same bytes uploaded before are there already; unless a collection
        # removed them from a blob its failed transaction then kept.
        if not await store.exists(blob.sha256):
            previews = {"small": small, "large": large} if blob.has_previews else {}
            await _keep(store, incoming, previews)
        await session.flush()
    file = StoredFile(
        blob_sha256=blob.sha256,
        name=kinds.clean_name(received.filename, kinds.kind_of(blob.content_type)),
        purpose=purpose,
        uploader_id=viewer.id,
    )
    session.add(file)
    await session.flush()
    return FileView(file, blob)


async def _keep(store: Store, incoming: Incoming, previews: dict[str, Incoming]) -> None:
    """The previews first: bytes in place are bytes with their previews."""
    for size, preview in previews.items():
        await store.keep(preview, preview_key(incoming.sha256, size))
    await store.keep(incoming)


async def _clean_image(received: ReceivedFile, cleaned: Incoming, purpose: FilePurpose):
    """The image's bytes as Ruche keeps them, and its size: upright and without
    metadata (an avatar: a square), or refused when it is no image or a bomb."""
    try:
        if purpose is FilePurpose.AVATAR:
            await asyncio.to_thread(images.avatar, received.incoming.path, cleaned.path)
            result = (images.AVATAR_SIZE, images.AVATAR_SIZE, True)
        else:
            done = await asyncio.to_thread(images.clean, received.incoming.path, cleaned.path)
            result = (done.width, done.height, done.rewritten)
    except images.ImageBomb:
        raise Invalid(
            _("This image has too many pixels (at most {count} million).").format(
                count=images.MAX_PIXELS // 1_000_000
            ),
            code="image_too_large",
        ) from None
    except images.NotAnImage:
        raise Invalid(_("This image cannot be read."), code="bad_image") from None
    width, height, rewritten = result
    if not rewritten:
        return received.incoming, width, height
    await asyncio.to_thread(cleaned.rehash)
    return cleaned, width, height


async def access_file(session: AsyncSession, *, viewer: User, file_id: int) -> FileView:
    """The file with its bytes' record, when the viewer may read it; the same
    NotFound for a missing file and a hidden one."""
    row = (
        await session.execute(
            files_with_blobs().where(StoredFile.id == file_id, readable_files(viewer))
        )
    ).first()
    if row is None:
        raise NotFound(_("This file does not exist or is not visible to you."))
    return FileView(*row)


def upload_purpose(given: str | None, *, allowed: tuple[FilePurpose, ...]) -> FilePurpose:
    if given is None:
        return FilePurpose.ATTACHMENT
    for purpose in allowed:
        if given == purpose.value:
            return purpose
    raise Invalid(
        _("The purpose must be one of: {purposes}.").format(
            purposes=", ".join(purpose.value for purpose in allowed)
        ),
        code="invalid",
    )


def the_one_file(form: ReceivedForm, field: str) -> ReceivedFile:
    files = [received for received in form.files if received.field == field]
    if len(files) != 1:
        raise Invalid(
            _("Send one file, in the field “{field}”.").format(field=field), code="no_file"
        )
    return files[0]


def served_key(view: FileView, preview: str | None) -> tuple[str, str]:
    """The stored key to serve and its type: the file, or one of its previews."""
    if preview is None:
        return view.blob.sha256, view.blob.content_type
    if not view.blob.has_previews or preview not in PREVIEWS:
        raise NotFound(_("This file has no preview."))
    return preview_key(view.blob.sha256, preview), "image/webp"


async def delete_file(session: AsyncSession, *, viewer: User, file_id: int) -> None:
    """Takes the viewer's own upload off what it is attached to (a post or a
    comment of theirs) or drops it unattached; the bytes go with the next
    collection. Files of a wiki revision, a files area or an event are kept
    with them (an event's: taken off by changing it, as only who may do so)."""
    view = await access_file(session, viewer=viewer, file_id=file_id)
    file = view.file
    if (
        file.uploader_id != viewer.id
        or file.page_id is not None
        or file.document_id is not None
        or file.calendar_event_id is not None
        or file.purpose is FilePurpose.AVATAR
    ):
        raise Forbidden(_("Only its uploader may remove this file from here."), code="not_uploader")
    file.post_id = file.comment_id = None
    file.detached_at = utcnow()
    await session.flush()
