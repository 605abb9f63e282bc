"""People, for integrations: the directory and one person, limited to whom the
caller may know of (anyone else is a 404, as if the account did not exist)."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import ItemId, Session, Viewer
from app.api.pagination import Cursor, Limit, decode_name_cursor, next_name_cursor
from app.schemas.account import UserPublic
from app.schemas.common import Page
from app.services import people

router = APIRouter(prefix="/users", tags=["people"])


@router.get("", response_model=Page[UserPublic])
async def list_people(
    viewer: Viewer,
    session: Session,
    limit: Limit = 50,
    cursor: Cursor = None,
    q: Annotated[str | None, Query(max_length=100, description="Part of a name or handle.")] = None,
):
    found = await people.list_people(
        session, viewer=viewer, limit=limit + 1, after=decode_name_cursor(cursor), query=q
    )
    return Page(items=found[:limit], next_cursor=next_name_cursor(found, limit, "display_name"))


@router.get("/{user_id}", response_model=UserPublic)
async def get_person(user_id: ItemId, viewer: Viewer, session: Session):
    return await people.access_person(session, viewer=viewer, user_id=user_id)
