"""Searching on behalf of a viewer: the query parsed, the filters checked, the
hits found under the policy (``app.search.engine``) and shown — each kind's
item read back, its snippet cut from the text it is indexed by
(``app.search.indexing.shown_texts``)."""

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import rows_by_id
from app.errors import Invalid
from app.i18n import _
from app.levels import Level
from app.models import (
    CalendarEvent,
    Comment,
    Post,
    SearchKind,
    Space,
    StoredFile,
    User,
    WikiPage,
)
from app.schemas.common import MAX_ID
from app.search import engine
from app.search.engine import Filters, Hit
from app.search.indexing import shown_texts
from app.search.query import Query, parse
from app.search.snippets import highlight
from app.services.compose import hashtag_suggestions
from app.services.files.uploads import content_url


def parse_query(text: str, *, prefix: bool = False) -> Query:
    query = parse(text, prefix=prefix)
    if query.is_empty:
        raise Invalid(_("Type at least one word to search for."), code="empty_query")
    return query


async def author_ids(session: AsyncSession, query: Query, author: str | None) -> frozenset | None:
    """The people named by ``author`` (an id or a handle) and the query's
    @handles. Whom nobody may know of finds nothing, like anyone whose writings
    the viewer may not read: the policy on the items decides, not this."""
    ids: set[int] = set()
    handles = list(query.handles)
    if author is not None:
        author = author.strip().lstrip("@").lower()
        if author.isdigit() and int(author) <= MAX_ID:
            ids.add(int(author))
        else:
            handles.append(author)
    if not ids and not handles:
        return None
    for handle in set(handles):
        found = await session.scalar(select(User.id).where(User.handle == handle))
        ids.add(found if found is not None else 0)
    return frozenset(ids)


def check_range(since: datetime | None, until: datetime | None) -> None:
    if since is not None and until is not None and since > until:
        raise Invalid(_("The start date is after the end date."), code="invalid_dates")


def decode_search_cursor(key) -> tuple[int, int] | None:
    if key is None:
        return None
    if not (
        isinstance(key, list)
        and len(key) == 2
        and all(type(part) is int for part in key)
        and key[0] in (0, 1)
        and 0 <= key[1] <= MAX_ID
    ):
        raise Invalid(_("The cursor is not valid."), code="invalid_cursor")
    return key[0], key[1]


async def build_filters(
    session: AsyncSession,
    query: Query,
    *,
    types: list[SearchKind] | None,
    space_id: int | None,
    author: str | None,
    since: datetime | None,
    until: datetime | None,
    level: Level | None,
) -> Filters:
    check_range(since, until)
    return Filters(
        types=frozenset(types) if types else None,
        space_id=space_id,
        author_ids=await author_ids(session, query, author),
        since=since,
        until=until,
        level=level,
    )


async def find(
    session: AsyncSession,
    *,
    viewer: User,
    text: str,
    types: list[SearchKind] | None = None,
    space_id: int | None = None,
    author: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    level: Level | None = None,
    after_key=None,
    limit: int,
) -> dict:
    """One page of a search as the API and the search page show it: the items,
    the key of the next page (band, entry id) if any, and the facets — all
    under the viewer's policy. ``after_key``: the decoded cursor, checked here."""
    query = parse_query(text)
    after = decode_search_cursor(after_key)
    filters = await build_filters(
        session,
        query,
        types=types,
        space_id=space_id,
        author=author,
        since=since,
        until=until,
        level=level,
    )
    hits, following = await engine.search(
        session, viewer=viewer, query=query, filters=filters, after=after, limit=limit
    )
    found = await engine.facets(
        session,
        viewer=viewer,
        query=query,
        filters=filters,
        whole=engine.whole_search(hits, after, following, filters),
    )
    return {
        "items": await show(session, query, hits),
        "following": list(following) if following else None,
        "facets": {
            "total": found.total,
            "capped": found.capped,
            "types": [{"type": kind, "count": count} for kind, count in found.types.items()],
            "spaces": [
                {"id": space_id, "name": name, "count": count}
                for space_id, name, count in found.spaces
            ],
        },
    }


# --- showing hits -----------------------------------------------------------------


def _author(user: User | None) -> dict | None:
    return (
        None
        if user is None
        else {"id": user.id, "handle": user.handle, "display_name": user.display_name}
    )


async def show(session: AsyncSession, query: Query, hits: list[Hit]) -> list[dict]:
    """The hits as the API gives them, in their order, each ``snippet`` a
    ``Snippet`` (escaped text, matches marked, as HTML). The items were found
    readable by the query that found them, in this transaction; their spaces
    and authors are shown with them (who may read an item may know of both)."""
    wanted: dict[SearchKind, set[int]] = defaultdict(set)
    for hit in hits:
        wanted[hit.kind].add(hit.item_id)
    posts = await rows_by_id(session, Post, wanted[SearchKind.POST])
    comments = await rows_by_id(session, Comment, wanted[SearchKind.COMMENT])
    posts |= await rows_by_id(session, Post, {c.post_id for c in comments.values()} - set(posts))
    pages = await rows_by_id(session, WikiPage, wanted[SearchKind.PAGE])
    files = await rows_by_id(session, StoredFile, wanted[SearchKind.FILE])
    events = await rows_by_id(session, CalendarEvent, wanted[SearchKind.EVENT])
    content = [*posts.values(), *comments.values(), *pages.values(), *events.values()]
    spaces = await rows_by_id(
        session,
        Space,
        wanted[SearchKind.SPACE]
        | {
            item.space_id
            for item in [*posts.values(), *pages.values(), *events.values()]
            if item.space_id
        },
    )
    people = await rows_by_id(
        session,
        User,
        wanted[SearchKind.PERSON] | {item.author_id for item in content if item.author_id},
    )

    texts = await session.run_sync(
        lambda sync: {
            kind: shown_texts(sync.connection(), kind, sorted(ids))
            for kind, ids in wanted.items()
            if ids
        }
    )
    texts = defaultdict(dict, texts)

    def space_of(space_id):
        space = spaces.get(space_id)
        return None if space is None else {"id": space.id, "name": space.name}

    shown = []
    for hit in hits:
        item_id = hit.item_id
        if hit.kind is SearchKind.POST and item_id in posts:
            post = posts[item_id]
            shown.append(
                dict(
                    title=None,
                    url=f"/posts/{post.id}",
                    space=space_of(post.space_id),
                    author=_author(people.get(post.author_id)),
                    created_at=post.created_at,
                    level=post.level,
                )
            )
        elif hit.kind is SearchKind.COMMENT and item_id in comments:
            comment = comments[item_id]
            post = posts[comment.post_id]
            shown.append(
                dict(
                    title=None,
                    url=f"/posts/{post.id}#comment-{comment.id}",
                    space=space_of(post.space_id),
                    author=_author(people.get(comment.author_id)),
                    created_at=comment.created_at,
                    level=post.level,
                )
            )
        elif hit.kind is SearchKind.PAGE and item_id in pages:
            page = pages[item_id]
            shown.append(
                dict(
                    title=page.title,
                    url=f"/wiki/pages/{page.id}",
                    space=space_of(page.space_id),
                    author=_author(people.get(page.author_id)),
                    created_at=page.created_at,
                    level=page.level,
                )
            )
        elif hit.kind is SearchKind.EVENT and item_id in events:
            event = events[item_id]
            shown.append(
                dict(
                    title=event.title,
                    url=f"/calendar/events/{event.id}",
                    space=space_of(event.space_id),
                    author=_author(people.get(event.author_id)),
                    created_at=event.created_at,
                    level=event.level,
                    starts_at=event.starts_at,
                    cancelled=event.cancelled_at is not None,
                )
            )
        elif hit.kind is SearchKind.SPACE and item_id in spaces:
            space = spaces[item_id]
            shown.append(
                dict(
                    title=space.name,
                    url=f"/spaces/{space.id}",
                    space=None,
                    author=None,
                    created_at=space.created_at,
                    level=None,
                )
            )
        elif hit.kind is SearchKind.PERSON and item_id in people:
            person = people[item_id]
            shown.append(
                dict(
                    title=person.display_name,
                    url=f"/people/{person.handle}",
                    space=None,
                    author=None,
                    created_at=person.created_at,
                    level=None,
                    avatar_file_id=person.avatar_file_id,
                )
            )
        elif hit.kind is SearchKind.FILE and item_id in files:
            stored = files[item_id]
            shown.append(
                dict(
                    title=stored.name,
                    url=content_url(stored.id),
                    space=None,
                    author=None,
                    created_at=stored.created_at,
                    level=None,
                )
            )
        else:
            continue
        text = texts[hit.kind].get(item_id, "")
        shown[-1].update(type=hit.kind, id=item_id, snippet=highlight(text, query))
    return shown


async def suggestions(session: AsyncSession, *, viewer: User, text: str) -> dict:
    """People, spaces and pages whose name starts with what is typed, and the
    hashtags of readable posts starting with it (a single word only)."""
    query = parse_query(text, prefix=True)
    words = text.split()
    # First: the engine's suggestions leave the transaction to one generic
    # plan per statement, which would not read the hashtags' prefix as a range.
    hashtags = (
        await hashtag_suggestions(session, viewer=viewer, query=words[0]) if len(words) == 1 else []
    )
    found = await engine.suggest(session, viewer=viewer, query=query)
    people = await rows_by_id(session, User, found[SearchKind.PERSON])
    spaces = await rows_by_id(session, Space, found[SearchKind.SPACE])
    pages = await rows_by_id(session, WikiPage, found[SearchKind.PAGE])
    return {
        "people": [
            {
                "type": SearchKind.PERSON,
                "id": person_id,
                "title": people[person_id].display_name,
                "url": f"/people/{people[person_id].handle}",
                "avatar_file_id": people[person_id].avatar_file_id,
            }
            for person_id in found[SearchKind.PERSON]
        ],
        "spaces": [
            {
                "type": SearchKind.SPACE,
                "id": space_id,
                "title": spaces[space_id].name,
                "url": f"/spaces/{space_id}",
            }
            for space_id in found[SearchKind.SPACE]
        ],
        "pages": [
            {
                "type": SearchKind.PAGE,
                "id": page_id,
                "title": pages[page_id].title,
                "url": f"/wiki/pages/{page_id}",
            }
            for page_id in found[SearchKind.PAGE]
        ],
        "hashtags": hashtags[: engine.SUGGESTIONS_EACH],
    }
