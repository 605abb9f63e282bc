"""Who a request or a websocket comes from: the session cookie or a bearer token.
Shared by HTTP (app/api/deps.py) and the live socket (app/api/live.py), so that
realtime/ imports nothing from api/."""

from dataclasses import dataclass

from itsdangerous import BadSignature, Signer
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from app.config import Settings
from app.errors import NotAuthenticated
from app.i18n import _
from app.models import AccessToken, User, UserSession
from app.services.sessions import session_for_secret, token_for_secret

SESSION_COOKIE = "ruche_session"


def cookie_signer(settings: Settings) -> Signer:
    return Signer(settings.resolved_secret_key, salt="ruche.session")


@dataclass
class Auth:
    """Who is asking, and by which means: a session cookie or a bearer token."""

    user: User
    user_session: UserSession | None = None
    token: AccessToken | None = None

    @property
    def csrf_token(self) -> str | None:
        return self.user_session.csrf_token if self.user_session else None


async def authenticate(
    request: HTTPConnection, session: AsyncSession, settings: Settings
) -> Auth | None:
    """Who a request or a websocket comes from: a bearer token, else the session
    cookie. An invalid token is an error; no credential at all is None."""
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        found = await token_for_secret(session, authorization[7:].strip())
        if found is None:
            raise NotAuthenticated(_("The access token is not valid."), code="invalid_token")
        user, token = found
        return Auth(user=user, token=token)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        secret = cookie_signer(settings).unsign(cookie).decode()
    except BadSignature:
        return None
    found = await session_for_secret(session, secret)
    if found is None:
        return None
    user, user_session = found
    return Auth(user=user, user_session=user_session)
