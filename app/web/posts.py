"""A post's page with its comments, and what is done to a post or a comment: edit,
delete, pin, share, comment, react, vote, confirm an announcement, accept an
answer. A refusal is shown on the post's page, with nothing written."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from pydantic import BaseModel, Field

from app.api.deps import AppSettings, ItemId, Session, Viewer
from app.api.pagination import decode_id_cursor, next_id_cursor
from app.errors import AppError, Invalid, non_blank
from app.i18n import _
from app.levels import Level
from app.models import Comment, PostKind, ReactionKind, User
from app.schemas.common import MAX_ID, RowId
from app.schemas.post import MAX_POST_BODY
from app.services import comments, compose, posts, reactions
from app.services.comments import CommentView
from app.services.files.attachments import MAX_ATTACHMENTS
from app.web.forms import attempt_with_files, parsed, stream_form
from app.web.routes import attempt, render
from app.web.stream_shared import (
    CursorQuery,
    Done,
    Next,
    OptionalBody,
    Unreachable,
    back,
    container_choice,
    page_link,
    show_stream,
    unreachable_handles,
)

router = APIRouter(include_in_schema=False)

COMMENTS_PAGE = 200

Body = Annotated[str, Form(min_length=1, max_length=MAX_POST_BODY)]


# --- a post's page ------------------------------------------------------------------


@dataclass
class Thread:
    """A top-level comment and its replies (one level)."""

    comment: CommentView
    replies: list[CommentView]
    # A reply whose comment is on an earlier page of the post.
    orphan: bool = False


def threads_of(shown: list[CommentView]) -> list[Thread]:
    threads: dict[int, Thread] = {}
    ordered: list[Thread] = []
    for view in shown:
        parent = view.comment.parent_id
        if parent is None:
            threads[view.comment.id] = Thread(comment=view, replies=[])
            ordered.append(threads[view.comment.id])
        elif parent in threads:
            threads[parent].replies.append(view)
        else:
            ordered.append(Thread(comment=view, replies=[], orphan=True))
    return ordered


async def _post_page(
    request: Request,
    session,
    viewer: User,
    post_id: int,
    *,
    cursor: str | None = None,
    done: str | None = None,
    unreachable: list[str] | None = None,
    error: AppError | None = None,
):
    post = await posts.access_post(session, viewer=viewer, post_id=post_id)
    shown = await show_stream(session, viewer, [post])
    found = await comments.list_comments(
        session,
        viewer=viewer,
        post_id=post.id,
        limit=COMMENTS_PAGE + 1,
        after_id=decode_id_cursor(cursor),
    )
    comment_views = await comments.show_comments(
        session, viewer=viewer, comments=found[:COMMENTS_PAGE]
    )
    may_moderate = post.id in shown["moderated"]
    confirmations = None
    if post.kind is PostKind.ANNOUNCEMENT and (post.author_id == viewer.id or may_moderate):
        confirmations = await posts.announcement_readers(session, viewer=viewer, post_id=post.id)
    next_cursor = next_id_cursor(found, COMMENTS_PAGE)
    return render(
        request,
        "stream/post.html",
        status_code=error.status if error is not None else 200,
        view=shown["views"][0],
        post=post,
        moderated=shown["moderated"],
        may_moderate=may_moderate,
        writable=await compose.may_write_under(session, viewer=viewer, post=post),
        threads=threads_of(comment_views),
        more_comments=page_link(f"/posts/{post.id}", cursor=next_cursor) if next_cursor else None,
        versions=await posts.post_versions(session, viewer=viewer, post_id=post.id)
        if post.edited_at is not None
        else [],
        confirmations=confirmations,
        places=await compose.writable_places(session, viewer=viewer),
        levels=compose.writable_levels(viewer),
        here=f"/posts/{post.id}",
        done=done,
        unreachable=unreachable or [],
        error=error.message if error is not None else None,
    )


@router.get("/posts/{post_id}")
async def post_page(
    request: Request,
    post_id: ItemId,
    viewer: Viewer,
    session: Session,
    cursor: CursorQuery = None,
    done: Done = None,
    unreachable: Unreachable = None,
):
    return await _post_page(
        request,
        session,
        viewer,
        post_id,
        cursor=cursor,
        done=done,
        unreachable=unreachable_handles(unreachable),
    )


async def _refused_or_back(
    request: Request,
    session,
    viewer: User,
    post_id: int,
    error: AppError | None,
    next: str,
    *,
    anchor: str = "",
    **params: str,
):
    """After a form about a post: the post's page with the refusal, or back."""
    if error is not None:
        return await _post_page(request, session, viewer, post_id, error=error)
    return back(next, anchor=anchor or f"post-{post_id}", **params)


@router.post("/posts/{post_id}/edit")
async def edit_post(
    request: Request,
    post_id: ItemId,
    viewer: Viewer,
    session: Session,
    body: Body,
    level: Annotated[Level | None, Form()] = None,
):
    published, error = await attempt(
        session,
        posts.edit_post(session, viewer=viewer, post_id=post_id, body=body, level=level),
    )
    return await _refused_or_back(
        request,
        session,
        viewer,
        post_id,
        error,
        f"/posts/{post_id}",
        done="edited",
        unreachable=",".join(published.unreachable_mentions) if published else "",
    )


@router.post("/posts/{post_id}/delete")
async def delete_post(
    request: Request, post_id: ItemId, viewer: Viewer, session: Session, next: Next = "/"
):
    _nothing, error = await attempt(
        session, posts.delete_post(session, viewer=viewer, post_id=post_id)
    )
    return await _refused_or_back(request, session, viewer, post_id, error, next, done="deleted")


@router.post("/posts/{post_id}/pin")
async def pin_post(
    request: Request,
    post_id: ItemId,
    viewer: Viewer,
    session: Session,
    pinned: Annotated[bool, Form()],
    next: Next = "/",
):
    _post, error = await attempt(
        session, posts.set_pinned(session, viewer=viewer, post_id=post_id, pinned=pinned)
    )
    done = "pinned" if pinned else "unpinned"
    return await _refused_or_back(request, session, viewer, post_id, error, next, done=done)


@router.post("/posts/{post_id}/share")
async def share_post(
    request: Request,
    post_id: ItemId,
    viewer: Viewer,
    session: Session,
    level: Annotated[Level, Form()],
    space_id: Annotated[str, Form(max_length=20)] = "",
    body: OptionalBody = "",
):
    """A new post that embeds this one; the service refuses any destination
    where someone could read it who may not read the original."""
    try:
        container = container_choice(space_id)
    except Invalid as error:
        return await _post_page(request, session, viewer, post_id, error=error)
    published, error = await attempt(
        session,
        posts.publish_post(
            session,
            viewer=viewer,
            body=body.strip(),
            space_id=container,
            level=level,
            shared_from_id=post_id,
        ),
    )
    if error is not None:
        return await _post_page(request, session, viewer, post_id, error=error)
    return back(f"/posts/{published.post.id}", done="shared")


class CommentForm(BaseModel):
    """A comment's (or a reply's) fields, as the page sends them (files apart)."""

    body: str = Field(min_length=1, max_length=MAX_POST_BODY)
    parent_id: RowId | None = None
    # Files uploaded already, by the page's script.
    attachments: list[RowId] = Field(default=[], max_length=MAX_ATTACHMENTS)
    next: str = Field(default="", max_length=500)


@router.post("/posts/{post_id}/comments")
async def add_comment(
    request: Request, post_id: ItemId, viewer: Viewer, session: Session, settings: AppSettings
):
    """A comment or a reply with its files, in one transaction, as the composer
    publishes a post."""
    async with stream_form(request, session, settings) as form:
        given = parsed(form, CommentForm)
        try:
            text = non_blank(given.body, _("Write something before sending."))
        except Invalid as error:
            return await _post_page(request, session, viewer, post_id, error=error)

        written, error = await attempt_with_files(
            session,
            request=request,
            viewer=viewer,
            form=form,
            ids=given.attachments,
            write=lambda attachments: comments.add_comment(
                session,
                viewer=viewer,
                post_id=post_id,
                body=text,
                parent_id=given.parent_id,
                attachments=attachments,
            ),
        )
    if error is not None:
        return await _post_page(request, session, viewer, post_id, error=error)
    comment, unreachable = written
    return back(
        given.next or f"/posts/{post_id}",
        anchor=f"comment-{comment.id}",
        done="commented",
        unreachable=",".join(unreachable),
    )


async def _comment(session, viewer: User, comment_id: int) -> Comment:
    return await comments.access_comment(session, viewer=viewer, comment_id=comment_id)


@router.post("/comments/{comment_id}/edit")
async def edit_comment(
    request: Request, comment_id: ItemId, viewer: Viewer, session: Session, body: Body
):
    post_id = (await _comment(session, viewer, comment_id)).post_id
    written, error = await attempt(
        session, comments.edit_comment(session, viewer=viewer, comment_id=comment_id, body=body)
    )
    return await _refused_or_back(
        request,
        session,
        viewer,
        post_id,
        error,
        f"/posts/{post_id}",
        anchor=f"comment-{comment_id}",
        done="edited",
        unreachable=",".join(written[1]) if written else "",
    )


@router.post("/comments/{comment_id}/delete")
async def delete_comment(request: Request, comment_id: ItemId, viewer: Viewer, session: Session):
    post_id = (await _comment(session, viewer, comment_id)).post_id
    _nothing, error = await attempt(
        session, comments.delete_comment(session, viewer=viewer, comment_id=comment_id)
    )
    return await _refused_or_back(
        request,
        session,
        viewer,
        post_id,
        error,
        f"/posts/{post_id}",
        anchor=f"comment-{comment_id}",
        done="comment_deleted",
    )


def _reaction_choice(reaction: str) -> tuple[ReactionKind, bool]:
    """A reaction button says the kind and the state it asks for: ``like:on``."""
    kind, _sep, state = reaction.partition(":")
    if kind not in ReactionKind._value2member_map_ or state not in ("on", "off"):
        raise Invalid(_("Unknown reaction."), code="reaction")
    return ReactionKind(kind), state == "on"


@router.post("/posts/{post_id}/reactions")
async def react_to_post(
    request: Request,
    post_id: ItemId,
    viewer: Viewer,
    session: Session,
    reaction: Annotated[str, Form(max_length=30)],
    next: Next = "/",
):
    """Without scripts, each reaction button is a form; with them, stream.js calls
    the API in place."""
    kind, on = _reaction_choice(reaction)
    change = reactions.react if on else reactions.unreact
    _nothing, error = await attempt(
        session, change(session, viewer=viewer, kind=kind, post_id=post_id)
    )
    return await _refused_or_back(request, session, viewer, post_id, error, next)


@router.post("/comments/{comment_id}/reactions")
async def react_to_comment(
    request: Request,
    comment_id: ItemId,
    viewer: Viewer,
    session: Session,
    reaction: Annotated[str, Form(max_length=30)],
    next: Next = "",
):
    kind, on = _reaction_choice(reaction)
    post_id = (await _comment(session, viewer, comment_id)).post_id
    change = reactions.react if on else reactions.unreact
    _nothing, error = await attempt(
        session, change(session, viewer=viewer, kind=kind, comment_id=comment_id)
    )
    return await _refused_or_back(
        request,
        session,
        viewer,
        post_id,
        error,
        next or f"/posts/{post_id}",
        anchor=f"comment-{comment_id}",
    )


@router.post("/posts/{post_id}/vote")
async def vote(
    request: Request,
    post_id: ItemId,
    viewer: Viewer,
    session: Session,
    option_ids: Annotated[list[int], Form(max_length=10)] = (),
    next: Next = "/",
):
    _nothing, error = await attempt(
        session, posts.vote(session, viewer=viewer, post_id=post_id, option_ids=list(option_ids))
    )
    return await _refused_or_back(request, session, viewer, post_id, error, next, done="voted")


@router.post("/posts/{post_id}/confirm")
async def confirm_announcement(
    request: Request, post_id: ItemId, viewer: Viewer, session: Session, next: Next = "/"
):
    _nothing, error = await attempt(
        session, posts.confirm_announcement(session, viewer=viewer, post_id=post_id)
    )
    return await _refused_or_back(request, session, viewer, post_id, error, next, done="confirmed")


@router.post("/posts/{post_id}/answer")
async def accept_answer(
    request: Request,
    post_id: ItemId,
    viewer: Viewer,
    session: Session,
    comment_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
):
    """Marks one comment as the question's answer; without a comment, clears it."""
    _post, error = await attempt(
        session,
        posts.accept_answer(session, viewer=viewer, post_id=post_id, comment_id=comment_id),
    )
    return await _refused_or_back(
        request,
        session,
        viewer,
        post_id,
        error,
        f"/posts/{post_id}",
        anchor=f"comment-{comment_id}" if comment_id else "",
        done="answer",
    )
