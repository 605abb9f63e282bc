"""Each person's calendar feed: a secret address, shown once when made, whose
hash alone is kept. Making a new one revokes the old (it then answers 404, as
an address that never existed); a deactivated account's feed answers 404."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFound
from app.models import CalendarFeed, User
from app.models.base import utcnow
from app.security import hash_secret, new_secret


async def feed_of(session: AsyncSession, *, viewer: User) -> CalendarFeed | None:
    return await session.get(CalendarFeed, viewer.id)


async def open_feed(session: AsyncSession, *, viewer: User, shows_titles: bool) -> str:
    """A new secret for the viewer's feed (the old one stops working)."""
    secret = new_secret()
    feed = await feed_of(session, viewer=viewer)
    if feed is None:
        feed = CalendarFeed(user_id=viewer.id)
        session.add(feed)
    feed.token_hash = hash_secret(secret)
    feed.shows_titles = shows_titles
    feed.created_at = utcnow()
    await session.flush()
    return secret


async def close_feed(session: AsyncSession, *, viewer: User) -> None:
    feed = await feed_of(session, viewer=viewer)
    if feed is not None:
        await session.delete(feed)
        await session.flush()


async def feed_by_secret(session: AsyncSession, secret: str) -> tuple[User, CalendarFeed]:
    """The feed and its owner, for an address fetched without signing in."""
    row = (
        await session.execute(
            select(User, CalendarFeed)
            .join(CalendarFeed, CalendarFeed.user_id == User.id)
            .where(CalendarFeed.token_hash == hash_secret(secret), User.is_active.is_(True))
        )
    ).first()
    if row is None:
        raise NotFound()
    return row[0], row[1]
