"""Runs the time-driven jobs: inside `ruche serve` every few minutes, or once
from `ruche jobs`. Each run is one transaction; the jobs are idempotent, so
several workers running them at once do no harm.

Beside them, the deliveries: what must leave within seconds (mail,
webhooks), each an async callable ``(database, settings) -> int`` that owns
its transactions and claims its rows, so that two workers send each thing
once."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from app.config import Settings
from app.db import Database
from app.files.store import Store, open_store
from app.mail.delivery import deliver_mail
from app.models.base import utcnow
from app.realtime.broker import announce_commits, create_broker
from app.services.directory.runs import run_sync, sync_is_due
from app.services.lifecycle import run_due_jobs
from app.services.webhooks.delivering import deliver_webhooks

logger = logging.getLogger("ruche.jobs")


async def run_jobs(database: Database, *, store: Store, settings: Settings) -> dict[str, int]:
    async with database.transaction() as session:
        done = await run_due_jobs(session, now=utcnow(), store=store, settings=settings)
    if settings.ldap_url:
        done["directory_changes"] = await sync_directory_if_due(database, settings)
    return done


async def sync_directory_if_due(database: Database, settings: Settings) -> int:
    """In its own transaction, so that a directory that fails holds back no other
    job, begun once the directory is read (run_sync reads before any statement):
    no transaction stays open while a slow server answers."""
    async with database.transaction() as session:
        if not await sync_is_due(session, settings=settings, now=utcnow()):
            return 0
    async with database.transaction() as session:
        run = await run_sync(session, settings=settings, dry_run=False)
    return len(run.changes)


async def run_jobs_once(settings: Settings) -> dict[str, int]:
    """From cron: with Redis, what the jobs change is announced to open sockets
    as from any worker (a contractor whose access ends is disconnected at once)."""
    database = Database(settings)
    broker = create_broker(settings.redis_url) if settings.redis_url else None
    if broker is not None:
        announce_commits(database, broker)
    try:
        done = await run_jobs(database, store=open_store(settings), settings=settings)
        return {**done, **await run_deliveries(database, settings)}
    finally:
        if broker is not None:
            await broker.close()
        await database.dispose()


async def run_jobs_forever(database: Database, *, store: Store, settings: Settings) -> None:
    while True:
        try:
            done = await run_jobs(database, store=store, settings=settings)
            if any(done.values()):
                logger.info("jobs: %s", done)
        except Exception:  # a failing run must not stop the next ones
            logger.exception("time-driven jobs failed")
        await asyncio.sleep(settings.jobs_interval_seconds)


Delivery = Callable[[Database, Settings], Awaitable[int]]

DELIVERIES: tuple[Delivery, ...] = (deliver_mail, deliver_webhooks)


async def run_deliveries(database: Database, settings: Settings) -> dict[str, int]:
    """One round of every delivery; one failing does not stop the others."""
    done = {}
    for delivery in DELIVERIES:
        try:
            done[delivery.__name__] = await delivery(database, settings)
        except Exception:
            logger.exception("delivery %s failed", delivery.__name__)
    return done


async def run_deliveries_forever(database: Database, settings: Settings) -> None:
    while True:
        await run_deliveries(database, settings)
        await asyncio.sleep(settings.delivery_interval_seconds)
