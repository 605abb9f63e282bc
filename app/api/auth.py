"""Sign-in and sign-out for scripts and the web UI alike."""

from fastapi import APIRouter, Request, Response

from app.api.deps import (
    Address,
    AppSettings,
    PreviousSession,
    RequiredAuth,
    Session,
)
from app.auth import SESSION_COOKIE, cookie_signer
from app.config import Settings
from app.models import UserSession
from app.schemas.account import MeRead, SignedInRead, SignInRequest
from app.services import sessions

router = APIRouter(prefix="/auth", tags=["session"])


def set_session_cookie(response: Response, settings: Settings, signed_in: sessions.SignedIn):
    response.set_cookie(
        SESSION_COOKIE,
        cookie_signer(settings).sign(signed_in.secret).decode(),
        max_age=settings.session_days * 86400,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
        path="/",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, secure=settings.cookie_secure, samesite="lax"
    )


async def start_session(
    request: Request,
    response: Response,
    *,
    session,
    settings: Settings,
    previous: UserSession | None,
    email: str,
    password: str,
    address: str | None,
) -> sessions.SignedIn:
    """Signs in and rotates the cookie: a session that existed before is ended,
    so an id planted before sign-in is worth nothing after it."""
    signed_in = await sessions.sign_in(
        session,
        settings=settings,
        email=email,
        password=password,
        address=address,
        user_agent=request.headers.get("user-agent"),
    )
    if previous is not None:
        await sessions.sign_out(session, user_session=previous)
    set_session_cookie(response, settings, signed_in)
    return signed_in


@router.post("/login", response_model=SignedInRead)
async def login(
    body: SignInRequest,
    request: Request,
    response: Response,
    session: Session,
    settings: AppSettings,
    previous: PreviousSession,
    address: Address,
) -> SignedInRead:
    signed_in = await start_session(
        request,
        response,
        session=session,
        settings=settings,
        previous=previous,
        email=body.email,
        password=body.password,
        address=address,
    )
    return SignedInRead(
        user=MeRead.model_validate(signed_in.user), csrf_token=signed_in.session.csrf_token
    )


@router.post("/logout", status_code=204, response_class=Response)
async def logout(
    response: Response, session: Session, settings: AppSettings, auth: RequiredAuth
) -> None:
    if auth.user_session is not None:
        await sessions.sign_out(session, user_session=auth.user_session)
    clear_session_cookie(response, settings)
