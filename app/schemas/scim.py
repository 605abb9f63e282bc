"""SCIM clients and groups as administrators manage them (the SCIM protocol's
own resources are scim2-models', in app/services/scim)."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.schemas.common import ReadModel, RowId

ProvisionedKind = Literal["employee", "contractor"]
LinkRole = Literal["member", "moderator"]


class ScimClientCreate(BaseModel):
    name: str = Field(
        min_length=1,
        max_length=60,
        description="The identity provider's name; its people are linked as scim:<name>.",
    )
    default_kind: ProvisionedKind = Field(
        default="employee", description="The kind of every account this client creates."
    )


class ScimClientRead(ReadModel):
    id: int
    name: str
    prefix: str
    default_kind: str
    created_at: datetime
    last_used_at: datetime | None


class ScimClientCreated(ScimClientRead):
    token: str = Field(description="Shown this once; Ruche keeps only its hash.")


class ScimGroupRead(ReadModel):
    id: int
    client: str
    display_name: str
    members: int
    space_id: int | None
    space_role: str


class ScimGroupLink(BaseModel):
    space_id: RowId | None = Field(description="The space the group leads to; null unlinks it.")
    role: LinkRole = "member"
