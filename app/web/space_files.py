"""The Files page of a space: a folder's folders and documents, a document with
its versions, and the forms that upload, make folders, rename, move and delete.
Plain forms (the upload a multipart one): the page works without scripts. Each
form calls one service; a refusal comes back beside the form, nothing written."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request

from app.api.deps import AppSettings, ItemId, Session, Viewer
from app.api.files import file_store
from app.api.pagination import decode_name_cursor, next_name_cursor
from app.api.space_files import upload_into
from app.errors import Invalid, NotFound
from app.files.upload import receive_form
from app.i18n import _
from app.models import SpaceDocument, SpaceFolder, User
from app.schemas.common import RowId
from app.services import compose, spaces
from app.services.files import area
from app.services.files.area import MAX_FOLDER_NAME
from app.web.form_errors import STREAMED_FIELDS, FailedForm, form_page
from app.web.forms import FILE_FIELDS
from app.web.routes import render, see_other
from app.web.spaces import space_tabs
from app.web.stream_shared import CursorQuery, Done, page_link, row_id

router = APIRouter(include_in_schema=False)

FOLDER_PAGE = 50
# Looser than the service: what is too long comes back beside the form.
NameField = Annotated[str, Form(max_length=MAX_FOLDER_NAME * 4)]
FolderField = Annotated[str, Form(max_length=20)]


def folder_choice(given: str) -> int | None:
    """A folder chosen in a form: the root (empty) or an id."""
    if not given:
        return None
    chosen = row_id(given)
    if chosen is None:
        raise Invalid(_("This folder is not one of this space's."), code="unknown_folder")
    return chosen


def files_url(space_id: int, folder_id: int | None = None, **params) -> str:
    return page_link(f"/spaces/{space_id}/files", folder_id=folder_id, **params)


def document_url(space_id: int, document_id: int, **params) -> str:
    return page_link(f"/spaces/{space_id}/files/{document_id}", **params)


async def _space_view(session, viewer: User, space_id: int) -> spaces.SpaceView:
    """The space, for the page's head and tabs; its files area is as missing as
    its content for whoever may not read it."""
    view = await spaces.view_space(session, viewer=viewer, space_id=space_id)
    if not view.can_read_content:
        raise NotFound()
    return view


async def _page(session, viewer: User, space_id: int, *, area_view: area.FilesArea) -> dict:
    """What both pages show around their content: the space's head and tabs, and
    what the viewer may do there."""
    view = await _space_view(session, viewer, space_id)
    return {
        "space": view.space,
        "tabs": space_tabs(view),
        "may_write": area_view.may_write(viewer),
        "may_moderate": area_view.may_moderate(viewer),
        "choices": await area.folder_choices(session, area=area_view)
        if area_view.may_write(viewer)
        else [],
    }


async def _folder_page(
    request: Request,
    session,
    viewer: User,
    space_id: int,
    folder_id: int | None,
    *,
    cursor: str | None = None,
    done: str | None = None,
):
    """A folder's page; also the page of a refused form about it (the refusal
    comes from the request, app/web/pages.py)."""
    listing = await area.list_folder(
        session,
        viewer=viewer,
        space_id=space_id,
        folder_id=folder_id,
        after=decode_name_cursor(cursor),
        limit=FOLDER_PAGE + 1,
    )
    next_cursor = next_name_cursor(
        [view.document for view in listing.documents], FOLDER_PAGE, "name"
    )
    return render(
        request,
        "spaces/files.html",
        **await _page(session, viewer, space_id, area_view=listing.area),
        listing=listing,
        documents=listing.documents[:FOLDER_PAGE],
        levels=compose.writable_levels(viewer),
        may_change_folder=listing.folder is not None
        and listing.area.may_change(viewer, listing.folder.creator_id),
        more=files_url(space_id, folder_id, cursor=next_cursor) if next_cursor else None,
        done=done,
    )


async def _document_page(
    request: Request,
    session,
    viewer: User,
    space_id: int,
    document_id: int,
    *,
    done: str | None = None,
):
    shown = await area.read_document(session, viewer=viewer, document_id=document_id)
    if shown.document.space_id != space_id:
        raise NotFound()
    area_view = await area.open_area(session, viewer=viewer, space_id=space_id)
    folder = None
    if shown.document.folder_id is not None:
        _area, folder = await area.access_folder(
            session, viewer=viewer, folder_id=shown.document.folder_id
        )
    return render(
        request,
        "spaces/document.html",
        **await _page(session, viewer, space_id, area_view=area_view),
        shown=shown,
        trail=await area.folder_path(session, folder),
        versions=await area.document_versions(
            session, viewer=viewer, document_id=document_id, limit=FOLDER_PAGE
        ),
        may_change=area_view.may_change(viewer, shown.document.author_id),
        done=done,
    )


async def _folder_in(session, viewer: User, space_id: int, folder_id: int) -> SpaceFolder:
    """A folder of the path's space (else it is not found there)."""
    _area, folder = await area.access_folder(session, viewer=viewer, folder_id=folder_id)
    if folder.space_id != space_id:
        raise NotFound()
    return folder


async def _document_in(session, viewer: User, space_id: int, document_id: int) -> SpaceDocument:
    document = await area.access_document(session, viewer=viewer, document_id=document_id)
    if document.space_id != space_id:
        raise NotFound()
    return document


async def _folder_again(request: Request, session, viewer: User, failed: FailedForm):
    """The page of a refused folder form: the folder it was sent from (the one
    in its path, else the one it names: a new folder's parent, an upload's)."""
    shown = request.path_params.get("folder_id") or failed.values.get(
        "parent_id", failed.values.get("folder_id", "")
    )
    space_id = row_id(request.path_params["space_id"])
    return await _folder_page(request, session, viewer, space_id, row_id(str(shown)))


async def _document_again(request: Request, session, viewer: User, _failed: FailedForm):
    space_id = row_id(request.path_params["space_id"])
    document_id = row_id(request.path_params["document_id"])
    return await _document_page(request, session, viewer, space_id, document_id)


# Which field a refusal of the files area's forms is about.
AREA_FIELDS = {**FILE_FIELDS, "name_taken": "name", "blank": "name", "bad_name": "name"}


# --- a folder ---------------------------------------------------------------------------


@router.get("/spaces/{space_id}/files")
async def folder_page(
    request: Request,
    space_id: ItemId,
    viewer: Viewer,
    session: Session,
    folder_id: Annotated[RowId | None, Query()] = None,
    cursor: CursorQuery = None,
    done: Done = None,
):
    return await _folder_page(
        request, session, viewer, space_id, folder_id, cursor=cursor, done=done
    )


@router.post("/spaces/{space_id}/files")
@form_page(_folder_again, fields={**AREA_FIELDS, **dict.fromkeys(FILE_FIELDS, "file")})
async def upload(
    request: Request, space_id: ItemId, viewer: Viewer, session: Session, settings: AppSettings
):
    async with receive_form(
        request,
        file_store(request),
        session=session,
        max_file_bytes=settings.max_upload_bytes,
        max_files=1,
    ) as form:
        # Kept for the folder's page, should the upload be refused.
        setattr(request.state, STREAMED_FIELDS, form.fields)
        document = await upload_into(request, session, viewer, settings, space_id, form)
    done = "version" if document.current_version > 1 else "uploaded"
    return see_other(files_url(space_id, document.folder_id, done=done))


@router.post("/spaces/{space_id}/folders")
@form_page(_folder_again, fields=AREA_FIELDS)
async def create_folder(
    space_id: ItemId, viewer: Viewer, session: Session, name: NameField, parent_id: FolderField = ""
):
    folder = await area.create_folder(
        session, viewer=viewer, space_id=space_id, name=name, parent_id=folder_choice(parent_id)
    )
    return see_other(files_url(space_id, folder.id, done="folder_created"))


@router.post("/spaces/{space_id}/folders/{folder_id}/rename")
@form_page(_folder_again, fields=AREA_FIELDS)
async def rename_folder(
    space_id: ItemId, folder_id: ItemId, viewer: Viewer, session: Session, name: NameField
):
    await _folder_in(session, viewer, space_id, folder_id)
    await area.rename_folder(session, viewer=viewer, folder_id=folder_id, name=name)
    return see_other(files_url(space_id, folder_id, done="renamed"))


@router.post("/spaces/{space_id}/folders/{folder_id}/move")
@form_page(_folder_again, fields=AREA_FIELDS)
async def move_folder(
    space_id: ItemId,
    folder_id: ItemId,
    viewer: Viewer,
    session: Session,
    parent_id: FolderField = "",
):
    await _folder_in(session, viewer, space_id, folder_id)
    await area.move_folder(
        session, viewer=viewer, folder_id=folder_id, parent_id=folder_choice(parent_id)
    )
    return see_other(files_url(space_id, folder_id, done="moved"))


@router.post("/spaces/{space_id}/folders/{folder_id}/delete")
@form_page(_folder_again)
async def delete_folder(space_id: ItemId, folder_id: ItemId, viewer: Viewer, session: Session):
    folder = await _folder_in(session, viewer, space_id, folder_id)
    await area.delete_folder(session, viewer=viewer, folder_id=folder_id)
    return see_other(files_url(space_id, folder.parent_id, done="folder_deleted"))


# --- a document ---------------------------------------------------------------------------


@router.get("/spaces/{space_id}/files/{document_id}")
async def document_page(
    request: Request,
    space_id: ItemId,
    document_id: ItemId,
    viewer: Viewer,
    session: Session,
    done: Done = None,
):
    return await _document_page(request, session, viewer, space_id, document_id, done=done)


@router.post("/spaces/{space_id}/files/{document_id}/rename")
@form_page(_document_again, fields=AREA_FIELDS)
async def rename_document(
    space_id: ItemId, document_id: ItemId, viewer: Viewer, session: Session, name: NameField
):
    await _document_in(session, viewer, space_id, document_id)
    await area.rename_document(session, viewer=viewer, document_id=document_id, name=name)
    return see_other(document_url(space_id, document_id, done="saved"))


@router.post("/spaces/{space_id}/files/{document_id}/move")
@form_page(_document_again, fields=AREA_FIELDS)
async def move_document(
    space_id: ItemId,
    document_id: ItemId,
    viewer: Viewer,
    session: Session,
    folder_id: FolderField = "",
):
    await _document_in(session, viewer, space_id, document_id)
    await area.move_document(
        session, viewer=viewer, document_id=document_id, folder_id=folder_choice(folder_id)
    )
    return see_other(document_url(space_id, document_id, done="saved"))


@router.post("/spaces/{space_id}/files/{document_id}/delete")
@form_page(_document_again)
async def delete_document(space_id: ItemId, document_id: ItemId, viewer: Viewer, session: Session):
    document = await _document_in(session, viewer, space_id, document_id)
    await area.delete_document(session, viewer=viewer, document_id=document_id)
    return see_other(files_url(space_id, document.folder_id, done="deleted"))
