"""Recording events on the session that causes them, and publishing them once
the transaction commits (dropped if it rolls back)."""

import logging
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import EventRef, ItemRef
from app.levels import Level
from app.models import Activity, Space, Visibility

logger = logging.getLogger("ruche.realtime")

PENDING = "ruche.pending_events"
LOCKED = "ruche.activity_locked"
ACTIVITY_LOCK = 0x52554348  # "RUCH"


@dataclass(frozen=True)
class Event:
    """What travels through the broker: the activity row, plus what the policy
    needs to decide, per reader, without a query."""

    id: int
    kind: str
    space_id: int | None
    space_visibility: str | None
    post_id: int | None
    page_id: int | None
    level: str | None
    audience: list[int] | None
    author_id: int | None
    user_id: int | None
    payload: dict[str, Any]
    # Last, with a default: a worker not yet upgraded publishes events without it.
    calendar_event_id: int | None = None
    task_id: int | None = None

    def item(self) -> ItemRef | None:
        if self.level is None:
            return None
        return ItemRef(
            space_id=self.space_id,
            space_visibility=Visibility(self.space_visibility) if self.space_visibility else None,
            level=Level(self.level),
            author_id=self.author_id,
            audience=frozenset(self.audience) if self.audience is not None else None,
        )

    def ref(self) -> EventRef:
        """The event as app/access.py's event rule judges it: the item as it
        stood at commit, which is when the hub hears of it."""
        return EventRef(
            user_id=self.user_id,
            item=self.item(),
            space_id=self.space_id,
            space_visibility=Visibility(self.space_visibility) if self.space_visibility else None,
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


async def record_event(
    session: AsyncSession,
    *,
    kind: str,
    item: ItemRef | None = None,
    post_id: int | None = None,
    page_id: int | None = None,
    calendar_event_id: int | None = None,
    task_id: int | None = None,
    space_id: int | None = None,
    user_id: int | None = None,
    **payload: Any,
) -> Activity:
    """Adds the activity row to this transaction and keeps it to announce after
    commit. ``item``: the content concerned (its container, level, audience)."""
    await _serialise_writers(session)
    activity = Activity(
        kind=kind,
        post_id=post_id,
        page_id=page_id,
        calendar_event_id=calendar_event_id,
        task_id=task_id,
        space_id=item.space_id if item else space_id,
        level=item.level if item else None,
        has_audience=bool(item and item.audience is not None),
        audience=sorted(item.audience) if item and item.audience is not None else None,
        author_id=item.author_id if item else None,
        user_id=user_id,
        payload=payload,
    )
    session.add(activity)
    visibility = item.space_visibility.value if item and item.space_visibility else None
    if item is None and space_id is not None:
        # An event about a space itself: its readers, as the catch-up decides them,
        # depend on the space's visibility (an open one: every employee).
        found = await session.scalar(select(Space.visibility).where(Space.id == space_id))
        visibility = found.value if found is not None else None
    session.info.setdefault(PENDING, []).append((activity, visibility))
    return activity


async def _serialise_writers(session: AsyncSession) -> None:
    """Ids must follow commit order, or a client that saw id 11 and asks for what
    came after would never get an id 10 that committed later. On PostgreSQL a
    transaction-scoped lock, taken before the first activity row and held until
    commit, serialises the writers that record events; SQLite has one writer
    at a time anyway."""
    if session.info.get(LOCKED) or session.bind.dialect.name != "postgresql":
        return
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ACTIVITY_LOCK})
    session.info[LOCKED] = True


def take_pending(session: AsyncSession) -> list[Event]:
    """The events of the transaction that just committed (ids known by then)."""
    session.info.pop(LOCKED, None)
    return [
        Event(
            id=activity.id,
            kind=activity.kind,
            space_id=activity.space_id,
            space_visibility=visibility,
            post_id=activity.post_id,
            page_id=activity.page_id,
            calendar_event_id=activity.calendar_event_id,
            task_id=activity.task_id,
            level=activity.level.value if activity.level else None,
            audience=activity.audience,
            author_id=activity.author_id,
            user_id=activity.user_id,
            payload=activity.payload,
        )
        for activity, visibility in session.info.pop(PENDING, [])
    ]


def drop_pending(session: AsyncSession) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(LOCKED, None)
