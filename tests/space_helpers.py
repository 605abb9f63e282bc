"""Small helpers shared by the API tests of spaces, membership, invitations,
offboarding, audit, charter and contractor expiry (not factories: those live in
tests/factories.py)."""

from urllib.parse import urlsplit

import httpx
from sqlalchemy import select

from app.access import readable
from app.models import Membership, Notification, Post, User

ADMIN_SCOPES = ("read", "write", "admin")


def ids(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def token_of(accept_url: str) -> str:
    """The secret at the end of an e-mail invitation's acceptance link."""
    return urlsplit(accept_url).path.rsplit("/", 1)[-1]


async def admin_client(make) -> tuple[User, httpx.AsyncClient]:
    admin = await make.user(role="admin", clearance="secret")
    return admin, await make.bearer(admin, scopes=ADMIN_SCOPES)


async def member_space_ids(session, user: User) -> set[int]:
    return set(
        await session.scalars(select(Membership.space_id).where(Membership.user_id == user.id))
    )


async def role_of(session, space_id: int, user_id: int):
    return await session.scalar(
        select(Membership.role).where(
            Membership.space_id == space_id, Membership.user_id == user_id
        )
    )


async def notifications_of(session, user: User, kind: str) -> list[Notification]:
    return list(
        await session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id, Notification.kind == kind)
            .order_by(Notification.id)
        )
    )


async def readable_post_ids(session, viewer: User, posts: list[Post]) -> set[int]:
    """The posts among ``posts`` that the policy's SQL clause lets ``viewer`` read."""
    return set(
        await session.scalars(
            select(Post.id).where(Post.id.in_([p.id for p in posts]), readable(viewer, Post))
        )
    )
