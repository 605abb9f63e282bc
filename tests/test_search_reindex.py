"""``ruche reindex`` and the rebuild ``ruche serve`` runs on an empty index, on
a database of their own (they commit), of the kind under test."""

import asyncio

from sqlalchemy import delete, select

from app.cli import _migrate, _reindex
from app.config import Settings
from app.db import Database
from app.models import Post, SearchEntry, User
from tests.conftest import create_fresh_database, drop_database
from tests.live_server import ruche_env, run_ruche


async def _write_content(settings: Settings) -> list[tuple]:
    database = Database(settings)
    try:
        async with database.transaction() as session:
            author = User(email="a@example.test", handle="auteur", display_name="Équipe Auteur")
            session.add(author)
            await session.flush()
            session.add(Post(author_id=author.id, level="internal", body="Développement en cours"))
        async with database.transaction() as session:
            kept = await _entries(session)
            # As a bulk load or the upgrade to search leaves it: content, no index.
            await session.execute(delete(SearchEntry))
        return kept
    finally:
        await database.dispose()


async def _entries(session) -> list[tuple]:
    rows = await session.execute(
        select(SearchEntry.kind, SearchEntry.item_id, SearchEntry.body_terms).order_by(
            SearchEntry.id
        )
    )
    return [tuple(row) for row in rows]


async def _read(settings: Settings) -> list[tuple]:
    database = Database(settings)
    try:
        async with database.sessionmaker() as session:
            return await _entries(session)
    finally:
        await database.dispose()


def test_serve_builds_an_empty_index_and_reindex_rebuilds_it(tmp_path):
    url = asyncio.run(create_fresh_database(tmp_path))
    settings = Settings(database_url=url, var_dir=tmp_path / "var", _env_file=None)
    try:
        _migrate(settings)
        assert _reindex(settings, only_if_empty=True) is None  # nothing to index
        written = asyncio.run(_write_content(settings))
        assert [kind for kind, _id, _terms in written] == ["person", "post"]
        assert asyncio.run(_read(settings)) == []
        assert _reindex(settings, only_if_empty=True) == 2
        assert asyncio.run(_read(settings)) == written
        assert _reindex(settings, only_if_empty=True) is None  # not empty any more
        done = run_ruche("reindex", cwd=tmp_path, env=ruche_env(database_url=url))
        assert done.returncode == 0, done.stderr
        assert "Search index rebuilt: 2 entries." in done.stdout
        assert asyncio.run(_read(settings)) == written
    finally:
        asyncio.run(drop_database(url))
