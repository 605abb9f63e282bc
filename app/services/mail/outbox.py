"""The outbox: rows written with the change that causes them, claimed by one
worker at a time, retried with back-off, never lost to a mail server that is
down."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import MailState, OutboxMail
from app.models.base import utcnow

# A worker holds what it claimed this long; one that died mid-send leaves its
# mails to another after it (at worst sent twice, never lost).
LEASE = timedelta(minutes=5)
# 30 s, 1 min, 2 min ... up to ~2 h of trying; after, and after STALE, it failed.
FIRST_RETRY = timedelta(seconds=30)
MAX_ATTEMPTS = 9
# A notification mail days late is noise: what is still pending then is failed.
STALE = timedelta(days=3)
# What the outbox keeps of mails sent, dropped or failed, to answer "was it sent?".
KEPT = timedelta(days=30)


def queue_mail(
    session: AsyncSession,
    *,
    kind: str,
    user_id: int | None = None,
    address: str | None = None,
    notification_id: int | None = None,
    invitation_id: int | None = None,
    **data: Any,
) -> None:
    """Adds a mail to the outbox, sent after the caller's transaction commits
    (and never if it rolls back)."""
    session.add(
        OutboxMail(
            kind=kind,
            user_id=user_id,
            address=address,
            notification_id=notification_id,
            invitation_id=invitation_id,
            data=data,
            state=MailState.PENDING.value,
            attempts=0,
            due_at=utcnow(),
            last_error="",
        )
    )


async def drop_pending_mail(session: AsyncSession, *, user_id: int) -> None:
    """A person whose access ends is sent nothing more, even what was queued."""
    await session.execute(
        update(OutboxMail)
        .where(OutboxMail.user_id == user_id, OutboxMail.state == MailState.PENDING.value)
        .values(state=MailState.DROPPED.value, claimed_until=None)
    )


async def claim_due(session: AsyncSession, *, now: datetime, limit: int) -> list[OutboxMail]:
    """Mails due and held by nobody, now held by this worker until ``now +
    LEASE``. PostgreSQL: rows another worker is claiming are skipped (``FOR
    UPDATE SKIP LOCKED``), so two workers take disjoint sets; SQLite has one
    writer at a time (IMMEDIATE transactions), which serialises claims."""
    due = list(
        await session.scalars(
            select(OutboxMail)
            .where(
                OutboxMail.state == MailState.PENDING.value,
                OutboxMail.due_at <= now,
                or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until < now),
            )
            .order_by(OutboxMail.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for mail in due:
        mail.claimed_until = now + LEASE
        mail.attempts += 1
    await session.flush()
    return due


async def mark_dropped(session: AsyncSession, ids: Iterable[int]) -> None:
    await _set(session, ids, state=MailState.DROPPED.value, claimed_until=None)


async def mark_sent(session: AsyncSession, ids: Iterable[int], *, now: datetime) -> None:
    """Sent: and an invitation's secret, needed only to write it, is erased."""
    await _set(session, ids, state=MailState.SENT.value, sent_at=now, claimed_until=None, data={})


async def mark_refused(
    session: AsyncSession, mail_id: int, *, now: datetime, error: str, permanent: bool
) -> None:
    """A failure: tried again later with a doubling wait, unless the server
    refused for good, or the mail is stale or has used its attempts."""
    mail = await session.get(OutboxMail, mail_id)
    if mail is None or mail.state != MailState.PENDING.value:
        return
    mail.last_error = error[:200]
    mail.claimed_until = None
    if permanent or mail.attempts >= MAX_ATTEMPTS or mail.created_at < now - STALE:
        mail.state = MailState.FAILED.value
        mail.data = {}
    else:
        mail.due_at = now + FIRST_RETRY * 2 ** (mail.attempts - 1)


async def forget_old_mail(session: AsyncSession, *, now: datetime) -> None:
    """Kept a month after it left (or did not), then deleted."""
    await session.execute(
        delete(OutboxMail).where(
            OutboxMail.state != MailState.PENDING.value, OutboxMail.created_at < now - KEPT
        )
    )


async def _set(session: AsyncSession, ids: Iterable[int], **values) -> None:
    ids = list(ids)
    if ids:
        await session.execute(update(OutboxMail).where(OutboxMail.id.in_(ids)).values(**values))
