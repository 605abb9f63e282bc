"""Stored notifications, and each person's choice of what to be told.

Whoever causes a notification about a post, a wiki page, a calendar event or
a task goes through
``notify_readers``: only people who may read it are told, so a notification never opens
content to someone the policy keeps out. Lists and counts check again at read
time (app/access.py's ``visible_notifications``), so a post whose level is
raised later, or a secret space whose invitation is revoked, vanishes from its
notifications too; and the names they show are read then, never stored.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.access import (
    ItemRef,
    knowable_among,
    notification_space_id,
    readers_of,
    visible_notifications,
)
from app.models import (
    CalendarEvent,
    Notification,
    NotificationKind,
    NotificationPreference,
    Space,
    Task,
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
    calendar_event_id: int | None = None,
    task_id: int | None = None,
    user_ids: Iterable[int] | None = None,
    **data: Any,
) -> set[int]:
    """Tells those of ``user_ids`` (all readers when None) who may read the item
    (a post, a wiki page, a calendar event or a task) and want this kind, never the
    actor; returns who was told."""
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
                [
                    "user_id",
                    "kind",
                    "actor_id",
                    "post_id",
                    "page_id",
                    "calendar_event_id",
                    "task_id",
                    "data",
                    "created_at",
                ],
                select(
                    User.id,
                    literal(kind),
                    literal(actor_id),
                    literal(post_id, Notification.post_id.type),
                    literal(page_id, Notification.page_id.type),
                    literal(calendar_event_id, Notification.calendar_event_id.type),
                    literal(task_id, Notification.task_id.type),
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
                calendar_event_id=calendar_event_id,
                notification=kind,
            )
    return chosen


# Names are never stored with a notification: a name (of a space, a page, a
# person) is read when the notification is shown, so that a space renamed while
# secret or a page's former title never reaches a reader through it. Stored:
# ids the read-time rule checks (post, page, calendar event, space) and plain facts.
NAME_KEYS = frozenset({"actor_name", "inviter_name", "user_name", "space_name", "title"})


@dataclass
class ShownNotification:
    """A notification as its reader is shown it, with the names read now."""

    id: int
    kind: str
    actor_id: int | None
    post_id: int | None
    page_id: int | None
    calendar_event_id: int | None
    task_id: int | None
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None
    # The photo of who acted, for pages (readable by whoever may know of them).
    actor_avatar_file_id: int | None = None


def _shown(
    notification: Notification,
    actor_name: str | None,
    actor_avatar_file_id: int | None,
    space_name: str | None,
    title: str | None,
    user_name: str | None,
) -> ShownNotification:
    data = {key: value for key, value in notification.data.items() if key not in NAME_KEYS}
    names = {
        "actor_name": actor_name,
        "space_name": space_name,
        "title": title,
        "user_name": user_name,
    }
    data.update((key, name) for key, name in names.items() if name is not None)
    return ShownNotification(
        id=notification.id,
        kind=notification.kind,
        actor_id=notification.actor_id,
        post_id=notification.post_id,
        page_id=notification.page_id,
        calendar_event_id=notification.calendar_event_id,
        task_id=notification.task_id,
        data=data,
        created_at=notification.created_at,
        read_at=notification.read_at,
        actor_avatar_file_id=actor_avatar_file_id,
    )


async def list_notifications(
    session: AsyncSession, *, viewer: User, limit: int, before_id: int | None
) -> list[ShownNotification]:
    """The viewer's notifications that the policy lets them see now, newest
    first, each with the names it mentions as they are now."""
    actor, subject = aliased(User), aliased(User)
    space, page, event = aliased(Space), aliased(WikiPage), aliased(CalendarEvent)
    task = aliased(Task)
    statement = (
        select(
            Notification,
            actor.display_name,
            actor.avatar_file_id,
            space.name,
            func.coalesce(page.title, event.title, task.title),
            subject.display_name,
        )
        .outerjoin(actor, actor.id == Notification.actor_id)
        .outerjoin(space, space.id == notification_space_id())
        .outerjoin(page, page.id == Notification.page_id)
        .outerjoin(event, event.id == Notification.calendar_event_id)
        .outerjoin(task, task.id == Notification.task_id)
        .outerjoin(subject, subject.id == Notification.data["user_id_ending"].as_integer())
        .where(visible_notifications(viewer, utcnow()))
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        statement = statement.where(Notification.id < before_id)
    found = [_shown(*row) for row in (await session.execute(statement)).all()]
    return await _strangers_unnamed(session, viewer, found)


async def _strangers_unnamed(
    session: AsyncSession, viewer: User, found: list[ShownNotification]
) -> list[ShownNotification]:
    """A person the reader may not know of (a colleague who reacted to an
    external's post; the contractor of a sponsor offboarded since) is told
    without id or name."""
    subjects = [shown.data.get("user_id_ending") for shown in found]
    known = await knowable_among(session, viewer, [*(shown.actor_id for shown in found), *subjects])
    for shown, subject in zip(found, subjects, strict=True):
        if shown.actor_id is not None and shown.actor_id not in known:
            shown.actor_id = shown.actor_avatar_file_id = None
            shown.data.pop("actor_name", None)
        if subject is not None and subject not in known:
            shown.data.pop("user_id_ending")
            shown.data.pop("user_name", None)
    return found


async def unread_count(session: AsyncSession, *, viewer: User) -> int:
    """Counts only what the list would show: the bell never counts a notification
    its reader may no longer see."""
    return await session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(visible_notifications(viewer, utcnow()), Notification.read_at.is_(None))
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
