"""Posts, comments and reactions."""

from fastapi import APIRouter, Response

from app.api.deps import AppSettings, ItemId, Session, Viewer
from app.api.files import file_read
from app.api.pagination import Cursor, Limit, decode_id_cursor, next_id_cursor
from app.models import ReactionKind
from app.schemas.account import UserPublic
from app.schemas.common import Page
from app.schemas.post import (
    AcceptAnswer,
    AnnouncementReaders,
    AnnouncementState,
    CommentCreate,
    CommentRead,
    CommentUpdate,
    CommentWritten,
    PinUpdate,
    PollOptionRead,
    PollRead,
    PostCreate,
    PostRead,
    PostUpdate,
    PostVersionRead,
    PostWritten,
    ReactionRead,
    SpaceRef,
    VoteCreate,
)
from app.services import comments, feed, posts, reactions
from app.services.comments import CommentView
from app.services.feed import PostView
from app.services.files.attachments import Attachments

router = APIRouter(tags=["stream"])


def comment_read(view: CommentView) -> CommentRead:
    comment = view.comment
    return CommentRead(
        id=comment.id,
        post_id=comment.post_id,
        parent_id=comment.parent_id,
        author=UserPublic.model_validate(view.author) if view.author else None,
        body=comment.body,
        body_html=comment.body_html,
        created_at=comment.created_at,
        edited_at=comment.edited_at,
        deleted=comment.deleted_at is not None,
        reactions=view.reactions,
        my_reactions=sorted(view.my_reactions),
        attachments=[file_read(file) for file in view.attachments],
    )


def post_read(view: PostView) -> PostRead:
    post = view.post
    poll = None
    if view.poll is not None:
        counts = view.poll.counts
        poll = PollRead(
            multiple=view.poll.multiple,
            closes_at=view.poll.closes_at,
            closed=view.poll.closed,
            options=[
                PollOptionRead(id=oid, label=label, votes=counts[oid] if counts else None)
                for oid, label in view.poll.options
            ],
            my_votes=sorted(view.poll.my_votes),
        )
    return PostRead(
        id=post.id,
        kind=post.kind,
        space=SpaceRef(id=view.space.id, name=view.space.name, slug=view.space.slug)
        if view.space
        else None,
        author=UserPublic.model_validate(view.author) if view.author else None,
        level=post.level,
        audience=sorted(view.audience) if view.audience is not None else None,
        audience_others=view.audience_others,
        body=post.body,
        body_html=post.body_html,
        created_at=post.created_at,
        edited_at=post.edited_at,
        deleted=post.deleted_at is not None,
        pinned=post.pinned_at is not None,
        comment_count=view.comment_count,
        reactions=view.reactions,
        my_reactions=sorted(view.my_reactions),
        first_comments=[comment_read(shown) for shown in view.first_comments],
        poll=poll,
        attachments=[file_read(file) for file in view.attachments],
        announcement=AnnouncementState(
            confirmed_by_me=view.confirmed_by_me, confirmations=view.confirmations
        )
        if view.confirmed_by_me is not None
        else None,
        accepted_comment_id=post.accepted_comment_id,
        shared=post_read(view.shared) if view.shared else None,
    )


async def show_one(session, viewer, post) -> PostRead:
    (view,) = await feed.show_posts(session, viewer=viewer, posts=[post])
    return post_read(view)


async def show_page(session, viewer, found: list, limit: int) -> dict:
    views = await feed.show_posts(session, viewer=viewer, posts=found[:limit])
    return {"items": [post_read(v) for v in views], "next_cursor": next_id_cursor(found, limit)}


async def _written(session, viewer, published: posts.Published) -> PostWritten:
    shown = await show_one(session, viewer, published.post)
    return PostWritten(**shown.model_dump(), unreachable_mentions=published.unreachable_mentions)


@router.post("/posts", response_model=PostWritten, status_code=201)
async def publish_post(body: PostCreate, viewer: Viewer, session: Session, settings: AppSettings):
    poll = posts.PollSpec(**body.poll.model_dump()) if body.poll else None
    published = await posts.publish_post(
        session,
        viewer=viewer,
        body=body.body,
        space_id=body.space_id,
        level=body.level,
        audience=body.audience,
        kind=body.kind,
        poll=poll,
        shared_from_id=body.shared_from_id,
        attachments=Attachments.of(body.attachments, settings),
    )
    return await _written(session, viewer, published)


@router.get("/posts/{post_id}", response_model=PostRead)
async def read_post(post_id: ItemId, viewer: Viewer, session: Session):
    return await show_one(
        session, viewer, await posts.access_post(session, viewer=viewer, post_id=post_id)
    )


@router.patch("/posts/{post_id}", response_model=PostWritten)
async def edit_post(
    post_id: ItemId, body: PostUpdate, viewer: Viewer, session: Session, settings: AppSettings
):
    published = await posts.edit_post(
        session,
        viewer=viewer,
        post_id=post_id,
        body=body.body,
        level=body.level,
        audience=body.audience,
        audience_given="audience" in body.model_fields_set,
        attachments=Attachments.of(body.attachments, settings),
    )
    return await _written(session, viewer, published)


@router.delete("/posts/{post_id}", status_code=204, response_class=Response)
async def delete_post(post_id: ItemId, viewer: Viewer, session: Session) -> None:
    await posts.delete_post(session, viewer=viewer, post_id=post_id)


@router.get("/posts/{post_id}/versions", response_model=list[PostVersionRead])
async def post_versions(post_id: ItemId, viewer: Viewer, session: Session):
    return [
        PostVersionRead(id=v.id, body=v.body, created_at=v.created_at)
        for v in await posts.post_versions(session, viewer=viewer, post_id=post_id)
    ]


@router.put("/posts/{post_id}/pin", response_model=PostRead)
async def pin_post(post_id: ItemId, body: PinUpdate, viewer: Viewer, session: Session):
    post = await posts.set_pinned(session, viewer=viewer, post_id=post_id, pinned=body.pinned)
    return await show_one(session, viewer, post)


@router.post("/posts/{post_id}/confirm", status_code=204, response_class=Response)
async def confirm_announcement(post_id: ItemId, viewer: Viewer, session: Session) -> None:
    await posts.confirm_announcement(session, viewer=viewer, post_id=post_id)


@router.get("/posts/{post_id}/confirmations", response_model=AnnouncementReaders)
async def announcement_readers(post_id: ItemId, viewer: Viewer, session: Session):
    readers = await posts.announcement_readers(session, viewer=viewer, post_id=post_id)
    return AnnouncementReaders(
        confirmed=[UserPublic.model_validate(u) for u in readers.confirmed],
        pending=[UserPublic.model_validate(u) for u in readers.pending],
        confirmed_others=readers.confirmed_others,
        pending_others=readers.pending_others,
    )


@router.post("/posts/{post_id}/votes", response_model=PostRead)
async def vote(post_id: ItemId, body: VoteCreate, viewer: Viewer, session: Session):
    await posts.vote(session, viewer=viewer, post_id=post_id, option_ids=body.option_ids)
    return await show_one(
        session, viewer, await posts.access_post(session, viewer=viewer, post_id=post_id)
    )


@router.put("/posts/{post_id}/answer", response_model=PostRead)
async def accept_answer(post_id: ItemId, body: AcceptAnswer, viewer: Viewer, session: Session):
    post = await posts.accept_answer(
        session, viewer=viewer, post_id=post_id, comment_id=body.comment_id
    )
    return await show_one(session, viewer, post)


@router.get("/posts/{post_id}/comments", response_model=Page[CommentRead])
async def list_comments(
    post_id: ItemId, viewer: Viewer, session: Session, limit: Limit = 100, cursor: Cursor = None
):
    found = await comments.list_comments(
        session, viewer=viewer, post_id=post_id, limit=limit + 1, after_id=decode_id_cursor(cursor)
    )
    views = await comments.show_comments(session, viewer=viewer, comments=found[:limit])
    return {"items": [comment_read(v) for v in views], "next_cursor": next_id_cursor(found, limit)}


async def _comment_written(session, viewer, comment, unreachable) -> CommentWritten:
    (view,) = await comments.show_comments(session, viewer=viewer, comments=[comment])
    return CommentWritten(**comment_read(view).model_dump(), unreachable_mentions=unreachable)


@router.post("/posts/{post_id}/comments", response_model=CommentWritten, status_code=201)
async def add_comment(
    post_id: ItemId, body: CommentCreate, viewer: Viewer, session: Session, settings: AppSettings
):
    comment, unreachable = await comments.add_comment(
        session,
        viewer=viewer,
        post_id=post_id,
        body=body.body,
        parent_id=body.parent_id,
        attachments=Attachments.of(body.attachments, settings),
    )
    return await _comment_written(session, viewer, comment, unreachable)


@router.patch("/comments/{comment_id}", response_model=CommentWritten)
async def edit_comment(comment_id: ItemId, body: CommentUpdate, viewer: Viewer, session: Session):
    comment, unreachable = await comments.edit_comment(
        session, viewer=viewer, comment_id=comment_id, body=body.body
    )
    return await _comment_written(session, viewer, comment, unreachable)


@router.delete("/comments/{comment_id}", status_code=204, response_class=Response)
async def delete_comment(comment_id: ItemId, viewer: Viewer, session: Session) -> None:
    await comments.delete_comment(session, viewer=viewer, comment_id=comment_id)


@router.get("/comments/{comment_id}/versions", response_model=list[PostVersionRead])
async def comment_versions(comment_id: ItemId, viewer: Viewer, session: Session):
    return [
        PostVersionRead(id=v.id, body=v.body, created_at=v.created_at)
        for v in await comments.comment_versions(session, viewer=viewer, comment_id=comment_id)
    ]


def _reactions_read(rows) -> list[ReactionRead]:
    return [
        ReactionRead(kind=kind, user=UserPublic.model_validate(user) if user else None)
        for kind, user in rows
    ]


@router.get("/posts/{post_id}/reactions", response_model=list[ReactionRead])
async def post_reactions(
    post_id: ItemId, viewer: Viewer, session: Session, kind: ReactionKind | None = None
):
    return _reactions_read(
        await reactions.who_reacted(session, viewer=viewer, post_id=post_id, kind=kind)
    )


@router.put("/posts/{post_id}/reactions/{kind}", status_code=204, response_class=Response)
async def react_to_post(post_id: ItemId, kind: ReactionKind, viewer: Viewer, session: Session):
    await reactions.react(session, viewer=viewer, kind=kind, post_id=post_id)


@router.delete("/posts/{post_id}/reactions/{kind}", status_code=204, response_class=Response)
async def unreact_to_post(post_id: ItemId, kind: ReactionKind, viewer: Viewer, session: Session):
    await reactions.unreact(session, viewer=viewer, kind=kind, post_id=post_id)


@router.get("/comments/{comment_id}/reactions", response_model=list[ReactionRead])
async def comment_reactions(
    comment_id: ItemId, viewer: Viewer, session: Session, kind: ReactionKind | None = None
):
    return _reactions_read(
        await reactions.who_reacted(session, viewer=viewer, comment_id=comment_id, kind=kind)
    )


@router.put("/comments/{comment_id}/reactions/{kind}", status_code=204, response_class=Response)
async def react_to_comment(
    comment_id: ItemId, kind: ReactionKind, viewer: Viewer, session: Session
):
    await reactions.react(session, viewer=viewer, kind=kind, comment_id=comment_id)


@router.delete("/comments/{comment_id}/reactions/{kind}", status_code=204, response_class=Response)
async def unreact_to_comment(
    comment_id: ItemId, kind: ReactionKind, viewer: Viewer, session: Session
):
    await reactions.unreact(session, viewer=viewer, kind=kind, comment_id=comment_id)
