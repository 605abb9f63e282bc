"""Pages of the activity stream: the home feed and its composer, a post with its
comments, a hashtag's stream, a person's posts (where mention links lead) and
the notifications. Each form calls one service: success goes back to the page
the form was on, at the post; a refusal is shown on the post's page (or beside
the composer), with nothing written."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse

from app.api.deps import MAX_ID, ItemId, Session, Viewer
from app.api.pagination import (
    decode_id_cursor,
    decode_name_cursor,
    next_id_cursor,
    next_name_cursor,
)
from app.errors import AppError, Invalid, NotFound, non_blank
from app.i18n import _
from app.labels import reaction_label
from app.levels import Level
from app.markdown import HASHTAG_NAME, normalise_hashtag
from app.models import Comment, FollowKind, Post, PostKind, ReactionKind, User
from app.services import (
    comments,
    compose,
    feed,
    follows,
    notifications,
    people,
    posts,
    reactions,
    wiki,
)
from app.services.comments import CommentView
from app.services.notifications import ShownNotification
from app.services.spaces import SpaceView, access_space, role_in
from app.web.routes import attempt, render, safe_next, see_other

router = APIRouter(include_in_schema=False)

FEED_PAGE = 20
PEOPLE_PAGE = 30
WIKI_CHANGES = 5
COMMENTS_PAGE = 200
NOTIFICATIONS_PAGE = 30
# What an "unreachable" notice in a URL may name: handles, a few of them.
HANDLE = re.compile(r"[a-z0-9][a-z0-9_.-]{1,39}")
MAX_UNREACHABLE = 20

Body = Annotated[str, Form(min_length=1, max_length=20000)]
OptionalBody = Annotated[str, Form(max_length=20000)]
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


def _link(path: str, **params) -> str:
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
        "here": _link(f"/spaces/{view.space.id}", tab="stream", cursor=cursor),
        "older": _link(f"/spaces/{view.space.id}", tab="stream", cursor=next_cursor)
        if next_cursor
        else None,
    }


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
        older=_link(
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
    error: AppError | None = None,
):
    """The composer alone: to write from anywhere, and to show a refusal with
    what the author wrote."""
    places = await compose.writable_places(session, viewer=viewer)
    chosen = _row_id(values.get("space_id", ""))
    if chosen is not None and chosen not in {place.space.id for place in places if place.space}:
        # A space the picker does not list (an open space's own composer).
        space = await access_space(session, viewer=viewer, space_id=chosen)
        role = await role_in(session, space_id=space.id, user_id=viewer.id)
        extra = compose.place_for(viewer, space, role)
        places += [extra] if extra is not None else []
    return render(
        request,
        "stream/compose.html",
        status_code=error.status if error is not None else 200,
        places=places,
        levels=compose.writable_levels(viewer),
        values=values,
        here=safe_next(next),
        error=error.message if error is not None else None,
    )


@router.get("/posts/new")
async def new_post(
    request: Request,
    viewer: Viewer,
    session: Session,
    space_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
):
    """The composer alone, set to a space when one is named."""
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
        values=composer_values(place),
        next=f"/spaces/{space_id}" if space_id is not None else "/",
    )


def _row_id(text: str) -> int | None:
    """An id typed in a form field, or None when it is not one."""
    if not re.fullmatch(r"[0-9]{1,19}", text) or not 1 <= int(text) <= MAX_ID:
        return None
    return int(text)


def _container_choice(space_id: str) -> int | None:
    """The company stream (an empty choice) or a space's id."""
    if not space_id:
        return None
    chosen = _row_id(space_id)
    if chosen is None:
        raise Invalid(_("Choose where to publish."), code="space")
    return chosen


def _poll_spec(
    kind: PostKind, options: str, multiple: bool, closes_at: str, timezone_offset: int
) -> posts.PollSpec | None:
    """A poll's options are one per line; its closing time is the author's local
    time (their browser says its offset; without scripts, UTC)."""
    if kind is not PostKind.POLL:
        return None
    labels = [line.strip() for line in options.splitlines() if line.strip()]
    if any(len(label) > 200 for label in labels):
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


@router.post("/posts")
async def publish_post(
    request: Request,
    viewer: Viewer,
    session: Session,
    body: OptionalBody = "",
    space_id: Annotated[str, Form(max_length=20)] = "",
    level: Annotated[Level | None, Form()] = None,
    kind: Annotated[PostKind, Form()] = PostKind.ORDINARY,
    poll_options: Annotated[str, Form(max_length=2100)] = "",
    poll_multiple: Annotated[bool, Form()] = False,
    poll_closes_at: Annotated[str, Form(max_length=30)] = "",
    timezone_offset: Annotated[int, Form(ge=-1000, le=1000)] = 0,
    next: Next = "/",
):
    values = {
        "body": body,
        "space_id": space_id,
        "level": level,
        "kind": kind,
        "poll_options": poll_options,
        "poll_multiple": poll_multiple,
        "poll_closes_at": poll_closes_at,
    }
    try:
        text = non_blank(body, _("Write something before publishing."))
        container = _container_choice(space_id)
        poll = _poll_spec(kind, poll_options, poll_multiple, poll_closes_at, timezone_offset)
    except Invalid as error:
        return await _compose_page(request, session, viewer, values=values, next=next, error=error)
    published, error = await attempt(
        session,
        posts.publish_post(
            session,
            viewer=viewer,
            body=text,
            space_id=container,
            level=level,
            kind=kind,
            poll=poll,
        ),
    )
    if error is not None:
        return await _compose_page(request, session, viewer, values=values, next=next, error=error)
    return back(
        next,
        anchor=f"post-{published.post.id}",
        done="published",
        unreachable=",".join(published.unreachable_mentions),
    )


# --- a post's page ------------------------------------------------------------------


@dataclass
class Thread:
    """A top-level comment and its replies (one level)."""

    comment: CommentView
    replies: list[CommentView]
    # A reply whose comment is on an earlier page of the post.
    orphan: bool = False


def threads_of(shown: list[CommentView]) -> list[Thread]:
    threads: dict[int, Thread] = {}
    ordered: list[Thread] = []
    for view in shown:
        parent = view.comment.parent_id
        if parent is None:
            threads[view.comment.id] = Thread(comment=view, replies=[])
            ordered.append(threads[view.comment.id])
        elif parent in threads:
            threads[parent].replies.append(view)
        else:
            ordered.append(Thread(comment=view, replies=[], orphan=True))
    return ordered


async def _post_page(
    request: Request,
    session,
    viewer: User,
    post_id: int,
    *,
    cursor: str | None = None,
    done: str | None = None,
    unreachable: list[str] | None = None,
    error: AppError | None = None,
):
    post = await posts.access_post(session, viewer=viewer, post_id=post_id)
    shown = await show_stream(session, viewer, [post])
    found = await comments.list_comments(
        session,
        viewer=viewer,
        post_id=post.id,
        limit=COMMENTS_PAGE + 1,
        after_id=decode_id_cursor(cursor),
    )
    comment_views = await comments.show_comments(
        session, viewer=viewer, comments=found[:COMMENTS_PAGE]
    )
    may_moderate = post.id in shown["moderated"]
    confirmations = None
    if post.kind is PostKind.ANNOUNCEMENT and (post.author_id == viewer.id or may_moderate):
        confirmations = await posts.announcement_readers(session, viewer=viewer, post_id=post.id)
    next_cursor = next_id_cursor(found, COMMENTS_PAGE)
    return render(
        request,
        "stream/post.html",
        status_code=error.status if error is not None else 200,
        view=shown["views"][0],
        post=post,
        moderated=shown["moderated"],
        may_moderate=may_moderate,
        writable=await compose.may_write_under(session, viewer=viewer, post=post),
        threads=threads_of(comment_views),
        more_comments=_link(f"/posts/{post.id}", cursor=next_cursor) if next_cursor else None,
        versions=await posts.post_versions(session, viewer=viewer, post_id=post.id)
        if post.edited_at is not None
        else [],
        confirmations=confirmations,
        places=await compose.writable_places(session, viewer=viewer),
        levels=compose.writable_levels(viewer),
        here=f"/posts/{post.id}",
        done=done,
        unreachable=unreachable or [],
        error=error.message if error is not None else None,
    )


@router.get("/posts/{post_id}")
async def post_page(
    request: Request,
    post_id: ItemId,
    viewer: Viewer,
    session: Session,
    cursor: CursorQuery = None,
    done: Done = None,
    unreachable: Unreachable = None,
):
    return await _post_page(
        request,
        session,
        viewer,
        post_id,
        cursor=cursor,
        done=done,
        unreachable=unreachable_handles(unreachable),
    )


async def _refused_or_back(
    request: Request,
    session,
    viewer: User,
    post_id: int,
    error: AppError | None,
    next: str,
    *,
    anchor: str = "",
    **params: str,
):
    """After a form about a post: the post's page with the refusal, or back."""
    if error is not None:
        return await _post_page(request, session, viewer, post_id, error=error)
    return back(next, anchor=anchor or f"post-{post_id}", **params)


@router.post("/posts/{post_id}/edit")
async def edit_post(
    request: Request,
    post_id: ItemId,
    viewer: Viewer,
    session: Session,
    body: Body,
    level: Annotated[Level | None, Form()] = None,
):
    published, error = await attempt(
        session,
        posts.edit_post(session, viewer=viewer, post_id=post_id, body=body, level=level),
    )
    return await _refused_or_back(
        request,
        session,
        viewer,
        post_id,
        error,
        f"/posts/{post_id}",
        done="edited",
        unreachable=",".join(published.unreachable_mentions) if published else "",
    )


@router.post("/posts/{post_id}/delete")
async def delete_post(
    request: Request, post_id: ItemId, viewer: Viewer, session: Session, next: Next = "/"
):
    _nothing, error = await attempt(
        session, posts.delete_post(session, viewer=viewer, post_id=post_id)
    )
    return await _refused_or_back(request, session, viewer, post_id, error, next, done="deleted")


@router.post("/posts/{post_id}/pin")
async def pin_post(
    request: Request,
    post_id: ItemId,
    viewer: Viewer,
    session: Session,
    pinned: Annotated[bool, Form()],
    next: Next = "/",
):
    _post, error = await attempt(
        session, posts.set_pinned(session, viewer=viewer, post_id=post_id, pinned=pinned)
    )
    done = "pinned" if pinned else "unpinned"
    return await _refused_or_back(request, session, viewer, post_id, error, next, done=done)


@router.post("/posts/{post_id}/share")
async def share_post(
    request: Request,
    post_id: ItemId,
    viewer: Viewer,
    session: Session,
    level: Annotated[Level, Form()],
    space_id: Annotated[str, Form(max_length=20)] = "",
    body: OptionalBody = "",
):
    """A new post that embeds this one; the service refuses any destination
    where someone could read it who may not read the original."""
    try:
        container = _container_choice(space_id)
    except Invalid as error:
        return await _post_page(request, session, viewer, post_id, error=error)
    published, error = await attempt(
        session,
        posts.publish_post(
            session,
            viewer=viewer,
            body=body.strip(),
            space_id=container,
            level=level,
            shared_from_id=post_id,
        ),
    )
    if error is not None:
        return await _post_page(request, session, viewer, post_id, error=error)
    return back(f"/posts/{published.post.id}", done="shared")


@router.post("/posts/{post_id}/comments")
async def add_comment(
    request: Request,
    post_id: ItemId,
    viewer: Viewer,
    session: Session,
    body: Body,
    parent_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
    next: Next = "",
):
    try:
        text = non_blank(body, _("Write something before sending."))
    except Invalid as error:
        return await _post_page(request, session, viewer, post_id, error=error)
    written, error = await attempt(
        session,
        comments.add_comment(
            session, viewer=viewer, post_id=post_id, body=text, parent_id=parent_id
        ),
    )
    if error is not None:
        return await _post_page(request, session, viewer, post_id, error=error)
    comment, unreachable = written
    return back(
        next or f"/posts/{post_id}",
        anchor=f"comment-{comment.id}",
        done="commented",
        unreachable=",".join(unreachable),
    )


async def _comment(session, viewer: User, comment_id: int) -> Comment:
    return await comments.access_comment(session, viewer=viewer, comment_id=comment_id)


@router.post("/comments/{comment_id}/edit")
async def edit_comment(
    request: Request, comment_id: ItemId, viewer: Viewer, session: Session, body: Body
):
    post_id = (await _comment(session, viewer, comment_id)).post_id
    written, error = await attempt(
        session, comments.edit_comment(session, viewer=viewer, comment_id=comment_id, body=body)
    )
    return await _refused_or_back(
        request,
        session,
        viewer,
        post_id,
        error,
        f"/posts/{post_id}",
        anchor=f"comment-{comment_id}",
        done="edited",
        unreachable=",".join(written[1]) if written else "",
    )


@router.post("/comments/{comment_id}/delete")
async def delete_comment(request: Request, comment_id: ItemId, viewer: Viewer, session: Session):
    post_id = (await _comment(session, viewer, comment_id)).post_id
    _nothing, error = await attempt(
        session, comments.delete_comment(session, viewer=viewer, comment_id=comment_id)
    )
    return await _refused_or_back(
        request,
        session,
        viewer,
        post_id,
        error,
        f"/posts/{post_id}",
        anchor=f"comment-{comment_id}",
        done="comment_deleted",
    )


def _reaction_choice(reaction: str) -> tuple[ReactionKind, bool]:
    """A reaction button says the kind and the state it asks for: ``like:on``."""
    kind, _sep, state = reaction.partition(":")
    if kind not in ReactionKind._value2member_map_ or state not in ("on", "off"):
        raise Invalid(_("Unknown reaction."), code="reaction")
    return ReactionKind(kind), state == "on"


@router.post("/posts/{post_id}/reactions")
async def react_to_post(
    request: Request,
    post_id: ItemId,
    viewer: Viewer,
    session: Session,
    reaction: Annotated[str, Form(max_length=30)],
    next: Next = "/",
):
    """Without scripts, each reaction button is a form; with them, stream.js calls
    the API in place."""
    kind, on = _reaction_choice(reaction)
    change = reactions.react if on else reactions.unreact
    _nothing, error = await attempt(
        session, change(session, viewer=viewer, kind=kind, post_id=post_id)
    )
    return await _refused_or_back(request, session, viewer, post_id, error, next)


@router.post("/comments/{comment_id}/reactions")
async def react_to_comment(
    request: Request,
    comment_id: ItemId,
    viewer: Viewer,
    session: Session,
    reaction: Annotated[str, Form(max_length=30)],
    next: Next = "",
):
    kind, on = _reaction_choice(reaction)
    post_id = (await _comment(session, viewer, comment_id)).post_id
    change = reactions.react if on else reactions.unreact
    _nothing, error = await attempt(
        session, change(session, viewer=viewer, kind=kind, comment_id=comment_id)
    )
    return await _refused_or_back(
        request,
        session,
        viewer,
        post_id,
        error,
        next or f"/posts/{post_id}",
        anchor=f"comment-{comment_id}",
    )


@router.post("/posts/{post_id}/vote")
async def vote(
    request: Request,
    post_id: ItemId,
    viewer: Viewer,
    session: Session,
    option_ids: Annotated[list[int], Form(max_length=10)] = (),
    next: Next = "/",
):
    _nothing, error = await attempt(
        session, posts.vote(session, viewer=viewer, post_id=post_id, option_ids=list(option_ids))
    )
    return await _refused_or_back(request, session, viewer, post_id, error, next, done="voted")


@router.post("/posts/{post_id}/confirm")
async def confirm_announcement(
    request: Request, post_id: ItemId, viewer: Viewer, session: Session, next: Next = "/"
):
    _nothing, error = await attempt(
        session, posts.confirm_announcement(session, viewer=viewer, post_id=post_id)
    )
    return await _refused_or_back(request, session, viewer, post_id, error, next, done="confirmed")


@router.post("/posts/{post_id}/answer")
async def accept_answer(
    request: Request,
    post_id: ItemId,
    viewer: Viewer,
    session: Session,
    comment_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
):
    """Marks one comment as the question's answer; without a comment, clears it."""
    _post, error = await attempt(
        session,
        posts.accept_answer(session, viewer=viewer, post_id=post_id, comment_id=comment_id),
    )
    return await _refused_or_back(
        request,
        session,
        viewer,
        post_id,
        error,
        f"/posts/{post_id}",
        anchor=f"comment-{comment_id}" if comment_id else "",
        done="answer",
    )


# --- hashtags and people ------------------------------------------------------------


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
        older=_link(f"/hashtags/{tag}", cursor=next_cursor) if next_cursor else None,
        done=done,
    )


@router.post("/hashtags/{name}/follow")
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


Handle = Annotated[str, Path(min_length=1, max_length=40)]


@router.get("/people")
async def people_directory(
    request: Request,
    viewer: Viewer,
    session: Session,
    q: Annotated[str, Query(max_length=100)] = "",
    cursor: Annotated[str | None, Query(max_length=200)] = None,
):
    """Everyone the viewer may know of, by name: all active accounts for
    employees; for externals, the people of their spaces and the authors of what
    they may read (the service applies the policy)."""
    found = await people.list_people(
        session,
        viewer=viewer,
        limit=PEOPLE_PAGE + 1,
        after=decode_name_cursor(cursor),
        query=q.strip() or None,
    )
    next_cursor = next_name_cursor(found, PEOPLE_PAGE, "display_name")
    return render(
        request,
        "stream/people.html",
        people=found[:PEOPLE_PAGE],
        q=q,
        next_page=_link("/people", q=q or None, cursor=next_cursor) if next_cursor else None,
    )


@router.get("/people/{handle}")
async def person_page(
    request: Request,
    handle: Handle,
    viewer: Viewer,
    session: Session,
    cursor: CursorQuery = None,
    done: Done = None,
):
    """A person's name, kind and posts (those the viewer may read): where
    mentions lead, and the directory at /people."""
    person = await people.access_person(session, viewer=viewer, handle=handle)
    found = await feed.stream(
        session,
        viewer=viewer,
        limit=FEED_PAGE + 1,
        before_id=decode_id_cursor(cursor),
        filters=feed.StreamFilters(author_id=person.id),
    )
    next_cursor = next_id_cursor(found, FEED_PAGE)
    followed = await follows.followed_ids(session, viewer=viewer, kind=FollowKind.USER)
    return render(
        request,
        "stream/person.html",
        **await show_stream(session, viewer, found[:FEED_PAGE]),
        person=person,
        following=person.id in followed,
        older=_link(f"/people/{person.handle}", cursor=next_cursor) if next_cursor else None,
        done=done,
    )


@router.post("/people/{handle}/follow")
async def follow_person(
    handle: Handle, viewer: Viewer, session: Session, following: Annotated[bool, Form()]
):
    person = await people.access_person(session, viewer=viewer, handle=handle)
    change = follows.follow if following else follows.unfollow
    await change(session, viewer=viewer, kind=FollowKind.USER, target=str(person.id))
    return back(f"/people/{person.handle}", done="followed" if following else "unfollowed")


# --- notifications ------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """A notification as its reader sees it: a sentence and where it leads."""

    notification: ShownNotification
    text: str
    link: str | None


def describe(notification: ShownNotification) -> Notice:
    """The sentence of a notification, from its kind and the names it carries
    (read when it is shown, only while its reader may see what it is about). The
    person is the one it concerns (a contractor) or else the one who acted."""
    data = notification.data or {}
    names = {
        "actor": data.get("actor_name") or _("A colleague"),
        "person": data.get("user_name") or data.get("actor_name") or _("Someone"),
        "space": data.get("space_name") or _("a space"),
    }
    on_comment = bool(data.get("comment_id"))
    post_link = None
    if notification.post_id is not None:
        post_link = f"/posts/{notification.post_id}"
        if on_comment:
            post_link += f"#comment-{data['comment_id']}"
    space_link = f"/spaces/{data['space_id']}" if data.get("space_id") else None
    kind = notification.kind
    if kind == "mention":
        text = (
            _("%(actor)s mentioned you in a comment.")
            if on_comment
            else _("%(actor)s mentioned you in a post.")
        )
    elif kind == "reply":
        text = _("%(actor)s replied to you.")
    elif kind == "reaction":
        reaction = data.get("reaction", "")
        names["reaction"] = (
            reaction_label(reaction) if reaction in ReactionKind._value2member_map_ else reaction
        )
        text = (
            _("%(actor)s reacted to your comment: %(reaction)s.")
            if on_comment
            else _("%(actor)s reacted to your post: %(reaction)s.")
        )
    elif kind == "announcement":
        text = _("%(actor)s published an announcement: confirm that you have read it.")
    elif kind == "accepted_answer":
        text = _("%(actor)s accepted your answer.")
    elif kind == "invitation":
        text = _("%(actor)s invited you to join %(space)s.")
        space_link = "/spaces"  # where invitations are answered
    elif kind == "invitation_answered":
        text = (
            _("%(person)s accepted your invitation to %(space)s.")
            if data.get("accepted")
            else _("%(person)s declined your invitation to %(space)s.")
        )
    elif kind == "join_request":
        text = _("%(person)s asks to join %(space)s.")
        space_link = f"{space_link}?tab=members" if space_link else None
    elif kind == "join_request_decided":
        text = (
            _("Your request to join %(space)s was approved.")
            if data.get("approved")
            else _("Your request to join %(space)s was declined.")
        )
    elif kind == "contractor_access_ending":
        names["date"] = str(data.get("access_ends_at", ""))[:10]
        text = _("The access of %(person)s, a contractor you sponsor, ends on %(date)s.")
    elif kind == "wiki_page_changed" and notification.page_id is not None:
        names["title"] = data.get("title") or _("a wiki page")
        text = _("%(actor)s changed the wiki page “%(title)s”.")
        space_link = f"/wiki/pages/{notification.page_id}"
    else:
        text = _("Something happened that concerns you.")
    return Notice(notification=notification, text=text % names, link=post_link or space_link)


@router.get("/notifications")
async def notifications_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    cursor: CursorQuery = None,
    done: Done = None,
):
    found = await notifications.list_notifications(
        session, viewer=viewer, limit=NOTIFICATIONS_PAGE + 1, before_id=decode_id_cursor(cursor)
    )
    next_cursor = next_id_cursor(found, NOTIFICATIONS_PAGE)
    return render(
        request,
        "stream/notifications.html",
        notices=[describe(found_one) for found_one in found[:NOTIFICATIONS_PAGE]],
        older=_link("/notifications", cursor=next_cursor) if next_cursor else None,
        preferences=await notifications.preferences(session, viewer=viewer),
        done=done,
    )


@router.post("/notifications/read")
async def mark_notifications_read(
    viewer: Viewer,
    session: Session,
    ids: Annotated[list[int], Form(max_length=500)] = (),
    everything: Annotated[bool, Form()] = False,
    next: Next = "/notifications",
):
    """One (or some) by id, or all of them."""
    await notifications.mark_read(
        session, viewer=viewer, ids=None if everything else [i for i in ids if 1 <= i <= MAX_ID]
    )
    return back(next, done="read")


@router.post("/notifications/preferences")
async def save_notification_preferences(
    viewer: Viewer,
    session: Session,
    kinds: Annotated[list[str], Form(max_length=50)] = (),
):
    """Each kind ticked is on; each kind left unticked is off."""
    await notifications.set_preferences(
        session,
        viewer=viewer,
        changes={kind: kind in kinds for kind in notifications.KINDS},
    )
    return back("/notifications", anchor="preferences", done="preferences")
