"""Appends to the audit log; nothing in the application updates or deletes it."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

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
