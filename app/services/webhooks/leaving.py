"""What a person's leaving does to the webhooks they made: leaving the company
(``accounts.end_access``) or one space (``memberships.end_membership``)."""

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import IncomingHook, User, Webhook
from app.models.base import utcnow


async def stop_hooks_of(
    session: AsyncSession, *, user_id: int, space_id: int | None = None
) -> dict[str, list[int]]:
    """Whoever leaves stops the hooks they made — all of them when their access
    ends, those of ``space_id`` when they leave that space or are removed from
    it. An outgoing hook sends out what its creator was trusted to read, to an
    address of their choosing: left running, it would go on doing so for
    someone who may no longer read it; an owner or an administrator may
    enable it again, answering for it then. An incoming hook's URL is a way to
    post into its space without any account, which they may have kept: its
    bot is deactivated (the URL answers 404) until an owner asks for a new
    URL, a secret the leaver never saw. Returns the ids of the hooks it
    stopped, as an audit entry's detail names them."""
    outgoing = [Webhook.created_by_id == user_id, Webhook.is_enabled.is_(True)]
    incoming = [IncomingHook.created_by_id == user_id, User.is_active.is_(True)]
    if space_id is not None:
        outgoing.append(Webhook.space_id == space_id)
        incoming.append(IncomingHook.space_id == space_id)
    webhooks = await session.scalars(
        update(Webhook)
        .where(*outgoing)
        .values(is_enabled=False, disabled_at=utcnow())
        .returning(Webhook.id)
    )
    stopped = {"stopped_webhook_ids": sorted(webhooks)}
    bots = (
        await session.execute(
            select(IncomingHook.id, IncomingHook.bot_id)
            .join(User, User.id == IncomingHook.bot_id)
            .where(*incoming)
        )
    ).all()
    if bots:
        await session.execute(
            update(User).where(User.id.in_([bot for _hook, bot in bots])).values(is_active=False)
        )
    stopped["stopped_incoming_hook_ids"] = sorted(hook for hook, _bot in bots)
    return {key: ids for key, ids in stopped.items() if ids}
