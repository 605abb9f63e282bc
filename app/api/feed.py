"""The home feed, a space's stream, hashtags and follows."""

import re
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from app.api.deps import Flag, ItemId, Session, Viewer
from app.api.pagination import Cursor, Limit, decode_id_cursor, next_id_cursor
from app.api.posts import post_read, show_page
from app.markdown import HASHTAG_NAME, normalise_hashtag
from app.models import FollowKind, PostKind
from app.schemas.common import Page, RowId
from app.schemas.post import FollowsRead, PostRead, TrendingHashtag
from app.services import feed, follows

router = APIRouter(tags=["stream"])

# A hashtag as the API takes it: the name a post's #tag has, with or without its
# "#". Compiled, so that pydantic checks it with Python's re, the engine of the
# services' own check, and the document states it as the pattern.
HASHTAG = re.compile(rf"^#?({HASHTAG_NAME.pattern})$")
HashtagName = Annotated[str, Path(pattern=HASHTAG)]


def _named(given: str) -> str:
    """What a parameter checked by HASHTAG names, without its "#" (and without the
    line end that ``$`` lets through)."""
    return HASHTAG.search(given)[1]


def _tag(given: str) -> str:
    return normalise_hashtag(_named(given))


@router.get("/feed", response_model=Page[PostRead])
async def home_feed(
    viewer: Viewer,
    session: Session,
    limit: Limit = 20,
    cursor: Cursor = None,
    space_id: RowId | None = None,
    author_id: RowId | None = None,
    hashtag: Annotated[str | None, Query(pattern=HASHTAG)] = None,
    kind: PostKind | None = None,
    unanswered: Flag = False,
    to_confirm: Flag = False,
):
    """Newest first: the company stream, joined and followed spaces, followed
    people and hashtags; or one space, author or hashtag when filtered."""
    filters = feed.StreamFilters(
        space_id=space_id,
        author_id=author_id,
        hashtag=_tag(hashtag) if hashtag is not None else None,
        kind=kind,
        unanswered=unanswered,
        to_confirm=to_confirm,
    )
    found = await feed.stream(
        session,
        viewer=viewer,
        limit=limit + 1,
        before_id=decode_id_cursor(cursor),
        filters=filters,
    )
    return await show_page(session, viewer, found, limit)


@router.get("/spaces/{space_id}/posts", response_model=Page[PostRead])
async def space_posts(
    space_id: ItemId, viewer: Viewer, session: Session, limit: Limit = 20, cursor: Cursor = None
):
    """Pinned posts first (on the first page), then the newest."""
    pinned, found = await feed.space_stream(
        session,
        viewer=viewer,
        space_id=space_id,
        limit=limit + 1,
        before_id=decode_id_cursor(cursor),
    )
    views = await feed.show_posts(session, viewer=viewer, posts=[*pinned, *found[:limit]])
    return {"items": [post_read(v) for v in views], "next_cursor": next_id_cursor(found, limit)}


@router.get("/hashtags/trending", response_model=list[TrendingHashtag])
async def trending(viewer: Viewer, session: Session, window: Literal["24h", "7d"] = "24h"):
    rows = await feed.trending_hashtags(session, viewer=viewer, window=window)
    return [TrendingHashtag(name=name, count=count) for name, count in rows]


@router.get("/hashtags/{name}/posts", response_model=Page[PostRead])
async def hashtag_posts(
    name: HashtagName, viewer: Viewer, session: Session, limit: Limit = 20, cursor: Cursor = None
):
    found = await feed.stream(
        session,
        viewer=viewer,
        limit=limit + 1,
        before_id=decode_id_cursor(cursor),
        filters=feed.StreamFilters(hashtag=_tag(name)),
    )
    return await show_page(session, viewer, found, limit)


@router.get("/follows", response_model=FollowsRead)
async def list_follows(viewer: Viewer, session: Session):
    return await follows.list_follows(session, viewer=viewer)


# The paths name what is followed as GET /follows lists it: users, spaces, hashtags.
FOLLOWED = {"users": FollowKind.USER, "spaces": FollowKind.SPACE, "hashtags": FollowKind.HASHTAG}
Followed = Literal["users", "spaces", "hashtags"]


@router.put("/follows/{kind}/{target}", status_code=204, response_class=Response)
async def follow(kind: Followed, target: HashtagName, viewer: Viewer, session: Session) -> None:
    """``target``: a user or space id, or a hashtag's name."""
    await follows.follow(session, viewer=viewer, kind=FOLLOWED[kind], target=_named(target))


@router.delete("/follows/{kind}/{target}", status_code=204, response_class=Response)
async def unfollow(kind: Followed, target: HashtagName, viewer: Viewer, session: Session) -> None:
    await follows.unfollow(session, viewer=viewer, kind=FOLLOWED[kind], target=_named(target))
