"""Accounts, sign-in and access tokens."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AliasChoices, BaseModel, BeforeValidator, Field, StrictBool

from app.levels import AccountKind, Language, Level, Role
from app.schemas.common import MAX_EMAIL, NOT_BLANK, Email, ReadModel, UtcDateTime
from app.security import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from app.services.accounts import HANDLE_INPUT
from app.services.files.uploads import content_url

# The length of the users' column.
MAX_DISPLAY_NAME = 120

Password = Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)]
# A password being chosen. The service refuses a short one, with the code
# weak_password that clients act on, rather than the schema's generic "invalid":
# the document states the rule all the same.
NewPassword = Annotated[
    str,
    Field(max_length=MAX_PASSWORD_LENGTH, json_schema_extra={"minLength": MIN_PASSWORD_LENGTH}),
]
DisplayName = Annotated[str, Field(min_length=1, max_length=MAX_DISPLAY_NAME, pattern=NOT_BLANK)]


class SignInRequest(BaseModel):
    # Any address an account may have (one made by `ruche create-admin` is not
    # checked as Email checks one): a wrong one fails like a wrong password.
    email: str = Field(min_length=1, max_length=MAX_EMAIL)
    password: Password


def _avatar_url(value: int | str | None) -> str | None:
    """From a person, their avatar file's id; from a representation made already
    (dumped to be extended), its URL as it is."""
    return content_url(value) if isinstance(value, int) else value


# A person's photo: whoever is shown the person may read it
# (access.readable_files), and nobody else.
AvatarUrl = Annotated[
    str | None,
    BeforeValidator(_avatar_url),
    Field(
        validation_alias=AliasChoices("avatar_file_id", "avatar_url"),
        description="Their photo, a 256-pixel square (WebP); null: none, show their initials.",
    ),
]


class UserPublic(ReadModel):
    id: int
    handle: str
    display_name: str
    kind: AccountKind
    avatar_url: AvatarUrl


class MeRead(UserPublic):
    email: str
    role: Role
    clearance: Level
    language: Language
    created_at: datetime
    charter_accepted_at: datetime | None
    access_ends_at: datetime | None


class SignedInRead(BaseModel):
    user: MeRead
    csrf_token: str


class UserAdminRead(MeRead):
    is_active: bool
    last_seen_at: datetime | None
    sponsor_id: int | None
    access_ends_at: datetime | None


class UserCreate(BaseModel):
    model_config = {"extra": "forbid"}

    email: Email
    display_name: DisplayName
    password: NewPassword | None = None
    handle: str | None = Field(default=None, pattern=HANDLE_INPUT)
    kind: AccountKind = AccountKind.EMPLOYEE
    role: Role = Role.MEMBER
    clearance: Level | None = None
    language: Language = Language.FR


class UserUpdate(BaseModel):
    """What an administrator may change; anything else in the body is refused."""

    model_config = {"extra": "forbid"}

    kind: AccountKind | None = None
    role: Role | None = None
    clearance: Level | None = None
    is_active: StrictBool | None = None
    access_ends_at: UtcDateTime | None = None


class PreferencesUpdate(BaseModel):
    model_config = {"extra": "forbid"}

    language: Language | None = None
    display_name: DisplayName | None = None


class PasswordChange(BaseModel):
    current_password: Password
    new_password: NewPassword


Scope = Literal["read", "write", "admin"]


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[Scope] = Field(default=["read", "write"], min_length=1, max_length=3)
    expires_at: UtcDateTime | None = None


class TokenRead(ReadModel):
    id: int
    name: str
    prefix: str
    scopes: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class TokenCreated(TokenRead):
    token: str = Field(description="Shown this once; Ruche keeps only its hash.")
