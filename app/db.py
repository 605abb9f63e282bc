"""The async engine, the session factory and the one way to run a transaction."""

import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from sqlalchemy import Executable, event, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from app.config import Settings
from app.errors import Invalid
from app.i18n import _
from app.search.indexing import IndexedSession

logger = logging.getLogger("ruche")

SQLITE_BEGIN = "ruche_sqlite_begin"
DEFERRED = "ruche.deferred_writes"


def defer_write(session: AsyncSession, statement: Executable) -> None:
    """Writes ``statement`` after the session's transaction ends, on its own."""
    session.info.setdefault(DEFERRED, []).append(statement)


async def rows_by_id(session: AsyncSession, model, ids) -> dict:
    """The rows of ``model`` with these ids, by id: one query, none for no id."""
    if not ids:
        return {}
    return {row.id: row for row in await session.scalars(select(model).where(model.id.in_(ids)))}


async def insert_unless_taken(session: AsyncSession, row) -> bool:
    """Adds ``row`` in a savepoint; False, and nothing changed, when a concurrent
    transaction committed the same key first (the unique index decides, not a
    read that raced it)."""
    try:
        async with session.begin_nested():
            session.add(row)
        return True
    except IntegrityError:
        return False


async def serialise_on(session: AsyncSession, name: str) -> None:
    """Makes the writers of one ``name`` wait for each other until commit, where
    no unique key can decide (a slug two pages may share when one is hidden
    from the other's writer). On PostgreSQL a transaction-scoped advisory
    lock; SQLite has one writer at a time anyway (IMMEDIATE transactions)."""
    if session.bind.dialect.name != "postgresql":
        return
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    key = int.from_bytes(digest, "big", signed=True)
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


async def end_read_transaction(session: AsyncSession) -> None:
    """Ends the transaction of a request that has only read so far (who is
    asking) before it waits on its client: an upload may take minutes, and all
    that time it must hold no pooled connection and, on SQLite, not the one
    write lock every other writer waits for. Its next statement begins the
    transaction that writes, committed or rolled back as usual."""
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a transaction that has written cannot end early")
    await session.commit()


async def plan_statements(session: AsyncSession, mode: str) -> None:
    """PostgreSQL, for the rest of the request's transaction: how its prepared
    statements are planned (``plan_cache_mode``: ``force_custom_plan``, a plan
    for each statement's own values; ``force_generic_plan``, one plan kept), and
    neither JIT compiling nor parallel workers — the policy's clauses make
    estimated costs in the billions, past ``jit_above_cost``, for statements
    that run in milliseconds (seconds of compiling were measured), and led
    PostgreSQL to start a worker to sort a search's few title matches, 5 ms of
    starting for 1 ms of work. Other requests keep PostgreSQL's
    defaults; SQLite has neither setting. Once per transaction and mode: a
    search asks before each of its statements, one round trip is enough."""
    if session.bind.dialect.name != "postgresql":
        return
    current = session.get_transaction()
    if current is not None and session.info.get("planned") == (current, mode):
        return
    await session.execute(
        select(
            func.set_config("plan_cache_mode", mode, True),
            func.set_config("jit", "off", True),
            func.set_config("max_parallel_workers_per_gather", "0", True),
        )
    )
    session.info["planned"] = (session.get_transaction(), mode)


def _tune_sqlite(engine: AsyncEngine) -> None:
    """Foreign keys on, WAL for concurrent readers, and real transactions.

    The sqlite3 driver begins transactions lazily and cannot nest savepoints;
    taking over BEGIN ourselves gives SQLite the same transaction semantics as
    PostgreSQL (SQLAlchemy's documented recipe).
    """

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection):
        # IMMEDIATE for requests that write: a deferred transaction that read first
        # cannot take the write lock once another writer committed, and fails at
        # once instead of waiting (SQLITE_BUSY_SNAPSHOT).
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "")
        connection.exec_driver_sql(f"BEGIN {mode}".rstrip())


def refuse_nul_characters(engine: AsyncEngine) -> None:
    """PostgreSQL refuses a NUL character in text with an error that would reach
    the client as a 500, where SQLite would store it: on both, it is bad input,
    refused before anything is written, whichever field or query brought it."""

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def check(_connection, _cursor, _statement, parameters, _context, _executemany):
        if _holds_nul(parameters):
            raise Invalid(_("Text may not contain a NUL character."), code="nul_character")


def _holds_nul(parameters) -> bool:
    """Whatever the driver's shape: a row, a dict, or many of them."""
    if isinstance(parameters, str):
        return "\x00" in parameters
    if isinstance(parameters, dict):
        parameters = parameters.values()
    elif not isinstance(parameters, list | tuple):
        return False
    return any(_holds_nul(value) for value in parameters)


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(
            url, echo=echo, hide_parameters=True, connect_args={"timeout": 10}
        )
        _tune_sqlite(engine)
    else:
        # hide_parameters: a failing statement is logged without its values (hashes, bodies).
        engine = create_async_engine(
            url, echo=echo, hide_parameters=True, pool_size=10, max_overflow=20, pool_pre_ping=True
        )
    refuse_nul_characters(engine)
    return engine


class Database:
    """What the app holds on to: one engine and its session factory."""

    def __init__(self, settings: Settings, *, bind: AsyncConnection | None = None):
        """``bind``: run every session inside that connection's transaction, as
        savepoints (the test suite rolls each test back this way)."""
        self.engine = (
            bind.engine
            if bind is not None
            else create_engine(settings.resolved_database_url, echo=settings.sql_echo)
        )
        self.owns_engine = bind is None
        # What a commit announces and a rollback forgets: the events a transaction
        # recorded (app.realtime.broker.announce_commits sets them; db.py knows
        # nothing of events, as realtime/ sits above it).
        self.after_commit: Callable[[AsyncSession], Awaitable[None]] | None = None
        self.before_rollback: Callable[[AsyncSession], None] | None = None
        self.sessionmaker = async_sessionmaker(
            bind if bind is not None else self.engine,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
            sync_session_class=IndexedSession,
        )
        # For units of work that will write. Only SQLite needs it to differ.
        self.writer = self.sessionmaker
        if bind is None and self.engine.dialect.name == "sqlite":
            self.writer = async_sessionmaker(
                self.engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"}),
                expire_on_commit=False,
                sync_session_class=IndexedSession,
            )

    async def commit(self, session: AsyncSession) -> None:
        """Commits, then runs the after-commit hook (announcing the events the
        transaction recorded)."""
        await session.commit()
        if self.after_commit is not None:
            await self.after_commit(session)
        await self._write_deferred(session)

    async def rollback(self, session: AsyncSession) -> None:
        """Rolls back; the before-rollback hook drops the transaction's events."""
        if self.before_rollback is not None:
            self.before_rollback(session)
        await session.rollback()
        await self._write_deferred(session)

    async def _write_deferred(self, session: AsyncSession) -> None:
        """Best-effort bookkeeping (last seen, last used), in its own short
        transaction after the request's: a read-only request stays read-only,
        and a failure here never fails the request."""
        statements = session.info.pop(DEFERRED, [])
        if not statements:
            return
        try:
            async with self.writer() as own:
                for statement in statements:
                    await own.execute(statement)
                await own.commit()
        except Exception as error:
            logger.warning("deferred bookkeeping not written: %s", error)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work that writes: commits once on success, rolls back on
        any error."""
        async with self.writer() as session:
            try:
                yield session
                await self.commit(session)
            except BaseException:
                await self.rollback(session)
                raise

    async def dispose(self) -> None:
        if self.owns_engine:
            await self.engine.dispose()
