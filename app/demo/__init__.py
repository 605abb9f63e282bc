"""The demo company: a French firm of some forty people (employees of several
departments, contractors, alumni) in ten spaces, with five weeks of history
in its stream and wiki, the coming weeks in its calendar, an idea campaign and
a project board, so that a person trying Ruche sees a working network.

Seeding is idempotent: running it again adds only what is missing (accounts,
spaces, pictures); the stream and the wiki are written only into a database
that has none yet. Deterministic: the same content every time, at times
relative to now."""

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.demo.bulk import write_in_bulk
from app.demo.calendar import seed_demo_calendar
from app.demo.featured import plan_today
from app.demo.history import plan_history
from app.demo.ideas import seed_demo_ideas
from app.demo.people import (
    DEMO_PASSWORD,
    DEMO_PEOPLE,
    FOLLOWED_HASHTAGS,
    FOLLOWED_PEOPLE,
    seed_people,
    seed_spaces,
)
from app.demo.pictures import seed_demo_avatars, seed_demo_files
from app.demo.tasks import seed_demo_tasks
from app.demo.wiki import seed_demo_wiki
from app.demo.writing import write_through_services
from app.models import FollowKind, Notification, Post, Space, User
from app.models.base import utcnow
from app.search.indexing import rebuild
from app.services.follows import follow

__all__ = ["DEMO_PASSWORD", "seed_demo"]


async def seed_demo(session: AsyncSession, settings: Settings) -> list[User]:
    """Returns the accounts to print at start-up (the README lists them)."""
    people = await seed_people(session)
    spaces = await seed_spaces(session, people)
    await seed_demo_stream(session, people, spaces, settings)
    await seed_demo_wiki(session, people, spaces)
    await seed_demo_avatars(session, people, settings)
    await seed_demo_files(session, people, settings)
    await seed_demo_calendar(session, people, spaces, utcnow().date())
    await seed_demo_tasks(session, people, spaces, utcnow().date())
    return [people[person.handle] for person in DEMO_PEOPLE]


async def seed_demo_stream(
    session: AsyncSession, people: dict[str, User], spaces: dict[str, Space], settings: Settings
) -> None:
    """Five weeks of history in bulk, the idea campaign, then today's posts
    through the services (on top of the stream), and whom people follow; only
    on a database with no post yet, so that running the demo again adds
    nothing twice."""
    if await session.scalar(select(Post.id).limit(1)) is not None:
        return
    now = utcnow()
    await write_in_bulk(session, plan_history(now), people, spaces)
    # The bulk writer bypasses the ORM, and so the index kept in step with it.
    await session.run_sync(lambda sync: rebuild(sync.connection()))
    # Everyone caught up with their notifications two days ago, as "mark all as
    # read" (services.notifications.mark_read) would have done then.
    caught_up = now - timedelta(days=2)
    await session.execute(
        update(Notification)
        .where(Notification.created_at < caught_up, Notification.read_at.is_(None))
        .values(read_at=caught_up)
    )
    await seed_demo_ideas(session, people, spaces, settings)
    await write_through_services(session, plan_today(now), people, spaces)
    for handle, followed in FOLLOWED_PEOPLE.items():
        for other in followed:
            await follow(
                session, viewer=people[handle], kind=FollowKind.USER, target=str(people[other].id)
            )
    for handle, hashtags in FOLLOWED_HASHTAGS.items():
        for hashtag in hashtags:
            await follow(session, viewer=people[handle], kind=FollowKind.HASHTAG, target=hashtag)
