"""What a reader missed: the activity log since an id, filtered by the policy
as things stand now, so that a client that reconnects catches up exactly."""

from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import readable, readable_spaces
from app.models import Activity, Post, Space, User, WikiPage

MAX_CATCH_UP = 1000


def visible_activity(viewer: User):
    """Personal events to their person only; events about a post or a wiki page
    to those who may read it now; events about a space to those who may read
    the space."""
    return and_(
        or_(Activity.user_id.is_(None), Activity.user_id == viewer.id),
        or_(
            Activity.post_id.is_(None),
            Activity.post_id.in_(select(Post.id).where(readable(viewer, Post))),
        ),
        or_(
            Activity.page_id.is_(None),
            Activity.page_id.in_(select(WikiPage.id).where(readable(viewer, WikiPage))),
        ),
        or_(
            Activity.post_id.is_not(None),
            Activity.page_id.is_not(None),
            Activity.space_id.is_(None),
            Activity.space_id.in_(select(Space.id).where(readable_spaces(viewer))),
        ),
    )


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
            .where(Activity.id > since_id, Activity.id <= high_water, visible_activity(viewer))
            .order_by(Activity.id)
            .limit(limit)
        )
    )
    more = len(items) == limit
    last_id = items[-1].id if more else max(since_id, high_water)
    return CatchUp(items=items, last_id=last_id, more=more)


async def last_event_id(session: AsyncSession) -> int:
    return await session.scalar(select(Activity.id).order_by(Activity.id.desc()).limit(1)) or 0
