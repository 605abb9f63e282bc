"""Shapes shared by every resource: ids, date-times, e-mails, pages, and the
rules between fields as the API document states them (the error shape is
app/api/openapi.py's)."""

import re
from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from app.services.content import MAX_AUDIENCE

Item = TypeVar("Item")

# The largest BIGINT: no row has a larger id, and the drivers refuse larger numbers.
MAX_ID = 2**63 - 1
# An id, wherever a request gives one (body, query; ItemId in a path): a larger
# number would reach the database driver and fail there, as a 500, not a 422.
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
# The people an item is narrowed to.
Audience = Annotated[list[RowId], Field(max_length=MAX_AUDIENCE)]


# What Python's str.strip() removes (str.isspace), which is what the services
# trim before refusing a blank name or title: JSON Schema's \s is not the same set.
WHITESPACE = "\t-\r\x1c- \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Text with something in it besides whitespace.
NOT_BLANK = f"^[{WHITESPACE}]*[^{WHITESPACE}]"


def _as_utc(moment: datetime) -> datetime:
    """In UTC, the zone of every time the API returns and the only one SQLite keeps
    (it drops the offset); a time without an offset is read as UTC."""
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# ISO 8601 as the document's "date-time" says it: pydantic alone would also take a
# number (0: 1970) or a numeric string ("0.5") as seconds since the epoch.
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _iso_8601(value: object) -> object:
    if isinstance(value, datetime) or (isinstance(value, str) and _DATE_TIME.match(value)):
        return value
    raise ValueError("not an ISO 8601 date-time (2027-01-31T18:00:00Z)")


UtcDateTime = Annotated[datetime, BeforeValidator(_iso_8601), AfterValidator(_as_utc)]

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


def given_then(field: str, value: object, then: dict, otherwise: dict) -> dict:
    """A rule between fields, in JSON Schema's ``if``/``then``/``else``: when
    ``field`` is ``value`` (or, with None, is given and not null), ``then``
    applies, else ``otherwise``. A client generator keeps the model whole (it
    reads the properties and leaves the rule to the server); a validator or a
    fuzzer reads the rule."""
    condition = {"not": {"type": "null"}} if value is None else {"const": value}
    return {
        "if": {"required": [field], "properties": {field: condition}},
        "then": then,
        "else": otherwise,
    }


def present(*fields: str) -> dict:
    return {
        "required": list(fields),
        "properties": {field: {"not": {"type": "null"}} for field in fields},
    }


def absent(*fields: str) -> dict:
    return {"properties": {field: {"type": "null"} for field in fields}}


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[Item]):
    """A keyset page: pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[Item]
    next_cursor: str | None
