"""Comments and replies. They have no level of their own: whoever may read the
post reads its comments, and nobody else, so every query joins the post's
policy clause."""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import readable
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.i18n import _
from app.models import Comment, CommentReaction, CommentVersion, Post, User
from app.models.base import utcnow
from app.services.content import item_ref
from app.services.files.attachments import Attachments, attach_to_post, attachments_of
from app.services.files.uploads import FileView
from app.services.notifications import notify_readers
from app.services.posts import (
    access_post,
    announce,
    check_may_moderate,
    check_may_write,
    record_body,
)


async def access_comment(session: AsyncSession, *, viewer: User, comment_id: int) -> Comment:
    comment = await session.scalar(
        select(Comment)
        .join(Post, Post.id == Comment.post_id)
        .where(Comment.id == comment_id, readable(viewer, Post))
    )
    if comment is None:
        raise NotFound()
    return comment


async def add_comment(
    session: AsyncSession,
    *,
    viewer: User,
    post_id: int,
    body: str,
    parent_id: int | None = None,
    attachments: Attachments | None = None,
) -> tuple[Comment, list[str]]:
    """Returns the comment and the mentioned handles that cannot read the post."""
    post = await access_post(session, viewer=viewer, post_id=post_id)
    if post.deleted_at is not None:
        raise Conflict(_("This post was deleted."), code="deleted")
    await check_may_write(session, viewer=viewer, post=post)
    parent = None
    if parent_id is not None:
        parent = await session.scalar(
            select(Comment).where(Comment.id == parent_id, Comment.post_id == post.id)
        )
        if parent is None:
            raise NotFound()
        if parent.parent_id is not None:
            raise Invalid(_("Reply to the comment itself: replies have one level."), code="depth")
    comment = Comment(
        post_id=post.id, parent_id=parent_id, author_id=viewer.id, body=body, body_html=""
    )
    session.add(comment)
    await session.flush()
    await attach_to_post(
        session, viewer=viewer, attachments=attachments, post=post, comment=comment
    )
    comment.body_html, unreachable = await record_body(
        session, post=post, comment=comment, body=body, actor=viewer
    )
    told = {post.author_id, *([parent.author_id] if parent else [])} - {None, viewer.id}
    if told:
        await notify_readers(
            session,
            item=await item_ref(session, post),
            post_id=post.id,
            kind="reply",
            actor_id=viewer.id,
            user_ids=told,
            comment_id=comment.id,
        )
    await session.flush()
    await announce(
        session, post, "comment.created", comment_id=comment.id, parent_id=comment.parent_id
    )
    return comment, unreachable


async def edit_comment(
    session: AsyncSession, *, viewer: User, comment_id: int, body: str
) -> tuple[Comment, list[str]]:
    comment = await access_comment(session, viewer=viewer, comment_id=comment_id)
    if comment.deleted_at is not None:
        raise Conflict(_("This comment was deleted."), code="deleted")
    if comment.author_id != viewer.id:
        raise Forbidden(_("Only its author may edit a comment."))
    post = await session.get(Post, comment.post_id)
    await check_may_write(session, viewer=viewer, post=post)
    unreachable: list[str] = []
    if body != comment.body:
        session.add(CommentVersion(comment_id=comment.id, body=comment.body, editor_id=viewer.id))
        comment.body = body
        comment.edited_at = utcnow()
        comment.body_html, unreachable = await record_body(
            session, post=post, comment=comment, body=body, actor=viewer
        )
    await session.flush()
    await announce(
        session, post, "comment.edited", comment_id=comment.id, parent_id=comment.parent_id
    )
    return comment, unreachable


async def delete_comment(session: AsyncSession, *, viewer: User, comment_id: int) -> None:
    """A tombstone, so that replies keep their thread."""
    comment = await access_comment(session, viewer=viewer, comment_id=comment_id)
    if comment.deleted_at is not None:
        return
    if comment.author_id != viewer.id:
        post = await session.get(Post, comment.post_id)
        await check_may_moderate(session, viewer=viewer, post=post)
    comment.deleted_at = utcnow()
    comment.body = comment.body_html = ""
    await session.execute(delete(CommentVersion).where(CommentVersion.comment_id == comment.id))
    await session.flush()
    await announce(
        session, await session.get(Post, comment.post_id), "comment.deleted", comment_id=comment.id
    )


async def list_comments(
    session: AsyncSession, *, viewer: User, post_id: int, limit: int, after_id: int | None
) -> list[Comment]:
    """Oldest first, replies in the same list (their parent_id places them)."""
    post = await access_post(session, viewer=viewer, post_id=post_id)
    statement = select(Comment).where(Comment.post_id == post.id).order_by(Comment.id).limit(limit)
    if after_id is not None:
        statement = statement.where(Comment.id > after_id)
    return list(await session.scalars(statement))


async def comment_versions(
    session: AsyncSession, *, viewer: User, comment_id: int
) -> list[CommentVersion]:
    comment = await access_comment(session, viewer=viewer, comment_id=comment_id)
    return list(
        await session.scalars(
            select(CommentVersion)
            .where(CommentVersion.comment_id == comment.id)
            .order_by(CommentVersion.id)
        )
    )


@dataclass
class CommentView:
    comment: Comment
    author: User | None
    reactions: dict[str, int] = field(default_factory=dict)
    my_reactions: set[str] = field(default_factory=set)
    attachments: list[FileView] = field(default_factory=list)


async def show_comments(
    session: AsyncSession, *, viewer: User, comments: list[Comment]
) -> list[CommentView]:
    """Comments with their authors, reactions and files, in four queries."""
    if not comments:
        return []
    ids = [comment.id for comment in comments]
    author_ids = {comment.author_id for comment in comments if comment.author_id}
    authors = {
        user.id: user for user in await session.scalars(select(User).where(User.id.in_(author_ids)))
    }
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    mine: dict[int, set[str]] = defaultdict(set)
    for comment_id, kind, user_id in (
        await session.execute(
            select(CommentReaction.comment_id, CommentReaction.kind, CommentReaction.user_id).where(
                CommentReaction.comment_id.in_(ids)
            )
        )
    ).all():
        counts[comment_id][kind.value] = counts[comment_id].get(kind.value, 0) + 1
        if user_id == viewer.id:
            mine[comment_id].add(kind.value)
    files = await attachments_of(
        session, comment_ids=[c.id for c in comments if c.deleted_at is None]
    )
    return [
        CommentView(
            comment=comment,
            author=authors.get(comment.author_id),
            reactions=counts.get(comment.id, {}),
            my_reactions=mine.get(comment.id, set()),
            attachments=files.get(("comment", comment.id), []),
        )
        for comment in comments
    ]
