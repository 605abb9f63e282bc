"""What the pages of the stream share (the feed, posts, people, notifications and
a space's Stream tab): form fields, going back where the form was with its
notice, links to further pages, how posts are shown and the composer's values.
Each form calls one service: success goes back to the page the form was on, at
the post; a refusal is shown on the post's page (or beside the composer), with
nothing written."""

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, TypeVar, get_origin
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import Form, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.files import file_store
from app.api.pagination import decode_id_cursor, next_id_cursor
from app.config import Settings
from app.errors import AppError, Invalid
from app.files.upload import ReceivedForm, receive_form
from app.i18n import _
from app.levels import Level
from app.models import Post, PostKind, User
from app.schemas.common import MAX_ID
from app.schemas.post import MAX_POST_BODY
from app.services import compose, feed
from app.services.files.attachments import MAX_ATTACHMENTS, Attachments, keep_uploads
from app.services.spaces import SpaceView
from app.web.routes import attempt, safe_next, see_other

FEED_PAGE = 20
# What an "unreachable" notice in a URL may name: handles, a few of them.
HANDLE = re.compile(r"[a-z0-9][a-z0-9_.-]{1,39}")
MAX_UNREACHABLE = 20

OptionalBody = Annotated[str, Form(max_length=MAX_POST_BODY)]
Next = Annotated[str, Form(max_length=500)]
CursorQuery = Annotated[str | None, Query(max_length=200)]
Done = Annotated[str | None, Query(max_length=20)]
Unreachable = Annotated[str | None, Query(max_length=900)]
# The file input of the composer and of the comment forms.
FILES_FIELD = "files"

FormModel = TypeVar("FormModel", bound=BaseModel)
Written = TypeVar("Written")


# --- forms that may carry files -------------------------------------------------


@asynccontextmanager
async def stream_form(
    request: Request, session: AsyncSession, settings: Settings
) -> AsyncIterator[ReceivedForm]:
    """A form of the stream's pages: with files (``multipart/form-data``), its
    files streamed into the store's temporary files as they come, removed on
    leaving unless kept; without (a form sent urlencoded), its fields."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        async with receive_form(
            request,
            file_store(request),
            session=session,
            max_file_bytes=settings.max_upload_bytes,
            max_files=MAX_ATTACHMENTS,
        ) as form:
            yield form
        return
    fields = await request.form()
    yield ReceivedForm(
        fields={name: [v for v in fields.getlist(name) if isinstance(v, str)] for name in fields}
    )


def parsed(form: ReceivedForm, model: type[FormModel]) -> FormModel:
    """The form's fields as ``model`` takes them, as FastAPI reads a form: a list
    field gets every value, any other its last; an empty value is no value."""
    data = {}
    for name, values in form.fields.items():
        given = [value for value in values if value != ""]
        field = model.model_fields.get(name)
        if field is None or not given:
            continue
        data[name] = given if get_origin(field.annotation) is list else given[-1]
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise RequestValidationError(error.errors()) from None


async def attempt_with_files(
    session,
    *,
    request: Request,
    viewer: User,
    form: ReceivedForm,
    ids: list[int],
    write: Callable[[Attachments | None], Awaitable[Written]],
) -> tuple[Written | None, AppError | None]:
    """``write`` (a service call) given what the form attaches — the files
    uploaded already by script (``ids``), then those the form carries, kept as
    the viewer's uploads — in one savepoint (``attempt``): a refused file or a
    refused write leaves nothing behind, and its error comes back to be shown."""
    settings = request.app.state.settings

    async def attached_and_written() -> Written:
        kept = await keep_uploads(
            session,
            viewer=viewer,
            store=file_store(request),
            settings=settings,
            received=[file for file in form.files if file.field == FILES_FIELD],
        )
        return await write(Attachments.of([*ids, *kept], settings))

    return await attempt(session, attached_and_written())


# --- going back where the form was -----------------------------------------------


def back(next: str, *, anchor: str = "", **params: str) -> RedirectResponse:
    """To the page the form was on (a path of Ruche only), with its notice."""
    target = urlsplit(safe_next(next))
    query = [
        (key, value)
        for key, value in parse_qsl(target.query)
        if key not in ("done", "unreachable", *params)
    ]
    query += [(key, value) for key, value in params.items() if value]
    return see_other(urlunsplit(("", "", target.path, urlencode(query), anchor)))


def unreachable_handles(given: str | None) -> list[str]:
    """The handles a redirect named as mentioned but unable to read the post."""
    if not given:
        return []
    return [h for h in given.split(",") if HANDLE.fullmatch(h)][:MAX_UNREACHABLE]


def page_link(path: str, **params) -> str:
    query = {key: value for key, value in params.items() if value not in (None, "", False)}
    query = {key: "true" if value is True else value for key, value in query.items()}
    return f"{path}?{urlencode(query)}" if query else path


# --- what stream pages are shown with -----------------------------------------------


async def show_stream(session, viewer: User, found: list[Post]) -> dict:
    """The posts' views and which of them the viewer moderates."""
    views = await feed.show_posts(session, viewer=viewer, posts=found)
    return {
        "views": views,
        "moderated": await compose.moderated_post_ids(session, viewer=viewer, posts=found),
    }


def composer_values(place: compose.Place | None, **given) -> dict:
    values = {
        "body": "",
        "space_id": str(place.space.id) if place and place.space else "",
        "level": place.default_level if place else Level.PUBLIC,
        "kind": PostKind.ORDINARY,
        "poll_options": "",
        "poll_multiple": False,
        "poll_closes_at": "",
    }
    values.update({key: value for key, value in given.items() if value is not None})
    return values


async def space_stream_tab(session, viewer: User, view: SpaceView, *, cursor: str | None) -> dict:
    """The Stream tab of a space's page: pinned posts first, then the newest, and
    a composer set to the space when the viewer may write there."""
    pinned, found = await feed.space_stream(
        session,
        viewer=viewer,
        space_id=view.space.id,
        limit=FEED_PAGE + 1,
        before_id=decode_id_cursor(cursor),
    )
    page = found[:FEED_PAGE]
    shown = await show_stream(session, viewer, [*pinned, *page])
    place = compose.place_for(viewer, view.space, view.role)
    next_cursor = next_id_cursor(found, FEED_PAGE)
    return {
        **shown,
        "place": place,
        "levels": compose.writable_levels(viewer),
        "values": composer_values(place),
        # Forms of the tab come back to it (also when the page answers a POST).
        "here": page_link(f"/spaces/{view.space.id}", tab="stream", cursor=cursor),
        "older": page_link(f"/spaces/{view.space.id}", tab="stream", cursor=next_cursor)
        if next_cursor
        else None,
    }


# --- where the composer publishes ---------------------------------------------------


def row_id(text: str) -> int | None:
    """An id typed in a form field, or None when it is not one."""
    if not re.fullmatch(r"[0-9]{1,19}", text) or not 1 <= int(text) <= MAX_ID:
        return None
    return int(text)


def container_choice(space_id: str) -> int | None:
    """The company stream (an empty choice) or a space's id."""
    if not space_id:
        return None
    chosen = row_id(space_id)
    if chosen is None:
        raise Invalid(_("Choose where to publish."), code="space")
    return chosen
