"""What a task links to: a post, a wiki page or an event of its own space.

A link is written only to an item its writer may read, and shown only to a
reader who may read the item too: for anyone else it is as if absent (its
title, or even that there is one, would tell of something hidden)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import readable
from app.errors import Invalid
from app.i18n import _
from app.models import CalendarEvent, Post, Task, User, WikiPage


@dataclass(frozen=True)
class Links:
    post_id: int | None = None
    page_id: int | None = None
    calendar_event_id: int | None = None


@dataclass(frozen=True)
class LinkedPost:
    id: int
    excerpt: str


@dataclass(frozen=True)
class LinkedPage:
    id: int
    title: str
    space_id: int | None
    slug: str


@dataclass(frozen=True)
class LinkedEvent:
    id: int
    title: str
    starts_at: datetime


@dataclass(frozen=True)
class ShownLinks:
    """The links of a task its reader may follow (None: none, or hidden)."""

    post: LinkedPost | None = None
    page: LinkedPage | None = None
    event: LinkedEvent | None = None


def _readable_posts(viewer: User):
    return select(Post).where(Post.deleted_at.is_(None), readable(viewer, Post))


def _readable_pages(viewer: User):
    return select(WikiPage).where(WikiPage.deleted_at.is_(None), readable(viewer, WikiPage))


def _readable_events(viewer: User):
    return select(CalendarEvent).where(readable(viewer, CalendarEvent))


async def check_links(session: AsyncSession, *, viewer: User, space_id: int, links: Links) -> None:
    """Each link names an item of the space that the viewer may read; one they
    may not is refused as one that does not exist."""
    wanted = (
        (links.post_id, _readable_posts(viewer), Post),
        (links.page_id, _readable_pages(viewer), WikiPage),
        (links.calendar_event_id, _readable_events(viewer), CalendarEvent),
    )
    for item_id, query, model in wanted:
        if item_id is None:
            continue
        found = await session.scalar(query.where(model.id == item_id, model.space_id == space_id))
        if found is None:
            raise Invalid(
                _("A link names nothing of this space you may read."), code="unknown_link"
            )


async def links_kept(session: AsyncSession, *, viewer: User, task: Task, links: Links) -> Links:
    """``links`` as a change of the task gives them, but with each link the
    viewer may not read kept where the change gives none: it was shown to them
    as absent, so leaving it out removes nothing."""
    shown = (await shown_links(session, viewer=viewer, tasks=[task]))[task.id]
    return Links(
        post_id=links.post_id or (task.post_id if shown.post is None else None),
        page_id=links.page_id or (task.page_id if shown.page is None else None),
        calendar_event_id=links.calendar_event_id
        or (task.calendar_event_id if shown.event is None else None),
    )


async def shown_links(session: AsyncSession, *, viewer: User, tasks: list[Task]) -> dict:
    """{task id: ShownLinks} of what each task links to that the viewer may read."""
    post_ids = {task.post_id for task in tasks} - {None}
    page_ids = {task.page_id for task in tasks} - {None}
    event_ids = {task.calendar_event_id for task in tasks} - {None}
    posts, pages, events = {}, {}, {}
    if post_ids:
        found = await session.scalars(_readable_posts(viewer).where(Post.id.in_(post_ids)))
        posts = {post.id: LinkedPost(post.id, post.body[:120]) for post in found}
    if page_ids:
        found = await session.scalars(_readable_pages(viewer).where(WikiPage.id.in_(page_ids)))
        pages = {
            page.id: LinkedPage(page.id, page.title, page.space_id, page.slug) for page in found
        }
    if event_ids:
        found = await session.scalars(
            _readable_events(viewer).where(CalendarEvent.id.in_(event_ids))
        )
        events = {event.id: LinkedEvent(event.id, event.title, event.starts_at) for event in found}
    return {
        task.id: ShownLinks(
            post=posts.get(task.post_id),
            page=pages.get(task.page_id),
            event=events.get(task.calendar_event_id),
        )
        for task in tasks
    }


@dataclass(frozen=True)
class Linkable:
    """What a task of a space may link to, as its writer may choose it."""

    pages: list[LinkedPage]
    events: list[LinkedEvent]


LINKABLE_LIMIT = 100


async def linkable(session: AsyncSession, *, viewer: User, space_id: int) -> Linkable:
    """The wiki pages (by title) and events (latest first) of the space the
    viewer may read, a hundred of each, for a form to offer."""
    pages = await session.scalars(
        _readable_pages(viewer)
        .where(WikiPage.space_id == space_id)
        .order_by(WikiPage.title, WikiPage.id)
        .limit(LINKABLE_LIMIT)
    )
    events = await session.scalars(
        _readable_events(viewer)
        .where(CalendarEvent.space_id == space_id)
        .order_by(CalendarEvent.starts_at.desc(), CalendarEvent.id)
        .limit(LINKABLE_LIMIT)
    )
    return Linkable(
        pages=[LinkedPage(page.id, page.title, page.space_id, page.slug) for page in pages],
        events=[LinkedEvent(event.id, event.title, event.starts_at) for event in events],
    )
