"""Appends to the audit log; nothing in the application updates or deletes it."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import check_admin
from app.models import AuditEvent, User


def record_audit(
    session: AsyncSession,
    *,
    action: str,
    actor: User | None,
    target: User | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    address: str | None = None,
    **detail: Any,
) -> AuditEvent:
    if target is not None:
        target_type, target_id = "user", target.id
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        address=address,
        detail=detail,
    )
    session.add(event)
    return event


async def list_audit(
    session: AsyncSession,
    *,
    viewer: User,
    limit: int,
    before_id: int | None,
    action: str | None = None,
    actor_id: int | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[AuditEvent]:
    """Newest first, for administrators only."""
    check_admin(viewer)
    statement = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    filters = {
        AuditEvent.action: action,
        AuditEvent.actor_id: actor_id,
        AuditEvent.target_type: target_type,
        AuditEvent.target_id: target_id,
    }
    for column, value in filters.items():
        if value is not None:
            statement = statement.where(column == value)
    if before_id is not None:
        statement = statement.where(AuditEvent.id < before_id)
    if since is not None:
        statement = statement.where(AuditEvent.created_at >= since)
    if until is not None:
        statement = statement.where(AuditEvent.created_at < until)
    return list((await session.scalars(statement)).all())


async def people_in(
    session: AsyncSession, *, viewer: User, events: list[AuditEvent]
) -> dict[int, User]:
    """The accounts the events name, as actor or as target, to show their names."""
    check_admin(viewer)
    ids = {event.actor_id for event in events if event.actor_id is not None}
    ids |= {e.target_id for e in events if e.target_type == "user" and e.target_id is not None}
    if not ids:
        return {}
    return {user.id: user for user in await session.scalars(select(User).where(User.id.in_(ids)))}
