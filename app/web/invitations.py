"""Pages of invitations and of the charter: answering one's own invitations, the
acceptance page that turns an e-mail invitation into an external account, and
the charter that external accounts accept before their first use."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.api.auth import set_session_cookie
from app.api.deps import Address, AppSettings, ItemId, OptionalAuth, Session, Viewer
from app.config import Settings
from app.i18n import current_language
from app.models import Invitation, Space
from app.security import new_secret
from app.services import accounts, charter, invitations, sessions
from app.web.form_errors import FailedForm, form_page, page_again
from app.web.routes import check_form_token, render, see_other, set_form_cookie
from app.web.spaces import directory_page

router = APIRouter(include_in_schema=False)

INVITATION_CSRF_COOKIE = "ruche_invitation_csrf"
INVITATION_PATH = "/invitations"


async def _invitations_again(request: Request, session, viewer, _failed: FailedForm):
    """One's invitations are answered from the spaces directory."""
    return await directory_page(request, session, viewer)


@router.post("/invitations/{invitation_id}/accept")
@form_page(_invitations_again)
async def accept_invitation(
    invitation_id: ItemId, viewer: Viewer, session: Session, address: Address
):
    """An existing account accepts an invitation addressed to it, and enters the space."""
    invitation = await invitations.answer_invitation(
        session, viewer=viewer, invitation_id=invitation_id, accept=True, address=address
    )
    return see_other(f"/spaces/{invitation.space_id}?done=joined")


@router.post("/invitations/{invitation_id}/decline")
@form_page(_invitations_again)
async def decline_invitation(
    invitation_id: ItemId, viewer: Viewer, session: Session, address: Address
):
    await invitations.answer_invitation(
        session, viewer=viewer, invitation_id=invitation_id, accept=False, address=address
    )
    return see_other("/spaces?done=declined")


async def _acceptance_form(
    request: Request,
    session,
    settings: Settings,
    *,
    invitation: Invitation,
    space: Space,
    signed_in_as=None,
) -> Response:
    """The acceptance page, its form protected by a fresh double-submit token (the
    person has no session yet)."""
    token = new_secret()
    response = render(
        request,
        "invitations/accept.html",
        invitation=invitation,
        space=space,
        charter_text=await charter.read_charter(session),
        form_token=token,
        signed_in_as=signed_in_as,
    )
    set_form_cookie(response, settings, token, cookie=INVITATION_CSRF_COOKIE, path=INVITATION_PATH)
    return response


@router.get("/invitations/{token}")
async def invitation_page(
    request: Request, token: str, session: Session, settings: AppSettings, auth: OptionalAuth
):
    """Anonymous: the link's token is the key. An invalid, used, revoked or expired
    link answers 404 alike."""
    invitation, space = await invitations.preview_email_invitation(session, secret=token)
    return await _acceptance_form(
        request,
        session,
        settings,
        invitation=invitation,
        space=space,
        signed_in_as=auth.user if auth else None,
    )


async def _acceptance_again(request: Request, session, viewer, _failed: FailedForm):
    """The acceptance form refused: the name kept, never the password; a browser
    signed in is asked to sign out first."""
    invitation, space = await invitations.preview_email_invitation(
        session, secret=request.path_params["token"]
    )
    return await _acceptance_form(
        request,
        session,
        request.app.state.settings,
        invitation=invitation,
        space=space,
        signed_in_as=viewer,
    )


@router.post("/invitations/{token}")
@form_page(
    _acceptance_again,
    fields={
        "weak_password": "password",
        "invalid_password": "password",
        "charter_not_accepted": "accept_charter",
    },
    public=True,
)
async def accept_email_invitation(
    request: Request,
    token: str,
    session: Session,
    settings: AppSettings,
    address: Address,
    auth: OptionalAuth,
    display_name: Annotated[str, Form(min_length=1, max_length=120)],
    password: Annotated[str, Form(max_length=256)],
    accept_charter: Annotated[bool, Form()] = False,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
):
    """Creates the external account, in the space, charter accepted, and signs it in.
    A browser already signed in never gets here: its session's own anti-forgery
    check refuses this form, and the page asks it to sign out first."""
    check_form_token(request, csrf_token, cookie=INVITATION_CSRF_COOKIE)
    _invitation, space = await invitations.preview_email_invitation(session, secret=token)
    user = await invitations.accept_email_invitation(
        session,
        secret=token,
        display_name=display_name,
        password=password,
        accept_charter=accept_charter,
        address=address,
    )
    # The account speaks the language its owner signed up in.
    accounts.change_preferences(user, language=current_language.get(), display_name=None)
    signed_in = await sessions.open_session(
        session,
        user=user,
        settings=settings,
        address=address,
        user_agent=request.headers.get("user-agent"),
    )
    response = see_other(f"/spaces/{space.id}?done=welcome")
    set_session_cookie(response, settings, signed_in)
    response.delete_cookie(INVITATION_CSRF_COOKIE, path=INVITATION_PATH)
    return response


@router.get("/charter")
async def charter_page(request: Request, viewer: Viewer, session: Session):
    return render(
        request,
        "charter.html",
        charter_text=await charter.read_charter(session),
        must_accept=charter.needs_charter(viewer),
    )


@router.post("/charter")
@form_page(page_again(charter_page))
async def accept_charter(viewer: Viewer):
    charter.accept_charter(viewer)
    return see_other("/")
