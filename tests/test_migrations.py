"""The migrations build exactly the schema the models describe, and run both ways
on the database under test (SQLite by default, PostgreSQL when configured)."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from app.db import create_engine
from app.migrate import current_revision, downgrade, head_revision, upgrade
from app.models import Base
from tests.conftest import create_fresh_database, drop_database


def schema_differences(connection) -> list:
    """What ``alembic revision --autogenerate`` would write, with migrations/env.py's options."""
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "target_metadata": Base.metadata}
    )
    return compare_metadata(context, Base.metadata)


def table_names(connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_the_migrated_schema_matches_the_models(engine):
    async with engine.connect() as connection:
        differences = await connection.run_sync(schema_differences)

    assert differences == []


async def test_migrations_run_down_to_base_and_up_again(tmp_root):
    url = await create_fresh_database(tmp_root)
    engine = create_engine(url)
    model_tables = set(Base.metadata.tables)
    try:
        await upgrade(engine)
        async with engine.connect() as connection:
            assert model_tables <= await connection.run_sync(table_names)
        assert await current_revision(engine) == head_revision()

        await downgrade(engine)
        async with engine.connect() as connection:
            assert await connection.run_sync(table_names) <= {"alembic_version"}
        assert await current_revision(engine) is None

        await upgrade(engine)
        async with engine.connect() as connection:
            assert model_tables <= await connection.run_sync(table_names)
            assert await connection.run_sync(schema_differences) == []
        assert await current_revision(engine) == head_revision()
    finally:
        await engine.dispose()
        await drop_database(url)
