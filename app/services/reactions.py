"""Reactions on posts and comments, from a fixed set, one of each kind per
person. Counts and "who reacted" are shown only to readers of the post."""

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import knowable_among
from app.db import insert_unless_taken
from app.models import CommentReaction, Post, PostReaction, ReactionKind, User
from app.services.comments import access_comment
from app.services.content import item_ref
from app.services.notifications import notify_readers
from app.services.posts import access_post, announce, check_may_write


async def react(
    session: AsyncSession,
    *,
    viewer: User,
    kind: ReactionKind,
    post_id: int | None = None,
    comment_id: int | None = None,
) -> None:
    """Idempotent: reacting twice with the same kind keeps one reaction."""
    if comment_id is not None:
        comment = await access_comment(session, viewer=viewer, comment_id=comment_id)
        post = await session.get(Post, comment.post_id)
        reaction = CommentReaction(comment_id=comment.id, user_id=viewer.id, kind=kind)
        key, author_id = (comment.id, viewer.id, kind), comment.author_id
    else:
        post = await access_post(session, viewer=viewer, post_id=post_id)
        reaction = PostReaction(post_id=post.id, user_id=viewer.id, kind=kind)
        key, author_id = (post.id, viewer.id, kind), post.author_id
    # Reacting writes: an archived space is read-only.
    await check_may_write(session, viewer=viewer, post=post)
    if await session.get(type(reaction), key) is not None:
        return
    if not await insert_unless_taken(session, reaction):
        return  # the same reaction, sent twice at once (a double click): one is kept
    if author_id is not None and author_id != viewer.id:
        await notify_readers(
            session,
            item=await item_ref(session, post),
            post_id=post.id,
            kind="reaction",
            actor_id=viewer.id,
            user_ids=[author_id],
            reaction=kind.value,
            comment_id=comment_id,
        )
    await session.flush()
    await _announce_counts(session, post, comment_id)


async def unreact(
    session: AsyncSession,
    *,
    viewer: User,
    kind: ReactionKind,
    post_id: int | None = None,
    comment_id: int | None = None,
) -> None:
    if comment_id is not None:
        comment = await access_comment(session, viewer=viewer, comment_id=comment_id)
        post = await session.get(Post, comment.post_id)
        statement = delete(CommentReaction).where(CommentReaction.comment_id == comment.id)
        model = CommentReaction
    else:
        post = await access_post(session, viewer=viewer, post_id=post_id)
        statement = delete(PostReaction).where(PostReaction.post_id == post.id)
        model = PostReaction
    await check_may_write(session, viewer=viewer, post=post)
    await session.execute(statement.where(model.user_id == viewer.id, model.kind == kind))
    await _announce_counts(session, post, comment_id)


async def _announce_counts(session: AsyncSession, post: Post, comment_id: int | None) -> None:
    """Readers see the counts change in place; who reacted stays on request."""
    if comment_id is not None:
        model, target = CommentReaction, CommentReaction.comment_id == comment_id
    else:
        model, target = PostReaction, PostReaction.post_id == post.id
    counts = dict(
        (
            await session.execute(
                select(model.kind, func.count()).where(target).group_by(model.kind)
            )
        ).all()
    )
    await announce(
        session,
        post,
        "reaction.changed",
        comment_id=comment_id,
        reactions={kind.value: count for kind, count in counts.items()},
    )


async def who_reacted(
    session: AsyncSession,
    *,
    viewer: User,
    post_id: int | None = None,
    comment_id: int | None = None,
    kind: ReactionKind | None = None,
) -> list[tuple[ReactionKind, User | None]]:
    """Who reacted, oldest first; None for a colleague the viewer may not know of."""
    if comment_id is not None:
        target = await access_comment(session, viewer=viewer, comment_id=comment_id)
        model, column = CommentReaction, CommentReaction.comment_id
    else:
        target = await access_post(session, viewer=viewer, post_id=post_id)
        model, column = PostReaction, PostReaction.post_id
    statement = (
        select(model.kind, User)
        .join(User, User.id == model.user_id)
        .where(column == target.id)
        .order_by(model.created_at)
        .limit(500)
    )
    if kind is not None:
        statement = statement.where(model.kind == kind)
    rows = (await session.execute(statement)).all()
    known = await knowable_among(session, viewer, [user.id for _kind, user in rows])
    return [(given, user if user.id in known else None) for given, user in rows]
