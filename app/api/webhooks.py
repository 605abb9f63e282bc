"""Webhooks: outgoing ones of the company stream (administrators) and of a
space (its owners, and administrators), their delivery logs; incoming ones of a
space (its owners), and the URL through which another system posts."""

from typing import Annotated

from fastapi import APIRouter, Path, Response

from app.api.deps import AppSettings, ItemId, Session, Viewer
from app.api.pagination import Cursor, Limit, decode_id_cursor, next_id_cursor
from app.models import IncomingHook, User, Webhook
from app.schemas.account import UserPublic
from app.schemas.common import Page
from app.schemas.webhooks import (
    DeliveryRead,
    IncomingHookCreate,
    IncomingHookRead,
    IncomingHookWithUrl,
    IncomingPost,
    IncomingPosted,
    WebhookCreate,
    WebhookRead,
    WebhookUpdate,
    WebhookWithSecret,
)
from app.services.webhooks import incoming, outgoing

router = APIRouter(tags=["webhooks"])


def with_secret(hook: Webhook) -> WebhookWithSecret:
    return WebhookWithSecret.model_validate(hook, from_attributes=True)


@router.get("/webhooks", response_model=list[WebhookRead])
async def list_company_hooks(viewer: Viewer, session: Session):
    """The company stream's hooks (administrators)."""
    return await outgoing.list_hooks(session, viewer=viewer, space_id=None)


@router.post("/webhooks", response_model=WebhookWithSecret, status_code=201)
async def create_company_hook(
    body: WebhookCreate, viewer: Viewer, session: Session, settings: AppSettings
):
    """A hook on the company stream's events (administrators)."""
    hook = await outgoing.create_hook(
        session, viewer=viewer, space_id=None, settings=settings, **body.model_dump()
    )
    return with_secret(hook)


@router.get("/spaces/{space_id}/webhooks", response_model=list[WebhookRead])
async def list_space_hooks(space_id: ItemId, viewer: Viewer, session: Session):
    """The space's hooks (its owners, administrators)."""
    return await outgoing.list_hooks(session, viewer=viewer, space_id=space_id)


@router.post("/spaces/{space_id}/webhooks", response_model=WebhookWithSecret, status_code=201)
async def create_space_hook(
    space_id: ItemId, body: WebhookCreate, viewer: Viewer, session: Session, settings: AppSettings
):
    hook = await outgoing.create_hook(
        session, viewer=viewer, space_id=space_id, settings=settings, **body.model_dump()
    )
    return with_secret(hook)


@router.get("/webhooks/{webhook_id}", response_model=WebhookRead)
async def read_hook(webhook_id: ItemId, viewer: Viewer, session: Session):
    return await outgoing.access_hook(session, viewer=viewer, hook_id=webhook_id)


@router.patch("/webhooks/{webhook_id}", response_model=WebhookRead)
async def change_hook(
    webhook_id: ItemId, body: WebhookUpdate, viewer: Viewer, session: Session, settings: AppSettings
):
    return await outgoing.change_hook(
        session,
        viewer=viewer,
        hook_id=webhook_id,
        settings=settings,
        **body.model_dump(exclude_unset=True),
    )


@router.post("/webhooks/{webhook_id}/secret", response_model=WebhookWithSecret)
async def rotate_hook_secret(webhook_id: ItemId, viewer: Viewer, session: Session):
    """A new secret, shown this once; the old one signs nothing more."""
    return with_secret(await outgoing.rotate_secret(session, viewer=viewer, hook_id=webhook_id))


@router.delete("/webhooks/{webhook_id}", status_code=204, response_class=Response)
async def delete_hook(webhook_id: ItemId, viewer: Viewer, session: Session) -> None:
    await outgoing.delete_hook(session, viewer=viewer, hook_id=webhook_id)


@router.get("/webhooks/{webhook_id}/deliveries", response_model=Page[DeliveryRead])
async def list_deliveries(
    webhook_id: ItemId, viewer: Viewer, session: Session, limit: Limit = 50, cursor: Cursor = None
):
    """The hook's delivery log, newest first."""
    found = await outgoing.list_deliveries(
        session,
        viewer=viewer,
        hook_id=webhook_id,
        limit=limit + 1,
        before_id=decode_id_cursor(cursor),
    )
    return Page(items=found[:limit], next_cursor=next_id_cursor(found, limit))


def incoming_read(hook: IncomingHook, bot: User) -> IncomingHookRead:
    return IncomingHookRead(
        id=hook.id,
        space_id=hook.space_id,
        name=hook.name,
        level=hook.level,
        bot=UserPublic.model_validate(bot),
        is_enabled=bot.is_active,
        created_at=hook.created_at,
    )


def incoming_with_url(hook: IncomingHook, bot: User, token: str, settings) -> IncomingHookWithUrl:
    return IncomingHookWithUrl(
        **incoming_read(hook, bot).model_dump(), url=incoming.hook_url(settings, token)
    )


@router.get("/spaces/{space_id}/incoming-webhooks", response_model=list[IncomingHookRead])
async def list_incoming_hooks(space_id: ItemId, viewer: Viewer, session: Session):
    """The space's incoming hooks (its owners)."""
    found = await incoming.list_incoming(session, viewer=viewer, space_id=space_id)
    return [incoming_read(hook, bot) for hook, bot in found]


@router.post(
    "/spaces/{space_id}/incoming-webhooks", response_model=IncomingHookWithUrl, status_code=201
)
async def create_incoming_hook(
    space_id: ItemId,
    body: IncomingHookCreate,
    viewer: Viewer,
    session: Session,
    settings: AppSettings,
):
    """A URL to post into the space as a bot, at a fixed level; shown this once."""
    hook, token = await incoming.create_incoming(
        session, viewer=viewer, space_id=space_id, name=body.name, level=body.level
    )
    return incoming_with_url(hook, await session.get(User, hook.bot_id), token, settings)


@router.post("/incoming-webhooks/{hook_id}/url", response_model=IncomingHookWithUrl)
async def rotate_incoming_url(
    hook_id: ItemId, viewer: Viewer, session: Session, settings: AppSettings
):
    """A new URL, shown this once; the old one answers 404 from now on."""
    hook, token = await incoming.rotate_token(session, viewer=viewer, hook_id=hook_id)
    return incoming_with_url(hook, await session.get(User, hook.bot_id), token, settings)


@router.delete("/incoming-webhooks/{hook_id}", status_code=204, response_class=Response)
async def delete_incoming_hook(hook_id: ItemId, viewer: Viewer, session: Session) -> None:
    await incoming.delete_incoming(session, viewer=viewer, hook_id=hook_id)


@router.post("/hooks/{token}", response_model=IncomingPosted, status_code=201)
async def post_through_hook(
    token: Annotated[str, Path(max_length=100)],
    body: IncomingPost,
    session: Session,
    settings: AppSettings,
):
    """Posts into the hook's space as its bot (no other authentication: the
    URL is the secret). An unknown URL answers 404; too many posts in a
    minute, 429."""
    post = await incoming.post_through(session, token=token, text=body.text, settings=settings)
    return IncomingPosted(id=post.id, url=f"{settings.public_url.rstrip('/')}/posts/{post.id}")
