"""Files as the API shows them: what they are and where to fetch them."""

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from app.models import FilePurpose
from app.schemas.common import RowId
from app.services.files.attachments import MAX_ATTACHMENTS


def _each_once(file_ids: list[int]) -> list[int]:
    if len(set(file_ids)) != len(file_ids):
        raise ValueError("each file may be named once")
    return file_ids


# Checked here, as the document says (uniqueItems), whatever the route does next.
Attachments = Annotated[
    list[RowId],
    AfterValidator(_each_once),
    Field(
        max_length=MAX_ATTACHMENTS,
        json_schema_extra={"uniqueItems": True},
        description="Your new uploads (POST /files) to attach, in order.",
    ),
]


class FilePreviews(BaseModel):
    small: str = Field(description="At most 320 pixels a side, WebP.")
    large: str = Field(description="At most 1,280 pixels a side, WebP.")


class FileRead(BaseModel):
    id: int
    name: str = Field(description="The name offered on download, cleaned of folders.")
    content_type: str = Field(description="Decided from the file's bytes.")
    size: int = Field(description="In bytes.")
    purpose: FilePurpose
    width: int | None = None
    height: int | None = None
    inline: bool = Field(description="An image shown in pages; anything else is downloaded.")
    url: str = Field(description="Where to download it (the access-checked route).")
    previews: FilePreviews | None = None
    created_at: datetime
