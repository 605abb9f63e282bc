"""Pages of webhooks: a space's (its owners; administrators see its outgoing
ones too), the company stream's (administrators), each outgoing hook with its
delivery log, and the pages that show a new secret or URL, once. For anyone
else each of them is a missing page (the services answer NotFound)."""

from fastapi import APIRouter, Request

from app.api.deps import ItemId, Session, Viewer
from app.api.pagination import decode_id_cursor, next_id_cursor
from app.errors import NotFound
from app.levels import Level
from app.models import User, WebhookEvent
from app.schemas.webhooks import IncomingHookCreate, WebhookCreate
from app.services import compose
from app.services.webhooks import incoming, outgoing
from app.web.form_errors import FailedForm, form_page
from app.web.forms import parsed, stream_form
from app.web.routes import render, see_other
from app.web.stream_shared import CursorQuery, Done, page_link

router = APIRouter(include_in_schema=False)

DELIVERIES_PAGE = 50
# Which field a refusal of the services is about.
HOOK_FIELDS = {
    "webhook_target": "url",
    "no_events": "events",
    "hook_level": "level",
    "write_up": "level",
}


def list_path(space_id: int | None) -> str:
    return f"/spaces/{space_id}/webhooks" if space_id is not None else "/admin/webhooks"


def new_hook_values(**values) -> dict:
    return {"url": "", "description": "", "events": [], "level": Level.PUBLIC.value, **values}


async def show_list(request: Request, session, viewer: User, space_id: int | None, **context):
    space = await outgoing.access_container(session, viewer=viewer, space_id=space_id)
    hooks = await outgoing.list_hooks(session, viewer=viewer, space_id=space_id)
    incoming_hooks = None
    if space is not None:
        try:
            incoming_hooks = await incoming.list_incoming(session, viewer=viewer, space_id=space.id)
        except NotFound:  # an administrator who does not own the space
            incoming_hooks = None
    return render(
        request,
        "webhooks/list.html",
        space=space,
        hooks=hooks,
        incoming_hooks=incoming_hooks,
        events=list(WebhookEvent),
        hook_levels=compose.writable_levels(viewer),
        values=context.pop("values", None) or new_hook_values(),
        action=list_path(space_id),
        **context,
    )


@router.get("/spaces/{space_id}/webhooks")
async def space_hooks_page(
    request: Request, space_id: ItemId, viewer: Viewer, session: Session, done: Done = None
):
    return await show_list(request, session, viewer, space_id, done=done)


@router.get("/admin/webhooks")
async def company_hooks_page(request: Request, viewer: Viewer, session: Session, done: Done = None):
    return await show_list(request, session, viewer, None, done=done)


def _space_of(request: Request) -> int | None:
    space_id = request.path_params.get("space_id")
    return int(space_id) if space_id is not None else None


async def _list_again(request: Request, session, viewer: User, failed: FailedForm):
    values = failed.over(new_hook_values())
    return await show_list(
        request, session, viewer, _space_of(request), values=values, failed_action=failed.action
    )


async def _create(request: Request, session, viewer: User, space_id: int | None):
    async with stream_form(request, session, request.app.state.settings) as received:
        form = parsed(received, WebhookCreate)
    hook = await outgoing.create_hook(
        session,
        viewer=viewer,
        space_id=space_id,
        settings=request.app.state.settings,
        **form.model_dump(),
    )
    return render(request, "webhooks/secret.html", hook=hook, secret=hook.secret, url=None)


@router.post("/spaces/{space_id}/webhooks")
@form_page(_list_again, fields=HOOK_FIELDS)
async def create_space_hook(request: Request, space_id: ItemId, viewer: Viewer, session: Session):
    return await _create(request, session, viewer, space_id)


@router.post("/admin/webhooks")
@form_page(_list_again, fields=HOOK_FIELDS)
async def create_company_hook(request: Request, viewer: Viewer, session: Session):
    return await _create(request, session, viewer, None)


async def show_hook(
    request: Request, session, viewer: User, hook_id: int, *, cursor=None, **context
):
    hook = await outgoing.access_hook(session, viewer=viewer, hook_id=hook_id)
    found = await outgoing.list_deliveries(
        session,
        viewer=viewer,
        hook_id=hook.id,
        limit=DELIVERIES_PAGE + 1,
        before_id=decode_id_cursor(cursor),
    )
    next_cursor = next_id_cursor(found, DELIVERIES_PAGE)
    values = context.pop("values", None) or new_hook_values(
        url=hook.url, description=hook.description, events=hook.events, level=hook.level.value
    )
    return render(
        request,
        "webhooks/hook.html",
        hook=hook,
        deliveries=found[:DELIVERIES_PAGE],
        older=page_link(f"/webhooks/{hook.id}", cursor=next_cursor) if next_cursor else None,
        events=list(WebhookEvent),
        hook_levels=compose.writable_levels(viewer),
        values=values,
        list_path=list_path(hook.space_id),
        **context,
    )


@router.get("/webhooks/{webhook_id}")
async def hook_page(
    request: Request,
    webhook_id: ItemId,
    viewer: Viewer,
    session: Session,
    cursor: CursorQuery = None,
    done: Done = None,
):
    return await show_hook(request, session, viewer, webhook_id, cursor=cursor, done=done)


async def _hook_again(request: Request, session, viewer: User, failed: FailedForm):
    values = failed.over(new_hook_values()) if failed.values else None
    hook_id = int(request.path_params["webhook_id"])
    return await show_hook(request, session, viewer, hook_id, values=values)


@router.post("/webhooks/{webhook_id}")
@form_page(_hook_again, fields=HOOK_FIELDS)
async def change_hook(request: Request, webhook_id: ItemId, viewer: Viewer, session: Session):
    async with stream_form(request, session, request.app.state.settings) as received:
        form = parsed(received, WebhookCreate)
    await outgoing.change_hook(
        session,
        viewer=viewer,
        hook_id=webhook_id,
        settings=request.app.state.settings,
        **form.model_dump(),
    )
    return see_other(f"/webhooks/{webhook_id}?done=saved")


@router.post("/webhooks/{webhook_id}/enable")
@form_page(_hook_again)
async def enable_hook(request: Request, webhook_id: ItemId, viewer: Viewer, session: Session):
    async with stream_form(request, session, request.app.state.settings) as received:
        enabled = received.fields.get("enabled") == ["true"]
    await outgoing.change_hook(
        session,
        viewer=viewer,
        hook_id=webhook_id,
        settings=request.app.state.settings,
        is_enabled=enabled,
    )
    return see_other(f"/webhooks/{webhook_id}?done={'enabled' if enabled else 'disabled'}")


@router.post("/webhooks/{webhook_id}/secret")
@form_page(_hook_again)
async def rotate_secret(request: Request, webhook_id: ItemId, viewer: Viewer, session: Session):
    hook = await outgoing.rotate_secret(session, viewer=viewer, hook_id=webhook_id)
    return render(request, "webhooks/secret.html", hook=hook, secret=hook.secret, url=None)


@router.post("/webhooks/{webhook_id}/delete")
@form_page(_hook_again)
async def delete_hook(webhook_id: ItemId, viewer: Viewer, session: Session):
    hook = await outgoing.access_hook(session, viewer=viewer, hook_id=webhook_id)
    back = list_path(hook.space_id)
    await outgoing.delete_hook(session, viewer=viewer, hook_id=webhook_id)
    return see_other(f"{back}?done=deleted")


@router.post("/spaces/{space_id}/incoming-webhooks")
@form_page(_list_again, fields={"write_up": "level", "space_archived": "name"})
async def create_incoming(request: Request, space_id: ItemId, viewer: Viewer, session: Session):
    async with stream_form(request, session, request.app.state.settings) as received:
        form = parsed(received, IncomingHookCreate)
    hook, token = await incoming.create_incoming(
        session, viewer=viewer, space_id=space_id, name=form.name, level=form.level
    )
    url = incoming.hook_url(request.app.state.settings, token)
    return render(request, "webhooks/secret.html", hook=hook, secret=None, url=url)


async def _incoming_again(request: Request, session, viewer: User, failed: FailedForm):
    hook = await incoming.access_incoming(
        session, viewer=viewer, hook_id=int(request.path_params["hook_id"])
    )
    return await show_list(request, session, viewer, hook.space_id)


@router.post("/incoming-webhooks/{hook_id}/url")
@form_page(_incoming_again)
async def rotate_incoming_url(request: Request, hook_id: ItemId, viewer: Viewer, session: Session):
    hook, token = await incoming.rotate_token(session, viewer=viewer, hook_id=hook_id)
    url = incoming.hook_url(request.app.state.settings, token)
    return render(request, "webhooks/secret.html", hook=hook, secret=None, url=url)


@router.post("/incoming-webhooks/{hook_id}/delete")
@form_page(_incoming_again)
async def delete_incoming(hook_id: ItemId, viewer: Viewer, session: Session):
    hook = await incoming.access_incoming(session, viewer=viewer, hook_id=hook_id)
    space_id = hook.space_id
    await incoming.delete_incoming(session, viewer=viewer, hook_id=hook_id)
    return see_other(f"/spaces/{space_id}/webhooks?done=deleted")
