"""Posts: publishing, editing, deleting, pinning, sharing, announcements,
polls and questions. Every read goes through ``access_post``, which answers
NotFound alike for a missing post and for one the viewer may not read."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import (
    check_can_write_in,
    check_no_write_up,
    check_not_below,
    default_level_for,
    higher_level,
    knowable_among,
    knowable_people,
    reaches_beyond,
    readable,
    readers_of,
)
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.i18n import _
from app.levels import Level
from app.markdown import render
from app.models import (
    AnnouncementRead,
    Comment,
    Idea,
    IdeaCampaign,
    Mention,
    PollOption,
    PollVote,
    Post,
    PostHashtag,
    PostKind,
    PostVersion,
    Space,
    SpaceRole,
    User,
)
from app.models.base import utcnow
from app.realtime.events import record_event
from app.services.content import item_ref, set_audience
from app.services.files.attachments import Attachments, attach_to_post
from app.services.hashtags import hashtag_ids
from app.services.notifications import notify_readers
from app.services.spaces import access_space, role_in


@dataclass(frozen=True)
class Published:
    post: Post
    # Mentioned people who cannot read the post: nobody told them; the author is.
    unreachable_mentions: list[str]


@dataclass(frozen=True)
class PollSpec:
    options: list[str]
    multiple: bool = False
    closes_at: datetime | None = None


async def access_post(session: AsyncSession, *, viewer: User, post_id: int) -> Post:
    post = await session.scalar(select(Post).where(Post.id == post_id, readable(viewer, Post)))
    if post is None:
        raise NotFound()
    return post


async def _container(
    session: AsyncSession, viewer: User, space_id: int | None
) -> tuple[Space | None, SpaceRole | None]:
    if space_id is None:
        return None, None
    space = await access_space(session, viewer=viewer, space_id=space_id)
    return space, await role_in(session, space_id=space.id, user_id=viewer.id)


def check_may_moderate_in(viewer: User, space: Space | None, role: SpaceRole | None) -> None:
    """Space owners and moderators moderate their space; admins everywhere."""
    if viewer.is_admin or (space is not None and role is not None and role.manages):
        return
    raise Forbidden(_("Only the space's moderators and administrators may do this."))


async def place_to_write(
    session: AsyncSession, *, viewer: User, space_id: int | None
) -> tuple[Space | None, SpaceRole | None]:
    """The place a post goes (None: the company stream) and the writer's role
    in it, once it is sure they may write there (an archived space refuses)."""
    space, role = await _container(session, viewer, space_id)
    check_can_write_in(viewer, space, role)
    return space, role


async def check_may_write(session: AsyncSession, *, viewer: User, post: Post) -> None:
    """Writing under a post (commenting, editing) needs the right to write in its
    container."""
    await place_to_write(session, viewer=viewer, space_id=post.space_id)


async def check_may_moderate(session: AsyncSession, *, viewer: User, post: Post) -> None:
    space, role = await _container(session, viewer, post.space_id)
    check_may_moderate_in(viewer, space, role)


async def announce(session: AsyncSession, post: Post, kind: str, **payload) -> None:
    """Records a change to a post in the activity log, announced after commit to
    those who may read the post."""
    await record_event(
        session, kind=kind, item=await item_ref(session, post), post_id=post.id, **payload
    )


async def record_body(
    session: AsyncSession,
    *,
    post: Post,
    comment: Comment | None,
    body: str,
    actor: User,
    notify_kind: str = "mention",
) -> tuple[str, list[str]]:
    """Renders a post's or comment's body, stores its mentions (and a post's
    hashtags) and tells the mentioned people who may read the post. Returns the
    HTML and the handles of mentioned people who may not read it. A handle of
    someone the writer may not know of is taken as one nobody has."""
    rendered = render(body)
    mentioned = (
        list(
            await session.scalars(
                select(User).where(User.handle.in_(rendered.mentions), knowable_people(actor))
            )
        )
        if rendered.mentions
        else []
    )
    already = set(
        await session.scalars(
            select(Mention.user_id).where(
                Mention.post_id == post.id,
                Mention.comment_id.is_(None)
                if comment is None
                else Mention.comment_id == comment.id,
            )
        )
    )
    ref = await item_ref(session, post)
    fresh = [user for user in mentioned if user.id not in already]
    session.add_all(
        Mention(post_id=post.id, comment_id=comment.id if comment else None, user_id=user.id)
        for user in fresh
    )
    told = await notify_readers(
        session,
        item=ref,
        post_id=post.id,
        kind=notify_kind,
        actor_id=actor.id,
        user_ids=[user.id for user in fresh],
        comment_id=comment.id if comment else None,
    )
    readers = set(
        await session.scalars(
            select(User.id).where(User.id.in_([u.id for u in mentioned]), readers_of(ref))
        )
    )
    unreachable = sorted(user.handle for user in mentioned if user.id not in readers)
    if comment is None:
        await session.execute(delete(PostHashtag).where(PostHashtag.post_id == post.id))
        for hashtag_id in (await hashtag_ids(session, rendered.hashtags)).values():
            session.add(
                PostHashtag(post_id=post.id, hashtag_id=hashtag_id, created_at=post.created_at)
            )
    del told
    return rendered.html, unreachable


async def publish_post(
    session: AsyncSession,
    *,
    viewer: User,
    body: str,
    space_id: int | None = None,
    level: Level | None = None,
    audience: list[int] | None = None,
    kind: PostKind = PostKind.ORDINARY,
    poll: PollSpec | None = None,
    shared_from_id: int | None = None,
    attachments: Attachments | None = None,
    belongs_to: Callable[[Post], Awaitable[None]] | None = None,
) -> Published:
    """``belongs_to``: records what the new post belongs to (an idea's
    campaign), before anyone is told of it, since its readers may depend on it."""
    space, role = await place_to_write(session, viewer=viewer, space_id=space_id)
    container_default = space.default_level if space else Level.INTERNAL
    original = None
    if shared_from_id is not None:
        original = await access_post(session, viewer=viewer, post_id=shared_from_id)
        if original.deleted_at is not None:
            raise Conflict(_("This post was deleted."), code="deleted")
        # A share keeps at least its original's level unless told otherwise.
        container_default = higher_level(container_default, original.level)
    level = level or default_level_for(viewer, container_default)
    check_no_write_up(viewer, level)
    if kind is PostKind.ANNOUNCEMENT:
        check_may_moderate_in(viewer, space, role)
    if (kind is PostKind.POLL) != (poll is not None):
        raise Invalid(_("A poll needs its options, and only a poll has options."), code="poll")
    post = Post(
        author_id=viewer.id,
        space_id=space.id if space else None,
        level=level,
        kind=kind,
        body=body,
        created_at=utcnow(),
    )
    if original is not None:
        check_not_below(original.level, level)
        post.shared_from_id = original.id
    session.add(post)
    await session.flush()
    await set_audience(session, post, audience, viewer=viewer)
    if belongs_to is not None:
        await belongs_to(post)
    if post.shared_from_id is not None:
        await _check_share_reaches_no_one_new(session, post, original)
    if poll is not None:
        _add_poll(session, post, poll)
    await attach_to_post(session, viewer=viewer, attachments=attachments, post=post)
    post.body_html, unreachable = await record_body(
        session, post=post, comment=None, body=body, actor=viewer
    )
    if kind is PostKind.ANNOUNCEMENT:
        await notify_readers(
            session,
            item=await item_ref(session, post),
            post_id=post.id,
            kind="announcement",
            actor_id=viewer.id,
        )
    await session.flush()
    await announce(session, post, "post.created", author_id=viewer.id, post_kind=kind.value)
    return Published(post=post, unreachable_mentions=unreachable)


async def _check_share_reaches_no_one_new(session: AsyncSession, share: Post, original: Post):
    """No write-down: a share may go only where every reader may already read
    the original."""
    share_ref, original_ref = await item_ref(session, share), await item_ref(session, original)
    if await reaches_beyond(session, share_ref, original_ref):
        raise Invalid(
            _(
                "Some readers of this place may not read the original post: "
                "share it somewhere more restricted, or at a higher level."
            ),
            code="share_widens_readers",
        )


def _add_poll(session: AsyncSession, post: Post, poll: PollSpec) -> None:
    labels = [label.strip() for label in poll.options]
    if not 2 <= len(labels) <= 10 or any(not label for label in labels):
        raise Invalid(_("A poll has from 2 to 10 non-empty options."), code="poll")
    if len(set(labels)) != len(labels):
        raise Invalid(_("Two options of the poll are the same."), code="poll")
    if poll.closes_at is not None and poll.closes_at <= utcnow():
        raise Invalid(_("The poll must close in the future."), code="expired")
    post.poll_multiple = poll.multiple
    post.poll_closes_at = poll.closes_at
    session.add_all(
        PollOption(post_id=post.id, position=position, label=label)
        for position, label in enumerate(labels)
    )


async def edit_post(
    session: AsyncSession,
    *,
    viewer: User,
    post_id: int,
    body: str | None = None,
    level: Level | None = None,
    audience: list[int] | None = None,
    audience_given: bool = False,
    attachments: Attachments | None = None,
) -> Published:
    """Authors edit their own posts; the previous body is kept as a version.
    ``attachments``: new uploads to add after the post's files."""
    post = await access_post(session, viewer=viewer, post_id=post_id)
    if post.deleted_at is not None:
        raise Conflict(_("This post was deleted."), code="deleted")
    if post.author_id != viewer.id:
        raise Forbidden(_("Only its author may edit a post."))
    await place_to_write(session, viewer=viewer, space_id=post.space_id)
    original = (
        await session.get(Post, post.shared_from_id) if post.shared_from_id is not None else None
    )
    if level is not None:
        check_no_write_up(viewer, level)
        if original is not None:
            check_not_below(original.level, level)
        if post.kind is PostKind.IDEA:
            check_not_below(await _campaign_level(session, post), level)
        post.level = level
    if audience_given:
        await set_audience(session, post, audience, viewer=viewer)
    if original is not None and (level is not None or audience_given):
        # A share's new level or audience must not open the original to anyone new.
        await _check_share_reaches_no_one_new(session, post, original)
    unreachable: list[str] = []
    if body is not None and body != post.body:
        session.add(PostVersion(post_id=post.id, body=post.body, editor_id=viewer.id))
        post.body = body
        post.edited_at = utcnow()
        post.body_html, unreachable = await record_body(
            session, post=post, comment=None, body=body, actor=viewer
        )
    await attach_to_post(session, viewer=viewer, attachments=attachments, post=post)
    await session.flush()
    await announce(session, post, "post.edited")
    return Published(post=post, unreachable_mentions=unreachable)


async def _campaign_level(session: AsyncSession, idea: Post) -> Level:
    """The level of the campaign an idea was proposed in: its floor."""
    return await session.scalar(
        select(IdeaCampaign.level)
        .join(Idea, Idea.campaign_id == IdeaCampaign.id)
        .where(Idea.post_id == idea.id)
    )


async def post_versions(session: AsyncSession, *, viewer: User, post_id: int) -> list[PostVersion]:
    """Earlier bodies, for those who may read the post."""
    post = await access_post(session, viewer=viewer, post_id=post_id)
    return list(
        await session.scalars(
            select(PostVersion).where(PostVersion.post_id == post.id).order_by(PostVersion.id)
        )
    )


async def delete_post(session: AsyncSession, *, viewer: User, post_id: int) -> None:
    """Leaves a tombstone: the comments keep their place, the words are gone."""
    post = await access_post(session, viewer=viewer, post_id=post_id)
    if post.deleted_at is not None:
        return
    space, role = await _container(session, viewer, post.space_id)
    if post.author_id != viewer.id:
        check_may_moderate_in(viewer, space, role)
    post.deleted_at = utcnow()
    post.body = post.body_html = ""
    post.pinned_at = None
    await session.execute(delete(PostVersion).where(PostVersion.post_id == post.id))
    await session.execute(delete(PostHashtag).where(PostHashtag.post_id == post.id))
    await session.flush()
    await announce(session, post, "post.deleted")


async def set_pinned(session: AsyncSession, *, viewer: User, post_id: int, pinned: bool) -> Post:
    post = await access_post(session, viewer=viewer, post_id=post_id)
    space, role = await _container(session, viewer, post.space_id)
    check_may_moderate_in(viewer, space, role)
    if post.deleted_at is not None:
        raise Conflict(_("This post was deleted."), code="deleted")
    post.pinned_at = utcnow() if pinned else None
    await session.flush()
    await announce(session, post, "post.pinned", pinned=pinned)
    return post


async def confirm_announcement(session: AsyncSession, *, viewer: User, post_id: int) -> None:
    post = await access_post(session, viewer=viewer, post_id=post_id)
    if post.kind is not PostKind.ANNOUNCEMENT:
        raise Invalid(_("Only announcements are confirmed."), code="not_announcement")
    if await session.get(AnnouncementRead, (post.id, viewer.id)) is None:
        session.add(AnnouncementRead(post_id=post.id, user_id=viewer.id))
        await session.flush()
        confirmations = await session.scalar(
            select(func.count()).where(AnnouncementRead.post_id == post.id)
        )
        await announce(session, post, "announcement.confirmed", confirmations=confirmations)


@dataclass(frozen=True)
class AnnouncementReaders:
    """Who confirmed an announcement and who has not yet, by name for the people
    the viewer may know of; the others only counted."""

    confirmed: list[User]
    pending: list[User]
    confirmed_others: int
    pending_others: int


async def announcement_readers(
    session: AsyncSession, *, viewer: User, post_id: int
) -> AnnouncementReaders:
    """Who confirmed and who has not yet, among the post's readers: for its author
    (and the space's moderators)."""
    post = await access_post(session, viewer=viewer, post_id=post_id)
    if post.kind is not PostKind.ANNOUNCEMENT:
        raise Invalid(_("Only announcements are confirmed."), code="not_announcement")
    if post.author_id != viewer.id:
        space, role = await _container(session, viewer, post.space_id)
        check_may_moderate_in(viewer, space, role)
    confirmed_ids = select(AnnouncementRead.user_id).where(AnnouncementRead.post_id == post.id)
    readers = (
        select(User)
        .where(readers_of(await item_ref(session, post)), User.id != post.author_id)
        .order_by(User.display_name)
    )
    confirmed = list(await session.scalars(readers.where(User.id.in_(confirmed_ids))))
    pending = list(await session.scalars(readers.where(User.id.not_in(confirmed_ids))))
    known = await knowable_among(session, viewer, [user.id for user in confirmed + pending])
    return AnnouncementReaders(
        confirmed=[user for user in confirmed if user.id in known],
        pending=[user for user in pending if user.id in known],
        confirmed_others=sum(user.id not in known for user in confirmed),
        pending_others=sum(user.id not in known for user in pending),
    )


async def vote(session: AsyncSession, *, viewer: User, post_id: int, option_ids: list[int]) -> None:
    """One vote per person (several options if the poll allows), changeable
    until the poll closes."""
    post = await access_post(session, viewer=viewer, post_id=post_id)
    if post.kind is not PostKind.POLL or post.deleted_at is not None:
        raise NotFound()
    # Voting writes: an archived space is read-only.
    await check_may_write(session, viewer=viewer, post=post)
    if post.poll_closes_at is not None and post.poll_closes_at <= utcnow():
        raise Conflict(_("This poll is closed."), code="poll_closed")
    chosen = set(option_ids)
    if not chosen or (len(chosen) > 1 and not post.poll_multiple):
        raise Invalid(_("Choose one option (or several, if the poll allows)."), code="one_choice")
    valid = set(
        await session.scalars(
            select(PollOption.id).where(PollOption.post_id == post.id, PollOption.id.in_(chosen))
        )
    )
    if valid != chosen:
        raise Invalid(_("That option is not part of this poll."), code="unknown_option")
    await session.execute(
        delete(PollVote).where(PollVote.post_id == post.id, PollVote.user_id == viewer.id)
    )
    session.add_all(
        PollVote(post_id=post.id, option_id=option_id, user_id=viewer.id) for option_id in chosen
    )
    await session.flush()
    # Only how many voted: the totals are for those who voted or after closing.
    voters = await session.scalar(
        select(func.count(func.distinct(PollVote.user_id))).where(PollVote.post_id == post.id)
    )
    await announce(session, post, "poll.voted", voters=voters)


async def accept_answer(
    session: AsyncSession, *, viewer: User, post_id: int, comment_id: int | None
) -> Post:
    """The question's author or a moderator marks one comment as the answer
    (None clears it)."""
    post = await access_post(session, viewer=viewer, post_id=post_id)
    if post.kind is not PostKind.QUESTION:
        raise Invalid(_("Only questions have an accepted answer."), code="not_question")
    if post.author_id != viewer.id:
        space, role = await _container(session, viewer, post.space_id)
        check_may_moderate_in(viewer, space, role)
    comment = None
    if comment_id is not None:
        comment = await session.scalar(
            select(Comment).where(
                Comment.id == comment_id, Comment.post_id == post.id, Comment.deleted_at.is_(None)
            )
        )
        if comment is None:
            raise NotFound()
    post.accepted_comment_id = comment_id
    if comment is not None and comment.author_id not in (None, viewer.id):
        await notify_readers(
            session,
            item=await item_ref(session, post),
            post_id=post.id,
            kind="accepted_answer",
            actor_id=viewer.id,
            user_ids=[comment.author_id],
            comment_id=comment.id,
        )
    await session.flush()
    await announce(session, post, "question.answered", comment_id=comment_id)
    return post


async def readable_count(session: AsyncSession, *, viewer: User, space_id: int | None) -> int:
    """How many live posts the viewer may read in one container."""
    container = Post.space_id.is_(None) if space_id is None else Post.space_id == space_id
    return await session.scalar(
        select(func.count()).where(container, Post.deleted_at.is_(None), readable(viewer, Post))
    )
