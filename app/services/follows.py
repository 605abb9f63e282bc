"""Following people, spaces and hashtags: what feeds the home stream beyond the
company stream and one's own spaces. Joining a space follows it."""

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import can_read_container, knowable_among, load_reader
from app.db import insert_unless_taken
from app.errors import Forbidden, Invalid, NotFound
from app.i18n import _
from app.markdown import HASHTAG_NAME, normalise_hashtag
from app.models import Follow, FollowKind, Hashtag, User
from app.services.hashtags import hashtag_ids
from app.services.people import access_person
from app.services.spaces import access_space


async def hashtag_id(session: AsyncSession, name: str, *, create: bool) -> int | None:
    name = normalise_hashtag(name.lstrip("#"))
    # Only a name a post could carry: anything else would be a tag nothing ever reaches.
    if not HASHTAG_NAME.fullmatch(name):
        raise Invalid(
            _("A hashtag has up to 50 letters, digits, dashes or underscores."), code="hashtag"
        )
    if create:
        return (await hashtag_ids(session, {name}))[name]
    return await session.scalar(select(Hashtag.id).where(Hashtag.name == name))


async def _target(session: AsyncSession, viewer: User, kind: FollowKind, target: str) -> int:
    if kind is FollowKind.HASHTAG:
        return await hashtag_id(session, target, create=True)
    if not target.isdigit():
        raise NotFound()
    target_id = int(target)
    if kind is FollowKind.USER:
        # Someone the viewer may not know of answers as if the account did not exist.
        return (await access_person(session, viewer=viewer, user_id=target_id)).id
    space = await access_space(session, viewer=viewer, space_id=target_id)
    if not can_read_container(await load_reader(session, viewer), space.id, space.visibility):
        raise Forbidden(_("Join this space to follow it."), code="not_member")
    return space.id


async def follow(session: AsyncSession, *, viewer: User, kind: FollowKind, target: str) -> None:
    target_id = await _target(session, viewer, kind, target)
    if await session.get(Follow, (viewer.id, kind, target_id)) is None:
        # Following twice at once (a double click) keeps one follow, not a 500.
        await insert_unless_taken(
            session, Follow(user_id=viewer.id, kind=kind, target_id=target_id)
        )


async def unfollow(session: AsyncSession, *, viewer: User, kind: FollowKind, target: str) -> None:
    if kind is FollowKind.HASHTAG:
        target_id = await hashtag_id(session, target, create=False)
    else:
        target_id = int(target) if target.isdigit() else None
    if target_id is not None:
        await session.execute(
            delete(Follow).where(
                Follow.user_id == viewer.id, Follow.kind == kind, Follow.target_id == target_id
            )
        )


async def followed_ids(session: AsyncSession, *, viewer: User, kind: FollowKind) -> list[int]:
    return list(
        await session.scalars(
            select(Follow.target_id).where(Follow.user_id == viewer.id, Follow.kind == kind)
        )
    )


async def list_follows(session: AsyncSession, *, viewer: User) -> dict[str, list]:
    """What the viewer follows: people (those they may still know of) and spaces
    by id, hashtags by name."""
    rows = (
        await session.execute(
            select(Follow.kind, Follow.target_id, Hashtag.name)
            .outerjoin(
                Hashtag, (Follow.kind == FollowKind.HASHTAG) & (Hashtag.id == Follow.target_id)
            )
            .where(Follow.user_id == viewer.id)
        )
    ).all()
    users = [target for kind, target, _name in rows if kind is FollowKind.USER]
    known = await knowable_among(session, viewer, users)
    return {
        "users": [target for target in users if target in known],
        "spaces": [target for kind, target, _name in rows if kind is FollowKind.SPACE],
        "hashtags": [name for kind, _target, name in rows if kind is FollowKind.HASHTAG],
    }
