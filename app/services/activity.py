"""What a reader missed: the activity log since an id, filtered by the policy
as things stand now, so that a client that reconnects catches up exactly."""

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


async def events_since(
    session: AsyncSession, *, viewer: User, since_id: int, limit: int = MAX_CATCH_UP
) -> list[Activity]:
    return list(
        await session.scalars(
            select(Activity)
            .where(Activity.id > since_id, visible_activity(viewer))
            .order_by(Activity.id)
            .limit(limit)
        )
    )


async def last_event_id(session: AsyncSession) -> int:
    return await session.scalar(select(Activity.id).order_by(Activity.id.desc()).limit(1)) or 0
