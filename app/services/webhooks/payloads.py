"""What a delivery says: the event as the hook may read it when it is sent.

Each event names its item by id in the activity log; the item is read again
here, as it stands now, and ``hook_may_read`` (app/access.py) decides: an item
deleted, raised above the hook's level, narrowed to an audience or not in the
hook's container gives no payload at all, and the delivery is withheld. What a
payload carries is what that reader may read: the item itself, its author,
the space it is in (the hook's own) — nothing else of the network.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import HookReader, hook_may_read
from app.markdown import with_site_links
from app.models import (
    Activity,
    CalendarEvent,
    Comment,
    Idea,
    Membership,
    Post,
    Space,
    Task,
    User,
    Webhook,
    WebhookEvent,
    WikiPage,
)
from app.services.content import item_ref

Data = dict[str, Any]


def event_of(activity_kind: str, payload: dict[str, Any]) -> WebhookEvent | None:
    """The webhook event an activity row is, if any (a membership change is
    one when it is a member joining)."""
    if activity_kind == "membership.changed":
        return WebhookEvent.MEMBER_JOINED if payload.get("joined") else None
    try:
        return WebhookEvent(activity_kind)
    except ValueError:
        return None


# The activity kinds that may become webhook events.
ACTIVITY_KINDS = tuple(
    {event.value for event in WebhookEvent if event is not WebhookEvent.MEMBER_JOINED}
    | {"membership.changed"}
)


def _person(user: User | None) -> Data | None:
    if user is None:
        return None
    return {
        "id": user.id,
        "handle": user.handle,
        "display_name": user.display_name,
        "is_bot": user.is_bot,
    }


class Reading:
    """The reads of one payload, each through the hook's rule."""

    def __init__(self, session: AsyncSession, hook: Webhook, public_url: str):
        self.session = session
        self.reader = HookReader(space_id=hook.space_id, level=hook.level)
        self.public_url = public_url.rstrip("/")

    def link(self, path: str) -> str:
        return f"{self.public_url}{path}"

    async def readable(self, item) -> bool:
        return item is not None and hook_may_read(self.reader, await item_ref(self.session, item))

    async def content(self, model, item_id: int | None):
        """The item of ``model`` the event names, if it is there and readable."""
        item = await self.session.get(model, item_id) if item_id else None
        if item is None or getattr(item, "deleted_at", None) is not None:
            return None
        return item if await self.readable(item) else None

    async def post_data(self, post: Post, *, full: bool) -> Data:
        data: Data = {"id": post.id, "url": self.link(f"/posts/{post.id}")}
        if full:
            data |= {
                "kind": post.kind.value,
                "level": post.level.value,
                "body": post.body,
                "body_html": with_site_links(post.body_html, self.public_url),
                "author": _person(await self.session.get(User, post.author_id)),
                "created_at": post.created_at.isoformat(),
            }
        return data

    async def comment(self, post: Post, comment_id: int | None) -> Comment | None:
        comment = await self.session.get(Comment, comment_id) if comment_id else None
        if comment is None or comment.deleted_at is not None or comment.post_id != post.id:
            return None
        return comment


async def event_data(
    session: AsyncSession, *, hook: Webhook, activity: Activity, public_url: str
) -> Data | None:
    """The ``data`` of the event's payload, or None when the hook may not read
    what it is about (now)."""
    read = Reading(session, hook, public_url)
    event = event_of(activity.kind, activity.payload)
    facts = activity.payload
    if event is WebhookEvent.MEMBER_JOINED:
        return await _member_joined(read, activity)
    if event in (WebhookEvent.WIKI_PAGE_CREATED, WebhookEvent.WIKI_PAGE_EDITED):
        page = await read.content(WikiPage, activity.page_id)
        if page is None:
            return None
        return {
            "page": {
                "id": page.id,
                "url": read.link(f"/wiki/pages/{page.id}"),
                "title": page.title,
                "level": page.level.value,
                "revision": page.revision,
                "body": page.body,
                "updated_by": _person(await session.get(User, page.updated_by_id)),
                "updated_at": page.updated_at.isoformat(),
            }
        }
    if event is WebhookEvent.CALENDAR_EVENT_CREATED:
        planned = await read.content(CalendarEvent, activity.calendar_event_id)
        if planned is None:
            return None
        return {
            "event": {
                "id": planned.id,
                "url": read.link(f"/calendar/events/{planned.id}"),
                "title": planned.title,
                "level": planned.level.value,
                "description": planned.description,
                "starts_at": planned.starts_at.isoformat(),
                "ends_at": planned.ends_at.isoformat(),
                "time_zone": planned.time_zone,
                "all_day": planned.all_day,
                "place": planned.place,
                "author": _person(await session.get(User, planned.author_id)),
            }
        }
    if event in (WebhookEvent.TASK_CREATED, WebhookEvent.TASK_MOVED):
        return await _task(read, activity)
    post = await read.content(Post, activity.post_id)
    if post is None:
        return None
    if event is WebhookEvent.POST_CREATED:
        return {"post": await read.post_data(post, full=True)}
    if event is WebhookEvent.COMMENT_CREATED:
        comment = await read.comment(post, facts.get("comment_id"))
        if comment is None:
            return None
        return {
            "post": await read.post_data(post, full=False),
            "comment": {
                "id": comment.id,
                "parent_id": comment.parent_id,
                "body": comment.body,
                "body_html": with_site_links(comment.body_html, read.public_url),
                "author": _person(await session.get(User, comment.author_id)),
                "created_at": comment.created_at.isoformat(),
            },
        }
    if event is WebhookEvent.REACTION_CHANGED:
        comment_id = facts.get("comment_id")
        if comment_id is not None and await read.comment(post, comment_id) is None:
            return None
        return {
            "post": await read.post_data(post, full=False),
            "comment_id": comment_id,
            "reactions": facts.get("reactions", {}),
        }
    if event is WebhookEvent.IDEA_MOVED:
        idea = await session.get(Idea, post.id)
        if idea is None:
            return None
        return {
            "idea": {
                "id": post.id,
                "url": read.link(f"/ideas/{post.id}"),
                "title": idea.title,
                "status": idea.status.value,
            }
        }
    return None


async def _task(read: Reading, activity: Activity) -> Data | None:
    """A task as it stands when the delivery is sent (its column then, which a
    later move may have changed since the event)."""
    task = await read.content(Task, activity.task_id)
    if task is None:
        return None
    return {
        "task": {
            "id": task.id,
            "url": read.link(f"/tasks/{task.id}"),
            "title": task.title,
            "description": task.description,
            "level": task.level.value,
            "status": task.status.value,
            "due_on": task.due_on.isoformat() if task.due_on else None,
            "author": _person(await read.session.get(User, task.author_id)),
        }
    }


async def _member_joined(read: Reading, activity: Activity) -> Data | None:
    """A joining is told while it stands: someone who already left is not."""
    session = read.session
    if not hook_may_read(read.reader, None, activity.space_id):
        return None
    still_member = await session.scalar(
        select(Membership.user_id).where(
            Membership.space_id == activity.space_id, Membership.user_id == activity.user_id
        )
    )
    space = await session.get(Space, activity.space_id)
    if still_member is None or space is None:
        return None
    return {
        "space": {"id": space.id, "name": space.name, "url": read.link(f"/spaces/{space.id}")},
        "member": _person(await session.get(User, activity.user_id)),
    }
