"""Small helpers shared by the tests of the activity stream: posts, comments,
reactions, polls, announcements, questions, the feed, follows and notifications
(not factories: those live in tests/factories.py)."""

import httpx
from sqlalchemy import select

from app.models import Notification, User

POSTS = "/api/v1/posts"
FEED = "/api/v1/feed"
NOTIFICATIONS = "/api/v1/notifications"


async def person(make, **fields) -> tuple[User, httpx.AsyncClient]:
    """An account and a bearer client for it (no CSRF, no slow password check)."""
    user = await make.user(**fields)
    return user, await make.bearer(user)


async def publish(client: httpx.AsyncClient, body: str = "Bonjour", **fields) -> dict:
    """POST /posts that must succeed; the created post as the API returns it."""
    response = await client.post(POSTS, json={"body": body, **fields})
    assert response.status_code == 201, response.text
    return response.json()


async def comment_on(
    client: httpx.AsyncClient, post_id: int, body: str = "Merci", parent_id: int | None = None
) -> dict:
    response = await client.post(
        f"{POSTS}/{post_id}/comments", json={"body": body, "parent_id": parent_id}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def read_post(client: httpx.AsyncClient, post_id: int) -> dict:
    response = await client.get(f"{POSTS}/{post_id}")
    assert response.status_code == 200, response.text
    return response.json()


def item_ids(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def notified(
    session, user: User, kind: str | None = None, post_id: int | None = None
) -> list[Notification]:
    """The notification rows stored for ``user`` (what was told, whatever is shown)."""
    statement = select(Notification).where(Notification.user_id == user.id)
    if kind is not None:
        statement = statement.where(Notification.kind == kind)
    if post_id is not None:
        statement = statement.where(Notification.post_id == post_id)
    return list(await session.scalars(statement.order_by(Notification.id)))


async def notified_user_ids(session, *, post_id: int, kind: str) -> set[int]:
    """Everyone told ``kind`` about one post."""
    return set(
        await session.scalars(
            select(Notification.user_id).where(
                Notification.post_id == post_id, Notification.kind == kind
            )
        )
    )
