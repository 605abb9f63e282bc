"""What a reader missed: the activity log since an id, filtered by the policy
as things stand now, so that a client that reconnects catches up exactly."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import visible_events
from app.models import Activity, User

MAX_CATCH_UP = 1000


@dataclass(frozen=True)
class CatchUp:
    """A page of what a reader missed: ``last_id`` is where to ask from next
    (never past an event not yet returned), ``more`` whether more events wait."""

    items: list[Activity]
    last_id: int
    more: bool


async def events_since(
    session: AsyncSession, *, viewer: User, since_id: int, limit: int = MAX_CATCH_UP
) -> CatchUp:
    """The events after ``since_id`` that the viewer may see now, oldest first.

    Gap-free: the newest id is read first and bounds the page. Ids follow commit
    order (app/realtime/events.py serialises the writers on PostgreSQL), so every
    id up to that mark had committed when it was read; a mark read after the page
    could name an event that committed in between, and a client continuing from
    it would never receive that event."""
    high_water = await last_event_id(session)
    items = list(
        await session.scalars(
            select(Activity)
            .where(Activity.id > since_id, Activity.id <= high_water, visible_events(viewer))
            .order_by(Activity.id)
            .limit(limit)
        )
    )
    more = len(items) == limit
    last_id = items[-1].id if more else max(since_id, high_water)
    return CatchUp(items=items, last_id=last_id, more=more)


async def last_event_id(session: AsyncSession) -> int:
    return await session.scalar(select(Activity.id).order_by(Activity.id.desc()).limit(1)) or 0
