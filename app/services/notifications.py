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
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, false, func, insert, literal, or_, select, true, update
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
from app.services.mail.outbox import queue_mail

KINDS = tuple(kind.value for kind in NotificationKind)


# The kinds mailed unless their reader says otherwise: what is addressed to
# them and waits on them. The others (reactions, wiki changes...) stay in the app.
MAILED_BY_DEFAULT = frozenset(
    {
        NotificationKind.MENTION,
        NotificationKind.REPLY,
        NotificationKind.ANNOUNCEMENT,
        NotificationKind.ACCEPTED_ANSWER,
        NotificationKind.INVITATION,
        NotificationKind.EVENT_REMINDER,
        NotificationKind.TASK_ASSIGNED,
    }
)


class Channel(StrEnum):
    """Where a kind of notification reaches its reader."""

    APP = "app"
    MAIL = "mail"
    BOTH = "both"
    NONE = "none"

    @classmethod
    def of(cls, in_app: bool, by_mail: bool) -> "Channel":
        return {
            (True, True): cls.BOTH,
            (True, False): cls.APP,
            (False, True): cls.MAIL,
            (False, False): cls.NONE,
        }[(bool(in_app), bool(by_mail))]

    @property
    def in_app(self) -> bool:
        return self in (Channel.APP, Channel.BOTH)

    @property
    def by_mail(self) -> bool:
        return self in (Channel.MAIL, Channel.BOTH)


def _channels(kind: str):
    """Each user with whether they want ``kind`` in the app (no row: yes) and
    by mail (no choice: the kind's default), keeping those who want it somehow."""
    choice = aliased(NotificationPreference)
    in_app = func.coalesce(choice.enabled, true())
    by_mail = func.coalesce(choice.by_mail, true() if kind in MAILED_BY_DEFAULT else false())
    return (
        select(User.id, in_app, by_mail)
        .outerjoin(choice, and_(choice.user_id == User.id, choice.kind == kind))
        .where(or_(in_app, by_mail))
    )


async def notify(
    session: AsyncSession, *, user_id: int, kind: str, actor_id: int | None = None, **data: Any
) -> bool:
    """Tells one person something that concerns no post; returns whether it was
    stored (not when they turned that kind off)."""
    chosen = (await session.execute(_channels(kind).where(User.id == user_id))).first()
    if chosen is None:
        return False
    _id, in_app, by_mail = chosen
    notification = Notification(
        user_id=user_id,
        kind=kind,
        actor_id=actor_id,
        data=data,
        read_at=None if in_app else utcnow(),
    )
    session.add(notification)
    if by_mail:
        await session.flush()
        queue_mail(session, kind=kind, user_id=user_id, notification_id=notification.id)
    if in_app:
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
    recipients = _channels(kind).where(readers_of(item))
    if actor_id is not None:
        recipients = recipients.where(User.id != actor_id)
    if user_ids is not None:
        recipients = recipients.where(User.id.in_(list(user_ids)))
    rows = (await session.execute(recipients)).all()
    chosen = {user_id for user_id, _in_app, _by_mail in rows}
    in_app = {user_id for user_id, wants_app, _by_mail in rows if wants_app}
    if chosen:
        now = utcnow()
        stored = await session.execute(
            insert(Notification)
            .from_select(
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
            .returning(Notification.id, Notification.user_id)
        )
        await _mail_and_mark(session, kind, stored.all(), rows, now)
        for user_id in sorted(in_app):
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


async def _mail_and_mark(session: AsyncSession, kind: str, stored, rows, now: datetime) -> None:
    """Queues a mail for each person who wants this kind by mail; a person who
    wants it by mail only finds it already read in the app (no bell)."""
    channels = {user_id: Channel.of(in_app, by_mail) for user_id, in_app, by_mail in rows}
    mail_only = []
    for notification_id, user_id in stored:
        if channels[user_id].by_mail:
            queue_mail(session, kind=kind, user_id=user_id, notification_id=notification_id)
        if not channels[user_id].in_app:
            mail_only.append(notification_id)
    if mail_only:
        await session.execute(
            update(Notification).where(Notification.id.in_(mail_only)).values(read_at=now)
        )


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


async def channels(session: AsyncSession, *, viewer: User) -> dict[str, Channel]:
    """Where each kind reaches the viewer, their choice or the kind's default."""
    stored = {
        kind: (enabled, by_mail)
        for kind, enabled, by_mail in (
            await session.execute(
                select(
                    NotificationPreference.kind,
                    NotificationPreference.enabled,
                    NotificationPreference.by_mail,
                ).where(NotificationPreference.user_id == viewer.id)
            )
        ).all()
    }
    chosen = {}
    for kind in KINDS:
        enabled, by_mail = stored.get(kind, (True, None))
        chosen[kind] = Channel.of(
            enabled, kind in MAILED_BY_DEFAULT if by_mail is None else by_mail
        )
    return chosen


async def set_channels(
    session: AsyncSession,
    *,
    viewer: User,
    in_app: dict[str, bool] | None = None,
    changes: dict[str, Channel] | None = None,
) -> dict[str, Channel]:
    """Sets kinds on or off in the app (``in_app``) or their whole channel
    (``changes``, which wins); kinds not named keep their choice."""
    wanted: dict[str, tuple[bool, bool | None]] = {}
    for kind, enabled in (in_app or {}).items():
        wanted[kind] = (enabled, None)
    for kind, channel in (changes or {}).items():
        wanted[kind] = (channel.in_app, channel.by_mail)
    for kind, (enabled, by_mail) in wanted.items():
        row = await session.get(NotificationPreference, (viewer.id, kind))
        if row is None:
            row = NotificationPreference(user_id=viewer.id, kind=kind, enabled=enabled)
            session.add(row)
        row.enabled = enabled
        if by_mail is not None:
            row.by_mail = by_mail
    await session.flush()
    return await channels(session, viewer=viewer)


async def stop_mailing(session: AsyncSession, *, user_id: int) -> None:
    """Every kind by mail off for this person (whose access ends), the app
    channel kept as it was."""
    for kind in KINDS:
        row = await session.get(NotificationPreference, (user_id, kind))
        if row is None:
            session.add(
                NotificationPreference(user_id=user_id, kind=kind, enabled=True, by_mail=False)
            )
        else:
            row.by_mail = False


async def shown_notification(
    session: AsyncSession, *, viewer: User, notification_id: int
) -> ShownNotification | None:
    """One of the viewer's notifications as the list would show it now, or None
    when the list would not (what it is about is no longer theirs to read)."""
    found = await list_notifications(session, viewer=viewer, limit=1, before_id=notification_id + 1)
    return found[0] if found and found[0].id == notification_id else None
