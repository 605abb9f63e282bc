"""Writing a plan in bulk: the rows the services would write, action after
action (posts, comments, mentions, hashtags, polls, reactions, votes, accepted
answers, confirmations, notifications and the activity log), built in memory
and inserted a table at a time. Writing the demo's five weeks through the
services takes ~40 ms an action on SQLite, a minute in all; this takes
seconds. tests/test_demo.py holds it to app/demo/writing.py, row for row.

Every action is checked with the policy's own rules (app/access.py) before
it is written, as the services would check it; a plan that breaks one is a
bug of the demo and stops the seeding. The activity rows are the record of
what happened; they are not announced live (nobody listens while seeding)."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import (
    ItemRef,
    Reader,
    can_read,
    check_can_write_in,
    check_no_write_up,
    check_not_below,
)
from app.demo.plan import (
    Plan,
    PlannedAnswer,
    PlannedComment,
    PlannedConfirmation,
    PlannedPost,
    PlannedReaction,
    PlannedVote,
)
from app.errors import NotFound
from app.markdown import Rendered, render
from app.models import (
    Activity,
    AnnouncementRead,
    Comment,
    Hashtag,
    Membership,
    Mention,
    Notification,
    NotificationPreference,
    PollOption,
    PollVote,
    Post,
    PostHashtag,
    PostKind,
    PostReaction,
    Space,
    SpaceRole,
    User,
)
from app.services.posts import check_may_moderate_in


@dataclass
class _World:
    """Everyone and every space as the policy sees them, loaded once."""

    users: dict[int, User]
    readers: dict[int, Reader]
    roles: dict[tuple[int, int], SpaceRole]  # (space id, user id): role
    spaces: dict[int, Space]
    muted: set[tuple[int, str]]  # (user id, kind) turned off

    def item(self, post: Post) -> ItemRef:
        space = self.spaces.get(post.space_id) if post.space_id else None
        return ItemRef(
            space_id=post.space_id,
            space_visibility=space.visibility if space else None,
            level=post.level,
            author_id=post.author_id,
            audience=None,
        )

    def check_may_write(self, user: User, post: Post) -> None:
        """What access_post and place_to_write check before writing under a post."""
        if not can_read(self.readers[user.id], self.item(post)):
            raise NotFound()
        space = self.spaces.get(post.space_id) if post.space_id else None
        check_can_write_in(user, space, self.roles.get((post.space_id, user.id)))


@dataclass
class _Rows:
    """What is written, in the order the services would write it."""

    mentions: list[dict] = field(default_factory=list)
    notifications: list[dict] = field(default_factory=list)
    activity: list[dict] = field(default_factory=list)
    reactions: list[dict] = field(default_factory=list)
    votes: dict[tuple[int, int], dict] = field(default_factory=dict)
    reads: list[dict] = field(default_factory=list)
    accepted: list[dict] = field(default_factory=list)


async def _load_world(session: AsyncSession) -> _World:
    users = {user.id: user for user in await session.scalars(select(User))}
    spaces = {space.id: space for space in await session.scalars(select(Space))}
    memberships = (await session.execute(select(Membership))).scalars().all()
    member_of: dict[int, set[int]] = defaultdict(set)
    for membership in memberships:
        member_of[membership.user_id].add(membership.space_id)
    readers = {
        user.id: Reader(
            user_id=user.id,
            kind=user.kind,
            clearance=user.clearance,
            is_active=user.is_active,
            member_space_ids=frozenset(member_of[user.id]),
        )
        for user in users.values()
    }
    muted = set(
        (
            await session.execute(
                select(NotificationPreference.user_id, NotificationPreference.kind).where(
                    NotificationPreference.enabled.is_(False)
                )
            )
        ).all()
    )
    return _World(
        users=users,
        readers=readers,
        roles={(m.space_id, m.user_id): m.role for m in memberships},
        spaces=spaces,
        muted=muted,
    )


class _Writer:
    """Replays the plan's actions in time order, each adding the rows its
    service would add (the posts and comments are inserted already: their ids
    are in the rows)."""

    def __init__(self, world: _World, people: dict[str, User]):
        self.world = world
        self.people = people
        self.by_handle = {user.handle: user for user in world.users.values()}
        self.rows = _Rows()
        self.posts: list[Post] = []  # the plan's posts, as written
        self.comments: list[Comment] = []
        self.options: dict[int, list[int]] = {}  # post id: option ids by position
        self.reaction_counts: dict[int, Counter] = defaultdict(Counter)
        self.confirmations: Counter = Counter()
        self.reacted: set[tuple] = set()

    def event(self, kind: str, post: Post, at: datetime, user_id: int | None = None, **payload):
        """The activity row record_event writes for an event about ``post``."""
        self.rows.activity.append(
            {
                "kind": kind,
                "post_id": post.id,
                "page_id": None,
                "space_id": post.space_id,
                "level": post.level,
                "has_audience": False,
                "audience": None,
                "author_id": post.author_id,
                "user_id": user_id,
                "payload": payload,
                "created_at": at,
            }
        )

    def notify(
        self,
        post: Post,
        kind: str,
        actor: User,
        at: datetime,
        user_ids: set[int] | None = None,
        **data,
    ) -> None:
        """notify_readers: those who may read the post and want ``kind``, never the actor."""
        item = self.world.item(post)
        candidates = self.world.users if user_ids is None else user_ids
        chosen = sorted(
            user_id
            for user_id in candidates
            if user_id != actor.id
            and (user_id, kind) not in self.world.muted
            and can_read(self.world.readers[user_id], item)
        )
        for user_id in chosen:
            self.rows.notifications.append(
                {
                    "user_id": user_id,
                    "kind": kind,
                    "actor_id": actor.id,
                    "post_id": post.id,
                    "page_id": None,
                    "data": data,
                    "created_at": at,
                }
            )
        for user_id in chosen:
            self.event("notification.created", post, at, user_id=user_id, notification=kind)

    def mentions(self, post: Post, comment: Comment | None, body: str, actor: User, at) -> None:
        """record_body's mentions: stored, and told to those who may read the post."""
        handles = _render(body).mentions
        mentioned = [self.by_handle[h] for h in sorted(handles) if h in self.by_handle]
        if actor.is_external:
            # An external knows of the members of their spaces (and more, which the
            # plan never relies on): a mention beyond them is a bug of the plan.
            spaces = self.world.readers[actor.id].member_space_ids
            known = {u for (s, u) in self.world.roles if s in spaces} | {actor.id}
            if any(user.id not in known for user in mentioned):
                raise ValueError(f"the demo plan has {actor.handle} mention a stranger: {body}")
        for user in mentioned:
            self.rows.mentions.append(
                {
                    "post_id": post.id,
                    "comment_id": comment.id if comment else None,
                    "user_id": user.id,
                }
            )
        self.notify(
            post,
            "mention",
            actor,
            at,
            {user.id for user in mentioned},
            comment_id=comment.id if comment else None,
        )

    def post(self, index: int, planned: PlannedPost) -> None:
        post = self.posts[index]
        actor = self.world.users[post.author_id]
        self.mentions(post, None, planned.body, actor, planned.at)
        if planned.kind is PostKind.ANNOUNCEMENT:
            self.notify(post, "announcement", actor, planned.at)
        self.event(
            "post.created", post, planned.at, author_id=actor.id, post_kind=planned.kind.value
        )

    def comment(self, index: int, planned: PlannedComment) -> None:
        comment = self.comments[index]
        post = self.posts[planned.post]
        actor = self.people[planned.author]
        self.mentions(post, comment, planned.body, actor, planned.at)
        parent = None if planned.parent is None else self.comments[planned.parent]
        told = {post.author_id, *([parent.author_id] if parent else [])} - {None, actor.id}
        if told:
            self.notify(post, "reply", actor, planned.at, told, comment_id=comment.id)
        self.event(
            "comment.created",
            post,
            planned.at,
            comment_id=comment.id,
            parent_id=comment.parent_id,
        )

    def reaction(self, planned: PlannedReaction) -> None:
        post = self.posts[planned.post]
        actor = self.people[planned.person]
        self.world.check_may_write(actor, post)
        counts = self.reaction_counts[post.id]
        key = (post.id, actor.id, planned.kind)
        if key in self.reacted:  # reacting twice keeps one reaction
            return
        self.reacted.add(key)
        self.rows.reactions.append(
            {
                "post_id": post.id,
                "user_id": actor.id,
                "kind": planned.kind,
                "created_at": planned.at,
            }
        )
        counts[planned.kind.value] += 1
        if post.author_id is not None and post.author_id != actor.id:
            self.notify(
                post,
                "reaction",
                actor,
                planned.at,
                {post.author_id},
                reaction=planned.kind.value,
                comment_id=None,
            )
        self.event("reaction.changed", post, planned.at, comment_id=None, reactions=dict(counts))

    def vote(self, planned: PlannedVote) -> None:
        post = self.posts[planned.post]
        actor = self.people[planned.person]
        self.world.check_may_write(actor, post)
        if post.kind is not PostKind.POLL:
            raise ValueError("the demo plan votes on a post that is no poll")
        self.rows.votes[(post.id, actor.id)] = {
            "option_id": self.options[post.id][planned.option],
            "user_id": actor.id,
            "post_id": post.id,
            "created_at": planned.at,
        }
        voters = sum(1 for (post_id, _user) in self.rows.votes if post_id == post.id)
        self.event("poll.voted", post, planned.at, voters=voters)

    def answer(self, planned: PlannedAnswer) -> None:
        post = self.posts[planned.post]
        comment = self.comments[planned.comment]
        actor = self.world.users[post.author_id]
        if post.kind is not PostKind.QUESTION or comment.post_id != post.id:
            raise ValueError("the demo plan accepts an answer that is none")
        self.rows.accepted.append({"post_id": post.id, "comment_id": comment.id})
        if comment.author_id not in (None, actor.id):
            self.notify(
                post,
                "accepted_answer",
                actor,
                planned.at,
                {comment.author_id},
                comment_id=comment.id,
            )
        self.event("question.answered", post, planned.at, comment_id=comment.id)

    def confirmation(self, planned: PlannedConfirmation) -> None:
        post = self.posts[planned.post]
        actor = self.people[planned.person]
        if not can_read(self.world.readers[actor.id], self.world.item(post)):
            raise NotFound()
        if post.kind is not PostKind.ANNOUNCEMENT:
            raise ValueError("the demo plan confirms a post that is no announcement")
        self.rows.reads.append({"post_id": post.id, "user_id": actor.id, "created_at": planned.at})
        self.confirmations[post.id] += 1
        self.event(
            "announcement.confirmed", post, planned.at, confirmations=self.confirmations[post.id]
        )


def _post_row(world: _World, planned: PlannedPost, author: User, space_id: int | None) -> dict:
    """publish_post's checks and the row it writes (the share's origin is set
    once the ids are known)."""
    space = world.spaces.get(space_id) if space_id else None
    role = world.roles.get((space_id, author.id))
    check_can_write_in(author, space, role)
    if planned.level is None:
        raise ValueError("a post written in bulk says its level")
    check_no_write_up(author, planned.level)
    if planned.kind is PostKind.ANNOUNCEMENT:
        check_may_moderate_in(author, space, role)
    if (planned.kind is PostKind.POLL) != (planned.poll is not None):
        raise ValueError("a demo poll needs options, and only a poll has them")
    return {
        "author_id": author.id,
        "space_id": space_id,
        "level": planned.level,
        "has_audience": False,
        "kind": planned.kind,
        "body": planned.body,
        "body_html": _render(planned.body).html,
        "created_at": planned.at,
    }


def _check_share(world: _World, share: Post, original: Post) -> None:
    """No write-down: every reader of the share may read the original."""
    check_not_below(original.level, share.level)
    share_ref, original_ref = world.item(share), world.item(original)
    for reader in world.readers.values():
        if can_read(reader, share_ref) and not can_read(reader, original_ref):
            raise ValueError("a demo share would open a post to new readers")


@lru_cache(maxsize=2048)
def _render(body: str) -> Rendered:
    """Many comments say the same ("Merci pour l'info !"): rendered once."""
    return render(body)


async def _insert(session: AsyncSession, model, rows: list[dict]) -> list[int]:
    """Inserts ``rows`` in their order and returns their ids. PostgreSQL
    returns them in order in batches; SQLite would take one statement a row for
    that, so there the ids are given: this transaction has written already and
    holds SQLite's only write lock, so nobody else takes the next ones."""
    if not rows:
        return []
    if session.bind.dialect.name != "sqlite":
        result = await session.execute(
            insert(model).returning(model.id, sort_by_parameter_order=True), rows
        )
        return list(result.scalars())
    first = (await session.scalar(select(func.max(model.id))) or 0) + 1
    ids = list(range(first, first + len(rows)))
    await session.execute(
        insert(model.__table__), [{"id": id_, **row} for id_, row in zip(ids, rows, strict=True)]
    )
    return ids


async def write_in_bulk(
    session: AsyncSession, plan: Plan, people: dict[str, User], spaces: dict[str, Space]
) -> tuple[list[int], list[int]]:
    """Returns the ids of the plan's posts and comments, in the plan's order."""
    world = await _load_world(session)
    space_ids = {slug: space.id for slug, space in spaces.items()}

    # Posts (in time order: their ids follow it), then what depends on their ids.
    post_rows = [
        _post_row(
            world,
            planned,
            people[planned.author],
            space_ids[planned.space] if planned.space else None,
        )
        for planned in plan.posts
    ]
    post_ids = await _insert(session, Post, post_rows)
    posts = [Post(id=post_id, **row) for post_id, row in zip(post_ids, post_rows, strict=True)]
    shares = []
    for planned, post in zip(plan.posts, posts, strict=True):
        if planned.shared_from is not None:
            original = posts[planned.shared_from]
            _check_share(world, post, original)
            post.shared_from_id = original.id
            shares.append({"id": post.id, "shared_from_id": original.id})
    if shares:
        await session.execute(update(Post), shares)

    # Comments, after the checks add_comment makes.
    comment_rows = []
    for planned in plan.comments:
        author, post = people[planned.author], posts[planned.post]
        world.check_may_write(author, post)
        if planned.parent is not None:
            parent = plan.comments[planned.parent]
            if parent.post != planned.post or parent.parent is not None:
                raise ValueError("a demo reply must answer a top-level comment of its post")
        comment_rows.append(
            {
                "post_id": post.id,
                "author_id": author.id,
                "body": planned.body,
                "body_html": _render(planned.body).html,
                "created_at": planned.at,
            }
        )
    comment_ids = await _insert(session, Comment, comment_rows)
    comments = [
        Comment(id=comment_id, **row)
        for comment_id, row in zip(comment_ids, comment_rows, strict=True)
    ]
    replies = []
    for planned, comment in zip(plan.comments, comments, strict=True):
        if planned.parent is not None:
            comment.parent_id = comments[planned.parent].id
            replies.append({"id": comment.id, "parent_id": comment.parent_id})
    if replies:
        await session.execute(update(Comment), replies)

    # Poll options and hashtags, in the order the posts made them.
    option_rows = [
        {"post_id": post.id, "position": position, "label": label.strip()}
        for planned, post in zip(plan.posts, posts, strict=True)
        for position, label in enumerate(planned.poll or ())
    ]
    option_ids = await _insert(session, PollOption, option_rows)
    await _hashtags(session, plan, posts)

    writer = _Writer(world, people)
    writer.posts, writer.comments = posts, comments
    for row, option_id in zip(option_rows, option_ids, strict=True):
        writer.options.setdefault(row["post_id"], []).append(option_id)
    for index, action in plan.timeline():
        match action:
            case PlannedPost():
                writer.post(index, action)
            case PlannedComment():
                writer.comment(index, action)
            case PlannedReaction():
                writer.reaction(action)
            case PlannedVote():
                writer.vote(action)
            case PlannedAnswer():
                writer.answer(action)
            case PlannedConfirmation():
                writer.confirmation(action)
    rows = writer.rows
    if rows.accepted:
        await session.execute(
            update(Post),
            [
                {"id": row["post_id"], "accepted_comment_id": row["comment_id"]}
                for row in rows.accepted
            ],
        )
    for model, table_rows in (
        (Mention, rows.mentions),
        (PostReaction, rows.reactions),
        (PollVote, list(rows.votes.values())),
        (AnnouncementRead, rows.reads),
        (Notification, rows.notifications),
        (Activity, rows.activity),
    ):
        if table_rows:  # Core: one executemany (the ORM's bulk insert went row by row)
            await session.execute(insert(model.__table__), table_rows)
    return post_ids, comment_ids


async def _hashtags(session: AsyncSession, plan: Plan, posts: list[Post]) -> None:
    """The hashtags the posts carry, made where missing in the order
    hashtag_ids would make them, and each post's links to them."""
    tags = [sorted(_render(planned.body).hashtags) for planned in plan.posts]
    known = dict(
        (
            await session.execute(
                select(Hashtag.name, Hashtag.id).where(
                    Hashtag.name.in_({tag for names in tags for tag in names})
                )
            )
        ).all()
    )
    fresh = list(dict.fromkeys(tag for names in tags for tag in names if tag not in known))
    known.update(
        zip(fresh, await _insert(session, Hashtag, [{"name": n} for n in fresh]), strict=True)
    )
    links = [
        {"post_id": post.id, "hashtag_id": known[tag], "created_at": post.created_at}
        for names, post in zip(tags, posts, strict=True)
        for tag in names
    ]
    if links:
        await session.execute(insert(PostHashtag.__table__), links)
