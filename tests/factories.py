"""Plain async factories: ``await make.user(kind="alumni")``.

They write through the same session the test reads with; the app sees the
rows because both run inside the test's one transaction.
"""

from datetime import datetime
from functools import cache
from itertools import count

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import default_clearance
from app.levels import AccountKind, Language, Level, Role
from app.models import User
from app.security import hash_password

PASSWORD = "correct horse battery"
_serial = count(1)


@cache
def password_hash() -> str:
    """Hashed once: argon2 is slow on purpose, and tests make many accounts."""
    return hash_password(PASSWORD)


class Factories:
    def __init__(self, session: AsyncSession, app):
        self.session = session
        self.app = app

    async def user(
        self,
        *,
        kind: AccountKind | str = AccountKind.EMPLOYEE,
        role: Role | str = Role.MEMBER,
        clearance: Level | str | None = None,
        is_active: bool = True,
        language: Language | str = Language.FR,
        email: str | None = None,
        display_name: str | None = None,
    ) -> User:
        serial = next(_serial)
        kind = AccountKind(kind)
        user = User(
            email=email or f"person{serial}@example.test",
            handle=f"person{serial}",
            display_name=display_name or f"Person {serial}",
            password_hash=password_hash(),
            kind=kind,
            role=Role(role),
            clearance=Level(clearance) if clearance else default_clearance(kind),
            is_active=is_active,
            language=Language(language),
        )
        self.session.add(user)
        await self.session.commit()
        return user

    def client(self, **headers) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app, client=("198.51.100.9", 40000)),
            base_url="http://testserver",
            headers=headers,
        )

    async def signed_in(self, user: User) -> httpx.AsyncClient:
        """A client holding a session cookie and sending its CSRF token, as the UI does."""
        client = self.client()
        response = await client.post(
            "/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        return client

    async def bearer(
        self,
        user: User,
        *,
        scopes: tuple[str, ...] = ("read", "write"),
        expires_at: datetime | None = None,
    ) -> httpx.AsyncClient:
        from app.services.sessions import create_token

        _token, secret = await create_token(
            self.session,
            viewer=user,
            name="test",
            scopes=list(scopes),
            expires_at=expires_at,
            settings=self.app.state.settings,
        )
        await self.session.commit()
        return self.client(Authorization=f"Bearer {secret}")
