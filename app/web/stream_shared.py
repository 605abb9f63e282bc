"""What the pages of the stream share (the feed, posts, people, notifications and
a space's Stream tab): form fields, going back where the form was with its
notice, links to further pages, how posts are shown and the composer's values.
Each form calls one service: success goes back to the page the form was on, at
the post; a refusal is shown on the post's page (or beside the composer), with
nothing written."""

import re
from typing import Annotated
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import Form, Query
from fastapi.responses import RedirectResponse

from app.api.pagination import decode_id_cursor, next_id_cursor
from app.errors import Invalid
from app.i18n import _
from app.levels import Level
from app.models import Post, PostKind, User
from app.schemas.common import MAX_ID
from app.schemas.post import MAX_POST_BODY
from app.services import compose, feed
from app.services.spaces import SpaceView
from app.web.routes import safe_next, see_other

FEED_PAGE = 20
# What an "unreachable" notice in a URL may name: handles, a few of them.
HANDLE = re.compile(r"[a-z0-9][a-z0-9_.-]{1,39}")
MAX_UNREACHABLE = 20

OptionalBody = Annotated[str, Form(max_length=MAX_POST_BODY)]
Next = Annotated[str, Form(max_length=500)]
CursorQuery = Annotated[str | None, Query(max_length=200)]
Done = Annotated[str | None, Query(max_length=20)]
Unreachable = Annotated[str | None, Query(max_length=900)]
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
