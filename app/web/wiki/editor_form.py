"""What the wiki editor's form carries, sent either way a browser sends it:
``application/x-www-form-urlencoded`` (a form without files) or
``multipart/form-data`` with the files picked in its plain file input, streamed
to disk as they come (``receive_form``, which also checks the form's
anti-forgery token before the first file). Besides its text: the uploads its
script already made (``attachments``: the writer's own, attached on save) and
the page's files to leave out (``remove_attachments``)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal, Self, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.errors import AppError
from app.files.upload import ReceivedFile, receive_form
from app.levels import Level
from app.models import FilePurpose, User
from app.schemas.file import Attachments
from app.schemas.wiki import MAX_REVISION, RemovedFiles
from app.services.files.attachments import MAX_ATTACHMENTS
from app.services.files.uploads import store_upload
from app.web.routes import attempt

# The file input's name.
FILES_FIELD = "files"


class EditorForm(BaseModel):
    """The editor's fields, bounded looser than the service's limits: what is too
    long comes back beside the form, with everything typed, instead of an error
    page that loses it."""

    model_config = {"extra": "ignore"}

    title: str = Field(default="", max_length=1000)
    body: str = Field(default="", max_length=200_000)
    message: str = Field(default="", max_length=1000)
    level: Level | None = None
    intent: Literal["save", "preview"] = "save"
    attachments: Attachments = Field(default_factory=list)
    remove_attachments: RemovedFiles = Field(default_factory=list)

    @classmethod
    def of(cls, fields: dict[str, list[str]]) -> Self:
        """From a form's fields: an empty one counts as absent (as for FastAPI's
        own forms); lists from every value, any other field from its last."""
        lists = {"attachments", "remove_attachments"}
        data = {
            name: [value for value in values if value] if name in lists else values[-1]
            for name, values in fields.items()
            if name in lists or values[-1]
        }
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            raise RequestValidationError(error.errors()) from None


class NewPageForm(EditorForm):
    parent_id: str = Field(default="", max_length=20)
    template: str = Field(default="", max_length=40)


class PageEditForm(EditorForm):
    base_revision: int = Field(ge=1, le=MAX_REVISION)


EditorFormT = TypeVar("EditorFormT", bound=EditorForm)


@asynccontextmanager
async def editor_form(
    request: Request, session: AsyncSession, settings: Settings
) -> AsyncIterator[tuple[dict[str, list[str]], list[ReceivedFile]]]:
    """The form's fields and the files of its file input, which exist until the
    context is left unless stored meanwhile (``store_files``)."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()
        yield {name: [str(value) for value in form.getlist(name)] for name in form}, []
        return
    async with receive_form(
        request,
        request.app.state.files,
        session=session,
        max_file_bytes=settings.max_upload_bytes,
        max_files=MAX_ATTACHMENTS,
    ) as form:
        yield form.fields, [received for received in form.files if received.field == FILES_FIELD]


async def store_files(
    session: AsyncSession,
    *,
    viewer: User,
    request: Request,
    settings: Settings,
    files: list[ReceivedFile],
) -> list[int]:
    """The files of the form kept as the writer's uploads, attached to nothing
    yet: the save attaches them, and a refused save or a preview keeps them in
    the editor for the next try."""
    stored = []
    for received in files:
        view = await store_upload(
            session,
            viewer=viewer,
            store=request.app.state.files,
            settings=settings,
            received=received,
            purpose=FilePurpose.ATTACHMENT,
        )
        stored.append(view.file.id)
    return stored


async def read_editor(
    request: Request,
    session: AsyncSession,
    *,
    viewer: User,
    settings: Settings,
    model: type[EditorFormT],
) -> tuple[EditorFormT, list[int], AppError | None]:
    """The form, the uploads to attach on save (the script's, then the file
    input's, stored now), and the refusal of a file, if one was refused (then
    none of the file input's is kept)."""
    async with editor_form(request, session, settings) as (fields, files):
        form = model.of(fields)
        stored, refused = [], None
        if files:
            stored, refused = await attempt(
                session,
                store_files(
                    session, viewer=viewer, request=request, settings=settings, files=files
                ),
            )
    return form, [*form.attachments, *(stored or [])], refused
