"""Plain async factories: ``await make.user(kind="alumni")``.

They write through the same session the test reads with; the app sees the
rows because both run inside the test's one transaction.
"""

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from itertools import count

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import default_clearance
from app.levels import AccountKind, Language, Level, Role
from app.models import Membership, Post, Space, SpaceKind, SpaceRole, User, Visibility
from app.models.base import utcnow
from app.security import password_context

PASSWORD = "correct horse battery"
_serial = count(1)


@cache
def password_hash() -> str:
    """Argon2 with the lowest cost: it is slow on purpose (0.2 s a check), and the
    suite signs in hundreds of times. Accounts made through the services get the
    real cost."""
    return password_context.handler("argon2").using(memory_cost=512, rounds=1).hash(PASSWORD)


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
        charter_accepted: bool = True,
        toured: bool = True,
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
            charter_accepted_at=utcnow() if charter_accepted else None,
            # Not a new account unless a test says so: the first-run tour stays shut.
            tour_seen_at=utcnow() if toured else None,
        )
        self.session.add(user)
        await self.session.commit()
        return user

    async def space(
        self,
        *,
        owner: User | None = None,
        visibility: Visibility | str = Visibility.OPEN,
        kind: SpaceKind | str = SpaceKind.PROJECT,
        allows_externals: bool = False,
        members: Sequence[User] = (),
        moderators: Sequence[User] = (),
        is_archived: bool = False,
        default_level: Level | str = Level.INTERNAL,
        name: str | None = None,
    ) -> Space:
        """A space with its owner (made if not given) and members, written directly:
        the rules of joining are tested through the API, not here."""
        serial = next(_serial)
        owner = owner or await self.user()
        space = Space(
            slug=f"space-{serial}",
            name=name or f"Space {serial}",
            objective="Test the confidentiality policy thoroughly.",
            kind=SpaceKind(kind),
            visibility=Visibility(visibility),
            allows_externals=allows_externals,
            is_archived=is_archived,
            default_level=Level(default_level),
            created_by_id=owner.id,
        )
        self.session.add(space)
        await self.session.flush()
        roles = {owner.id: SpaceRole.OWNER}
        roles.update({m.id: SpaceRole.MODERATOR for m in moderators})
        roles.update({m.id: SpaceRole.MEMBER for m in members if m.id not in roles})
        for user_id, role in roles.items():
            self.session.add(Membership(space_id=space.id, user_id=user_id, role=role))
        await self.session.commit()
        return space

    async def post(
        self,
        *,
        author: User,
        space: Space | None = None,
        level: Level | str = Level.INTERNAL,
        audience: Sequence[User] | None = None,
        body: str = "Bonjour à tous",
    ) -> Post:
        post = Post(
            author_id=author.id,
            space_id=space.id if space else None,
            level=Level(level),
            has_audience=audience is not None,
            body=body,
        )
        self.session.add(post)
        await self.session.flush()
        for member in audience or ():
            await self.session.execute(
                Post.__audience__.insert().values(content_id=post.id, user_id=member.id)
            )
        await self.session.commit()
        return post

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
