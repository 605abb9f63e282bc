"""The files an event carries: its planner's new uploads, attached when they
plan or change it, taken off by a change. They are read through the event
(``access.readable_files``): raised or narrowed, it takes them along at once;
cancelled, it keeps them, as it stays in the calendars. A file taken off is
collected after the grace, as any file taken off what it was on."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Invalid
from app.i18n import _
from app.models import CalendarEvent, StoredFile, User
from app.models.base import utcnow
from app.services.files.attachments import FileChanges, attach_uploads


async def change_files(
    session: AsyncSession, *, viewer: User, event: CalendarEvent, changes: FileChanges
) -> None:
    """Takes ``changes.removed`` off the event, then attaches the new uploads
    after the files it keeps. The caller checked the viewer may change it; a
    file to remove the event does not have is refused (422)."""
    if changes.removed:
        held = list(
            await session.scalars(
                select(StoredFile).where(
                    StoredFile.calendar_event_id == event.id,
                    StoredFile.id.in_(changes.removed),
                )
            )
        )
        if len(held) != len(changes.removed):
            raise Invalid(_("A file to remove is not one this event has."), code="unknown_file")
        now = utcnow()
        for file in held:
            file.calendar_event_id, file.detached_at = None, now
        await session.flush()
    await attach_uploads(
        session,
        viewer=viewer,
        attachments=changes.added,
        holder={"calendar_event_id": event.id},
        space_id=event.space_id,
    )
