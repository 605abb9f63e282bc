"""Spaces, members, join requests and invitations."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool

from app.levels import AccountKind, Language, Level
from app.models import InvitationStatus, RequestStatus, SpaceKind, SpaceRole, Visibility
from app.schemas.account import DisplayName, NewPassword, UserPublic
from app.schemas.common import (
    NOT_BLANK,
    Email,
    ReadModel,
    RowId,
    UtcDateTime,
    absent,
    given_then,
    present,
)

Name = Annotated[str, Field(min_length=2, max_length=120, pattern=NOT_BLANK)]
Objective = Annotated[str, Field(min_length=10, max_length=2000, pattern=NOT_BLANK)]
Description = Annotated[str, Field(max_length=5000)]
# The secret of an e-mail invitation's link, in a path or a body.
InvitationToken = Annotated[str, Field(min_length=10, max_length=100)]


class SpaceCreate(BaseModel):
    model_config = {"extra": "forbid"}

    name: Name
    objective: Objective
    description: Description = ""
    kind: SpaceKind
    visibility: Visibility = Visibility.OPEN
    allows_externals: StrictBool = False
    default_level: Level = Level.INTERNAL


class SpaceUpdate(BaseModel):
    """Settings owners and moderators may change; all optional."""

    model_config = {"extra": "forbid"}

    name: Name | None = None
    objective: Objective | None = None
    description: Description | None = None
    kind: SpaceKind | None = None
    visibility: Visibility | None = None
    allows_externals: StrictBool | None = None
    default_level: Level | None = None
    is_archived: StrictBool | None = None


class SpaceRead(ReadModel):
    id: int
    slug: str
    name: str
    description: str
    objective: str
    kind: SpaceKind
    visibility: Visibility
    allows_externals: bool
    default_level: Level
    is_archived: bool
    created_at: datetime
    my_role: SpaceRole | None = None


class SpaceDetail(SpaceRead):
    member_count: int
    can_read_content: bool
    can_manage: bool


class MemberRead(BaseModel):
    user: UserPublic
    role: SpaceRole
    joined_at: datetime


class MemberAdd(BaseModel):
    model_config = {"extra": "forbid"}

    user_id: RowId
    role: SpaceRole = SpaceRole.MEMBER


class MemberUpdate(BaseModel):
    model_config = {"extra": "forbid"}

    role: SpaceRole


class OwnershipTransfer(BaseModel):
    user_id: RowId


class JoinRequestCreate(BaseModel):
    message: str = Field(default="", max_length=500)


class JoinRequestRead(ReadModel):
    id: int
    space_id: int
    status: RequestStatus
    message: str
    created_at: datetime


class JoinRequestWithUser(JoinRequestRead):
    user: UserPublic


class JoinResult(BaseModel):
    """Joining an open space makes a member; a private one makes a request."""

    status: str = Field(description="'member' or 'requested'")
    request: JoinRequestRead | None = None


class JoinDecision(BaseModel):
    approve: StrictBool


class InvitationCreate(BaseModel):
    """Either ``user_id`` (an existing account) or ``email`` (a new external account
    of ``external_kind``; contractors need ``access_ends_at``)."""

    model_config = {
        "extra": "forbid",
        "json_schema_extra": given_then(
            "user_id", None, absent("email"), present("email", "external_kind")
        ),
    }

    user_id: RowId | None = None
    email: Email | None = None
    external_kind: Literal[AccountKind.ALUMNI, AccountKind.CONTRACTOR] | None = None
    access_ends_at: UtcDateTime | None = None
    language: Language | None = Field(
        default=None,
        description="The language of an e-mail invitation's mail (the inviter's by default);"
        " not for an account, which reads it in its own.",
    )


class InvitationRead(ReadModel):
    id: int
    space_id: int
    invitee_id: int | None
    email: str | None
    external_kind: AccountKind | None
    access_ends_at: datetime | None
    status: InvitationStatus
    created_at: datetime
    expires_at: datetime


class InvitationIssued(InvitationRead):
    accept_url: str | None = Field(
        description="For an e-mail invitation: the link to send, shown this once."
    )


class MyInvitation(InvitationRead):
    space: SpaceRead


class InvitationPreview(BaseModel):
    space_name: str
    space_objective: str
    email: str
    external_kind: AccountKind
    charter: str


class InvitationAccept(BaseModel):
    token: InvitationToken
    display_name: DisplayName
    password: NewPassword
    accept_charter: StrictBool
