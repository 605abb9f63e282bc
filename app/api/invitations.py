"""Answering invitations: one's own (signed in), or an e-mail invitation that
creates an external account (anonymous, with the link's token)."""

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from app.api.auth import set_session_cookie
from app.api.deps import Address, AppSettings, ItemId, Session, Viewer
from app.schemas.account import MeRead, SignedInRead
from app.schemas.space import (
    InvitationAccept,
    InvitationPreview,
    InvitationRead,
    InvitationToken,
    MyInvitation,
    SpaceRead,
)
from app.services import charter, invitations, sessions

router = APIRouter(tags=["spaces"])


@router.get("/me/invitations", response_model=list[MyInvitation])
async def my_invitations(viewer: Viewer, session: Session):
    rows = await invitations.my_invitations(session, viewer=viewer)
    return [
        {
            **InvitationRead.model_validate(invitation).model_dump(),
            "space": SpaceRead.model_validate(space),
        }
        for invitation, space in rows
    ]


@router.post("/invitations/{invitation_id}/accept", response_model=InvitationRead)
async def accept_invitation(
    invitation_id: ItemId, viewer: Viewer, session: Session, address: Address
):
    return await invitations.answer_invitation(
        session, viewer=viewer, invitation_id=invitation_id, accept=True, address=address
    )


@router.post("/invitations/{invitation_id}/decline", response_model=InvitationRead)
async def decline_invitation(
    invitation_id: ItemId, viewer: Viewer, session: Session, address: Address
):
    return await invitations.answer_invitation(
        session, viewer=viewer, invitation_id=invitation_id, accept=False, address=address
    )


@router.get("/invitations/preview/{token}", response_model=InvitationPreview)
async def preview_invitation(token: Annotated[InvitationToken, Path()], session: Session):
    invitation, space = await invitations.preview_email_invitation(session, secret=token)
    return InvitationPreview(
        space_name=space.name,
        space_objective=space.objective,
        email=invitation.email,
        external_kind=invitation.external_kind,
        charter=await charter.read_charter(session),
    )


@router.post("/invitations/accept", response_model=SignedInRead, status_code=201)
async def accept_email_invitation(
    body: InvitationAccept,
    request: Request,
    response: Response,
    session: Session,
    settings: AppSettings,
    address: Address,
):
    """Creates the external account and signs it in, as POST /auth/login does."""
    user = await invitations.accept_email_invitation(
        session,
        secret=body.token,
        display_name=body.display_name,
        password=body.password,
        accept_charter=body.accept_charter,
        address=address,
    )
    signed_in = await sessions.open_session(
        session,
        user=user,
        settings=settings,
        address=address,
        user_agent=request.headers.get("user-agent"),
    )
    set_session_cookie(response, settings, signed_in)
    return SignedInRead(user=MeRead.model_validate(user), csrf_token=signed_in.session.csrf_token)
