"""Shapes shared by every resource: pages, errors."""

import re
from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

Item = TypeVar("Item")

# An id given in a body: a larger number than a BIGINT holds would reach the
# database driver and fail there, as a 500, instead of a 422.
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]


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


Email = Annotated[str, Field(max_length=254), AfterValidator(_check_email)]


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
