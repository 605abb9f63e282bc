"""Stored notifications. Callers decide who may be told; a notification carries
only ids and names its reader can already see."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Notification, User


def notify(session: AsyncSession, *, user_id: int, kind: str, **data: Any) -> None:
    session.add(Notification(user_id=user_id, kind=kind, data=data))


async def list_notifications(
    session: AsyncSession, *, viewer: User, limit: int, before_id: int | None
) -> list[Notification]:
    statement = (
        select(Notification)
        .where(Notification.user_id == viewer.id)
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        statement = statement.where(Notification.id < before_id)
    return list((await session.scalars(statement)).all())
