"""Directory sync runs, for the jobs loop, ``ruche directory-sync`` and the
administration page: one run reads the directory (in a thread), then plans and,
unless dry, applies its changes in the caller's transaction; its outcome is
kept. Also the administrator's decision on people the directory enabled again."""

import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import check_admin, default_clearance
from app.config import Settings
from app.errors import NotFound
from app.levels import AccountKind
from app.models import Space, User
from app.models.base import utcnow
from app.models.directory import DirectoryDeparture, DirectoryRun
from app.services.accounts import update_account
from app.services.audit import record_audit
from app.services.directory.reading import DirectoryError, read_directory
from app.services.directory.sync import sync_directory

# A run keeps its first changes for the page (all are in the audit log).
MAX_LISTED = 1_000


async def run_sync(
    session: AsyncSession,
    *,
    settings: Settings,
    dry_run: bool,
    started_by: User | None = None,
    reader=read_directory,
) -> DirectoryRun:
    """A directory that cannot be read whole changes nothing: the run records why."""
    started = utcnow()
    run = DirectoryRun(
        directory=settings.ldap_name,
        dry_run=dry_run,
        started_at=started,
        started_by_id=started_by.id if started_by else None,
        summary={},
        changes=[],
    )
    try:
        snapshot = await asyncio.to_thread(reader, settings)
        changes = await sync_directory(
            session, settings=settings, snapshot=snapshot, dry_run=dry_run, now=started
        )
    except DirectoryError as error:
        run.error = str(error)[:2000]
    else:
        records = [change.as_record() for change in changes]
        run.summary = {
            "people": len(snapshot.people),
            "pages": snapshot.pages,
            **Counter(record["action"] for record in records),
        }
        run.changes = records[:MAX_LISTED]
    run.finished_at = utcnow()
    session.add(run)
    if not dry_run:
        record_audit(
            session,
            action="directory.synced",
            actor=started_by,
            directory=settings.ldap_name,
            error=run.error,
            **run.summary,
        )
    await session.flush()
    return run


async def start_sync(
    session: AsyncSession, *, viewer: User, settings: Settings, dry_run: bool
) -> DirectoryRun:
    """From the administration page."""
    check_admin(viewer)
    if not settings.ldap_url:
        raise NotFound()
    return await run_sync(session, settings=settings, dry_run=dry_run, started_by=viewer)


async def sync_is_due(session: AsyncSession, *, settings: Settings, now: datetime) -> bool:
    """For the jobs loop: an interval after the last real sync started."""
    if not settings.ldap_url or not settings.ldap_sync_interval_minutes:
        return False
    last = await _last_run(session, settings, dry_run=False)
    interval = timedelta(minutes=settings.ldap_sync_interval_minutes)
    return last is None or last.started_at <= now - interval


async def _last_run(session: AsyncSession, settings: Settings, *, dry_run: bool):
    return await session.scalar(
        select(DirectoryRun)
        .where(DirectoryRun.directory == settings.ldap_name, DirectoryRun.dry_run.is_(dry_run))
        .order_by(DirectoryRun.id.desc())
        .limit(1)
    )


@dataclass
class DirectoryStatus:
    last_run: DirectoryRun | None
    last_preview: DirectoryRun | None
    returned: list[tuple[DirectoryDeparture, User]]
    spaces: dict[int, Space]


async def directory_status(
    session: AsyncSession, *, viewer: User, settings: Settings
) -> DirectoryStatus:
    """What the administration page shows."""
    check_admin(viewer)
    returned = await session.execute(
        select(DirectoryDeparture, User)
        .join(User, User.id == DirectoryDeparture.user_id)
        .where(
            DirectoryDeparture.directory == settings.ldap_name,
            DirectoryDeparture.returned_at.is_not(None),
        )
        .order_by(DirectoryDeparture.returned_at)
    )
    space_ids = {group.space_id for group in settings.ldap_groups.values()}
    spaces = await session.scalars(select(Space).where(Space.id.in_(space_ids)))
    return DirectoryStatus(
        last_run=await _last_run(session, settings, dry_run=False),
        last_preview=await _last_run(session, settings, dry_run=True),
        returned=[(departure, user) for departure, user in returned],
        spaces={space.id: space for space in spaces},
    )


async def decide_return(
    session: AsyncSession,
    *,
    viewer: User,
    settings: Settings,
    user_id: int,
    restore: bool,
    address: str | None = None,
) -> User:
    """Someone the sync offboarded is enabled again in the directory: an
    administrator gives back what they had (an employee's kind, a contractor's
    access) or leaves them as they are. Either way they leave the list."""
    check_admin(viewer)
    departure = await session.get(DirectoryDeparture, (settings.ldap_name, user_id))
    if departure is None or departure.returned_at is None:
        raise NotFound()
    user = await session.get(User, user_id)
    if restore:
        kind = departure.former_kind
        changes = (
            {"is_active": True}
            if kind is AccountKind.CONTRACTOR
            else {"kind": kind, "clearance": default_clearance(kind), "is_active": True}
        )
        await update_account(
            session, viewer=viewer, user_id=user_id, changes=changes, address=address
        )
    record_audit(
        session,
        action="directory.return_decided",
        actor=viewer,
        target=user,
        address=address,
        directory=settings.ldap_name,
        restored=restore,
    )
    await session.delete(departure)
    await session.flush()
    return user
