"""Appends to the audit log; nothing in the application updates or deletes it."""

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import check_admin
from app.models import AuditEvent, User

SIGN_IN = "auth.sign_in"


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
    group: str | None = None,
    person_ids: list[int] | None = None,
    hide_sign_ins: bool = False,
) -> list[AuditEvent]:
    """Newest first, for administrators only. ``group`` is a kind of actions (the
    codes' first word: ``account``); ``person_ids``, events that name one of
    these people as actor or as target; ``hide_sign_ins`` leaves out the
    successful sign-ins, which the accounts' "last seen" sums up (failed ones
    stay: they are security events)."""
    check_admin(viewer)
    statement = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if group is not None:
        statement = statement.where(AuditEvent.action.startswith(f"{group}.", autoescape=True))
    if person_ids is not None:
        statement = statement.where(
            or_(
                AuditEvent.actor_id.in_(person_ids),
                and_(AuditEvent.target_type == "user", AuditEvent.target_id.in_(person_ids)),
            )
        )
    if hide_sign_ins:
        statement = statement.where(AuditEvent.action != SIGN_IN)
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


async def last_sign_in(session: AsyncSession, *, viewer: User, user_id: int) -> AuditEvent | None:
    """A person's latest successful sign-in (when, from where): the sign-ins the
    log hides by default, summed up on the account's page. One row through the
    actor index."""
    check_admin(viewer)
    return await session.scalar(
        select(AuditEvent)
        .where(AuditEvent.actor_id == user_id, AuditEvent.action == SIGN_IN)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
