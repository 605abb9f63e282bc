"""Administration of accounts."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.access import check_admin
from app.api.deps import Address, ItemId, Session, Viewer
from app.api.pagination import Cursor, Limit, decode_id_cursor, next_id_cursor
from app.api.people import profile_of
from app.schemas.account import UserAdminRead, UserCreate, UserUpdate
from app.schemas.admin import AuditEventRead, CharterRead, CharterUpdate
from app.schemas.common import Page, RowId, UtcDateTime
from app.schemas.people import OrganisationalUpdate, Profile
from app.services import accounts, audit, charter, people

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
    check_admin(viewer)
    return await accounts.create_account(
        session, **body.model_dump(), actor=viewer, address=address
    )


@router.get("/users/{user_id}", response_model=UserAdminRead)
async def read_user(user_id: ItemId, viewer: Viewer, session: Session):
    return await accounts.access_account(session, viewer=viewer, user_id=user_id)


@router.patch("/users/{user_id}", response_model=UserAdminRead)
async def update_user(
    user_id: ItemId, body: UserUpdate, viewer: Viewer, session: Session, address: Address
):
    return await accounts.update_account(
        session,
        viewer=viewer,
        user_id=user_id,
        changes=body.model_dump(exclude_unset=True, exclude_none=True),
        address=address,
    )


@router.patch("/users/{user_id}/profile", response_model=Profile)
async def set_organisational_fields(
    user_id: ItemId, body: OrganisationalUpdate, viewer: Viewer, session: Session, address: Address
):
    """Job title, department, site, manager, organisation and years: what the
    person may not set themselves. Audited as ``account.profile_changed``."""
    person = await people.set_organisational_fields(
        session,
        viewer=viewer,
        user_id=user_id,
        changes=body.model_dump(exclude_unset=True),
        address=address,
    )
    return await profile_of(session, viewer, person)


@router.post("/users/{user_id}/offboard", response_model=UserAdminRead)
async def offboard_user(user_id: ItemId, viewer: Viewer, session: Session, address: Address):
    """The employee becomes alumni: clearance public, sessions and tokens ended,
    memberships of spaces closed to externals ended, authored content kept."""
    return await accounts.offboard_member(session, viewer=viewer, user_id=user_id, address=address)


@router.get("/audit", response_model=Page[AuditEventRead])
async def list_audit(
    viewer: Viewer,
    session: Session,
    limit: Limit = 50,
    cursor: Cursor = None,
    action: Annotated[str | None, Query(max_length=60)] = None,
    actor_id: RowId | None = None,
    target_type: Annotated[str | None, Query(max_length=40)] = None,
    target_id: RowId | None = None,
    since: UtcDateTime | None = None,
    until: UtcDateTime | None = None,
):
    events = await audit.list_audit(
        session,
        viewer=viewer,
        limit=limit + 1,
        before_id=decode_id_cursor(cursor),
        action=action,
        actor_id=actor_id,
        target_type=target_type,
        target_id=target_id,
        since=since,
        until=until,
    )
    return {"items": events[:limit], "next_cursor": next_id_cursor(events, limit)}


@router.put("/charter", response_model=CharterRead)
async def set_charter(body: CharterUpdate, viewer: Viewer, session: Session, address: Address):
    text = await charter.set_charter(session, viewer=viewer, text=body.text, address=address)
    return CharterRead(text=text)
