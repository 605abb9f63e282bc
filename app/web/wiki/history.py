"""A page's history: its revisions, one of them, a diff between two, and
restoring an old one."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.api.deps import ItemId, Session, Viewer
from app.errors import Conflict
from app.i18n import _
from app.models import User, WikiPage
from app.services import wiki
from app.services.wiki.attachments import revision_files
from app.services.wiki.links import page_path
from app.web import form_errors
from app.web.form_errors import FailedForm
from app.web.routes import see_other
from app.web.wiki.common import (
    HISTORY_PAGE,
    Done,
    Number,
    Place,
    RevisionNumber,
    Slug,
    WikiPlace,
    form_page,
    load_tree,
    page_at,
    rendered,
    row_id,
    wiki_place,
)
from app.web.wiki.screens import (
    wiki_page,
)

router = APIRouter()


# --- history ----------------------------------------------------------------------------------


async def show_history(
    request: Request,
    session,
    viewer: User,
    place: Place,
    page: WikiPage,
    *,
    before: int | None = None,
    done: str | None = None,
) -> Response:
    """A page's revisions; also the page of a refused restoring (the refusal
    comes from the request, app/web/pages.py)."""
    found = await wiki.list_revisions(
        session, viewer=viewer, page_id=page.id, before=before, limit=HISTORY_PAGE + 1
    )
    shown = found[:HISTORY_PAGE]
    tree = await load_tree(session, viewer, place.space_id)
    return await wiki_page(
        request,
        "wiki/history.html",
        viewer=viewer,
        place=place,
        tree=tree,
        page=page,
        revisions=shown,
        people=await wiki.people_by_id(session, {revision.author_id for revision in shown}),
        older=shown[-1].number if len(found) > HISTORY_PAGE else None,
        done=done,
    )


@router.get("/{slug}/history")
async def page_history(
    request: Request,
    slug: Slug,
    viewer: Viewer,
    session: Session,
    place: WikiPlace,
    before: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    done: Done = None,
):
    """Every revision, newest first: who, when, why; two to compare; one to restore."""
    page, moved = await page_at(request, session, viewer, place, slug, "/history")
    if moved is not None:
        return moved
    return await show_history(request, session, viewer, place, page, before=before, done=done)


@router.get("/{slug}/revisions/{number}")
async def page_revision(
    request: Request,
    slug: Slug,
    number: Number,
    viewer: Viewer,
    session: Session,
    place: WikiPlace,
):
    page, moved = await page_at(request, session, viewer, place, slug, f"/revisions/{number}")
    if moved is not None:
        return moved
    revision = await wiki.get_revision(session, viewer=viewer, page_id=page.id, number=number)
    files = await revision_files(session, viewer=viewer, page_id=page.id, number=number)
    tree = await load_tree(session, viewer, place.space_id)
    people = await wiki.people_by_id(session, {revision.author_id})
    return await wiki_page(
        request,
        "wiki/revision.html",
        viewer=viewer,
        place=place,
        tree=tree,
        page=page,
        revision=revision,
        author=people.get(revision.author_id),
        shown=await rendered(session, viewer, page.space_id, revision.body, files),
        files=files,
    )


async def _history_again(request: Request, session, viewer: User, _failed: FailedForm):
    place = await wiki_place(request, viewer, session)
    page = await form_page(session, viewer, place, row_id(request.path_params["page_id"]))
    return await show_history(request, session, viewer, place, page)


@router.post("/pages/{page_id}/revisions/{number}/restore")
@form_errors.form_page(_history_again)
async def restore_revision(
    page_id: ItemId,
    number: Number,
    viewer: Viewer,
    session: Session,
    place: WikiPlace,
    base_revision: RevisionNumber,
):
    """An old revision saved again as the newest: history only grows."""
    page = await form_page(session, viewer, place, page_id)
    try:
        restored = await wiki.restore_revision(
            session, viewer=viewer, page_id=page.id, number=number, base_revision=base_revision
        )
    except Conflict as error:
        if error.code != "edit_conflict":
            raise
        raise Conflict(
            _(
                "Someone saved this page since you opened its history: look at the newest "
                "revision, then restore again if you still want to."
            ),
            code="edit_conflict",
        ) from error
    return see_other(page_path(restored.space_id, restored.slug) + "?done=reverted")


@router.get("/{slug}/diff")
async def page_diff(
    request: Request,
    slug: Slug,
    viewer: Viewer,
    session: Session,
    place: WikiPlace,
    old: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    new: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
):
    """Word by word, from ``old`` (default: the one before ``new``) to ``new``
    (default: the current revision)."""
    page, moved = await page_at(request, session, viewer, place, slug, "/diff")
    if moved is not None:
        return moved
    new = new or page.revision
    old = old or max(1, new - 1)
    if old > new:
        old, new = new, old
    first, second, segments = await wiki.compare(
        session, viewer=viewer, page_id=page.id, old=old, new=new
    )
    tree = await load_tree(session, viewer, place.space_id)
    return await wiki_page(
        request,
        "wiki/diff.html",
        viewer=viewer,
        place=place,
        tree=tree,
        page=page,
        first=first,
        second=second,
        segments=segments,
        people=await wiki.people_by_id(session, {first.author_id, second.author_id}),
    )
