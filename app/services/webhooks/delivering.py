"""Sending what happened to the hooks that asked for it.

A round (every few seconds, app/jobs.py ``run_deliveries_forever``):
1. each enabled hook takes the new rows of the activity log past its cursor
   that are its events, in its container, as deliveries;
2. the due deliveries are claimed — their next attempt pushed a lease ahead,
   in one short transaction (rows locked with SKIP LOCKED on PostgreSQL;
   SQLite has one writer), so that two workers never send the same one;
3. each is read as the hook may read it now (payloads.py) and, signed, sent;
4. the outcomes are recorded: delivered; withheld (the hook may no longer read
   it); or failed, then retried later, each retry four times further off,
   until the last attempt. Failed attempts in a row disable the hook and tell
   its creator. Each hook's log keeps its newest finished deliveries.
A worker that dies mid-send leaves its claims to lapse: those deliveries are
sent again once the lease is over (at least once, never twice otherwise).
"""

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import HookReader, ItemRef, hook_may_read
from app.config import Settings
from app.db import Database
from app.models import (
    Activity,
    DeliveryStatus,
    NotificationKind,
    Webhook,
    WebhookDelivery,
)
from app.models.base import utcnow
from app.services.notifications import notify
from app.services.webhooks.payloads import ACTIVITY_KINDS, event_data, event_of
from app.services.webhooks.targets import Answer, open_client, send

# How long a claimed delivery is its worker's: past every timeout of an attempt.
CLAIM_LEASE = timedelta(minutes=2)
# Deliveries claimed in one round, and sent at once.
ROUND_SIZE = 20
# Activity rows one hook takes in one round (the rest: next round).
QUEUE_BATCH = 500


def new_signing_secret() -> str:
    """A signing secret as Standard Webhooks spells them: "whsec_" and base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header (Standard Webhooks): HMAC-SHA256 over
    "id.timestamp.body" with the secret's bytes, in base64, after "v1,"."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


async def activity_head(session: AsyncSession) -> int:
    """The newest activity id committed: where a new (or re-enabled) hook starts."""
    return await session.scalar(select(func.max(Activity.id))) or 0


def _locked(statement, session: AsyncSession, *of):
    if session.bind.dialect.name == "postgresql":
        return statement.with_for_update(skip_locked=True, of=of)
    return statement


async def queue_events(session: AsyncSession, *, now: datetime) -> int:
    """Step 1: the new events of every enabled hook become deliveries. Activity
    ids follow commit order (app/realtime/events.py), so a cursor at the newest
    id committed has missed nothing before it."""
    head = await activity_head(session)
    hooks = list(
        await session.scalars(
            _locked(
                select(Webhook).where(Webhook.is_enabled.is_(True), Webhook.activity_cursor < head),
                session,
                Webhook,
            )
        )
    )
    queued = 0
    for hook in hooks:
        container = (
            Activity.space_id.is_(None)
            if hook.space_id is None
            else Activity.space_id == hook.space_id
        )
        rows = list(
            await session.scalars(
                select(Activity)
                .where(
                    Activity.id > hook.activity_cursor,
                    Activity.id <= head,
                    Activity.kind.in_(ACTIVITY_KINDS),
                    container,
                )
                .order_by(Activity.id)
                .limit(QUEUE_BATCH)
            )
        )
        for activity in rows:
            event = event_of(activity.kind, activity.payload)
            if (
                event is None
                or event.value not in hook.events
                or not _readable_then(hook, activity)
            ):
                continue
            session.add(
                WebhookDelivery(
                    webhook_id=hook.id,
                    activity_id=activity.id,
                    event=event.value,
                    message_id=f"msg_{secrets.token_hex(12)}",
                    next_attempt_at=now,
                )
            )
            queued += 1
        hook.activity_cursor = rows[-1].id if len(rows) == QUEUE_BATCH else head
    return queued


def _readable_then(hook: Webhook, activity: Activity) -> bool:
    """Whether the hook could read the event's item as it stood then: what it
    could not is not even queued (its log would tell of it); what it could is
    judged again when sent."""
    item = None
    if activity.level is not None:
        item = ItemRef(
            space_id=activity.space_id,
            space_visibility=None,
            level=activity.level,
            author_id=activity.author_id,
            audience=frozenset(activity.audience or ()) if activity.has_audience else None,
        )
    return hook_may_read(HookReader(hook.space_id, hook.level), item, activity.space_id)


async def claim_due(session: AsyncSession, *, now: datetime, limit: int = ROUND_SIZE) -> list[int]:
    """Step 2: the due deliveries of enabled hooks, now this worker's."""
    due = _locked(
        select(WebhookDelivery.id)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now,
            Webhook.is_enabled.is_(True),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit),
        session,
        WebhookDelivery,
    )
    ids = list(await session.scalars(due))
    if not ids:
        return []
    # The condition again: on SQLite a worker that read before another's
    # commit claims only what is still due.
    claimed = await session.scalars(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id.in_(ids),
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + CLAIM_LEASE, attempts=WebhookDelivery.attempts + 1)
        .returning(WebhookDelivery.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(claimed)


@dataclass(frozen=True)
class Prepared:
    """A claimed delivery ready to send (``body`` None: withheld)."""

    delivery_id: int
    url: str
    headers: dict[str, str]
    body: bytes | None


async def prepare(session: AsyncSession, delivery_id: int, *, settings: Settings) -> Prepared:
    """Step 3: the payload as the hook may read it now, signed."""
    delivery = await session.get(WebhookDelivery, delivery_id)
    hook = await session.get(Webhook, delivery.webhook_id)
    activity = await session.get(Activity, delivery.activity_id) if delivery.activity_id else None
    data = None
    if activity is not None:
        data = await event_data(
            session, hook=hook, activity=activity, public_url=settings.public_url
        )
    if data is None:
        return Prepared(delivery_id, hook.url, {}, None)
    body = json.dumps(
        {"type": delivery.event, "timestamp": activity.created_at.isoformat(), "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    timestamp = int(utcnow().timestamp())
    headers = {
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(hook.secret, delivery.message_id, timestamp, body),
        "User-Agent": "Ruche-Webhooks/1",
    }
    return Prepared(delivery_id, hook.url, headers, body)


def retry_delay(settings: Settings, attempts: int) -> timedelta:
    return timedelta(seconds=settings.webhook_retry_seconds * 4 ** (attempts - 1))


async def record_outcome(
    session: AsyncSession, delivery_id: int, answer: Answer | None, *, settings: Settings
) -> None:
    """Step 4. ``answer`` None: withheld, not sent."""
    delivery = await session.get(WebhookDelivery, delivery_id)
    if delivery is None:  # its hook was deleted meanwhile
        return
    now = utcnow()
    if answer is None:
        delivery.status, delivery.finished_at = DeliveryStatus.WITHHELD, now
        await prune_log(session, delivery.webhook_id, keep=settings.webhook_log_size)
        return
    delivery.response_status, delivery.response_ms = answer.status, answer.milliseconds
    delivery.error = answer.error or ("" if answer.succeeded else f"HTTP {answer.status}")
    if answer.succeeded:
        delivery.status, delivery.finished_at = DeliveryStatus.DELIVERED, now
        await session.execute(
            update(Webhook).where(Webhook.id == delivery.webhook_id).values(failures_in_a_row=0)
        )
    else:
        if delivery.attempts >= settings.webhook_max_attempts:
            delivery.status, delivery.finished_at = DeliveryStatus.FAILED, now
        else:
            delivery.next_attempt_at = now + retry_delay(settings, delivery.attempts)
        await _count_failure(session, delivery.webhook_id, now=now, settings=settings)
    await prune_log(session, delivery.webhook_id, keep=settings.webhook_log_size)


async def _count_failure(
    session: AsyncSession, hook_id: int, *, now: datetime, settings: Settings
) -> None:
    """One more failure in a row; at the limit the hook is disabled and its
    creator told, once (the update that disables it says who did)."""
    failures = await session.scalar(
        update(Webhook)
        .where(Webhook.id == hook_id)
        .values(failures_in_a_row=Webhook.failures_in_a_row + 1)
        .returning(Webhook.failures_in_a_row)
        .execution_options(synchronize_session=False)
    )
    if failures is None or failures < settings.webhook_disable_after_failures:
        return
    disabled = (
        await session.execute(
            update(Webhook)
            .where(Webhook.id == hook_id, Webhook.is_enabled.is_(True))
            .values(is_enabled=False, disabled_at=now)
            .returning(Webhook.created_by_id, Webhook.space_id)
            .execution_options(synchronize_session=False)
        )
    ).first()
    if disabled is not None and disabled.created_by_id is not None:
        where = {"space_id": disabled.space_id} if disabled.space_id is not None else {}
        await notify(
            session,
            user_id=disabled.created_by_id,
            kind=NotificationKind.WEBHOOK_DISABLED.value,
            webhook_id=hook_id,
            **where,
        )


async def prune_log(session: AsyncSession, hook_id: int, *, keep: int) -> None:
    """A hook's log holds its newest ``keep`` finished deliveries (and every
    pending one)."""
    finished = _finished(hook_id)
    oldest_kept = await session.scalar(
        select(WebhookDelivery.id)
        .where(*finished)
        .order_by(WebhookDelivery.id.desc())
        .offset(keep - 1)
        .limit(1)
    )
    if oldest_kept is not None:
        await session.execute(
            delete(WebhookDelivery).where(*finished, WebhookDelivery.id < oldest_kept)
        )


def _finished(hook_id: int) -> tuple:
    return (WebhookDelivery.webhook_id == hook_id, WebhookDelivery.finished_at.is_not(None))


async def deliver_webhooks(database: Database, settings: Settings) -> int:
    """One round of the four steps, each of its own transaction (none held
    while waiting on a receiver); how many deliveries were attempted. Of the
    shape of app/jobs.py's ``DELIVERIES``."""
    now = utcnow()
    async with database.transaction() as session:
        await queue_events(session, now=now)
    async with database.transaction() as session:
        claimed = await claim_due(session, now=now)
    if not claimed:
        return 0
    async with database.sessionmaker() as session:
        prepared = [await prepare(session, each, settings=settings) for each in claimed]
    async with open_client(settings) as client:
        answers = await asyncio.gather(
            *(
                send(client, settings, url=each.url, body=each.body, headers=each.headers)
                if each.body is not None
                else _withheld()
                for each in prepared
            )
        )
    async with database.transaction() as session:
        for each, answer in zip(prepared, answers, strict=True):
            await record_outcome(session, each.delivery_id, answer, settings=settings)
    return len(claimed)


async def _withheld() -> None:
    return None
