"""Files: upload (``multipart/form-data``), metadata, download, delete. Every
download, the web pages' included, goes through ``GET /files/{id}/content``,
which reads the file through the policy: a hidden file is a missing one."""

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from starlette.responses import FileResponse

from app.api.deps import AppSettings, ItemId, Session, Viewer
from app.files import kinds
from app.files.store import Store
from app.files.upload import receive_form
from app.models import FilePurpose
from app.schemas.file import FilePreviews, FileRead
from app.services.files import uploads
from app.services.files.uploads import FileView, content_url

router = APIRouter(tags=["files"])


def upload_body(**fields: dict) -> dict:
    """The OpenAPI request body of an upload (for ``openapi_extra``): one file,
    in the field ``file``, and the form's other ``fields`` (their schemas)."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}, **fields},
                    }
                }
            },
        }
    }


# What POST /files takes (an avatar has its own route, PUT /me/avatar).
UPLOAD_PURPOSES = (FilePurpose.ATTACHMENT, FilePurpose.IMAGE)
UPLOAD_BODY = upload_body(
    purpose={
        "type": "string",
        "enum": [purpose.value for purpose in UPLOAD_PURPOSES],
        "default": FilePurpose.ATTACHMENT.value,
    }
)
# The type a download is served with: the one its bytes were found to be, or
# octet-stream for markup a browser would run (kinds.NEVER_RENDERED).
SERVED_TYPES = {
    content_type: {"schema": {"type": "string", "format": "binary"}}
    for content_type in sorted(
        {"application/octet-stream", *kinds.ACCEPTED[FilePurpose.ATTACHMENT]} - kinds.NEVER_RENDERED
    )
}
# A file's bytes never change under its id: a browser may keep them, for its
# own person only (private), and must ask again once the hour is past, so that
# a file hidden since is not shown from its cache for long.
CACHE_CONTROL = "private, max-age=3600"
# The file route serves bytes, never a page: nothing in it may run.
SANDBOX = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def file_store(request: Request) -> Store:
    return request.app.state.files


def file_read(view: FileView) -> FileRead:
    file, blob = view.file, view.blob
    return FileRead(
        id=file.id,
        name=file.name,
        content_type=blob.content_type,
        size=blob.size,
        purpose=file.purpose,
        width=blob.width,
        height=blob.height,
        inline=blob.content_type in kinds.INLINE,
        url=content_url(file.id),
        previews=FilePreviews(
            small=content_url(file.id, "small"), large=content_url(file.id, "large")
        )
        if blob.has_previews
        else None,
        created_at=file.created_at,
    )


@router.post("/files", response_model=FileRead, status_code=201, openapi_extra=UPLOAD_BODY)
async def upload_file(request: Request, viewer: Viewer, session: Session, settings: AppSettings):
    """One file, attached to nothing until a post, comment or page names it
    (``attachments``); until then yours alone, and removed after a day unused."""
    store = file_store(request)
    async with receive_form(
        request, store, session=session, max_file_bytes=settings.max_upload_bytes, max_files=1
    ) as form:
        purpose = uploads.upload_purpose(form.first("purpose"), allowed=UPLOAD_PURPOSES)
        received = uploads.the_one_file(form, "file")
        view = await uploads.store_upload(
            session,
            viewer=viewer,
            store=store,
            settings=settings,
            received=received,
            purpose=purpose,
        )
    return file_read(view)


@router.get("/files/{file_id}", response_model=FileRead)
async def read_file(file_id: ItemId, viewer: Viewer, session: Session):
    return file_read(await uploads.access_file(session, viewer=viewer, file_id=file_id))


def content_disposition(disposition: str, name: str) -> str:
    """RFC 6266: an ASCII fallback for old clients, the UTF-8 name for the rest."""
    fallback = "".join(
        char if char.isascii() and char.isprintable() and char not in '"\\' else "_"
        for char in name
    )
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@router.get(
    "/files/{file_id}/content",
    response_class=FileResponse,
    responses={
        200: {
            "content": SERVED_TYPES,
            "description": "The file's bytes.",
        },
        206: {"description": "The ranges asked for (Range)."},
        304: {"description": "Not modified (If-None-Match)."},
    },
)
async def download_file(
    request: Request,
    file_id: ItemId,
    viewer: Viewer,
    session: Session,
    preview: Annotated[Literal["small", "large"] | None, Query()] = None,
):
    """The file's bytes: an image inline, anything else as an attachment.
    ``preview``: an image's smaller copy (404 when it has none)."""
    view = await uploads.access_file(session, viewer=viewer, file_id=file_id)
    key, content_type = uploads.served_key(view, preview)
    etag = f'"{key}"'
    headers = {
        "etag": etag,
        "cache-control": CACHE_CONTROL,
        # Beside the site's own policy (and its nosniff): a browser keeps to both.
        "content-security-policy": SANDBOX,
    }
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    inline = content_type in kinds.INLINE
    if content_type in kinds.NEVER_RENDERED:
        content_type = "application/octet-stream"
    name = view.file.name if preview is None else f"{view.file.name.rsplit('.', 1)[0]}.webp"
    headers["content-disposition"] = content_disposition("inline" if inline else "attachment", name)
    return file_store(request).response(key, media_type=content_type, headers=headers)


@router.delete("/files/{file_id}", status_code=204, response_class=Response)
async def delete_file(file_id: ItemId, viewer: Viewer, session: Session) -> None:
    """Your upload not attached yet, or one attached to your own post or comment
    (it is taken off it)."""
    await uploads.delete_file(session, viewer=viewer, file_id=file_id)
