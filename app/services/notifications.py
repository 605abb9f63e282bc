"""Stored notifications, and each person's choice of what to be told.

Whoever causes a notification about a post or a wiki page goes through
``notify_readers``: only people who may read it are told, so a notification never opens
content to someone the policy keeps out. Lists check again at read time, so a
post whose level is raised later vanishes from its notifications too.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, func, insert, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import ItemRef, readable, readers_of
from app.models import (
    Notification,
    NotificationKind,
    NotificationPreference,
    Post,
    User,
    WikiPage,
)
from app.models.base import utcnow
from app.realtime.events import record_event

KINDS = tuple(kind.value for kind in NotificationKind)


def _wants(kind: str):
    """Users who have not turned ``kind`` off (no row means on)."""
    return ~User.id.in_(
        select(NotificationPreference.user_id).where(
            NotificationPreference.kind == kind, NotificationPreference.enabled.is_(False)
        )
    )


async def notify(
    session: AsyncSession, *, user_id: int, kind: str, actor_id: int | None = None, **data: Any
) -> bool:
    """Tells one person something that concerns no post; returns whether it was
    stored (not when they turned that kind off)."""
    if not await session.scalar(select(User.id).where(User.id == user_id, _wants(kind))):
        return False
    session.add(Notification(user_id=user_id, kind=kind, actor_id=actor_id, data=data))
    await record_event(session, kind="notification.created", user_id=user_id, notification=kind)
    return True


async def notify_readers(
    session: AsyncSession,
    *,
    item: ItemRef,
    kind: str,
    actor_id: int | None,
    post_id: int | None = None,
    page_id: int | None = None,
    user_ids: Iterable[int] | None = None,
    **data: Any,
) -> set[int]:
    """Tells those of ``user_ids`` (all readers when None) who may read the item
    (a post or a wiki page) and want this kind, never the actor; returns who was
    told."""
    recipients = select(User.id).where(readers_of(item), _wants(kind))
    if actor_id is not None:
        recipients = recipients.where(User.id != actor_id)
    if user_ids is not None:
        recipients = recipients.where(User.id.in_(list(user_ids)))
    chosen = set(await session.scalars(recipients))
    if chosen:
        now = utcnow()
        await session.execute(
            insert(Notification).from_select(
                ["user_id", "kind", "actor_id", "post_id", "page_id", "data", "created_at"],
                select(
                    User.id,
                    literal(kind),
                    literal(actor_id),
                    literal(post_id, Notification.post_id.type),
                    literal(page_id, Notification.page_id.type),
                    literal(data, Notification.data.type),
                    literal(now, Notification.created_at.type),
                ).where(User.id.in_(chosen)),
            )
        )
        for user_id in sorted(chosen):
            await record_event(
                session,
                kind="notification.created",
                item=item,
                user_id=user_id,
                post_id=post_id,
                page_id=page_id,
                notification=kind,
            )
    return chosen


def _visible(viewer: User):
    """A notification about a post or a wiki page shows only while the viewer
    may read it (and, for a page, while it is not in the bin)."""
    return and_(
        or_(
            Notification.post_id.is_(None),
            Notification.post_id.in_(select(Post.id).where(readable(viewer, Post))),
        ),
        or_(
            Notification.page_id.is_(None),
            Notification.page_id.in_(
                select(WikiPage.id).where(readable(viewer, WikiPage), WikiPage.deleted_at.is_(None))
            ),
        ),
    )


async def list_notifications(
    session: AsyncSession, *, viewer: User, limit: int, before_id: int | None
) -> list[Notification]:
    statement = (
        select(Notification)
        .where(Notification.user_id == viewer.id, _visible(viewer))
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        statement = statement.where(Notification.id < before_id)
    return list((await session.scalars(statement)).all())


async def unread_count(session: AsyncSession, *, viewer: User) -> int:
    return await session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == viewer.id, Notification.read_at.is_(None), _visible(viewer))
    )


async def mark_read(session: AsyncSession, *, viewer: User, ids: list[int] | None) -> int:
    """Marks some (``ids``) or all of the viewer's notifications read."""
    statement = update(Notification).where(
        Notification.user_id == viewer.id, Notification.read_at.is_(None)
    )
    if ids is not None:
        statement = statement.where(Notification.id.in_(ids))
    result = await session.execute(statement.values(read_at=utcnow()))
    return result.rowcount


async def preferences(session: AsyncSession, *, viewer: User) -> dict[str, bool]:
    stored = dict(
        (
            await session.execute(
                select(NotificationPreference.kind, NotificationPreference.enabled).where(
                    NotificationPreference.user_id == viewer.id
                )
            )
        ).all()
    )
    return {kind: stored.get(kind, True) for kind in KINDS}


async def set_preferences(
    session: AsyncSession, *, viewer: User, changes: dict[str, bool]
) -> dict[str, bool]:
    for kind, enabled in changes.items():
        row = await session.get(NotificationPreference, (viewer.id, kind))
        if row is None:
            session.add(NotificationPreference(user_id=viewer.id, kind=kind, enabled=enabled))
        else:
            row.enabled = enabled
    await session.flush()
    return await preferences(session, viewer=viewer)
