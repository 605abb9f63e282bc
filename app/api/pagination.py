"""Keyset pagination: ``?limit=&cursor=`` in, ``{"items", "next_cursor"}`` out.

A cursor is the opaque, URL-safe form of the last item's sort key, so pages
stay stable while new items arrive.
"""

import base64
import json
from typing import Annotated, Any

from fastapi import Query

from app.errors import Invalid
from app.i18n import _
from app.schemas.common import MAX_ID

Limit = Annotated[int, Query(ge=1, le=100, description="Items per page (1-100).")]
Cursor = Annotated[
    str | None, Query(max_length=200, description="next_cursor of the previous page.")
]


def encode_cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Any:
    if cursor is None:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError as error:
        raise Invalid(_("The cursor is not valid."), code="invalid_cursor") from error


def decode_id_cursor(cursor: str | None) -> int | None:
    key = decode_cursor(cursor)
    # A forged cursor must not reach the database as a bool or out of BIGINT range.
    if key is not None and (type(key) is not int or not 0 <= key <= MAX_ID):
        raise Invalid(_("The cursor is not valid."), code="invalid_cursor")
    return key


def next_id_cursor(items: list, limit: int) -> str | None:
    """Lists are fetched with one item more than asked to know whether another page exists."""
    return encode_cursor(items[limit - 1].id) if len(items) > limit else None


def next_name_cursor(items: list, limit: int, name: str) -> str | None:
    """The cursor after ``items[limit - 1]`` in a list sorted by its attribute
    ``name``, then id (the directories of spaces and of people)."""
    if len(items) <= limit:
        return None
    last = items[limit - 1]
    return encode_cursor([getattr(last, name), last.id])


def decode_name_cursor(cursor: str | None) -> tuple[str, int] | None:
    """A cursor made by next_name_cursor."""
    key = decode_cursor(cursor)
    if key is None:
        return None
    if not (
        isinstance(key, list)
        and len(key) == 2
        and isinstance(key[0], str)
        and type(key[1]) is int
        and 0 <= key[1] <= MAX_ID
    ):
        raise Invalid(_("The cursor is not valid."), code="invalid_cursor")
    return key[0], key[1]
