"""Administration of accounts."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import Address, Session, Viewer
from app.api.pagination import Cursor, Limit, decode_id_cursor, next_id_cursor
from app.schemas.account import UserAdminRead, UserCreate, UserUpdate
from app.schemas.common import Page
from app.services import accounts

router = APIRouter(prefix="/admin", tags=["admin"])


@router.get("/users", response_model=Page[UserAdminRead])
async def list_users(
    viewer: Viewer,
    session: Session,
    limit: Limit = 50,
    cursor: Cursor = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
):
    users = await accounts.list_accounts(
        session, viewer=viewer, limit=limit + 1, after_id=decode_id_cursor(cursor), query=q
    )
    return Page(items=users[:limit], next_cursor=next_id_cursor(users, limit))


@router.post("/users", response_model=UserAdminRead, status_code=201)
async def create_user(body: UserCreate, viewer: Viewer, session: Session, address: Address):
    accounts.check_admin(viewer)
    return await accounts.create_account(
        session, **body.model_dump(), actor=viewer, address=address
    )


@router.get("/users/{user_id}", response_model=UserAdminRead)
async def read_user(user_id: int, viewer: Viewer, session: Session):
    return await accounts.access_account(session, viewer=viewer, user_id=user_id)


@router.patch("/users/{user_id}", response_model=UserAdminRead)
async def update_user(
    user_id: int, body: UserUpdate, viewer: Viewer, session: Session, address: Address
):
    return await accounts.update_account(
        session,
        viewer=viewer,
        user_id=user_id,
        changes=body.model_dump(exclude_unset=True, exclude_none=True),
        address=address,
    )
