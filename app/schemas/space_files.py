"""A space's files area as the API shows it: folders, documents and their versions."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from app.levels import Level
from app.schemas.account import UserPublic
from app.schemas.common import NOT_BLANK, RowId
from app.schemas.file import FileRead
from app.services.files.area import MAX_FOLDER_NAME

# Blank, "/" and the like are refused by the service (422 ``bad_name``), the form's too.
Name = Annotated[str, Field(min_length=1, max_length=MAX_FOLDER_NAME, pattern=NOT_BLANK)]


class DocumentUpload(BaseModel):
    """The fields of ``POST /spaces/{id}/files`` besides the file."""

    model_config = {"extra": "forbid"}

    folder_id: RowId | None = Field(default=None, description="None: the area's root.")
    level: Level | None = Field(
        default=None,
        description="A new document's level (default: the space's, at most your clearance); "
        "a new version may raise its document's, never lower it.",
    )


class FolderCreate(BaseModel):
    model_config = {"extra": "forbid"}

    name: Name
    parent_id: RowId | None = Field(default=None, description="None: at the area's root.")


class FolderUpdate(BaseModel):
    """Omitted fields are unchanged; ``parent_id: null`` moves the folder to the root."""

    model_config = {"extra": "forbid"}

    name: Name | None = None
    parent_id: RowId | None = None


class DocumentUpdate(BaseModel):
    """Omitted fields are unchanged; ``folder_id: null`` moves the document to the root."""

    model_config = {"extra": "forbid"}

    name: Name | None = Field(
        default=None, description="Its extension follows its current version's type."
    )
    folder_id: RowId | None = None
    level: Level | None = None


class FolderRead(BaseModel):
    id: int
    space_id: int
    parent_id: int | None
    name: str
    created_at: datetime


class DocumentRead(BaseModel):
    id: int
    space_id: int
    folder_id: int | None
    name: str
    level: Level
    author_id: int | None = Field(
        description="Who created it, when you may know of them (else null)."
    )
    version: int = Field(description="The current version's number, also the count of versions.")
    file: FileRead = Field(description="The current version; older ones: /versions.")
    uploader: UserPublic | None = Field(
        description="Who uploaded the current version, when you may know of them (else null)."
    )
    created_at: datetime
    updated_at: datetime


class VersionRead(BaseModel):
    version: int
    file: FileRead = Field(description="Downloadable at file.url, as the current one.")
    uploader: UserPublic | None = Field(
        description="Who uploaded it, when you may know of them (else null)."
    )
    uploaded_at: datetime


class FolderListing(BaseModel):
    """A folder (or the root) of a space's files area: its folders, whole, and a
    page of the documents in it you may read, by name."""

    space_id: int
    folder: FolderRead | None = Field(description="None: the root.")
    path: list[FolderRead] = Field(description="From the root down to this folder.")
    folders: list[FolderRead]
    items: list[DocumentRead]
    next_cursor: str | None
