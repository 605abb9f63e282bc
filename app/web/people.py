"""The directory of people, a person's page with their posts (where mention links
lead), and following a person."""

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request

from app.api.deps import Session, Viewer
from app.api.pagination import (
    decode_id_cursor,
    decode_name_cursor,
    next_id_cursor,
    next_name_cursor,
)
from app.models import FollowKind
from app.services import feed, follows, people
from app.web.form_errors import form_page, page_again
from app.web.routes import render
from app.web.stream_shared import FEED_PAGE, CursorQuery, Done, back, page_link, show_stream

router = APIRouter(include_in_schema=False)

PEOPLE_PAGE = 30

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
        next_page=page_link("/people", q=q or None, cursor=next_cursor) if next_cursor else None,
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
        older=page_link(f"/people/{person.handle}", cursor=next_cursor) if next_cursor else None,
        done=done,
    )


@router.post("/people/{handle}/follow")
@form_page(page_again(person_page))
async def follow_person(
    handle: Handle, viewer: Viewer, session: Session, following: Annotated[bool, Form()]
):
    person = await people.access_person(session, viewer=viewer, handle=handle)
    change = follows.follow if following else follows.unfollow
    await change(session, viewer=viewer, kind=FollowKind.USER, target=str(person.id))
    return back(f"/people/{person.handle}", done="followed" if following else "unfollowed")
