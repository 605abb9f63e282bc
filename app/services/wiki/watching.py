"""Watching pages, and telling: watchers are notified of new revisions, and
every change goes into the live activity for those who may read the page."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import insert_unless_taken
from app.models import NotificationKind, User, WikiPage, WikiWatch
from app.models.base import utcnow
from app.realtime.events import record_event
from app.services.content import item_ref
from app.services.notifications import notify_readers
from app.services.wiki.reading import access_page


async def add_watch(session: AsyncSession, page_id: int, user_id: int) -> None:
    if await session.get(WikiWatch, (page_id, user_id)) is None:
        await insert_unless_taken(
            session, WikiWatch(page_id=page_id, user_id=user_id, created_at=utcnow())
        )


async def watch(session: AsyncSession, *, viewer: User, page_id: int, on: bool) -> bool:
    """Watchers are told of every new revision (creators and editors watch
    from their first save); returns whether the viewer now watches."""
    page = await access_page(session, viewer=viewer, page_id=page_id)
    row = await session.get(WikiWatch, (page.id, viewer.id))
    if on and row is None:
        await add_watch(session, page.id, viewer.id)
    elif not on and row is not None:
        await session.delete(row)
    await session.flush()
    return on


async def is_watching(session: AsyncSession, *, viewer: User, page_id: int) -> bool:
    return await session.get(WikiWatch, (page_id, viewer.id)) is not None


async def tell_watchers(session: AsyncSession, page: WikiPage, editor: User) -> None:
    watchers = await session.scalars(select(WikiWatch.user_id).where(WikiWatch.page_id == page.id))
    await notify_readers(
        session,
        item=await item_ref(session, page),
        page_id=page.id,
        kind=NotificationKind.WIKI_PAGE_CHANGED,
        actor_id=editor.id,
        user_ids=list(watchers),
        revision=page.revision,
    )


async def announce(session: AsyncSession, page: WikiPage, kind: str, actor: User) -> None:
    """Into the live activity, to those who may read the page: ids only."""
    await record_event(
        session,
        kind=kind,
        item=await item_ref(session, page),
        page_id=page.id,
        revision=page.revision,
        actor_id=actor.id,
    )
