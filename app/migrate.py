"""Alembic driven from code: ``ruche serve`` and ``ruche migrate`` upgrade to head,
``/readyz`` compares the database with the head revision."""

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.config import PROJECT_ROOT

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _run(connection, action: str, target: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    getattr(command, action)(config, target)


async def _migrate(engine: AsyncEngine, action: str, target: str) -> None:
    """SQLite alters a table by copying it (Alembic's batch mode); foreign keys must
    be off meanwhile, or dropping the old copy would cascade into the tables that
    refer to it. They are checked before the transaction commits."""
    async with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            await _sqlite_foreign_keys(connection, enabled=False)
        try:
            async with connection.begin():
                await connection.run_sync(_run, action, target)
                if sqlite:
                    broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
                    if broken:
                        raise RuntimeError(f"migration broke foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                await _sqlite_foreign_keys(connection, enabled=True)


async def _sqlite_foreign_keys(connection: AsyncConnection, *, enabled: bool) -> None:
    # Outside any transaction (SQLite ignores this pragma inside one), so on the
    # driver's connection directly.
    raw = await connection.get_raw_connection()
    await raw.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if enabled else 'OFF'}")


async def upgrade(engine: AsyncEngine, target: str = "head") -> None:
    """Nothing to do at head: every start skips the migration machinery (and, on
    SQLite, a foreign-key check that reads the whole database)."""
    if target == "head" and await current_revision(engine) == head_revision():
        return
    await _migrate(engine, "upgrade", target)


async def downgrade(engine: AsyncEngine, target: str = "base") -> None:
    await _migrate(engine, "downgrade", target)


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
