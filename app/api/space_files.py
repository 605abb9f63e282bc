"""A space's files area: folders, documents uploaded into them, their versions.
Every version downloads through ``GET /files/{id}/content``, like any file."""

from collections.abc import Awaitable
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError

from app.api.deps import AppSettings, ItemId, Session, Viewer
from app.api.errors import invalid_request
from app.api.files import file_read, file_store, upload_body
from app.api.pagination import (
    Cursor,
    Limit,
    decode_id_cursor,
    decode_name_cursor,
    encode_cursor,
    next_name_cursor,
)
from app.config import Settings
from app.errors import Invalid
from app.files.upload import ReceivedForm, receive_form
from app.i18n import _
from app.levels import Level
from app.models import SpaceDocument, SpaceFolder, User
from app.schemas.account import UserPublic
from app.schemas.common import Page, RowId
from app.schemas.space_files import (
    DocumentRead,
    DocumentUpdate,
    DocumentUpload,
    FolderCreate,
    FolderListing,
    FolderRead,
    FolderUpdate,
    VersionRead,
)
from app.services.files import area, uploads
from app.services.files.area import DocumentView, VersionView

router = APIRouter(tags=["space files"])

UPLOAD_FIELDS = upload_body(
    folder_id=TypeAdapter(RowId).json_schema()
    | {"description": "The folder to put it in; absent: the area's root."},
    level=TypeAdapter(Level).json_schema()
    | {"description": "A new document's level; a new version may raise its document's."},
)
# Version numbers are an INTEGER column: a cursor beyond it must not reach the driver.
MAX_VERSION = 2**31 - 1


def folder_read(folder: SpaceFolder) -> FolderRead:
    return FolderRead.model_validate(folder, from_attributes=True)


def document_read(view: DocumentView) -> DocumentRead:
    document = view.document
    return DocumentRead(
        id=document.id,
        space_id=document.space_id,
        folder_id=document.folder_id,
        name=document.name,
        level=document.level,
        author_id=view.author_id,
        version=document.current_version,
        file=file_read(view.current),
        uploader=UserPublic.model_validate(view.uploader) if view.uploader else None,
        created_at=document.created_at,
        updated_at=document.updated_at,
    )


def version_read(view: VersionView) -> VersionRead:
    return VersionRead(
        version=view.version,
        file=file_read(view.file),
        uploader=UserPublic.model_validate(view.uploader) if view.uploader else None,
        uploaded_at=view.file.file.created_at,
    )


def upload_fields(form: ReceivedForm) -> DocumentUpload:
    """The upload form's other fields, checked as a JSON body would be; an empty
    field (a page's "root" choice) is an absent one."""
    given = {name: form.first(name) for name in DocumentUpload.model_fields if form.first(name)}
    try:
        return DocumentUpload.model_validate(given)
    except ValidationError as error:
        raise invalid_request(RequestValidationError(error.errors())) from None


def upload_into(
    request: Request,
    session,
    viewer: User,
    settings: Settings,
    space_id: int,
    form: ReceivedForm,
) -> Awaitable[SpaceDocument]:
    """The service call an upload form asks for (this API's and the Files page's)."""
    fields = upload_fields(form)
    return area.upload_document(
        session,
        viewer=viewer,
        store=file_store(request),
        settings=settings,
        space_id=space_id,
        received=uploads.the_one_file(form, "file"),
        folder_id=fields.folder_id,
        level=fields.level,
    )


async def _document(session, viewer, document) -> DocumentRead:
    views = await area.document_views(session, viewer=viewer, documents=[document])
    return document_read(views[0])


@router.get("/spaces/{space_id}/files", response_model=FolderListing)
async def list_space_files(
    space_id: ItemId,
    viewer: Viewer,
    session: Session,
    folder_id: Annotated[RowId | None, Query(description="Absent: the root.")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
):
    """The folders of a folder, and the documents in it you may read, with their
    current version and who uploaded it."""
    listing = await area.list_folder(
        session,
        viewer=viewer,
        space_id=space_id,
        folder_id=folder_id,
        after=decode_name_cursor(cursor),
        limit=limit + 1,
    )
    documents = [view.document for view in listing.documents]
    return FolderListing(
        space_id=listing.area.space.id,
        folder=folder_read(listing.folder) if listing.folder else None,
        path=[folder_read(folder) for folder in listing.path],
        folders=[folder_read(folder) for folder in listing.folders],
        items=[document_read(view) for view in listing.documents[:limit]],
        next_cursor=next_name_cursor(documents, limit, "name"),
    )


@router.post("/spaces/{space_id}/folders", response_model=FolderRead, status_code=201)
async def create_folder(space_id: ItemId, data: FolderCreate, viewer: Viewer, session: Session):
    folder = await area.create_folder(
        session, viewer=viewer, space_id=space_id, name=data.name, parent_id=data.parent_id
    )
    return folder_read(folder)


@router.patch("/folders/{folder_id}", response_model=FolderRead)
async def update_folder(folder_id: ItemId, data: FolderUpdate, viewer: Viewer, session: Session):
    """Rename or move a folder with what it holds: its creator or a moderator."""
    folder = await area.edit_folder(
        session,
        viewer=viewer,
        folder_id=folder_id,
        name=data.name,
        parent_id=data.parent_id,
        parent_given="parent_id" in data.model_fields_set,
    )
    return folder_read(folder)


@router.delete("/folders/{folder_id}", status_code=204, response_class=Response)
async def delete_folder(folder_id: ItemId, viewer: Viewer, session: Session) -> None:
    """Moderators: the folders below it go too; its documents move up to its
    parent, those you may read deleted."""
    await area.delete_folder(session, viewer=viewer, folder_id=folder_id)


@router.post(
    "/spaces/{space_id}/files",
    response_model=DocumentRead,
    status_code=201,
    openapi_extra=UPLOAD_FIELDS,
)
async def upload_document(
    request: Request, space_id: ItemId, viewer: Viewer, session: Session, settings: AppSettings
):
    """A file into a folder: a new version of the document of that name (one you
    may read), or a new document."""
    async with receive_form(
        request,
        file_store(request),
        session=session,
        max_file_bytes=settings.max_upload_bytes,
        max_files=1,
    ) as form:
        document = await upload_into(request, session, viewer, settings, space_id, form)
    return await _document(session, viewer, document)


@router.get("/documents/{document_id}", response_model=DocumentRead)
async def read_document(document_id: ItemId, viewer: Viewer, session: Session):
    return document_read(await area.read_document(session, viewer=viewer, document_id=document_id))


@router.patch("/documents/{document_id}", response_model=DocumentRead)
async def update_document(
    document_id: ItemId, data: DocumentUpdate, viewer: Viewer, session: Session
):
    """Rename, move or change the level of a document: its author or a moderator."""
    document = await area.edit_document(
        session,
        viewer=viewer,
        document_id=document_id,
        name=data.name,
        folder_id=data.folder_id,
        folder_given="folder_id" in data.model_fields_set,
        level=data.level,
    )
    return await _document(session, viewer, document)


@router.delete("/documents/{document_id}", status_code=204, response_class=Response)
async def delete_document(document_id: ItemId, viewer: Viewer, session: Session) -> None:
    """Its author or a moderator; its files are gone with it."""
    await area.delete_document(session, viewer=viewer, document_id=document_id)


@router.get("/documents/{document_id}/versions", response_model=Page[VersionRead])
async def document_versions(
    document_id: ItemId, viewer: Viewer, session: Session, limit: Limit = 50, cursor: Cursor = None
):
    """Newest first, each downloadable at its ``file.url``."""
    before = decode_id_cursor(cursor)
    if before is not None and before > MAX_VERSION:
        raise Invalid(_("The cursor is not valid."), code="invalid_cursor")
    found = await area.document_versions(
        session, viewer=viewer, document_id=document_id, before=before, limit=limit + 1
    )
    return {
        "items": [version_read(view) for view in found[:limit]],
        "next_cursor": encode_cursor(found[limit - 1].version) if len(found) > limit else None,
    }
