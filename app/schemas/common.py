"""Shapes shared by every resource: pages, errors."""

import re
from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.services.content import MAX_AUDIENCE

Item = TypeVar("Item")

# The largest BIGINT: no row has a larger id, and the drivers refuse larger numbers.
MAX_ID = 2**63 - 1
# An id, wherever a request gives one (body, query; ItemId in a path): a larger
# number would reach the database driver and fail there, as a 500, not a 422.
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
# The people an item is narrowed to.
Audience = Annotated[list[RowId], Field(max_length=MAX_AUDIENCE)]


def _as_utc(moment: datetime) -> datetime:
    """In UTC, the zone of every time the API returns and the only one SQLite keeps
    (it drops the offset); a time without an offset is read as UTC."""
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


UtcDateTime = Annotated[datetime, AfterValidator(_as_utc)]

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")


def _check_email(address: str) -> str:
    """A plausible address, lower-cased. Companies' internal domains (corp.local,
    a private TLD) are valid here, where public-mail validators refuse them."""
    address = address.strip().lower()
    if not _EMAIL.match(address):
        raise ValueError("not an e-mail address")
    return address


# The longest address SMTP carries (RFC 5321's 256-octet path, less its brackets).
MAX_EMAIL = 254
# The document says "email"; the check above, not a public-mail validator, decides.
Email = Annotated[
    str,
    Field(max_length=MAX_EMAIL, json_schema_extra={"format": "email"}),
    AfterValidator(_check_email),
]


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[Item]):
    """A keyset page: pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[Item]
    next_cursor: str | None


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail
