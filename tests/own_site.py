"""A database of its own, and the app on it with real transactions: for tests of
requests at once, each in its own transaction on its own connection (not the
rolled-back test transaction the other tests share), on SQLite and PostgreSQL."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from app.config import Settings
from app.db import Database
from app.main import create_app
from app.migrate import upgrade
from tests.conftest import create_fresh_database, drop_database
from tests.factories import Factories


@dataclass
class Site:
    database: Database
    app: object

    async def person(self, **fields) -> tuple[int, httpx.AsyncClient]:
        """A new account and an API client signed in as it."""
        async with self.database.sessionmaker() as session:
            make = Factories(session, self.app)
            user = await make.user(**fields)
            return user.id, await make.bearer(user)

    async def rows(self, query) -> list[tuple]:
        async with self.database.sessionmaker() as session:
            return [tuple(row) for row in (await session.execute(query)).all()]

    async def get(self, model, key):
        async with self.database.sessionmaker() as session:
            return await session.get(model, key)


@asynccontextmanager
async def own_site(workdir: Path) -> AsyncIterator[Site]:
    url = await create_fresh_database(workdir)
    # Settings of its own, not a copy of the suite's: a copy would keep the
    # suite's database, cached in resolved_database_url.
    settings = Settings(
        database_url=url,
        var_dir=workdir / "var",
        secret_key="test-secret-key-not-for-production",
        public_url="http://testserver",
        _env_file=None,
    )
    database = Database(settings)
    assert database.engine.url.render_as_string(hide_password=False) == url
    try:
        await upgrade(database.engine)
        yield Site(database, create_app(settings, database=database))
    finally:
        await database.dispose()
        await drop_database(url)
