"""Spaces, their members, join requests and invitations."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.api.deps import Address, AppSettings, Flag, ItemId, Session, Viewer
from app.api.pagination import (
    Cursor,
    Limit,
    decode_id_cursor,
    decode_name_cursor,
    encode_cursor,
    next_name_cursor,
)
from app.models import JoinRequest, SpaceKind, User
from app.schemas.account import UserPublic
from app.schemas.common import Page
from app.schemas.space import (
    InvitationCreate,
    InvitationIssued,
    InvitationRead,
    JoinDecision,
    JoinRequestCreate,
    JoinRequestRead,
    JoinRequestWithUser,
    JoinResult,
    MemberAdd,
    MemberRead,
    MemberUpdate,
    OwnershipTransfer,
    SpaceCreate,
    SpaceDetail,
    SpaceRead,
    SpaceUpdate,
)
from app.services import invitations, memberships, spaces

router = APIRouter(prefix="/spaces", tags=["spaces"])


def _detail(view: spaces.SpaceView) -> SpaceDetail:
    return SpaceDetail.model_validate(
        {
            **SpaceRead.model_validate(view.space).model_dump(),
            "my_role": view.role,
            "member_count": view.member_count,
            "can_read_content": view.can_read_content,
            "can_manage": view.can_manage,
        }
    )


@router.get("", response_model=Page[SpaceRead])
async def list_spaces(
    viewer: Viewer,
    session: Session,
    limit: Limit = 50,
    cursor: Cursor = None,
    kind: SpaceKind | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    mine: Flag = False,
):
    found = await spaces.list_spaces(
        session,
        viewer=viewer,
        limit=limit + 1,
        after=decode_name_cursor(cursor),
        kind=kind,
        query=q,
        mine=mine,
    )
    page = found[:limit]
    roles = await spaces.roles_of(session, viewer=viewer, space_ids=[s.id for s in page])
    items = [
        {**SpaceRead.model_validate(space).model_dump(), "my_role": roles.get(space.id)}
        for space in page
    ]
    return {"items": items, "next_cursor": next_name_cursor(found, limit, "name")}


@router.post("", response_model=SpaceDetail, status_code=201)
async def create_space(body: SpaceCreate, viewer: Viewer, session: Session, address: Address):
    space = await spaces.create_space(session, viewer=viewer, **body.model_dump(), address=address)
    return _detail(await spaces.view_space(session, viewer=viewer, space_id=space.id))


@router.get("/{space_id}", response_model=SpaceDetail)
async def read_space(space_id: ItemId, viewer: Viewer, session: Session):
    return _detail(await spaces.view_space(session, viewer=viewer, space_id=space_id))


@router.patch("/{space_id}", response_model=SpaceDetail)
async def update_space(
    space_id: ItemId, body: SpaceUpdate, viewer: Viewer, session: Session, address: Address
):
    await spaces.update_space(
        session,
        viewer=viewer,
        space_id=space_id,
        changes=body.model_dump(exclude_unset=True, exclude_none=True),
        address=address,
    )
    return _detail(await spaces.view_space(session, viewer=viewer, space_id=space_id))


@router.post("/{space_id}/join", response_model=JoinResult)
async def join_space(
    space_id: ItemId,
    viewer: Viewer,
    session: Session,
    address: Address,
    body: JoinRequestCreate | None = None,
):
    outcome = await memberships.join_space(
        session,
        viewer=viewer,
        space_id=space_id,
        message=body.message if body else "",
        address=address,
    )
    if isinstance(outcome, JoinRequest):
        return JoinResult(status="requested", request=JoinRequestRead.model_validate(outcome))
    return JoinResult(status="member")


@router.post("/{space_id}/leave", status_code=204, response_class=Response)
async def leave_space(space_id: ItemId, viewer: Viewer, session: Session, address: Address) -> None:
    await memberships.leave_space(session, viewer=viewer, space_id=space_id, address=address)


def _member(membership, user: User) -> MemberRead:
    return MemberRead(
        user=UserPublic.model_validate(user), role=membership.role, joined_at=membership.created_at
    )


@router.get("/{space_id}/members", response_model=Page[MemberRead])
async def list_members(
    space_id: ItemId, viewer: Viewer, session: Session, limit: Limit = 50, cursor: Cursor = None
):
    rows = await memberships.list_members(
        session,
        viewer=viewer,
        space_id=space_id,
        limit=limit + 1,
        after_id=decode_id_cursor(cursor),
    )
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1][1].id) if len(rows) > limit else None
    return {"items": [_member(m, u) for m, u in page], "next_cursor": next_cursor}


@router.post("/{space_id}/members", response_model=MemberRead, status_code=201)
async def add_member(
    space_id: ItemId, body: MemberAdd, viewer: Viewer, session: Session, address: Address
):
    membership, user = await memberships.add_member_by_manager(
        session,
        viewer=viewer,
        space_id=space_id,
        user_id=body.user_id,
        role=body.role,
        address=address,
    )
    return _member(membership, user)


@router.patch("/{space_id}/members/{user_id}", response_model=MemberRead)
async def change_member_role(
    space_id: ItemId,
    user_id: ItemId,
    body: MemberUpdate,
    viewer: Viewer,
    session: Session,
    address: Address,
):
    membership, user = await memberships.change_role(
        session,
        viewer=viewer,
        space_id=space_id,
        user_id=user_id,
        role=body.role,
        address=address,
    )
    return _member(membership, user)


@router.delete("/{space_id}/members/{user_id}", status_code=204, response_class=Response)
async def remove_member(
    space_id: ItemId, user_id: ItemId, viewer: Viewer, session: Session, address: Address
) -> None:
    await memberships.remove_member(
        session, viewer=viewer, space_id=space_id, user_id=user_id, address=address
    )


@router.post("/{space_id}/ownership", status_code=204, response_class=Response)
async def transfer_ownership(
    space_id: ItemId, body: OwnershipTransfer, viewer: Viewer, session: Session, address: Address
) -> None:
    await memberships.transfer_ownership(
        session, viewer=viewer, space_id=space_id, user_id=body.user_id, address=address
    )


@router.get("/{space_id}/join-requests", response_model=list[JoinRequestWithUser])
async def list_join_requests(space_id: ItemId, viewer: Viewer, session: Session):
    rows = await memberships.list_join_requests(session, viewer=viewer, space_id=space_id)
    return [
        {
            **JoinRequestRead.model_validate(request).model_dump(),
            "user": UserPublic.model_validate(user),
        }
        for request, user in rows
    ]


@router.post("/{space_id}/join-requests/{request_id}", response_model=JoinRequestRead)
async def decide_join_request(
    space_id: ItemId,
    request_id: ItemId,
    body: JoinDecision,
    viewer: Viewer,
    session: Session,
    address: Address,
):
    return await memberships.decide_join_request(
        session,
        viewer=viewer,
        space_id=space_id,
        request_id=request_id,
        approve=body.approve,
        address=address,
    )


@router.get("/{space_id}/invitations", response_model=list[InvitationRead])
async def list_invitations(space_id: ItemId, viewer: Viewer, session: Session):
    return await invitations.list_space_invitations(session, viewer=viewer, space_id=space_id)


@router.post("/{space_id}/invitations", response_model=InvitationIssued, status_code=201)
async def invite(
    space_id: ItemId,
    body: InvitationCreate,
    viewer: Viewer,
    session: Session,
    settings: AppSettings,
    address: Address,
):
    issued = await invitations.invite(
        session,
        viewer=viewer,
        space_id=space_id,
        settings=settings,
        **body.model_dump(),
        address=address,
    )
    return {
        **InvitationRead.model_validate(issued.invitation).model_dump(),
        "accept_url": issued.accept_url,
    }


@router.delete("/{space_id}/invitations/{invitation_id}", status_code=204, response_class=Response)
async def revoke_invitation(
    space_id: ItemId, invitation_id: ItemId, viewer: Viewer, session: Session, address: Address
) -> None:
    await invitations.revoke_invitation(
        session, viewer=viewer, space_id=space_id, invitation_id=invitation_id, address=address
    )
