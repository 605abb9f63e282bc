"""Pages of the web UI shell: sign-in, settings (the home feed is in feed.py)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.auth import clear_session_cookie, start_session
from app.api.deps import (
    Address,
    AppSettings,
    ItemId,
    OptionalAuth,
    PreviousSession,
    RequiredAuth,
    Session,
    Viewer,
)
from app.api.me import receive_avatar
from app.config import Settings
from app.errors import Forbidden
from app.i18n import _
from app.levels import Language
from app.models import User, UserSession
from app.security import new_secret, same_secret
from app.services import accounts, sessions
from app.services.calendar import feeds
from app.services.files import avatars
from app.services.oidc import protocol
from app.web.form_errors import FailedForm, form_page
from app.web.forms import FILE_FIELDS

router = APIRouter(include_in_schema=False)


LOGIN_CSRF_COOKIE = "ruche_login_csrf"


def safe_next(target: str | None) -> str:
    """Only a path of Ruche itself: no open redirect through ?next=."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def render(request: Request, template: str, *, status_code: int = 200, **context) -> Response:
    return request.app.state.pages.render(request, template, context, status_code=status_code)


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# Forms used before sign-in (sign-in, accepting an invitation) carry a
# double-submit token: a cross-site page cannot read the cookie, so it cannot
# sign a victim into the attacker's account.
def set_form_cookie(
    response: Response, settings: Settings, token: str, *, cookie: str, path: str
) -> None:
    response.set_cookie(
        cookie,
        token,
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
        path=path,
        max_age=3600,
    )


def check_form_token(request: Request, token: str, *, cookie: str) -> None:
    if not token or not same_secret(token, request.cookies.get(cookie, "")):
        raise Forbidden(_("The form has expired; reload the page and try again."), code="csrf")


@router.get("/login")
async def login_page(
    request: Request, auth: OptionalAuth, settings: AppSettings, next: str | None = None
):
    if auth is not None:
        return see_other(safe_next(next))
    return login_form(request, settings, next=safe_next(next))


def login_form(
    request: Request,
    settings: Settings,
    *,
    next: str,
    email: str = "",
    status_code: int = 200,
    **context,
) -> Response:
    """The sign-in form, with a fresh double-submit token, and a button for
    each of the company's OpenID Connect providers (app/web/oidc.py)."""
    token = new_secret()
    response = request.app.state.pages.render(
        request,
        "login.html",
        {
            "login_csrf": token,
            "next": next,
            "email": email,
            "providers": settings.oidc_providers,
            "local_passwords": settings.local_passwords,
            **context,
        },
        status_code=status_code,
    )
    set_form_cookie(response, settings, token, cookie=LOGIN_CSRF_COOKIE, path="/login")
    return response


async def _login_again(request: Request, _session, _viewer, failed: FailedForm) -> Response:
    """The sign-in form refused: the e-mail kept, never the password."""
    return login_form(
        request,
        request.app.state.settings,
        next=safe_next(failed.values.get("next")),
        email=str(failed.values.get("email", "")),
    )


@router.post("/login")
@form_page(_login_again, public=True)
async def login_submit(
    request: Request,
    session: Session,
    settings: AppSettings,
    previous: PreviousSession,
    address: Address,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
):
    check_form_token(request, csrf_token, cookie=LOGIN_CSRF_COOKIE)
    response = see_other(safe_next(next))
    # A refusal shows the form again (_login_again); the failure counters and
    # the audit line of a wrong password still commit (SignInFailed.keeps_writes).
    await start_session(
        request,
        response,
        session=session,
        settings=settings,
        previous=previous,
        email=email,
        password=password,
        address=address,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


async def show_settings(
    request: Request, session: AsyncSession, viewer: User, *, status_code: int = 200, **context
) -> Response:
    """The settings page; ``context`` adds what one form's answer shows once (a
    new token, a new calendar feed address)."""
    tokens = await sessions.list_tokens(session, viewer=viewer)
    return render(
        request,
        "settings.html",
        status_code=status_code,
        **{
            "tokens": tokens,
            "calendar_feed": await feeds.feed_of(session, viewer=viewer),
            "max_upload_mb": request.app.state.settings.max_upload_mb,
            # No password form for an account made by single sign-on (it has
            # none), nor where passwords are off for this person.
            "password_form": viewer.password_hash is not None
            and request.app.state.settings.may_use_password(viewer.email),
            "saved": None,
            **context,
        },
    )


async def settings_again(request: Request, session, viewer: User, _failed: FailedForm):
    """The settings page with its refused form (never a password: form_errors.py)."""
    return await show_settings(request, session, viewer)


@router.post("/logout")
@form_page(settings_again)
async def logout_submit(
    request: Request, session: Session, settings: AppSettings, auth: RequiredAuth
):
    response = see_other("/login")
    if auth.user_session is not None:
        await sessions.sign_out(session, user_session=auth.user_session)
        response = await provider_sign_out(request, settings, auth.user_session) or response
    clear_session_cookie(response, settings)
    return response


async def provider_sign_out(
    request: Request, settings: Settings, user_session: UserSession
) -> Response | None:
    """After Ruche's own sign-out, the page that takes the browser to the
    provider's (RP-initiated logout), when the session came from one that offers
    it. A page, not a redirect: the content policy's form-action 'self' would
    stop a form's redirect to another site."""
    provider = settings.oidc_provider(user_session.oidc_provider or "")
    if provider is None:
        return None
    url = await protocol.sign_out_url(settings, provider, id_token=user_session.oidc_id_token)
    if url is None:
        return None
    request.state.auth = None
    return render(request, "signed_out.html", provider=provider.label, sign_out_url=url)


@router.get("/settings")
async def settings_page(
    request: Request, viewer: Viewer, session: Session, saved: str | None = None
):
    return await show_settings(request, session, viewer, saved=saved)


# Every refusal of the photo form is about its one file.
AVATAR_FIELDS = dict.fromkeys(("invalid", "too_large", *FILE_FIELDS), "file")


@router.post("/settings/avatar")
@form_page(settings_again, fields=AVATAR_FIELDS)
async def upload_avatar(request: Request, viewer: Viewer, session: Session, settings: AppSettings):
    """The photo of the settings page's form (a file input, no script needed). A
    refusal of the photo (too large, no image, a bomb of pixels) is shown on the
    page; every refusal comes before the upload writes anything (store_upload)."""
    await receive_avatar(request, viewer=viewer, session=session, settings=settings)
    return see_other("/settings?saved=avatar")


@router.post("/settings/avatar/remove")
@form_page(settings_again)
async def remove_avatar(viewer: Viewer, session: Session):
    await avatars.remove_avatar(session, viewer=viewer)
    return see_other("/settings?saved=avatar")


@router.post("/settings/preferences")
@form_page(settings_again)
async def save_preferences(
    viewer: Viewer,
    language: Annotated[Language, Form()],
    display_name: Annotated[str, Form(min_length=1, max_length=120)],
):
    accounts.change_preferences(viewer, language=language, display_name=display_name)
    return see_other("/settings?saved=preferences")


@router.post("/settings/password")
@form_page(
    settings_again,
    fields={
        "wrong_password": "current_password",
        "weak_password": "new_password",
        "invalid_password": "new_password",
    },
)
async def save_password(
    request: Request,
    auth: RequiredAuth,
    session: Session,
    address: Address,
    current_password: Annotated[str, Form(max_length=256)],
    new_password: Annotated[str, Form(max_length=256)],
):
    await accounts.change_password(
        session,
        viewer=auth.user,
        current_password=current_password,
        new_password=new_password,
        keep_session_id=auth.user_session.id,
        address=address,
    )
    return see_other("/settings?saved=password")


@router.post("/settings/tokens")
@form_page(settings_again)
async def create_token(
    request: Request,
    viewer: Viewer,
    session: Session,
    settings: AppSettings,
    address: Address,
    name: Annotated[str, Form(min_length=1, max_length=100)],
):
    _token, secret = await sessions.create_token(
        session,
        viewer=viewer,
        name=name,
        scopes=["read", "write"],
        expires_at=None,
        settings=settings,
        address=address,
    )
    return await show_settings(request, session, viewer, new_token=secret)


@router.post("/settings/tokens/{token_id}/revoke")
@form_page(settings_again)
async def revoke_token(token_id: ItemId, viewer: Viewer, session: Session, address: Address):
    await sessions.revoke_token(session, viewer=viewer, token_id=token_id, address=address)
    return see_other("/settings?saved=token_revoked")
