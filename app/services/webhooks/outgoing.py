"""Outgoing webhooks: subscribed, changed, rotated, deleted, and their logs.

Administrators manage the company stream's hooks and those of every space
that exists for them (a secret space's only as its member); a space's
owners manage that space's. For anyone else a hook, and a space's list of
them, does not exist (404): a hook's URL and events say what a space is wired
to.
"""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import check_hook_level
from app.config import Settings
from app.errors import Invalid, NotFound
from app.i18n import _
from app.levels import Level
from app.models import (
    DeliveryStatus,
    Space,
    SpaceRole,
    User,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
)
from app.models.base import utcnow
from app.services.audit import record_audit
from app.services.spaces import access_space, role_in
from app.services.webhooks.delivering import activity_head, new_signing_secret
from app.services.webhooks.targets import resolve_target

MAX_HOOKS_PER_CONTAINER = 20


async def access_container(
    session: AsyncSession, *, viewer: User, space_id: int | None
) -> Space | None:
    """The container whose hooks the viewer manages (None: the company
    stream); NotFound for anyone else, as for a space that does not exist."""
    if not viewer.is_active:
        raise NotFound()
    if space_id is None:
        if not viewer.is_admin:
            raise NotFound()
        return None
    if viewer.is_admin:  # any space that exists for them (a secret one: a member's)
        return await access_space(session, viewer=viewer, space_id=space_id)
    return await access_owned_space(session, viewer=viewer, space_id=space_id)


async def access_owned_space(session: AsyncSession, *, viewer: User, space_id: int) -> Space:
    """The space, if the viewer owns it; NotFound for anyone else."""
    space = await access_space(session, viewer=viewer, space_id=space_id)
    role = await role_in(session, space_id=space.id, user_id=viewer.id)
    if role is not SpaceRole.OWNER or viewer.is_external:
        raise NotFound()
    return space


async def access_hook(session: AsyncSession, *, viewer: User, hook_id: int) -> Webhook:
    hook = await session.get(Webhook, hook_id)
    if hook is None:
        raise NotFound()
    await access_container(session, viewer=viewer, space_id=hook.space_id)
    return hook


def check_events(events: list[WebhookEvent]) -> list[str]:
    if not events:
        raise Invalid(_("Choose at least one event to send."), code="no_events")
    return sorted({event.value for event in events})


async def list_hooks(session: AsyncSession, *, viewer: User, space_id: int | None) -> list[Webhook]:
    await access_container(session, viewer=viewer, space_id=space_id)
    container = Webhook.space_id.is_(None) if space_id is None else Webhook.space_id == space_id
    return list(await session.scalars(select(Webhook).where(container).order_by(Webhook.id)))


async def create_hook(
    session: AsyncSession,
    *,
    viewer: User,
    space_id: int | None,
    url: str,
    events: list[WebhookEvent],
    level: Level,
    description: str = "",
    settings: Settings,
) -> Webhook:
    """A new hook, enabled, taking the events from now on; its secret is in
    ``hook.secret``, for its creator to see once."""
    space = await access_container(session, viewer=viewer, space_id=space_id)
    check_hook_level(viewer, level)
    chosen = check_events(events)
    await resolve_target(url, settings)
    existing = await list_hooks(session, viewer=viewer, space_id=space_id)
    if len(existing) >= MAX_HOOKS_PER_CONTAINER:
        raise Invalid(_("Twenty webhooks at most per space."), code="too_many_hooks")
    hook = Webhook(
        space_id=space.id if space else None,
        url=url.strip(),
        description=description.strip(),
        secret=new_signing_secret(),
        level=level,
        events=chosen,
        created_by_id=viewer.id,
        activity_cursor=await activity_head(session),
    )
    session.add(hook)
    await session.flush()
    _audit(session, viewer, hook, "webhook.created")
    return hook


async def change_hook(
    session: AsyncSession,
    *,
    viewer: User,
    hook_id: int,
    settings: Settings,
    url: str | None = None,
    events: list[WebhookEvent] | None = None,
    level: Level | None = None,
    description: str | None = None,
    is_enabled: bool | None = None,
) -> Webhook:
    """Re-enabling resets its failures and takes events from now on: what
    happened while it was disabled is not sent (its pending deliveries are)."""
    hook = await access_hook(session, viewer=viewer, hook_id=hook_id)
    if url is not None and url.strip() != hook.url:
        await resolve_target(url, settings)
        hook.url = url.strip()
    if events is not None:
        hook.events = check_events(events)
    if level is not None and level is not hook.level:
        check_hook_level(viewer, level)
        hook.level = level
    if description is not None:
        hook.description = description.strip()
    if is_enabled is True and not hook.is_enabled:
        # Who enables it again answers for it (its creator may have left).
        check_hook_level(viewer, hook.level)
        hook.created_by_id = viewer.id
        hook.is_enabled, hook.disabled_at, hook.failures_in_a_row = True, None, 0
        hook.activity_cursor = await activity_head(session)
    elif is_enabled is False and hook.is_enabled:
        hook.is_enabled, hook.disabled_at = False, utcnow()
    _audit(session, viewer, hook, "webhook.changed")
    return hook


async def rotate_secret(session: AsyncSession, *, viewer: User, hook_id: int) -> Webhook:
    """A new secret signs every attempt from now on (retries too)."""
    hook = await access_hook(session, viewer=viewer, hook_id=hook_id)
    hook.secret = new_signing_secret()
    _audit(session, viewer, hook, "webhook.secret_rotated")
    return hook


async def delete_hook(session: AsyncSession, *, viewer: User, hook_id: int) -> None:
    hook = await access_hook(session, viewer=viewer, hook_id=hook_id)
    _audit(session, viewer, hook, "webhook.deleted")
    await session.delete(hook)


async def list_deliveries(
    session: AsyncSession,
    *,
    viewer: User,
    hook_id: int,
    limit: int,
    before_id: int | None = None,
    status: DeliveryStatus | None = None,
) -> list[WebhookDelivery]:
    """The hook's log, newest first."""
    hook = await access_hook(session, viewer=viewer, hook_id=hook_id)
    statement = (
        select(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == hook.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        statement = statement.where(WebhookDelivery.id < before_id)
    if status is not None:
        statement = statement.where(WebhookDelivery.status == status)
    return list(await session.scalars(statement))


def _audit(session: AsyncSession, viewer: User, hook: Webhook, action: str) -> None:
    record_audit(
        session,
        action=action,
        actor=viewer,
        target_type="webhook",
        target_id=hook.id,
        space_id=hook.space_id,
    )
