"""Search over everything the caller may read: results with snippets, facets
and keyset pages; suggestions as one types (docs/search.md)."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import Session, Viewer
from app.api.pagination import Cursor, decode_cursor, encode_cursor
from app.levels import Level
from app.models import SearchKind
from app.schemas.common import RowId, UtcDateTime
from app.schemas.search import SearchPage, Suggestions
from app.search.query import MAX_QUERY
from app.services import search

router = APIRouter(prefix="/search", tags=["search"])

Text = Annotated[
    str,
    Query(
        max_length=MAX_QUERY,
        description='Words (all must match, in any form), "a phrase", -excluded, #hashtag, '
        "@handle.",
    ),
]


@router.get("", response_model=SearchPage)
async def search_everything(
    viewer: Viewer,
    session: Session,
    q: Text,
    type: Annotated[
        list[SearchKind] | None,
        Query(
            max_length=len(SearchKind),
            description="Only these kinds of item (repeat the parameter).",
        ),
    ] = None,
    space: Annotated[
        RowId | None, Query(description="Posts, comments, pages and events of this space.")
    ] = None,
    author: Annotated[
        str | None,
        Query(max_length=60, description="Written by this person: an id or a handle."),
    ] = None,
    since: Annotated[
        UtcDateTime | None, Query(alias="from", description="Created at or after this time.")
    ] = None,
    until: Annotated[
        UtcDateTime | None, Query(alias="to", description="Created before this time.")
    ] = None,
    level: Annotated[
        Level | None,
        Query(description="Posts, comments, pages and events of exactly this level."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=50, description="Items per page (1-50).")] = 20,
    cursor: Cursor = None,
):
    """Ranked: items with every word in their title (name) first, then the
    rest; newest first within each. Counts stop at 1000 (``capped``)."""
    found = await search.find(
        session,
        viewer=viewer,
        text=q,
        types=type,
        space_id=space,
        author=author,
        since=since,
        until=until,
        level=level,
        after_key=decode_cursor(cursor),
        limit=limit,
    )
    for item in found["items"]:
        item["snippet"] = item["snippet"].__html__()
    following = found.pop("following")
    return {**found, "next_cursor": encode_cursor(following) if following else None}


@router.get("/suggestions", response_model=Suggestions)
async def suggest(
    viewer: Viewer,
    session: Session,
    q: Annotated[
        str,
        Query(max_length=MAX_QUERY, description="What is typed so far; its last word a prefix."),
    ],
):
    """People, spaces and wiki pages whose name holds a word starting with the
    last word typed, and hashtags of readable posts; a few of each."""
    return await search.suggestions(session, viewer=viewer, text=q)
