"""Administration of SCIM provisioning: the clients (identity providers) and
their tokens, and which space each group leads to. The protocol itself is
app/api/scim_v2.py."""

from fastapi import APIRouter, Response

from app.api.deps import Address, ItemId, Session, Viewer
from app.levels import AccountKind
from app.models import SpaceRole
from app.schemas.scim import (
    ScimClientCreate,
    ScimClientCreated,
    ScimClientRead,
    ScimGroupLink,
    ScimGroupRead,
)
from app.services.scim import clients, groups

router = APIRouter(prefix="/admin/scim", tags=["admin"])


def _created(client, token: str) -> ScimClientCreated:
    return ScimClientCreated.model_validate(
        {**ScimClientRead.model_validate(client).model_dump(), "token": token}
    )


@router.get("/clients", response_model=list[ScimClientRead])
async def list_clients(viewer: Viewer, session: Session):
    return await clients.list_clients(session, viewer=viewer)


@router.post("/clients", response_model=ScimClientCreated, status_code=201)
async def create_client(body: ScimClientCreate, viewer: Viewer, session: Session, address: Address):
    """The token is in the answer, this once."""
    client, token = await clients.create_client(
        session,
        viewer=viewer,
        name=body.name,
        default_kind=AccountKind(body.default_kind),
        address=address,
    )
    return _created(client, token)


@router.post("/clients/{client_id}/token", response_model=ScimClientCreated)
async def rotate_token(client_id: ItemId, viewer: Viewer, session: Session, address: Address):
    """A new token; the old one stops at once."""
    client, token = await clients.rotate_token(
        session, viewer=viewer, client_id=client_id, address=address
    )
    return _created(client, token)


@router.delete("/clients/{client_id}", status_code=204)
async def revoke_client(client_id: ItemId, viewer: Viewer, session: Session, address: Address):
    await clients.revoke_client(session, viewer=viewer, client_id=client_id, address=address)
    return Response(status_code=204)


def _group(group, client: str, members: int) -> ScimGroupRead:
    return ScimGroupRead(
        id=group.id,
        client=client,
        display_name=group.display_name,
        members=members,
        space_id=group.space_id,
        space_role=group.space_role.value,
    )


@router.get("/groups", response_model=list[ScimGroupRead])
async def list_groups(viewer: Viewer, session: Session):
    return [_group(*row) for row in await groups.list_all_groups(session, viewer=viewer)]


@router.put("/groups/{group_id}/space", response_model=ScimGroupRead)
async def link_space(
    group_id: ItemId, body: ScimGroupLink, viewer: Viewer, session: Session, address: Address
):
    """Its members join the space with the role, or leave what the link granted."""
    await groups.link_space(
        session,
        viewer=viewer,
        group_id=group_id,
        space_id=body.space_id,
        role=SpaceRole(body.role),
        address=address,
    )
    (row,) = await groups.list_all_groups(session, viewer=viewer, group_id=group_id)
    return _group(*row)
