"""Pages of the feed (as api/feed.py): the home feed, the composer and publishing,
a hashtag's stream and following a hashtag."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from pydantic import BaseModel, Field

from app.api.deps import AppSettings, Session, Viewer
from app.api.pagination import decode_id_cursor, next_id_cursor
from app.errors import Invalid, NotFound, non_blank
from app.i18n import _
from app.levels import Level
from app.markdown import HASHTAG_NAME, normalise_hashtag
from app.models import FollowKind, PostKind, User
from app.schemas.common import MAX_ID, RowId
from app.schemas.post import MAX_POLL_OPTION, MAX_POST_BODY, WrittenKind
from app.services import compose, feed, follows, posts, wiki
from app.services.files.attachments import MAX_ATTACHMENTS, pending_uploads
from app.services.spaces import access_space, role_in
from app.web.form_errors import FailedForm, form_page, page_again
from app.web.forms import FILE_FIELDS, parsed, stream_form, write_with_files
from app.web.routes import render, safe_next
from app.web.stream_shared import (
    FEED_PAGE,
    CursorQuery,
    Done,
    Unreachable,
    back,
    composer_values,
    container_choice,
    page_link,
    row_id,
    show_stream,
    unreachable_handles,
)

router = APIRouter(include_in_schema=False)

WIKI_CHANGES = 5


# --- the home feed and the composer -------------------------------------------------


@router.get("/")
async def home(
    request: Request,
    viewer: Viewer,
    session: Session,
    kind: Annotated[str, Query(max_length=20)] = "",
    unanswered: bool = False,
    to_confirm: bool = False,
    cursor: CursorQuery = None,
    done: Done = None,
    unreachable: Unreachable = None,
):
    """The company stream, joined and followed spaces, followed people and
    hashtags, newest first; with the composer and the trending hashtags."""
    post_kind = PostKind(kind) if kind in PostKind._value2member_map_ else None
    found = await feed.stream(
        session,
        viewer=viewer,
        limit=FEED_PAGE + 1,
        before_id=decode_id_cursor(cursor),
        filters=feed.StreamFilters(kind=post_kind, unanswered=unanswered, to_confirm=to_confirm),
    )
    next_cursor = next_id_cursor(found, FEED_PAGE)
    places = await compose.writable_places(session, viewer=viewer)
    return render(
        request,
        "stream/home.html",
        **await show_stream(session, viewer, found[:FEED_PAGE]),
        places=places,
        levels=compose.writable_levels(viewer),
        values=composer_values(places[0] if places else None),
        filters={"kind": post_kind, "unanswered": unanswered, "to_confirm": to_confirm},
        filtered=bool(post_kind or unanswered or to_confirm or cursor),
        older=page_link(
            "/",
            kind=post_kind.value if post_kind else "",
            unanswered=unanswered,
            to_confirm=to_confirm,
            cursor=next_cursor,
        )
        if next_cursor
        else None,
        wiki_changes=await wiki.recently_changed(session, viewer=viewer, limit=WIKI_CHANGES),
        trending={
            window: await feed.trending_hashtags(session, viewer=viewer, window=window)
            for window in feed.TRENDING_WINDOWS
        },
        done=done,
        unreachable=unreachable_handles(unreachable),
    )


async def _compose_page(
    request: Request,
    session,
    viewer: User,
    *,
    values: dict,
    next: str,
):
    """The composer alone: to write from anywhere, and to show a refusal with
    what the author wrote (and the files they uploaded already, still pending)."""
    places = await compose.writable_places(session, viewer=viewer)
    chosen = row_id(values.get("space_id", ""))
    if chosen is not None and chosen not in {place.space.id for place in places if place.space}:
        # A space the picker does not list (an open space's own composer).
        space = await access_space(session, viewer=viewer, space_id=chosen)
        role = await role_in(session, space_id=space.id, user_id=viewer.id)
        extra = compose.place_for(viewer, space, role)
        places += [extra] if extra is not None else []
    attachments = [row_id(str(file_id)) for file_id in values.get("attachments", [])]
    return render(
        request,
        "stream/compose.html",
        places=places,
        levels=compose.writable_levels(viewer),
        values=values,
        pending=await pending_uploads(
            session, viewer=viewer, file_ids=[file_id for file_id in attachments if file_id]
        ),
        here=safe_next(next),
    )


async def _compose_again(request: Request, session, viewer: User, failed: FailedForm):
    values = failed.over({**composer_values(None), "attachments": []})
    return await _compose_page(
        request,
        session,
        viewer,
        values=values,
        next=str(failed.values.get("next", "/")),
    )


@router.get("/posts/new")
async def new_post(
    request: Request,
    viewer: Viewer,
    session: Session,
    space_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    hashtag: Annotated[str | None, Query(pattern=rf"^{HASHTAG_NAME.pattern}$")] = None,
):
    """The composer alone, set to a space when one is named, its text begun
    with ``#hashtag`` when one is (a hashtag's empty page offers to write with it)."""
    places = await compose.writable_places(session, viewer=viewer)
    place = places[0] if places else None
    if space_id is not None:
        space = await access_space(session, viewer=viewer, space_id=space_id)
        role = await role_in(session, space_id=space.id, user_id=viewer.id)
        place = compose.place_for(viewer, space, role) or place
    return await _compose_page(
        request,
        session,
        viewer,
        values={**composer_values(place), "body": f"#{hashtag} " if hashtag else ""},
        next=f"/spaces/{space_id}" if space_id is not None else "/",
    )


def _poll_spec(
    kind: PostKind, options: str, multiple: bool, closes_at: str, timezone_offset: int
) -> posts.PollSpec | None:
    """A poll's options are one per line; its closing time is the author's local
    time (their browser says its offset; without scripts, UTC)."""
    if kind is not PostKind.POLL:
        return None
    labels = [line.strip() for line in options.splitlines() if line.strip()]
    if any(len(label) > MAX_POLL_OPTION for label in labels):
        raise Invalid(_("A poll option has 200 characters at most."), code="poll")
    closing = None
    if closes_at:
        try:
            local = datetime.fromisoformat(closes_at)
        except ValueError as error:
            raise Invalid(
                _("The closing time is not a valid date and time."), code="poll"
            ) from error
        closing = (local.replace(tzinfo=None) + timedelta(minutes=timezone_offset)).replace(
            tzinfo=UTC
        )
    return posts.PollSpec(options=labels, multiple=multiple, closes_at=closing)


class ComposerForm(BaseModel):
    """The composer's fields, as the page sends them (files apart)."""

    body: str = Field(default="", max_length=MAX_POST_BODY)
    space_id: str = Field(default="", max_length=20)
    level: Level | None = None
    kind: WrittenKind = PostKind.ORDINARY
    poll_options: str = Field(default="", max_length=2100)
    poll_multiple: bool = False
    poll_closes_at: str = Field(default="", max_length=30)
    timezone_offset: int = Field(default=0, ge=-1000, le=1000)
    # Files uploaded already, by the page's script.
    attachments: list[RowId] = Field(default=[], max_length=MAX_ATTACHMENTS)
    next: str = Field(default="/", max_length=500)


@router.post("/posts")
@form_page(
    _compose_again,
    fields={
        **FILE_FIELDS,
        "blank": "body",
        "space": "space_id",
        "not_member": "space_id",
        "space_archived": "space_id",
        "write_up": "level",
        "write_down": "level",
        "poll": "poll_options",
        "expired": "poll_closes_at",
    },
)
async def publish_post(request: Request, viewer: Viewer, session: Session, settings: AppSettings):
    """Publishes the composer's post with its files, in one transaction: the files
    stream in with the form, and a refusal (of a file or of the post) writes
    nothing and shows the composer again with the reason (form_errors.py)."""
    async with stream_form(request, session, settings) as form:
        given = parsed(form, ComposerForm)
        text = non_blank(given.body, _("Write something before publishing."))
        container = container_choice(given.space_id)
        poll = _poll_spec(
            given.kind,
            given.poll_options,
            given.poll_multiple,
            given.poll_closes_at,
            given.timezone_offset,
        )
        published = await write_with_files(
            session,
            request=request,
            viewer=viewer,
            form=form,
            ids=given.attachments,
            write=lambda attachments: posts.publish_post(
                session,
                viewer=viewer,
                body=text,
                space_id=container,
                level=given.level,
                kind=given.kind,
                poll=poll,
                attachments=attachments,
            ),
        )
    return back(
        given.next,
        anchor=f"post-{published.post.id}",
        done="published",
        unreachable=",".join(published.unreachable_mentions),
    )


# --- hashtags -----------------------------------------------------------------------


def _hashtag(name: str) -> str:
    tag = normalise_hashtag(name.lstrip("#"))
    if not HASHTAG_NAME.fullmatch(tag):
        raise NotFound()
    return tag


@router.get("/hashtags/{name}")
async def hashtag_page(
    request: Request,
    name: Annotated[str, Path(min_length=1, max_length=51)],
    viewer: Viewer,
    session: Session,
    cursor: CursorQuery = None,
    done: Done = None,
):
    tag = _hashtag(name)
    found = await feed.stream(
        session,
        viewer=viewer,
        limit=FEED_PAGE + 1,
        before_id=decode_id_cursor(cursor),
        filters=feed.StreamFilters(hashtag=tag),
    )
    next_cursor = next_id_cursor(found, FEED_PAGE)
    return render(
        request,
        "stream/hashtag.html",
        **await show_stream(session, viewer, found[:FEED_PAGE]),
        tag=tag,
        following=tag in (await follows.list_follows(session, viewer=viewer))["hashtags"],
        older=page_link(f"/hashtags/{tag}", cursor=next_cursor) if next_cursor else None,
        done=done,
    )


@router.post("/hashtags/{name}/follow")
@form_page(page_again(hashtag_page))
async def follow_hashtag(
    name: Annotated[str, Path(min_length=1, max_length=51)],
    viewer: Viewer,
    session: Session,
    following: Annotated[bool, Form()],
):
    tag = _hashtag(name)
    change = follows.follow if following else follows.unfollow
    await change(session, viewer=viewer, kind=FollowKind.HASHTAG, target=tag)
    return back(f"/hashtags/{tag}", done="followed" if following else "unfollowed")
