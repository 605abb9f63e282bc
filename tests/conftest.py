"""Fixtures: a database built by the migrations, one rolled-back transaction per
test, an ASGI client, and plain async factories.

The suite runs on SQLite by default and on PostgreSQL when
``RUCHE_TEST_DATABASE_URL`` names an (empty, disposable) PostgreSQL database.
"""

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.config import OidcProvider, Settings
from app.db import Database, create_engine
from app.main import create_app
from app.migrate import upgrade
from app.models import User
from app.realtime.broker import MemoryBroker, announce_commits
from app.realtime.events import Event
from tests.api_helpers import BROWSER
from tests.document_check import DocumentedErrorsOnly
from tests.factories import Factories
from tests.oidc_server import RUCHE, RunningProvider, running_provider

TEST_DATABASE_URL = os.environ.get("RUCHE_TEST_DATABASE_URL")

# Property-based tests: bounded for CI; HYPOTHESIS_PROFILE=thorough for a long run.
hypothesis_settings.register_profile("ci", max_examples=40, deadline=None)
hypothesis_settings.register_profile("thorough", max_examples=1000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def is_postgres() -> bool:
    return bool(TEST_DATABASE_URL) and TEST_DATABASE_URL.startswith("postgresql")


async def create_fresh_database(tmp_dir: Path) -> str:
    """An empty database of the kind under test: a new SQLite file, or a new
    PostgreSQL database on the server of RUCHE_TEST_DATABASE_URL."""
    if not is_postgres():
        return f"sqlite+aiosqlite:///{tmp_dir / f'{uuid.uuid4().hex}.db'}"
    url = make_url(TEST_DATABASE_URL)
    name = f"{url.database}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres").render_as_string(hide_password=False))
    async with admin.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


async def drop_database(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        return
    url = make_url(database_url)
    admin = create_engine(url.set(database="postgres").render_as_string(hide_password=False))
    async with admin.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    await admin.dispose()


@pytest.fixture(scope="session")
def tmp_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ruche")


@pytest.fixture(scope="session")
async def database_url(tmp_root) -> AsyncIterator[str]:
    url = await create_fresh_database(tmp_root)
    yield url
    await drop_database(url)


@pytest.fixture(scope="session")
def settings(tmp_root, database_url) -> Settings:
    return Settings(
        database_url=database_url,
        var_dir=tmp_root / "var",
        secret_key="test-secret-key-not-for-production",
        public_url="http://testserver",
        _env_file=None,
    )


@pytest.fixture(scope="session")
async def engine(settings):
    """Built by the migrations, never by create_all: every run tests them."""
    engine = create_engine(settings.resolved_database_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def db(engine, settings) -> AsyncIterator[Database]:
    """Everything a test writes, through the app or the factories, is rolled back."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        yield Database(settings, bind=connection)
        await transaction.rollback()


@pytest.fixture
async def session(db):
    async with db.sessionmaker() as session:
        yield session


@pytest.fixture(scope="session")
def built_app(settings):
    """Built once: create_app costs about 0.1 s (FastAPI prepares every route).
    Every error it answers is checked against its API document."""
    app = create_app(settings)
    app.add_middleware(DocumentedErrorsOnly, document=app.openapi())
    return app


@pytest.fixture
def app(built_app, db):
    """The app, pointed at this test's rolled-back transaction."""
    built_app.state.db = db
    return built_app


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 50000)),
        base_url="http://testserver",
    ) as client:
        yield client


@pytest.fixture
def make(session, app) -> Factories:
    return Factories(session, app)


class Heard:
    """What a listener of the broker heard, as the hub of a process would."""

    def __init__(self, broker: MemoryBroker):
        self.broker = broker
        self.items: list[Event] = []
        self._task = asyncio.create_task(self._listen(broker))

    async def _listen(self, broker: MemoryBroker) -> None:
        async for item in broker.listen():
            self.items.append(item)

    async def settled(self) -> list[Event]:
        """What was heard once the listener has taken everything published so far."""
        for _ in range(5):
            await asyncio.sleep(0)
        return self.items

    async def stop(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


@pytest.fixture
async def heard(db):
    """The test's database announces to a memory broker; this listens to it."""
    broker = MemoryBroker()
    announce_commits(db, broker)
    listener = Heard(broker)
    await listener.settled()  # subscribed before anything is published
    yield listener
    await listener.stop()


@pytest.fixture
async def browser_of(make):
    """``client, csrf = await browser_of(user)``: a signed-in browser that sends
    the session's anti-forgery token only where a form puts it."""
    clients: list[httpx.AsyncClient] = []

    async def open_browser(user: User) -> tuple[httpx.AsyncClient, str]:
        client = await make.signed_in(user)
        clients.append(client)
        csrf = client.headers.pop("X-CSRF-Token")
        client.headers.update(BROWSER)
        return client, csrf

    yield open_browser
    for client in clients:
        await client.aclose()


# The real OpenID Connect provider (tests/oidc_server.py), started once per
# module that asks for it.


@pytest.fixture(scope="module")
async def provider() -> AsyncIterator[RunningProvider]:
    async with running_provider() as running:
        yield running


@pytest.fixture(scope="module")
async def corp(provider) -> OidcProvider:
    """Ruche's settings for it, a client registered for the tests' Ruche."""
    return await provider.provider_settings(RUCHE)


@pytest.fixture
async def at_provider(provider) -> AsyncIterator[httpx.AsyncClient]:
    """A browser at the provider (its own cookies)."""
    async with httpx.AsyncClient(base_url=provider.issuer) as client:
        yield client
