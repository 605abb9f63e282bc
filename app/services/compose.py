"""What the pages offer a writer before and while they write: the places they
may post in, the levels they may post at, whether they may announce or
moderate, and the people and hashtags suggested as they type. The rules stay
those of ``app/access.py`` and of the posts service: this module only asks
them, so a form never offers what the service would refuse, and a suggestion
never names what the writer may not know of."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import (
    ItemRef,
    check_can_write_in,
    check_no_write_up,
    default_level_for,
    mentionable_people,
    readable,
)
from app.errors import AppError
from app.levels import Level
from app.markdown import normalise_hashtag
from app.models import (
    Follow,
    FollowKind,
    Hashtag,
    Membership,
    Post,
    PostHashtag,
    Space,
    SpaceRole,
    User,
)
from app.services.content import item_ref
from app.services.people import named_like
from app.services.posts import access_post, check_may_moderate_in, check_may_write, place_to_write

# As many suggestions as a list under a text box shows.
SUGGESTIONS = 8


@dataclass(frozen=True)
class Place:
    """Somewhere the viewer may publish: the company stream (``space`` None) or a space."""

    space: Space | None
    role: SpaceRole | None
    # The container's default level, lowered to the viewer's clearance.
    default_level: Level
    may_announce: bool
    # Alumni and contractors may read what is public here: the company stream,
    # or a space open to external accounts.
    reaches_externals: bool


def writable_levels(viewer: User) -> list[Level]:
    """The levels the viewer may write at (none above their clearance)."""
    levels = []
    for level in Level:
        try:
            check_no_write_up(viewer, level)
        except AppError:
            continue
        levels.append(level)
    return levels


def allows(check, *args) -> bool:
    """Whether a write rule passes: a page offers only what its service accepts."""
    try:
        check(*args)
    except AppError:
        return False
    return True


def place_for(viewer: User, space: Space | None, role: SpaceRole | None) -> Place | None:
    """The place, or None when the viewer may not write there (an archived space,
    a space they would have to join first)."""
    if not allows(check_can_write_in, viewer, space, role):
        return None
    return Place(
        space=space,
        role=role,
        default_level=default_level_for(
            viewer, space.default_level if space is not None else Level.INTERNAL
        ),
        may_announce=allows(check_may_moderate_in, viewer, space, role),
        reaches_externals=space is None or space.allows_externals,
    )


async def writable_places(session: AsyncSession, *, viewer: User) -> list[Place]:
    """The company stream first, then the spaces the viewer belongs to or follows
    and may write in, by name. (An employee may also write in any open space;
    the picker keeps to the spaces they chose, and a space's own page offers
    its composer.)"""
    followed = select(Follow.target_id).where(
        Follow.user_id == viewer.id, Follow.kind == FollowKind.SPACE
    )
    rows = await session.execute(
        select(Space, Membership.role)
        .outerjoin(
            Membership, and_(Membership.space_id == Space.id, Membership.user_id == viewer.id)
        )
        .where(or_(Membership.user_id.is_not(None), Space.id.in_(followed)))
        .order_by(Space.name, Space.id)
    )
    places = [place_for(viewer, None, None)]
    places += [place_for(viewer, space, role) for space, role in rows.all()]
    return [place for place in places if place is not None]


async def moderated_post_ids(
    session: AsyncSession, *, viewer: User, posts: Iterable[Post]
) -> set[int]:
    """Of these posts, those the viewer moderates (pins, deletes, sees who
    confirmed): their space's owners and moderators, and admins. One query."""
    posts = list(posts)
    space_ids = {post.space_id for post in posts if post.space_id is not None}
    found: dict[int, tuple[Space, SpaceRole | None]] = {}
    if space_ids:
        rows = await session.execute(
            select(Space, Membership.role)
            .outerjoin(
                Membership, and_(Membership.space_id == Space.id, Membership.user_id == viewer.id)
            )
            .where(Space.id.in_(space_ids))
        )
        found = {space.id: (space, role) for space, role in rows.all()}
    return {
        post.id
        for post in posts
        if allows(check_may_moderate_in, viewer, *found.get(post.space_id, (None, None)))
    }


async def may_write_under(session: AsyncSession, *, viewer: User, post: Post) -> bool:
    """Whether the viewer may comment, react and vote on the post (not in an
    archived space, not in a space they would have to join first)."""
    try:
        await check_may_write(session, viewer=viewer, post=post)
    except AppError:
        return False
    return True


# --- suggestions while writing ------------------------------------------------


async def _post_being_written(
    session: AsyncSession,
    *,
    viewer: User,
    space_id: int | None,
    level: Level | None,
    audience: list[int] | None,
) -> ItemRef:
    """The post the viewer is writing, as the policy sees it, checked as
    publishing it would be: a place they may write in, a level within their
    clearance. Nobody learns through suggestions who may read a place or a
    level they could not publish to."""
    space, _role = await place_to_write(session, viewer=viewer, space_id=space_id)
    level = level or default_level_for(
        viewer, space.default_level if space is not None else Level.INTERNAL
    )
    check_no_write_up(viewer, level)
    return ItemRef(
        space_id=space.id if space is not None else None,
        space_visibility=space.visibility if space is not None else None,
        level=level,
        author_id=viewer.id,
        audience=frozenset(audience) if audience is not None else None,
    )


async def mention_suggestions(
    session: AsyncSession,
    *,
    viewer: User,
    query: str,
    space_id: int | None = None,
    level: Level | None = None,
    audience: list[int] | None = None,
    post_id: int | None = None,
) -> list[User]:
    """People to offer after an "@": in a comment (``post_id``), the post's
    readers; in a post, the readers of the place, level and audience chosen so
    far. Only those the viewer may know of, never the viewer, by name."""
    if post_id is not None:
        post = await access_post(session, viewer=viewer, post_id=post_id)
        item = await item_ref(session, post)
    else:
        item = await _post_being_written(
            session, viewer=viewer, space_id=space_id, level=level, audience=audience
        )
    # A bot reads no notification: never offered.
    statement = select(User).where(
        mentionable_people(viewer, item), User.id != viewer.id, User.is_bot.is_(False)
    )
    if query.strip():
        statement = statement.where(named_like(query))
    return list(
        await session.scalars(statement.order_by(User.display_name, User.id).limit(SUGGESTIONS))
    )


async def hashtag_suggestions(session: AsyncSession, *, viewer: User, query: str) -> list[str]:
    """Hashtags to offer after a "#": those starting with ``query`` that a post
    the viewer may read carries, by name. A tag used only where the viewer may
    not read is never offered (it would tell what is written there), and no
    count is given."""
    prefix = normalise_hashtag(query.strip().lstrip("#"))
    in_readable_post = exists().where(
        PostHashtag.hashtag_id == Hashtag.id,
        Post.id == PostHashtag.post_id,
        Post.deleted_at.is_(None),
        readable(viewer, Post),
    )
    return list(
        await session.scalars(
            select(Hashtag.name)
            .where(Hashtag.name.startswith(prefix, autoescape=True), in_readable_post)
            .order_by(Hashtag.name)
            .limit(SUGGESTIONS)
        )
    )
