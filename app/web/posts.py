"""A post's page with its comments, and what is done to a post or a comment: edit,
delete, pin, share, comment, react, vote, confirm an announcement, accept an
answer. A refusal shows the post's page again, with nothing written
(app/web/form_errors.py)."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from pydantic import BaseModel, Field

from app.api.deps import AppSettings, ItemId, Session, Viewer
from app.api.pagination import decode_id_cursor, next_id_cursor
from app.errors import Invalid, non_blank
from app.i18n import _
from app.levels import Level
from app.models import Comment, PostKind, ReactionKind, User
from app.schemas.common import MAX_ID, RowId
from app.schemas.post import MAX_POST_BODY
from app.services import comments, compose, posts, reactions
from app.services.comments import CommentView
from app.services.files.attachments import MAX_ATTACHMENTS
from app.web.form_errors import FailedForm, form_page
from app.web.forms import FILE_FIELDS, parsed, stream_form, write_with_files
from app.web.routes import render
from app.web.stream_shared import (
    CursorQuery,
    Done,
    Next,
    OptionalBody,
    Unreachable,
    back,
    container_choice,
    page_link,
    row_id,
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


async def _post_again(request: Request, session, viewer: User, _failed: FailedForm):
    """The page of a refused form about a post: the post's page."""
    post_id = row_id(request.path_params["post_id"])
    return await _post_page(request, session, viewer, post_id)


async def _comment_again(request: Request, session, viewer: User, _failed: FailedForm):
    """The page of a refused form about a comment: its post's page."""
    comment = await _comment(session, viewer, row_id(request.path_params["comment_id"]))
    return await _post_page(request, session, viewer, comment.post_id)


# Which field a refusal of a text is about.
TEXT_FIELDS = {"blank": "body", "too_long": "body", "level": "level", "write_up": "level"}


@router.post("/posts/{post_id}/edit")
@form_page(_post_again, fields=TEXT_FIELDS)
async def edit_post(
    post_id: ItemId,
    viewer: Viewer,
    session: Session,
    body: Body,
    level: Annotated[Level | None, Form()] = None,
):
    published = await posts.edit_post(
        session, viewer=viewer, post_id=post_id, body=body, level=level
    )
    return back(
        f"/posts/{post_id}",
        anchor=f"post-{post_id}",
        done="edited",
        unreachable=",".join(published.unreachable_mentions),
    )


@router.post("/posts/{post_id}/delete")
@form_page(_post_again)
async def delete_post(post_id: ItemId, viewer: Viewer, session: Session, next: Next = "/"):
    await posts.delete_post(session, viewer=viewer, post_id=post_id)
    return back(next, anchor=f"post-{post_id}", done="deleted")


@router.post("/posts/{post_id}/pin")
@form_page(_post_again)
async def pin_post(
    post_id: ItemId,
    viewer: Viewer,
    session: Session,
    pinned: Annotated[bool, Form()],
    next: Next = "/",
):
    await posts.set_pinned(session, viewer=viewer, post_id=post_id, pinned=pinned)
    return back(next, anchor=f"post-{post_id}", done="pinned" if pinned else "unpinned")


@router.post("/posts/{post_id}/share")
@form_page(_post_again, fields={**TEXT_FIELDS, "space": "space_id", "write_down": "space_id"})
async def share_post(
    post_id: ItemId,
    viewer: Viewer,
    session: Session,
    level: Annotated[Level, Form()],
    space_id: Annotated[str, Form(max_length=20)] = "",
    body: OptionalBody = "",
):
    """A new post that embeds this one; the service refuses any destination
    where someone could read it who may not read the original."""
    published = await posts.publish_post(
        session,
        viewer=viewer,
        body=body.strip(),
        space_id=container_choice(space_id),
        level=level,
        shared_from_id=post_id,
    )
    return back(f"/posts/{published.post.id}", done="shared")


class CommentForm(BaseModel):
    """A comment's (or a reply's) fields, as the page sends them (files apart)."""

    body: str = Field(min_length=1, max_length=MAX_POST_BODY)
    parent_id: RowId | None = None
    # Files uploaded already, by the page's script.
    attachments: list[RowId] = Field(default=[], max_length=MAX_ATTACHMENTS)
    next: str = Field(default="", max_length=500)


@router.post("/posts/{post_id}/comments")
@form_page(_post_again, fields={**TEXT_FIELDS, **FILE_FIELDS})
async def add_comment(
    request: Request, post_id: ItemId, viewer: Viewer, session: Session, settings: AppSettings
):
    """A comment or a reply with its files, in one transaction, as the composer
    publishes a post."""
    async with stream_form(request, session, settings) as form:
        given = parsed(form, CommentForm)
        text = non_blank(given.body, _("Write something before sending."))
        comment, unreachable = await write_with_files(
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
    return back(
        given.next or f"/posts/{post_id}",
        anchor=f"comment-{comment.id}",
        done="commented",
        unreachable=",".join(unreachable),
    )


async def _comment(session, viewer: User, comment_id: int) -> Comment:
    return await comments.access_comment(session, viewer=viewer, comment_id=comment_id)


@router.post("/comments/{comment_id}/edit")
@form_page(_comment_again, fields=TEXT_FIELDS)
async def edit_comment(comment_id: ItemId, viewer: Viewer, session: Session, body: Body):
    post_id = (await _comment(session, viewer, comment_id)).post_id
    _comment_written, unreachable = await comments.edit_comment(
        session, viewer=viewer, comment_id=comment_id, body=body
    )
    return back(
        f"/posts/{post_id}",
        anchor=f"comment-{comment_id}",
        done="edited",
        unreachable=",".join(unreachable),
    )


@router.post("/comments/{comment_id}/delete")
@form_page(_comment_again)
async def delete_comment(comment_id: ItemId, viewer: Viewer, session: Session):
    post_id = (await _comment(session, viewer, comment_id)).post_id
    await comments.delete_comment(session, viewer=viewer, comment_id=comment_id)
    return back(f"/posts/{post_id}", anchor=f"comment-{comment_id}", done="comment_deleted")


def _reaction_choice(reaction: str) -> tuple[ReactionKind, bool]:
    """A reaction button says the kind and the state it asks for: ``like:on``."""
    kind, _sep, state = reaction.partition(":")
    if kind not in ReactionKind._value2member_map_ or state not in ("on", "off"):
        raise Invalid(_("Unknown reaction."), code="reaction")
    return ReactionKind(kind), state == "on"


@router.post("/posts/{post_id}/reactions")
@form_page(_post_again)
async def react_to_post(
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
    await change(session, viewer=viewer, kind=kind, post_id=post_id)
    return back(next, anchor=f"post-{post_id}")


@router.post("/comments/{comment_id}/reactions")
@form_page(_comment_again)
async def react_to_comment(
    comment_id: ItemId,
    viewer: Viewer,
    session: Session,
    reaction: Annotated[str, Form(max_length=30)],
    next: Next = "",
):
    kind, on = _reaction_choice(reaction)
    post_id = (await _comment(session, viewer, comment_id)).post_id
    change = reactions.react if on else reactions.unreact
    await change(session, viewer=viewer, kind=kind, comment_id=comment_id)
    return back(next or f"/posts/{post_id}", anchor=f"comment-{comment_id}")


@router.post("/posts/{post_id}/vote")
@form_page(_post_again)
async def vote(
    post_id: ItemId,
    viewer: Viewer,
    session: Session,
    option_ids: Annotated[list[int], Form(max_length=10)] = (),
    next: Next = "/",
):
    await posts.vote(session, viewer=viewer, post_id=post_id, option_ids=list(option_ids))
    return back(next, anchor=f"post-{post_id}", done="voted")


@router.post("/posts/{post_id}/confirm")
@form_page(_post_again)
async def confirm_announcement(post_id: ItemId, viewer: Viewer, session: Session, next: Next = "/"):
    await posts.confirm_announcement(session, viewer=viewer, post_id=post_id)
    return back(next, anchor=f"post-{post_id}", done="confirmed")


@router.post("/posts/{post_id}/answer")
@form_page(_post_again)
async def accept_answer(
    post_id: ItemId,
    viewer: Viewer,
    session: Session,
    comment_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
):
    """Marks one comment as the question's answer; without a comment, clears it."""
    await posts.accept_answer(session, viewer=viewer, post_id=post_id, comment_id=comment_id)
    return back(
        f"/posts/{post_id}",
        anchor=f"comment-{comment_id}" if comment_id else f"post-{post_id}",
        done="answer",
    )
