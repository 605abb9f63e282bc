"""Writing a wiki: a new page, the editor and its save (the conflict screen
merges two edits instead of losing one), watching, moving, deleting, and
restoring from the bin."""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request

from app.access import check_can_edit_wiki, default_level_for, higher_level
from app.api.deps import AppSettings, ItemId, Session, Viewer
from app.errors import Invalid, NotFound
from app.models import User
from app.services import wiki
from app.services.files.attachments import Attachments
from app.services.wiki.attachments import FileChanges
from app.services.wiki.links import page_path
from app.services.wiki.templates import template_named
from app.web import form_errors
from app.web.form_errors import FailedForm
from app.web.forms import attempt, read_with_uploads
from app.web.routes import see_other
from app.web.wiki.common import (
    Slug,
    WikiPlace,
    form_page,
    page_at,
    parent_choice,
    row_id,
    wiki_place,
)
from app.web.wiki.editor_form import EDITOR_FIELDS, NewPageForm, PageEditForm
from app.web.wiki.reading import wiki_bin
from app.web.wiki.screens import (
    editor_values,
    gone,
    preview_of,
    show_editor,
    show_page,
)

router = APIRouter()


async def _bin_again(request: Request, session, viewer: User, _failed: FailedForm):
    """A refused restoring: the bin again, the refusal shown (app/web/pages.py)."""
    place = await wiki_place(request, viewer, session)
    return await wiki_bin(request=request, viewer=viewer, session=session, place=place)


async def _page_again(request: Request, session, viewer: User, _failed: FailedForm):
    """A refused form about a page (move, delete, watch): the page again."""
    place = await wiki_place(request, viewer, session)
    page = await form_page(session, viewer, place, row_id(request.path_params["page_id"]))
    return await show_page(request, session, viewer, place, page)


async def _editor_again(request: Request, session, viewer: User, failed: FailedForm):
    """A refused editor whose form never reached its route (a field the form
    checks refused, an expired anti-forgery token): the editor again with
    everything typed. The uploads its script made stay pending."""
    place = await wiki_place(request, viewer, session)
    page_id = request.path_params.get("page_id")
    page = await form_page(session, viewer, place, row_id(page_id)) if page_id else None
    values = failed.over(editor_values())
    uploads = [row_id(str(sent)) for sent in values["attachments"]]
    values["attachments"] = [upload for upload in uploads if upload is not None]
    values["parent_id"] = row_id(str(values["parent_id"] or ""))
    return await show_editor(
        request, session, viewer, place, values=values, page=page, failed=failed
    )


@router.post("/pages/{page_id}/restore")
@form_errors.form_page(_bin_again)
async def restore_deleted_page(page_id: ItemId, viewer: Viewer, session: Session):
    page = await wiki.restore_page(session, viewer=viewer, page_id=page_id)
    return see_other(page_path(page.space_id, page.slug) + "?done=restored")


# --- a new page ------------------------------------------------------------------------------


@router.get("/new")
async def new_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    place: WikiPlace,
    title: Annotated[str, Query(max_length=200)] = "",
    parent: Annotated[str, Query(max_length=20)] = "",
    template: Annotated[str, Query(max_length=40)] = "",
):
    """The form of a new page: its title given by a red link, its parent by the
    page it hangs under, its text by a template."""
    check_can_edit_wiki(viewer, place.wiki.space, place.wiki.role)
    given_title, body = title, ""
    if template:
        chosen = template_named(template)
        title = title or await wiki.free_title(
            session, viewer=viewer, space_id=place.space_id, title=chosen.title(date.today())
        )
        body = chosen.body(date.today())
    level = place.default_level
    parent_id = row_id(parent)
    if parent_id is not None:
        parent_page = await form_page(session, viewer, place, parent_id)
        level = higher_level(level, parent_page.level)
    values = editor_values(
        title=title,
        body=body,
        parent_id=parent_id,
        level=default_level_for(viewer, level),
        template=template,
    )
    return await show_editor(
        request, session, viewer, place, values=values, given_title=given_title
    )


@router.post("/new")
@form_errors.form_page(_editor_again, fields=EDITOR_FIELDS)
async def create_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    settings: AppSettings,
    place: WikiPlace,
):
    form, pending, refused_file = await read_with_uploads(
        request, session, viewer=viewer, model=NewPageForm, fields=EDITOR_FIELDS
    )
    values = editor_values(
        title=form.title,
        body=form.body,
        message=form.message,
        parent_id=row_id(form.parent_id),
        level=form.level,
        template=form.template,
        attachments=pending,
    )
    if refused_file is not None or form.intent == "preview":
        preview = None if refused_file else await preview_of(session, viewer, place, None, values)
        return await show_editor(
            request, session, viewer, place, values=values, preview=preview, failed=refused_file
        )
    title, body = form.title, form.body
    try:
        parent = parent_choice(form.parent_id)
        if form.template and not body.strip():
            # A template chosen but its text not loaded (the form sent as is).
            chosen = template_named(form.template)
            body = chosen.body(date.today())
            title = title.strip() or chosen.title(date.today())
    except Invalid as error:
        failed = await form_errors.refused(request, error, EDITOR_FIELDS)
        return await show_editor(request, session, viewer, place, values=values, failed=failed)
    # In a savepoint (attempt): a refused save leaves the files the form
    # carried stored, pending, for the editor shown again.
    page, error = await attempt(
        session,
        wiki.create_page(
            session,
            viewer=viewer,
            space_id=place.space_id,
            title=title,
            body=body,
            parent_id=parent,
            level=form.level,
            message=form.message,
            attachments=Attachments.of(pending, settings),
        ),
    )
    if error is not None:
        failed = await form_errors.refused(request, error, EDITOR_FIELDS)
        return await show_editor(request, session, viewer, place, values=values, failed=failed)
    return see_other(page_path(page.space_id, page.slug) + "?done=created")


@router.get("/{slug}/edit")
async def edit_page(
    request: Request, slug: Slug, viewer: Viewer, session: Session, place: WikiPlace
):
    page, moved = await page_at(request, session, viewer, place, slug, "/edit")
    if moved is not None:
        return moved
    check_can_edit_wiki(viewer, place.wiki.space, place.wiki.role)
    values = editor_values(
        title=page.title, body=page.body, level=page.level, base_revision=page.revision
    )
    return await show_editor(request, session, viewer, place, values=values, page=page)


@router.post("/pages/{page_id}/edit")
@form_errors.form_page(_editor_again, fields=EDITOR_FIELDS)
async def save_page(
    request: Request,
    page_id: ItemId,
    viewer: Viewer,
    session: Session,
    settings: AppSettings,
    place: WikiPlace,
):
    """A new revision; when someone saved since the editor opened, the conflict
    screen (409): their version, what they changed, and both edits merged in the
    editor, based on their revision, so that saving again keeps both."""
    form, pending, refused_file = await read_with_uploads(
        request, session, viewer=viewer, model=PageEditForm, fields=EDITOR_FIELDS
    )
    try:
        page = await form_page(session, viewer, place, page_id)
    except NotFound:
        return gone(request, title=form.title, body=form.body)
    values = editor_values(
        title=form.title,
        body=form.body,
        message=form.message,
        level=form.level,
        base_revision=form.base_revision,
        attachments=pending,
        remove_attachments=form.remove_attachments,
    )
    if refused_file is not None or form.intent == "preview":
        preview = None if refused_file else await preview_of(session, viewer, place, page, values)
        return await show_editor(
            request,
            session,
            viewer,
            place,
            values=values,
            page=page,
            preview=preview,
            failed=refused_file,
        )
    try:
        saved, error = await attempt(
            session,
            wiki.save_page(
                session,
                viewer=viewer,
                page_id=page.id,
                base_revision=form.base_revision,
                title=form.title,
                body=form.body,
                message=form.message,
                level=form.level,
                files=FileChanges(
                    added=Attachments.of(pending, settings),
                    removed=frozenset(form.remove_attachments),
                ),
            ),
        )
    except NotFound:
        return gone(request, title=form.title, body=form.body)
    if error is None:
        return see_other(page_path(saved.space_id, saved.slug) + "?done=saved")
    page = await form_page(session, viewer, place, page_id)
    if error.code == "edit_conflict":
        merged = error.detail["merged"]
        values.update(
            # Without a merge (a base they may not read), their own text.
            body=merged["body"] if merged is not None else form.body,
            base_revision=error.detail["current"]["revision"],
            mine=form.body,
            base=form.base_revision,
        )
    failed = await form_errors.refused(request, error, EDITOR_FIELDS)
    return await show_editor(
        request, session, viewer, place, values=values, page=page, failed=failed
    )


@router.post("/pages/{page_id}/watch")
@form_errors.form_page(_page_again)
async def watch_page(
    page_id: ItemId,
    viewer: Viewer,
    session: Session,
    place: WikiPlace,
    watching: Annotated[bool, Form()],
):
    page = await form_page(session, viewer, place, page_id)
    await wiki.watch(session, viewer=viewer, page_id=page.id, on=watching)
    done = "watching" if watching else "unwatched"
    return see_other(page_path(page.space_id, page.slug) + f"?done={done}")


@router.post("/pages/{page_id}/move")
@form_errors.form_page(_page_again, fields={"cycle": "parent_id", "parent_elsewhere": "parent_id"})
async def move_page(
    page_id: ItemId,
    viewer: Viewer,
    session: Session,
    place: WikiPlace,
    shift: Annotated[Literal["up", "down", ""], Form()] = "",
    parent_id: Annotated[str, Form(max_length=20)] = "",
    position: Annotated[int, Form(ge=1, le=100_000)] = 100_000,
):
    """Up or down among its siblings, or under another parent at a position
    (1: first; beyond the last: last)."""
    page = await form_page(session, viewer, place, page_id)
    if shift:
        moved = await wiki.shift_page(
            session, viewer=viewer, page_id=page.id, offset=-1 if shift == "up" else 1
        )
    else:
        moved = await wiki.move_page(
            session,
            viewer=viewer,
            page_id=page.id,
            parent_id=parent_choice(parent_id),
            position=position - 1,
        )
    return see_other(page_path(moved.space_id, moved.slug) + "?done=moved")


@router.post("/pages/{page_id}/delete")
@form_errors.form_page(_page_again)
async def delete_page(page_id: ItemId, viewer: Viewer, session: Session, place: WikiPlace):
    """Into the bin; its sub-pages move up to its parent."""
    page = await form_page(session, viewer, place, page_id)
    await wiki.delete_page(session, viewer=viewer, page_id=page.id)
    return see_other(f"{place.root}?done=deleted")
