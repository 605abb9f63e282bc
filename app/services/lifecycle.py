"""Time-driven changes: reminders of events about to start; contractors'
access ending on its date, and their sponsors told a week before; the
collection of files nothing uses any more; the outbox's old mail forgotten.
Idempotent: safe to run from every worker and from cron (``ruche jobs``)."""

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.files.store import Store
from app.levels import AccountKind
from app.models import RateLimitHit, User
from app.services.accounts import ENDING_SOON, deactivate_account
from app.services.audit import record_audit
from app.services.calendar.reminders import send_reminders
from app.services.files.garbage import collect_unused_files
from app.services.mail.outbox import forget_old_mail
from app.services.notifications import notify
from app.services.tasks.reminders import claim_overdue_tasks, remind_overdue_tasks


async def end_expired_access(session: AsyncSession, *, now: datetime) -> list[User]:
    expired = list(
        await session.scalars(
            select(User).where(
                User.kind == AccountKind.CONTRACTOR,
                User.is_active.is_(True),
                User.access_ends_at <= now,
            )
        )
    )
    for user in expired:
        await deactivate_account(session, user=user)
        record_audit(session, action="account.access_ended", actor=None, target=user)
    return expired


async def warn_sponsors(session: AsyncSession, *, now: datetime) -> list[User]:
    ending = list(
        await session.scalars(
            select(User).where(
                User.kind == AccountKind.CONTRACTOR,
                User.is_active.is_(True),
                User.sponsor_id.is_not(None),
                User.sponsor_warned_at.is_(None),
                User.access_ends_at <= now + ENDING_SOON,
                User.access_ends_at > now,
            )
        )
    )
    for user in ending:
        await notify(
            session,
            user_id=user.sponsor_id,
            kind="contractor_access_ending",
            user_id_ending=user.id,
            access_ends_at=user.access_ends_at.isoformat(),
        )
        user.sponsor_warned_at = now
    return ending


async def forget_old_rate_limit_hits(session: AsyncSession, *, now: datetime) -> None:
    """No limit looks further back than a day."""
    await session.execute(
        delete(RateLimitHit).where(RateLimitHit.created_at < now - timedelta(days=1))
    )


async def run_due_jobs(
    session: AsyncSession, *, now: datetime, store: Store, settings: Settings
) -> dict[str, int]:
    # First: the reminders are claimed before anything else of the run takes a
    # lock (app/services/calendar/reminders.py says why), the tasks' before the
    # events', whose sending follows their claims at once.
    overdue = await claim_overdue_tasks(session, now=now)
    reminded = await send_reminders(session, now=now)
    tasks_reminded = await remind_overdue_tasks(session, overdue)
    warned = await warn_sponsors(session, now=now)
    ended = await end_expired_access(session, now=now)
    await forget_old_rate_limit_hits(session, now=now)
    await forget_old_mail(session, now=now)
    await session.flush()
    # Last: it removes bytes before the commit, which nothing after it may fail.
    collected = await collect_unused_files(session, store=store, settings=settings, now=now)
    return {
        "events_reminded": reminded,
        "tasks_reminded": tasks_reminded,
        "sponsors_warned": len(warned),
        "access_ended": len(ended),
        **collected,
    }
