"""Streams of posts — the home feed, a space's stream, a hashtag's, one
person's — and what each post is shown with.

A stream is a per-source top-k merge: one index range per source (a container,
a followed person, a followed hashtag), each already filtered by the policy
clause and cut at the page size, then merged by id. The obvious single query
with ``space_id IN (...) OR ...`` makes SQLite sort the whole table (see
ARCHITECTURE.md, performance notes). A page then costs a fixed number of
queries whatever its size: ``show_posts`` loads everything around the posts in
one query per kind of thing.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import lru_cache
from itertools import chain

from sqlalchemy import BigInteger, Select, and_, bindparam, case, exists, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import (
    AnyViewer,
    can_read_container,
    knowable_among,
    load_reader,
    readable,
    viewer_values,
)
from app.db import plan_statements, rows_by_id
from app.errors import Forbidden
from app.i18n import _
from app.levels import AccountKind
from app.models import (
    AnnouncementRead,
    Comment,
    Follow,
    FollowKind,
    Hashtag,
    Idea,
    Membership,
    PollOption,
    PollVote,
    Post,
    PostHashtag,
    PostKind,
    PostReaction,
    Space,
    User,
)
from app.models.base import utcnow
from app.services.comments import CommentView
from app.services.files.attachments import attachments_of
from app.services.files.uploads import FileView
from app.services.spaces import access_space

# Followed people and hashtags that feed the home stream, at most: each is one
# index range per page.
MAX_FOLLOWED_SOURCES = 200
# Containers that get a range of their own; any more share one range. SQLite
# refuses a UNION of more than 500 SELECTs, and one person may join or follow
# hundreds of spaces: 1 + 90 + 200 + 200 stays under that limit, and so does
# 1 + 96 + 1 + 200 + 200 once the sources are padded (_padded).
MAX_CONTAINER_RANGES = 90
# Padding of the home feed's sources: an id no row has, so a padded range is an
# empty index probe.
NO_SOURCE = 0
# Home-feed statements kept built: 2,000 viewers' first pages take ~120 shapes.
HOME_STATEMENTS = 256
FIRST_COMMENTS = 2
TRENDING_WINDOWS = {"24h": timedelta(hours=24), "7d": timedelta(days=7)}


@dataclass(frozen=True)
class StreamFilters:
    space_id: int | None = None
    author_id: int | None = None
    hashtag: str | None = None
    kind: PostKind | None = None
    unanswered: bool = False
    to_confirm: bool = False
    # A space's stream shows its pinned posts apart, above the first page.
    unpinned: bool = False


def _conditions(viewer: User, filters: StreamFilters, before_id: int | None) -> list:
    """What every source of a stream applies before cutting its range."""
    conditions = [Post.deleted_at.is_(None), readable(viewer, Post)]
    if before_id is not None:
        conditions.append(Post.id < before_id)
    if filters.kind is not None:
        conditions.append(Post.kind == filters.kind)
    if filters.unpinned:
        conditions.append(Post.pinned_at.is_(None))
    if filters.unanswered:
        conditions += [Post.kind == PostKind.QUESTION, Post.accepted_comment_id.is_(None)]
    if filters.to_confirm:
        conditions += [
            Post.kind == PostKind.ANNOUNCEMENT,
            Post.author_id != viewer.id,
            ~exists().where(
                AnnouncementRead.post_id == Post.id, AnnouncementRead.user_id == viewer.id
            ),
        ]
    return conditions


def _range(source, conditions: list, limit: int, order_column=Post.id) -> Select:
    ranged = (
        select(Post.id.label("id"))
        .where(source, *conditions)
        .order_by(order_column.desc())
        .limit(limit)
    )
    return select(ranged.subquery().c.id)


def _hashtag_range(hashtag_id, conditions: list, limit: int) -> Select:
    ranged = (
        select(Post.id.label("id"))
        .join(PostHashtag, PostHashtag.post_id == Post.id)
        .where(PostHashtag.hashtag_id == hashtag_id, *conditions)
        .order_by(PostHashtag.post_id.desc())
        .limit(limit)
    )
    return select(ranged.subquery().c.id)


def _merged(ranges: list[Select], limit: int) -> Select:
    merged = union_all(*ranges).subquery()
    return (
        select(Post).where(Post.id.in_(select(merged.c.id))).order_by(Post.id.desc()).limit(limit)
    )


async def _home_sources(session: AsyncSession, viewer: User) -> tuple[list, list, list]:
    """Containers (the company stream, joined and followed spaces), followed
    people and followed hashtags."""
    rows = (
        await session.execute(
            select(Follow.kind, Follow.target_id)
            .where(Follow.user_id == viewer.id)
            .order_by(Follow.created_at.desc())
        )
    ).all()
    spaces = {target for kind, target in rows if kind is FollowKind.SPACE}
    spaces |= set(
        await session.scalars(select(Membership.space_id).where(Membership.user_id == viewer.id))
    )
    people = [target for kind, target in rows if kind is FollowKind.USER]
    hashtags = [target for kind, target in rows if kind is FollowKind.HASHTAG]
    return [None, *sorted(spaces)], people[:MAX_FOLLOWED_SOURCES], hashtags[:MAX_FOLLOWED_SOURCES]


def _container(space_id: int | None):
    return Post.space_id.is_(None) if space_id is None else Post.space_id == space_id


async def stream(
    session: AsyncSession,
    *,
    viewer: User,
    limit: int,
    before_id: int | None = None,
    filters: StreamFilters = StreamFilters(),
) -> list[Post]:
    """Newest first. Without a space, author or hashtag filter: the home feed
    (company stream, joined and followed spaces, followed people and hashtags)."""
    if filters.space_id is None and filters.author_id is None and filters.hashtag is None:
        return await _home_feed(
            session, viewer=viewer, limit=limit, before_id=before_id, filters=filters
        )
    conditions = _conditions(viewer, filters, before_id)
    if filters.space_id is not None:
        ranges = [_range(_container(filters.space_id), conditions, limit)]
    elif filters.author_id is not None:
        ranges = [_range(Post.author_id == filters.author_id, conditions, limit)]
    else:
        tag = await session.scalar(select(Hashtag.id).where(Hashtag.name == filters.hashtag))
        if tag is None:
            return []
        ranges = [_hashtag_range(tag, conditions, limit)]
    return list(await session.scalars(_merged(ranges, limit)))


# --- the home feed: one statement per shape ---------------------------------------
#
# The home feed unites one range per source (~20 for a typical viewer, up to
# ~500). Building that tree and its cache key for every request cost more than
# running it, and every number of sources was a new SQL text to prepare and
# plan. So the statement is built once per shape, with bind parameters where
# the viewer and the sources go, and the numbers of sources are padded to few
# sizes.


@dataclass(frozen=True)
class _HomeShape:
    """All the home feed's statement depends on, once the viewer's id and
    clearance and the sources' ids are parameters."""

    kind: AccountKind
    is_active: bool
    filters: StreamFilters
    with_cursor: bool
    limit: int
    spaces: int
    shared_spaces: int
    people: int
    hashtags: int


def _padded(count: int) -> int:
    """Exact up to 2, then 4, then multiples of 8: ~120 shapes instead of ~640
    distinct statements for the first pages of 2,000 viewers."""
    if count <= 2:
        return count
    if count <= 4:
        return 4
    return -(-count // 8) * 8


def _slots(prefix: str, count: int) -> list:
    return [bindparam(f"{prefix}{index}") for index in range(count)]


def _slot_values(prefix: str, ids: list[int], count: int) -> dict[str, int]:
    padded = [*ids, *[NO_SOURCE] * (count - len(ids))]
    return {f"{prefix}{index}": source for index, source in enumerate(padded)}


@lru_cache(maxsize=HOME_STATEMENTS)
def _home_statement(shape: _HomeShape) -> Select:
    """The home feed of every viewer of ``shape``, built once; ``_home_feed``
    binds the viewer's and the sources' values."""
    viewer = AnyViewer(kind=shape.kind, is_active=shape.is_active)
    before_id = bindparam("before_id", type_=BigInteger) if shape.with_cursor else None
    conditions = _conditions(viewer, shape.filters, before_id)
    ranges = [_range(Post.space_id.is_(None), conditions, shape.limit)]
    ranges += [
        _range(Post.space_id == space, conditions, shape.limit)
        for space in _slots("s", shape.spaces)
    ]
    if shape.shared_spaces:
        shared = Post.space_id.in_(_slots("x", shape.shared_spaces))
        ranges.append(_range(shared, conditions, shape.limit))
    ranges += [
        _range(Post.author_id == person, conditions, shape.limit)
        for person in _slots("p", shape.people)
    ]
    ranges += [_hashtag_range(tag, conditions, shape.limit) for tag in _slots("t", shape.hashtags)]
    return _merged(ranges, shape.limit)


async def _home_feed(
    session: AsyncSession,
    *,
    viewer: User,
    limit: int,
    before_id: int | None,
    filters: StreamFilters,
) -> list[Post]:
    containers, people, hashtags = await _home_sources(session, viewer)
    # containers[0] is the company stream, a range of every shape.
    spaces = containers[1:MAX_CONTAINER_RANGES]
    shared_spaces = containers[MAX_CONTAINER_RANGES:]
    shape = _HomeShape(
        kind=viewer.kind,
        is_active=viewer.is_active,
        filters=filters,
        with_cursor=before_id is not None,
        limit=limit,
        spaces=_padded(len(spaces)),
        shared_spaces=_padded(len(shared_spaces)),
        people=_padded(len(people)),
        hashtags=_padded(len(hashtags)),
    )
    values = {
        **viewer_values(viewer),
        **_slot_values("s", spaces, shape.spaces),
        **_slot_values("x", shared_spaces, shape.shared_spaces),
        **_slot_values("p", people, shape.people),
        **_slot_values("t", hashtags, shape.hashtags),
    }
    if before_id is not None:
        values["before_id"] = before_id
    # The home statement keeps its generic plan: every range of it is an index
    # range whatever the values, and planning it anew for each viewer cost more
    # than running it (and JIT compiling its estimate, ~600 ms for a 2 ms query).
    await plan_statements(session, "force_generic_plan")
    return list(await session.scalars(_home_statement(shape), values))


async def pinned_posts(session: AsyncSession, *, viewer: User, space_id: int) -> list[Post]:
    return list(
        await session.scalars(
            select(Post)
            .where(
                Post.space_id == space_id,
                Post.pinned_at.is_not(None),
                Post.deleted_at.is_(None),
                readable(viewer, Post),
            )
            .order_by(Post.pinned_at.desc())
        )
    )


async def trending_hashtags(
    session: AsyncSession, *, viewer: User, window: str, limit: int = 10
) -> list[tuple[str, int]]:
    """Counted only over posts the viewer may read: a tag used only in places
    the viewer cannot see does not trend for them."""
    since = utcnow() - TRENDING_WINDOWS[window]
    uses = func.count(PostHashtag.post_id)
    rows = await session.execute(
        select(Hashtag.name, uses)
        .join(PostHashtag, PostHashtag.hashtag_id == Hashtag.id)
        .join(Post, Post.id == PostHashtag.post_id)
        .where(PostHashtag.created_at >= since, Post.deleted_at.is_(None), readable(viewer, Post))
        .group_by(Hashtag.name)
        .order_by(uses.desc(), Hashtag.name)
        .limit(limit)
    )
    return [(name, count) for name, count in rows.all()]


# --- what a post is shown with --------------------------------------------------


@dataclass
class PollView:
    multiple: bool
    closes_at: object
    closed: bool
    options: list[tuple[int, str]]
    # Counts are shown once the viewer has voted or the poll is closed.
    counts: dict[int, int] | None
    my_votes: set[int]


@dataclass
class PostView:
    post: Post
    author: User | None
    space: Space | None
    comment_count: int = 0
    reactions: dict[str, int] = field(default_factory=dict)
    my_reactions: set[str] = field(default_factory=set)
    # Its first top-level comments, with their authors and files.
    first_comments: list[CommentView] = field(default_factory=list)
    # The audience's people the viewer may know of; the others only counted.
    audience: list[int] | None = None
    audience_others: int = 0
    poll: PollView | None = None
    confirmed_by_me: bool | None = None
    confirmations: int | None = None
    shared: "PostView | None" = None
    attachments: list[FileView] = field(default_factory=list)
    # An idea's side: its title and status, shown with it in the stream.
    idea: Idea | None = None


async def show_posts(session: AsyncSession, *, viewer: User, posts: list[Post]) -> list[PostView]:
    """Everything a list of posts is shown with, in a fixed number of queries."""
    if not posts:
        return []
    originals = await _originals(session, viewer, posts)
    everything = [*posts, *originals.values()]
    ids = [post.id for post in everything]
    people = await rows_by_id(session, User, {p.author_id for p in everything if p.author_id})
    spaces = await rows_by_id(session, Space, {p.space_id for p in everything if p.space_id})
    reactions, mine = await _reactions(session, viewer, ids)
    comment_counts, first = await _comments(session, ids, {post.id for post in posts})
    audiences = await _audiences(session, [p.id for p in everything if p.has_audience])
    known = await knowable_among(session, viewer, {i for ids in audiences.values() for i in ids})
    polls = await _polls(session, viewer, [p for p in posts if p.kind is PostKind.POLL])
    confirmations = await _confirmations(
        session, viewer, [p.id for p in posts if p.kind is PostKind.ANNOUNCEMENT]
    )
    ideas = await _ideas(session, [p.id for p in everything if p.kind is PostKind.IDEA])
    files = await attachments_of(
        session,
        post_ids=[p.id for p in everything if not p.deleted_at],
        comment_ids=[shown.comment.id for shown in chain.from_iterable(first.values())],
    )

    def view(post: Post) -> PostView:
        shown = PostView(
            post=post,
            author=people.get(post.author_id),
            space=spaces.get(post.space_id),
            comment_count=comment_counts.get(post.id, 0),
            reactions=reactions.get(post.id, {}),
            my_reactions=mine.get(post.id, set()),
            first_comments=[
                replace(shown, attachments=files.get(("comment", shown.comment.id), []))
                for shown in first.get(post.id, [])
            ],
            # An empty audience is not "no audience": the post is its author's alone.
            audience=[i for i in audiences.get(post.id, []) if i in known]
            if post.has_audience
            else None,
            audience_others=sum(i not in known for i in audiences.get(post.id, [])),
            poll=polls.get(post.id),
            attachments=files.get(("post", post.id), []),
            idea=ideas.get(post.id),
        )
        if post.kind is PostKind.ANNOUNCEMENT:
            shown.confirmed_by_me, shown.confirmations = confirmations.get(post.id, (False, 0))
        return shown

    views = []
    for post in posts:
        shown = view(post)
        original = originals.get(post.shared_from_id)
        shown.shared = view(original) if original is not None else None
        views.append(shown)
    return views


async def _originals(session: AsyncSession, viewer: User, posts: list[Post]) -> dict[int, Post]:
    """The posts these ones share, when the viewer may read them."""
    shared_ids = {post.shared_from_id for post in posts if post.shared_from_id}
    if not shared_ids:
        return {}
    found = await session.scalars(
        select(Post).where(Post.id.in_(shared_ids), readable(viewer, Post))
    )
    return {post.id: post for post in found}


async def _reactions(
    session: AsyncSession, viewer: User, post_ids: list[int]
) -> tuple[dict[int, dict[str, int]], dict[int, set[str]]]:
    """Per post: the count of each kind of reaction, and the kinds the viewer
    gave, in one statement."""
    given_by_viewer = func.max(case((PostReaction.user_id == viewer.id, 1), else_=0))
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    mine: dict[int, set[str]] = defaultdict(set)
    for post_id, kind, count, given in (
        await session.execute(
            select(PostReaction.post_id, PostReaction.kind, func.count(), given_by_viewer)
            .where(PostReaction.post_id.in_(post_ids))
            .group_by(PostReaction.post_id, PostReaction.kind)
        )
    ).all():
        counts[post_id][kind.value] = count
        if given:
            mine[post_id].add(kind.value)
    return counts, mine


async def _comments(
    session: AsyncSession, post_ids: list[int], with_first: set[int]
) -> tuple[dict[int, int], dict[int, list[CommentView]]]:
    """Per post: how many comments and replies it has, tombstones left out, and,
    for the posts of ``with_first``, its first top-level comments, in one
    statement. Top-level comments are numbered first, so the first rows of a
    post are top-level when it has any; every post with a comment has a row 1,
    which carries its count."""
    position = func.row_number().over(
        partition_by=Comment.post_id, order_by=(Comment.parent_id.is_not(None), Comment.id)
    )
    numbered = (
        select(
            Comment.id,
            position.label("position"),
            func.count().over(partition_by=Comment.post_id).label("total"),
        )
        .where(Comment.post_id.in_(post_ids), Comment.deleted_at.is_(None))
        .subquery()
    )
    rows = await session.execute(
        select(Comment, User, numbered.c.total)
        .join(numbered, and_(numbered.c.id == Comment.id, numbered.c.position <= FIRST_COMMENTS))
        .outerjoin(User, User.id == Comment.author_id)
        .order_by(Comment.id)
    )
    counts: dict[int, int] = {}
    first: dict[int, list] = defaultdict(list)
    for comment, author, total in rows.all():
        counts[comment.post_id] = total
        if comment.parent_id is None and comment.post_id in with_first:
            first[comment.post_id].append(CommentView(comment=comment, author=author))
    return counts, first


async def _audiences(session: AsyncSession, post_ids: list[int]) -> dict[int, list[int]]:
    if not post_ids:
        return {}
    audience = Post.__audience__
    found: dict[int, list[int]] = defaultdict(list)
    for content_id, user_id in (
        await session.execute(
            select(audience.c.content_id, audience.c.user_id).where(
                audience.c.content_id.in_(post_ids)
            )
        )
    ).all():
        found[content_id].append(user_id)
    return found


async def _ideas(session: AsyncSession, post_ids: list[int]) -> dict[int, Idea]:
    """The idea side of posts already read (and so their campaigns)."""
    if not post_ids:
        return {}
    return {
        idea.post_id: idea
        for idea in await session.scalars(select(Idea).where(Idea.post_id.in_(post_ids)))
    }


async def _polls(session: AsyncSession, viewer: User, polls: list[Post]) -> dict[int, PollView]:
    if not polls:
        return {}
    ids = [post.id for post in polls]
    options: dict[int, list[tuple[int, str]]] = defaultdict(list)
    counts: dict[int, int] = {}
    for option_id, post_id, label, votes in (
        await session.execute(
            select(
                PollOption.id, PollOption.post_id, PollOption.label, func.count(PollVote.user_id)
            )
            .outerjoin(PollVote, PollVote.option_id == PollOption.id)
            .where(PollOption.post_id.in_(ids))
            .group_by(PollOption.id, PollOption.post_id, PollOption.label, PollOption.position)
            .order_by(PollOption.post_id, PollOption.position)
        )
    ).all():
        options[post_id].append((option_id, label))
        counts[option_id] = votes
    my_votes: dict[int, set[int]] = defaultdict(set)
    for post_id, option_id in (
        await session.execute(
            select(PollVote.post_id, PollVote.option_id).where(
                PollVote.post_id.in_(ids), PollVote.user_id == viewer.id
            )
        )
    ).all():
        my_votes[post_id].add(option_id)
    now = utcnow()
    views = {}
    for post in polls:
        closed = post.poll_closes_at is not None and post.poll_closes_at <= now
        show_counts = closed or bool(my_votes[post.id])
        views[post.id] = PollView(
            multiple=post.poll_multiple,
            closes_at=post.poll_closes_at,
            closed=closed,
            options=options[post.id],
            counts={oid: counts[oid] for oid, _label in options[post.id]} if show_counts else None,
            my_votes=my_votes[post.id],
        )
    return views


async def _confirmations(
    session: AsyncSession, viewer: User, post_ids: list[int]
) -> dict[int, tuple[bool, int]]:
    """Per announcement: whether the viewer confirmed it, and how many did."""
    if not post_ids:
        return {}
    counts = dict(
        (
            await session.execute(
                select(AnnouncementRead.post_id, func.count())
                .where(AnnouncementRead.post_id.in_(post_ids))
                .group_by(AnnouncementRead.post_id)
            )
        ).all()
    )
    mine = set(
        await session.scalars(
            select(AnnouncementRead.post_id).where(
                AnnouncementRead.post_id.in_(post_ids), AnnouncementRead.user_id == viewer.id
            )
        )
    )
    return {post_id: (post_id in mine, counts.get(post_id, 0)) for post_id in post_ids}


async def space_stream(
    session: AsyncSession, *, viewer: User, space_id: int, limit: int, before_id: int | None
) -> tuple[list[Post], list[Post]]:
    """A space's pinned posts (on the first page only) and its stream without them,
    so that every page is cut from the same list. A space the viewer may see but
    not read (a private one, from outside) is refused."""
    space = await access_space(session, viewer=viewer, space_id=space_id)
    if not can_read_container(await load_reader(session, viewer), space.id, space.visibility):
        raise Forbidden(_("Only members read this space."), code="not_member")
    pinned = (
        await pinned_posts(session, viewer=viewer, space_id=space.id) if before_id is None else []
    )
    posts = await stream(
        session,
        viewer=viewer,
        limit=limit,
        before_id=before_id,
        filters=StreamFilters(space_id=space.id, unpinned=True),
    )
    return pinned, posts
