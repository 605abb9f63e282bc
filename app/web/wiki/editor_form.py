"""What the wiki editor's form carries (read as every form that writes is:
``app/web/forms.py``): besides its text, the uploads its script already made
(``attachments``: the writer's own, attached on save), the files of its plain
file input, and the page's files to leave out (``remove_attachments``)."""

from typing import Literal, TypeVar

from fastapi import Request
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.files import file_store
from app.config import Settings
from app.levels import Level
from app.models import User
from app.schemas.file import Attachments
from app.schemas.wiki import MAX_REVISION, RemovedFiles
from app.services.files.attachments import keep_uploads
from app.web import form_errors
from app.web.form_errors import FailedForm
from app.web.forms import FILE_FIELDS, input_files, parsed, stream_form
from app.web.routes import attempt


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


class NewPageForm(EditorForm):
    parent_id: str = Field(default="", max_length=20)
    template: str = Field(default="", max_length=40)


class PageEditForm(EditorForm):
    base_revision: int = Field(ge=1, le=MAX_REVISION)


EditorFormT = TypeVar("EditorFormT", bound=EditorForm)

# Which field a refusal of the editor is about.
EDITOR_FIELDS = {
    **FILE_FIELDS,
    "title_taken": "title",
    "title_too_long": "title",
    "blank": "title",
    "body_too_long": "body",
    "message_too_long": "message",
    "wider_than_parent": "level",
    "write_up": "level",
    "cycle": "parent_id",
    "parent_elsewhere": "parent_id",
    "unknown_template": "template",
}


async def read_editor(
    request: Request,
    session: AsyncSession,
    *,
    viewer: User,
    settings: Settings,
    model: type[EditorFormT],
) -> tuple[EditorFormT, list[int], FailedForm | None]:
    """The form, the uploads to attach on save (the script's, then the file
    input's, stored now), and the refusal of a file, if one was refused (then
    none of the file input's is kept)."""
    async with stream_form(request, session, settings) as received:
        form = parsed(received, model)
        files = input_files(received)
        stored, refused = [], None
        if files:
            stored, refused = await attempt(
                session,
                keep_uploads(
                    session,
                    viewer=viewer,
                    store=file_store(request),
                    settings=settings,
                    received=files,
                ),
            )
    failed = await form_errors.refused(request, refused, EDITOR_FIELDS) if refused else None
    return form, [*form.attachments, *(stored or [])], failed
