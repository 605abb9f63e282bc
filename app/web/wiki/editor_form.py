"""What the wiki editor's form carries (read as every form that writes is:
``app/web/forms.py``): besides its text, the uploads its script already made
(``attachments``: the writer's own, attached on save), the files of its plain
file input, and the page's files to leave out (``remove_attachments``)."""

from typing import Literal

from pydantic import BaseModel, Field

from app.levels import Level
from app.schemas.file import Attachments
from app.schemas.wiki import MAX_REVISION, RemovedFiles
from app.web.forms import FILE_FIELDS


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
