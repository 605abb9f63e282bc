"""One round of mail, run every few seconds by the delivery loop
(app/jobs.py): digests whose period ended are queued, due mails claimed,
written, sent over one connection, and their outcome recorded — each step
its own transaction, none held open while the mail server answers."""

import logging

from sqlalchemy import select

from app.config import Settings
from app.db import Database
from app.mail.compose import MailWriter
from app.mail.smtp import send_messages
from app.models import OutboxMail
from app.models.base import utcnow
from app.services.mail.digests import queue_digests
from app.services.mail.outbox import claim_due, mark_dropped, mark_refused, mark_sent

logger = logging.getLogger("ruche.mail")

# Mails per round: one connection sends them all.
BATCH = 50


async def deliver_mail(database: Database, settings: Settings) -> int:
    """Returns how many mails the server took this round. Nothing while no
    SMTP host is configured: the outbox keeps what is queued."""
    if not settings.mail_enabled:
        return 0
    async with database.transaction() as session:
        await queue_digests(session, now=utcnow(), settings=settings)
    async with database.transaction() as session:
        claimed = [mail.id for mail in await claim_due(session, now=utcnow(), limit=BATCH)]
    if not claimed:
        return 0
    async with database.transaction() as session:
        mails = await session.scalars(select(OutboxMail).where(OutboxMail.id.in_(claimed)))
        writer = MailWriter(session, settings)
        messages, dropped = {}, []
        for mail in mails:
            message = await writer.write(mail)
            if message is None:
                dropped.append(mail.id)
            else:
                messages[mail.id] = message
        await mark_dropped(session, dropped)
    outcome = await send_messages(settings, messages)
    now = utcnow()
    async with database.transaction() as session:
        await mark_sent(
            session, [key for key, failure in outcome.items() if failure is None], now=now
        )
        for key, failure in outcome.items():
            if failure is not None:
                await mark_refused(
                    session, key, now=now, error=str(failure), permanent=failure.permanent
                )
    sent = sum(failure is None for failure in outcome.values())
    if sent or dropped:
        logger.info(
            "mail: %d sent, %d dropped, %d to retry", sent, len(dropped), len(outcome) - sent
        )
    return sent
