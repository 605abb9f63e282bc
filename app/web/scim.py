"""Administration pages of SCIM provisioning (mirrors app/api/scim.py): the
clients and their tokens (a new token is shown on the page that made it, this
once), and which space each group leads to."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request

from app.api.deps import Address, ItemId, Session, Viewer
from app.levels import AccountKind
from app.models import SpaceRole, User
from app.services.scim import clients, groups
from app.web.form_errors import FailedForm, form_page
from app.web.routes import render, see_other

router = APIRouter(include_in_schema=False)


async def _page(
    request: Request,
    session,
    viewer: User,
    *,
    done: str | None = None,
    new_token: tuple | None = None,
    error: str | None = None,
    status_code: int = 200,
):
    return render(
        request,
        "admin/scim.html",
        status_code=status_code,
        scim_clients=await clients.list_clients(session, viewer=viewer),
        scim_groups=await groups.list_all_groups(session, viewer=viewer),
        spaces=await groups.linkable_spaces(session, viewer=viewer),
        provisioned_kinds=clients.PROVISIONED_KINDS,
        linkable_roles=groups.LINKABLE_ROLES,
        scim_url=request.app.state.settings.public_url.rstrip("/") + "/scim/v2",
        new_token=new_token,
        done=done,
        error=error,
    )


async def _again(request: Request, session, viewer: User, failed: FailedForm):
    return await _page(request, session, viewer, error=failed.message, status_code=failed.status)


@router.get("/admin/scim")
async def scim_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    done: Annotated[str | None, Query(max_length=20)] = None,
):
    return await _page(request, session, viewer, done=done)


@router.post("/admin/scim/clients")
@form_page(_again)
async def create_client(
    request: Request,
    viewer: Viewer,
    session: Session,
    address: Address,
    name: Annotated[str, Form(min_length=1, max_length=60)],
    default_kind: Annotated[AccountKind, Form()] = AccountKind.EMPLOYEE,
):
    client, token = await clients.create_client(
        session, viewer=viewer, name=name, default_kind=default_kind, address=address
    )
    return await _page(request, session, viewer, new_token=(client.name, token))


@router.post("/admin/scim/clients/{client_id}/token")
@form_page(_again)
async def rotate_token(
    request: Request, client_id: ItemId, viewer: Viewer, session: Session, address: Address
):
    client, token = await clients.rotate_token(
        session, viewer=viewer, client_id=client_id, address=address
    )
    return await _page(request, session, viewer, new_token=(client.name, token))


@router.post("/admin/scim/clients/{client_id}/revoke")
@form_page(_again)
async def revoke_client(
    request: Request, client_id: ItemId, viewer: Viewer, session: Session, address: Address
):
    await clients.revoke_client(session, viewer=viewer, client_id=client_id, address=address)
    return see_other("/admin/scim?done=revoked")


@router.post("/admin/scim/groups/{group_id}/space")
@form_page(_again)
async def link_space(
    request: Request,
    group_id: ItemId,
    viewer: Viewer,
    session: Session,
    address: Address,
    space_id: Annotated[str, Form(max_length=20)] = "",
    role: Annotated[SpaceRole, Form()] = SpaceRole.MEMBER,
):
    await groups.link_space(
        session,
        viewer=viewer,
        group_id=group_id,
        space_id=int(space_id) if space_id.isdigit() else None,
        role=role,
        address=address,
    )
    return see_other("/admin/scim?done=linked")
