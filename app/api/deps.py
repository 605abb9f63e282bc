"""Typed dependencies shared by the API and the pages: the request's session,
its settings and who is asking."""

from typing import Annotated

from fastapi import Depends, Path, Request
from pydantic import BeforeValidator, StrictBool
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.errors import wants_page
from app.auth import Auth, authenticate
from app.config import Settings
from app.errors import AppError, Forbidden, NotAuthenticated
from app.i18n import _, current_language
from app.middleware import FORM_CSRF_KEY
from app.models import AccessToken, User, UserSession
from app.schemas.common import RowId
from app.security import same_secret
from app.services.charter import needs_charter
from app.services.notifications import unread_count

CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# An id in a path: the bounds are RowId's, the one type of an id.
ItemId = Annotated[RowId, Path()]


def _spelled_boolean(value: object) -> object:
    """A boolean in a query string is spelled ``true`` or ``false``, as OpenAPI
    writes one; anything else (1, yes, on, which pydantic would take) is left to
    fail the strict check."""
    return {"true": True, "false": False}.get(value, value) if isinstance(value, str) else value


# A boolean query parameter.
Flag = Annotated[StrictBool, BeforeValidator(_spelled_boolean)]


async def get_session(request: Request):
    """The request's one transaction: committed when the route returns, before the
    response leaves, and rolled back on any error (unless the error says its
    writes must stand, as a failed sign-in's counters must)."""
    db = request.app.state.db
    factory = db.sessionmaker if request.method in SAFE_METHODS else db.writer
    async with factory() as session:
        try:
            yield session
        except AppError as error:
            if error.keeps_writes:
                await db.commit(session)
            else:
                await _roll_back(db, session)
            raise
        except BaseException:
            await _roll_back(db, session)
            raise
        else:
            await db.commit(session)


async def _roll_back(db, session: AsyncSession) -> None:
    # Detached first, as the rollback would expire them: an error page still
    # reads who is signed in (name, CSRF token) from the objects loaded.
    session.expunge_all()
    await db.rollback(session)


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


Session = Annotated[AsyncSession, Depends(get_session, scope="function")]
AppSettings = Annotated[Settings, Depends(get_settings)]


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


Address = Annotated[str | None, Depends(client_address)]


async def optional_auth(request: Request, session: Session, settings: AppSettings) -> Auth | None:
    auth = await authenticate(request, session, settings)
    if auth is None:
        return None
    # The account's own language wins over the browser's, in the errors below too.
    current_language.set(auth.user.language)
    if auth.token is not None:
        _check_token_scope(request, auth.token)
    elif request.method not in SAFE_METHODS:
        await _check_csrf(request, auth.user_session)
    await remember_viewer(request, session, auth)
    return auth


async def remember_viewer(request: Request, session: AsyncSession, auth: Auth) -> None:
    """What every page shows of its viewer, kept for the page's rendering
    (app/web/pages.py): who they are, their anti-forgery token and the bell's
    unread count — one COUNT, for pages only, a form's too, since a refused
    form is shown again as a page."""
    request.state.auth = auth
    if wants_page(request) and auth.user_session is not None:
        request.state.unread_count = await unread_count(session, viewer=auth.user)


async def previous_session(
    request: Request, session: Session, settings: AppSettings
) -> UserSession | None:
    """The session a sign-in replaces. Signing in acts on no account yet, so it
    needs no CSRF token: a second tab can sign in while the first still holds a
    session (the old one is ended, so nothing planted survives)."""
    if request.headers.get("authorization"):
        return None
    auth = await authenticate(request, session, settings)
    return auth.user_session if auth is not None else None


PreviousSession = Annotated[UserSession | None, Depends(previous_session)]


def token_scope(method: str, path: str) -> str:
    """The scope a token needs for a request (and, in the API document, for an
    operation: ``path`` may be its template)."""
    if path.startswith("/api/v1/admin"):
        return "admin"
    return "read" if method in SAFE_METHODS else "write"


def _check_token_scope(request: Request, token: AccessToken) -> None:
    needed = token_scope(request.method, request.url.path)
    if needed not in token.scopes.split():
        raise Forbidden(
            _("This token lacks the %(scope)s scope.") % {"scope": needed}, code="token_scope"
        )


async def _check_csrf(request: Request, user_session: UserSession) -> None:
    """Cookie-authenticated writes must echo the session's CSRF token, in a header
    (scripts) or a form field (plain HTML forms). A form with files has its
    token read from its leading fields (FormTokenMiddleware): its body is left
    whole for the route to stream."""
    given = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if given is None and content_type.startswith("multipart/form-data"):
        given = request.scope.get(FORM_CSRF_KEY)
    elif given is None and content_type.startswith("application/x-www-form-urlencoded"):
        given = (await request.form()).get(CSRF_FIELD)
    if not same_secret(given if isinstance(given, str) else None, user_session.csrf_token):
        raise Forbidden(_("The form has expired; reload the page and try again."), code="csrf")


OptionalAuth = Annotated[Auth | None, Depends(optional_auth)]


# What an external account may reach before it has accepted the charter.
CHARTER_PATHS = frozenset(
    {
        "/api/v1/me",
        "/api/v1/charter",
        "/api/v1/charter/accept",
        "/api/v1/auth/logout",
        "/charter",
        "/logout",
    }
)


async def required_auth(request: Request, auth: OptionalAuth) -> Auth:
    if auth is None:
        raise NotAuthenticated()
    if needs_charter(auth.user) and request.url.path not in CHARTER_PATHS:
        raise Forbidden(
            _("Accept the network's charter before going further."), code="charter_required"
        )
    return auth


RequiredAuth = Annotated[Auth, Depends(required_auth)]


async def current_viewer(auth: RequiredAuth) -> User:
    return auth.user


Viewer = Annotated[User, Depends(current_viewer)]
