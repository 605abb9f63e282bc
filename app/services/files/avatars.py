"""A person's photo: uploaded as an avatar (cropped to a square and written
again as WebP by ``uploads.store_upload``), shown wherever the person is. Who
may see it is who may know of the person (``access.readable_files``); the photo
it replaces is detached at once, so that nobody else reads it any more, and
collected later with the other files used nowhere."""

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.files.store import Store
from app.files.upload import ReceivedFile
from app.models import FilePurpose, StoredFile, User
from app.models.base import utcnow
from app.services.files.uploads import store_upload


async def set_avatar(
    session: AsyncSession,
    *,
    viewer: User,
    store: Store,
    settings: Settings,
    received: ReceivedFile,
) -> User:
    """Makes ``received`` the viewer's photo; refused (and nothing changed) when
    it is no image Ruche reads, too large or a bomb of pixels."""
    view = await store_upload(
        session,
        viewer=viewer,
        store=store,
        settings=settings,
        received=received,
        purpose=FilePurpose.AVATAR,
    )
    await _detach_current(session, viewer)
    viewer.avatar_file_id = view.file.id
    await session.flush()
    return viewer


async def remove_avatar(session: AsyncSession, *, viewer: User) -> None:
    """The viewer goes back to their initials; removing no photo is no error."""
    await _detach_current(session, viewer)
    viewer.avatar_file_id = None
    await session.flush()


async def _detach_current(session: AsyncSession, viewer: User) -> None:
    if viewer.avatar_file_id is None:
        return
    await session.execute(
        update(StoredFile)
        .where(StoredFile.id == viewer.avatar_file_id, StoredFile.detached_at.is_(None))
        .values(detached_at=utcnow())
    )
