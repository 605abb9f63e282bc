"""Small helpers shared by the API tests: the documented error shape, clients (for
an app with other settings, replaying a cookie, or signed in without the slow
password check) and the audit log as the tests read it."""

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import cookie_signer
from app.main import create_app
from app.models import AuditEvent
from app.services.sessions import open_session

LOGIN = "/api/v1/auth/login"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/me"
TOKENS = "/api/v1/me/tokens"
PASSWORD_CHANGE = "/api/v1/me/password"
ADMIN_USERS = "/api/v1/admin/users"
SESSION_COOKIE = "ruche_session"


# What a browser asks for: error pages come back as HTML.
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def client_for(app, *, address: str = "192.0.2.1", **headers) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(address, 41000)),
        base_url="http://testserver",
        headers=headers,
    )


def app_with(settings, db, **changes):
    """The app under other settings, on the test's rolled-back transaction."""
    return create_app(settings.model_copy(update=changes), database=db)


def session_cookie(response: httpx.Response) -> str:
    """The Set-Cookie line of the session cookie."""
    lines = [
        line
        for line in response.headers.get_list("set-cookie")
        if line.startswith(f"{SESSION_COOKIE}=")
    ]
    assert len(lines) == 1, response.headers
    return lines[0]


def with_cookie(make, cookie_value: str, **headers) -> httpx.AsyncClient:
    """A client replaying a session cookie captured earlier."""
    return make.client(Cookie=f"{SESSION_COOKIE}={cookie_value}", **headers)


async def audit_events(session: AsyncSession, action: str) -> list[AuditEvent]:
    return list(
        (
            await session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == action)
                .order_by(AuditEvent.id)
                .execution_options(populate_existing=True)
            )
        ).all()
    )


async def cookie_client(make, user) -> httpx.AsyncClient:
    """What ``make.signed_in`` gives (a session cookie and its CSRF token), opened
    directly rather than through the password check, which argon2 makes slow on
    purpose: for tests about what a session may do, not about signing in."""
    settings = make.app.state.settings
    signed_in = await open_session(
        make.session, user=user, settings=settings, address=None, user_agent="tests"
    )
    await make.session.commit()
    client = make.client()
    client.cookies.set(SESSION_COOKIE, cookie_signer(settings).sign(signed_in.secret).decode())
    client.headers["X-CSRF-Token"] = signed_in.session.csrf_token
    return client
