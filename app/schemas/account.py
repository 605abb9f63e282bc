"""Accounts, sign-in and access tokens."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.levels import AccountKind, Language, Level, Role
from app.schemas.common import Email, ReadModel, UtcDateTime
from app.security import MAX_PASSWORD_LENGTH

Password = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
DisplayName = Field(min_length=1, max_length=120)


class SignInRequest(BaseModel):
    email: str = Field(min_length=1, max_length=254)
    password: str = Password


class UserPublic(ReadModel):
    id: int
    handle: str
    display_name: str
    kind: AccountKind


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
    display_name: str = DisplayName
    password: str | None = Field(default=None, max_length=MAX_PASSWORD_LENGTH)
    handle: str | None = Field(default=None, max_length=40)
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
    is_active: bool | None = None
    access_ends_at: UtcDateTime | None = None


class PreferencesUpdate(BaseModel):
    model_config = {"extra": "forbid"}

    language: Language | None = None
    display_name: str | None = Field(default=None, min_length=1, max_length=120)


class PasswordChange(BaseModel):
    current_password: str = Password
    new_password: str = Password


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
